"""From matched detections to COCO's precision, recall and score tables.

For each category, area range, max-detections setting and IoU threshold, COCO pools
the detections of all images, ranks them by decreasing score (stable: ties keep image
order, then the order within the image), and computes after each detection::

    recall    = TP / n_positives
    precision = TP / (TP + FP + eps)            eps = np.spacing(1)

Ignored detections (matched to ignored ground truth, or unmatched with an area out of
range) stay in the ranking but count as neither TP nor FP. The precision is made
non-increasing from the right and read off at each recall threshold (at the first
detection whose recall reaches it; 0 if none does), together with that detection's
score. ``n_positives`` counts the non-ignored ground truth; where it is 0 the setting
is undefined and every entry is -1.
"""
from __future__ import annotations

import numpy as np

from .coco_matching import MATCHED, UNMATCHED


def _first_reaching(
    true_positives: np.ndarray, n_positives: int, recall_thresholds: np.ndarray
) -> np.ndarray:
    """For each row of cumulative TP counts, the index of the first detection whose recall
    ``TP / n_positives`` reaches each recall threshold (``len`` of the row if none does).

    ``true_positives`` has shape (rows, n), non-decreasing integers along each row.
    Equivalent to ``np.searchsorted(tp / n_positives, recall_thresholds, "left")`` per
    row, with the same float division, but done for all rows at once on integers:
    since ``c / n_positives`` grows with ``c``, "recall reaches the threshold" is the
    same as "TP reaches the smallest count whose recall reaches it".
    """
    rows, n = true_positives.shape
    recall_of_count = np.arange(n_positives + 1, dtype=np.float64) / n_positives
    needed = np.minimum(np.searchsorted(recall_of_count, recall_thresholds, side="left"), n + 1)
    # Shift each row into its own integer range so one searchsorted serves all rows.
    shift = (np.arange(rows) * (n + 2))[:, None]
    flat = (true_positives + shift).ravel()
    found = np.searchsorted(flat, (needed[None, :] + shift).ravel(), side="left").reshape(rows, -1)
    return found - np.arange(rows)[:, None] * n


def accumulate(
    outcome: np.ndarray,
    det_out_of_range: np.ndarray,
    det_category: np.ndarray,
    det_image: np.ndarray,
    det_rank: np.ndarray,
    det_scores: np.ndarray,
    n_positives: np.ndarray,
    max_dets: tuple[int, ...],
    recall_thresholds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and scores tables, in pycocotools' layout.

    Parameters
    ----------
    outcome : numpy.ndarray, shape (A, T, D), int8
        Matching outcome per area range, IoU threshold and detection
        (see :func:`~helpers.detection.coco_matching.greedy_match`).
    det_out_of_range : numpy.ndarray, shape (A, D), bool
        Whether each detection's area (w * h) is outside each area range.
    det_category, det_image, det_rank : numpy.ndarray, shape (D,), int64
        Category index, image index and rank by score within its (image, category).
    det_scores : numpy.ndarray, shape (D,), float64
    n_positives : numpy.ndarray, shape (K, A), int64
        Non-ignored ground truth per category and area range.
    max_dets : tuple of int, length M, increasing
    recall_thresholds : numpy.ndarray, shape (R,)

    Returns
    -------
    precision : numpy.ndarray, shape (T, R, K, A, M), float64
    recall : numpy.ndarray, shape (T, K, A, M), float64
    scores : numpy.ndarray, shape (T, R, K, A, M), float64
    """
    n_areas, n_thresholds, _ = outcome.shape
    n_categories, n_levels, n_max = len(n_positives), len(recall_thresholds), len(max_dets)
    precision = -np.ones((n_thresholds, n_levels, n_categories, n_areas, n_max))
    recall = -np.ones((n_thresholds, n_categories, n_areas, n_max))
    scores = -np.ones((n_thresholds, n_levels, n_categories, n_areas, n_max))

    ranking = np.lexsort((det_rank, det_image, -det_scores, det_category))
    bounds = np.searchsorted(det_category[ranking], np.arange(n_categories + 1))
    true_positive_all = outcome == MATCHED
    false_positive_all = (outcome == UNMATCHED) & ~det_out_of_range[:, None, :]

    for k in range(n_categories):
        defined = n_positives[k] > 0  # (A,)
        if not defined.any():
            continue
        in_category = ranking[bounds[k] : bounds[k + 1]]
        for m, max_det in enumerate(max_dets):
            dets = in_category[det_rank[in_category] < max_det]
            q = np.zeros((n_areas, n_thresholds, n_levels))
            s = np.zeros((n_areas, n_thresholds, n_levels))
            r = np.zeros((n_areas, n_thresholds))
            if len(dets):
                tp_count = np.cumsum(true_positive_all[:, :, dets], axis=2)
                fp_count = np.cumsum(false_positive_all[:, :, dets], axis=2)
                tp, fp = tp_count.astype(np.float64), fp_count.astype(np.float64)
                envelope = tp / (fp + tp + np.spacing(1))
                envelope = np.maximum.accumulate(envelope[..., ::-1], axis=2)[..., ::-1]
                for a in np.flatnonzero(defined):
                    r[a] = tp[a, :, -1] / n_positives[k, a]
                    first = _first_reaching(tp_count[a], int(n_positives[k, a]), recall_thresholds)
                    reached = first < len(dets)
                    first = np.minimum(first, len(dets) - 1)
                    q[a] = np.where(reached, np.take_along_axis(envelope[a], first, axis=1), 0.0)
                    s[a] = np.where(reached, det_scores[dets][first], 0.0)
            q[~defined], s[~defined], r[~defined] = -1, -1, -1
            precision[:, :, k, :, m] = q.transpose(1, 2, 0)
            scores[:, :, k, :, m] = s.transpose(1, 2, 0)
            recall[:, k, :, m] = r.T
    return precision, recall, scores
