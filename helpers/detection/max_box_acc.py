"""MaxBoxAcc: localisation accuracy with the heatmap threshold taken out of the comparison.

Choe, Oh, Lee, Chun, Akata and Shim, "Evaluating Weakly Supervised Object
Localization Methods Right" (CVPR 2020), section 4.1. A heatmap becomes a box only
through a threshold tau, and the best tau differs from method to method; comparing
methods at one fixed tau measures the threshold as much as the heatmap. Their box
accuracy at tau and IoU level delta,

    BoxAcc(tau, delta) = share of images n with IoU(box(s_n, tau), B_n) >= delta,

where ``box(s, tau)`` is the tightest box around the largest connected region of
``{s >= tau}`` (the score map min-max normalised to [0, 1]) and ``B_n`` the image's
ground-truth boxes (the best-matching one counts), is reported at its best tau:

    MaxBoxAcc(delta) = max over tau of BoxAcc(tau, delta).

The journal version (Choe et al., TPAMI 2022) adds **MaxBoxAccV2**: the mean of
MaxBoxAcc over delta in {0.3, 0.5, 0.7}, and every connected region's box may match
(not only the largest region's), so an image with two objects is not penalised for
the second one.

What MaxBoxAcc answers is "how well *can* this heatmap localise, at its best
threshold", the right question for comparing methods. Which threshold to deploy is a
different question, answered on held-out data (Chapter 13 does both).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .._checks import check_array, check_bool, check_real
from .boxes import as_boxes, iou

__all__ = ["BoxAccuracy", "box_accuracy", "max_box_acc", "max_box_acc_v2"]

#: The paper's threshold grid: 0, 0.01, ..., 0.99.
DEFAULT_THRESHOLDS = np.round(np.arange(0.0, 1.0, 0.01), 2)
#: MaxBoxAccV2's IoU levels.
V2_IOU_THRESHOLDS = (0.3, 0.5, 0.7)
_EIGHT_NEIGHBOURS = np.ones((3, 3), dtype=bool)


@dataclass(frozen=True)
class BoxAccuracy:
    """Box accuracy over a grid of heatmap thresholds and IoU levels.

    Attributes
    ----------
    thresholds : numpy.ndarray, shape (T,)
        The heatmap thresholds tau, on the min-max normalised map.
    iou_thresholds : tuple of float, length D
        The IoU levels delta.
    accuracy : numpy.ndarray, shape (D, T)
        ``BoxAcc(tau, delta)``: the share of images localised at each pair.
    correct : numpy.ndarray of bool, shape (D, T, N)
        Which images are localised at each pair.
    """

    thresholds: np.ndarray
    iou_thresholds: tuple
    accuracy: np.ndarray
    correct: np.ndarray

    @property
    def best_thresholds(self) -> np.ndarray:
        """Shape (D,): for each IoU level, the (smallest) threshold of highest accuracy."""
        return self.thresholds[np.argmax(self.accuracy, axis=1)]

    @property
    def per_iou(self) -> np.ndarray:
        """Shape (D,): MaxBoxAcc at each IoU level."""
        return self.accuracy.max(axis=1)

    @property
    def value(self) -> float:
        """MaxBoxAcc (one IoU level) or its mean over the levels (V2), in [0, 1]."""
        return float(self.per_iou.mean())


def _ground_truth(ground_truth, n: int) -> list[np.ndarray]:
    gt = check_array(ground_truth, "ground_truth", ndim=(2, 3), finite=False,
                     shape_hint="(N, 4) or (N, M, 4) padded with NaN rows")
    if gt.shape[-1] != 4:
        raise ValueError(f"ground_truth must have shape (N, 4) or (N, M, 4), got {gt.shape}")
    if gt.ndim == 2:
        gt = gt[:, None, :]
    if len(gt) != n:
        raise ValueError(f"maps and ground_truth must cover the same images, got {n} maps "
                         f"and {len(gt)} images of boxes")
    boxes = []
    for i, rows in enumerate(gt):
        real = ~np.isnan(rows).any(axis=1)
        if not real.any():
            raise ValueError(f"ground_truth[{i}] has no box; box accuracy is defined over "
                             f"images that contain the object")
        boxes.append(as_boxes(rows[real], name=f"ground_truth[{i}]"))
    return boxes


def _normalised(maps) -> np.ndarray:
    maps = check_array(maps, "maps", ndim=3, shape_hint="(N, H, W), one map per image")
    if maps.shape[0] == 0 or maps.shape[1] == 0 or maps.shape[2] == 0:
        raise ValueError(f"maps must hold at least one non-empty map, got shape {maps.shape}")
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    # a constant map singles out nothing: all zeros, so only tau = 0 keeps any pixel
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (maps - low) / safe, 0.0)


def _region_boxes(hot: np.ndarray, largest_only: bool) -> np.ndarray:
    regions, count = ndimage.label(hot, structure=_EIGHT_NEIGHBOURS)
    if count == 0:
        return np.zeros((0, 4))
    slices = ndimage.find_objects(regions)
    if largest_only:
        sizes = np.bincount(regions.ravel(), minlength=count + 1)[1:]
        slices = [slices[int(np.argmax(sizes))]]  # ties: first in raster order
    return np.array([[s[1].start, s[0].start, s[1].stop, s[0].stop] for s in slices],
                    dtype=np.float64)


def box_accuracy(maps, ground_truth, *, thresholds=None, iou_thresholds=(0.5,),
                 multi_contour: bool = False) -> BoxAccuracy:
    """BoxAcc(tau, delta) for every heatmap threshold tau and IoU level delta.

    Parameters
    ----------
    maps : array_like, shape (N, H, W)
        One heatmap per image at the image's resolution (boxes are in its pixels).
        Any finite values: each map is min-max normalised to [0, 1] first.
    ground_truth : array_like, shape (N, 4) or (N, M, 4)
        ``xyxy`` pixel boxes (exclusive right/bottom edges, as everywhere in
        :mod:`helpers.detection`), NaN rows padding images with fewer than M boxes.
    thresholds : array_like of float in [0, 1], optional
        The heatmap thresholds; by default the paper's 0, 0.01, ..., 0.99.
    iou_thresholds : sequence of float in (0, 1]
        The IoU levels delta.
    multi_contour : bool
        False: only the largest region's box (MaxBoxAcc). True: every region's box
        may match a ground-truth box (MaxBoxAccV2).

    Returns
    -------
    BoxAccuracy
        ``.value`` is MaxBoxAcc (the mean over the IoU levels of the best accuracy).
    """
    maps = _normalised(maps)
    boxes = _ground_truth(ground_truth, len(maps))
    taus = DEFAULT_THRESHOLDS if thresholds is None else check_array(
        thresholds, "thresholds", ndim=1, allow_bool=False)
    if taus.size == 0 or taus.min() < 0 or taus.max() > 1:
        raise ValueError(f"thresholds must be a non-empty list of values in [0, 1], got "
                         f"{taus}")
    deltas = check_array(iou_thresholds, "iou_thresholds", ndim=1, allow_bool=False)
    if deltas.size == 0 or deltas.min() <= 0 or deltas.max() > 1:
        raise ValueError(f"iou_thresholds must be a non-empty list of values in (0, 1], "
                         f"got {deltas}")
    largest_only = not check_bool(multi_contour, "multi_contour")
    best = np.zeros((len(taus), len(maps)))
    for n, (heatmap, truth) in enumerate(zip(maps, boxes)):
        for t, tau in enumerate(taus):
            found = _region_boxes(heatmap >= tau, largest_only)
            if len(found):
                best[t, n] = iou(found, truth).max()
    correct = best[None, :, :] >= deltas[:, None, None]
    return BoxAccuracy(thresholds=taus.copy(), iou_thresholds=tuple(float(d) for d in deltas),
                       accuracy=correct.mean(axis=2), correct=correct)


def max_box_acc(maps, ground_truth, *, iou_threshold: float = 0.5,
                thresholds=None) -> float:
    """MaxBoxAcc (Choe et al., 2020): box accuracy at the best heatmap threshold.

    Parameters as in :func:`box_accuracy`; ``iou_threshold`` is delta (0.5 in the
    paper). Returns a float in [0, 1].

    Examples
    --------
    >>> cam = np.zeros((1, 10, 10)); cam[0, 2:6, 2:6] = 1.0; cam[0, 1:7, 1:7] += 0.5
    >>> max_box_acc(cam, [[2, 2, 6, 6]])
    1.0
    """
    delta = check_real(iou_threshold, "iou_threshold", low=0, high=1, low_open=True)
    return box_accuracy(maps, ground_truth, thresholds=thresholds,
                        iou_thresholds=(delta,)).value


def max_box_acc_v2(maps, ground_truth, *, thresholds=None) -> float:
    """MaxBoxAccV2 (Choe et al., 2022): MaxBoxAcc averaged over IoU 0.3, 0.5 and 0.7,
    every connected region's box allowed to match. A float in [0, 1]."""
    return box_accuracy(maps, ground_truth, thresholds=thresholds,
                        iou_thresholds=V2_IOU_THRESHOLDS, multi_contour=True).value
