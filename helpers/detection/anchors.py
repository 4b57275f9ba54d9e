"""Anchors: the fixed reference boxes of anchor-based detectors, and how well they cover
a data set's objects.

An *anchor* is a box of fixed size and shape placed at every cell of a feature map
(Faster R-CNN's region proposal network, SSD, RetinaNet, YOLOv2 on). The network does
not predict boxes from nothing: at each anchor it predicts whether an object is there
and how to shift and scale the anchor onto it. In training, each anchor is *assigned*
to an object by IoU (Faster R-CNN: positive at IoU >= 0.7 with some object, plus each
object's best anchor; negative below 0.3; RetinaNet: 0.5 and 0.4). An object that no
anchor overlaps well enough gets no positive anchor of its own (Faster R-CNN's
best-anchor rule rescues it with a poor one), so the anchor set is a design choice
checked on the data: :func:`anchor_coverage` is that check.

:func:`anchor_grid` lays the anchors out; any other fixed set of boxes (e.g. a
sliding-window detector's windows) can be checked the same way.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._checks import check_array, check_int, check_real, describe
from .boxes import as_boxes, iou

__all__ = ["anchor_grid", "anchor_coverage"]


def _positive_values(values, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of positive numbers, got {describe(values)}.")
    array = check_array(values, name, ndim=1, shape_hint="(S,) positive numbers",
                        allow_bool=False)
    if array.size == 0:
        raise ValueError(f"{name} is empty; give at least one positive number.")
    if (array <= 0).any():
        raise ValueError(f"{name} must be positive numbers, got {array.tolist()}.")
    return array


def anchor_grid(image_size, stride: int, sizes, ratios=(1.0,)) -> np.ndarray:
    """Anchors of every size and aspect ratio, centred on every cell of a grid.

    Parameters
    ----------
    image_size : int or (int, int)
        Image side in pixels, or ``(height, width)``.
    stride : int >= 1
        Grid step in pixels: cell ``(i, j)`` has its centre at
        ``((j + 0.5) * stride, (i + 0.5) * stride)``, for every cell whose centre lies
        inside the image (``ceil(height / stride)`` rows).
    sizes : sequence of float > 0
        Anchor scales in pixels: an anchor of size ``s`` and ratio ``r`` has area
        ``s ** 2``, width ``s / sqrt(r)`` and height ``s * sqrt(r)``.
    ratios : sequence of float > 0
        Aspect ratios height / width; default ``(1.0,)`` (squares).

    Returns
    -------
    numpy.ndarray, float64, shape (rows * cols * len(sizes) * len(ratios), 4)
        ``xyxy`` boxes in pixels, ordered by row, column, size, then ratio. Anchors are
        not clipped to the image (those at the border stick out, as in Faster R-CNN).

    Examples
    --------
    >>> anchor_grid(8, 4, sizes=[4])
    array([[0., 0., 4., 4.],
           [4., 0., 8., 4.],
           [0., 4., 4., 8.],
           [4., 4., 8., 8.]])
    """
    if isinstance(image_size, (tuple, list, np.ndarray)):
        if len(image_size) != 2:
            raise ValueError(f"image_size must be an int or (height, width), got "
                             f"{image_size!r}.")
        height = check_int(image_size[0], "image_size height", low=1)
        width = check_int(image_size[1], "image_size width", low=1)
    else:
        height = width = check_int(image_size, "image_size", low=1)
    stride = check_int(stride, "stride", low=1)
    sizes = _positive_values(sizes, "sizes")
    ratios = _positive_values(ratios, "ratios")
    widths = (sizes[:, None] / np.sqrt(ratios)[None, :]).ravel()   # (S * R,)
    heights = (sizes[:, None] * np.sqrt(ratios)[None, :]).ravel()
    cy = (np.arange(-(-height // stride)) + 0.5) * stride
    cx = (np.arange(-(-width // stride)) + 0.5) * stride
    cy, cx = np.meshgrid(cy, cx, indexing="ij")
    cx, cy = cx.reshape(-1, 1), cy.reshape(-1, 1)                  # (rows * cols, 1)
    boxes = np.stack([cx - widths / 2, cy - heights / 2, cx + widths / 2, cy + heights / 2],
                     axis=-1)
    return boxes.reshape(-1, 4)


def anchor_coverage(anchors, boxes, iou_threshold: float = 0.5) -> float:
    """Fraction of the objects that some anchor overlaps with IoU >= ``iou_threshold``.

    Parameters
    ----------
    anchors : array_like, shape (A, 4)
        ``xyxy`` pixels, the same for every image (e.g. :func:`anchor_grid`, or a
        sliding-window detector's windows).
    boxes : array_like, shape (M, 4) or (N, M, 4)
        The objects' ``xyxy`` boxes; NaN rows (a ``DetectionSet``'s padding) are
        skipped. At least one real box.
    iou_threshold : float in (0, 1]

    Returns
    -------
    float in [0, 1]
        ``mean over objects of [max over anchors of IoU(anchor, object) >= threshold]``.

    Examples
    --------
    >>> anchors = anchor_grid(8, 4, sizes=[4])
    >>> anchor_coverage(anchors, [[0, 0, 4, 4], [2, 0, 6, 4]])   # IoUs 1 and 1/3
    0.5
    """
    anchors = as_boxes(anchors, name="anchors")
    if anchors.ndim != 2 or len(anchors) == 0:
        raise ValueError(f"anchors must have shape (A, 4) with A >= 1, got {anchors.shape}.")
    boxes = as_boxes(boxes, name="boxes", allow_missing=True)
    if boxes.ndim not in (2, 3):
        raise ValueError(f"boxes must have shape (M, 4) or (N, M, 4), got {boxes.shape}.")
    boxes = boxes.reshape(-1, 4)
    boxes = boxes[~np.isnan(boxes).any(axis=1)]
    if len(boxes) == 0:
        raise ValueError("boxes holds no real box (all rows are NaN padding or none given); "
                         "coverage is defined over at least one object.")
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0.0, high=1.0,
                               low_open=True)
    best = np.zeros(len(boxes))
    for start in range(0, len(boxes), 512):  # (512, A) IoUs at a time
        best[start:start + 512] = iou(boxes[start:start + 512], anchors).max(axis=1)
    return float(np.mean(best >= iou_threshold))
