"""Maps that know nothing: what any score gets without looking at the image.

Every score in :mod:`helpers.evaluation` should be read beside these: a method is
only worth its number if it beats a centre blob (objects are often in the middle of
a photo) and random noise.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_int, describe

CENTER_SIGMA = 0.25
"""Sigma of :func:`center_maps`, as a fraction of the image's shorter side."""


MAX_VALUES = 2 ** 31
"""The most values a baseline makes at once (8 GiB of float32)."""


def _check_shape(shape) -> tuple:
    if not isinstance(shape, (tuple, list)) or len(shape) not in (2, 3):
        raise TypeError(f"shape must be a tuple (N, H, W) or (H, W), got {describe(shape)}")
    shape = tuple(check_int(s, f"shape[{i}]", low=1) for i, s in enumerate(shape))
    size = math.prod(shape)
    if size > MAX_VALUES:
        raise ValueError(f"shape {shape} asks for {size:,} values ({4 * size / 2 ** 30:,.0f} "
                         f"GiB of float32), more than {MAX_VALUES:,}; make the maps in "
                         "batches")
    return shape


def random_maps(shape, seed=0) -> np.ndarray:
    """Uniform noise in [0, 1): a map that ranks pixels at random.

    Parameters
    ----------
    shape : tuple of int
        ``(N, H, W)`` or ``(H, W)``.
    seed : int
        The same seed gives the same maps (``np.random.default_rng(seed)``).

    Returns
    -------
    np.ndarray, float32, ``shape``
    """
    shape = _check_shape(shape)
    seed = check_int(seed, "seed", low=0)
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def center_maps(shape) -> np.ndarray:
    """A Gaussian blob in the middle of the image, the same for every image.

    ``exp(-d^2 / (2 sigma^2))`` with d the distance of each pixel centre from the image
    centre and ``sigma = 0.25 * min(H, W)`` pixels (:data:`CENTER_SIGMA`); peak 1 at the
    centre (the four central pixels of an even-sized image tie: the pointing game picks
    the first, see :func:`pointing_game`).

    Parameters
    ----------
    shape : tuple of int
        ``(N, H, W)`` or ``(H, W)``.

    Returns
    -------
    np.ndarray, float32, ``shape``, values in (0, 1]
    """
    shape = _check_shape(shape)
    h, w = shape[-2:]
    sigma = CENTER_SIGMA * min(h, w)
    rows = np.arange(h) + 0.5 - h / 2
    cols = np.arange(w) + 0.5 - w / 2
    d2 = rows[:, None] ** 2 + cols[None, :] ** 2
    blob = np.exp(-d2 / (2 * sigma ** 2)).astype(np.float32)
    blob /= blob.max()
    return np.broadcast_to(blob, shape).copy()
