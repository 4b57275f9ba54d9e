"""helpers.exercises, Lab C ("lab_cam"): every question of the set, with references
checked against the library (a GAP model's gradient, the loader's labels, CAM's
refusal of other heads, VGG16's map size)."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import helpers
from helpers.data import IMAGENETTE_CLASSES
from helpers.exercises import load
from exercise_support import assert_value_mistakes_are_recognised

SLUG = "lab_cam"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


def test_the_set_is_registered():
    assert SLUG in helpers.exercises.chapters() and len(load(SLUG)) == 4


def test_every_mistake_gets_its_own_message():
    assert_value_mistakes_are_recognised(load(SLUG))


@pytest.mark.parametrize("number, wrong", [
    (1, 0.0143 * 1.01), (1, 0.7 / 48), (2, 4), (2, "5x"), (3, "e"), (4, 9), (4, 11),
])
def test_other_wrong_answers_are_refused(number, wrong):
    assert not _question(number).check(wrong)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.float32(0.7 / 49)) and ex.q1.check(0.0142857)
    assert ex.q2.check(np.int64(5)) and ex.q2.check(5.0)
    assert ex.q3.check("A")
    assert ex.q4.check(np.int32(10))


def test_q1_reference_is_the_gradient_of_a_gap_head():
    x = tf.Variable(np.random.default_rng(0).random((1, 7, 7, 1)), dtype=tf.float32)
    dense = keras.layers.Dense(1, use_bias=False,
                               kernel_initializer=keras.initializers.Constant(0.7))
    with tf.GradientTape() as tape:
        score = dense(keras.layers.GlobalAveragePooling2D()(x))
    gradient = tape.gradient(score, x).numpy()
    np.testing.assert_allclose(gradient, load(SLUG).q1.expected, rtol=1e-5)


def test_q2_reference_is_the_loaders_label():
    names = [name for _, name, _ in IMAGENETTE_CLASSES]
    assert names.index("French horn") == load(SLUG).q2.expected
    assert IMAGENETTE_CLASSES[load(SLUG).q2.expected][2] == 566


def test_q3_reference_cam_accepts_only_the_gap_head():
    from helpers.explain import cam
    from helpers.models import vgg16

    images = np.zeros((1, 32, 32, 3), np.float32)
    assert cam(vgg16((32, 32, 3), 2, head="gap"), images).shape == (1, 32, 32)
    with pytest.raises(ValueError):
        cam(vgg16((32, 32, 3), 2, head="flatten"), images)


def test_q4_reference_is_vgg16s_map_size():
    base = keras.applications.VGG16(include_top=False, weights=None, input_shape=(160, 160, 3))
    side = base.get_layer("block5_conv3").output.shape[1]
    assert side == load(SLUG).q4.expected
