"""Where the AP goes: detection errors by type, each weighed by the AP it costs.

A detector's AP is below 1 for different reasons, and they call for different fixes.
Following TIDE (Bolya, Foley, Hays and Hoffman, "TIDE: A General Toolbox for
Identifying Object Detection Errors", ECCV 2020), every false positive and every
missed object is given *one* error type, and each type is weighed by the AP gained
when just the errors of that type are fixed (``dAP``), all else unchanged.

The matching is :func:`~helpers.detection.coco_evaluate`'s, at one foreground IoU
threshold ``t_f`` (0.5 by default), so the starting AP *is* COCO's AP at that
threshold (AP50 by default). A detection that is not a true positive is tested in
this order against the (non-crowd) ground truth of its image; IoU is COCO's:

================  ================================================  ====================
type              the false positive ...                            fixed by
================  ================================================  ====================
localization      overlaps an object of its class by IoU in         making it a true
                  ``[t_b, t_f)``: right class, box too loose        positive of it [*]_
classification    overlaps an object of *another* class by          relabelling it, a
                  IoU >= ``t_f``: right box, wrong class            true positive [*]_
duplicate         overlaps, by IoU >= ``t_f``, an object of its     removing it
                  class already taken by a better-scored detection
background        overlaps no object by more than ``t_b``           removing it
both              anything else (wrong class *and* loose box)       removing it
missed            (an object) not detected, and no localization     removing it from the
                  or classification error points at it              count of objects
================  ================================================  ====================

.. [*] Only one detection can take an object: the best-scored localization or
   classification error that points at a still-free object is made a true positive;
   the others pointing at it (or at an object already taken) are removed.

``t_b`` (the background threshold) is 0.1, as in TIDE. Fixing a type can only raise
the AP (a removed false positive or an added true positive never lowers an
interpolated precision), so every ``dAP >= 0``. The ``dAP`` do not add up to
``1 - AP``: fixing two types together gains more or less than the sum.

Two further numbers answer "what if there were no false positives at all?"
(``false_positives``: every false positive removed) and "no missed objects at all?"
(``false_negatives``: every object that is not detected removed from the count).

Where this differs from TIDE's own code (``tidecv``):

* matching and AP are COCO's: at most ``max_dets`` detections per image *and class*
  (TIDE: per image); equal IoUs go to the later object (TIDE: the earlier); precision
  is ``TP / (TP + FP + eps)``; a class without ground truth is left out of the mean
  (TIDE counts it with AP 0 if it has detections), which matters when fixing the
  missed objects empties a class; the 101 recall levels are pycocotools'
  ``np.linspace(0, 1, 101)`` (TIDE: ``k / 100``, which differs in the last bit for
  some levels, so the two disagree by one level when a recall lands exactly there,
  e.g. 3 of 10 objects). AP is a fraction in [0, 1] (TIDE prints percentages).
* a detection with IoU exactly ``t_f`` with a taken object of its class is a
  duplicate here, a localization error in TIDE (``t_b <= IoU <= t_f`` there);
* crowd annotations are COCO's: a detection matched to one is ignored, and neither
  counted nor tested as an error (TIDE's ignore regions use IoU > ``t_f``, and it counts
  detections on them as background errors, which does not change its dAP);
* negative dAP cannot occur, so none is clipped to 0 (TIDE clips).

On the cases where the definitions agree (no crowd, no ties, every class keeps ground
truth after each fix, no recall on an ambiguous level, fewer than ``max_dets``
detections), the AP and every dAP equal ``tidecv``'s to 1e-12 (checked in the tests).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_real
from .coco import COCO_AREA_RANGES, COCO_RECALL_THRESHOLDS, match_detections
from .coco_accumulate import accumulate
from .coco_inputs import read_detections, read_ground_truth
from .coco_matching import MATCHED, MATCHED_IGNORED, UNMATCHED, _candidate_pairs, coco_pair_iou

__all__ = ["ERROR_TYPES", "SPECIAL_ERROR_TYPES", "ErrorBreakdown", "error_breakdown"]

#: The six main error types, in TIDE's order of presentation.
ERROR_TYPES = ("classification", "localization", "both", "duplicate", "background", "missed")
#: The two overall "what if" fixes.
SPECIAL_ERROR_TYPES = ("false_positives", "false_negatives")

_CLS, _LOC, _BOTH, _DUPE, _BKG = range(5)
_FP_TYPES = ERROR_TYPES[:5]


@dataclass(frozen=True, eq=False)
class ErrorBreakdown:
    """What :func:`error_breakdown` returns.

    D detections (in the order given), G annotations (in the order of
    ``gt["annotations"]``).

    Attributes
    ----------
    ap : float
        COCO AP at ``iou_threshold`` (mean over classes with ground truth), in [0, 1];
        -1 if no class has ground truth, as in :func:`coco_evaluate`.
    delta_ap : dict of str to float
        For each of :data:`ERROR_TYPES`: AP after fixing that type alone, minus ``ap``.
    special_delta_ap : dict of str to float
        ``"false_positives"`` and ``"false_negatives"``: AP gained with no false
        positives at all, or no missed objects at all.
    counts : dict of str to int
        Detections of each false-positive type, and missed objects.
    detection_kind : numpy.ndarray, shape (D,), str
        ``"true_positive"``, one of the five false-positive types, ``"ignored"``
        (matched to a crowd region) or ``"beyond_max_dets"`` (not evaluated).
    detection_target : numpy.ndarray, shape (D,), int64
        Position in ``gt["annotations"]`` of the object a detection took (true
        positive) or points at (localization, classification, duplicate); -1 otherwise.
    missed : numpy.ndarray, shape (G,), bool
        Objects counted as missed errors.
    iou_threshold, background_threshold : float
    max_dets : int
    """

    ap: float
    delta_ap: dict
    special_delta_ap: dict
    counts: dict
    detection_kind: np.ndarray
    detection_target: np.ndarray
    missed: np.ndarray
    iou_threshold: float
    background_threshold: float
    max_dets: int

    def summary(self) -> str:
        """A small table: AP, then each error type's count and dAP."""
        lines = [
            f"AP@{self.iou_threshold:g} = {self.ap:.3f}   "
            f"(background below IoU {self.background_threshold:g})",
            f"{'error type':<16}{'count':>7}{'dAP':>9}",
        ]
        for name in ERROR_TYPES:
            lines.append(f"{name:<16}{self.counts[name]:>7d}{self.delta_ap[name]:>9.3f}")
        for name in SPECIAL_ERROR_TYPES:
            lines.append(f"{name:<16}{'':>7}{self.special_delta_ap[name]:>9.3f}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# --------------------------------------------------------------------------- helpers
def _best_per_detection(pair_det, pair_gt, pair_iou, selected, n_dets):
    """Per detection, the highest IoU among the selected pairs and its annotation
    (the first annotation on a tie, as ``np.argmax`` in TIDE); 0 and -1 if none."""
    best_iou = np.zeros(n_dets)
    best_gt = np.full(n_dets, -1, dtype=np.int64)
    dets, gts, ious = pair_det[selected], pair_gt[selected], pair_iou[selected]
    if dets.size == 0:
        return best_iou, best_gt
    order = np.lexsort((-gts, ious, dets))  # by detection; its best pair comes last
    dets, gts, ious = dets[order], gts[order], ious[order]
    last = np.flatnonzero(np.append(dets[1:] != dets[:-1], True))
    best_iou[dets[last]] = ious[last]
    best_gt[dets[last]] = gts[last]
    return best_iou, best_gt


class _Scorer:
    """COCO AP at one IoU threshold, area "all", one max_dets, for edited outcomes."""

    def __init__(self, category, image, rank, scores, n_positives, max_det):
        self.category, self.image, self.rank, self.scores = category, image, rank, scores
        self.n_positives, self.max_det = n_positives, max_det

    def __call__(self, outcome, category=None, n_positives=None) -> float:
        n_positives = self.n_positives if n_positives is None else n_positives
        precision, _, _ = accumulate(
            outcome=outcome[None, None, :],
            det_out_of_range=np.zeros((1, len(outcome)), dtype=bool),
            det_category=self.category if category is None else category,
            det_image=self.image,
            det_rank=self.rank,
            det_scores=self.scores,
            n_positives=n_positives[:, None],
            max_dets=(self.max_det,),
            recall_thresholds=COCO_RECALL_THRESHOLDS,
        )
        defined = precision[precision > -1]
        return float(np.mean(defined)) if defined.size else -1.0


# --------------------------------------------------------------------------- main
def error_breakdown(
    gt,
    dt,
    *,
    iou_threshold: float = 0.5,
    background_threshold: float = 0.1,
    max_dets: int = 100,
) -> ErrorBreakdown:
    """Break a detector's AP down by error type, in the manner of TIDE.

    Parameters
    ----------
    gt : dict
        COCO-format ground truth, as for :func:`~helpers.detection.coco_evaluate`.
    dt : list of dict
        COCO-format detections (``image_id``, ``category_id``, ``bbox`` ``[x, y, w, h]``
        pixels, ``score``).
    iou_threshold : float in (0, 1]
        Foreground threshold ``t_f``: IoU needed for a true positive. Default 0.5.
    background_threshold : float in [0, iou_threshold)
        ``t_b``: a false positive overlapping no object by more than this is a
        background error. Default 0.1 (TIDE's).
    max_dets : int >= 1
        Detections kept per image and class, best score first. Default 100.

    Returns
    -------
    ErrorBreakdown
        ``.ap`` (equal to ``coco_evaluate(gt, dt, iou_thresholds=[iou_threshold])``'s
        AP), ``.delta_ap``, ``.special_delta_ap``, ``.counts``, per-detection
        ``.detection_kind`` and ``.detection_target``, per-object ``.missed``, and
        ``.summary()``.

    Raises
    ------
    TypeError, ValueError
        For malformed ``gt``/``dt`` (naming the record) or thresholds.

    Notes
    -----
    The definitions, and where they differ from TIDE's code, are in the module notes
    (:mod:`helpers.detection.errors`). Without any ground truth the AP is -1 and every
    dAP 0; if fixing the missed objects leaves no ground truth at all (a detector that
    found nothing), there is nothing left to score and that dAP is 0 as well.

    Examples
    --------
    One object; a loose box scores above the right one, which comes second.

    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}],
    ...       "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
    ...                        "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
    >>> dt = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 30], "score": 0.9},
    ...       {"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": 0.8}]
    >>> result = error_breakdown(gt, dt)
    >>> result.detection_kind.tolist()
    ['localization', 'true_positive']
    >>> round(result.ap, 3), round(result.delta_ap["localization"], 3)
    (0.5, 0.5)
    """
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0.0, high=1.0, low_open=True)
    background_threshold = check_real(
        background_threshold, "background_threshold", low=0.0, high=iou_threshold, high_open=True,
        note=" (it must lie below iou_threshold)",
    )
    max_dets = check_int(max_dets, "max_dets", low=1)
    truth = read_ground_truth(gt)
    dets = read_detections(dt, truth)

    matching = match_detections(
        truth, dets, np.array([iou_threshold]), np.array([COCO_AREA_RANGES["all"]]), max_dets
    )
    order = matching.det_order  # (E,) the evaluated detections, positions in dt
    outcome = matching.outcome[0, 0].copy()  # (E,)
    low, high = COCO_AREA_RANGES["all"]
    area = dets.areas[order]
    # COCO ignores an unmatched detection whose area is out of range (here: > 1e10).
    outcome[(outcome == UNMATCHED) & ((area < low) | (area > high))] = MATCHED_IGNORED
    matched = matching.matched_gt[0, 0]
    n_positives = matching.n_positives[:, 0]  # (K,)
    category = dets.category_index[order]
    scores = dets.scores[order]
    score = _Scorer(category, dets.image_index[order], matching.det_rank, scores, n_positives,
                    max_dets)
    n_evaluated, n_gt = len(order), len(truth.boxes)

    real_gt = ~matching.gt_ignored[0]  # not crowd
    used = np.zeros(n_gt, dtype=bool)
    used[matched[outcome == MATCHED]] = True

    # Every evaluated detection against every real object of its image.
    candidates = np.flatnonzero(real_gt)
    candidates = candidates[np.argsort(truth.image_index[candidates], kind="stable")]
    pair_det, pair_slot = _candidate_pairs(dets.image_index[order],
                                           truth.image_index[candidates])
    pair_gt = candidates[pair_slot]
    pair_iou = coco_pair_iou(dets.boxes[order][pair_det], truth.boxes[pair_gt],
                             np.zeros(len(pair_gt), dtype=bool))
    same = category[pair_det] == truth.category_index[pair_gt]
    every = np.ones(len(pair_det), dtype=bool)
    iou_same, gt_same = _best_per_detection(pair_det, pair_gt, pair_iou, same, n_evaluated)
    iou_other, gt_other = _best_per_detection(pair_det, pair_gt, pair_iou, ~same, n_evaluated)
    iou_used, gt_used = _best_per_detection(
        pair_det, pair_gt, pair_iou, same & used[pair_gt], n_evaluated)
    iou_any, _ = _best_per_detection(pair_det, pair_gt, pair_iou, every, n_evaluated)

    # One type per false positive, tested in TIDE's order.
    false_positive = outcome == UNMATCHED
    kind = np.full(n_evaluated, -1)
    target = np.where(outcome == MATCHED, matched, -1)
    rules = (
        (_LOC, (iou_same >= background_threshold) & (iou_same < iou_threshold), gt_same),
        (_CLS, iou_other >= iou_threshold, gt_other),
        (_DUPE, iou_used >= iou_threshold, gt_used),
        (_BKG, iou_any <= background_threshold, None),
        (_BOTH, np.ones(n_evaluated, dtype=bool), None),
    )
    for code, condition, points_at in rules:
        chosen = false_positive & (kind < 0) & condition
        kind[chosen] = code
        if points_at is not None:
            target[chosen] = points_at[chosen]

    # Localization and classification errors that can be fixed: the best-scored one
    # pointing at each free object (ties: the earlier in COCO's ranking order).
    pointing = np.isin(kind, (_LOC, _CLS)) & (target >= 0)
    pointing[pointing] = ~used[target[pointing]]
    fixable = np.zeros(n_evaluated, dtype=bool)
    at_free = np.flatnonzero(pointing)
    if at_free.size:
        ranked = at_free[np.lexsort((dets.image_index[order][at_free], -scores[at_free]))]
        _, first = np.unique(target[ranked], return_index=True)  # best-scored per object
        fixable[ranked[first]] = True
    missed = real_gt & ~used
    missed[target[pointing]] = False

    base = score(outcome)
    delta = {}
    for code, name in enumerate(_FP_TYPES):
        fixed, fixed_category = outcome.copy(), category
        this = kind == code
        fixed[this] = MATCHED_IGNORED  # removed: neither true nor false positive
        if code in (_LOC, _CLS):
            fixed[this & fixable] = MATCHED
        if code == _CLS:
            fixed_category = category.copy()
            relabel = this & fixable
            fixed_category[relabel] = truth.category_index[target[relabel]]
        delta[name] = _gain(score(fixed, category=fixed_category), base)
    fewer = n_positives - np.bincount(truth.category_index[missed],
                                      minlength=len(n_positives))
    delta["missed"] = _gain(score(outcome, n_positives=fewer), base)

    no_false_positives = np.where(false_positive, MATCHED_IGNORED, outcome)
    all_found = n_positives - np.bincount(truth.category_index[real_gt & ~used],
                                          minlength=len(n_positives))
    special = {
        "false_positives": _gain(score(no_false_positives), base),
        "false_negatives": _gain(score(outcome, n_positives=all_found), base),
    }

    names = np.array(["true_positive", "ignored", *_FP_TYPES, "beyond_max_dets"])
    code_of = np.where(outcome == MATCHED, 0, np.where(outcome == MATCHED_IGNORED, 1, kind + 2))
    detection_kind = np.full(len(dets.scores), names[-1])
    detection_kind[order] = names[code_of]
    detection_target = np.full(len(dets.scores), -1, dtype=np.int64)
    detection_target[order] = target
    counts = {name: int(np.sum(kind == code)) for code, name in enumerate(_FP_TYPES)}
    counts["missed"] = int(missed.sum())
    return ErrorBreakdown(
        ap=base,
        delta_ap={name: delta[name] for name in ERROR_TYPES},
        special_delta_ap=special,
        counts={name: counts[name] for name in ERROR_TYPES},
        detection_kind=detection_kind,
        detection_target=detection_target,
        missed=missed,
        iou_threshold=iou_threshold,
        background_threshold=background_threshold,
        max_dets=max_dets,
    )


def _gain(fixed: float, base: float) -> float:
    """``fixed - base``; 0 where either AP is undefined (-1: no ground truth to score)."""
    if fixed < 0 or base < 0:
        return 0.0
    return fixed - base
