"""Precise BatchNorm statistics (helpers.batchnorm) and their use in helpers.training.fit."""
import keras
import numpy as np
import pytest

import helpers
from helpers.batchnorm import batchnorm_layers, recalibrate_batchnorm


def _net(dropout=0.0, frozen_bn=False):
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)
    x = keras.layers.Dropout(dropout, name="drop")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv2")(x)
    bn2 = keras.layers.BatchNormalization(name="bn2")
    bn2.trainable = not frozen_bn
    x = bn2(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(2)(x))


def _images(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return (0.2 + 0.05 * rng.random((n, 8, 8, 3))).astype(np.float32)


def test_statistics_are_those_of_the_inference_time_activations():
    model, x = _net(dropout=0.5), _images()
    assert recalibrate_batchnorm(model, x, batch_size=64) == 2
    conv = keras.Model(model.input, model.get_layer("conv").output)(x).numpy()
    bn = model.get_layer("bn")
    np.testing.assert_allclose(bn.moving_mean.numpy(), conv.mean(axis=(0, 1, 2)), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), conv.var(axis=(0, 1, 2)), rtol=1e-3, atol=1e-7)
    # the second layer's input is computed with the first layer's batch statistics
    # (one batch holds every image, so they are the population statistics)
    conv2 = keras.Model(model.input, model.get_layer("conv2").output)(x, training=False).numpy()
    np.testing.assert_allclose(model.get_layer("bn2").moving_mean.numpy(), conv2.mean(axis=(0, 1, 2)),
                               rtol=1e-3, atol=1e-5)
    assert model.get_layer("drop").rate == 0.5 and bn.momentum == 0.99  # restored


def test_several_batches_average_the_batch_statistics():
    model, x = _net(), _images(40)
    recalibrate_batchnorm(model, x, batch_size=10, max_images=30)
    conv = keras.Model(model.input, model.get_layer("conv").output)(x[:30]).numpy()
    batches = conv.reshape(3, 10, 8, 8, 4)
    np.testing.assert_allclose(model.get_layer("bn").moving_mean.numpy(),
                               batches.mean(axis=(1, 2, 3)).mean(axis=0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.get_layer("bn").moving_variance.numpy(),
                               batches.var(axis=(1, 2, 3)).mean(axis=0), rtol=1e-3, atol=1e-7)


def test_frozen_layers_and_other_weights_are_untouched():
    model, x = _net(frozen_bn=True), _images()
    frozen = model.get_layer("bn2")
    before = [w.numpy().copy() for w in model.weights if "moving" not in w.path or "bn2" in w.path]
    assert [layer.name for layer in batchnorm_layers(model)] == ["bn"]
    assert recalibrate_batchnorm(model, x) == 1
    after = [w.numpy() for w in model.weights if "moving" not in w.path or "bn2" in w.path]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert frozen.moving_variance.numpy().tolist() == [1.0] * 4


def test_a_model_without_batchnorm_is_left_alone():
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    assert recalibrate_batchnorm(model, _images()) == 0


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(images=np.zeros((4, 8, 8))), ValueError, "images must be a 4-D array"),
    (dict(images="x"), TypeError, "images must be an array of numbers"),
    (dict(images=np.full((4, 8, 8, 3), np.nan)), ValueError, "NaN"),
    (dict(batch_size=1), ValueError, "batch_size must be an int >= 2"),
    (dict(max_images=0), ValueError, "max_images must be an int >= 1"),
    (dict(batch_size=2.5), TypeError, "batch_size must be an int"),
])
def test_bad_input(kwargs, error, match):
    args = dict(images=_images())
    args.update(kwargs)
    with pytest.raises(error, match=match):
        recalibrate_batchnorm(_net(), **args)
    with pytest.raises(TypeError, match="keras.Model"):
        recalibrate_batchnorm("model", _images())


def test_fit_recalibrates_before_validation_and_at_the_end():
    data = helpers.data.shapes(64, size=16, seed=0)
    model = helpers.models.gap_cnn((16, 16, 3), 3, widths=(8,))
    helpers.training.fit(model, data, data, epochs=1, progress=False)
    bn = batchnorm_layers(model)[0]
    features = keras.Model(model.input, bn.input)(data.images).numpy()
    np.testing.assert_allclose(bn.moving_mean.numpy(), features.mean(axis=(0, 1, 2)), rtol=1e-3, atol=1e-5)
    off = helpers.models.gap_cnn((16, 16, 3), 3, widths=(8,))
    helpers.training.fit(off, data, epochs=1, progress=False, precise_batchnorm=False)
    bn_off = batchnorm_layers(off)[0]
    features_off = keras.Model(off.input, bn_off.input)(data.images).numpy()
    assert not np.allclose(bn_off.moving_mean.numpy(), features_off.mean(axis=(0, 1, 2)), rtol=1e-3, atol=1e-5)
    with pytest.raises(TypeError, match="precise_batchnorm must be True or False"):
        helpers.training.fit(off, data, epochs=1, progress=False, precise_batchnorm="yes")
