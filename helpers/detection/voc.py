"""PASCAL VOC detection evaluation: average precision per class and its mean (mAP).

The matching rule is the VOC devkit's (``VOCevaldet.m``). Per class, detections from
all images are ranked by decreasing score; each one looks at the ground truth of its
class *in its image* and picks the box with the highest IoU (the first on a tie):

* if that IoU is below ``iou_threshold`` (or there is no overlap): false positive;
* else, if that object is marked ``difficult``: ignored (neither true nor false positive);
* else, if that object was already claimed by a better-scored detection: false
  positive (a duplicate), *without* trying the second-best object;
* else: true positive, and the object is claimed.

Recall counts only non-difficult objects. Differences from the devkit, both deliberate:
boxes are continuous ``xyxy`` pixel edges, so no ``+ 1`` is added to widths (the devkit
stores inclusive pixel indices; add 1 to ``x2`` and ``y2`` of such boxes first), and
equal scores keep their input order (a stable sort).
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_array, check_choice, check_labels, check_real, describe
from ..metrics import UndefinedMetricWarning
from .average_precision import average_precision
from .boxes import _pairwise_iou_xyxy, as_box_list

VOC_METHODS = ("voc07", "voc")


@dataclass(frozen=True, eq=False)
class VocEvalResult:
    """What :func:`voc_evaluate` returns.

    Attributes
    ----------
    ap : dict of int to float
        Average precision of each class that has non-difficult ground truth. A
        class with none (only difficult objects, or only detections) has no
        recall, so no AP: it is left out (never NaN).
    mean_ap : float
        Mean of ``ap``. With no non-difficult ground truth in any image there is
        no AP to average: ``mean_ap`` is 0.0 and an
        :class:`~helpers.metrics.UndefinedMetricWarning` is emitted (the metrics'
        ``zero_division="warn"`` convention).
    precision : dict of int to numpy.ndarray, shape (N_c,), float64
        The precision curve of every class seen in the ground truth or the
        detections: one point per ranked detection that is a true or a false
        positive (ignored detections are left out).
    recall : dict of int to numpy.ndarray, shape (N_c,), float64
        The recall curve of each class in ``ap``.
    n_positives : dict of int to int
        Non-difficult ground-truth objects per class (0 for a class left out of ``ap``).
    method : str
    iou_threshold : float
    valid : bool
        False when no class has non-difficult ground truth: ``mean_ap`` is then
        undefined and holds the conventional 0.0 (an
        :class:`~helpers.metrics.UndefinedMetricWarning` was emitted); True otherwise.
        ``ap.get(c)`` is None for a class ``c`` without ground truth.
    """

    ap: dict
    mean_ap: float
    precision: dict
    recall: dict
    n_positives: dict
    method: str
    iou_threshold: float
    valid: bool = True


def _per_image(values, n_images: int | None, name: str) -> Sequence:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list with one entry per image, got {describe(values)}")
    if n_images is not None and len(values) != n_images:
        raise ValueError(f"{name} has {len(values)} entries but gt_boxes has {n_images} images")
    return values


def _vector(values, length: int, name: str, kind: str) -> np.ndarray:
    """One image's labels ("int"), difficult flags ("bool") or scores ("score")."""
    array = check_array(values, name, dtype=None, finite=False, allow_empty=True)
    if array.size == 0:  # an empty list has dtype float64; any dtype will do
        return array.reshape(0).astype(np.float64 if kind == "score" else np.int64)
    if array.shape != (length,):
        raise ValueError(f"{name} must have shape ({length},), one per box, got shape {array.shape}")
    if kind == "int":
        return check_labels(array, name, allow_negative=True)
    if kind == "bool":
        if array.dtype.kind != "b" and not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name} must hold booleans (or 0/1), got {array.tolist()}")
        return array.astype(bool)
    if not np.isfinite(array).all():
        i = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ValueError(f"{name}[{i}] is {array[i]}; expected a finite score")
    return array


def voc_evaluate(
    gt_boxes,
    gt_labels,
    det_boxes,
    det_labels,
    det_scores,
    *,
    gt_difficult=None,
    iou_threshold: float = 0.5,
    method: str = "voc",
) -> VocEvalResult:
    """PASCAL VOC average precision per class, and mAP.

    Every argument holds one entry per image, in the same image order.

    Parameters
    ----------
    gt_boxes : list of array_like, each shape (G_i, 4)
        Ground-truth boxes of image i, ``xyxy`` pixels.
    gt_labels : list of array_like, each shape (G_i,), int
        Their class labels.
    det_boxes : list of array_like, each shape (D_i, 4)
        Detected boxes of image i, ``xyxy`` pixels.
    det_labels : list of array_like, each shape (D_i,), int
    det_scores : list of array_like, each shape (D_i,), float
        Confidence of each detection (finite).
    gt_difficult : list of array_like, each shape (G_i,), bool, optional
        VOC's ``difficult`` flags: these objects are not counted in recall, and
        detections matching them are ignored. Default: none is difficult.
    iou_threshold : float in [0, 1]
        Minimum IoU for a match (VOC: 0.5; a match also needs some overlap).
    method : {"voc", "voc07"}
        ``"voc"``: all-point AP (VOC 2010 onwards); ``"voc07"``: 11-point AP
        (VOC 2007). See :func:`~helpers.detection.average_precision`.

    Returns
    -------
    VocEvalResult
        ``.ap`` per class, ``.mean_ap``, and the precision-recall curves.

    Examples
    --------
    One image, one cat (label 0); two detections, the better one misses:

    >>> result = voc_evaluate(
    ...     gt_boxes=[[[0, 0, 10, 10]]], gt_labels=[[0]],
    ...     det_boxes=[[[50, 50, 60, 60], [0, 0, 10, 10]]], det_labels=[[0, 0]],
    ...     det_scores=[[0.9, 0.8]])
    >>> result.ap                      # precision 1/2 at recall 1
    {0: 0.5}
    """
    check_choice(method, "method", VOC_METHODS)
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0, high=1)
    gt_boxes = _per_image(gt_boxes, None, "gt_boxes")
    n_images = len(gt_boxes)
    gt_labels = _per_image(gt_labels, n_images, "gt_labels")
    det_boxes = _per_image(det_boxes, n_images, "det_boxes")
    det_labels = _per_image(det_labels, n_images, "det_labels")
    det_scores = _per_image(det_scores, n_images, "det_scores")
    if gt_difficult is not None:
        gt_difficult = _per_image(gt_difficult, n_images, "gt_difficult")

    all_gt_labels, all_gt_difficult = [], []
    all_det_labels, all_det_scores, all_claims = [], [], []
    n_gt_so_far = 0
    for i in range(n_images):
        truth = as_box_list(gt_boxes[i], "xyxy", f"gt_boxes[{i}]")
        labels = _vector(gt_labels[i], len(truth), f"gt_labels[{i}]", "int")
        difficult = (
            np.zeros(len(truth), dtype=bool)
            if gt_difficult is None
            else _vector(gt_difficult[i], len(truth), f"gt_difficult[{i}]", "bool").astype(bool)
        )
        found = as_box_list(det_boxes[i], "xyxy", f"det_boxes[{i}]")
        found_labels = _vector(det_labels[i], len(found), f"det_labels[{i}]", "int")
        scores = _vector(det_scores[i], len(found), f"det_scores[{i}]", "score")

        # The object each detection claims: its best-overlapping object of the same class.
        overlap = _pairwise_iou_xyxy(found, truth)
        overlap[found_labels[:, None] != labels[None, :]] = -1.0
        claims = np.full(len(found), -1, dtype=np.int64)
        if len(truth):
            best = np.argmax(overlap, axis=1)
            best_iou = overlap[np.arange(len(found)), best]
            hit = (best_iou >= iou_threshold) & (best_iou > 0)
            claims[hit] = n_gt_so_far + best[hit]

        all_gt_labels.append(labels.astype(np.int64))
        all_gt_difficult.append(difficult)
        all_det_labels.append(found_labels.astype(np.int64))
        all_det_scores.append(scores.astype(np.float64))
        all_claims.append(claims)
        n_gt_so_far += len(truth)

    gt_label = np.concatenate(all_gt_labels) if n_images else np.zeros(0, np.int64)
    gt_is_difficult = np.concatenate(all_gt_difficult) if n_images else np.zeros(0, bool)
    det_label = np.concatenate(all_det_labels) if n_images else np.zeros(0, np.int64)
    det_score = np.concatenate(all_det_scores) if n_images else np.zeros(0)
    claim = np.concatenate(all_claims) if n_images else np.zeros(0, np.int64)

    ap, precision, recall, n_positives = {}, {}, {}, {}
    for label in np.union1d(gt_label, det_label).tolist():
        positives = int(np.count_nonzero((gt_label == label) & ~gt_is_difficult))
        ranked = np.flatnonzero(det_label == label)
        ranked = ranked[np.argsort(-det_score[ranked], kind="stable")]
        claimed = claim[ranked]
        on_difficult = np.zeros(len(claimed), dtype=bool)
        if len(gt_is_difficult):  # claims exist only where there is ground truth
            on_difficult = (claimed >= 0) & gt_is_difficult[np.maximum(claimed, 0)]
        claimed = claimed[~on_difficult]  # ignored: neither true nor false positive
        first_claim = np.zeros(len(claimed), dtype=bool)
        _, first_index = np.unique(claimed, return_index=True)
        first_claim[first_index] = True
        true_positive = (claimed >= 0) & first_claim
        tp = np.cumsum(true_positive).astype(np.float64)
        fp = np.cumsum(~true_positive).astype(np.float64)
        precision[label] = tp / np.maximum(tp + fp, 1.0)
        n_positives[label] = positives
        if positives:  # without ground truth there is no recall, hence no AP
            recall[label] = tp / positives
            ap[label] = average_precision(recall[label], precision[label], method)

    if ap:
        mean_ap = float(np.mean(list(ap.values())))
    else:
        warnings.warn(
            "voc_evaluate: no image has non-difficult ground truth, so recall and AP are "
            "undefined; mean_ap is set to 0.0 and valid to False.", UndefinedMetricWarning,
            stacklevel=2)
        mean_ap = 0.0
    return VocEvalResult(
        ap=ap,
        mean_ap=mean_ap,
        precision=precision,
        recall=recall,
        n_positives=n_positives,
        method=method,
        iou_threshold=iou_threshold,
        valid=bool(ap),
    )
