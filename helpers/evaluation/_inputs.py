"""Validation shared by the scores: maps, ground truth, methods and their maps.

Everything goes through :mod:`helpers._checks` (one vocabulary); the model, images
and targets are checked exactly as :mod:`helpers.explain` checks them.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, describe, first_positions
from .._keras import check_model


def check_maps(maps, *, unit: bool = False, nonnegative: bool = False):
    """Return ``(maps float64 (N, H, W), single)``; one ``(H, W)`` map gives N = 1.

    ``unit``: values must lie in [0, 1] (maps that multiply an image);
    ``nonnegative``: values must be >= 0 (maps whose mass is shared out).
    NaN and infinities are refused by :func:`check_array`.
    """
    array = check_array(maps, "maps", ndim=(2, 3), shape_hint="(N, H, W) or (H, W)")
    single = array.ndim == 2
    if single:
        array = array[None]
    if unit and ((array < 0) | (array > 1)).any():
        bad = (array < 0) | (array > 1)
        raise ValueError(
            "maps must hold values in [0, 1] (they multiply the image), found "
            f"{array.ravel()[np.flatnonzero(bad)[0]]!r} at position(s) {first_positions(bad)}; "
            "scale each map, e.g. (m - m.min()) / (m.max() - m.min())")
    if nonnegative and (array < 0).any():
        bad = array < 0
        raise ValueError(
            f"maps must be >= 0 (a share of mass needs non-negative values), found "
            f"{array.ravel()[np.flatnonzero(bad)[0]]!r} at position(s) {first_positions(bad)}; "
            "take np.abs(maps) or np.maximum(maps, 0) first, whichever you mean")
    return array, single


def boxes_to_masks(boxes: np.ndarray, height: int, width: int) -> np.ndarray:
    """Rasterise xyxy pixel boxes ``(N, 4)`` to masks ``(N, H, W)`` bool.

    Pixel (row r, column c) covers [c, c + 1) x [r, r + 1); it belongs to the box when its
    centre (c + 0.5, r + 0.5) lies in [x1, x2) x [y1, y2), so the box [3, 5, 4, 6] is exactly
    the pixel at column 3, row 5 (the convention of :func:`helpers.detection.heatmap_to_box`).
    Parts of a box outside the image are cut off; a box with no pixel centre gives an
    empty mask.
    """
    cols = np.arange(width) + 0.5
    rows = np.arange(height) + 0.5
    x_in = (cols[None, :] >= boxes[:, 0:1]) & (cols[None, :] < boxes[:, 2:3])
    y_in = (rows[None, :] >= boxes[:, 1:2]) & (rows[None, :] < boxes[:, 3:4])
    return y_in[:, :, None] & x_in[:, None, :]


def check_truth(truth, n: int, height: int, width: int, single: bool) -> np.ndarray:
    """Return the ground truth as masks ``(N, H, W)`` bool.

    ``truth``: boxes ``(N, 4)`` xyxy pixels or masks ``(N, H, W)`` of 0/1 or booleans;
    for a single map, one box ``(4,)`` or one mask ``(H, W)``.
    """
    box_ndim, mask_ndim = (1, 2) if single else (2, 3)
    hint = "(4,) box or (H, W) mask" if single else "(N, 4) boxes or (N, H, W) masks"
    array = check_array(truth, "truth", ndim=(box_ndim, mask_ndim), shape_hint=hint,
                        dtype=np.float64)
    if single:
        array = array[None]
    if array.ndim == 2:
        if array.shape != (n, 4):
            raise ValueError(f"truth as boxes must have shape ({n}, 4) (x1, y1, x2, y2 "
                             f"pixels, one per map), got {array.shape}")
        if (array[:, 2] < array[:, 0]).any() or (array[:, 3] < array[:, 1]).any():
            bad = (array[:, 2] < array[:, 0]) | (array[:, 3] < array[:, 1])
            raise ValueError(f"truth boxes must be x1, y1, x2, y2 with x2 >= x1 and y2 >= y1; "
                             f"box(es) {first_positions(bad)} are not (e.g. {array[bad][0]})")
        return boxes_to_masks(array, height, width)
    if array.shape != (n, height, width):
        raise ValueError(f"truth as masks must have the maps' shape ({n}, {height}, {width}), "
                         f"got {array.shape}")
    not_binary = (array != 0) & (array != 1)
    if not_binary.any():
        raise ValueError(f"truth masks must hold 0/1 or booleans, found "
                         f"{array.ravel()[np.flatnonzero(not_binary)[0]]!r} at position(s) "
                         f"{first_positions(not_binary)}")
    return array.astype(bool)


def check_model_and_method(model, method):
    """The model (:func:`helpers._keras.check_model`) and the method of a score that
    makes its own maps: a name known to :func:`helpers.explain.explain` or a callable.

    The old order ``(method, model, images)`` gets a message that says the new one.
    """
    try:
        model = check_model(model, purpose="the evaluation scores")
    except TypeError as error:
        if isinstance(model, str) or callable(model):
            raise TypeError(f"{error}; the arguments are (model, images, method, targets), "
                            f"the method third") from error
        raise
    if not (isinstance(method, str) or callable(method)):
        raise TypeError(f"method must be a method name or a callable, got {describe(method)}")
    return model


def check_method_maps(maps, method, shape: tuple) -> np.ndarray:
    """The maps a method returned, as float64 ``shape`` = (N, H, W), or a clear error."""
    name = method if isinstance(method, str) else getattr(method, "__name__", repr(method))
    try:
        array = np.asarray(maps, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"method {name!r} must return maps (N, H, W) of numbers, "
                        f"got {describe(maps)}") from error
    if array.shape != tuple(shape):
        raise ValueError(f"method {name!r} must return maps of shape {tuple(shape)} "
                         f"(N, H, W) at the images' size, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"method {name!r} returned maps with NaN or infinite values at "
                         f"position(s) {first_positions(~np.isfinite(array))}; a rank "
                         "correlation of such maps means nothing")
    return array


def unit_peak(maps: np.ndarray) -> np.ndarray:
    """Each map ``(N, H, W)`` >= 0 divided by its maximum (all-zero maps stay zero).

    Shares of mass do not change, and sums of values up to 1.8e308 no longer overflow
    to infinity (which would make a share inf / inf = NaN).
    """
    peak = maps.max(axis=(1, 2), keepdims=True)
    return maps / np.where(peak > 0, peak, 1.0)


def check_same_size(maps: np.ndarray, images: np.ndarray) -> None:
    """Maps ``(N, H, W)`` must match images ``(N, H, W, C)`` in N, H and W."""
    if maps.shape != images.shape[:3]:
        raise ValueError(f"maps must have shape (N, H, W) = {images.shape[:3]} to match the "
                         f"images {images.shape}, got {maps.shape}; resize the maps to the "
                         "image size first")
