"""What is specific to the metrics' inputs; the checks themselves are :mod:`helpers._checks`.

Nothing is silently coerced: labels must be whole numbers, scores must be finite,
arrays must be non-empty and of matching length. Booleans are accepted as labels
(``False`` = 0, ``True`` = 1) and whole-number floats such as ``1.0`` are accepted as
class indices, because both convert without losing anything.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_int, describe, first_positions, is_real

__all__ = ["as_array", "check_scores",
           "check_same_length", "check_n_classes", "check_axis", "check_class_count",
           "check_zero_division", "MAX_CLASSES", "MAX_INFERRED_CLASSES"]

#: Largest number of classes a metric accepts: a K x K int64 confusion matrix of
#: 16,384 classes already takes 2 GiB.
MAX_CLASSES = 16_384
#: Largest number of classes inferred from the labels alone (``max label + 1``);
#: beyond it, a label such as 10**6 is far more likely a mistake than a class.
MAX_INFERRED_CLASSES = 1_000


def as_array(values, name: str) -> np.ndarray:
    """``np.asarray(values)`` that refuses strings and other non-numbers; dtype kept."""
    return check_array(values, name, dtype=None, finite=False, allow_empty=True)


def check_scores(values, name: str = "y_score") -> np.ndarray:
    """Return 1-D float64 scores, or raise if empty, not 1-D, NaN or infinite."""
    array = as_array(values, name)
    if array.ndim != 1:
        hint = (" For one class k of a multi-class model, pass the column probs[:, k]."
                if array.ndim == 2 else "")
        raise ValueError(
            f"{name} must be a 1-D array with one score per sample, got shape {array.shape}.{hint}"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty: the metric needs at least one sample.")
    array = array.astype(np.float64)
    if np.isnan(array).any():
        raise ValueError(
            f"{name} contains NaN at position(s) {first_positions(np.isnan(array))}. "
            "A NaN score usually means the model diverged or a softmax overflowed; "
            "fix the scores rather than the metric."
        )
    return check_array(array, name)


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length (one entry per sample), "
            f"got {len(a)} and {len(b)}."
        )


def check_n_classes(n_classes) -> int | None:
    """``None``, or an int in ``[1, MAX_CLASSES]``."""
    if n_classes is None:
        return None
    return check_int(n_classes, "n_classes", low=1, high=MAX_CLASSES,
                     note=" (a K x K confusion matrix must fit in memory)")


def check_class_count(k: int, *names: str) -> int:
    """Refuse a number of classes *inferred* as ``max(label) + 1`` that is implausibly large."""
    if k > MAX_INFERRED_CLASSES:
        raise ValueError(
            f"{' / '.join(names)} hold a label of {k - 1}, so the number of classes inferred "
            f"from them is {k}; labels must be class indices 0 .. K-1. If there really are "
            f"{k} classes, pass n_classes={k} (at most {MAX_CLASSES})."
        )
    return k


def check_axis(axis, ndim: int, name: str = "axis") -> int:
    """An int axis of an array with ``ndim`` dimensions (negative counts from the end)."""
    return check_int(axis, name, low=-max(ndim, 1), high=max(ndim, 1) - 1,
                     note=f" (the array has {ndim} dimension(s))")


def check_zero_division(zero_division) -> float:
    """The value to return where a ratio is 0/0: ``"warn"`` -> 0.0, or 0, 1 or NaN."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif is_real(zero_division):
        if np.isnan(zero_division) or float(zero_division) in (0.0, 1.0):
            return float(zero_division)
    raise (ValueError if isinstance(zero_division, str) or is_real(zero_division)
           else TypeError)(
        f"zero_division must be 'warn', 0, 1 or np.nan, got {describe(zero_division)}."
    )

