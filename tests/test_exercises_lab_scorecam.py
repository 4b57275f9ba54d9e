"""helpers.exercises, Lab B ("lab_scorecam"): every question of the set.

The shown solution passes, the placeholder is "not attempted", each wrong answer of the
bank gets its own message, right answers in other forms pass, and the references agree
with the library (scorecam's pass count, average_drop, Faster Score-CAM's choice).
"""
from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.exercises import load
from exercise_support import assert_value_mistakes_are_recognised

SLUG = "lab_scorecam"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


def test_the_set_is_registered():
    assert SLUG in helpers.exercises.chapters()
    assert len(load(SLUG)) == 4


def test_every_mistake_gets_its_own_message():
    assert_value_mistakes_are_recognised(load(SLUG))


@pytest.mark.parametrize("number, wrong", [
    (1, 513), (1, 576), (4, "e"),
    (2, lambda Y, O: 100 * float(np.mean(np.maximum(0, Y - O) / Y)) + 1.0),   # a near miss
    (2, lambda Y, O: 100 * np.mean(np.clip(Y - O, 0, None)) / np.mean(Y)),    # mean of Y
    (2, lambda Y, O: 100 * np.mean(np.abs(Y - O) / Y)),                      # |drop|
    (3, lambda maps, k: np.argsort(-maps.var(axis=(0, 1)))[:k]),             # not sorted
    (3, lambda maps, k: np.sort(np.argsort(-maps.var(axis=(0, 1)))[:k - 1])),  # off by one
    (3, lambda maps, k: np.sort(np.argsort(-maps.std(axis=0).mean(axis=0))[:k])),
    (3, lambda maps, k: np.sort(np.argsort(-np.ptp(maps, axis=(0, 1)))[:k])),  # range
    (2, 37.5), (3, (1, 4)),                                                   # values
])
def test_other_wrong_answers_are_refused(number, wrong):
    assert not _question(number).check(wrong)


@pytest.mark.parametrize("number", [2, 3])
def test_the_notebooks_scaffold_is_what_the_checker_takes(number):
    """Lab B's cells define ``avg_drop(Y, O)`` and ``top_channels(maps, k)``: untouched
    they are "not attempted", filled in with a right function they pass."""
    from helpers.exercises import NOT_ATTEMPTED, ____

    def blank(*args):
        return ____

    assert _question(number).check(blank).status == NOT_ATTEMPTED
    assert _question(number).check(_question(number).reference)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.int64(512)) and ex.q1.check(512.0)
    assert ex.q2.check(lambda Y, O: float(np.mean([max(0.0, (y - o) / y) * 100
                                                   for y, o in zip(Y, O)])))
    assert ex.q2.check(lambda Y, O: 100 * np.mean(np.maximum(0, Y - O) / (Y + 1e-7)))
    assert ex.q3.check(lambda maps, k: sorted(np.argsort(maps.var(axis=(0, 1)))[-k:].tolist()))
    assert ex.q3.check(lambda maps, k: np.flatnonzero(
        np.isin(np.arange(maps.shape[-1]), np.argsort(-maps.var(axis=(0, 1)))[:k])))
    assert ex.q4.check(" D ") and ex.q4.check("d")


def test_q3_reference_is_what_faster_scorecam_selects():
    from helpers.explain.scorecam import select_channels

    rng = np.random.default_rng(4)
    for _ in range(5):
        activations = (rng.random((1, 4, 4, 9)) * rng.random(9)).astype(np.float32)
        kept = np.flatnonzero(select_channels(activations, 3)[0])
        assert kept.tolist() == load(SLUG).q3.reference(activations[0], 3).tolist()


def test_q1_reference_is_the_count_scorecam_makes():
    from helpers.explain.scorecam import select_channels

    activations = np.random.default_rng(0).random((8, 4, 4, 64))  # no constant map
    assert select_channels(activations).sum() == load(SLUG).q1.expected


def test_q2_reference_agrees_with_average_drop():
    import keras

    from helpers.evaluation import average_drop

    Y, O = np.array([0.8, 0.5]), np.array([0.2, 0.6])
    # a "model" whose class-0 probability is the image's mean: a map of ones keeps Y,
    # a constant map m gives O = m * Y
    # (logits log p, log(1 - p), then a softmax: exactly (p, 1 - p))
    model = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(),
                              keras.layers.Lambda(lambda x: keras.ops.log(keras.ops.stack(
                                  [keras.ops.mean(x, axis=1), 1 - keras.ops.mean(x, axis=1)],
                                  axis=1))),
                              keras.layers.Softmax()])
    images = np.broadcast_to(Y[:, None, None, None], (2, 2, 2, 1)).astype(np.float32)
    maps = np.broadcast_to((O / Y)[:, None, None], (2, 2, 2)).clip(0, 1).astype(np.float32)
    maps = maps.copy()
    maps[1] = 1.0  # the rise of photo 2 (O > Y) is a drop of 0 either way
    got = average_drop(model, images, maps, targets=[0, 0]).mean
    assert np.isclose(got, load(SLUG).q2.reference(Y, O), atol=0.01)
