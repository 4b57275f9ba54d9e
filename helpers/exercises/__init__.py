"""Auto-checked exercises, one set per chapter, in the manner of Kaggle Learn.

In a chapter's notebook::

    import helpers
    from helpers.exercises import ____      # the blank to replace

    ex = helpers.exercises.load("logits")
    ex                                      # lists the questions

    def softmax(z):
        return ____                         # your code here
    ex.q1.check(softmax)                    # -> "Not attempted yet", "Incorrect: ..." or "Correct: ..."
    # ex.q1.hint()
    # ex.q1.solution()

``check`` returns a :class:`~helpers.exercises.display.Result` that is truthy when the
answer is right (so ``assert ex.q1.check(answer)`` works in tests), shows a
coloured label in Jupyter and prints as plain text. An answer is a value (a
number, an array, a string, a tuple) or a function, which the checker calls on
its own test inputs, including edge cases such as huge logits or a class that
is never predicted.

The placeholder is ``____`` (four underscores); ``...`` counts as a placeholder
too. An untouched exercise reports "not attempted yet" and never raises, so a
notebook with blank exercises still runs to the end. ``hint()`` gives one hint per
call, the last (close to the answer) marked as such.

Answers are judged by one tolerance policy, written out in
:mod:`helpers.exercises.answers`: a value is accepted at the precision the text uses
or the question states (3 significant figures by default, counts exactly); a
function's outputs at float32 precision unless the question is about precision; and
feedback never shows two identical-looking numbers as different.

The package is split by job: :mod:`~helpers.exercises.answers` (the placeholder,
comparing answers, the tolerance policy), :mod:`~helpers.exercises.display` (results,
hints and solutions as text, HTML and Markdown), :mod:`~helpers.exercises.questions`
(value, multiple-choice and function questions, a chapter's set); one module per
chapter builds its set.
"""
from __future__ import annotations

import importlib

from .answers import FLOAT32, SIGNIFICANT, ____, decimals, is_placeholder
from .display import CORRECT, INCORRECT, NOT_ATTEMPTED, Hint, Result, Solution
from .questions import (Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, Question,
                        ValueQuestion)

__all__ = ["load", "chapters", "____", "is_placeholder", "ExerciseSet", "Question", "ValueQuestion",
           "ChoiceQuestion", "FunctionQuestion", "Case", "Mistake", "Result", "Hint", "Solution",
           "CORRECT", "INCORRECT", "NOT_ATTEMPTED", "FLOAT32", "SIGNIFICANT", "decimals"]

# chapter slug -> module (in this package) whose build() returns the ExerciseSet
_CHAPTERS = {
    "classification": "classification",   # Chapter 1
    "logits": "logits",                   # Chapter 2
    "metrics": "metrics",                 # Chapter 3
    "tanks": "tanks",                     # Chapter 4
    "gradients": "gradients",             # Chapter 5
    "cam": "cam",                         # Chapter 6
    "scorecam": "scorecam",               # Chapter 7
    "evaluation": "evaluation",           # Chapter 8
    "error_analysis": "error_analysis",   # Chapter 9
    "detection": "detection",             # Chapter 10
    "iou_nms": "iou_nms",                 # Chapter 11
    "average_precision": "average_precision",   # Chapter 12
    "localization": "localization",       # Chapter 13
    "lab_pets": "lab_pets",               # Lab A
    "lab_scorecam": "lab_scorecam",       # Lab B
    "lab_cam": "lab_cam",                 # Lab C
}


def chapters() -> tuple[str, ...]:
    """The slugs that :func:`load` accepts."""
    return tuple(_CHAPTERS)


def load(chapter_slug: str) -> ExerciseSet:
    """Load a chapter's exercises: ``ex = load("logits")``; then ``ex.q1.check(...)``.

    Parameters
    ----------
    chapter_slug : str
        One of :func:`chapters`, e.g. ``"classification"``, ``"logits"``, ``"metrics"``.

    Returns
    -------
    ExerciseSet
        A fresh set each call, with questions ``q1``, ``q2``, ...

    Raises
    ------
    ValueError
        For an unknown slug (the message lists the known ones).
    """
    if not isinstance(chapter_slug, str) or chapter_slug not in _CHAPTERS:
        known = ", ".join(repr(s) for s in _CHAPTERS)
        raise ValueError(f"no exercises for chapter {chapter_slug!r}; known chapters: {known}.")
    module = importlib.import_module(f".{_CHAPTERS[chapter_slug]}", __name__)
    return module.build()
