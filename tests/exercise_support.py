"""Shared by the exercise tests: run a question's shown solution; a chapter's bank of
wrong answers turned into its three tests."""
import numpy as np
import pytest

from helpers.exercises import INCORRECT, load
from helpers.exercises import FunctionQuestion, ValueQuestion


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


def wrong_answer_bank(slug: str, wrong):
    """The tests of a chapter's bank of wrong answers, ``(number, answer, fragment)`` rows.

    Use at module level::

        (test_typical_wrong_answers_get_the_right_message,
         test_every_question_has_a_tested_wrong_answer,
         test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)

    Each wrong answer is rejected as "Incorrect (Question n)" with a message containing
    its fragment; every question has at least one wrong answer in the bank; each wrong
    value a value question lists gets that mistake's own message.
    """
    @pytest.mark.filterwarnings("ignore")
    @pytest.mark.parametrize("number, answer, message", wrong)
    def test_typical_wrong_answers_get_the_right_message(number, answer, message):
        result = getattr(load(slug), f"q{number}").check(answer)
        assert not result and result.status == INCORRECT
        assert message in str(result), str(result)
        assert str(result).startswith(f"Incorrect (Question {number})")

    def test_every_question_has_a_tested_wrong_answer():
        assert {number for number, _, _ in wrong} == set(range(1, len(load(slug)) + 1))

    def test_every_value_mistake_gets_its_own_message():
        assert_value_mistakes_are_recognised(load(slug))

    return (test_typical_wrong_answers_get_the_right_message,
            test_every_question_has_a_tested_wrong_answer,
            test_every_value_mistake_gets_its_own_message)
