"""Shared by the exercise tests: run a question's shown solution."""
import numpy as np

from helpers.exercises.core import FunctionQuestion, ValueQuestion


def solution_answer(question):
    """Run the code that ``question.solution()`` shows and return the answer it defines
    (the function for a function question, ``answer`` otherwise). A function question's
    preamble (what the reader has defined earlier, e.g. an ``iou``) runs first."""
    namespace = {"np": np}
    exec(getattr(question, "preamble", ""), namespace)
    exec(question.solution().code, namespace)
    if isinstance(question, FunctionQuestion):
        return namespace[question.function_name]
    return namespace["answer"]


def assert_value_mistakes_are_recognised(exercise_set):
    """Each wrong value a value question lists gets that mistake's own message."""
    for question in exercise_set:
        if isinstance(question, ValueQuestion):
            for mistake in question.mistakes:
                if mistake.wrong is not None:
                    result = question.check(mistake.wrong)
                    assert not result and mistake.message in result.message
