"""Bounding boxes: layouts, validation, areas and intersection over union (IoU).

All coordinates are in pixels and are continuous: a box ``[x1, y1, x2, y2]`` covers
the region ``x1 <= x < x2, y1 <= y < y2``, so a single pixel at column 3, row 5 is
the box ``[3, 5, 4, 6]`` and its area is 1. Three layouts are understood:

============  ==========================  =====================================
``"xyxy"``    ``[x1, y1, x2, y2]``        left, top, right, bottom edges (default)
``"xywh"``    ``[x, y, w, h]``            left, top, width, height (COCO)
``"cxcywh"``  ``[cx, cy, w, h]``          centre, width, height (YOLO, DETR)
============  ==========================  =====================================

A box may have zero width or height (it then has area 0 and an IoU of 0 with every
box); a negative width or height, or a coordinate that is infinite, is an error.

"No object" rows. The data sets of :mod:`helpers.data` store one box per image in
``ImageSet.boxes`` and mark an image without an object (e.g. a tank scene without a
tank) by a row of four NaN. Such rows go straight into :func:`iou`,
:func:`box_area` and :func:`box_convert`: a missing box has area 0, an IoU of 0 with
every box, and stays an all-NaN row when converted. A row with only *some* NaN
coordinates is an error. :func:`~helpers.detection.nms`, ``voc_evaluate`` and
``coco_evaluate`` take real boxes only (a detection or an annotation always has one).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_int

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")

_LAYOUT_TEXT = {
    "xyxy": "[x1, y1, x2, y2] with x2 >= x1 and y2 >= y1",
    "xywh": "[x, y, w, h] with w >= 0 and h >= 0",
    "cxcywh": "[cx, cy, w, h] with w >= 0 and h >= 0",
}


# --------------------------------------------------------------------------- validation
def check_format(fmt: str, name: str = "fmt") -> str:
    """Return ``fmt`` if it is one of :data:`BOX_FORMATS`, else raise."""
    return check_choice(fmt, name, BOX_FORMATS)


def _position(index: int, shape: tuple[int, ...]) -> str:
    """``"[2]"`` or ``"[1, 2]"``: where box number ``index`` sits in an array of boxes."""
    where = np.unravel_index(index, shape) if shape else ()
    return "[" + ", ".join(str(int(i)) for i in where) + "]"


def as_boxes(boxes, fmt: str = "xyxy", name: str = "boxes", *,
             allow_missing: bool = False) -> np.ndarray:
    """Validate boxes and return them as a float array of shape ``(..., 4)``.

    Parameters
    ----------
    boxes : array_like, shape (..., 4)
        Boxes in pixels, laid out as ``fmt`` says.
    fmt : {"xyxy", "xywh", "cxcywh"}
        Layout of the last axis.
    name : str
        What to call the argument in error messages.
    allow_missing : bool
        Accept all-NaN rows ("no object", as in ``ImageSet.boxes``).

    Returns
    -------
    numpy.ndarray, shape (..., 4)
        The same boxes; float32/float64 input keeps its dtype, anything else
        (integers, lists) becomes float64.

    Raises
    ------
    TypeError
        If the values are not numbers.
    ValueError
        If the last axis is not of length 4, a value is not finite (all-NaN rows
        excepted with ``allow_missing``), or a box has a negative width or height.
        The message names the first offending box.
    """
    check_format(fmt)
    if isinstance(boxes, (str, bytes)):
        raise TypeError(f"{name} must be an array of boxes (..., 4), got the string {boxes!r}")
    try:
        array = np.asarray(boxes)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must have shape (..., 4); got rows of different lengths") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, 4)
    if array.ndim == 0 or array.shape[-1] != 4:
        raise ValueError(f"{name} must have shape (..., 4), got shape {array.shape}")

    flat = array.reshape(-1, 4)
    bad = ~np.isfinite(flat).all(axis=1)
    if allow_missing:
        bad &= ~np.isnan(flat).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        missing = " (a row of four NaN means 'no object')" if allow_missing else ""
        raise ValueError(
            f"{name}{_position(i, array.shape[:-1])} = {flat[i].tolist()} has a non-finite "
            f"value; expected four finite numbers {_LAYOUT_TEXT[fmt]}{missing}"
        )
    if fmt == "xyxy":
        widths, heights = flat[:, 2] - flat[:, 0], flat[:, 3] - flat[:, 1]
    else:
        widths, heights = flat[:, 2], flat[:, 3]
    for size, word in ((widths, "width"), (heights, "height")):
        if (size < 0).any():  # NaN rows compare False: never reported here
            i = int(np.flatnonzero(size < 0)[0])
            raise ValueError(
                f"{name}{_position(i, array.shape[:-1])} = {flat[i].tolist()} has negative "
                f"{word} {float(size[i])}; expected {_LAYOUT_TEXT[fmt]}"
            )
    return array


def as_box_list(boxes, fmt: str = "xyxy", name: str = "boxes", *,
                allow_missing: bool = False) -> np.ndarray:
    """Like :func:`as_boxes`, but insists on a 2-D ``(N, 4)`` array of ``N`` boxes."""
    array = as_boxes(boxes, fmt, name, allow_missing=allow_missing)
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (N, 4), got shape {array.shape}")
    return array


# --------------------------------------------------------------------------- conversion
def _to_xyxy(boxes: np.ndarray, fmt: str) -> np.ndarray:
    a, b, c, d = np.moveaxis(boxes, -1, 0)
    if fmt == "xyxy":
        return boxes.copy()
    if fmt == "xywh":
        return np.stack([a, b, a + c, b + d], axis=-1)
    return np.stack([a - c / 2, b - d / 2, a + c / 2, b + d / 2], axis=-1)  # cxcywh


def _from_xyxy(boxes: np.ndarray, fmt: str) -> np.ndarray:
    x1, y1, x2, y2 = np.moveaxis(boxes, -1, 0)
    if fmt == "xyxy":
        return boxes.copy()
    if fmt == "xywh":
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)
    return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)  # cxcywh


def box_convert(boxes, in_fmt: str, out_fmt: str) -> np.ndarray:
    """Convert boxes between the ``"xyxy"``, ``"xywh"`` and ``"cxcywh"`` layouts.

    Parameters
    ----------
    boxes : array_like, shape (..., 4)
        Boxes in pixels, laid out as ``in_fmt``.
    in_fmt, out_fmt : {"xyxy", "xywh", "cxcywh"}
        Layout of the input and of the result.

    Returns
    -------
    numpy.ndarray, shape (..., 4)
        A new array (never a view of the input); float32 stays float32, other
        input becomes float64. An all-NaN "no object" row stays all NaN, so
        ``box_convert(data.boxes, "xyxy", "xywh")`` gives COCO ``bbox`` rows.

    Examples
    --------
    >>> box_convert([[10, 20, 30, 40]], "xywh", "xyxy")
    array([[10., 20., 40., 60.]])
    >>> box_convert([10, 20, 40, 60], "xyxy", "cxcywh")
    array([25., 40., 30., 40.])
    """
    check_format(in_fmt, "in_fmt")
    check_format(out_fmt, "out_fmt")
    array = as_boxes(boxes, in_fmt, allow_missing=True)
    if in_fmt == out_fmt:
        return array.copy()
    return _from_xyxy(_to_xyxy(array, in_fmt), out_fmt)


def box_area(boxes, fmt: str = "xyxy") -> np.ndarray:
    """Areas in square pixels, shape ``boxes.shape[:-1]``; 0 for an all-NaN "no object" row.

    Examples
    --------
    >>> box_area([[0, 0, 4, 3], [5, 5, 5, 9]])
    array([12.,  0.])
    """
    array = as_boxes(boxes, fmt, allow_missing=True)
    if fmt == "xyxy":
        areas = (array[..., 2] - array[..., 0]) * (array[..., 3] - array[..., 1])
    else:
        areas = array[..., 2] * array[..., 3]
    return np.nan_to_num(areas, nan=0.0)  # only "no object" rows are NaN here


def box_masks(boxes, height: int, width: int, fmt: str = "xyxy") -> np.ndarray:
    """Each box as a filled mask: the pixels whose centre lies inside it.

    Parameters
    ----------
    boxes : array_like, shape (K, 4)
        Boxes in pixels, laid out as ``fmt`` says.
    height, width : int >= 1
        The masks' size in pixels.

    Returns
    -------
    numpy.ndarray, bool, shape (K, height, width)
        Pixel (row r, column c) is set when ``x1 <= c + 0.5 < x2`` and
        ``y1 <= r + 0.5 < y2``; a box of whole-pixel edges covers exactly its pixels.

    Examples
    --------
    >>> box_masks([[1, 0, 3, 2]], 2, 4)[0].astype(int)
    array([[0, 1, 1, 0],
           [0, 1, 1, 0]])
    """
    height = check_int(height, "height", low=1)
    width = check_int(width, "width", low=1)
    array = as_boxes(boxes, fmt)
    if array.ndim != 2:
        raise ValueError(f"boxes must have shape (K, 4), got {array.shape}.")
    xyxy = _to_xyxy(array, fmt).astype(np.float64)
    cols, rows = np.arange(width) + 0.5, np.arange(height) + 0.5
    inside_x = (xyxy[:, 0:1] <= cols) & (cols < xyxy[:, 2:3])  # (K, W)
    inside_y = (xyxy[:, 1:2] <= rows) & (rows < xyxy[:, 3:4])  # (K, H)
    return inside_y[:, :, None] & inside_x[:, None, :]


# --------------------------------------------------------------------------- overlap
def _pairwise_iou_xyxy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4), both valid xyxy."""
    a = a.astype(np.float64, copy=False)
    b = b.astype(np.float64, copy=False)
    overlap_w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    overlap_h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    intersection = np.nan_to_num(np.clip(overlap_w, 0, None) * np.clip(overlap_h, 0, None))
    area_a = np.nan_to_num((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]))  # "no object": 0
    area_b = np.nan_to_num((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
    union = area_a[:, None] + area_b[None, :] - intersection
    # Two zero-area boxes have an empty union: their IoU is 0, not 0/0.
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def iou(boxes_a, boxes_b, fmt: str = "xyxy") -> np.ndarray:
    """Intersection over union of every box in ``boxes_a`` with every box in ``boxes_b``.

    .. math:: \\mathrm{IoU}(A, B) = |A \\cap B| / |A \\cup B|

    Parameters
    ----------
    boxes_a : array_like, shape (N, 4)
    boxes_b : array_like, shape (M, 4)
        Boxes in pixels, laid out as ``fmt``. An all-NaN row means "no object"
        (as in ``ImageSet.boxes``), so a data set's boxes can be passed as they are.
    fmt : {"xyxy", "xywh", "cxcywh"}

    Returns
    -------
    numpy.ndarray, shape (N, M), float64
        Entry ``[i, j]`` is the IoU of ``boxes_a[i]`` and ``boxes_b[j]``, in [0, 1].
        A box with zero width or height, or a "no object" row, has IoU 0 with
        everything (no NaN). For one box per image on both sides (e.g. the box
        around each image's heatmap against each image's object),
        ``iou(found, data.boxes).diagonal()`` is the IoU per image.

    Examples
    --------
    >>> iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [0, 0, 2, 2]])
    array([[0.33333333, 1.        ]])
    """
    a = as_box_list(boxes_a, fmt, "boxes_a", allow_missing=True)
    b = as_box_list(boxes_b, fmt, "boxes_b", allow_missing=True)
    if fmt != "xyxy":
        a, b = _to_xyxy(a, fmt), _to_xyxy(b, fmt)
    return _pairwise_iou_xyxy(a, b)
