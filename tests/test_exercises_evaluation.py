"""helpers.exercises, Chapter 8 ("evaluation"): every question of the evaluation set.

As for the other chapters: the solution that ``solution()`` shows passes, the placeholder
says "not attempted yet", and wrong answers learners write fail with the right message.
The references are also checked against helpers.evaluation, which the chapter uses.
"""
from __future__ import annotations

import keras
import numpy as np
import pytest
import scipy.stats

from helpers.evaluation import ScoreTable, confidence, deletion, energy_pointing_game, random_maps
from helpers.evaluation.table import METRICS
from helpers.exercises import load
from helpers.exercises import FunctionQuestion
from exercise_support import wrong_answer_bank

SLUG = "evaluation"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


# --------------------------------------------------------------------------- wrong answers
def _drop_loop_without_clip(y, o):
    total = 0.0
    for yi, oi in zip(y, o):
        total += (yi - oi) / yi
    return 100 * total / len(y)


def _drop_python_max(y, o):
    return 100 * np.mean([max(0, a - b) / b for a, b in zip(y, o)])


def _area_loop_left(f, p):
    return sum(p[k] * (f[k + 1] - f[k]) for k in range(len(f) - 1))


def _area_trapz_swapped(f, p):
    return float(np.trapezoid(f, p))


def _area_even_spacing(f, p):
    return float(np.trapezoid(p, dx=1 / (len(p) - 1)))


def _rank_argsort_once(scores, higher):
    return np.argsort(-scores if higher else scores) + 1


def _rank_scipy_ordinal(scores, higher):
    return scipy.stats.rankdata(-scores if higher else scores, method="ordinal").astype(float)


def _rank_scipy_min(scores, higher):
    return scipy.stats.rankdata(-scores if higher else scores, method="min").astype(float)


def _rank_scipy_zero_based(scores, higher):
    return scipy.stats.rankdata(-scores if higher else scores) - 1


def _rank_ignores_direction(scores, higher):
    return scipy.stats.rankdata(-scores)


def _rank_reversed(scores, higher):
    return scipy.stats.rankdata(scores if higher else -scores)


def _rank_dense(scores, higher):
    return scipy.stats.rankdata(-scores if higher else scores, method="dense").astype(float)


WRONG = [
    # 1: a random map's energy
    (1, 0.0, "including inside the box"),
    (1, 0.5, "half the image"),
    (1, 10, "not a percentage"),
    (1, 0.9, "*outside*"),
    (1, 1.0, "all its mass inside"),
    (1, 0.25, "not quite"),
    (1, "0.1", "expected a number"),
    # 2: average drop
    (2, lambda y, o: 100 * np.mean((y - o) / y), "negative drop"),
    (2, _drop_loop_without_clip, "negative drop"),
    (2, lambda y, o: np.mean(np.maximum(0, y - o) / y), "in percent"),
    (2, lambda y, o: 100 * np.mean(np.clip(y - o, 0, None) / o), "divide by y, not by o"),
    (2, _drop_python_max, "divide by y, not by o"),
    (2, lambda y, o: 100 * np.maximum(0, y - o).sum() / y.sum(), "ratio of means"),
    (2, lambda y, o: 100 * max(0, y.mean() - o.mean()) / y.mean(), "ratio of means"),
    (2, lambda y, o: 100 * np.mean(np.maximum(0, y - o)), "divide the lost confidence by y"),
    (2, lambda y, o: 100 * np.mean(abs(y - o) / y), "absolute value"),
    (2, lambda y, o: 100 * np.sum(np.maximum(0, y - o) / y), "do not sum"),
    (2, lambda y, o: 100 * np.mean(np.maximum(0, o - y) / y), "wrong result"),
    (2, 33.3, "expected a function"),
    # a near miss: an epsilon large enough to change the answer beyond float32 round-off
    (2, lambda y, o: 100 * np.mean(np.maximum(0, y - o) / (y + 1e-3)), "wrong result"),
    (3, lambda f, p: float(np.sum(np.diff(f[:-1]) * (p[1:-1] + p[:-2]) / 2)),
     "wrong result"),                                   # off by one: the last step dropped
    # 3: area under a curve
    (3, lambda f, p: np.mean(p), "mean of the probabilities"),
    (3, lambda f, p: p.sum() / len(p), "mean of the probabilities"),
    (3, _area_loop_left, "left Riemann sum"),
    (3, lambda f, p: float(np.sum(np.diff(f) * p[1:])), "right Riemann sum"),
    (3, lambda f, p: float(np.sum((p[1:] + p[:-1]) / 2)), "width"),
    (3, _area_trapz_swapped, "arguments are swapped"),
    (3, _area_even_spacing, "not evenly spaced"),
    (3, lambda f, p: float(np.sum(np.diff(f) * (p[1:] - p[:-1]) / 2)), "wrong result"),
    # 4: ranks with ties
    (4, _rank_argsort_once, "*order*"),
    (4, lambda s, h: np.argsort(s)[::-1] + 1 if h else np.argsort(s) + 1, "*order*"),
    (4, lambda s, h: np.argsort(-s if h else s, kind="stable"), "*order*"),
    (4, _rank_scipy_ordinal, "different ranks in table order"),
    (4, _rank_scipy_min, "not the best of them"),
    (4, _rank_scipy_zero_based, "start at 1"),
    (4, _rank_ignores_direction, "smallest score is the best"),
    (4, _rank_reversed, "wrong result"),
    (4, _rank_dense, "wrong result"),
    # 5: the sanity check
    (5, "a", "destroying the *model*"),
    (5, "b", "not about the training"),
    (5, "d", "edge detector"),
    (5, "e", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_every_function_mistake_is_recognised():
    """Each wrong implementation a function question lists is diagnosed by its message."""
    for question in load(SLUG):
        if isinstance(question, FunctionQuestion):
            for mistake in question.mistakes:
                if mistake.wrong is None:
                    continue                    # a predicate: covered by the WRONG table
                result = question.check(mistake.wrong)
                assert not result and mistake.message in result.message, (question.name,
                                                                           result.message)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.float32(0.1)) and ex.q1.check(1 / 10)
    assert ex.q5.check(" C ")
    assert ex.q2.check(lambda y, o: float(100 * np.mean(np.clip((y - o) / y, 0, None))))
    assert ex.q3.check(lambda f, p: np.trapezoid(p, f))
    assert ex.q3.check(lambda f, p: list(np.cumsum(np.diff(f) * (p[1:] + p[:-1]) / 2))[-1])
    assert ex.q4.check(lambda s, h: scipy.stats.rankdata(-np.asarray(s) if h else s))
    assert ex.q4.check(lambda s, h: list(scipy.stats.rankdata([-v if h else v for v in s])))


# --------------------------------------------------------------------------- against helpers
def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x))


def test_references_agree_with_helpers_evaluation():
    ex = load(SLUG)
    model = _model()
    rng = np.random.default_rng(5)
    x = rng.random((6, 8, 8, 3)).astype("float32")
    maps = rng.random((6, 8, 8))
    kept = confidence(model, x, maps)
    assert ex.q2.reference(kept.original, kept.explained) == pytest.approx(
        100 * kept.drops.mean(), rel=1e-12)
    curves = deletion(model, x, maps, steps=5)          # 64 pixels in 5 steps: uneven
    assert len(set(np.round(np.diff(curves.fractions), 9))) > 1
    for i in range(len(x)):
        assert ex.q3.reference(curves.fractions, curves.values[i]) == pytest.approx(
            curves.auc[i], rel=1e-12)
    values = np.array([[0.9, 0.2, 30.0], [0.9, 0.4, 12.0], [0.1, 0.2, 12.0], [0.5, 0.1, 50.0]])
    table = ScoreTable(("a", "b", "c", "d"), tuple(METRICS)[1:4], values, (True, False, True))
    for j, up in enumerate(table.higher_is_better):
        np.testing.assert_array_equal(ex.q4.reference(values[:, j], up), table.ranks()[:, j])


def test_random_maps_score_the_box_share_on_average():
    boxes = np.tile([[0.0, 0.0, 20.0, 20.0]], (400, 1))        # 400 of 4000 pixels: 10 %
    scores = energy_pointing_game(random_maps((400, 50, 80), seed=3), boxes).mean
    assert load(SLUG).q1.check(scores)
