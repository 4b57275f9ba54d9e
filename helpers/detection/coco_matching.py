"""COCO's greedy matching of detections to ground truth, vectorised.

COCO matches per (image, category) *group*. Detections are visited from the highest
score down (a stable sort, so equal scores keep their input order), at most
``max_det`` of them per group. For each IoU threshold ``t`` separately, a detection
takes the ground truth with the highest IoU among those that

* have IoU >= t (t is capped at 1 - 1e-10), and
* are not taken yet at this threshold -- crowd regions can be taken any number of times;

preferring ground truth that is not *ignored* (ignored = crowd, or ``area`` outside the
area range being evaluated), and among equal IoUs the later ground truth (in input
order). A detection that takes an ignored ground truth is itself ignored. The result
depends on the area range because the ignored set does.

The matching is sequential within a group, but groups are independent. So instead of
looping over groups we loop over *ranks*: step ``r`` handles the ``r``-th best detection
of every group at once, for all area ranges and IoU thresholds together. Only
(detection, ground truth) pairs that overlap by at least the lowest threshold can ever
match, so only those pairs take part.
"""
from __future__ import annotations

import numpy as np

#: Matching outcome of one detection at one (area range, IoU threshold).
UNMATCHED, MATCHED, MATCHED_IGNORED = 0, 1, 2


def coco_pair_iou(det_boxes: np.ndarray, gt_boxes: np.ndarray, gt_is_crowd: np.ndarray) -> np.ndarray:
    """IoU of paired ``[x, y, w, h]`` boxes, computed as pycocotools does, bit for bit.

    For a crowd ground truth the "union" is the detection's own area, so a detection
    lying inside a crowd region scores 1 however large the region is.

    Parameters
    ----------
    det_boxes, gt_boxes : numpy.ndarray, shape (P, 4), float64
        ``det_boxes[p]`` is compared with ``gt_boxes[p]``.
    gt_is_crowd : numpy.ndarray, shape (P,), bool

    Returns
    -------
    numpy.ndarray, shape (P,), float64
        0 where the boxes do not overlap with positive width and height.
    """
    dx, dy, dw, dh = det_boxes.T
    gx, gy, gw, gh = gt_boxes.T
    # Same operations, in the same order, as pycocotools' C code, so the floats agree exactly.
    overlap_w = np.minimum(dw + dx, gw + gx) - np.maximum(dx, gx)
    overlap_h = np.minimum(dh + dy, gh + gy) - np.maximum(dy, gy)
    intersection = overlap_w * overlap_h
    det_area = dw * dh
    union = np.where(gt_is_crowd, det_area, det_area + gw * gh - intersection)
    overlapping = (overlap_w > 0) & (overlap_h > 0)
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=overlapping)


def _candidate_pairs(det_group: np.ndarray, gt_group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (detection, ground truth) pair in the same group.

    ``gt_group`` must be sorted. Returns two (P,) int64 arrays of indices, ordered by
    detection, then ground truth.
    """
    first = np.searchsorted(gt_group, det_group, side="left")
    counts = np.searchsorted(gt_group, det_group, side="right") - first
    pair_det = np.repeat(np.arange(len(det_group)), counts)
    offset_in_group = np.arange(len(pair_det)) - np.repeat(np.cumsum(counts) - counts, counts)
    pair_gt = np.repeat(first, counts) + offset_in_group
    return pair_det, pair_gt


def greedy_match(
    det_group: np.ndarray,
    det_rank: np.ndarray,
    pair_iou_of,
    gt_group: np.ndarray,
    gt_is_crowd: np.ndarray,
    gt_ignored: np.ndarray,
    iou_thresholds: np.ndarray,
    *,
    return_matches: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Match detections to ground truth with COCO's greedy rule.

    Parameters
    ----------
    det_group, det_rank : numpy.ndarray, shape (D,), int64
        Group (image and category) of each detection and its rank by score within the
        group (0 = best). Detections beyond ``max_det`` must already be dropped.
    pair_iou_of : callable
        ``pair_iou_of(pair_det, pair_gt)`` -> (P,) float64: the IoU of detection
        ``pair_det[p]`` with ground truth ``pair_gt[p]`` (positions in these arrays),
        crowd rule included: :func:`coco_pair_iou` of boxes, or
        :func:`~helpers.detection.coco_masks.mask_pair_iou` of masks.
    gt_group : numpy.ndarray, shape (G,), int64
        Group of each ground truth, **sorted**; within a group, input order.
    gt_is_crowd : numpy.ndarray, shape (G,), bool
    gt_ignored : numpy.ndarray, shape (A, G), bool
        For each area range, whether the ground truth is ignored (crowd or out of range).
    iou_thresholds : numpy.ndarray, shape (T,)
    return_matches : bool
        Also return which ground truth each detection took.

    Returns
    -------
    outcome : numpy.ndarray, shape (A, T, D), int8
        :data:`UNMATCHED`, :data:`MATCHED` (a true positive) or :data:`MATCHED_IGNORED`
        (matched to ignored ground truth) for each area range, threshold and detection.
    matches : numpy.ndarray, shape (A, T, D), int64
        Only with ``return_matches``: the position (in ``gt_group``'s order) of the
        ground truth each detection took, -1 where it took none.
    """
    n_areas, n_thresholds, n_dets = len(gt_ignored), len(iou_thresholds), len(det_group)
    outcome = np.full((n_areas, n_thresholds, n_dets), UNMATCHED, dtype=np.int8)
    matches = np.full((n_areas, n_thresholds, n_dets), -1, dtype=np.int64)
    thresholds = np.minimum(np.asarray(iou_thresholds, dtype=np.float64), 1 - 1e-10)
    if n_dets == 0 or len(gt_group) == 0 or n_thresholds == 0:
        return (outcome, matches) if return_matches else outcome

    pair_det, pair_gt = _candidate_pairs(det_group, gt_group)
    pair_iou = pair_iou_of(pair_det, pair_gt)
    usable = pair_iou >= thresholds.min()
    pair_det, pair_gt, pair_iou = pair_det[usable], pair_gt[usable], pair_iou[usable]
    # By rank (one step per rank), then detection, then increasing preference: IoU, then
    # position (the later ground truth wins a tie). The best pair of a detection is last.
    order = np.lexsort((pair_gt, pair_iou, pair_det, det_rank[pair_det]))
    pair_det, pair_gt, pair_iou = pair_det[order], pair_gt[order], pair_iou[order]

    taken = np.zeros((n_areas, n_thresholds, len(gt_group)), dtype=bool)
    pair_rank = det_rank[pair_det]
    step_starts = np.flatnonzero(np.diff(pair_rank, prepend=-1))
    step_ends = np.append(step_starts[1:], len(pair_rank))
    for start, end in zip(step_starts, step_ends):
        dets, gts, ious = pair_det[start:end], pair_gt[start:end], pair_iou[start:end]
        n_pairs = end - start
        seg_starts = np.flatnonzero(np.diff(dets, prepend=-1))
        seg_of_pair = np.cumsum(np.diff(dets, prepend=-1) != 0) - 1
        position = np.arange(n_pairs) - seg_starts[seg_of_pair]

        available = ~taken[:, :, gts] | gt_is_crowd[gts]                  # (A, T, P)
        eligible = available & (ious >= thresholds[:, None])             # (A, T, P)
        # Preference key: not-ignored ground truth first, then the later position.
        preference = np.where(gt_ignored[:, gts], 0, n_pairs) + position  # (A, P)
        key = np.where(eligible, preference[:, None, :], -1)
        best = np.maximum.reduceat(key, seg_starts, axis=2)               # (A, T, S)

        area_i, threshold_i, seg_i = np.nonzero(best >= 0)
        winner = seg_starts[seg_i] + best[area_i, threshold_i, seg_i] % n_pairs
        won_gt = gts[winner]
        taken[area_i, threshold_i, won_gt] = True
        outcome[area_i, threshold_i, dets[winner]] = np.where(
            gt_ignored[area_i, won_gt], MATCHED_IGNORED, MATCHED
        )
        matches[area_i, threshold_i, dets[winner]] = won_gt
    return (outcome, matches) if return_matches else outcome
