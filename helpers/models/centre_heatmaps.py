"""The Gaussian bump each object puts on a centre heatmap: the two rules of
:class:`~helpers.models.CenterNet`.

A centre-heatmap detector is trained towards 1 at each object's centre cell and
towards a bump around it, which lowers the penalty of the focal loss on near misses
(``(1 - y)^4`` in :func:`~helpers.models.centernet.centernet_loss`). Both rules work
in output cells (pixels / stride), on the object's centre *cell* ``(row, col)``, so
that the peak is exactly 1, and two bumps of one class keep the larger value.

``"per_axis"`` (the course's default)
    ``exp(-dx^2 / (2 sx^2) - dy^2 / (2 sy^2))`` over the whole grid, with
    ``sx = max(w / 6, 0.5)`` and ``sy = max(h / 6, 0.5)`` (``w``, ``h`` the box sides
    in cells): an elliptical Gaussian whose 3-sigma half-width is half the box's side.
    TTFNet (Liu et al., "Training-Time-Friendly Network for Real-Time Object
    Detection", AAAI 2020) uses this shape with the sides first shrunk by
    ``alpha = 0.54``; here they are not.

``"centernet"`` ("Objects as Points", Zhou, Wang and Krahenbuhl 2019, Sec. 3, and
its code)
    ``exp(-(dx^2 + dy^2) / (2 sigma^2))`` with ``sigma = (2 r + 1) / 6``, cut to the
    ``(2 r + 1) x (2 r + 1)`` cells around the centre (0 outside), where
    ``r = max(0, int(gaussian_radius(ceil(h), ceil(w), 0.7)))``: CornerNet's radius
    (Law and Deng, "CornerNet", ECCV 2018, Sec. 3.2), the largest shift of the box's
    corners that keeps IoU >= 0.7 with the object, computed as CenterNet's
    ``utils/image.py`` does and truncated to whole cells. Values below machine
    epsilon are set to 0, as CenterNet's ``gaussian2D`` does. The one difference
    from CenterNet's data loader: it clips boxes to ``[0, output_side - 1]`` cells
    (pixel-index coordinates of its affine crops); the course's boxes are continuous
    coordinates inside ``[0, output_side]`` and are not clipped.

The radius grows as about 0.08 x the side of a square box (case 2 of
:func:`gaussian_radius`), so CenterNet's rule gives ``r = 0`` (a single-cell target,
every neighbour a full negative) to every box whose sides are both at most 12 cells
(48 pixels at stride 4): all of the course's scenes' objects (6 to 41 pixels).
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_choice, check_real

__all__ = ["HEATMAP_RULES", "gaussian_radius", "centernet_radius", "centre_bump"]

#: The values of ``heatmap_rule`` (see the module notes).
HEATMAP_RULES = ("per_axis", "centernet")

#: CenterNet's (and CornerNet's) IoU a shifted box must keep with its object.
CENTERNET_MIN_OVERLAP = 0.7


def _lower_root(a: float, b: float, c: float) -> float:
    """The smaller root of ``a r^2 - b r + c = 0`` (``a > 0``, real roots)."""
    return (b - math.sqrt(b * b - 4 * a * c)) / (2 * a)


def gaussian_radius(height, width, min_overlap: float = CENTERNET_MIN_OVERLAP) -> float:
    """CornerNet's radius: how far both corners of a ``height`` x ``width`` box may move
    by ``r`` (along x and y) and keep IoU >= ``min_overlap`` with the box.

    The smallest of three cases' limits (as CenterNet's ``gaussian_radius`` computes
    them; CornerNet's own code took other roots of the same equations), with
    ``s = height + width``, ``A = height * width`` and ``o = min_overlap``:

    1. both corners move the same way (the box slides by ``r``):
       ``(h - r)(w - r) / (2A - (h - r)(w - r)) >= o``, i.e.
       ``r^2 - s r + A (1 - o) / (1 + o) >= 0``: the smaller root;
    2. both move inwards: ``(h - 2r)(w - 2r) / A >= o``, i.e.
       ``4 r^2 - 2 s r + (1 - o) A >= 0``: the smaller root;
    3. both move outwards: ``A / ((h + 2r)(w + 2r)) >= o``, i.e.
       ``4 o r^2 + 2 o s r - (1 - o) A <= 0``: the positive root.

    Parameters
    ----------
    height, width : float, > 0
        The box's sides, in any unit (CenterNet: output cells, rounded up).
    min_overlap : float in (0, 1]

    Returns
    -------
    float, >= 0
        The radius in the unit of the sides (not rounded). For a square of side
        ``a`` and ``o = 0.7`` it is ``a (1 - sqrt(0.7)) / 2 = 0.0817 a`` (case 2).
    """
    h = check_real(height, "height", low=0.0, low_open=True)
    w = check_real(width, "width", low=0.0, low_open=True)
    o = check_real(min_overlap, "min_overlap", low=0.0, high=1.0, low_open=True)
    s, area = h + w, h * w
    slide = _lower_root(1.0, s, area * (1 - o) / (1 + o))
    inwards = _lower_root(4.0, 2 * s, (1 - o) * area)
    # 4 o r^2 + 2 o s r - (1 - o) A = 0, positive root
    outwards = (-2 * o * s + math.sqrt((2 * o * s) ** 2 + 16 * o * (1 - o) * area)) / (8 * o)
    return max(0.0, min(slide, inwards, outwards))


def centernet_radius(height, width) -> int:
    """CenterNet's radius in whole cells for a box of ``height`` x ``width`` cells:
    ``max(0, int(gaussian_radius(ceil(height), ceil(width), 0.7)))``.

    Returns
    -------
    int, >= 0
        The bump of :func:`centre_bump` spans ``2 r + 1`` cells per axis.
    """
    h = check_real(height, "height", low=0.0, low_open=True)
    w = check_real(width, "width", low=0.0, low_open=True)
    return max(0, int(gaussian_radius(math.ceil(h), math.ceil(w), CENTERNET_MIN_OVERLAP)))


def centre_bump(rule: str, width, height, row: int, col: int, grid_shape) -> np.ndarray:
    """One object's bump on a ``grid_shape`` heatmap, peak 1 at ``(row, col)``.

    Parameters
    ----------
    rule : "per_axis" or "centernet"
        See the module notes.
    width, height : float, > 0
        The box's sides in output cells (pixels / stride).
    row, col : int
        The centre cell (``int(cy / stride)``, ``int(cx / stride)``), inside the grid.
    grid_shape : (int, int)
        (rows, columns) of the heatmap.

    Returns
    -------
    ndarray, float64, shape grid_shape
        Values in [0, 1]; exactly 1 at ``(row, col)``.
    """
    check_choice(rule, "heatmap_rule", HEATMAP_RULES)
    width = check_real(width, "width", low=0.0, low_open=True)
    height = check_real(height, "height", low=0.0, low_open=True)
    grid_h, grid_w = grid_shape
    dy = np.arange(grid_h)[:, None] - row
    dx = np.arange(grid_w)[None, :] - col
    if rule == "per_axis":
        sigma_x, sigma_y = max(width / 6, 0.5), max(height / 6, 0.5)
        return np.exp(-(dx**2) / (2 * sigma_x**2) - (dy**2) / (2 * sigma_y**2))
    radius = centernet_radius(height, width)
    sigma = (2 * radius + 1) / 6
    bump = np.exp(-(dx**2 + dy**2) / (2 * sigma**2))
    bump[(np.abs(dx) > radius) | (np.abs(dy) > radius)] = 0.0
    bump[bump < np.finfo(bump.dtype).eps] = 0.0
    return bump
