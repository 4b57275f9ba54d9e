"""Threshold curves for a binary score: precision-recall and ROC, and their areas.

A binary classifier outputs a score per sample (a probability or a logit); choosing
a threshold ``t`` turns it into a decision ``score >= t``. Every distinct score is a
possible threshold, and each gives one confusion matrix. The curves trace those
matrices as ``t`` sweeps from high (nothing predicted positive) to low (everything
predicted positive).

Each function equals its scikit-learn counterpart (``precision_recall_curve``,
``average_precision_score``, ``roc_curve``, ``roc_auc_score``), including the
defaults and the conventions for degenerate inputs.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_bool, check_int, check_labels
from ._checks import check_same_length, check_scores
from .warnings import warn_undefined

__all__ = ["threshold_counts", "pr_curve", "average_precision_score", "roc_curve", "roc_auc"]


def _binary_targets(y_true, y_score, pos_label) -> tuple[np.ndarray, np.ndarray]:
    """(is_positive as 0/1 int64, scores as float64), validated."""
    pos_label = check_int(pos_label, "pos_label")
    y = check_labels(y_true, "y_true", allow_negative=True)
    scores = check_scores(y_score, "y_score")
    check_same_length(y, scores, "y_true", "y_score")
    present = np.unique(y)
    if len(present) > 2:
        raise ValueError(
            f"y_true must be binary, but it holds {len(present)} classes {present.tolist()[:10]}. "
            "For class k of a multi-class problem (one-vs-rest), pass y_true == k and that class's scores."
        )
    if len(present) == 2 and pos_label not in present:
        raise ValueError(f"pos_label={pos_label!r} is not one of the labels in y_true {present.tolist()}.")
    return (y == pos_label).astype(np.int64), scores


def _check_both_classes(n_negatives, n_positives, what: str) -> None:
    if n_negatives <= 0 or n_positives <= 0:
        missing = "negative" if n_negatives <= 0 else "positive"
        rate = "false" if missing == "negative" else "true"
        raise ValueError(
            f"y_true has no {missing} sample, so the {what} is undefined (the {rate} "
            f"positive rate is 0/0). It needs both classes: score a set that holds both, "
            "or use accuracy / precision-recall instead."
        )


def threshold_counts(y_true, y_score, *, pos_label: int = 1):
    """True and false positives at every distinct threshold, from high to low.

    Sort the samples by decreasing score; a threshold at the ``i``-th distinct score
    predicts "positive" for every sample scoring at least that much, so the counts
    are running sums over the sorted samples.

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
        Binary labels (e.g. 0/1, or bool).
    y_score : array-like of float, shape (N,)
        Higher means "more positive". Must be finite (NaN raises an error).
    pos_label : int, default 1

    Returns
    -------
    fps, tps : ndarray of float64, shape (T,)
        False and true positives when predicting ``score >= thresholds[i]``.
    thresholds : ndarray of float64, shape (T,)
        The distinct scores, decreasing.
    """
    positive, scores = _binary_targets(y_true, y_score, pos_label)
    order = np.argsort(scores, kind="mergesort")[::-1]          # highest score first
    scores, positive = scores[order], positive[order]
    # the last sample of each run of tied scores: a threshold must take ties together
    last_of_run = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(positive)[last_of_run].astype(np.float64)
    fps = (last_of_run + 1) - tps                                # the rest of those samples
    return fps, tps, scores[last_of_run]


def pr_curve(y_true, y_score, *, pos_label: int = 1, drop_intermediate: bool = False):
    r"""The precision-recall curve: one (recall, precision) point per threshold.

    At threshold ``t``, :math:`\mathrm{precision} = TP/(TP+FP)` and
    :math:`\mathrm{recall} = TP/(TP+FN)` for the decision ``score >= t``.

    Equal to ``sklearn.metrics.precision_recall_curve`` (same defaults and order).

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
        Binary labels.
    y_score : array-like of float, shape (N,)
        Scores, probabilities or logits (only their order matters).
    pos_label : int, default 1
    drop_intermediate : bool, default False
        Drop thresholds that do not change the recall (they only add points on a
        vertical segment of the plotted step curve), as scikit-learn can.

    Returns
    -------
    precision : ndarray, shape (T + 1,)
        Precision per threshold, ordered by *increasing* threshold, then a final 1.
    recall : ndarray, shape (T + 1,)
        Recall per threshold (decreasing), then a final 0. The appended point
        (recall 0, precision 1) is scikit-learn's convention: it makes the curve
        start on the vertical axis.
    thresholds : ndarray, shape (T,)
        The distinct scores, increasing.

    Notes
    -----
    If ``y_true`` has no positive sample, recall is 0/0 at every threshold; as
    scikit-learn does, it is set to 1 and an :class:`UndefinedMetricWarning` is emitted.
    """
    drop_intermediate = check_bool(drop_intermediate, "drop_intermediate")
    fps, tps, thresholds = threshold_counts(y_true, y_score, pos_label=pos_label)
    if drop_intermediate and len(fps) > 2:
        # keep the first and the last threshold of every run of equal TP counts
        keep = np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    precision = tps / (tps + fps)     # tps + fps >= 1: each threshold admits a sample
    if tps[-1] == 0:
        warn_undefined("No positive sample in y_true: recall is undefined and set to 1 for all thresholds.")
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    # reverse to increasing thresholds, and add the (recall 0, precision 1) end point
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def average_precision_score(y_true, y_score, *, pos_label: int = 1) -> float:
    r"""Average precision (AP) of a ranking: the area under the precision-recall *step*
    curve, scikit-learn's ``average_precision_score`` (the detection AP of a
    precision-recall curve is :func:`helpers.detection.average_precision`).

    .. math:: \mathrm{AP} = \sum_n (R_n - R_{n-1})\, P_n

    over the thresholds from high to low, where :math:`P_n, R_n` are precision and
    recall at the n-th threshold. No interpolation: each precision is weighted by
    the recall it adds. (The trapezoid rule would be optimistic here, since
    precision does not change linearly between two points of a PR curve.)

    Equal to ``sklearn.metrics.average_precision_score``. A random scorer's AP is
    about the fraction of positives; a perfect ranking scores 1.

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
    y_score : array-like of float, shape (N,)
    pos_label : int, default 1

    Returns
    -------
    float in [0, 1]
    """
    precision, recall, _ = pr_curve(y_true, y_score, pos_label=pos_label)
    # recall decreases along the returned arrays, so -diff(recall) are the recall gains
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def roc_curve(y_true, y_score, *, pos_label: int = 1, drop_intermediate: bool = True):
    r"""The ROC curve: false positive rate against true positive rate, per threshold.

    :math:`\mathrm{TPR} = TP/(TP+FN)` (recall) and :math:`\mathrm{FPR} = FP/(FP+TN)`
    for the decision ``score >= t``.

    Equal to ``sklearn.metrics.roc_curve``, whose ``drop_intermediate`` defaults to
    ``True``: points that lie on a straight segment between their neighbours are
    dropped (they do not change the plot or the area). Pass ``False`` to keep one
    point per distinct score.

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
    y_score : array-like of float, shape (N,)
    pos_label : int, default 1
    drop_intermediate : bool, default True

    Returns
    -------
    fpr, tpr : ndarray, shape (T + 1,)
        Increasing; the curve starts at (0, 0) and ends at (1, 1).
    thresholds : ndarray, shape (T + 1,)
        Decreasing; ``thresholds[0] = inf`` (predict nothing positive), as in
        scikit-learn >= 1.3.

    Raises
    ------
    ValueError
        When ``y_true`` holds one class only: without negatives (or positives) FPR
        (or TPR) is 0/0 at every threshold. scikit-learn returns NaN rates with a
        warning there; here the curve is refused, so no NaN reaches a plot.
    """
    drop_intermediate = check_bool(drop_intermediate, "drop_intermediate")
    fps, tps, thresholds = threshold_counts(y_true, y_score, pos_label=pos_label)
    if drop_intermediate and len(fps) > 2:
        # a point is a corner of the curve where the second difference is not zero
        keep = np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True]
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps, thresholds = np.r_[0.0, fps], np.r_[0.0, tps], np.r_[np.inf, thresholds]
    _check_both_classes(fps[-1], tps[-1], "ROC curve")
    return fps / fps[-1], tps / tps[-1], thresholds


def roc_auc(y_true, y_score, *, pos_label: int = 1) -> float:
    r"""Area under the ROC curve, by the trapezoid rule.

    .. math:: \mathrm{AUC} = \sum_i (\mathrm{FPR}_{i} - \mathrm{FPR}_{i-1})
              \frac{\mathrm{TPR}_{i} + \mathrm{TPR}_{i-1}}{2}

    It equals the probability that a random positive scores higher than a random
    negative (ties count one half): 0.5 for a random scorer, 1 for a perfect one.
    Here the trapezoid is exact, because between two thresholds both rates change
    linearly (ties move along a straight segment).

    Equal to ``sklearn.metrics.roc_auc_score`` for binary labels.

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ValueError
        When ``y_true`` holds a single class: the AUC is undefined (recent
        scikit-learn returns NaN with a warning, older releases raise too).
    """
    positive, _ = _binary_targets(y_true, y_score, pos_label)
    _check_both_classes((positive == 0).sum(), positive.sum(), "ROC AUC")
    fpr, tpr, _ = roc_curve(y_true, y_score, pos_label=pos_label)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))
