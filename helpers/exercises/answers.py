"""Comparing answers: the placeholder, the tolerance policy, and why two answers differ.

The tolerance policy (one for every exercise set)
-------------------------------------------------
**Values** (:class:`~helpers.exercises.questions.ValueQuestion`) are accepted at the
precision the text uses or the question states:

* a **count** (the expected answer is an ``int``) must be that whole number: ``198``
  and ``198.0`` pass, and so does float round-off such as ``4000 * (1 - 0.9505)``
  (``197.99999999999997``); ``198.5`` and ``197`` do not;
* a number the text gives to *d* decimals ("0.32 and 0.39") is accepted within half a
  unit of its *d*-th decimal: the question says ``decimals=d`` (:func:`decimals`);
* any other number is accepted when it agrees to :data:`SIGNIFICANT` = 3 significant
  figures: within half a unit of the expected value's third significant figure
  (:func:`significant`; 1e-6 around 0), so an answer rounded to 3 figures always
  passes, and one rounded to 2 is "close, keep more decimals";
* a question that needs another tolerance (a random experiment, an answer "to 2
  decimals") states it in its prompt or answer format and passes ``rtol=``/``atol=``.

**Functions** (:class:`~helpers.exercises.questions.FunctionQuestion`) are compared at
float32 precision, :data:`FLOAT32` (``rtol=1e-4``, ``atol=1e-6``): the same formula
computed in float32, or with the usual ``+ 1e-7`` in a denominator (Keras' epsilon),
passes; a different formula (a wrong axis, an off-by-one, a missing max-subtraction)
is off by far more. A question about precision itself (a finite difference, whose
float32 round-off is divided by the step) states its own tolerance and says why.

**Whole numbers inside arrays and tuples** (indices, boxes in pixels, counts) are
compared exactly, as counts are.

**Feedback** never shows two identical-looking numbers as "different":
:func:`difference_details` prints the expected and obtained values with enough digits
to tell them apart, and their largest absolute and relative difference.
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import Callable

import numpy as np

from .display import fmt

__all__ = ["____", "is_placeholder", "compare", "difference_details", "decimals",
           "significant", "SIGNIFICANT", "VALUE_ATOL", "FLOAT32"]

SIGNIFICANT = 3
"""Significant figures at which a value answer is accepted by default."""

VALUE_ATOL = 1e-6
"""Absolute tolerance of a value answer near 0 (an answer of 0 written as 1e-7)."""

FLOAT32 = {"rtol": 1e-4, "atol": 1e-6}
"""Tolerances of a function's outputs: float32 arithmetic and 1e-7 epsilons pass."""

_COUNT_NOISE = 1e-9   # relative float round-off allowed around a whole number


def significant(expected, digits: int = SIGNIFICANT) -> dict:
    """The tolerances of a value given to ``digits`` significant figures.

    Half a unit of the last figure kept, from the expected value's magnitude (the
    largest entry of an array; one tolerance per part of a tuple): for 0.7311,
    ``atol`` 0.0005, so 0.731 passes and 0.73 does not. Around 0, :data:`VALUE_ATOL`.
    """
    if isinstance(expected, (tuple, list)):
        parts = [significant(e, digits) for e in expected]
        return {"rtol": 0.0, "atol": tuple(p["atol"] for p in parts)}
    try:
        size = float(np.max(np.abs(np.asarray(expected, dtype=np.float64))))
    except (TypeError, ValueError):   # a string or a choice: no tolerance
        return {"rtol": 0.0, "atol": 0.0}
    if not np.isfinite(size) or size == 0:
        return {"rtol": 0.0, "atol": VALUE_ATOL}
    unit = 10.0 ** (np.floor(np.log10(size)) - (digits - 1))
    return {"rtol": 0.0, "atol": 0.5 * unit * (1 + 1e-9)}


def decimals(d: int) -> dict:
    """The tolerances of a value the text gives to ``d`` decimals: half a unit of the last.

    ``decimals(2)`` is ``{"rtol": 0, "atol": 0.005...}``: 0.3249 passes for 0.32.
    """
    return {"rtol": 0.0, "atol": 0.5 * 10.0 ** -d * (1 + 1e-9)}


# --------------------------------------------------------------------------- the placeholder
class _Placeholder:
    """The blank in an exercise cell. Replace it with your answer."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __reduce__(self):
        return (_Placeholder, ())


____ = _Placeholder()
"""Placeholder for an answer not given yet (``answer = ____``)."""


def is_placeholder(value) -> bool:
    """True for ``____`` and ``...``: the reader has not answered yet."""
    return value is ____ or value is Ellipsis


# --------------------------------------------------------------------------- comparing
def _is_sequence(value) -> bool:
    """True for the forms a several-part answer may take: a tuple, a list or a 1-D array."""
    return isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)


def _per_part(tolerance, n: int) -> tuple:
    """A tolerance for each of n parts: one number for all, or one per part."""
    if isinstance(tolerance, (tuple, list)):
        return tuple(tolerance)
    return (tolerance,) * n


def _integer_valued(expected) -> bool:
    """True for an int, an integer array (not bool): counts, indices, pixel boxes."""
    if isinstance(expected, (bool, np.bool_)):
        return False
    if isinstance(expected, (int, np.integer)):
        return True
    return isinstance(expected, np.ndarray) and expected.dtype.kind in "iu"


def _close(got_array, expected_array, rtol, atol, exact: bool) -> bool:
    """Within tolerance; for whole-number answers, the same whole numbers (float noise aside)."""
    if exact:
        if not np.isfinite(got_array).all():
            return False
        noise = _COUNT_NOISE * np.maximum(1.0, np.abs(expected_array))
        return bool(np.all(np.abs(got_array - expected_array) <= noise))
    return bool(np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True))


def compare(got, expected, *, rtol=1e-6, atol=VALUE_ATOL) -> str | None:
    """None when ``got`` matches ``expected``; otherwise a short reason why not.

    Numbers and arrays are compared with a tolerance (NaN only matches NaN), whole
    numbers (an ``int`` or integer array expected) exactly, strings case- and
    space-insensitively. A one-part answer (a number, a string) must be one value: a
    list or a 1-D array is refused, even of length one, as it is for choices. An
    expected tuple (a several-part answer) accepts a tuple, a list or a 1-D array of
    the same length, compared part by part; ``rtol`` and ``atol`` may then give one
    tolerance per part. A reason never quotes the expected answer, only what kind of
    answer is wanted.
    """
    if isinstance(expected, str):
        if not isinstance(got, str):
            return f"expected a string, got {_kind(got)}"
        return None if got.strip().lower() == expected.strip().lower() else "a different answer"
    if isinstance(expected, (tuple, list)) and not isinstance(expected, np.ndarray):
        if not _is_sequence(got):
            return (f"expected {len(expected)} values in a tuple, e.g. `(a, b)`, "
                    f"got {_kind(got)}")
        if len(got) != len(expected):
            return f"expected {len(expected)} values, got {len(got)}"
        rtols, atols = _per_part(rtol, len(expected)), _per_part(atol, len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            reason = compare(g, e, rtol=rtols[i], atol=atols[i])
            if reason is not None:
                return f"value {i + 1} of {len(expected)}: {reason}"
        return None
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return f"expected True or False, got {_kind(got)}"
        return None if bool(got) == bool(expected) else "the opposite truth value"
    if is_placeholder(got) or got is None:
        return f"expected a value, got {fmt(got)}"
    if isinstance(got, str):
        return f"expected a number, got the string {got!r}"
    if isinstance(got, (bool, np.bool_)) and not isinstance(expected, np.ndarray):
        return f"expected a number, got the truth value {got!r}"
    if np.ndim(expected) == 0 and _is_sequence(got):
        return f"expected one number, got {_kind(got)}"
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {_kind(got)}"
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        if got_array.size == expected_array.size == 1:
            got_array = got_array.reshape(expected_array.shape)
        else:
            return f"expected shape {expected_array.shape}, got shape {got_array.shape}"
    if _close(got_array, expected_array, rtol, atol, _integer_valued(expected)):
        return None
    if np.isnan(got_array).any() and not np.isnan(expected_array).any():
        return "the result contains NaN"
    if np.isinf(got_array).any() and not np.isinf(expected_array).any():
        return "the result contains inf"
    if _integer_valued(expected):
        return "different whole numbers"
    return "different values"


def difference_details(got, expected) -> list[tuple[str, str]]:
    """The ``expected``/``got`` lines of a feedback, never identical-looking when they differ.

    Values are printed with more digits until their texts differ, and a numeric
    difference is given as ``largest difference`` (absolute and relative).
    """
    rows = None
    for digits in (None, 8, 12, 17):
        e_text, g_text = fmt(expected, digits=digits), fmt(got, digits=digits)
        rows = [("expected", e_text), ("got", g_text)]
        if e_text != g_text:
            break
    try:
        g = np.asarray(got, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
        if g.shape == e.shape and g.size and np.isfinite(g).all() and np.isfinite(e).all():
            gap = np.abs(g - e)
            where = np.unravel_index(np.argmax(gap), gap.shape)
            scale = abs(float(e[where])) if e.ndim else abs(float(e))
            relative = f", relative {float(gap.max()) / scale:.2g}" if scale else ""
            rows.append(("largest difference", f"{float(gap.max()):.3g}{relative}"))
    except (TypeError, ValueError):
        pass
    return rows


def _kind(value) -> str:
    """What kind of thing a value is, for feedback: 'a list of 2 values', 'a float', ..."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} value{'s' if len(value) != 1 else ''}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (bool, np.bool_)):
        return "a truth value (True/False)"
    name = type(value).__name__
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _whole(value) -> bool:
    """A finite number with no fractional part beyond float round-off (12, 12.0)."""
    if not (_is_number(value) and bool(np.isfinite(value))):
        return False
    v = float(value)
    return abs(v - round(v)) <= _COUNT_NOISE * max(1.0, abs(v))


def _near_miss(got, expected, relative: float = 0.05) -> bool:
    """A number within ``relative`` of a non-zero expected number (a rounding slip)."""
    if isinstance(got, (str, bool, np.bool_)) or isinstance(expected, (str, bool, tuple, list)):
        return False
    try:
        got, expected = float(got), float(expected)
    except (TypeError, ValueError):
        return False
    return expected != 0 and np.isfinite(got) and abs(got - expected) <= relative * abs(expected)


def _has_nonfinite(value) -> bool:
    """True if a number/array (or a tuple of them) holds NaN or inf; False for anything else."""
    try:
        if isinstance(value, (tuple, list)):
            return any(_has_nonfinite(v) for v in value)
        array = np.asarray(value, dtype=np.float64)
        return not np.isfinite(array).all()
    except (TypeError, ValueError):
        return False


def _call_quietly(func: Callable, args, kwargs):
    """Call func on deep copies of the arguments, with NumPy's warnings silenced."""
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)
