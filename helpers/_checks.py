"""The one validation vocabulary of ``helpers``: one function per kind of argument.

Every public function checks its arguments with these, so a mistake gets the same
kind of message wherever it is made: the argument's name, what was wrong, and what
is expected, e.g. ``"alpha must be a real number in [0, 1], got 1.5"``.

Rules, everywhere:

* nothing is coerced that would lose information: ``True`` is not an int, ``16.7``
  is not a size, ``"False"`` is not a boolean;
* NumPy scalars count as the Python type they hold (``np.float32(1e-3)`` is a real,
  ``np.int64(3)`` an int, ``np.bool_(True)`` a boolean);
* a wrong *type* is a ``TypeError``, a wrong *value* (range, shape, NaN) a
  ``ValueError``; both subclass nothing new, so ``except ValueError`` keeps working.
"""
from __future__ import annotations

import numbers
import os
from collections import Counter
from collections.abc import Sequence

import numpy as np

__all__ = [
    "describe",
    "is_int",
    "is_real",
    "check_int",
    "check_real",
    "check_bool",
    "check_choice",
    "check_str",
    "check_path",
    "check_pair",
    "check_strings",
    "check_class_names",
    "check_image_shape",
    "check_array",
    "check_labels",
    "first_positions",
]


def describe(value) -> str:
    """A short description of ``value`` for an error message: type and repr."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {text}"


def first_positions(mask: np.ndarray, limit: int = 5) -> str:
    """``"3, 7, 9 (and 12 more)"``: where a boolean mask is True (flat indices)."""
    positions = np.flatnonzero(mask)
    shown = ", ".join(str(p) for p in positions[:limit])
    more = f" (and {len(positions) - limit} more)" if len(positions) > limit else ""
    return f"{shown}{more}"


def is_int(value) -> bool:
    """True for a Python or NumPy integer; False for booleans (``True`` is not 1 here)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value) -> bool:
    """True for a Python or NumPy real number (ints included); False for booleans."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _range_text(low, high, low_open: bool = False, high_open: bool = False) -> str:
    if low is not None and high is not None:
        left, right = ("(" if low_open else "["), (")" if high_open else "]")
        return f" in {left}{low}, {high}{right}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def check_int(value, name: str, *, low: int | None = None, high: int | None = None,
              note: str = "") -> int:
    """Return ``value`` as a Python int, or raise.

    Parameters
    ----------
    value
        An integer (Python or NumPy). ``True``/``False`` and floats such as ``64.0``
        are refused (``TypeError``), not coerced.
    name : str
        The argument's name, for the message.
    low, high : int or None
        Inclusive bounds (``ValueError`` outside them).
    note : str
        Appended to the ``ValueError`` message, e.g. to say what a value means.
    """
    if not is_int(value):
        raise TypeError(
            f"{name} must be an int{_range_text(low, high)}, got {describe(value)}"
        )
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(
            f"{name} must be an int{_range_text(low, high)}, got {value}{note}"
        )
    return value


def check_real(value, name: str, *, low: float | None = None, high: float | None = None,
               low_open: bool = False, high_open: bool = False, note: str = "") -> float:
    """Return ``value`` as a finite Python float, or raise.

    Ints and NumPy scalars are accepted (``np.float32(1e-3)``); booleans, strings
    and arrays are refused (``TypeError``); NaN, infinities and values outside
    ``[low, high]`` (open ends with ``low_open``/``high_open``) are a ``ValueError``.
    """
    if not is_real(value):
        raise TypeError(
            f"{name} must be a real number{_range_text(low, high, low_open, high_open)}, "
            f"got {describe(value)}"
        )
    value = float(value)
    expected = f"{name} must be a finite real number{_range_text(low, high, low_open, high_open)}"
    if not np.isfinite(value):
        raise ValueError(f"{expected}, got {value}{note}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        raise ValueError(f"{expected}, got {value}{note}")
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` as a Python bool; only ``True``/``False`` (or ``np.bool_``) pass.

    ``"False"``, ``"no"``, ``0`` and ``1`` are refused: a string ``"False"`` is truthy
    and would silently mean True.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {describe(value)}")


def check_choice(value, name: str, choices: Sequence):
    """Return ``value`` if it is one of ``choices``, or raise a message listing them."""
    listed = ", ".join(repr(c) for c in choices)
    if isinstance(value, (np.ndarray, list, tuple, dict, set)):
        known = False  # an array would compare element-wise (and is never a choice)
    else:
        try:
            known = bool(value in choices)
        except (TypeError, ValueError):  # unhashable or incomparable
            known = False
    if not known:
        same_kind = any(isinstance(value, type(c)) for c in choices)
        raise (ValueError if same_kind else TypeError)(
            f"{name} must be one of {listed}, got {describe(value)}"
        )
    return value


def check_str(value, name: str, *, optional: bool = False, allow_empty: bool = True):
    """Return ``value`` if it is a ``str`` (or ``None`` when ``optional``), else raise."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        expected = "a str" + (" or None" if optional else "")
        raise TypeError(f"{name} must be {expected}, got {describe(value)}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must be a non-empty str, got ''")
    return value


def check_path(value, name: str, *, optional: bool = False):
    """A ``str`` or ``os.PathLike`` (or ``None`` when ``optional``), returned unchanged."""
    if value is None and optional:
        return None
    if isinstance(value, (str, os.PathLike)) and not (isinstance(value, str) and not value):
        return value
    if isinstance(value, str):
        raise ValueError(f"{name} must be a non-empty path, got an empty string.")
    expected = "a path (str or pathlib.Path)" + (" or None" if optional else "")
    raise TypeError(f"{name} must be {expected}, got {describe(value)}.")


def check_pair(value, name: str, *, kind: str = "real", low=None, high=None,
               ordered: bool = False, words: tuple[str, str] = ("smallest", "largest"),
               allow_scalar: bool = False, note: str = "") -> tuple:
    """Return a pair of numbers ``(a, b)`` as Python ints or floats, or raise.

    Parameters
    ----------
    value : tuple, list or 1-D array of two numbers
        A string, a dict or a set is refused (``TypeError``); another length is a
        ``ValueError``.
    name : str
        The argument's name; the entries are named ``name[0] (smallest)`` etc.
    kind : {"int", "real"}
        Each entry is checked with :func:`check_int` or :func:`check_real`.
    low, high : number or None
        Inclusive bounds of each entry (keyword-only).
    ordered : bool
        Require ``a <= b`` (a range such as ``(smallest, largest)``).
    words : (str, str)
        What the two entries are, for the messages, e.g. ``("height", "width")``.
    allow_scalar : bool
        Accept one number ``s`` as the pair ``(s, s)`` (e.g. a square image's size).
    note : str
        Appended to a ``ValueError`` message (what the numbers mean).
    """
    check = {"int": check_int, "real": check_real}[kind]
    what = f"({words[0]}, {words[1]})"
    scalar = is_int(value) if kind == "int" else is_real(value)
    if allow_scalar and scalar:
        value = (value, value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        either = ("an int or " if kind == "int" else "a number or ") if allow_scalar else ""
        raise TypeError(f"{name} must be {either}a pair {what} of "
                        f"{'ints' if kind == 'int' else 'numbers'}, got {describe(value)}.")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair {what}, got {len(value)} value(s) {value!r}.")
    first = check(value[0], f"{name}[0] ({words[0]})", low=low, high=high, note=note)
    second = check(value[1], f"{name}[1] ({words[1]})", low=low, high=high, note=note)
    if ordered and first > second:
        raise ValueError(f"{name} must be a pair {what} with {words[0]} <= {words[1]}, "
                         f"got {value!r}{note}.")
    return first, second


def check_strings(values, name: str, *, length: int | None = None,
                  min_length: int = 0) -> tuple[str, ...]:
    """Return a sequence of str (a list, tuple or 1-D array of str) as a tuple, or raise.

    A single string is refused (``"ab"`` is not the two names ``"a"`` and ``"b"``).
    ``length`` requires exactly that many entries; ``min_length`` at least that many.
    """
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind == "U":
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of str, got {describe(values)}")
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise TypeError(f"{name}[{i}] must be a str, got {describe(value)}")
    if length is not None and len(values) != length:
        raise ValueError(f"{name} must have {length} entries, got {len(values)}")
    if len(values) < min_length:
        raise ValueError(f"{name} must have at least {min_length} entries, got {len(values)}")
    return tuple(values)


def check_class_names(values, name: str = "class_names", *,
                      choices: Sequence[str] | None = None) -> tuple[str, ...]:
    """Return class names as a tuple of unique, non-empty str, or raise.

    A list, tuple or 1-D array of str; a single string is refused (``"cat"`` is not
    the three classes ``"c"``, ``"a"``, ``"t"``). With ``choices``, every name must
    be one of them (a ``ValueError`` lists the choices).
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        example = tuple(choices)[:2] if choices else ("cat", "dog")
        raise TypeError(f"{name} must be a sequence of class names such as "
                        f"{example!r}, got {describe(values)}.")
    if len(values) == 0:
        raise ValueError(f"{name} must name at least one class, got none.")
    names = check_strings(values, name)
    empty = [i for i, item in enumerate(names) if not item.strip()]
    if empty:
        raise ValueError(f"{name} must hold non-empty names; {name}[{empty[0]}] is "
                         f"{names[empty[0]]!r}.")
    if choices is not None:
        for i, item in enumerate(names):
            check_choice(item, f"{name}[{i}]", tuple(choices))
    counts = Counter(names)
    repeated = sorted(item for item, count in counts.items() if count > 1)
    if repeated:
        raise ValueError(f"{name} must be unique; repeated: {repeated}.")
    return names


def check_image_shape(shape, name: str = "input_shape", *, min_side: int = 1,
                      max_side: int | None = None, multiple_of: int = 1,
                      max_channels: int = 4) -> tuple[int, int, int]:
    """Return ``(height, width, channels)`` as three Python ints, or raise.

    ``16.7`` is refused, not truncated; two values are refused with a hint to add
    the channels (``(28, 28, 1)`` for grey images). ``min_side``/``max_side`` bound
    height and width in pixels; ``multiple_of`` is a network's total stride.
    """
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a tuple (height, width, channels), got "
                        f"{describe(shape)}")
    if len(shape) != 3:
        raise ValueError(
            f"{name} must be (height, width, channels), got {len(shape)} values "
            f"{tuple(shape)!r}; for grey images use channels = 1, e.g. (28, 28, 1)")
    height = check_int(shape[0], f"{name}[0] (height)", low=min_side, high=max_side)
    width = check_int(shape[1], f"{name}[1] (width)", low=min_side, high=max_side)
    channels = check_int(shape[2], f"{name}[2] (channels)", low=1, high=max_channels)
    if height % multiple_of or width % multiple_of:
        raise ValueError(
            f"{name}'s height and width must be multiples of {multiple_of} (the "
            f"network's stride), got {height} x {width}")
    return height, width, channels


def check_array(values, name: str, *, ndim: int | Sequence[int] | None = None,
                dtype=np.float64, finite: bool = True, allow_empty: bool = False,
                shape_hint: str = "", allow_bool: bool = True) -> np.ndarray:
    """Return ``values`` as a NumPy array of ``dtype``, or raise.

    Parameters
    ----------
    values : array-like of numbers
        Strings, objects, complex numbers and ragged lists are refused (``TypeError``
        or ``ValueError``); booleans become 0/1 unless ``allow_bool=False``.
    name : str
        The argument's name.
    ndim : int, sequence of int or None
        Allowed numbers of dimensions.
    dtype : NumPy dtype or None
        The dtype returned (float64 by default); ``None`` keeps the input's numeric
        dtype (booleans and integers included).
    finite : bool
        Refuse NaN and infinities (checked after conversion).
    allow_empty : bool
        Accept a zero-size array.
    shape_hint : str
        What the shape should be, e.g. ``"(N, H, W)"``, for the message.
    allow_bool : bool
        Accept a boolean array as 0/1 for a float ``dtype`` (e.g. masks). With
        False, booleans are a ``TypeError`` (thresholds, scores, rates).
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got the string {values!r}")
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype.kind in "OUSVMm":
        example = array.ravel()[0] if array.size else None
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype} (e.g. {example!r})")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, got complex dtype {array.dtype}")
    expected = f" {shape_hint}" if shape_hint else ""
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            dims = " or ".join(str(d) for d in allowed)
            raise ValueError(
                f"{name} must be a {dims}-D array{expected}, got shape {array.shape}"
            )
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty (shape {array.shape}); expected{expected or ' values'}")
    target = array.dtype if dtype is None else np.dtype(dtype)
    if array.dtype.kind == "b" and target.kind == "f" and not allow_bool:
        raise TypeError(
            f"{name} must hold numbers, got booleans (dtype bool); convert them on purpose, "
            f"e.g. {name}.astype(float), if 0/1 is what you mean"
        )
    if target.kind in "iu" and array.dtype.kind == "f":
        fractional = np.isfinite(array) & (array != np.round(array))
        if fractional.any():
            raise ValueError(
                f"{name} must hold whole numbers, found {array.ravel()[np.flatnonzero(fractional)[0]]!r} "
                f"at position(s) {first_positions(fractional)}"
            )
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = ~np.isfinite(array)
        raise ValueError(
            f"{name} contains NaN or infinite values at position(s) {first_positions(bad)}"
        )
    return array.astype(target, copy=False)


def check_labels(values, name: str, *, n_classes: int | None = None,
                 allow_negative: bool = False) -> np.ndarray:
    """Return 1-D int64 class labels, or raise a clear error.

    Accepts integer and boolean arrays, and float arrays whose values are all whole
    numbers (``[0.0, 1.0, 2.0]``). Refuses empty arrays, NaN, fractions, 2-D arrays
    (one-hot rows or scores: the message says to take ``argmax(axis=1)``), negative
    labels (unless ``allow_negative``) and labels ``>= n_classes``.
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of class labels, got the string {values!r}")
    try:
        array = np.asarray(values)
    except ValueError as error:
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype.kind in "OUSVMmc":
        example = array.ravel()[0] if array.size else None
        raise TypeError(
            f"{name} must hold integer class labels, got dtype {array.dtype} (e.g. {example!r}). "
            "Class names must be mapped to integer indices first, e.g. "
            "[class_names.index(name) for name in names]."
        )
    if array.ndim != 1:
        hint = (" It looks like scores or one-hot rows: take the class with "
                f"{name}.argmax(axis=1)." if array.ndim == 2 else "")
        raise ValueError(
            f"{name} must be a 1-D array of class labels, got shape {array.shape}.{hint}"
        )
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one label is needed.")
    if array.dtype.kind == "b":
        return array.astype(np.int64)
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"{name} contains NaN or infinite values at position(s) {first_positions(bad)}; "
                "labels must be class indices 0, 1, 2, ..."
            )
        fractional = array != np.round(array)
        if fractional.any():
            first = array[np.flatnonzero(fractional)[0]]
            raise ValueError(
                f"{name} must be whole-number class indices, found {first!r} at position(s) "
                f"{first_positions(fractional)}. If these are probabilities or scores, turn them "
                "into labels first (e.g. (scores >= 0.5).astype(int) or probs.argmax(axis=1))."
            )
        huge = np.abs(array) >= 2.0**53     # beyond exact floats; int64 would wrap round
        if huge.any():
            raise ValueError(
                f"{name} must be class indices 0, 1, 2, ..., found {float(array[huge][0]):g} at "
                f"position(s) {first_positions(huge)}, far beyond any number of classes."
            )
    array = array.astype(np.int64)
    if not allow_negative and (array < 0).any():
        bad = array < 0
        raise ValueError(
            f"{name} must be class indices >= 0, found {array[bad][0]} at position(s) "
            f"{first_positions(bad)}."
        )
    if n_classes is not None and (array >= n_classes).any():
        bad = array >= n_classes
        raise ValueError(
            f"{name} has label {array[bad][0]} at position(s) {first_positions(bad)}, out of "
            f"range for n_classes={n_classes} (valid labels: 0 to {n_classes - 1})."
        )
    return array
