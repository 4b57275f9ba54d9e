"""The questions: what a reader answers, how it is checked, and a chapter's set.

A chapter's exercises are an :class:`ExerciseSet` of questions (``ex.q1``,
``ex.q2``, ...). Each question answers three calls:

``check(answer)``  returns a :class:`~helpers.exercises.display.Result`: truthy when
                   correct; it shows itself in Jupyter and prints as plain text.
``hint()``         one hint per call, from gentle to explicit; the last one, close to
                   the answer, says so.
``solution()``     the reference answer, with a line on why it is right.

The blank to fill in is the placeholder ``____``; checking it, or a function that still
returns it, says "not attempted yet" instead of "incorrect", so a notebook whose
exercises are untouched runs from top to bottom.

Three kinds of question:

* :class:`ValueQuestion`: the answer is a number, an array, a string or a tuple of
  those, compared under the tolerance policy of :mod:`helpers.exercises.answers`.
* :class:`ChoiceQuestion`: multiple choice, one letter. A wrong letter is only called
  wrong the first time; why it is wrong is said after a second wrong answer (or with
  the right one), so trying letters one by one teaches nothing for free.
* :class:`FunctionQuestion`: the answer is a function; the checker calls it on its own
  test inputs (including the edge cases a reader may not think of) and compares it
  with the reference solution at float32 precision. The reference *is* the code that
  ``solution()`` shows, executed, so the two cannot drift apart.

All know typical mistakes (:class:`Mistake`): a wrong answer that matches one gets a
specific explanation rather than only "expected X, got Y".
"""
from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .answers import (FLOAT32, VALUE_ATOL, ____, _call_quietly, _has_nonfinite,
                      _integer_valued, _is_number, _is_sequence, _kind, _near_miss, _whole,
                      compare, significant,
                      difference_details, is_placeholder)
from .display import CORRECT, INCORRECT, NOT_ATTEMPTED, Hint, Result, Solution, fmt

__all__ = ["Mistake", "Case", "Question", "ValueQuestion", "ChoiceQuestion",
           "FunctionQuestion", "ExerciseSet"]


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

    def matches(self, got, expected, case=None, *, rtol=0.0, atol=VALUE_ATOL) -> bool:
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
        self._hints_shown = 0

    # ---- what the reader calls
    def check(self, answer=____) -> Result:  # pragma: no cover - overridden
        raise NotImplementedError

    def hint(self, n: int | None = None) -> Hint:
        """One hint per call: the first, then the next on the next call.

        Hints go from gentle to explicit; the last of several is marked as close to
        the answer, and asking again after it repeats it and points to
        ``solution()``. ``hint(n)`` shows the n-th (counting from 1) and does not
        move on.
        """
        total = len(self.hints)
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= total:
                raise ValueError(f"{self.name} has {total} hint(s); ask for 1 to {total}, "
                                 f"got {n!r}.")
            return Hint(self.name, self.hints[n - 1], int(n), total)
        self._hints_shown = min(self._hints_shown + 1, total + 1)
        number = min(self._hints_shown, total)
        if self._hints_shown > total:
            note = f"no more hints: `{self._attr}.solution()` shows the answer"
        elif number < total:
            note = f"`{self._attr}.hint()` again gives the next"
        else:
            note = ""
        return Hint(self.name, self.hints[number - 1], number, total, note)

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
    rtol, atol : float or tuple of float, optional
        Tolerances for numbers, by default the policy's 3 significant figures
        (:func:`~helpers.exercises.answers.significant`); a question whose text gives
        its numbers to d decimals passes ``**decimals(d)``. For a tuple answer, one
        number for every part or one per part (e.g. ``atol=(0.06, 0.02)``). Known
        wrong values are matched with the same tolerances. An ``int`` expected is a
        count, compared exactly.
    fact : bool
        True when the answer is a fact from the text (80 classes), not a calculation:
        a near miss is then not called an arithmetic slip.
    choices : sequence of str, optional
        For a multiple-choice question: the allowed answers (an answer outside
        them is reported as such, with the list).
    aliases : mapping of str to str, optional
        Other spellings of a choice, accepted as it (``{"localisation":
        "localization"}``).
    name_parts : bool
        For a several-part answer, whether feedback may say which part is wrong.
        False where the parts can be guessed one at a time (four words from five):
        then it says only that not all are right.
    what : str
        The form of the answer, shown in feedback ("a number between 0 and 1",
        "one letter, 'a' to 'd'"); it must never give the answer away.
    """

    def __init__(self, prompt: str, expected, *, rtol=None, atol=None,
                 fact: bool = False, choices: Sequence[str] | None = None,
                 aliases: Mapping[str, str] | None = None, name_parts: bool = True,
                 what: str = "your answer", **kwargs):
        super().__init__(prompt, **kwargs)
        self.expected = expected
        policy = significant(expected)
        self.rtol = policy["rtol"] if rtol is None else rtol
        self.atol = policy["atol"] if atol is None else atol
        self.fact = fact
        self.aliases = {k.lower(): v for k, v in (aliases or {}).items()}
        self.name_parts = name_parts
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
        answer = self._spelled(answer)
        if self.choices is not None:
            problem = self._choice_problem(self._spelled(answer))
            if problem is not None:
                return self._result(INCORRECT, problem, details)
        reason = compare(answer, self.expected, rtol=self.rtol, atol=self.atol)
        if reason is None:
            return self._result(CORRECT, self.why)
        if not self.name_parts and reason.startswith("value "):
            reason = f"not all {len(self.expected)} are right"
        mistake = self._recognise(answer)
        if mistake is not None:
            return self._result(INCORRECT, mistake.message, details)
        if _integer_valued(self.expected) and _is_number(answer) and not _whole(answer):
            return self._result(INCORRECT, "the answer is a whole number (a count): "
                                f"{fmt(answer)} cannot be right. Try again, or ask "
                                f"`{self._attr}.hint()`.", details)
        if _near_miss(answer, self.expected) and self.fact:
            return self._result(INCORRECT, "not that number: it is a fact given in the text, "
                                "not a calculation. Look it up there, or ask "
                                f"`{self._attr}.hint()`.", details)
        if _near_miss(answer, self.expected):
            advice = ("check the arithmetic" if _integer_valued(self.expected)
                      else "check the arithmetic and keep more decimals")
            return self._result(INCORRECT, f"close, but not within the tolerance: {advice}.",
                                details)
        return self._result(INCORRECT, f"not quite ({reason}). Try again, or ask `{self._attr}.hint()`.",
                            details)

    def _spelled(self, answer):
        """The answer with other spellings of a choice replaced by the choice."""
        def one(a):
            return self.aliases.get(a.strip().lower(), a) if isinstance(a, str) else a
        if isinstance(answer, (tuple, list)):
            return type(answer)(one(a) for a in answer)
        return one(answer)

    def _recognise(self, answer) -> Mistake | None:
        """The known mistake the answer shows: of several wrong values within the
        tolerance, the closest; otherwise the first mistake whose test matches."""
        found = [m for m in self.mistakes
                 if m.matches(answer, self.expected, rtol=self.rtol, atol=self.atol)]
        values = [m for m in found if m.test is None and not isinstance(m.wrong, str)]
        if len(values) > 1:
            def distance(m):
                try:
                    return float(np.max(np.abs(np.asarray(answer, float)
                                               - np.asarray(m.wrong, float))))
                except (TypeError, ValueError):
                    return np.inf
            return min(values, key=distance)
        return found[0] if found else None

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


class ChoiceQuestion(ValueQuestion):
    """Multiple choice: one letter, ``'a'`` to ``'d'``.

    Options are of similar length and style, and the checker does not explain a
    wrong letter the first time: it says only that it is wrong. From the second
    wrong answer on, it says why the letter given is wrong; the right letter gets
    ``why``. So trying letters one by one finds the answer no faster than reading.

    Parameters
    ----------
    prompt : str
        The question, without its options.
    options : mapping of str to str
        ``{"a": "...", "b": "...", ...}``, written in full in the notebook too.
    answer : str
        The right letter.
    wrong : mapping of str to str
        For every other letter, why it is wrong (shown from the second wrong answer).
    """

    def __init__(self, prompt: str, options: Mapping[str, str], answer: str, *,
                 wrong: Mapping[str, str], why: str, hint, **kwargs):
        self.options = dict(options)
        letters = tuple(self.options)
        if answer not in self.options or set(wrong) != set(letters) - {answer}:
            raise ValueError(f"answer must be one of {letters} and wrong must explain the "
                             f"others; got answer {answer!r}, wrong {sorted(wrong)}.")
        listed = "; ".join(f"({k}) {v}" for k, v in self.options.items())
        super().__init__(
            f"multiple choice: {prompt} {listed}", answer, choices=letters,
            what="one letter: " + ", ".join(repr(k) for k in letters[:-1])
            + f" or {letters[-1]!r}", hint=hint, why=why,
            solution=f"answer = {answer!r}",
            mistakes=[Mistake(wrong[k], wrong=k) for k in letters if k != answer], **kwargs)
        self.question_text = prompt
        self.wrong_answers = 0

    def check(self, answer=____) -> Result:
        """Right: why. Wrong: only "not (x)" the first time, then why (x) is wrong."""
        result = super().check(answer)
        if result.status != INCORRECT or self._choice_problem(answer) is not None:
            return result
        self.wrong_answers += 1
        if self.wrong_answers > 1:
            return result
        letter = answer.strip().lower()
        return self._result(
            INCORRECT, f"not ({letter}). Read the options again, or ask `{self._attr}.hint()`; "
            "from a second wrong answer on, the check says why the letter is wrong.",
            [("your answer", fmt(answer)), ("answer format", self.what)])


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
        Tolerances when comparing outputs: float32 precision by default
        (:data:`~helpers.exercises.answers.FLOAT32`); a question about precision
        states its own and says why. Whole-number outputs are compared exactly.
    preamble : str
        Code run before the solution (e.g. ``import numpy as np``); not shown.
    error_advice : dict of exception type to str, optional
        Advice added when the reader's function raises that kind of exception
        (e.g. ``ZeroDivisionError``: "what should precision be when ...").
    """

    def __init__(self, prompt: str, function_name: str, cases: Sequence[Case], *,
                 rtol: float = FLOAT32["rtol"], atol: float = FLOAT32["atol"],
                 preamble: str = "import numpy as np",
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
            details = [("input", call)] + difference_details(got, expected)
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
                if compare(wrong_here, expected, rtol=self.rtol, atol=self.atol) is None:
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
    open_questions : sequence of str
        Questions of the chapter answered in words, with no check, numbered after
        the checked ones (one line each, listed so the count matches the page).
    """

    def __init__(self, slug: str, title: str, questions: Sequence[Question],
                 open_questions: Sequence[str] = ()):
        self.slug, self.title = slug, title
        self.questions = tuple(questions)
        self.open_questions = tuple(open_questions)
        for number, question in enumerate(self.questions, 1):
            question.name = f"Question {number}"
            setattr(self, f"q{number}", question)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def _count(self) -> str:
        if not self.open_questions:
            return f"{len(self)} questions"
        total = len(self) + len(self.open_questions)
        return f"{total} questions: {len(self)} checked, {len(self.open_questions)} open"

    def _open_lines(self) -> list[tuple[int, str]]:
        return [(len(self) + i, text) for i, text in enumerate(self.open_questions, 1)]

    def __str__(self) -> str:
        lines = [f"Exercises: {self.title} ({self._count()})"]
        lines += [f"  ex.q{i}: {q.prompt}" for i, q in enumerate(self.questions, 1)]
        lines += [f"  {n} (open, answered in words, no check): {text}"
                  for n, text in self._open_lines()]
        lines.append("Answer with ex.qN.check(answer); ex.qN.hint() and ex.qN.solution() help.")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        rows = "\n".join([f"- `ex.q{i}`: {q.prompt}" for i, q in enumerate(self.questions, 1)]
                         + [f"- {n} (open, answered in words, no check): {text}"
                            for n, text in self._open_lines()])
        return (f"**Exercises: {self.title}** ({self._count()})\n\n{rows}\n\n"
                "Answer with `ex.qN.check(answer)`; `ex.qN.hint()` and `ex.qN.solution()` help.")
