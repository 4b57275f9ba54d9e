"""Scores of a map against a ground-truth region: the pointing game and its energy version.

Both ask "does the map sit on the object?" without the model: a map is compared with
a box or a mask drawn by a person. They measure localisation, not faithfulness: a map
can point at the object while the model looked elsewhere (see :mod:`.perturbation`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .._checks import check_choice, check_real
from ._inputs import check_maps, check_truth, unit_peak
from .result import Scores

TIES = ("first", "any", "all")


@dataclass(frozen=True)
class PointingGame(Scores):
    """:class:`Scores` of the pointing game (``.values`` 1.0 for a hit, 0.0 for a miss;
    ``.mean`` is the pointing-game accuracy), plus the distances.

    Attributes
    ----------
    hits : np.ndarray, bool, ``(N,)``
        True where the map's maximum lies within the tolerance of the region.
    distances : np.ndarray, float64, ``(N,)``
        Euclidean distance in pixels from the (chosen) maximum to the nearest region
        pixel (0 inside the region; ``inf`` for a constant map or an empty region).
    """

    hits: np.ndarray
    distances: np.ndarray


def pointing_game(maps, truth, tolerance=15, *, ties: str = "first") -> PointingGame:
    """Does each map's maximum point at the object? (Zhang et al., 2016)

    A reader's meaning: put a finger on the hottest pixel of the heatmap; the map
    scores a hit if the finger lands on the object, or within ``tolerance`` pixels of
    it (15 in the paper, to forgive small misalignments of a coarse map). The accuracy
    is the share of hits over the images. It only asks *where the peak is*: the rest of
    the map does not count, so a sharp wrong blob and a broad right one are told apart
    only by their peaks.

    Parameters
    ----------
    maps : array-like, float, ``(N, H, W)`` or one ``(H, W)``
        Heatmaps at image resolution (any real values, booleans as 0/1; only their order
        matters).
    truth : array-like
        The ground truth, where the map should point (the object): boxes ``(N, 4)``
        ``x1, y1, x2, y2`` in pixels (a pixel belongs to a box when its centre is
        inside, right/bottom edges exclusive), or masks ``(N, H, W)`` of 0/1 or
        booleans; one ``(4,)`` box or ``(H, W)`` mask for one map.
    tolerance : real >= 0
        Pixels: a hit when the Euclidean distance between the maximum's pixel centre
        and the nearest region pixel centre is <= tolerance.
    ties : {"first", "any", "all"}
        Which maximum counts when several pixels share the top value: ``"first"``
        (default) the first in row-major order, the one ``np.argmax`` picks (the paper
        does not define ties; a coarse CAM upsampled to the image often has several);
        ``"any"`` a hit if any of them is close enough (lenient); ``"all"`` a hit only
        if every one of them is (strict).

    Returns
    -------
    PointingGame
        ``.values`` 1.0/0.0 per image (hit/miss), ``.hits`` and ``.distances``,
        ``.valid`` (False for an empty region: excluded, never a hit), ``.mean`` the
        accuracy (hits / valid images, in [0, 1]).

    Notes
    -----
    A constant map (all zeros included) has no peak: it is a miss, whatever the tie rule
    (otherwise a map that says nothing would hit every object that reaches the corner).
    """
    tolerance = check_real(tolerance, "tolerance", low=0)
    ties = check_choice(ties, "ties", TIES)
    m, single = check_maps(maps)
    n, h, w = m.shape
    masks = check_truth(truth, n, h, w, single)
    valid = masks.reshape(n, -1).any(axis=1)
    distances = np.full(n, np.inf)
    for i in range(n):
        flat = m[i].ravel()
        top = flat.max()
        if not valid[i] or top == flat.min():
            continue
        # distance from every pixel to the nearest region pixel (pixel centres)
        to_region = ndimage.distance_transform_edt(~masks[i]).ravel()
        if ties == "first":
            distances[i] = to_region[int(np.argmax(flat))]
        else:
            at_top = to_region[flat == top]
            distances[i] = at_top.min() if ties == "any" else at_top.max()
    hits = valid & (distances <= tolerance)
    return PointingGame(values=hits.astype(np.float64), valid=valid, hits=hits,
                        distances=distances)


def energy_pointing_game(maps, truth) -> Scores:
    """Share of each map's mass inside the region (Wang et al., 2020, Score-CAM).

    A reader's meaning: pour the heatmap's "heat" like sand over the image and ask
    what fraction of it lands on the object. 1 means all of it, 0 none; a map spread
    evenly scores the region's share of the image area, which is the number to beat.
    Unlike the pointing game every pixel counts, so a map with a right peak but a lot
    of heat elsewhere is penalised.

    Parameters
    ----------
    maps : array-like, float >= 0, ``(N, H, W)`` or one ``(H, W)``
        Heatmaps at image resolution (negative values are refused: take ``abs`` or
        clip first, whichever you mean).
    truth : array-like
        Where the mass should be: boxes ``(N, 4)`` xyxy pixels or masks ``(N, H, W)``,
        as for :func:`pointing_game`.

    Returns
    -------
    Scores
        ``.values`` ``(N,)`` in [0, 1]: sum of the map inside / sum of the map. An all-zero
        map has no mass and scores 0 (not NaN). An empty region makes the image invalid
        (``.valid`` False, excluded from ``.mean``). Each image is scored on its own:
        the result never depends on the other images in the batch. Values up to the
        largest float are fine (each map is divided by its peak first, so sums do not
        overflow); booleans count as 0/1.
    """
    m, single = check_maps(maps, nonnegative=True)
    n, h, w = m.shape
    masks = check_truth(truth, n, h, w, single)
    valid = masks.reshape(n, -1).any(axis=1)
    m = unit_peak(m)
    total = m.reshape(n, -1).sum(axis=1)
    inside = (m * masks).reshape(n, -1).sum(axis=1)
    values = np.where(valid & (total > 0), inside / np.where(total > 0, total, 1.0), 0.0)
    return Scores(values=np.minimum(values, 1.0), valid=valid)
