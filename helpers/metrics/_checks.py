"""Input checks shared by the metrics: one clear message per kind of mistake.

Nothing is silently coerced: labels must be whole numbers, scores must be finite,
arrays must be non-empty and of matching length. Booleans are accepted as labels
(``False`` = 0, ``True`` = 1) and whole-number floats such as ``1.0`` are accepted as
class indices, because both convert without losing anything.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np


class UndefinedMetricWarning(UserWarning):
    """A metric was asked for where it is undefined (e.g. precision with no positive
    prediction); a conventional value (0, 1 or NaN) was returned instead."""


def _first_positions(mask: np.ndarray, limit: int = 5) -> str:
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:limit])
    more = f" (and {len(positions) - limit} more)" if len(positions) > limit else ""
    return f"{shown}{more}"


def as_array(values, name: str) -> np.ndarray:
    """``np.asarray(values)`` that refuses strings and other non-numbers."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got the string {values!r}.")
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype.kind in "OUSV":
        example = array.ravel()[0] if array.size else None
        raise TypeError(
            f"{name} must hold numbers, got dtype {array.dtype} (e.g. {example!r}). "
            "Class names must be mapped to integer indices first, e.g. "
            "[class_names.index(name) for name in names]."
        )
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}.")
    return array


def check_labels(values, name: str, *, n_classes: int | None = None,
                 allow_negative: bool = False) -> np.ndarray:
    """Return 1-D int64 class labels, or raise a clear error.

    Accepts integer and boolean arrays, and float arrays whose values are all whole
    numbers (``[0.0, 1.0, 2.0]``). Refuses empty arrays, NaN, fractions, 2-D arrays,
    negative labels (unless ``allow_negative``) and labels ``>= n_classes``.
    """
    array = as_array(values, name)
    if array.ndim != 1:
        hint = (" It looks like scores or one-hot rows: take the predicted class with "
                f"{name}.argmax(axis=1)." if array.ndim == 2 else "")
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {array.shape}.{hint}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: the metric needs at least one sample.")
    if array.dtype.kind == "b":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"{name} contains NaN or infinite values at position(s) {_first_positions(bad)}; "
                "labels must be class indices 0, 1, 2, ..."
            )
        fractional = array != np.round(array)
        if fractional.any():
            first = array[np.flatnonzero(fractional)[0]]
            raise ValueError(
                f"{name} must be whole-number class indices, found {first!r} at position(s) "
                f"{_first_positions(fractional)}. If these are probabilities or scores, turn them "
                "into labels first (e.g. (scores >= 0.5).astype(int) or probs.argmax(axis=1))."
            )
        array = array.astype(np.int64)
    elif array.dtype.kind in "iu":
        array = array.astype(np.int64)
    else:  # pragma: no cover - every numeric kind is handled above
        raise TypeError(f"{name} must hold integer class labels, got dtype {array.dtype}.")
    if not allow_negative and (array < 0).any():
        bad = array < 0
        raise ValueError(
            f"{name} must be class indices >= 0, found {array[bad][0]} at position(s) "
            f"{_first_positions(bad)}."
        )
    if n_classes is not None and (array >= n_classes).any():
        bad = array >= n_classes
        raise ValueError(
            f"{name} has label {array[bad][0]} at position(s) {_first_positions(bad)}, out of "
            f"range for n_classes={n_classes} (valid labels: 0 to {n_classes - 1})."
        )
    return array


def check_scores(values, name: str = "y_score") -> np.ndarray:
    """Return 1-D float64 scores, or raise if empty, not 1-D, NaN or infinite."""
    array = as_array(values, name)
    if array.ndim != 1:
        hint = (" For one class k of a multi-class model, pass the column probs[:, k]."
                if array.ndim == 2 else "")
        raise ValueError(f"{name} must be a 1-D array with one score per sample, got shape {array.shape}.{hint}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: the metric needs at least one sample.")
    array = array.astype(np.float64)
    if np.isnan(array).any():
        raise ValueError(
            f"{name} contains NaN at position(s) {_first_positions(np.isnan(array))}. "
            "A NaN score usually means the model diverged or a softmax overflowed; "
            "fix the scores rather than the metric."
        )
    if np.isinf(array).any():
        raise ValueError(
            f"{name} contains infinite values at position(s) {_first_positions(np.isinf(array))}; "
            "scores must be finite."
        )
    return array


def check_same_length(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length (one entry per sample), "
            f"got {len(a)} and {len(b)}."
        )


def check_n_classes(n_classes) -> int | None:
    if n_classes is None:
        return None
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"n_classes must be an int or None, got {type(n_classes).__name__} {n_classes!r}.")
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}.")
    return int(n_classes)


def check_zero_division(zero_division) -> float:
    """The value to return where a ratio is 0/0: ``"warn"`` -> 0.0, or 0, 1 or NaN."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, numbers.Real) and not isinstance(zero_division, bool):
        if np.isnan(zero_division) or float(zero_division) in (0.0, 1.0):
            return float(zero_division)
    raise ValueError(
        f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}."
    )


def warn_undefined(message: str, stacklevel: int = 3) -> None:
    """Emit an :class:`UndefinedMetricWarning` pointing at the caller's caller."""
    warnings.warn(message, UndefinedMetricWarning, stacklevel=stacklevel)
