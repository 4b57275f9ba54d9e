"""helpers.evaluation.noise_stability: do maps survive noise too small to see?

Checked against a direct computation with scipy's spearmanr, on models whose
gradient is known (a linear model's saliency cannot depend on the image).
"""
from __future__ import annotations

import keras
import numpy as np
import pytest
from scipy.stats import spearmanr

from helpers import evaluation, explain, models


@pytest.fixture(scope="module")
def cnn():
    keras.utils.set_random_seed(0)
    return models.gap_cnn((16, 16, 3), n_classes=3, widths=(8, 16), convs_per_block=1)


@pytest.fixture(scope="module")
def linear():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((6, 6, 2))
    return keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))


@pytest.fixture(scope="module")
def x16():
    return np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)


def test_a_deterministic_method_without_noise_is_perfectly_stable(cnn, x16):
    rho = evaluation.noise_stability(cnn, x16, explain.saliency, noise_level=0.0)
    np.testing.assert_allclose(rho.values, np.ones(len(x16)))
    assert rho.valid.all() and rho.mean == pytest.approx(1.0)


def test_a_linear_models_saliency_ignores_noise(linear):
    # its gradient is the same everywhere, so any noise leaves the map unchanged
    x6 = np.random.default_rng(1).random((3, 6, 6, 2), dtype=np.float32)
    rho = evaluation.noise_stability(linear, x6, "saliency", noise_level=0.5)
    np.testing.assert_allclose(rho.values, 1.0)


def test_against_a_direct_computation(cnn, x16):
    rho = evaluation.noise_stability(cnn, x16, explain.saliency, targets=1, noise_level=0.05,
                                     seed=4)
    sigma = 0.05 * (x16.max(axis=(1, 2, 3)) - x16.min(axis=(1, 2, 3)))
    noise = np.random.default_rng(4).standard_normal(x16.shape)
    noisy = (x16 + sigma[:, None, None, None] * noise).astype(np.float32)
    a, b = explain.saliency(cnn, x16, 1), explain.saliency(cnn, noisy, 1)
    expected = [spearmanr(p.ravel(), q.ravel())[0] for p, q in zip(a, b)]
    np.testing.assert_allclose(rho.values, expected, rtol=1e-9, atol=1e-12)
    assert (rho.values < 1).all() and rho.mean == pytest.approx(np.mean(expected))
    louder = evaluation.noise_stability(cnn, x16, explain.saliency, targets=1, noise_level=0.5,
                                        seed=4)
    assert louder.mean < rho.mean
    # a method given by name, with its options, is the same method
    by_name = evaluation.noise_stability(cnn, x16, "smoothgrad", targets=1, noise_level=0.05,
                                         seed=4, n_samples=3)
    by_function = evaluation.noise_stability(cnn, x16, explain.smoothgrad, targets=1,
                                             noise_level=0.05, seed=4, n_samples=3)
    np.testing.assert_array_equal(by_name.values, by_function.values)


def test_the_clean_prediction_is_the_target_of_both_maps(cnn, x16):
    seen = []

    def spy(model, images, targets):
        seen.append(np.asarray(targets))
        return explain.saliency(model, images, targets)

    evaluation.noise_stability(cnn, x16, spy, noise_level=0.5)
    predicted = cnn.predict(x16, verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(seen[0], predicted)
    np.testing.assert_array_equal(seen[1], predicted)


def test_a_constant_map_scores_zero_not_nan_and_is_invalid(cnn, x16):
    flat = lambda model, images, targets: np.zeros(images.shape[:3])   # noqa: E731
    rho = evaluation.noise_stability(cnn, x16, flat)
    np.testing.assert_array_equal(rho.values, np.zeros(len(x16)))
    assert not rho.valid.any()                  # a constant map ranks nothing
    with pytest.raises(ValueError, match="no image could be scored"):
        rho.mean


def test_bad_input(cnn, x16):
    with pytest.raises(TypeError, match="method must be a method name or a callable"):
        evaluation.noise_stability(cnn, x16, 3)
    with pytest.raises(ValueError, match="unknown explanation method"):
        evaluation.noise_stability(cnn, x16, "saliensy")
    with pytest.raises(ValueError, match="noise_level"):
        evaluation.noise_stability(cnn, x16, explain.saliency, noise_level=-0.1)
    with pytest.raises(TypeError, match="noise_level"):
        evaluation.noise_stability(cnn, x16, explain.saliency, noise_level="0.01")
    with pytest.raises(TypeError, match="seed"):
        evaluation.noise_stability(cnn, x16, explain.saliency, seed=1.5)
    with pytest.raises(ValueError, match="batch"):
        evaluation.noise_stability(cnn, x16[0], explain.saliency)
    with pytest.raises(ValueError, match="out of range"):
        evaluation.noise_stability(cnn, x16, explain.saliency, targets=7)
