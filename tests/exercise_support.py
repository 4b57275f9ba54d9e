"""Shared by the exercise tests: run a question's shown solution; a chapter's bank of
wrong answers turned into its three tests."""
import numpy as np
import pytest

from helpers.exercises import INCORRECT, NOT_ATTEMPTED, ____, load
from helpers.exercises import ChoiceQuestion, FunctionQuestion, ValueQuestion


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
                    first_wrong_answer(question, mistake.wrong)
                    result = question.check(mistake.wrong)
                    assert not result and mistake.message in result.message


def first_wrong_answer(question, answer):
    """A multiple-choice question explains a wrong letter only from the second wrong answer:
    give it a first one, and check that this first one explains nothing."""
    if isinstance(question, ChoiceQuestion) and question.wrong_answers == 0:
        result = question.check(answer)
        if result.status == INCORRECT and question.wrong_answers == 1:
            assert not any(m.message in str(result) for m in question.mistakes), str(result)
            assert question.why not in str(result)


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
        question = getattr(load(slug), f"q{number}")
        first_wrong_answer(question, answer)
        result = question.check(answer)
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


# --------------------------------------------------------------------------- fairness
def _floating(value) -> bool:
    return (isinstance(value, (float, np.floating))
            or (isinstance(value, np.ndarray) and value.dtype.kind == "f"))


def _map_floats(value, change):
    """``change`` applied to every float (or float array) inside value, tuples included."""
    if isinstance(value, tuple):
        return tuple(_map_floats(v, change) for v in value)
    if isinstance(value, list) and all(_floating(v) for v in value) and value:
        return [change(v) for v in value]
    return change(value) if _floating(value) else value


def _to_float32(v):
    return np.float32(v) if np.ndim(v) == 0 else np.asarray(v, dtype=np.float32)


def right_answers_written_another_way(question):
    """``(how, answer)`` pairs: the shown solution in float32, and with ``+ 1e-7``.

    For a function question the float32 variant runs the solution on float32 copies of
    its float inputs and returns float32; the epsilon variant adds 1e-7 to every float
    it returns. For a value question the same is done to the value. Whole numbers
    (counts, indices) and strings are left as they are: they have one right form.
    """
    answer = solution_answer(question)
    if isinstance(question, FunctionQuestion):
        def in_float32(*args, **kwargs):
            args = tuple(_map_floats(a, _to_float32) for a in args)
            kwargs = {k: _map_floats(v, _to_float32) for k, v in kwargs.items()}
            return _map_floats(answer(*args, **kwargs), _to_float32)

        def plus_epsilon(*args, **kwargs):
            return _map_floats(answer(*args, **kwargs), lambda v: v + 1e-7)

        return [("float32", in_float32), ("+ 1e-7", plus_epsilon)]
    if not any(_floating(v) for v in np.atleast_1d(np.asarray(answer, dtype=object)).ravel()):
        return []
    return [("float32", _map_floats(answer, _to_float32)),
            ("+ 1e-7", _map_floats(answer, lambda v: v + 1e-7))]


def placeholder_answers(question):
    """What an untouched cell checks: the blank itself, or a function returning it."""
    blanks = [____]
    if isinstance(question, FunctionQuestion):
        blanks.append(lambda *args, **kwargs: ____)
    return blanks


def question_mistakes(question):
    """The wrong answers a question itself lists (values and implementations)."""
    return [m.wrong for m in question.mistakes if m.wrong is not None]


def assert_question_is_fair(question):
    """Placeholder -> not attempted; solution -> correct; every wrong answer it lists ->
    incorrect; its solution in float32 and with + 1e-7 (numeric answers) -> correct."""
    for blank in placeholder_answers(question):
        result = question.check(blank)
        assert result.status == NOT_ATTEMPTED, str(result)
    assert question.check(solution_answer(question)), str(question.check(solution_answer(question)))
    for wrong in question_mistakes(question):
        result = question.check(wrong)
        assert result.status == INCORRECT, (wrong, str(result))
    for how, answer in right_answers_written_another_way(question):
        result = question.check(answer)
        assert result, f"{how}: {result}"
