"""Non-maximum suppression: keep the best box of each cluster of overlapping boxes.

:func:`nms` is the classic greedy, hard suppression (with torchvision's conventions);
:func:`soft_nms` lowers the scores of overlapping boxes instead of deleting them
(Bodla, Singh, Chellappa and Davis, "Soft-NMS: Improving Object Detection With One
Line of Code", ICCV 2017).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_choice, check_real
from .boxes import as_box_list

SOFT_NMS_METHODS = ("linear", "gaussian")


# --------------------------------------------------------------------------- validation
def _as_scores(scores, n_boxes: int) -> np.ndarray:
    """Scores as a new float64 array of shape (n_boxes,), all finite (soft-NMS edits it)."""
    array = check_array(scores, "scores", finite=False, allow_empty=True).copy()
    if array.shape != (n_boxes,):
        raise ValueError(
            f"scores must have shape ({n_boxes},), one per box of the {n_boxes} boxes, "
            f"got shape {array.shape}"
        )
    if not np.isfinite(array).all():
        i = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ValueError(f"scores[{i}] is {array[i]}; expected a finite number")
    return array


def _iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box (4,) with each of ``boxes`` (N, 4); 0 where the union is empty."""
    overlap_w = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    overlap_h = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    intersection = np.clip(overlap_w, 0, None) * np.clip(overlap_h, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


# --------------------------------------------------------------------------- hard NMS
def nms(boxes, scores, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression; the same boxes as ``torchvision.ops.nms`` when no
    two scores are exactly equal (on a tie torchvision's order is its sort's, not
    defined; here the lower index wins).

    Boxes are visited from the highest score down. Each box that is still alive is
    kept, and every lower-scored box whose IoU with it is *strictly greater* than
    ``iou_threshold`` is suppressed. Boxes with equal scores are visited in index
    order, so the lower index wins.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Boxes in pixels, ``xyxy``.
    scores : array_like, shape (N,)
        Confidence of each box; any finite numbers.
    iou_threshold : float in [0, 1]
        Boxes overlapping a kept box by more than this are removed. With 0 only
        boxes that do not overlap at all survive; with 1 nothing is removed.

    Returns
    -------
    numpy.ndarray, shape (K,), int64
        Indices of the kept boxes, by decreasing score.

    Examples
    --------
    >>> boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]]
    >>> nms(boxes, [0.9, 0.8, 0.7], iou_threshold=0.5)   # box 1 overlaps box 0 by 0.82
    array([0, 2])
    """
    boxes = as_box_list(boxes, "xyxy").astype(np.float64)
    scores = _as_scores(scores, len(boxes))
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0, high=1)

    order = np.argsort(-scores, kind="stable")
    ordered = boxes[order]
    alive = np.ones(len(order), dtype=bool)
    for i in range(len(order)):
        if not alive[i]:
            continue
        later = slice(i + 1, None)
        alive[later] &= _iou_one_to_many(ordered[i], ordered[later]) <= iou_threshold
    return order[alive].astype(np.int64)


# --------------------------------------------------------------------------- soft NMS
def soft_nms(
    boxes,
    scores,
    method: str = "gaussian",
    sigma: float = 0.5,
    iou_threshold: float = 0.3,
    score_threshold: float = 0.001,
) -> tuple[np.ndarray, np.ndarray]:
    """Soft non-maximum suppression (Bodla et al., 2017).

    Repeatedly take the box ``M`` with the highest current score, keep it, and
    lower the score of every remaining box ``b`` according to its overlap
    ``o = IoU(M, b)``:

    * ``"linear"``:   ``s <- s * (1 - o)`` if ``o >= iou_threshold``, else unchanged;
    * ``"gaussian"``: ``s <- s * exp(-o**2 / sigma)`` for every box.

    Boxes whose score falls below ``score_threshold`` are dropped. Hard NMS is the
    limit where the decay factor is 0 above the threshold.

    Parameters
    ----------
    boxes : array_like, shape (N, 4)
        Boxes in pixels, ``xyxy``.
    scores : array_like, shape (N,)
        Non-negative, finite confidences.
    method : {"gaussian", "linear"}
        The decay function.
    sigma : float > 0
        Width of the Gaussian decay (used by ``"gaussian"`` only). Smaller values
        suppress harder. 0.5 is the paper's default.
    iou_threshold : float in [0, 1]
        Overlap from which the linear decay applies (used by ``"linear"`` only).
    score_threshold : float >= 0
        A box is kept only if its (decayed) score is at least this when it is
        selected; boxes that fall below it are discarded. The paper uses 0.001.

    Returns
    -------
    keep : numpy.ndarray, shape (K,), int64
        Indices of the kept boxes, in the order they were selected (which is by
        decreasing updated score). Equal scores are selected lower index first.
    kept_scores : numpy.ndarray, shape (K,), float64
        The updated score of each kept box at the moment it was selected.

    Examples
    --------
    >>> boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]]
    >>> keep, new_scores = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear")
    >>> keep                      # box 1 is not removed, only demoted below box 2
    array([0, 2, 1])
    >>> new_scores.round(3)       # 0.8 * (1 - 9/11)
    array([0.9  , 0.7  , 0.145])
    """
    boxes = as_box_list(boxes, "xyxy").astype(np.float64)
    current = _as_scores(scores, len(boxes))
    if (current < 0).any():
        i = int(np.flatnonzero(current < 0)[0])
        raise ValueError(f"scores[{i}] is {current[i]}; soft_nms needs non-negative scores")
    check_choice(method, "method", SOFT_NMS_METHODS)
    sigma = check_real(sigma, "sigma", low=0, low_open=True)
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0, high=1)
    score_threshold = check_real(score_threshold, "score_threshold", low=0)

    remaining = np.flatnonzero(current >= score_threshold)  # ascending index order
    keep, kept_scores = [], []
    while remaining.size:
        pick = int(np.argmax(current[remaining]))  # first maximum: the lowest index wins ties
        best = remaining[pick]
        keep.append(best)
        kept_scores.append(current[best])
        remaining = np.delete(remaining, pick)
        overlap = _iou_one_to_many(boxes[best], boxes[remaining])
        if method == "linear":
            decay = np.where(overlap >= iou_threshold, 1.0 - overlap, 1.0)
        else:
            decay = np.exp(-(overlap**2) / sigma)
        current[remaining] *= decay
        remaining = remaining[current[remaining] >= score_threshold]
    return np.asarray(keep, dtype=np.int64), np.asarray(kept_scores, dtype=np.float64)
