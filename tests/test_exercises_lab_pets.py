"""helpers.exercises, Lab A ("lab_pets"): every question of the set, references checked
against the Cats-vs-Dogs Grad-CAM notes' numbers and against Keras and NumPy where they can be."""
from __future__ import annotations

import keras
import numpy as np
import pytest

import helpers
from helpers.exercises import load
from exercise_support import assert_value_mistakes_are_recognised

SLUG = "lab_pets"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


def test_the_set_is_registered():
    assert SLUG in helpers.exercises.chapters() and len(load(SLUG)) == 4


def test_every_mistake_gets_its_own_message():
    assert_value_mistakes_are_recognised(load(SLUG))


@pytest.mark.parametrize("number, wrong", [
    (2, 198.5), (2, 197.5), (2, 199), (3, 1600.5), (4, 0.11), (4, 0.112),
    (1, 0.01), (2, 197), (2, 199), (2, 200), (3, 1620), (4, 0.12), (4, 0.1),
])
def test_other_wrong_answers_are_refused(number, wrong):
    assert not _question(number).check(wrong)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(0) and ex.q1.check(np.float32(0)) and ex.q1.check(-0.0)
    assert ex.q2.check(198.0) and ex.q2.check(np.int64(198))
    assert ex.q2.check(4000 * (1 - 0.9505))     # 197.99999999999997: float round-off
    assert "whole number" in str(ex.q2.check(198.5))
    assert ex.q3.check(np.int32(1600))
    assert ex.q4.check(1 / 9) and ex.q4.check(0.1111)


def test_q1_reference_is_where_the_sigmoid_crosses_one_half():
    assert float(keras.ops.sigmoid(load(SLUG).q1.expected)) == pytest.approx(0.5)


def test_q4_reference_turns_by_at_most_40_degrees():
    layer = keras.layers.RandomRotation(load(SLUG).q4.expected)
    assert layer.factor[1] * 360 == pytest.approx(40, rel=1e-3)
