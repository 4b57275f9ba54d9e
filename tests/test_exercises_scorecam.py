"""helpers.exercises, Chapter 7 ("scorecam"): every question, right and wrong answers.

The shown solution passes, the placeholder says "not attempted yet", each listed mistake
gets its own message, and a bank of further wrong answers that learners write is
rejected. The references are also checked against helpers.explain's Score-CAM code.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.exercises import INCORRECT, load
from exercise_support import assert_value_mistakes_are_recognised, solution_answer

SLUG = "scorecam"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _q(number):
    return getattr(load(SLUG), f"q{number}")


def test_listed_value_mistakes_get_their_own_message():
    assert_value_mistakes_are_recognised(load(SLUG))


def _rejected(number, answer, fragment=None):
    result = _q(number).check(answer)
    assert not result and result.status == INCORRECT, str(result)
    if fragment is not None:
        assert fragment in result.message, result.message
    return result


# --------------------------------------------------------------------------- q1
@pytest.mark.parametrize("wrong, fragment", [
    (5120, "skipped"), (500, "one image"), (512, "one image"), (5108, "per image"),
    (5010, "only the masked"), (4880, None), (5000.5, None), ("5000", None),
])
def test_q1_wrong_counts(wrong, fragment):
    _rejected(1, wrong, fragment)


def test_q1_right_forms():
    for right in (5000, 5000.0, np.int64(5000), 10 * (512 - 12)):
        assert _q(1).check(right)


# --------------------------------------------------------------------------- q2
def _eps_version(U):
    lo, hi = U.min(axis=(0, 1)), U.max(axis=(0, 1))
    return (U - lo) / (hi - lo + 1e-8)


def test_q2_accepts_the_epsilon_form_and_a_loop():
    def loop(U):
        out = np.zeros_like(U, dtype=float)
        for k in range(U.shape[-1]):
            c = U[..., k]
            if c.max() > c.min():
                out[..., k] = (c - c.min()) / (c.max() - c.min())
        return out
    assert _q(2).check(_eps_version)
    assert _q(2).check(loop)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda U: (U - U.min()) / (U.max() - U.min()), "all channels together"),
    (lambda U: U / U.max(axis=(0, 1)), "maximum alone"),
    (lambda U: (U - U.min(-1, keepdims=True)) / (U.max(-1, keepdims=True) - U.min(-1, keepdims=True)),
     "channel axis"),
    (lambda U: (U - U.min((0, 1))) / (U.max((0, 1)) - U.min((0, 1))), "NaN"),
    (lambda U: (U - U.min((0, 1))) / U.max((0, 1)), None),          # forgets the range
    (lambda U: U - U.min(axis=(0, 1)), None),                        # no scaling
    (lambda U: (U - U.mean((0, 1))) / U.std((0, 1)).clip(1e-12), None),  # standardised
    (lambda U: np.clip(U, 0, 1), None),
])
def test_q2_wrong_masks(wrong, fragment):
    _rejected(2, wrong, fragment)


def test_q2_reference_matches_the_score_cam_masks():
    rng = np.random.default_rng(0)
    U = rng.random((6, 6, 5)).astype(np.float32)
    U[..., 2] = 0.3
    got = solution_answer(_q(2))(U)
    lo, hi = U.min((0, 1)), U.max((0, 1))
    live = hi > lo
    np.testing.assert_allclose(got[..., live], (U[..., live] - lo[live]) / (hi - lo)[live], rtol=1e-6)
    assert (got[..., ~live] == 0).all()


# --------------------------------------------------------------------------- q3
def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda z, t: _softmax(z[:, t], 0), "over the *channels*"),
    (lambda z, t: z[:, t], "raw logits"),
    (lambda z, t: _softmax(_softmax(z, 1), 1)[:, t], "twice"),
    (lambda z, t: 1 / (1 + np.exp(-z[:, t])), "sigmoid"),
    (lambda z, t: (np.exp(z) / np.exp(z).sum(1, keepdims=True))[:, t], "overflows"),
    (lambda z, t: _softmax(z, 1)[:, t - 1], None),                      # off by one class
    (lambda z, t: _softmax(z, 0)[:, t], None),                          # softmax down the columns
    (lambda z, t: (z.argmax(1) == t).astype(float), None),              # one-hot
    (lambda z, t: _softmax(z, 1)[t], None),                             # row instead of column
    (lambda z, t: (np.exp(z - z.mean(1, keepdims=True))
                   / np.exp(z - z.mean(1, keepdims=True)).sum(1, keepdims=True))[:, t], "maximum"),
    (lambda z, t: (np.exp(z - z[:, :1]) / np.exp(z - z[:, :1]).sum(1, keepdims=True))[:, t],
     "maximum"),
])
def test_q3_wrong_weights(wrong, fragment):
    with np.errstate(all="ignore"):
        _rejected(3, wrong, fragment)


def test_q3_reference_equals_helpers_target_probability():
    import tensorflow as tf
    from helpers._keras import target_probability

    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 4)).astype(np.float32) * 4
    ours = solution_answer(_q(3))(z, 2)
    theirs = target_probability(tf.constant(z), tf.constant([2] * 6), "softmax").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)


# --------------------------------------------------------------------------- q4
def test_q4_accepts_std_and_a_list():
    assert _q(4).check(lambda A, m: np.argsort(-A.std(axis=(0, 1)))[:m])
    assert _q(4).check(lambda A, m: list(np.argsort(A.var(axis=(0, 1)))[::-1][:m]))


@pytest.mark.parametrize("wrong, fragment", [
    (lambda A, m: np.argsort(A.var(axis=(0, 1)))[:m], "smallest"),
    (lambda A, m: np.argsort(-A.var(axis=-1).ravel())[:m], "over each channel"),
    (lambda A, m: np.argsort(-A.mean(axis=(0, 1)))[:m], "mean"),
    (lambda A, m: np.argsort(-A.var(axis=(0, 1)))[:m + 1], "m + 1"),
    (lambda A, m: np.argsort(-A.var(axis=(0, 1)))[:m - 1], None),
    (lambda A, m: np.sort(np.argsort(-A.var(axis=(0, 1)))[:m]), None),    # sorted indices
    (lambda A, m: np.argsort(-(A.max((0, 1)) - A.min((0, 1))))[:m], None),  # range, not variance
])
def test_q4_wrong_selections(wrong, fragment):
    _rejected(4, wrong, fragment)


def test_q4_reference_agrees_with_helpers_select_channels():
    from helpers.explain.scorecam import select_channels

    rng = np.random.default_rng(5)
    A = rng.random((2, 4, 4, 9)).astype(np.float32) * rng.random(9).astype(np.float32)
    chosen = select_channels(A, max_channels=3)
    for n in range(2):
        ours = solution_answer(_q(4))(A[n], 3)
        assert set(np.flatnonzero(chosen[n])) == set(ours.tolist())


# --------------------------------------------------------------------------- q5
@pytest.mark.parametrize("wrong", [1.0, 0.269, 0.5, 0.73, 0.75, 2.718, np.e / (np.e + 1) + 0.002])
def test_q5_wrong_bounds(wrong):
    _rejected(5, wrong)


def test_q5_right_forms():
    for right in (0.731, np.exp(1) / (1 + np.exp(1)), np.float32(0.7311)):
        assert _q(5).check(right)
