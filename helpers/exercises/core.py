"""The machinery of the auto-checked exercises: questions, checks, feedback.

A chapter's exercises are an :class:`ExerciseSet` of :class:`Question` objects
(``ex.q1``, ``ex.q2``, ...). Each question answers three calls:

``check(answer)``  returns a :class:`Result`: truthy when correct; it shows itself
                   in Jupyter with a coloured label and prints as plain text.
``hint()``         a nudge, without the answer.
``solution()``     the reference answer, with a line on why it is right.

The blank to fill in is the placeholder ``____`` (four underscores, as in Kaggle
Learn), importable as ``from helpers.exercises import ____``. Checking it, or a
function that still returns it, says "not attempted yet" instead of "incorrect",
so a notebook whose exercises are untouched still runs from top to bottom. The
literal ``...`` (Ellipsis) is treated the same way.

There are two kinds of question:

* :class:`ValueQuestion`: the answer is a number, an array, a string or a tuple of
  those, compared with a tolerance.
* :class:`FunctionQuestion`: the answer is a function; the checker calls it on
  its own test inputs (including the edge cases a reader may not think of) and
  compares with the reference solution. The reference *is* the code that
  ``solution()`` shows, executed, so the two cannot drift apart.

Both know typical mistakes (:class:`Mistake`): a wrong answer that matches one
gets a specific explanation rather than only "expected X, got Y".
"""
from __future__ import annotations

import copy
import html
import re
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["____", "is_placeholder", "Result", "Hint", "Solution", "Mistake", "Case",
           "Question", "ValueQuestion", "FunctionQuestion", "ExerciseSet", "CORRECT",
           "INCORRECT", "NOT_ATTEMPTED"]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"

_LABELS = {CORRECT: ("Correct", "#1b7f3b"), INCORRECT: ("Incorrect", "#c62828"),
           NOT_ATTEMPTED: ("Not attempted yet", "#1565c0")}


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


# --------------------------------------------------------------------------- formatting
def fmt(value, max_chars: int = 240) -> str:
    """A short, copy-pasteable text form of a value (arrays as ``np.array([...])``)."""
    if isinstance(value, np.ndarray):
        body = np.array2string(value, separator=", ", precision=4, threshold=30, edgeitems=3,
                               max_line_width=100, suppress_small=False)
        plain = value.dtype in (np.dtype(np.float64), np.dtype(np.int64), np.dtype(bool))
        dtype = "" if plain else f", dtype=np.{value.dtype}"
        text = f"np.array({body}{dtype})"
        if value.size > 30:
            text += f"  # shape {value.shape}"
    elif isinstance(value, (bool, np.bool_)):
        text = repr(bool(value))
    elif isinstance(value, np.integer):
        text = repr(int(value))
    elif isinstance(value, (float, np.floating)):
        if np.isfinite(value):
            text = f"{float(value):.6g}"
            text += "" if any(c in text for c in ".e") else ".0"
        else:
            text = repr(float(value)).replace("inf", "np.inf").replace("nan", "np.nan")
    elif isinstance(value, tuple):
        inner = ", ".join(fmt(v, max_chars) for v in value)
        text = f"({inner}{',' if len(value) == 1 else ''})"
    elif isinstance(value, list) and len(value) <= 30:
        text = "[" + ", ".join(fmt(v, max_chars) for v in value) + "]"
    else:
        text = repr(value)
    if len(text) > max_chars:
        text = text[: max_chars - 5] + " ...]"
    return text


# Colours that read on light and dark pages alike (JupyterLab, Colab, the book's dark
# mode): text inherits the page's colour, greys are the page colour made fainter, and
# code spans get a translucent background instead of the theme's (light) one.
_CODE_STYLE = ("color:inherit;background:rgba(127,127,127,0.2);padding:0 0.25em;"
               "border-radius:3px;font-size:0.95em")
_PRE_STYLE = "color:inherit;background:transparent;border:none;padding:0;"
_FAINT = "opacity:0.75"


def _inline_html(text: str) -> str:
    """Escape, then render `code` spans and **bold** (the only markup messages use)."""
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", rf"<code style='{_CODE_STYLE}'>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", escaped)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Result:
    """What ``check()`` returns. ``bool(result)`` is True only when correct.

    Attributes
    ----------
    status : str
        ``"correct"``, ``"incorrect"`` or ``"not attempted"``.
    message : str
        One or two sentences (with `code` in backticks).
    details : tuple of (str, str)
        Labelled lines shown under the message, e.g. ``("expected", "0.9")``.
    question : str
        Which question, e.g. ``"Question 2"``.
    """

    status: str
    message: str
    details: tuple[tuple[str, str], ...] = ()
    question: str = ""

    def __bool__(self) -> bool:
        return self.status == CORRECT

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    @property
    def label(self) -> str:
        return _LABELS[self.status][0]

    def __str__(self) -> str:
        where = f" ({self.question})" if self.question else ""
        lines = [f"{self.label}{where}: {self.message}"]
        width = max((len(name) for name, _ in self.details), default=0)
        for name, value in self.details:
            value_lines = str(value).splitlines() or [""]
            lines.append(f"  {name + ':':<{width + 1}} {value_lines[0]}")
            lines.extend(f"  {'':<{width + 1}} {more}" for more in value_lines[1:])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        label, colour = _LABELS[self.status]
        where = f" <span style='{_FAINT}'>({html.escape(self.question)})</span>" if self.question else ""
        rows = "".join(
            f"<tr><td style='text-align:left;padding-right:1em;{_FAINT}'>{html.escape(name)}</td>"
            f"<td style='text-align:left'><pre style='margin:0;white-space:pre-wrap;{_PRE_STYLE}'>"
            f"{html.escape(str(value))}</pre></td></tr>"
            for name, value in self.details)
        table = f"<table style='margin:0.3em 0 0 1em'>{rows}</table>" if rows else ""
        return (f"<div style='border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.3em 0'>"
                f"<span style='color:{colour};font-weight:bold'>{label}</span>{where}: "
                f"{_inline_html(self.message)}{table}</div>")

    def _repr_markdown_(self) -> str:
        label, colour = _LABELS[self.status]
        where = f" ({self.question})" if self.question else ""
        text = f"<span style='color:{colour}'>**{label}**</span>{where}: {self.message}"
        if self.details:
            block = "\n".join(f"{name}: {value}" for name, value in self.details)
            text += "\n\n```text\n" + block + "\n```"
        return text


@dataclass(frozen=True)
class Hint:
    """What ``hint()`` returns: shows itself in Jupyter, prints as text."""

    question: str
    text: str

    def __str__(self) -> str:
        return f"Hint ({self.question}): {self.text}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return (f"<div style='border-left:4px solid #f9a825;padding:0.3em 0.8em;margin:0.3em 0'>"
                f"<span style='color:#b27b00;font-weight:bold'>Hint</span> "
                f"<span style='{_FAINT}'>({html.escape(self.question)})</span>: {_inline_html(self.text)}</div>")

    def _repr_markdown_(self) -> str:
        return f"<span style='color:#b27b00'>**Hint**</span> ({self.question}): {self.text}"


@dataclass(frozen=True)
class Solution:
    """What ``solution()`` returns: the reference code and why it is right."""

    question: str
    code: str
    explanation: str = ""

    def __str__(self) -> str:
        text = f"Solution ({self.question}):\n{textwrap.indent(self.code, '    ')}"
        return text + (f"\n{self.explanation}" if self.explanation else "")

    __repr__ = __str__

    def _repr_html_(self) -> str:
        why = f"<p style='margin:0.3em 0 0 0'>{_inline_html(self.explanation)}</p>" if self.explanation else ""
        return (f"<div style='border-left:4px solid #6a1b9a;padding:0.3em 0.8em;margin:0.3em 0'>"
                f"<span style='color:#6a1b9a;font-weight:bold'>Solution</span> "
                f"<span style='{_FAINT}'>({html.escape(self.question)})</span>:"
                f"<pre style='margin:0.3em 0 0 0;{_PRE_STYLE}'>{html.escape(self.code)}</pre>{why}</div>")

    def _repr_markdown_(self) -> str:
        why = f"\n\n{self.explanation}" if self.explanation else ""
        return f"<span style='color:#6a1b9a'>**Solution**</span> ({self.question}):\n\n```python\n{self.code}\n```{why}"


# --------------------------------------------------------------------------- comparing
def _is_sequence(value) -> bool:
    """True for the forms a several-part answer may take: a tuple, a list or a 1-D array."""
    return isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)


def _per_part(tolerance, n: int) -> tuple:
    """A tolerance for each of n parts: one number for all, or one per part."""
    if isinstance(tolerance, (tuple, list)):
        return tuple(tolerance)
    return (tolerance,) * n


def compare(got, expected, *, rtol=1e-6, atol=1e-9) -> str | None:
    """None when ``got`` matches ``expected``; otherwise a short reason why not.

    Numbers and arrays are compared with a tolerance (NaN only matches NaN),
    strings case- and space-insensitively. A one-part answer (a number, a
    string) must be one value: a list or a 1-D array is refused, even of length
    one, as it is for choices. An expected tuple (a several-part
    answer) accepts a tuple, a list or a 1-D array of the same length, compared
    part by part; ``rtol`` and ``atol`` may then give one tolerance per part.
    A reason never quotes the expected answer, only what kind of answer is wanted.
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
    if np.allclose(got_array, expected_array, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if np.isnan(got_array).any() and not np.isnan(expected_array).any():
        return "the result contains NaN"
    if np.isinf(got_array).any() and not np.isinf(expected_array).any():
        return "the result contains inf"
    return "different values"


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
    """A finite number with no fractional part (an int, or a float such as 12.0)."""
    return _is_number(value) and bool(np.isfinite(value)) and float(value) == round(float(value))


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


# --------------------------------------------------------------------------- mistakes and cases
@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and what to say about it.

    Give one of:

    * ``wrong``: for a value question, the wrong value; for a function question, a
      wrong *implementation*: if the reader's output on a failing test input
      matches its output, the mistake is recognised;
    * ``test``: a predicate ``test(got, expected, case) -> bool`` on the reader's
      answer (value questions: ``case`` is None).
    """

    message: str
    wrong: Any = None
    test: Callable | None = None

    def matches(self, got, expected, case=None, *, rtol=1e-6, atol=1e-9) -> bool:
        """Does the answer ``got`` (on ``case``, for a function question) show this mistake?

        A wrong *value* is matched with the question's tolerances ``rtol``/``atol``.

        For a wrong *implementation*, see :meth:`FunctionQuestion.check`: it must
        agree with the reader's function on every test input, not on one only.
        """
        try:
            if self.test is not None:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    return bool(self.test(got, expected, case))
            return compare(got, self.wrong, rtol=rtol, atol=atol) is None
        except Exception:  # a detector must never break a check
            return False


@dataclass(frozen=True)
class Case:
    """One test input for a function question: ``func(*args, **kwargs)``.

    ``note`` says what is special about it ("huge logits", "a class never
    predicted"); it is shown when this input breaks the reader's function.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    note: str = ""

    def call_text(self, name: str) -> str:
        parts = [fmt(a) for a in self.args] + [f"{k}={fmt(v)}" for k, v in self.kwargs.items()]
        return f"{name}({', '.join(parts)})"


# --------------------------------------------------------------------------- questions
class Question:
    """Base class: a prompt, hints, a solution, and ``check``.

    Parameters
    ----------
    prompt : str
        One line saying what to answer (shown by ``ExerciseSet``'s summary).
    hint : str or sequence of str
        One or more hints, from gentle to explicit.
    solution : str
        Reference code, shown by ``solution()``.
    why : str
        One line saying why the answer is right, shown with "Correct".
    mistakes : sequence of Mistake
    """

    def __init__(self, prompt: str, *, hint: str | Sequence[str], solution: str, why: str,
                 mistakes: Sequence[Mistake] = ()):
        self.prompt = prompt
        self.hints = (hint,) if isinstance(hint, str) else tuple(hint)
        self.solution_code = textwrap.dedent(solution).strip()
        self.why = why
        self.mistakes = tuple(mistakes)
        self.name = "Question"

    # ---- what the reader calls
    def check(self, answer=____) -> Result:  # pragma: no cover - overridden
        raise NotImplementedError

    def hint(self, n: int | None = None) -> Hint:
        """The hints (all of them, or only the n-th, counting from 1)."""
        if n is None:
            texts = self.hints
        else:
            if not 1 <= n <= len(self.hints):
                raise ValueError(f"{self.name} has {len(self.hints)} hint(s); ask for 1 to {len(self.hints)}.")
            texts = (self.hints[n - 1],)
        if len(texts) == 1:
            return Hint(self.name, texts[0])
        return Hint(self.name, " ".join(f"({i}) {t}" for i, t in enumerate(texts, 1)))

    def solution(self) -> Solution:
        """The reference answer and why it is right."""
        return Solution(self.name, self.solution_code, self.why)

    # ---- helpers
    def _result(self, status: str, message: str, details=()) -> Result:
        return Result(status, message, tuple(details), self.name)

    def _not_attempted(self, what: str) -> Result:
        return self._result(NOT_ATTEMPTED, f"replace `____` with {what}, then run the cell again. "
                                           f"(`{self._attr}.hint()` gives a hint.)")

    @property
    def _attr(self) -> str:
        return "ex." + self.name.replace("Question ", "q")

    def __repr__(self) -> str:
        return f"{self.name}: {self.prompt}"


class ValueQuestion(Question):
    """The answer is a value: a number, an array, a string, or a tuple of those.

    Parameters
    ----------
    expected : object
        The right answer (compared with :func:`compare`).
    rtol, atol : float or tuple of float
        Tolerances for numbers; for a tuple answer, one number for every part or
        one per part (e.g. ``atol=(0.06, 0.02)``). Known wrong values are matched
        with the same tolerances.
    choices : sequence of str, optional
        For a multiple-choice question: the allowed answers (an answer outside
        them is reported as such).
    what : str
        The form of the answer, shown in feedback ("a number between 0 and 1",
        "one letter, 'a' to 'd'"); it must never give the answer away.
    """

    def __init__(self, prompt: str, expected, *, rtol=1e-6, atol=1e-9,
                 choices: Sequence[str] | None = None, what: str = "your answer", **kwargs):
        super().__init__(prompt, **kwargs)
        self.expected = expected
        self.rtol, self.atol = rtol, atol
        self.choices = tuple(choices) if choices is not None else None
        self.what = what

    def check(self, answer=____) -> Result:
        """Compare ``answer`` with the expected value; return a :class:`Result`.

        One rule for several-part answers, choices or numbers alike: a tuple, a
        list or a 1-D array of the right length is accepted. A one-part choice is
        a plain string; a string inside a list or tuple is reported as such.
        """
        if is_placeholder(answer) or (_is_sequence(answer) and not isinstance(answer, np.ndarray)
                                      and any(is_placeholder(a) for a in answer)):
            return self._not_attempted(self.what)
        # say what kind of answer is expected, never the answer itself
        details = [("your answer", fmt(answer)), ("answer format", self.what)]
        if self.choices is not None:
            problem = self._choice_problem(answer)
            if problem is not None:
                return self._result(INCORRECT, problem, details)
        reason = compare(answer, self.expected, rtol=self.rtol, atol=self.atol)
        if reason is None:
            return self._result(CORRECT, self.why)
        for mistake in self.mistakes:
            if mistake.matches(answer, self.expected, rtol=self.rtol, atol=self.atol):
                return self._result(INCORRECT, mistake.message, details)
        if _whole(self.expected) and _is_number(answer) and not _whole(answer):
            return self._result(INCORRECT, "the answer is a whole number (a count): "
                                f"{fmt(answer)} cannot be right. Try again, or ask "
                                f"`{self._attr}.hint()`.", details)
        if _near_miss(answer, self.expected):
            advice = ("check the arithmetic" if _whole(self.expected)
                      else "check the arithmetic and keep more decimals")
            return self._result(INCORRECT, f"close, but not within the tolerance: {advice}.",
                                details)
        return self._result(INCORRECT, f"not quite ({reason}). Try again, or ask `{self._attr}.hint()`.",
                            details)

    def _choice_problem(self, answer) -> str | None:
        """What is wrong with the *form* of a multiple-choice answer, or None."""
        listed = ", ".join(f"`{c!r}`" for c in self.choices)
        several = isinstance(self.expected, tuple)
        if not several:
            if _is_sequence(answer):
                return (f"give one choice as a plain string, not {_kind(answer)}; "
                        f"the choices are {listed}.")
            given = (answer,)
        else:
            if not _is_sequence(answer):
                return (f"give {len(self.expected)} choices in a tuple, e.g. `(x, y)`, "
                        f"not {_kind(answer)}; each is one of {listed}.")
            if len(answer) != len(self.expected):
                return f"give exactly {len(self.expected)} choices, not {len(answer)}."
            given = tuple(answer)
        allowed = {c.lower() for c in self.choices}
        outside = [a for a in given if not isinstance(a, str) or a.strip().lower() not in allowed]
        if outside:
            return f"{fmt(outside[0])} is not one of the choices: {listed}."
        return None


class FunctionQuestion(Question):
    """The answer is a function, called on the question's own test inputs.

    Parameters
    ----------
    function_name : str
        The name the prompt asks for (used in messages and to find the reference
        in the solution code).
    cases : sequence of Case
        Test inputs, simple ones first, edge cases after.
    rtol, atol : float
        Tolerances when comparing outputs.
    preamble : str
        Code run before the solution (e.g. ``import numpy as np``); not shown.
    error_advice : dict of exception type to str, optional
        Advice added when the reader's function raises that kind of exception
        (e.g. ``ZeroDivisionError``: "what should precision be when ...").
    """

    def __init__(self, prompt: str, function_name: str, cases: Sequence[Case], *,
                 rtol: float = 1e-6, atol: float = 1e-9, preamble: str = "import numpy as np",
                 error_advice: dict | None = None, **kwargs):
        super().__init__(prompt, **kwargs)
        self.error_advice = dict(error_advice or {})
        self.function_name = function_name
        self.preamble = preamble
        self.cases = tuple(cases)
        self.rtol, self.atol = rtol, atol
        namespace: dict[str, Any] = {}
        exec(preamble + "\n" + self.solution_code, namespace)  # the shown code *is* the reference
        self.reference = namespace[function_name]

    def check(self, answer=____) -> Result:
        """Call ``answer`` on every test input and compare with the reference."""
        if is_placeholder(answer):
            return self._not_attempted(f"your function `{self.function_name}`")
        if not callable(answer):
            return self._result(
                INCORRECT,
                f"expected a function, got {type(answer).__name__} {fmt(answer, 60)}. Pass the function "
                f"itself, without calling it: `{self._attr}.check({self.function_name})`.")
        for case in self.cases:
            call = case.call_text(self.function_name)
            note = f" ({case.note})" if case.note else ""
            expected = _call_quietly(self.reference, case.args, case.kwargs)
            try:
                got = _call_quietly(answer, case.args, case.kwargs)
            except Exception as error:  # the reader's bug: report it, never crash
                if "'____'" in str(error) or "_Placeholder" in str(error):
                    # the blank is still in the code (computed with, or not even imported)
                    return self._result(
                        NOT_ATTEMPTED, f"`{self.function_name}` still contains the blank `____`. "
                        "Replace it with your code, then run the cell again.")
                return self._raised(error, call, note, expected)
            if is_placeholder(got):
                return self._not_attempted(f"code in `{self.function_name}` that returns the answer")
            reason = compare(got, expected, rtol=self.rtol, atol=self.atol)
            if reason is None:
                continue
            details = [("input", call), ("expected", fmt(expected)), ("got", fmt(got))]
            mistake = self._recognise(answer, got, expected, case)
            if mistake is not None:
                return self._result(INCORRECT, f"on a test input{note}: {mistake.message}", details)
            return self._result(INCORRECT, f"wrong result on a test input{note}: {reason}.", details)
        return self._result(CORRECT, f"all {len(self.cases)} test inputs pass. {self.why}")

    def _raised(self, error: Exception, call: str, note: str, expected) -> Result:
        """The result for a reader's function that raised on a test input."""
        advice = next((" " + text for kind, text in self.error_advice.items()
                       if isinstance(error, kind)), "")
        return self._result(
            INCORRECT, f"your function raised an exception on a test input{note}.{advice}",
            [("input", call), ("exception", f"{type(error).__name__}: {error}"),
             ("expected", fmt(expected))])

    def _recognise(self, answer, got, expected, failing_case) -> Mistake | None:
        """The first known mistake that explains the reader's function, if any.

        A wrong implementation is recognised only when it differs from the reference
        on the failing input and agrees with the reader's function on *every* test
        input, so one coincidental number is not taken for a diagnosis.
        """
        for mistake in self.mistakes:
            if not callable(mistake.wrong):
                if mistake.matches(got, expected, failing_case):
                    return mistake
                continue
            try:
                wrong_here = _call_quietly(mistake.wrong, failing_case.args, failing_case.kwargs)
                if compare(wrong_here, expected) is None:
                    continue
                if compare(got, wrong_here, rtol=self.rtol, atol=self.atol) is not None:
                    continue
                if all(self._agrees(answer, mistake.wrong, c) for c in self.cases):
                    return mistake
            except Exception:  # a detector must never break a check
                continue
        return None

    def _agrees(self, answer, wrong, case) -> bool:
        """Does the reader's function give the wrong implementation's output on ``case``?

        Inputs where the reader's function raises or returns NaN/inf are skipped: they
        are a second bug, which the message for that input will point out.
        """
        try:
            got = _call_quietly(answer, case.args, case.kwargs)
        except Exception:
            return True
        if _has_nonfinite(got):
            return True
        return compare(got, _call_quietly(wrong, case.args, case.kwargs),
                       rtol=self.rtol, atol=self.atol) is None


# --------------------------------------------------------------------------- a chapter's set
class ExerciseSet:
    """The exercises of one chapter: ``ex.q1``, ``ex.q2``, ...

    Parameters
    ----------
    slug : str
        The chapter's name for :func:`helpers.exercises.load`.
    title : str
    questions : sequence of Question
        Numbered from 1 in this order.
    """

    def __init__(self, slug: str, title: str, questions: Sequence[Question]):
        self.slug, self.title = slug, title
        self.questions = tuple(questions)
        for number, question in enumerate(self.questions, 1):
            question.name = f"Question {number}"
            setattr(self, f"q{number}", question)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def __str__(self) -> str:
        lines = [f"Exercises: {self.title} ({len(self)} questions)"]
        lines += [f"  ex.q{i}: {q.prompt}" for i, q in enumerate(self.questions, 1)]
        lines.append("Answer with ex.qN.check(answer); ex.qN.hint() and ex.qN.solution() help.")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"- `ex.q{i}`: {q.prompt}" for i, q in enumerate(self.questions, 1))
        return (f"**Exercises: {self.title}** ({len(self)} questions)\n\n{rows}\n\n"
                "Answer with `ex.qN.check(answer)`; `ex.qN.hint()` and `ex.qN.solution()` help.")
