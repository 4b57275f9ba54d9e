"""Heatmaps of one detection's score of a dense detector: the classifier methods with a
DetectionCell / DetectionBox score (and detection_cam, the thin convenience over them)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.explain import (DetectionBox, DetectionCell, combine, detection_cam, eigencam,
                             gradcam, hirescam)


@pytest.fixture(scope="module")
def dense():
    """A tiny dense detector: conv features (8x8x6 for 16x16 images), a 1x1 linear head
    with 3 score channels: the score of class c at cell (i, j) is W[:, c] . A(i, j) + b_c."""
    inputs = keras.Input((16, 16, 3))
    features = keras.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu",
                                   name="features",
                                   kernel_initializer=keras.initializers.HeNormal(seed=1))(inputs)
    head = keras.layers.Conv2D(3, 1, name="head",
                               kernel_initializer=keras.initializers.RandomNormal(seed=2))(features)
    model = keras.Model(inputs, head)
    images = np.random.default_rng(0).random((4, 16, 16, 3)).astype(np.float32)
    activations = keras.Model(inputs, features)(images).numpy()
    weights = model.get_layer("head").get_weights()[0][0, 0]          # (6, 3)
    return model, images, activations, weights


def test_gradcam_weights_are_the_head_column(dense):
    model, images, activations, weights = dense
    cells, classes = np.array([[1, 2], [7, 7], [0, 0], [4, 3]]), np.array([0, 1, 2, 1])
    scores = [DetectionCell(r, c, k) for (r, c), k in zip(cells, classes)]
    maps = gradcam(model, images, scores, layer="features")
    # dS/dA is W[:, c] at the detection's cell only, so the mean gradient is W[:, c] / 64:
    # the same map as weighting the channels by the head's column (scaling cancels)
    expected = combine(tf.constant(activations), tf.constant(weights[:, classes].T), (16, 16))
    np.testing.assert_allclose(maps, expected.numpy(), atol=1e-5)
    assert maps.shape == (4, 16, 16) and maps.dtype == np.float32


def test_hirescam_stays_on_the_detection_cell(dense):
    model, images, activations, weights = dense
    classes = np.array([0, 1, 2, 0])
    cells = np.array([[1, 2], [6, 5], [3, 0], [0, 7]])
    maps = hirescam(model, images, [DetectionCell(r, c, k) for (r, c), k in zip(cells, classes)],
                    layer="features")
    for m, (row, col), c, a in zip(maps, cells, classes, activations):
        cell_value = max(float(a[row, col] @ weights[:, c]), 0.0)
        if cell_value > 0:
            peak_row, peak_col = np.unravel_index(np.argmax(m), m.shape)
            # the upsampled map peaks within a pixel of the cell's 2x2 block
            assert abs(peak_row // 2 - row) <= 1 and abs(peak_col // 2 - col) <= 1
            far = np.ones((8, 8), bool)
            far[max(row - 1, 0):row + 2, max(col - 1, 0):col + 2] = False
            assert m.reshape(8, 2, 8, 2).max(axis=(1, 3))[far].max() == 0
        else:
            assert not m.any()    # nothing supports the score: an all-zero map


def test_eigencam_ignores_the_target_and_matches_the_classifier_method(dense):
    model, images, _, _ = dense
    a = eigencam(model, images, DetectionCell(0, 0, 0), layer="features")
    b = eigencam(model, images, DetectionCell(5, 1, 2), layer="features")
    np.testing.assert_array_equal(a, b)
    # the same maps as helpers.explain.eigencam on a classifier with those features
    pooled = keras.layers.GlobalAveragePooling2D()(model.get_layer("features").output)
    classifier = keras.Model(model.inputs, keras.layers.Dense(2)(pooled))
    np.testing.assert_allclose(a, eigencam(classifier, images, layer="features"), atol=1e-5)


def test_single_image_and_batches(dense):
    model, images, _, _ = dense
    one = gradcam(model, images[1], DetectionCell(2, 3, 1), layer="features")
    many = gradcam(model, images, [DetectionCell(0, 0, 0), DetectionCell(2, 3, 1),
                                   DetectionCell(0, 0, 0), DetectionCell(0, 0, 0)],
                   layer="features", batch_size=3)
    assert one.shape == (16, 16)
    np.testing.assert_allclose(one, many[1], atol=1e-6)
    assert 0 <= many.min() and many.max() <= 1


def test_detection_cam_is_the_method_with_detection_cells(dense):
    model, images, _, _ = dense
    cells, classes = np.array([[1, 2], [7, 7], [0, 0], [4, 3]]), np.array([0, 1, 2, 1])
    scores = [DetectionCell(r, c, k) for (r, c), k in zip(cells, classes)]
    for method, function in (("gradcam", gradcam), ("hirescam", hirescam),
                             ("eigencam", eigencam)):
        np.testing.assert_array_equal(
            detection_cam(model, images, cells, classes, layer="features", method=method),
            function(model, images, scores, layer="features"))


def test_a_box_score_is_the_cell_of_its_centre(dense):
    model, images, _, _ = dense
    # 16x16 images, 8x8 cells: the centre (9, 5) of this box is in row 2, column 4
    box = DetectionBox((6.0, 2.0, 12.0, 8.0), 1)
    assert box.params((None, 8, 8, 3), (16, 16, 3)) == (2, 4, 1)
    np.testing.assert_array_equal(gradcam(model, images, box, layer="features"),
                                  gradcam(model, images, DetectionCell(2, 4, 1), layer="features"))
    with pytest.raises(ValueError, match="centre .* outside"):
        gradcam(model, images, DetectionBox((20, 0, 30, 4), 0), layer="features")


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(method="scorecam"), ValueError, "method"),
    (dict(cells=[[0, 8]]), ValueError, "col must be an int in [0, 7]"),
    (dict(cells=[[-1, 0]]), ValueError, "row must be an int in [0, 7]"),
    (dict(classes=[3]), ValueError, "channel must be an int in [0, 2]"),
    (dict(cells=[[0, 0], [1, 1]]), ValueError, "cells must have shape (N, 2)"),
    (dict(classes=[0, 1]), ValueError, "classes shape (N,)"),
    (dict(cells=[[0.5, 1]]), (TypeError, ValueError), "cells"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(layer="nope"), ValueError, "nope"),
])
def test_bad_input_is_named(dense, kwargs, error, message):
    model, images, _, _ = dense
    args = dict(cells=[[0, 0]], classes=[0], layer="features", method="gradcam")
    args.update(kwargs)
    with pytest.raises(error, match=None) as info:
        detection_cam(model, images[:1], **args)
    assert message in str(info.value)


def test_a_classifier_is_refused():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(2, 3, name="c")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    with pytest.raises(ValueError, match="dense detector"):
        detection_cam(model, np.zeros((1, 8, 8, 3), np.float32), [[0, 0]], [0], layer="c")
    with pytest.raises(ValueError, match="DetectionCell explains one cell of a dense detector"):
        gradcam(model, np.zeros((1, 8, 8, 3), np.float32), DetectionCell(0, 0, 0), layer="c")
