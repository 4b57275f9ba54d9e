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
"""The "blur" fill: a Gaussian blur, 11x11 kernel, sigma 5 pixels, per channel."""


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


def pixel_order(maps: np.ndarray) -> np.ndarray:
    """Rank of each pixel, ``(N, H, W)`` int64: 0 for the pixel the map ranks first.

    Pixels are sorted by decreasing map value; ties keep row-major order (a stable sort
    of ``-map``), so the result never depends on the sort's internals.
    """
    n = len(maps)
    flat = maps.reshape(n, -1)
    order = np.argsort(-flat, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(flat.shape[1])[None, :], axis=1)
    return rank.reshape(maps.shape)


def fill_images(images: np.ndarray, fill: str) -> np.ndarray:
    """The images the pixels go to (deletion) or come from (insertion), ``(N, H, W, C)``."""
    if fill == "zeros":
        return np.zeros_like(images)
    return np.stack([
        cv2.GaussianBlur(img, (BLUR_KERNEL, BLUR_KERNEL), BLUR_SIGMA,
                         borderType=cv2.BORDER_REFLECT_101).reshape(img.shape)
        for img in images]).astype(np.float32)


def _curves(model, images, maps, targets, steps, fill, batch_size, insert: bool):
    model, x, m, t, batch = check_inputs(model, images, maps, targets, batch_size)
    n, h, w = m.shape
    steps = check_int(steps, "steps", low=1, high=h * w,
                      note=f" (at most H * W = {h} * {w} pixels: each step changes at "
                           "least one pixel)")
    fill = check_choice(fill, "fill", FILLS)
    counts = (np.arange(steps + 1) * (h * w)) // steps
    rank = pixel_order(m)
    base = fill_images(x, fill)
    total = n * (steps + 1)

    def chunks():
        for start in range(0, total, batch):
            pairs = np.arange(start, min(start + batch, total))
            i, k = pairs // (steps + 1), pairs % (steps + 1)
            changed = (rank[i] < counts[k][:, None, None])[..., None]
            if insert:
                yield np.where(changed, x[i], base[i])
            else:
                yield np.where(changed, base[i], x[i])

    logits = logits_of(model, chunks()).reshape(n, steps + 1, -1)
    original = logits[:, -1] if insert else logits[:, 0]   # every pixel of the image
    t = predicted(original, t)
    p = probabilities(model, logits.reshape(n * (steps + 1), -1), np.repeat(t, steps + 1))
    return Curves(values=p.reshape(n, steps + 1), valid=np.ones(n, bool),
                  fractions=counts / (h * w), targets=t)


def deletion(model, images, maps, targets=None, *, steps=32, fill="zeros",
             batch_size=None) -> Curves:
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
        Only the order of the values matters; ties are removed in row-major order
        (top row first, left to right), see :func:`pixel_order`.
    targets : None, int or sequence of int
        None: the class predicted on the original image.
    steps : int in [1, H * W]
        Number of steps; each image costs ``steps + 1`` forward passes.
    fill : {"zeros", "blur"}
        What a removed pixel becomes (blur: Gaussian, kernel 11, sigma 5 pixels).
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
    return _curves(model, images, maps, targets, steps, fill, batch_size, insert=False)


def insertion(model, images, maps, targets=None, *, steps=32, fill="blur",
              batch_size=None) -> Curves:
    """Insertion curve: reveal the pixels the map ranks first and watch the class appear.

    A reader's meaning: start from an image that carries no evidence (a blurred copy,
    as in the paper, or black with ``fill="zeros"``) and put the original pixels
    back in the map's order. A good map brings back the evidence first, so the class
    probability rises early and the area under the curve is large. Higher is better.
    The curve ends on the original image.

    Parameters and returns as for :func:`deletion` (here ``fill`` is where the pixels
    start from; default ``"blur"``).
    """
    return _curves(model, images, maps, targets, steps, fill, batch_size, insert=True)
