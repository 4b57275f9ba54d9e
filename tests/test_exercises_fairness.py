"""Every question of every set, tried as a learner would: the blank says "not attempted",
the shown solution passes, each wrong answer the question knows is rejected, and the
solution written in float32 or with the usual ``+ 1e-7`` passes (the tolerance policy of
``helpers.exercises.answers``)."""
from __future__ import annotations

import pytest

from helpers.exercises import chapters, load
from exercise_support import assert_question_is_fair

ALL_QUESTIONS = [(slug, n) for slug in chapters() for n in range(1, len(load(slug)) + 1)]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("slug, number", ALL_QUESTIONS)
def test_every_question_is_fair(slug, number):
    assert_question_is_fair(getattr(load(slug), f"q{number}"))
