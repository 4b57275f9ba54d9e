"""Counting right and wrong: accuracy, the confusion matrix, precision, recall, F1.

Labels are integer class indices ``0, 1, ..., K-1`` (the convention of the course's
data sets and of Keras). Each function equals its scikit-learn counterpart; where
the defaults differ the docstring says so.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_choice, check_int, check_labels
from ._checks import check_class_count, check_n_classes, check_same_length, check_zero_division
from .warnings import warn_undefined

__all__ = ["accuracy", "confusion_matrix", "precision_recall_f1", "PrecisionRecallF1"]

AVERAGES = (None, "binary", "micro", "macro", "weighted")


def _pair(y_true, y_pred, n_classes=None):
    n_classes = check_n_classes(n_classes)
    y_true = check_labels(y_true, "y_true", n_classes=n_classes)
    y_pred = check_labels(y_pred, "y_pred", n_classes=n_classes)
    check_same_length(y_true, y_pred, "y_true", "y_pred")
    return y_true, y_pred, n_classes


def accuracy(y_true, y_pred) -> float:
    r"""The fraction of samples whose predicted class is the true class.

    .. math:: \mathrm{accuracy} = \frac{\#\{i : \hat y_i = y_i\}}{N}
              = \frac{TP + TN}{TP + TN + FP + FN}\ \text{(binary case)}

    Equal to ``sklearn.metrics.accuracy_score``.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        True and predicted class indices. To score logits or probabilities, take
        ``scores.argmax(axis=1)`` first.

    Returns
    -------
    float in [0, 1]
    """
    y_true, y_pred, _ = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """Count every (true class, predicted class) pair.

    ``cm[i, j]`` is the number of samples of true class ``i`` predicted as class ``j``:
    rows are the truth, columns the prediction (scikit-learn's convention), so the
    diagonal holds the correct predictions, row sums are the class sizes (support)
    and column sums are how often each class was predicted. For two classes with
    class 1 as "positive"::

        [[TN, FP],
         [FN, TP]]

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        Class indices ``>= 0``.
    n_classes : int, optional
        Number of classes ``K``, at most 16,384. Default: ``max(y_true, y_pred) + 1``,
        which must then be at most 1,000 (a label such as ``10**6`` is refused
        rather than allocating a million-by-million matrix). Pass it when the
        largest class may be missing from both arrays, or when there really are
        more than 1,000 classes.

    Returns
    -------
    ndarray of int64, shape (K, K)

    Notes
    -----
    Equal to ``sklearn.metrics.confusion_matrix(y_true, y_pred, labels=range(K))``.
    scikit-learn's *default* keeps only the labels that occur in either array, so
    the two differ only when some class ``< K`` occurs in neither: here it keeps its
    (all-zero) row and column, so that ``cm[i, j]`` always means class ``i``, class ``j``.

    Raises
    ------
    ValueError
        For empty input, different lengths, negative labels, labels ``>= n_classes``,
        or (without ``n_classes``) a label above 999.
    """
    y_true, y_pred, n_classes = _pair(y_true, y_pred, n_classes)
    k = n_classes if n_classes is not None else check_class_count(
        int(max(y_true.max(), y_pred.max())) + 1, "y_true", "y_pred")
    # each pair (t, p) gets its own bin t * K + p; bincount counts them all at once
    counts = np.bincount(y_true * k + y_pred, minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


class PrecisionRecallF1(NamedTuple):
    """What :func:`precision_recall_f1` returns: three floats, or three arrays (one entry per class)."""

    precision: float | np.ndarray
    recall: float | np.ndarray
    f1: float | np.ndarray


def _divide(numerator, denominator, zero_value, zero_division, what, average):
    """numerator / denominator, with ``zero_value`` where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    undefined = denominator == 0
    result = numerator / np.where(undefined, 1.0, denominator)
    result[undefined] = zero_value
    if undefined.any() and isinstance(zero_division, str):  # "warn"
        scope = "" if average in ("binary", "micro") else " for some classes"
        warn_undefined(
            f"{what} is ill-defined (0/0){scope} and set to 0.0. "
            "Pass zero_division=0, 1 or np.nan to choose the value and silence this warning.",
            stacklevel=4,
        )
    return result


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN entries (as scikit-learn does); NaN if all are NaN."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


def precision_recall_f1(y_true, y_pred, *, average: str | None = None,
                        n_classes: int | None = None, labels=None, pos_label: int = 1,
                        zero_division="warn") -> PrecisionRecallF1:
    r"""Precision, recall and F1, per class or averaged.

    For one class, counted one-vs-rest (that class is "positive"):

    .. math::
        \mathrm{precision} = \frac{TP}{TP + FP}, \qquad
        \mathrm{recall} = \frac{TP}{TP + FN}, \qquad
        F_1 = \frac{2\,\mathrm{precision}\cdot\mathrm{recall}}{\mathrm{precision} + \mathrm{recall}}
            = \frac{2\,TP}{2\,TP + FP + FN}.

    Equal to ``sklearn.metrics.precision_recall_fscore_support`` (without the
    support) with the same arguments.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
        True and predicted class indices.
    average : {None, "binary", "micro", "macro", "weighted"}, default None
        * ``None``: one score per class (arrays ordered as the classes, see below).
        * ``"binary"``: the scores of class ``pos_label`` only; the data may hold at
          most two distinct labels.
        * ``"micro"``: add up TP, FP and FN over the classes, then divide. When every
          class is counted, micro precision = micro recall = micro F1 = accuracy.
        * ``"macro"``: the plain mean of the per-class scores: every class counts
          the same, however rare.
        * ``"weighted"``: the mean of the per-class scores weighted by support (the
          number of true samples of each class).
    n_classes : int, optional
        Score the classes ``0 .. n_classes-1`` (also those that occur in neither
        array). Labels ``>= n_classes`` raise an error.
    labels : sequence of int, optional
        Score exactly these classes, in this order (scikit-learn's ``labels``).
        Give ``n_classes`` or ``labels``, not both. With neither, the classes are
        the sorted labels that occur in ``y_true`` or ``y_pred`` (scikit-learn's default).
    pos_label : int, default 1
        The positive class for ``average="binary"``; ignored otherwise.
    zero_division : {"warn", 0, 1, np.nan}, default "warn"
        The value of a ratio whose denominator is 0: precision of a class that is
        never predicted (TP + FP = 0), recall of a class absent from ``y_true``
        (TP + FN = 0), F1 when TP + FP + FN = 0. ``"warn"`` (scikit-learn's default)
        gives 0 and emits an :class:`UndefinedMetricWarning`; 0, 1 or ``np.nan``
        give that value silently. NaN entries are left out of the macro and
        weighted averages (the average of all-NaN is NaN), as in scikit-learn.

    Returns
    -------
    PrecisionRecallF1
        ``(precision, recall, f1)``: floats when ``average`` is set, otherwise
        float64 arrays with one entry per scored class.

    Raises
    ------
    ValueError
        For empty input, different lengths, labels out of range, an unknown
        ``average``, or ``average="binary"`` on more than two classes.
    """
    check_choice(average, "average", AVERAGES)
    zero_value = check_zero_division(zero_division)
    if n_classes is not None and labels is not None:
        raise ValueError("give n_classes or labels, not both.")
    y_true, y_pred, n_classes = _pair(y_true, y_pred, n_classes)
    present = np.union1d(y_true, y_pred)

    pos_label = check_int(pos_label, "pos_label")  # checked even where it is not used
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"average='binary' needs at most two classes, but the labels hold {len(present)}: "
                f"{present.tolist()}. Use average='macro', 'micro' or 'weighted' (or None for "
                "one score per class)."
            )
        if pos_label not in present and len(present) == 2:
            raise ValueError(f"pos_label={pos_label} is not one of the labels {present.tolist()}.")
        classes = np.array([pos_label], dtype=np.int64)
    elif labels is not None:
        classes = check_labels(labels, "labels")
        if len(np.unique(classes)) != len(classes):
            raise ValueError(f"labels must not repeat a class, got {classes.tolist()}.")
    elif n_classes is not None:
        classes = np.arange(n_classes)
    else:
        classes = present

    # per-class counts, long enough for every label that occurs; a scored class
    # beyond them (labels=[10**6]) occurs nowhere, so its counts are 0
    size = int(max(y_true.max(), y_pred.max())) + 1
    inside = classes < size
    where = np.where(inside, classes, 0)

    def count(values: np.ndarray) -> np.ndarray:
        return np.where(inside, np.bincount(values, minlength=size)[where], 0)

    tp = count(y_true[y_true == y_pred])
    predicted = count(y_pred)   # TP + FP: how often each class was predicted
    actual = count(y_true)      # TP + FN: the support of each class

    if average == "micro":
        tp, predicted, actual = tp.sum(keepdims=True), predicted.sum(keepdims=True), actual.sum(keepdims=True)

    precision = _divide(tp, predicted, zero_value, zero_division, "Precision (TP + FP = 0)", average)
    recall = _divide(tp, actual, zero_value, zero_division, "Recall (TP + FN = 0)", average)
    f1 = _divide(2 * tp, predicted + actual, zero_value, zero_division, "F1 (TP + FP + FN = 0)", average)

    if average is None:
        return PrecisionRecallF1(precision, recall, f1)
    weights = actual.astype(np.float64) if average == "weighted" else None
    return PrecisionRecallF1(*(_nan_average(score, weights) for score in (precision, recall, f1)))
