"""Padded per-object arrays: the storage of :class:`~helpers.data.DetectionSet` (ground
truth) and :class:`~helpers.detection.Detections` (predictions).

An image holds any number of objects, so per-object arrays are *padded*: each image
has ``M`` slots (``M`` = the largest object count) and ``counts[i]`` says how many of
them are real, always the first ones. Padding is NaN for boxes and scores, -1 for
labels and ``False`` for masks, so a padded slot can never be mistaken for an object.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .._checks import describe

__all__ = ["pad_objects", "real_slots", "check_typed_array", "check_counts"]


def pad_objects(per_image: Sequence[np.ndarray], fill, dtype, tail: tuple = ()) -> np.ndarray:
    """Stack ragged per-image arrays into one padded array.

    Parameters
    ----------
    per_image : sequence of N arrays, shapes (K_i, *tail)
    fill : scalar
        Value of the padding slots (NaN for boxes and scores, -1 for labels).
    dtype : NumPy dtype
    tail : tuple of int
        Shape of one object's entry, e.g. ``(4,)`` for boxes, ``()`` for labels.

    Returns
    -------
    ndarray, shape (N, max K_i, *tail)
    """
    n_slots = max((len(a) for a in per_image), default=0)
    out = np.full((len(per_image), n_slots, *tail), fill, dtype)
    for i, values in enumerate(per_image):
        out[i, : len(values)] = values
    return out


def real_slots(counts: np.ndarray, n_slots: int) -> np.ndarray:
    """Bool (N, n_slots): True on the first ``counts[i]`` slots of image ``i``."""
    return np.arange(n_slots)[np.newaxis, :] < np.asarray(counts)[:, np.newaxis]


def check_typed_array(array, name: str, dtype, shape: tuple) -> None:
    """Raise unless ``array`` is a NumPy array of exactly ``dtype`` and ``shape``."""
    if not isinstance(array, np.ndarray) or array.dtype != dtype:
        found = f"dtype {array.dtype}" if isinstance(array, np.ndarray) else describe(array)
        raise TypeError(f"{name} must be a {np.dtype(dtype).name} NumPy array, got {found}.")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}.")


def check_counts(counts, n_images: int, n_slots: int) -> None:
    """Raise unless ``counts`` is int64 (n_images,) with values in [0, n_slots]."""
    check_typed_array(counts, "counts", np.int64, (n_images,))
    if n_images and (counts.min() < 0 or counts.max() > n_slots):
        raise ValueError(
            f"counts must lie in [0, {n_slots}] (the number of object slots), "
            f"found min {counts.min()} and max {counts.max()}."
        )
