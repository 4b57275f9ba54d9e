"""The explained score as an object (helpers.explain.targets): each score against a
hand / finite-difference reference on a tiny model; every method takes every score kind
through one path (targets=), per image; ClassLogit is the int path exactly."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import explain
from helpers.explain import ClassLogit, DetectionBox, DetectionCell, LogSoftmax

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def classifier():
    """Conv -> GAP -> Dense(3) -> softmax (CAM-ready), 12x12 RGB."""
    inputs = keras.Input((12, 12, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="features",
                            kernel_initializer=keras.initializers.HeNormal(seed=3))(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(3, kernel_initializer=keras.initializers.GlorotNormal(seed=4),
                           name="logits")(x)
    return keras.Model(inputs, keras.layers.Softmax()(x))


@pytest.fixture(scope="module")
def detector():
    """Conv features (6x6x5 for 12x12 images) -> 1x1 linear head with 2 channels."""
    inputs = keras.Input((12, 12, 3))
    f = keras.layers.Conv2D(5, 3, strides=2, padding="same", activation="relu", name="features",
                            kernel_initializer=keras.initializers.HeNormal(seed=5))(inputs)
    head = keras.layers.Conv2D(2, 1, name="head",
                               kernel_initializer=keras.initializers.RandomNormal(seed=6))(f)
    return keras.Model(inputs, head)


@pytest.fixture(scope="module")
def images():
    return RNG.random((3, 12, 12, 3)).astype(np.float32)


def _logits(model, x):
    return keras.Model(model.inputs, model.get_layer("logits").output)(x).numpy().astype(np.float64)


# ----------------------------------------------------------------- values by hand
def test_values_and_probabilities_by_hand(classifier, images):
    z = _logits(classifier, images)
    params = np.array([[0], [2], [1]], np.int32)
    k = params[:, 0]
    zt = tf.constant(z)
    np.testing.assert_allclose(ClassLogit.value(zt, params).numpy(), z[np.arange(3), k])
    lse = np.log(np.exp(z).sum(axis=1))
    np.testing.assert_allclose(LogSoftmax.value(zt, params).numpy(), z[np.arange(3), k] - lse,
                               rtol=1e-12)
    p = np.exp(z - lse[:, None])
    for family in (ClassLogit, LogSoftmax):
        np.testing.assert_allclose(family.probability(zt, params, "softmax").numpy(),
                                   p[np.arange(3), k], rtol=1e-12)
    maps = RNG.standard_normal((2, 4, 5, 3))
    cells = np.array([[1, 2, 0], [3, 4, 2]], np.int32)
    np.testing.assert_array_equal(DetectionCell.value(tf.constant(maps), cells).numpy(),
                                  [maps[0, 1, 2, 0], maps[1, 3, 4, 2]])
    np.testing.assert_allclose(DetectionCell.probability(tf.constant(maps), cells, "linear"),
                               1 / (1 + np.exp(-maps[[0, 1], [1, 3], [2, 4], [0, 2]])))
    # a single sigmoid logit: class 0's logit is -z, its log-probability log sigmoid(-z)
    one = tf.constant([[1.5], [-0.5]], tf.float64)
    np.testing.assert_allclose(ClassLogit.value(one, np.array([[0], [1]], np.int32)), [-1.5, -0.5])
    np.testing.assert_allclose(LogSoftmax.value(one, np.array([[0], [1]], np.int32)),
                               np.log(1 / (1 + np.exp([1.5, 0.5]))))


@pytest.mark.parametrize("score", [ClassLogit(1), LogSoftmax(1)])
def test_saliency_attributions_match_finite_differences(classifier, images, score):
    image = images[0]
    grads = explain.saliency_attributions(classifier, image, score)
    # the gradient along 6 random directions, against central differences of the score
    directions = RNG.standard_normal((6, 12, 12, 3)).astype(np.float32)
    fd = explain.finite_differences(classifier, image, directions, score, eps=1e-3)
    np.testing.assert_allclose((directions * grads).sum(axis=(1, 2, 3)), fd, rtol=2e-2,
                               atol=2e-4)


def test_log_softmax_gradient_is_the_gap_gradient(classifier, images):
    g = {k: explain.saliency_attributions(classifier, images, k).astype(np.float64)
         for k in range(3)}
    z = _logits(classifier, images)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = g[1] - sum(p[:, j, None, None, None] * g[j] for j in range(3))
    got = explain.saliency_attributions(classifier, images, LogSoftmax(1))
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-6)


def test_detection_cell_gradient_by_finite_differences(detector, images):
    cell = DetectionCell(2, 3, 1)
    grads = explain.saliency_attributions(detector, images[1], cell)
    directions = RNG.standard_normal((4, 12, 12, 3)).astype(np.float32)
    fd = explain.finite_differences(detector, images[1], directions, cell, eps=1e-3)
    np.testing.assert_allclose((directions * grads).sum(axis=(1, 2, 3)), fd, rtol=2e-2,
                               atol=2e-4)


# ----------------------------------------------------------------- one path
GRADIENT_FREE = {"occlusion": dict(patch=4, progress=False), "scorecam": dict(progress=False),
                 "ablationcam": dict(progress=False)}
CLASSIFIER_METHODS = ["saliency", "smoothgrad", "integrated_gradients", "guided_backprop",
                      "occlusion", "cam", "gradcam", "gradcam_plus_plus", "hirescam",
                      "xgradcam", "layercam", "eigencam", "scorecam", "ablationcam",
                      "guided_gradcam"]


def _options(method):
    options = dict(GRADIENT_FREE.get(method, {}))
    if method == "smoothgrad":
        options["n_samples"] = 3
    if method == "integrated_gradients":
        options["n_steps"] = 8
    return options


@pytest.mark.parametrize("method", CLASSIFIER_METHODS)
def test_class_logit_is_the_int_path_exactly(classifier, images, method):
    options = _options(method)
    ints = explain.explain(method, classifier, images, [0, 2, 1], **options)
    objects = explain.explain(method, classifier, images,
                              [ClassLogit(0), ClassLogit(2), ClassLogit(1)], **options)
    np.testing.assert_array_equal(objects, ints)
    np.testing.assert_array_equal(explain.explain(method, classifier, images, ClassLogit(),
                                                  **options),
                                  explain.explain(method, classifier, images, None, **options))


@pytest.mark.parametrize("method", CLASSIFIER_METHODS)
def test_every_method_takes_the_logit_gap(classifier, images, method):
    maps = explain.explain(method, classifier, images, LogSoftmax(2), **_options(method))
    assert maps.shape == (3, 12, 12) and maps.dtype == np.float32
    assert np.isfinite(maps).all() and maps.min() >= 0 and maps.max() <= 1
    # one object for all images is the same as one per image
    per_image = explain.explain(method, classifier, images, [LogSoftmax(2)] * 3,
                                **_options(method))
    np.testing.assert_array_equal(maps, per_image)


def test_cam_of_the_logit_gap_is_the_kernel_against_the_mean_column(classifier, images):
    features = keras.Model(classifier.inputs, classifier.get_layer("features").output)
    a = features(images).numpy().astype(np.float64)
    kernel = classifier.get_layer("logits").kernel.numpy().astype(np.float64)  # (K, 3)
    z = _logits(classifier, images)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    w = kernel[:, 1][None] - p @ kernel.T                                      # (N, K)
    expected = explain.combine(tf.constant(a, tf.float32), tf.constant(w, tf.float32), (12, 12))
    np.testing.assert_allclose(explain.cam(classifier, images, LogSoftmax(1)), expected.numpy(),
                               atol=1e-5)


DETECTOR_METHODS = ["saliency", "smoothgrad", "integrated_gradients", "guided_backprop",
                    "occlusion", "gradcam", "gradcam_plus_plus", "hirescam", "xgradcam",
                    "layercam", "eigencam", "scorecam", "ablationcam", "guided_gradcam"]


@pytest.mark.parametrize("method", DETECTOR_METHODS)
def test_every_method_takes_a_detection_score(detector, images, method):
    options = _options(method)
    if method not in ("saliency", "smoothgrad", "integrated_gradients", "guided_backprop",
                      "occlusion"):
        options["layer"] = "features"
    cells = [DetectionCell(1, 2, 0), DetectionCell(4, 4, 1), DetectionCell(0, 5, 1)]
    maps = explain.explain(method, detector, images, cells, **options)
    assert maps.shape == (3, 12, 12) and np.isfinite(maps).all()
    boxes = [DetectionBox((4, 2, 6, 4), 0), DetectionBox((8, 8, 10, 10), 1),
             DetectionBox((10, 0, 12, 2), 1)]          # the same three cells
    np.testing.assert_array_equal(explain.explain(method, detector, images, boxes, **options),
                                  maps)


def test_meaningless_combinations_are_refused_clearly(classifier, detector, images):
    with pytest.raises(ValueError, match="ClassLogit explains a class score .* DetectionCell"):
        explain.gradcam(detector, images, 0, layer="features")
    with pytest.raises(ValueError, match="LogSoftmax explains a class score"):
        explain.saliency(detector, images, LogSoftmax(0))
    with pytest.raises(ValueError, match="DetectionCell explains one cell of a dense detector"):
        explain.gradcam(classifier, images, DetectionCell(0, 0, 0))
    with pytest.raises(ValueError, match="CAM needs a model whose head is"):
        explain.cam(detector, images, DetectionCell(0, 0, 0))
    with pytest.raises(TypeError, match="one family per call"):
        explain.gradcam(classifier, images, [ClassLogit(0), LogSoftmax(0), ClassLogit(1)])
    with pytest.raises(TypeError, match="all score objects or all ints"):
        explain.gradcam(classifier, images, [ClassLogit(0), 1, 2])
    with pytest.raises(ValueError, match="got 2 targets for 3 image"):
        explain.gradcam(classifier, images, [ClassLogit(0)] * 2)
    with pytest.raises(ValueError, match="target 3 is out of range"):
        explain.gradcam(classifier, images, LogSoftmax(3))
    with pytest.raises(TypeError, match="k must be None or an int"):
        ClassLogit(1.5)
    with pytest.raises(TypeError, match="row must be an int"):
        DetectionCell(0.5, 1, 0)
    with pytest.raises(ValueError, match="x2 >= x1"):
        DetectionBox((4, 0, 2, 3), 0)
    with pytest.raises(ValueError, match="4 numbers"):
        DetectionBox((4, 0, 2), 0)
