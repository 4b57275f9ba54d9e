"""COCO evaluation of boxes or instance masks: AP and AR over IoU thresholds, object
sizes and detection budgets.

:func:`coco_evaluate` gives the same numbers as pycocotools' ``COCOeval(..., "bbox")``
(or ``"segm"``, with ``iou_type="segm"``) followed by ``evaluate()``, ``accumulate()`` and ``summarize()`` -- identical arrays, not
merely close ones -- from plain dicts, with checked input, several times faster.

The steps (each in its own module):

1. :mod:`~helpers.detection.coco_inputs` reads the dicts into arrays and checks them;
2. :mod:`~helpers.detection.coco_matching` matches detections to ground truth per
   (image, category), greedily by score, for every IoU threshold and area range;
3. :mod:`~helpers.detection.coco_accumulate` pools the images into precision-recall
   curves per category and samples them at 101 recall levels;
4. this module averages those into the 12 summary numbers.
"""
from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import check_array, check_int, check_real, describe, first_positions
from .coco_accumulate import accumulate
from .coco_inputs import read_detections, read_ground_truth
from .coco_masks import mask_pair_iou
from .coco_matching import coco_pair_iou, greedy_match

#: IoU thresholds 0.50, 0.55, ..., 0.95, built as pycocotools builds them.
COCO_IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
#: Recall levels 0, 0.01, ..., 1 (so 0.35 is 35 * 0.01 = 0.35000000000000003, as in pycocotools).
COCO_RECALL_THRESHOLDS = np.linspace(0.0, 1.0, 101)
#: Detections considered per image (and category).
COCO_MAX_DETS = (1, 10, 100)
#: Object size classes by area in square pixels; both ends are inclusive.
COCO_AREA_RANGES = {
    "all": (0, 1e5**2),
    "small": (0, 32**2),
    "medium": (32**2, 96**2),
    "large": (96**2, 1e5**2),
}

# The 12 summary numbers: (is AP, IoU threshold or None for all, area label, which max_dets).
# "which max_dets" is an index into max_dets, except that the first AP, like pycocotools,
# asks for 100 detections by value.
_SUMMARY = (
    (True, None, "all", ("value", 100)),
    (True, 0.5, "all", ("index", 2)),
    (True, 0.75, "all", ("index", 2)),
    (True, None, "small", ("index", 2)),
    (True, None, "medium", ("index", 2)),
    (True, None, "large", ("index", 2)),
    (False, None, "all", ("index", 0)),
    (False, None, "all", ("index", 1)),
    (False, None, "all", ("index", 2)),
    (False, None, "small", ("index", 2)),
    (False, None, "medium", ("index", 2)),
    (False, None, "large", ("index", 2)),
)


@dataclass(frozen=True, eq=False)
class CocoEvalResult:
    """What :func:`coco_evaluate` returns: pycocotools' ``stats`` and ``eval`` arrays.

    Dimensions: T IoU thresholds, R recall levels, K categories, A area ranges, M
    max-detection settings. Entries are -1 where a category has no (non-ignored)
    ground truth in that area range.

    Attributes
    ----------
    stats : numpy.ndarray, shape (12,)
        AP, AP50, AP75, AP_small, AP_medium, AP_large, AR1, AR10, AR100, AR_small,
        AR_medium, AR_large (the ``COCOeval.stats`` order). -1 where undefined.
    precision : numpy.ndarray, shape (T, R, K, A, M)
        Interpolated precision at each recall level.
    recall : numpy.ndarray, shape (T, K, A, M)
        Final recall.
    scores : numpy.ndarray, shape (T, R, K, A, M)
        Score of the detection at which each recall level was reached (0 if never).
    iou_thresholds, recall_thresholds : numpy.ndarray, shapes (T,) and (R,)
    category_ids : numpy.ndarray, shape (K,), int64, sorted
    image_ids : numpy.ndarray, shape (I,), int64, sorted
    area_ranges : dict of str to (float, float)
    max_dets : tuple of int, increasing
    iou_type : str
        ``"bbox"`` (box IoU) or ``"segm"`` (mask IoU).
    """

    stats: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    scores: np.ndarray
    iou_thresholds: np.ndarray
    recall_thresholds: np.ndarray
    category_ids: np.ndarray
    image_ids: np.ndarray
    area_ranges: dict
    max_dets: tuple
    iou_type: str = "bbox"

    def summary(self) -> str:
        """The 12 summary lines, laid out as pycocotools prints them."""
        lines = []
        for (is_ap, iou, area, max_det_spec), value in zip(_SUMMARY, self.stats):
            title = "Average Precision  (AP)" if is_ap else "Average Recall     (AR)"
            if iou is None:
                iou_text = f"{self.iou_thresholds[0]:0.2f}:{self.iou_thresholds[-1]:0.2f}"
            else:
                iou_text = f"{iou:0.2f}"
            max_det = _summary_max_det(max_det_spec, self.max_dets)
            max_det_text = f"{max_det:>3d}" if max_det is not None else "  -"
            lines.append(
                f" {title} @[ IoU={iou_text:<9} | area={area:>6s} | maxDets={max_det_text} ] = {value:0.3f}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def ap_per_category(self) -> dict[int, float]:
        """AP averaged over the IoU thresholds, for each category id.

        Uses the first area range ("all" by default) and the largest ``max_dets``;
        -1 for a category without ground truth.
        """
        result = {}
        for k, category_id in enumerate(self.category_ids):
            values = self.precision[:, :, k, 0, -1]
            values = values[values > -1]
            result[int(category_id)] = float(np.mean(values)) if values.size else -1.0
        return result


def _summary_max_det(spec: tuple[str, int], max_dets: tuple[int, ...]) -> int | None:
    kind, value = spec
    if kind == "value":
        return value
    return max_dets[value] if value < len(max_dets) else None


def _summarize(precision, recall, iou_thresholds, area_labels, max_dets) -> np.ndarray:
    """The 12 means, each over the entries > -1 of the selected slice, in pycocotools'
    element order (so the float sums agree exactly); -1 if nothing is selected."""
    stats = np.zeros(len(_SUMMARY))
    for n, (is_ap, iou, area, max_det_spec) in enumerate(_SUMMARY):
        max_det = _summary_max_det(max_det_spec, max_dets)
        area_index = [a for a, label in enumerate(area_labels) if label == area]
        max_det_index = [m for m, value in enumerate(max_dets) if value == max_det]
        table = precision if is_ap else recall
        if iou is not None:
            table = table[np.flatnonzero(iou == iou_thresholds)]
        if is_ap:
            table = table[:, :, :, area_index, max_det_index]
        else:
            table = table[:, :, area_index, max_det_index]
        defined = table[table > -1]
        stats[n] = np.mean(defined) if defined.size else -1
    return stats


# --------------------------------------------------------------------------- options
def _check_thresholds(values, name: str, *, increasing: bool = False) -> np.ndarray:
    """A non-empty 1-D float64 array of numbers in [0, 1] (a scalar counts as one)."""
    array = check_array(values, name, ndim=(0, 1), shape_hint="(T,), numbers in [0, 1]",
                        allow_bool=False)
    array = array.reshape(-1)
    outside = (array < 0) | (array > 1)
    if outside.any():
        raise ValueError(
            f"{name} must be numbers in [0, 1], found {array[outside][0]} at position(s) "
            f"{first_positions(outside)}"
        )
    if increasing and (np.diff(array) < 0).any():
        raise ValueError(f"{name} must be increasing, got {array.tolist()}")
    return array


def _check_iou_thresholds(values) -> np.ndarray:
    return _check_thresholds(values, "iou_thresholds")


def _check_recall_thresholds(values) -> np.ndarray:
    return _check_thresholds(values, "recall_thresholds", increasing=True)


def _check_max_dets(values) -> tuple[int, ...]:
    """Distinct positive ints, sorted; one int (NumPy ints too) or an int array also do."""
    if isinstance(values, np.ndarray):
        values = values.reshape(-1).tolist() if values.ndim <= 1 else values
    if isinstance(values, (str, bytes)) or not isinstance(
            values, (Sequence, numbers.Integral, np.integer)):
        raise TypeError(
            f"max_dets must be positive ints, e.g. (1, 10, 100), got {describe(values)}"
        )
    if not isinstance(values, Sequence):
        values = (values,)
    if len(values) == 0:
        raise ValueError("max_dets is empty; expected positive ints, e.g. (1, 10, 100)")
    checked = tuple(check_int(v, f"max_dets[{i}]", low=1) for i, v in enumerate(values))
    if len(set(checked)) != len(checked):
        raise ValueError(f"max_dets must be distinct, got {list(checked)}")
    return tuple(sorted(checked))


def _check_area_ranges(values) -> dict[str, tuple[float, float]]:
    if not isinstance(values, Mapping) or not values:
        raise TypeError(
            "area_ranges must be a dict of label -> (min_area, max_area), "
            f"e.g. {{'all': (0, 1e10)}}, got {describe(values)}"
        )
    checked = {}
    for label, bounds in values.items():
        name = f"area_ranges[{label!r}]"
        if isinstance(bounds, (str, bytes)) or not isinstance(bounds, (Sequence, np.ndarray)):
            raise TypeError(f"{name} must be a pair (min_area, max_area), got {describe(bounds)}")
        if len(bounds) != 2:
            raise ValueError(f"{name} must be a pair (min_area, max_area), got {bounds!r}")
        low = check_real(bounds[0], f"{name} min_area", low=0)
        high = bounds[1]
        if not (isinstance(high, (float, np.floating)) and np.isposinf(high)):  # +inf: no limit
            high = check_real(high, f"{name} max_area", low=0)
        if not (low <= high):
            raise ValueError(f"{name} = {bounds!r}: min_area must be <= max_area")
        checked[str(label)] = (low, high)
    return checked


def _rank_within_groups(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values: ``[4, 4, 7, 9, 9, 9] -> [0, 1, 0, 0, 1, 2]``."""
    starts = np.flatnonzero(np.diff(sorted_groups, prepend=-1))
    lengths = np.diff(np.append(starts, len(sorted_groups)))
    return np.arange(len(sorted_groups)) - np.repeat(starts, lengths)


@dataclass(frozen=True, eq=False)
class CocoMatches:
    """COCO's matching of detections to ground truth (what :func:`match_detections` returns).

    D' detections take part: those among the best ``max_det`` of their (image,
    category). A area ranges, T IoU thresholds, G annotations, K categories.
    """

    det_order: np.ndarray  #: (D',) int64, positions in the detection list: by group, best first
    det_rank: np.ndarray  #: (D',) int64, rank by score within the (image, category), 0 = best
    outcome: np.ndarray  #: (A, T, D') int8, UNMATCHED / MATCHED / MATCHED_IGNORED
    matched_gt: np.ndarray  #: (A, T, D') int64, position of the annotation taken, -1 if none
    gt_ignored: np.ndarray  #: (A, G) bool, crowd or ``area`` out of range
    n_positives: np.ndarray  #: (K, A) int64, non-ignored annotations per category and range


def match_detections(truth, dets, iou_thresholds, area_bounds, max_det: int) -> CocoMatches:
    """Match checked detections to checked ground truth exactly as :func:`coco_evaluate` does.

    Parameters
    ----------
    truth, dets : CocoGroundTruth, CocoDetections
        From :func:`~helpers.detection.coco_inputs.read_ground_truth` and
        :func:`~helpers.detection.coco_inputs.read_detections`.
    iou_thresholds : numpy.ndarray, shape (T,)
    area_bounds : numpy.ndarray, shape (A, 2)
        ``(min_area, max_area)`` of each area range, square pixels, both inclusive.
    max_det : int
        Detections kept per (image, category), best score first.

    Returns
    -------
    CocoMatches
        ``matched_gt`` indexes the annotations in input order (``truth.boxes`` etc.).
    """
    n_images, n_categories = len(truth.image_ids), len(truth.category_ids)
    low, high = area_bounds[:, :1], area_bounds[:, 1:]  # (A, 1) each: broadcast against (G,)

    # Ground truth, grouped by (category, image) in input order within a group.
    gt_group = truth.category_index * n_images + truth.image_index
    gt_order = np.argsort(gt_group, kind="stable")
    gt_ignored = truth.is_crowd | (truth.areas < low) | (truth.areas > high)  # (A, G)

    # Detections, grouped the same way, best score first (stable), at most max_det each.
    det_group = dets.category_index * n_images + dets.image_index
    by_score = np.argsort(-dets.scores, kind="stable")
    det_order = by_score[np.argsort(det_group[by_score], kind="stable")]
    rank = _rank_within_groups(det_group[det_order])
    kept = rank < max_det
    det_order, rank = det_order[kept], rank[kept]

    gt_crowd = truth.is_crowd[gt_order]
    if truth.masks is not None:  # segm: mask IoU
        det_masks, gt_masks = dets.masks.take(det_order), truth.masks.take(gt_order)

        def pair_iou_of(pair_det, pair_gt):
            return mask_pair_iou(det_masks, gt_masks, pair_det, pair_gt, gt_crowd)
    else:
        det_boxes, gt_boxes = dets.boxes[det_order], truth.boxes[gt_order]

        def pair_iou_of(pair_det, pair_gt):
            return coco_pair_iou(det_boxes[pair_det], gt_boxes[pair_gt], gt_crowd[pair_gt])

    outcome, matches = greedy_match(
        det_group=det_group[det_order],
        det_rank=rank,
        pair_iou_of=pair_iou_of,
        gt_group=gt_group[gt_order],
        gt_is_crowd=gt_crowd,
        gt_ignored=gt_ignored[:, gt_order],
        iou_thresholds=iou_thresholds,
        return_matches=True,
    )
    matched_gt = matches.copy()  # positions in the grouped order -> in input order
    matched_gt[matches >= 0] = gt_order[matches[matches >= 0]]
    n_positives = np.array(  # (K, A): non-ignored ground truth per category and area range
        [np.bincount(truth.category_index[~ignored], minlength=n_categories)
         for ignored in gt_ignored]
    ).T.reshape(n_categories, len(area_bounds))
    return CocoMatches(
        det_order=det_order,
        det_rank=rank,
        outcome=outcome,
        matched_gt=matched_gt,
        gt_ignored=gt_ignored,
        n_positives=n_positives,
    )


def coco_evaluate(
    gt,
    dt,
    *,
    iou_thresholds=COCO_IOU_THRESHOLDS,
    recall_thresholds=COCO_RECALL_THRESHOLDS,
    max_dets=COCO_MAX_DETS,
    area_ranges=COCO_AREA_RANGES,
    iou_type: str = "bbox",
) -> CocoEvalResult:
    """Evaluate detections the COCO way (identical to pycocotools' ``COCOeval``, with
    ``iouType`` "bbox" or "segm").

    Parameters
    ----------
    gt : dict
        COCO-format ground truth: ``images`` (each with an integer ``id``),
        ``categories`` (each with an integer ``id``) and ``annotations``, each with
        ``id`` (a positive integer, unique), ``image_id``, ``category_id``, ``bbox``
        ``[x, y, w, h]`` in pixels, ``area`` (square pixels; used for the size classes,
        it need not equal ``w * h``) and ``iscrowd`` (0 or 1). Every image and category
        listed is evaluated, in order of id.
    dt : list of dict
        Detections in the COCO results format: ``image_id``, ``category_id``, ``bbox``
        ``[x, y, w, h]`` and ``score``. The image and category must exist in ``gt``.
    iou_thresholds : array_like, shape (T,)
        Default 0.50:0.05:0.95.
    recall_thresholds : array_like, shape (R,)
        Recall levels at which precision is sampled. Default 0:0.01:1.
    max_dets : sequence of int
        Detections kept per image and category, best first. Default (1, 10, 100).
        The summary reads positions 0, 1 and 2 of the sorted list (and 100 by value
        for the first AP, as pycocotools does); entries that would need a missing
        position are -1 (pycocotools' ``summarize`` fails there).
    area_ranges : dict of str to (float, float)
        Size classes by area, both ends inclusive. Default ``all``, ``small``
        (<= 32**2), ``medium`` (32**2 to 96**2) and ``large`` (>= 96**2). The summary
        looks these labels up; a missing one gives -1 in ``stats``.
    iou_type : {"bbox", "segm"}
        ``"bbox"`` (default): IoU of the ``bbox`` boxes. ``"segm"``: IoU of the instance
        masks in each record's ``segmentation`` (a COCO RLE dict, uncompressed or
        compressed, or a 2-D bool mask; every mask of an image has the image's size);
        a detection's area, for the area ranges, is then its mask's pixel count, as
        pycocotools sets it for segmentation results (results without ``bbox``;
        Detectron2 drops ``bbox`` before a ``segm`` evaluation for this reason).
        Everything else (matching, crowd rule, accumulation) is the same.

    Returns
    -------
    CocoEvalResult
        ``.stats`` (12 numbers), ``.precision`` (T, R, K, A, M), ``.recall`` (T, K, A, M),
        ``.scores`` (T, R, K, A, M) and ``.summary()``.

    Raises
    ------
    TypeError, ValueError
        For malformed input, naming the offending record.

    Notes
    -----
    The conventions of pycocotools that shape the numbers:

    * detections are ranked by score with a stable sort (ties keep input order), and
      only the best ``max(max_dets)`` per image and category are matched;
    * a detection matches the unmatched ground truth of highest IoU, if that IoU is at
      least the threshold; equal IoUs go to the later ground truth; non-ignored ground
      truth is preferred over ignored (crowd, or ``area`` out of range);
    * a crowd region may be matched many times and its IoU (box or mask) divides by the
      detection's area only; detections matched to ignored ground truth, and unmatched detections
      with ``w * h`` out of range, are ignored (neither true nor false positives);
    * precision is ``TP / (TP + FP + np.spacing(1))``;
    * an annotation's ``ignore`` field has no effect (pycocotools overwrites it with
      ``iscrowd``).

    Unlike pycocotools, an empty ``dt`` is allowed (every defined recall and precision
    is then 0), and detections or annotations that refer to an unknown image or
    category are errors instead of being dropped silently.

    Examples
    --------
    >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1}],
    ...       "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
    ...                        "bbox": [10, 10, 20, 20], "area": 400, "iscrowd": 0}]}
    >>> dt = [{"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20], "score": 0.9}]
    >>> result = coco_evaluate(gt, dt)
    >>> result.stats[:3]                      # AP, AP50, AP75
    array([1., 1., 1.])
    >>> print(result.summary().splitlines()[0])
     Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000
    """
    iou_thresholds = _check_iou_thresholds(iou_thresholds)
    recall_thresholds = _check_recall_thresholds(recall_thresholds)
    max_dets = _check_max_dets(max_dets)
    area_ranges = _check_area_ranges(area_ranges)
    truth = read_ground_truth(gt, iou_type)
    dets = read_detections(dt, truth, iou_type)

    bounds = np.array(list(area_ranges.values()), dtype=np.float64)  # (A, 2)
    matching = match_detections(truth, dets, iou_thresholds, bounds, max_dets[-1])
    det_order, rank = matching.det_order, matching.det_rank
    det_area = dets.areas[det_order]
    low, high = bounds[:, :1], bounds[:, 1:]
    precision, recall, scores = accumulate(
        outcome=matching.outcome,
        det_out_of_range=(det_area < low) | (det_area > high),
        det_category=dets.category_index[det_order],
        det_image=dets.image_index[det_order],
        det_rank=rank,
        det_scores=dets.scores[det_order],
        n_positives=matching.n_positives,
        max_dets=max_dets,
        recall_thresholds=recall_thresholds,
    )
    stats = _summarize(precision, recall, iou_thresholds, list(area_ranges), max_dets)
    return CocoEvalResult(
        stats=stats,
        precision=precision,
        recall=recall,
        scores=scores,
        iou_thresholds=iou_thresholds,
        recall_thresholds=recall_thresholds,
        category_ids=truth.category_ids,
        image_ids=truth.image_ids,
        area_ranges=area_ranges,
        max_dets=max_dets,
        iou_type=iou_type,
    )
