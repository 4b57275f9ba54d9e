"""Metrics the course builds from scratch, in NumPy, to be read.

Every function equals its scikit-learn (or Keras) counterpart, which the tests
check on many random cases and on the edge cases (a class never predicted, a class
absent from ``y_true``, one class only, ...).

From logits to probabilities (:mod:`helpers.metrics.probabilities`)
    :func:`softmax`, :func:`log_softmax`, :func:`logsumexp`, :func:`sigmoid`,
    :func:`cross_entropy` (nats), :func:`binary_cross_entropy`
Counting decisions (:mod:`helpers.metrics.classification`)
    :func:`accuracy`, :func:`confusion_matrix`, :func:`precision_recall_f1`
Sweeping a threshold (:mod:`helpers.metrics.curves`)
    :func:`pr_curve`, :func:`average_precision_score`, :func:`roc_curve`, :func:`roc_auc`,
    :func:`threshold_counts`

Conventions: labels are integer class indices ``0 .. K-1`` (booleans and
whole-number floats are accepted); scores are finite floats; empty input,
mismatched lengths, labels out of range and NaN scores raise a ``ValueError``
that says what was wrong. Where a ratio is 0/0 the scikit-learn convention is
followed and an :class:`UndefinedMetricWarning` is emitted.
"""
from .classification import PrecisionRecallF1, accuracy, confusion_matrix, precision_recall_f1
from .curves import average_precision_score, pr_curve, roc_auc, roc_curve, threshold_counts
from .probabilities import (binary_cross_entropy, cross_entropy, log_softmax, logsumexp,
                            sigmoid, softmax)
from .warnings import UndefinedMetricWarning

__all__ = [
    "softmax", "log_softmax", "logsumexp", "sigmoid", "cross_entropy", "binary_cross_entropy",
    "accuracy", "confusion_matrix", "precision_recall_f1", "PrecisionRecallF1",
    "pr_curve", "average_precision_score", "roc_curve", "roc_auc", "threshold_counts",
    "UndefinedMetricWarning",
]

