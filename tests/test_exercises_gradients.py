"""helpers.exercises, Chapter 5 ("gradients"): every question of the gradients set.

As for the other chapters: the solution that ``solution()`` shows passes, the placeholder
says "not attempted yet", and wrong answers learners write (written here independently
of the checker's own list of mistakes) fail with the right message. The references are
also checked against exact derivatives and against helpers.explain on a real model.
"""
from __future__ import annotations

import keras
import numpy as np
import pytest

import helpers
from helpers.exercises import load
from exercise_support import wrong_answer_bank

SLUG = "gradients"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


# --------------------------------------------------------------------------- loading
# --------------------------------------------------------------------------- every question
# --------------------------------------------------------------------------- wrong answers
# 1: central differences, as learners write them
def cd_forward(f, x, eps):
    x = np.array(x, dtype=float)
    base = f(x)
    grads = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = eps
        grads.append((f(x + e) - base) / eps)
    return np.array(grads)


def cd_eps_only(f, x, eps):
    x = np.array(x, dtype=float)
    eye = np.eye(len(x))
    return np.array([(f(x + eps * e) - f(x - eps * e)) / eps for e in eye])


def cd_everything(f, x, eps):
    x = np.array(x, dtype=float)
    return (f(x + eps) - f(x - eps)) / (2 * eps) * np.ones_like(x)


def cd_mutating(f, x, eps):
    x = np.asarray(x, dtype=float).copy()
    g = np.empty(len(x))
    for i in range(len(x)):
        x[i] = x[i] + eps
        a = f(x)
        x[i] = x[i] - 2 * eps
        b = f(x)
        g[i] = (a - b) / (2 * eps)
    return g


def cd_int_copies(f, x, eps):
    g = []
    for i in range(len(x)):
        plus = np.copy(x)
        minus = np.copy(x)
        plus[i] = plus[i] + eps
        minus[i] = minus[i] - eps
        g.append((f(plus) - f(minus)) / (2 * eps))
    return np.array(g)


def cd_as_list(f, x, eps):          # a list is as good as an array: accepted
    x = [float(v) for v in x]
    out = []
    for i in range(len(x)):
        up = list(x)
        down = list(x)
        up[i] += eps
        down[i] -= eps
        out.append((f(np.array(up)) - f(np.array(down))) / (2 * eps))
    return out


# 3: Integrated Gradients
def ig_grad_times_input(grad_f, x, baseline, n_steps):
    return (np.asarray(x) - baseline) * grad_f(np.asarray(x, float))


def ig_no_scaling(grad_f, x, baseline, n_steps):
    alphas = (np.arange(n_steps) + 0.5) / n_steps
    return np.mean([grad_f(baseline + a * (x - baseline)) for a in alphas], axis=0)


def ig_summed(grad_f, x, baseline, n_steps):
    total = 0
    for k in range(n_steps):
        total = total + grad_f(baseline + (k + 0.5) / n_steps * (x - baseline))
    return (x - baseline) * total


def ig_linspace(grad_f, x, baseline, n_steps):   # np.linspace(0, 1, n) starts at alpha = 0
    alphas = np.linspace(0, 1, n_steps + 1)[:-1]
    return (x - baseline) * np.mean([grad_f(baseline + a * (x - baseline)) for a in alphas], 0)


def ig_plain_linspace(grad_f, x, baseline, n_steps):
    path = [baseline + a * (x - baseline) for a in np.linspace(0, 1, n_steps)]
    return (x - baseline) * sum(grad_f(p) for p in path) / n_steps


def ig_right_ends(grad_f, x, baseline, n_steps):
    alphas = np.arange(1, n_steps + 1) / n_steps
    return (x - baseline) * np.mean([grad_f(baseline + a * (x - baseline)) for a in alphas], 0)


def ig_times_x(grad_f, x, baseline, n_steps):
    alphas = (np.arange(n_steps) + 0.5) / n_steps
    return x * np.mean([grad_f(baseline + a * (x - baseline)) for a in alphas], axis=0)


def ig_backwards(grad_f, x, baseline, n_steps):
    alphas = (np.arange(n_steps) + 0.5) / n_steps
    return (baseline - x) * np.mean([grad_f(x + a * (baseline - x)) for a in alphas], axis=0)


def ig_vectorised(grad_f, x, baseline, n_steps):   # a right answer in another form
    x, baseline = np.asarray(x, float), np.asarray(baseline, float)
    points = baseline + ((np.arange(n_steps) + 0.5) / n_steps)[:, None] * (x - baseline)
    return (x - baseline) * np.stack([grad_f(p) for p in points]).mean(axis=0)


# 4: occlusion
def occ_increase(f, image, patch, baseline=0.0):
    h, w = image.shape
    out = np.zeros((h // patch, w // patch))
    for i in range(h // patch):
        for j in range(w // patch):
            im = image.copy()
            im[i * patch:(i + 1) * patch, j * patch:(j + 1) * patch] = baseline
            out[i, j] = f(im) - f(image)
    return out


def occ_no_copy(f, image, patch, baseline=0.0):
    image = np.array(image, dtype=float)
    score = f(image)
    out = np.zeros((image.shape[0] // patch, image.shape[1] // patch))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            image[i * patch:(i + 1) * patch, j * patch:(j + 1) * patch] = baseline
            out[i, j] = score - f(image)
    return out


def occ_xy(f, image, patch, baseline=0.0):
    h, w = image.shape
    out = np.zeros((w // patch, h // patch))
    for x in range(w // patch):
        for y in range(h // patch):
            im = image.copy()
            im[y * patch:(y + 1) * patch, x * patch:(x + 1) * patch] = baseline
            out[x, y] = f(image) - f(im)
    return out


def occ_zeros(f, image, patch, baseline=0.0):
    h, w = image.shape
    out = np.zeros((h // patch, w // patch))
    for i in range(h // patch):
        for j in range(w // patch):
            im = image.copy()
            im[i * patch:(i + 1) * patch, j * patch:(j + 1) * patch] = 0
            out[i, j] = f(image) - f(im)
    return out


def occ_per_pixel(f, image, patch, baseline=0.0):
    h, w = image.shape
    out = np.zeros((h, w))
    for i in range(0, h, patch):
        for j in range(0, w, patch):
            im = image.copy()
            im[i:i + patch, j:j + patch] = baseline
            out[i:i + patch, j:j + patch] = f(image) - f(im)
    return out


def occ_pixel_loop(f, image, patch, baseline=0.0):   # loops over pixels: IndexError
    h, w = image.shape
    out = np.zeros((h // patch, w // patch))
    for i in range(h):
        for j in range(w):
            im = image.copy()
            im[i:i + patch, j:j + patch] = baseline
            out[i, j] = f(image) - f(im)
    return out


def occ_stride_tricks(f, image, patch, baseline=0.0):   # right, another way
    h, w = image.shape
    clean = f(image)
    rows = []
    for top in range(0, h, patch):
        row = []
        for left in range(0, w, patch):
            hidden = np.where(np.pad(np.ones((patch, patch), bool),
                                     ((top, h - top - patch), (left, w - left - patch))),
                              baseline, image)
            row.append(clean - f(hidden))
        rows.append(row)
    return np.array(rows)


WRONG = [
    (1, cd_forward, "one-sided"),
    (1, cd_eps_only, "2 * eps"),
    (1, cd_everything, "every coordinate at once"),
    (1, cd_mutating, "changed in place"),
    (1, cd_int_copies, "holds integers"),
    (1, lambda f, x, eps: f(x), "wrong result"),
    (1, 0.5, "expected a function"),
    (2, 2048, "colour channels"),
    (2, 1024, "twice per number"),
    (2, 3072, "needs two"),
    (2, 3073, "one-sided"),
    (2, 6145, "clean image's pass is not needed"),
    (2, 2, "backpropagation's cost"),
    (2, 4096, "not quite"),
    (2, "6144", "expected a number"),
    (2, 6144.5, "whole number"),
    (3, ig_grad_times_input, "gradient times input"),
    (3, ig_no_scaling, "slope times a distance"),
    (3, ig_summed, "average them"),
    (3, ig_linspace, "left ends"),
    (3, ig_right_ends, "right ends"),
    (3, ig_plain_linspace, "both ends"),
    (3, ig_times_x, "not by `x`"),
    (3, ig_backwards, "sign is reversed"),
    (4, occ_increase, "sign is reversed"),
    (4, occ_no_copy, "accumulate"),
    (4, occ_xy, "swapped"),
    (4, occ_zeros, "`baseline`"),
    (4, occ_per_pixel, "one number per block"),
    (4, occ_pixel_loop, "loop over blocks"),
    (5, 8.1, "*difference*"),
    (5, -1.9, "sign is reversed"),
    (5, 3.1, "baseline's own logit"),
    (5, 0, "not zero in general"),
    (5, 5.0, "not quite"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(cd_as_list)
    assert ex.q2.check(6144.0) and ex.q2.check(np.int64(6144)) and ex.q2.check(2 * 32 * 32 * 3)
    assert ex.q3.check(ig_vectorised)
    assert ex.q4.check(occ_stride_tricks)
    assert ex.q5.check(5.0 - 3.1) and ex.q5.check(np.float32(1.9))


# --------------------------------------------------------------------------- against the truth
def test_central_difference_reference_is_exact_on_quadratics_and_second_order():
    cd = load(SLUG).q1.reference
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: float(np.sum(v ** 2) + v[0] * v[2])         # noqa: E731
    exact = 2 * x + np.array([x[2], 0.0, x[0]])
    np.testing.assert_allclose(cd(f, x, 0.5), exact, rtol=1e-12)  # central: exact for quadratics
    cubic = lambda v: float(np.sum(v ** 3))                    # noqa: E731
    errors = [np.abs(cd(cubic, x, eps) - 3 * x ** 2).max() for eps in (0.1, 0.05)]
    assert errors[1] == pytest.approx(errors[0] / 4, rel=1e-6)    # error ~ eps**2


def test_integrated_gradients_reference_is_complete():
    ig = load(SLUG).q3.reference
    w = np.array([0.5, -1.0, 2.0])
    f = lambda v: float(np.sum(w * v ** 2))                    # noqa: E731
    x, b = np.array([1.0, 0.4, -0.7]), np.array([0.2, 0.2, 0.2])
    # the integrand is linear in alpha: the midpoint rule is exact, even with one step
    for n in (1, 3, 10):
        assert ig(lambda v: 2 * w * v, x, b, n).sum() == pytest.approx(f(x) - f(b), rel=1e-12)
    g = lambda v: np.cos(v)                                    # noqa: E731
    gaps = [abs(ig(g, x, b, n).sum() - (np.sin(x).sum() - np.sin(b).sum())) for n in (4, 8)]
    assert gaps[1] < gaps[0] / 3


def test_integrated_gradients_reference_matches_helpers_explain():
    """The exercise's midpoint IG, with TensorFlow gradients, equals
    explain.integrated_gradients_attributions(method="riemann_middle")."""
    import tensorflow as tf
    ig = load(SLUG).q3.reference
    keras.utils.set_random_seed(3)
    model = helpers.models.gap_cnn((8, 8, 3), n_classes=2, widths=(4, 8), convs_per_block=1)
    image = np.random.default_rng(2).random((8, 8, 3), dtype=np.float32)

    def grad_f(v):
        t = tf.constant(v[None], tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = model(t, training=False)[0, 1]
        return tape.gradient(y, t)[0].numpy().astype(np.float64)

    expected = helpers.explain.integrated_gradients_attributions(
        model, image, 1, n_steps=6, method="riemann_middle")
    np.testing.assert_allclose(ig(grad_f, image, np.zeros_like(image), 6), expected,
                               rtol=1e-4, atol=1e-6)


def test_occlusion_reference_matches_helpers_explain_on_a_model():
    """Non-overlapping patches (stride = patch), logit drops: the same numbers as
    explain.occlusion before its min-max scaling."""
    occlusion_map = load(SLUG).q4.reference
    keras.utils.set_random_seed(4)
    inputs = keras.Input((8, 8, 1))
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))
    image = np.random.default_rng(4).random((8, 8, 1), dtype=np.float32)
    f = lambda img: float(model(img[None, :, :, None].astype(np.float32))[0, 0])  # noqa: E731
    drops = occlusion_map(f, image[..., 0].astype(np.float64), 2, baseline=0.25)
    maps = helpers.explain.occlusion(model, image, 0, patch=2, stride=2, baseline=0.25,
                                     progress=False)
    blocks = np.kron(drops, np.ones((2, 2)))
    scaled = (blocks - blocks.min()) / (blocks.max() - blocks.min())
    np.testing.assert_allclose(maps, scaled, atol=1e-4)


def test_the_pass_count_is_what_finite_differences_cost():
    keras.utils.set_random_seed(5)
    model = helpers.models.gap_cnn((32, 32, 3), n_classes=2, widths=(4,), convs_per_block=1)
    image = np.random.default_rng(5).random((32, 32, 3), dtype=np.float32)
    every = np.eye(image.size, dtype=np.float32).reshape(-1, *image.shape)
    counted, counter = helpers.explain.counting_model(model)
    helpers.explain.finite_differences(counted, image, every, 0, batch_size=512)
    forward, backward = counter.counts
    assert backward == 0
    assert load(SLUG).q2.check(forward - 1)   # one more pass checks the predicted class
