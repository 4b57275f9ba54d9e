"""Deletion and insertion curves (Petsiuk et al., 2018, the RISE paper).

Both ask the model itself whether the pixels a map ranks first are the ones it needs:
remove them first (deletion) or reveal them first (insertion) and follow the target's
probability as the fraction of pixels changed goes from 0 to 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .._checks import check_choice, check_int
from ._forward import check_inputs, logits_of, predicted, probabilities
from .result import Scores

FILLS = ("zeros", "blur")
"""What a deleted pixel becomes, or an inserted pixel was before (the ``fill`` argument)."""
BLUR_KERNEL = 11
BLUR_SIGMA = 5.0
BLUR_SIDE = 224
"""The "blur" fill is RISE's Gaussian blur (11x11 kernel, sigma 5 pixels), set for
224-pixel images, scaled to the image: see :func:`blur_parameters`."""


@dataclass(frozen=True)
class Curves(Scores):
    """Deletion or insertion curves: :class:`Scores` whose values are curves.

    Attributes
    ----------
    values : np.ndarray, float64, ``(N, steps + 1)``
        The target's probability at each step, one curve per image.
    valid : np.ndarray, bool, ``(N,)``
        All True (a curve is defined for every image).
    fractions : np.ndarray, float64, ``(steps + 1,)``
        Fraction of the pixels removed (deletion) or inserted (insertion) at each step,
        from 0 to 1: exactly ``n_k / (H * W)`` with ``n_k = (k * H * W) // steps``.
    targets : np.ndarray, int32, ``(N,)``
        The classes scored.

    ``.per_image`` is :attr:`auc`; ``.mean`` the mean area over the images (the score).
    """

    fractions: np.ndarray
    targets: np.ndarray

    @property
    def auc(self) -> np.ndarray:
        """Area under each curve, ``(N,)`` in [0, 1] (trapezoid rule over the fractions)."""
        y = self.values
        dx = np.diff(self.fractions)
        return ((y[:, 1:] + y[:, :-1]) * 0.5 * dx).sum(axis=1)

    @property
    def per_image(self) -> np.ndarray:
        """:attr:`auc`: the area under each image's curve."""
        return self.auc

    @property
    def mean_curve(self) -> np.ndarray:
        """The curve averaged over the valid images, ``(steps + 1,)`` (to plot)."""
        return self._mean_curve(self.values)


def blur_parameters(height: int, width: int) -> tuple:
    """The "blur" fill's ``(kernel, sigma)`` for an image of ``height`` x ``width`` pixels.

    RISE blurs 224-pixel images with an 11x11 Gaussian kernel of sigma 5 pixels. The
    rule here keeps that blur's size relative to the image: with ``s = min(height,
    width)``, ``sigma = 5 * s / 224`` pixels and the kernel the odd size nearest below
    ``11 * s / 224`` (at least 3): (11, 5.0) at 224 px, (3, 1.43) at 64 px, (25, 11.2)
    at 512 px.
    """
    side = min(height, width)
    kernel = max(3, int(2 * np.floor(BLUR_KERNEL * side / BLUR_SIDE / 2) + 1))
    return kernel, BLUR_SIGMA * side / BLUR_SIDE


def tie_breaks(n: int, size: int, random_state) -> np.ndarray:
    """Random keys ``(n, size)`` that order tied pixels, or None for row-major order."""
    if random_state is None:
        return None
    if isinstance(random_state, np.random.Generator):
        return random_state.random((n, size))
    random_state = check_int(random_state, "random_state", low=0)
    return np.random.default_rng(random_state).random((n, size))


def pixel_order(maps: np.ndarray, *, random_state=0) -> np.ndarray:
    """Rank of each pixel, ``(N, H, W)`` int64: 0 for the pixel the map ranks first.

    Pixels are sorted by decreasing map value. Ties (a ReLU'd CAM map is exactly 0
    over large regions) are broken at random: ``random_state`` (an int >= 0 or a
    ``numpy.random.Generator``) draws the order among tied pixels, so the result is
    reproducible. ``random_state=None`` breaks ties in row-major order instead (top
    row first, left to right), which makes deletion sweep an empty region from the top
    of the image: kept only to show that effect.
    """
    maps = np.asarray(maps)
    n = len(maps)
    flat = maps.reshape(n, -1)
    keys = tie_breaks(n, flat.shape[1], random_state)
    if keys is None:
        order = np.argsort(-flat, axis=1, kind="stable")
    else:
        order = np.lexsort((keys, -flat), axis=1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(flat.shape[1])[None, :], axis=1)
    return rank.reshape(maps.shape)


def has_ties(maps: np.ndarray) -> bool:
    """True when some map ``(N, H, W)`` gives two pixels the same value."""
    flat = np.sort(maps.reshape(len(maps), -1), axis=1)
    return bool((np.diff(flat, axis=1) == 0).any())


def fill_images(images: np.ndarray, fill: str) -> np.ndarray:
    """The images the pixels go to (deletion) or come from (insertion), ``(N, H, W, C)``."""
    if fill == "zeros":
        return np.zeros_like(images)
    kernel, sigma = blur_parameters(*images.shape[1:3])
    return np.stack([
        cv2.GaussianBlur(img, (kernel, kernel), sigma,
                         borderType=cv2.BORDER_REFLECT_101).reshape(img.shape)
        for img in images]).astype(np.float32)


def _curves(model, images, maps, targets, steps, fill, batch_size, insert: bool,
            random_state, n_orders):
    model, x, m, t, batch = check_inputs(model, images, maps, targets, batch_size)
    n, h, w = m.shape
    steps = check_int(steps, "steps", low=1, high=h * w,
                      note=f" (at most H * W = {h} * {w} pixels: each step changes at "
                           "least one pixel)")
    fill = check_choice(fill, "fill", FILLS)
    n_orders = check_int(n_orders, "n_orders", low=1, high=1000)
    if random_state is None:
        n_orders = 1                       # row-major ties: one order only
    else:
        random_state = check_int(random_state, "random_state", low=0)
    if not has_ties(m):
        n_orders = 1                       # every order is the same
    counts = (np.arange(steps + 1) * (h * w)) // steps
    rng = None if random_state is None else np.random.default_rng(random_state)
    rank = np.stack([pixel_order(m, random_state=rng) for _ in range(n_orders)])
    base = fill_images(x, fill)
    per_order = n * (steps + 1)
    total = n_orders * per_order

    def chunks():
        for start in range(0, total, batch):
            pairs = np.arange(start, min(start + batch, total))
            o, rest = pairs // per_order, pairs % per_order
            i, k = rest // (steps + 1), rest % (steps + 1)
            changed = (rank[o, i] < counts[k][:, None, None])[..., None]
            if insert:
                yield np.where(changed, x[i], base[i])
            else:
                yield np.where(changed, base[i], x[i])

    logits = logits_of(model, chunks()).reshape(n_orders, n, steps + 1, -1)
    original = logits[0, :, -1] if insert else logits[0, :, 0]   # every pixel of the image
    t = predicted(original, t)
    p = probabilities(model, logits.reshape(total, -1),
                      np.tile(np.repeat(t, steps + 1), n_orders))
    return Curves(values=p.reshape(n_orders, n, steps + 1).mean(axis=0),
                  valid=np.ones(n, bool), fractions=counts / (h * w), targets=t)


def deletion(model, images, maps, targets=None, *, steps=32, fill="zeros",
             random_state=0, n_orders=1, batch_size=None) -> Curves:
    """Deletion curve: remove the pixels the map ranks first and watch the class fade.

    A reader's meaning: if the map is right about what the model uses, removing its
    top pixels should make the probability of the class collapse quickly. Pixels are
    set to the ``fill`` (black, ``"zeros"``, as in the paper, or a blurred copy of the
    image, ``"blur"``) in the map's order, a fraction ``k / steps`` of them at step k;
    the area under the probability curve is the score. Lower is better. A map that
    knows nothing removes pixels in no useful order and gives a high area.

    Parameters
    ----------
    model : keras.Model
    images : array-like, float, ``(N, H, W, C)`` or one ``(H, W, C)``
    maps : array-like, float, ``(N, H, W)`` or one ``(H, W)``
        Only the order of the values matters; tied pixels are removed in a random
        order (see :func:`pixel_order`).
    targets : None, int or sequence of int
        None: the class predicted on the original image.
    steps : int in [1, H * W]
        Number of steps; each image costs ``steps + 1`` forward passes per order.
    fill : {"zeros", "blur"}
        What a removed pixel becomes (blur: RISE's Gaussian, kernel 11 and sigma 5
        pixels at 224 px, scaled to the image's size: :func:`blur_parameters`).
    random_state : int >= 0 or None
        Draws the order of tied pixels (the same value gives the same curves); None
        removes ties in row-major order, top row first.
    n_orders : int in [1, 1000]
        How many random orders of the ties to average the curves over (drawn one
        after another from one generator started at ``random_state``); each costs
        ``steps + 1`` forward passes per image (maps without ties need one order,
        and get one).
    batch_size : int or None
        Images per compiled forward pass (default 64). The perturbed images are built
        one chunk at a time: memory is bounded by the batch, never by ``steps``.

    Returns
    -------
    Curves
        ``.values`` ``(N, steps + 1)``: the probability curves, starting at the original
        image's probability; ``.fractions``; ``.auc`` ``(N,)``; ``.mean`` the mean
        area (the score); ``.mean_curve`` to plot.

    Raises
    ------
    ValueError
        Besides bad arguments: a model whose logits are NaN or infinite (NaN weights).
    """
    return _curves(model, images, maps, targets, steps, fill, batch_size, False,
                   random_state, n_orders)


def insertion(model, images, maps, targets=None, *, steps=32, fill="blur",
              random_state=0, n_orders=1, batch_size=None) -> Curves:
    """Insertion curve: reveal the pixels the map ranks first and watch the class appear.

    A reader's meaning: start from an image that carries no evidence (a blurred copy,
    as in the paper, or black with ``fill="zeros"``) and put the original pixels
    back in the map's order. A good map brings back the evidence first, so the class
    probability rises early and the area under the curve is large. Higher is better.
    The curve ends on the original image.

    Parameters and returns as for :func:`deletion` (here ``fill`` is where the pixels
    start from; default ``"blur"``).
    """
    return _curves(model, images, maps, targets, steps, fill, batch_size, True,
                   random_state, n_orders)
