"""Functional check on ground truth: a GAP CNN trained on helpers.data.shapes looks at the shape.

The shapes set knows where every object is (its box), so "where does the CNN look?"
has a right answer: for correctly classified test images, the peak of the CAM,
Grad-CAM and Score-CAM maps should fall inside the object's box.
"""
import time

import keras
import numpy as np
import pytest

import helpers.data
from helpers import explain, models

from explain_reference import peak_in_box_rate

SIZE = 32
N_IMAGES = 3000
EPOCHS = 12
MIN_ACCURACY = 0.8
MIN_PEAK_IN_BOX = 0.9


def _augment(images, rng):
    """Flips and a quarter turn: the classes (circle, square, triangle) do not change."""
    x = images.copy()
    flip = rng.random(len(x)) < 0.5
    x[flip] = x[flip, :, ::-1]
    flip = rng.random(len(x)) < 0.5
    x[flip] = x[flip, ::-1]
    return np.ascontiguousarray(np.rot90(x, int(rng.integers(4)), axes=(1, 2)))


@pytest.fixture(scope="module")
def trained():
    """A gap_cnn trained once for this module (seeded), with its held-out test set.

    32x32 images keep training to about 20 s on two CPU cores; at that size the
    objects are 10-19 pixels across and the last feature maps 8x8.
    """
    keras.utils.set_random_seed(0)
    data = helpers.data.shapes(N_IMAGES, size=SIZE, seed=0)
    train, test = data.split(0.2, seed=0)
    model = models.gap_cnn((SIZE, SIZE, 3), len(data.class_names), widths=(16, 32, 64))
    steps = EPOCHS * int(np.ceil(len(train.images) / 32))
    model.compile(optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps)),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(EPOCHS):
        model.fit(_augment(train.images, rng), train.labels, epochs=1, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    predicted = model.predict(test.images, verbose=0).argmax(axis=1)
    correct = predicted == test.labels
    return {"model": model, "test": test, "correct": correct, "seconds": seconds}


def test_the_model_learned_the_shapes(trained):
    accuracy = trained["correct"].mean()
    print(f"trained in {trained['seconds']:.1f} s, test accuracy {accuracy:.3f}")
    assert accuracy >= MIN_ACCURACY


@pytest.mark.parametrize("method", ["cam", "gradcam", "scorecam"])
def test_heatmap_peaks_fall_inside_the_object_box(trained, method):
    test, correct = trained["test"], trained["correct"]
    images, labels, boxes = test.images[correct], test.labels[correct], test.boxes[correct]
    options = {"progress": False} if method == "scorecam" else {}
    maps = explain.explain(method, trained["model"], images, labels, **options)
    rate = peak_in_box_rate(maps, boxes)
    print(f"{method}: peak inside the box for {rate:.1%} of {len(images)} correctly classified images")
    assert rate >= MIN_PEAK_IN_BOX
