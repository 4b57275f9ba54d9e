"""Checking and costing explanations: raw gradients, finite differences and pass
counting (helpers.explain.saliency_attributions, finite_differences, PassCounter,
measure_cost).

References here share no code with helpers.explain: a GradientTape on the model's own
output, analytic gradients of models whose function is known.
"""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import explain, models
from helpers.explain.occlusion import patch_starts


@pytest.fixture(scope="module")
def cnn():
    keras.utils.set_random_seed(0)
    return models.gap_cnn((16, 16, 3), n_classes=3, widths=(8, 16), convs_per_block=1)


@pytest.fixture(scope="module")
def smooth():
    """A smooth model (tanh): finite differences converge to the gradient as eps shrinks."""
    keras.utils.set_random_seed(1)
    inputs = keras.Input((6, 6, 2))
    h = keras.layers.Dense(8, activation="tanh")(keras.layers.Flatten()(inputs))
    return keras.Model(inputs, keras.layers.Dense(3)(h))


@pytest.fixture(scope="module")
def linear():
    """logits = W x + b: its gradient is W whatever the image."""
    keras.utils.set_random_seed(2)
    inputs = keras.Input((6, 6, 2))
    return keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))


@pytest.fixture(scope="module")
def x16():
    return np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)


@pytest.fixture(scope="module")
def x6():
    return np.random.default_rng(1).random((3, 6, 6, 2), dtype=np.float32)


def tape_gradient(model, image, target):
    """d logit[target] / d image by a plain GradientTape on the model's output."""
    x = tf.constant(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x, training=False)[0, target]
    return tape.gradient(y, x)[0].numpy()


def one_hot_directions(shape, flat_indices):
    d = np.zeros((len(flat_indices), int(np.prod(shape))), np.float32)
    d[np.arange(len(flat_indices)), flat_indices] = 1.0
    return d.reshape(len(flat_indices), *shape)


# --------------------------------------------------------------------------- raw gradients
def test_saliency_attributions_are_the_tape_gradient_and_saliency_is_built_on_them(cnn, x16):
    grads = explain.saliency_attributions(cnn, x16, targets=[0, 1, 2, 1])
    assert grads.shape == x16.shape and grads.dtype == np.float32
    for n, t in enumerate([0, 1, 2, 1]):
        np.testing.assert_allclose(grads[n], tape_gradient(cnn, x16[n], t), rtol=1e-4, atol=1e-6)
    # saliency is max over channels of |g|, min-max scaled, for the predicted class
    predicted = cnn.predict(x16, verbose=0).argmax(axis=1)
    raw = np.abs(explain.saliency_attributions(cnn, x16, predicted)).max(axis=-1)
    lo, hi = raw.min(axis=(1, 2), keepdims=True), raw.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(explain.saliency(cnn, x16), (raw - lo) / (hi - lo), atol=1e-5)
    single = explain.saliency_attributions(cnn, x16[0], targets=0)
    np.testing.assert_allclose(single, grads[0], rtol=1e-5, atol=1e-7)


def test_saliency_attributions_of_a_linear_model_are_its_weights(linear, x6):
    kernel = linear.layers[-1].kernel.numpy()           # (72, 3)
    grads = explain.saliency_attributions(linear, x6, targets=2)
    for g in grads:
        np.testing.assert_allclose(g.reshape(-1), kernel[:, 2], rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------- finite differences
def test_finite_differences_of_a_linear_model_are_exact(linear, x6):
    kernel = linear.layers[-1].kernel.numpy()[:, 1]
    rng = np.random.default_rng(3)
    directions = rng.standard_normal((5, 6, 6, 2)).astype(np.float32)
    for eps in (1e-2, 1.0, 10.0):     # a linear function has no kinks: any step is exact
        got = explain.finite_differences(linear, x6[0], directions, target=1, eps=eps)
        assert got.dtype == np.float64 and got.shape == (5,)
        np.testing.assert_allclose(got, directions.reshape(5, -1) @ kernel, rtol=2e-3, atol=1e-4)


def test_finite_differences_converge_to_the_gradient_of_a_smooth_model(smooth, x6):
    image = x6[1]
    g = tape_gradient(smooth, image, 0).reshape(-1)
    idx = np.arange(0, 72, 5)
    directions = one_hot_directions(image.shape, idx)
    errors = []
    for eps in (0.3, 0.1, 0.03):
        fd = explain.finite_differences(smooth, image, directions, target=0, eps=eps)
        errors.append(np.abs(fd - g[idx]).max())
    # the central difference's error shrinks like eps**2 (until float32 rounding)
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-3 * np.abs(g).max() + 1e-5


def test_finite_differences_along_a_patch_sum_the_gradient_over_it(cnn, x16):
    image = x16[2]
    patch = np.zeros((2, 16, 16, 3), np.float32)
    patch[0, 4:8, 4:8, :] = 1.0
    patch[1, 10:16, 0:3, 1] = 1.0
    g = tape_gradient(cnn, image, 1)
    fd = explain.finite_differences(cnn, image, patch, target=1, eps=1e-3)
    np.testing.assert_allclose(fd, (patch * g).sum(axis=(1, 2, 3)), rtol=2e-2, atol=1e-3)


def test_finite_differences_of_the_probability(smooth, x6):
    image = x6[0]
    logits = smooth(image[None], training=False).numpy()[0].astype(np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    jac = np.stack([tape_gradient(smooth, image, k).reshape(-1) for k in range(3)])  # (3, 72)
    t = int(np.argmax(logits))
    grad_p = p[t] * (jac[t] - p @ jac)        # d softmax_t / dx
    directions = one_hot_directions(image.shape, np.arange(0, 72, 7))
    fd = explain.finite_differences(smooth, image, directions, eps=1e-2, score="probability")
    np.testing.assert_allclose(fd, grad_p[np.arange(0, 72, 7)], rtol=1e-2, atol=1e-4)


def test_finite_differences_predicted_target_is_the_clean_prediction(cnn, x16):
    image = x16[0]
    t = int(cnn.predict(image[None], verbose=0).argmax())
    d = one_hot_directions(image.shape, [0, 100, 700])
    np.testing.assert_array_equal(explain.finite_differences(cnn, image, d),
                                  explain.finite_differences(cnn, image, d, target=t))


def test_finite_differences_do_not_depend_on_the_batch_size(cnn, x16):
    d = one_hot_directions(x16[0].shape, np.arange(0, 768, 37))
    a = explain.finite_differences(cnn, x16[0], d, target=2, batch_size=3)
    b = explain.finite_differences(cnn, x16[0], d, target=2)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"eps": 0.0}, ValueError, "eps"),
    ({"eps": -1e-3}, ValueError, "eps"),
    ({"eps": float("nan")}, ValueError, "eps"),
    ({"eps": True}, TypeError, "eps"),
    ({"eps": "0.01"}, TypeError, "eps"),
    ({"score": "softmax"}, ValueError, "score"),
    ({"target": 3}, ValueError, "out of range"),
    ({"target": 1.0}, TypeError, "target"),
    ({"target": [0]}, TypeError, "target"),
    ({"batch_size": 0}, ValueError, "batch_size"),
])
def test_finite_differences_bad_options(cnn, x16, kwargs, error, match):
    d = one_hot_directions(x16[0].shape, [0, 1])
    with pytest.raises(error, match=match):
        explain.finite_differences(cnn, x16[0], d, **kwargs)


def test_finite_differences_bad_image_or_directions(cnn, x16):
    d = one_hot_directions(x16[0].shape, [0, 1])
    with pytest.raises(ValueError, match="one image"):
        explain.finite_differences(cnn, x16[:2], d)
    with pytest.raises(ValueError, match=r"directions must have shape \(D, 16, 16, 3\)"):
        explain.finite_differences(cnn, x16[0], np.ones((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="directions must be a 4-D array"):
        explain.finite_differences(cnn, x16[0], np.ones((16, 16, 3)))
    bad = d.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="directions contains NaN"):
        explain.finite_differences(cnn, x16[0], bad)
    with pytest.raises(TypeError, match="floating point"):
        explain.finite_differences(cnn, (x16[0] * 255).astype(np.uint8), d)


# --------------------------------------------------------------------------- counting passes
def test_the_counter_is_an_identity_both_ways(cnn, x16):
    counted, counter = explain.counting_model(cnn)
    np.testing.assert_allclose(counted.predict(x16, verbose=0), cnn.predict(x16, verbose=0),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(explain.saliency_attributions(counted, x16, 0),
                               explain.saliency_attributions(cnn, x16, 0), rtol=1e-6, atol=1e-8)
    assert counter.counts[0] > 0
    counter.reset()
    assert counter.counts == (0, 0)


@pytest.mark.parametrize("batch_size", [None, 3])
def test_passes_counted_per_method(cnn, x16, batch_size):
    n_samples, patch, stride = 5, 4, 4
    positions = len(patch_starts(16, patch, stride)) ** 2
    expected = {
        "saliency": (explain.saliency, {}, (1, 1)),
        "smoothgrad": (explain.smoothgrad, {"n_samples": n_samples}, (n_samples + 1, n_samples)),
        "occlusion": (explain.occlusion, {"patch": patch, "stride": stride, "progress": False},
                      (1 + positions, 0)),
        "gradcam": (explain.gradcam, {}, (1, 1)),
    }
    for name, (method, options, (forward, backward)) in expected.items():
        if batch_size is not None:
            options = {**options, "batch_size": batch_size}
        cost = explain.measure_cost(method, cnn, x16, repeats=1, **options)
        assert (cost.forward, cost.backward) == (forward, backward), name
        assert np.isfinite(cost.seconds) and cost.seconds > 0


def test_the_counter_passes_float32_images_on_under_mixed_precision():
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        counter = explain.PassCounter()
    finally:
        keras.config.set_dtype_policy(previous)
    assert counter.compute_dtype == "float32"
    x = tf.constant(np.full((2, 3), 1 / 3, np.float32))
    assert counter(x).dtype == tf.float32 and counter.counts == (2, 0)


def test_measure_cost_bad_input(cnn, x16):
    with pytest.raises(TypeError, match="method must be a function"):
        explain.measure_cost("saliency", cnn, x16)
    with pytest.raises(ValueError, match="repeats"):
        explain.measure_cost(explain.saliency, cnn, x16, repeats=0)
    with pytest.raises(ValueError, match="batch"):
        explain.measure_cost(explain.saliency, cnn, x16[0])
    with pytest.raises(TypeError, match="keras.Model"):
        explain.measure_cost(explain.saliency, "model", x16)
