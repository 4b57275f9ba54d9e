"""helpers.exercises, Chapter 6 ("cam"): every question of the CAM and Grad-CAM set.

As for the other chapters: the shown solution passes, the placeholder says "not
attempted yet", and the wrong answers learners really write fail with the right
message. The references are also checked against helpers.explain on a real GAP network.
"""
from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import helpers
from helpers.exercises import load
from helpers.exercises import FunctionQuestion
from exercise_support import solution_answer, wrong_answer_bank

SLUG = "cam"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


# --------------------------------------------------------------------------- loading
# --------------------------------------------------------------------------- every question
# --------------------------------------------------------------------------- wrong answers
def _cam_row(A, W, c):
    return A @ W[c]                                  # a row of the kernel, not a column


def _cam_loop_transposed(A, W, c):
    h, w, k = A.shape
    return np.array([[np.dot(A[i, j], W[:, c]) for i in range(h)] for j in range(w)])


def _weights_list(G):
    return [float(G[..., k].mean()) for k in range(G.shape[-1])]


WRONG = [
    # 1: CAM from the kernel
    (1, _cam_row, "raised an exception"),
    (1, _cam_row, "column `W[:, c]`"),
    (1, lambda A, W, c: (A @ W).sum(axis=-1), "all the classes"),
    (1, lambda A, W, c: A.mean(axis=-1), "plain mean of the channels"),
    (1, lambda A, W, c: np.maximum(A @ W[:, c], 0), "not clipped"),
    (1, lambda A, W, c: A @ W[:, c] / (A.shape[0] * A.shape[1]), "do not divide by h * w"),
    (1, lambda A, W, c: (A @ W[:, c]).sum(), "not a single number"),
    (1, lambda A, W, c: np.einsum("hwk,k->hw", A, W[:, c]).mean(), "not a single number"),
    (1, _cam_loop_transposed, "expected shape"),
    # 2: Grad-CAM's weights
    (2, lambda G: G.sum(axis=(0, 1)), "*sum* over the positions"),
    (2, lambda G: G.mean(axis=-1), "averaged over the channels"),
    (2, lambda G: G.mean(axis=2), "averaged over the channels"),
    (2, lambda G: np.abs(G).mean(axis=(0, 1)), "absolute values"),
    (2, lambda G: np.maximum(G.mean(axis=(0, 1)), 0), "does not clip the weights"),
    (2, lambda G: np.maximum(G, 0).mean(axis=(0, 1)), "Grad-CAM++ and LayerCAM"),
    (2, lambda G: G.mean(axis=0), "one spatial axis only"),
    (2, lambda G: G.mean(axis=1), "one spatial axis only"),
    (2, lambda G: G.mean(), "one weight per channel"),
    # 3: the constant on a GAP network
    (3, 49, "other way round"),
    (3, 1 / 7, "not over 7"),
    (3, 7, "it divides"),
    (3, 1, "constant factor"),
    (3, 1 / 2048, "2048 channels"),
    (3, "1/49", "expected a number"),
    # 4: HiResCAM
    (4, lambda A, G: np.maximum(A @ G.mean(axis=(0, 1)), 0), "that is Grad-CAM"),
    (4, lambda A, G: (G * A).sum(axis=-1), "positive part"),
    (4, lambda A, G: np.maximum(G * A, 0).sum(axis=-1), "*after* the sum"),
    (4, lambda A, G: (np.maximum(G, 0) * A).sum(axis=-1), "which is LayerCAM"),
    (4, lambda A, G: np.abs((G * A).sum(axis=-1)), "absolute value"),
    (4, lambda A, G: np.maximum((G * A).sum(axis=0), 0), "the last axis"),
    # 5: which head
    (5, "a", "Flatten"),
    (5, "c", "hidden Dense"),
    (5, "d", "*max* pooling"),
    (5, "e", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(lambda A, W, c: np.einsum("hwk,k->hw", A, W[:, c]))
    assert ex.q1.check(lambda A, W, c: (A * W[:, c]).sum(axis=-1))
    assert ex.q2.check(lambda G: G.sum(axis=(0, 1)) / (G.shape[0] * G.shape[1]))
    assert ex.q2.check(_weights_list)                # a list of floats is fine
    assert ex.q2.check(lambda G: np.mean(G.reshape(-1, G.shape[-1]), axis=0))
    assert ex.q3.check(np.float32(1 / 49)) and ex.q3.check(1 / (7 * 7))
    assert ex.q4.check(lambda A, G: np.clip(np.einsum("hwk,hwk->hw", A, G), 0, None))
    assert ex.q5.check(" B ")


def test_the_reference_of_a_function_question_is_the_shown_solution():
    for question in load(SLUG):
        if isinstance(question, FunctionQuestion):
            shown = solution_answer(question)
            for case in question.cases:
                np.testing.assert_allclose(shown(*case.args), question.reference(*case.args))


# --------------------------------------------------------------------------- against helpers.explain
@pytest.fixture(scope="module")
def gap_model():
    helpers.seed_everything(0)
    return helpers.models.gap_cnn((16, 16, 3), n_classes=3, widths=(4, 6), convs_per_block=1)


def test_references_match_the_library_on_a_gap_network(gap_model):
    ex = load(SLUG)
    x = np.random.default_rng(0).random((3, 16, 16, 3), dtype=np.float32)
    targets = np.array([0, 2, 1], np.int32)
    head = helpers.explain.gap_head(gap_model)
    kernel = head.dense.kernel.numpy()
    method = helpers.explain.GradCAM.for_model(gap_model)
    A, _, G, _ = (t.numpy() for t in method.forward(tf.constant(x), tf.constant(targets[:, None]),
                                                    helpers.explain.ClassLogit))
    n_positions = A.shape[1] * A.shape[2]
    for n, c in enumerate(targets):
        M = ex.q1.reference(A[n], kernel, c)
        alpha = ex.q2.reference(G[n])
        # Grad-CAM's weights are CAM's divided by h * w: exercise 3's factor, for 8 x 8 maps
        np.testing.assert_allclose(alpha * n_positions, kernel[:, c], rtol=1e-4, atol=1e-6)
        # HiResCAM on a GAP head is ReLU(M) / (h * w)
        np.testing.assert_allclose(ex.q4.reference(A[n], G[n]) * n_positions,
                                   np.maximum(M, 0), rtol=1e-4, atol=1e-5)
    # the map's mean plus the bias is the logit
    logits = gap_model(x).numpy()
    for n, c in enumerate(targets):
        M = ex.q1.reference(A[n], kernel, c)
        assert M.mean() + head.dense.bias.numpy()[c] == pytest.approx(logits[n, c], abs=1e-5)


def test_hirescam_reference_matches_the_library(gap_model):
    hirescam = load(SLUG).q4.reference
    x = np.random.default_rng(1).random((2, 16, 16, 3), dtype=np.float32)
    method = helpers.explain.HiResCAM.for_model(gap_model)
    A, _, G, t = (v.numpy() for v in method.forward(tf.constant(x), tf.constant([[1], [1]], tf.int32),
                                                    helpers.explain.ClassLogit))
    raw = np.stack([hirescam(A[n], G[n]) for n in range(2)])
    up = tf.image.resize(raw[..., None], (16, 16))[..., 0].numpy()
    lo, hi = up.min(axis=(1, 2), keepdims=True), up.max(axis=(1, 2), keepdims=True)
    expected = (up - lo) / np.where(hi > lo, hi - lo, 1.0)
    np.testing.assert_allclose(helpers.explain.hirescam(gap_model, x, 1), expected, atol=1e-5)
