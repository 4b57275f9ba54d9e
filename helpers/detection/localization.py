"""From a heatmap to a bounding box: weakly supervised localisation as in the CAM paper.

Zhou, Khosla, Lapedriza, Oliva and Torralba, "Learning Deep Features for
Discriminative Localization" (CVPR 2016), section 3: "we first segment the regions of
which the value is above 20% of the max value of the CAM. Then we take the bounding
box that covers the largest connected component in the segmentation map."
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage

from .._checks import check_array, check_real
from .boxes import as_boxes, iou

# Pixels touching by an edge or a corner belong to the same region (8-connectivity).
_EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)


def _box_of_largest_region(heatmap: np.ndarray, threshold: float) -> np.ndarray:
    height, width = heatmap.shape
    peak = heatmap.max()
    if peak <= 0:  # all zero, constant <= 0, or all negative: nothing stands out
        return np.array([0, 0, width, height], dtype=np.float32)
    hot = heatmap >= threshold * peak
    regions, n_regions = ndimage.label(hot, structure=_EIGHT_NEIGHBOURS)
    sizes = np.bincount(regions.ravel(), minlength=n_regions + 1)[1:]
    largest = 1 + int(np.argmax(sizes))  # ties: the region met first in raster order
    rows, cols = np.nonzero(regions == largest)
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], dtype=np.float32)


def heatmap_to_box(heatmap, threshold: float = 0.2) -> np.ndarray:
    """Bounding box of the largest hot region of a heatmap (the CAM paper's rule).

    1. Keep the pixels whose value is at least ``threshold * max(heatmap)``.
    2. Group them into connected regions, with 8-connectivity (pixels that touch by
       an edge *or a corner* are connected).
    3. Return the box around the largest region (most pixels; on a tie, the region
       whose first pixel comes first in row-major order).

    Parameters
    ----------
    heatmap : array_like, shape (H, W) or (N, H, W)
        One heatmap or a batch, in the image's pixel grid (resize a CAM to the image
        size first). Any finite values; larger means more relevant.
    threshold : float in [0, 1]
        Fraction of the maximum. 0.2 is the paper's value.

    Returns
    -------
    numpy.ndarray, shape (4,) or (N, 4), float32
        ``[x1, y1, x2, y2]`` in pixels with *exclusive* right and bottom edges: the
        box covers columns ``x1 .. x2 - 1`` and rows ``y1 .. y2 - 1``. A single hot
        pixel at column 3, row 5 gives ``[3, 5, 4, 6]``.

        A heatmap whose maximum is <= 0 (all zeros, a constant, or all negative)
        singles out nothing, so its box is the whole image ``[0, 0, W, H]``. A
        constant positive map gives the whole image too, since every pixel is hot.

    Raises
    ------
    ValueError
        For a wrong shape, an empty map, a non-finite value or a threshold outside [0, 1].

    Examples
    --------
    >>> cam = np.zeros((8, 10))
    >>> cam[2:4, 5:9] = 1.0          # rows 2-3, columns 5-8
    >>> cam[6, 0] = 0.9              # a lone hot pixel: a smaller region
    >>> heatmap_to_box(cam)
    array([5., 2., 9., 4.], dtype=float32)
    """
    threshold = check_real(threshold, "threshold", low=0, high=1, note=" (a fraction of the maximum)")
    maps = check_array(heatmap, "heatmap", ndim=(2, 3), dtype=None, finite=False,
                       allow_empty=True, shape_hint="(H, W) or (N, H, W)").astype(np.float64)
    if maps.shape[-1] == 0 or maps.shape[-2] == 0:
        raise ValueError(f"heatmap has an empty image size {maps.shape[-2:]}; expected H >= 1 and W >= 1")
    if not np.isfinite(maps).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(maps))[0])
        raise ValueError(f"heatmap{list(where)} is {maps[where]}; expected finite values")
    if maps.ndim == 2:
        return _box_of_largest_region(maps, float(threshold))
    boxes = [_box_of_largest_region(one, float(threshold)) for one in maps]
    return np.stack(boxes) if boxes else np.zeros((0, 4), dtype=np.float32)


def best_iou(boxes, ground_truth) -> np.ndarray:
    """Each image's predicted box scored by its best IoU with that image's ground truth.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        One predicted ``xyxy`` box per image (e.g. from :func:`heatmap_to_box`).
    ground_truth : array_like, shape (N, 4) or (N, M, 4)
        One box per image, or up to M per image padded with NaN rows (as in
        :class:`helpers.data.DetectionSet`). Every image needs at least one box.

    Returns
    -------
    numpy.ndarray, float64, shape (N,)
        ``max_m IoU(boxes[n], ground_truth[n, m])`` over the image's real boxes.

    Raises
    ------
    ValueError
        Different N, an image without any ground-truth box, or invalid boxes.
    """
    pred = as_boxes(boxes, name="boxes")
    if pred.ndim != 2:
        raise ValueError(f"boxes must have shape (N, 4), one box per image, got {pred.shape}")
    gt = np.asarray(ground_truth)
    if gt.dtype.kind not in "iuf":
        raise TypeError(f"ground_truth must hold numbers, got an array of dtype {gt.dtype}")
    gt = gt.astype(np.float64)
    if gt.ndim not in (2, 3) or gt.shape[-1] != 4:
        raise ValueError(f"ground_truth must have shape (N, 4) or (N, M, 4), got {gt.shape}")
    if gt.ndim == 2:
        gt = gt[:, None, :]
    if len(gt) != len(pred):
        raise ValueError(f"boxes and ground_truth must have the same number of images, got "
                         f"{len(pred)} and {len(gt)}")
    real = ~np.isnan(gt).any(axis=2)
    if not real.any(axis=1).all():
        first = int(np.argmin(real.any(axis=1)))
        raise ValueError(f"ground_truth[{first}] has no box; CorLoc is defined over images "
                         f"that contain the object")
    out = np.empty(len(pred))
    for n in range(len(pred)):
        out[n] = iou(pred[n:n + 1], as_boxes(gt[n][real[n]], name=f"ground_truth[{n}]")).max()
    return out


def corloc(boxes, ground_truth, iou_threshold: float = 0.5) -> float:
    """Correct localisation (CorLoc): the share of images whose predicted box overlaps a
    ground-truth box with IoU >= ``iou_threshold`` (Deselaers, Alexe and Ferrari, 2012).

    One box per image and no score: the measure of weakly supervised localisation, where
    a method (such as a CAM turned into a box) returns one box for the image's class.
    Choe et al. (2020) call it GT-known localisation accuracy: the class is given.

    Parameters
    ----------
    boxes : array_like, shape (N, 4), N >= 1
    ground_truth : array_like, shape (N, 4) or (N, M, 4) with NaN padding
    iou_threshold : float in [0, 1]
        0.5 is the usual value.

    Returns
    -------
    float in [0, 1]

    Examples
    --------
    >>> corloc([[0, 0, 10, 10], [0, 0, 10, 10]], [[0, 0, 10, 12], [20, 20, 30, 30]])
    0.5
    """
    threshold = check_real(iou_threshold, "iou_threshold", low=0.0, high=1.0)
    ious = best_iou(boxes, ground_truth)
    if len(ious) == 0:
        raise ValueError("boxes must hold at least one image's box, got none")
    return float(np.mean(ious >= threshold))
