"""Average precision: one number that summarises a precision-recall curve.

The curve comes from ranking the detections by decreasing score: after the
``n`` best detections, ``recall_n = TP_n / (number of objects)`` and
``precision_n = TP_n / n``. The three conventions in use differ only in how they
read off and average the precision.

All of them first replace the precision by its *interpolated* (upper envelope)
value, the best precision reachable at that recall or beyond::

    p_interp(r) = max { p_n : r_n >= r }          (0 when no r_n >= r)

which makes the curve a non-increasing staircase.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_choice

AP_METHODS = ("voc07", "voc", "coco")

#: The 11 recall levels of PASCAL VOC 2007: 0, 0.1, ..., 1. Computed as k / 10, so
#: 0.3 is the double nearest to 3/10 (``np.arange(0, 1.1, 0.1)`` would give
#: 0.30000000000000004, and a recall of exactly 3/10 would then miss it).
VOC07_RECALL_LEVELS = np.arange(11) / 10

#: The 101 recall levels of COCO, exactly as pycocotools builds them (``np.linspace``).
COCO_RECALL_LEVELS = np.linspace(0.0, 1.0, 101)


def precision_envelope(precision) -> np.ndarray:
    """The running maximum of ``precision`` taken from the right (the interpolated precision).

    Examples
    --------
    >>> precision_envelope([1.0, 0.5, 0.67, 0.5])
    array([1.  , 0.67, 0.67, 0.5 ])
    """
    precision = _check_fractions(precision, "precision")
    return np.maximum.accumulate(precision[::-1])[::-1]


def _sampled_precision(recall: np.ndarray, envelope: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Interpolated precision at each recall level: the envelope at the first point whose
    recall reaches the level, or 0 if the curve never gets there."""
    first = np.searchsorted(recall, levels, side="left")
    reached = first < len(recall)
    sampled = np.zeros(len(levels))
    sampled[reached] = envelope[first[reached]]
    return sampled


def _check_fractions(values, name: str) -> np.ndarray:
    """A 1-D float64 array of numbers in [0, 1] (a recall or precision curve)."""
    values = check_array(values, name, ndim=1, finite=False, allow_empty=True,
                         shape_hint="(P,), one value per point of the curve")
    outside = ~((values >= 0) & (values <= 1))  # also catches NaN
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise ValueError(f"{name}[{i}] is {values[i]}; expected a number in [0, 1]")
    return values


def _validate_curve(recall, precision) -> tuple[np.ndarray, np.ndarray]:
    recall = _check_fractions(recall, "recall")
    precision = _check_fractions(precision, "precision")
    if recall.shape != precision.shape:
        raise ValueError(
            "recall and precision must be 1-D arrays of the same length, "
            f"got shapes {recall.shape} and {precision.shape}"
        )
    if (np.diff(recall) < 0).any():
        i = int(np.flatnonzero(np.diff(recall) < 0)[0]) + 1
        raise ValueError(
            f"recall must not decrease (points ordered by decreasing score), "
            f"but recall[{i}] = {recall[i]} < recall[{i - 1}] = {recall[i - 1]}"
        )
    return recall, precision


def average_precision(recall, precision, method: str = "voc") -> float:
    """Area under a precision-recall curve, by the VOC 2007, VOC 2010+ or COCO rule.

    Parameters
    ----------
    recall : array_like, shape (N,)
        Recall after each of the N detections ranked by decreasing score
        (non-decreasing, in [0, 1]).
    precision : array_like, shape (N,)
        Precision after each detection, in [0, 1].
    method : {"voc", "voc07", "coco"}
        ``"voc07"`` -- 11-point interpolated AP of PASCAL VOC 2007::

            AP = 1/11 * sum_{t in {0, 0.1, ..., 1}} p_interp(t)

        ``"voc"`` -- all-point AP of PASCAL VOC 2010 and later: the exact area under
        the interpolated staircase, with ``r_0 = 0``::

            AP = sum_n (r_n - r_{n-1}) * p_interp(r_n)

        ``"coco"`` -- 101-point interpolated AP of COCO (per category, per IoU
        threshold; COCO's headline "AP" is then averaged over categories and the
        ten IoU thresholds 0.50:0.05:0.95)::

            AP = 1/101 * sum_{t in {0, 0.01, ..., 1}} p_interp(t)

        where ``p_interp(t)`` is the envelope precision at the first point whose
        recall reaches ``t``, and 0 if recall never reaches ``t``. The 101 levels
        are ``np.linspace(0, 1, 101)``, as in pycocotools.

    Returns
    -------
    float
        In [0, 1]; 0 for an empty curve.

    Examples
    --------
    Three detections, two objects: hit, miss, hit.

    >>> recall, precision = [0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3]
    >>> average_precision(recall, precision, "voc")     # 0.5 * 1 + 0.5 * 2/3
    0.8333333333333333
    >>> round(average_precision(recall, precision, "voc07"), 4)   # (6 * 1 + 5 * 2/3) / 11
    0.8485
    """
    check_choice(method, "method", AP_METHODS)
    recall, precision = _validate_curve(recall, precision)
    if method == "voc":
        padded_recall = np.concatenate(([0.0], recall, [1.0]))
        envelope = precision_envelope(np.concatenate(([0.0], precision, [0.0])))
        steps = np.flatnonzero(padded_recall[1:] != padded_recall[:-1])
        return float(np.sum((padded_recall[steps + 1] - padded_recall[steps]) * envelope[steps + 1]))
    levels = VOC07_RECALL_LEVELS if method == "voc07" else COCO_RECALL_LEVELS
    return float(np.mean(_sampled_precision(recall, precision_envelope(precision), levels)))
