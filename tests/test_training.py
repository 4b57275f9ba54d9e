from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import models, training


def _stripes(n=240, seed=0):
    """Horizontal vs vertical stripes: a task a tiny CNN learns in a few epochs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    t = np.arange(12)
    x = np.empty((n, 12, 12, 1), np.float32)
    for i in range(n):
        wave = 0.5 + 0.5 * np.sin(t * 1.6 + phase[i])
        x[i, ..., 0] = wave[:, None] if y[i] else wave[None, :]
    return x, y


def test_fit_learns_from_arrays_and_reports_history(capsys):
    keras.utils.set_random_seed(0)
    x, y = _stripes()
    model = models.gap_cnn((12, 12, 1), 2, widths=(8, 16))
    history = training.fit(model, (x, y), (x[:60], y[:60]), epochs=6, batch_size=16, learning_rate=3e-3)
    logs = history.history
    assert set(logs) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(logs["loss"]) == 6
    assert logs["loss"][-1] < logs["loss"][0]
    assert logs["accuracy"][-1] > 0.9
    out = capsys.readouterr().out  # outside Jupyter: one printed line per epoch
    assert "epoch 6/6" in out and "val_accuracy" in out


def test_fit_accepts_an_imageset_like_object_and_a_dataset():
    x, y = _stripes(64)
    model = models.gap_cnn((12, 12, 1), 2, widths=(4,))
    training.fit(model, SimpleNamespace(images=x, labels=y), epochs=1, progress=False)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    history = training.fit(model, ds, epochs=1, progress=False)
    assert len(history.history["loss"]) == 1


def test_a_compiled_model_keeps_its_own_settings():
    x, y = _stripes(32)
    model = models.gap_cnn((12, 12, 1), 2, widths=(4,))
    sgd = keras.optimizers.SGD(0.01, momentum=0.9)
    model.compile(optimizer=sgd, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    training.fit(model, (x, y), epochs=1, progress=False)
    assert model.optimizer is sgd


@pytest.mark.parametrize("n_out, activation, loss_type, from_logits", [
    (3, None, keras.losses.SparseCategoricalCrossentropy, True),
    (3, "softmax", keras.losses.SparseCategoricalCrossentropy, False),
    (1, None, keras.losses.BinaryCrossentropy, True),
    (1, "sigmoid", keras.losses.BinaryCrossentropy, False),
])
def test_default_loss_matches_the_output(n_out, activation, loss_type, from_logits):
    model = models.gap_cnn((8, 8, 1), n_out, widths=(4,), activation=activation)
    loss = training.default_loss(model)
    assert isinstance(loss, loss_type)
    assert loss.get_config()["from_logits"] is from_logits


def test_a_single_logit_model_trains_with_binary_accuracy_at_zero():
    x, y = _stripes(64)
    model = models.gap_cnn((12, 12, 1), 1, widths=(4,))
    # a logit >= 0 is the positive class (sigmoid(logit) >= 0.5)
    assert training._default_metrics(model)[0].get_config()["threshold"] == 0.0
    training.fit(model, (x, y), epochs=1, progress=False)
    logits = model.predict(x, verbose=0)[:, 0]
    reported = model.evaluate(x, y, verbose=0, return_dict=True)["accuracy"]
    assert reported == pytest.approx(np.mean((logits >= 0) == y), abs=1e-6)


def test_multi_label_sigmoid_needs_an_explicit_loss():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    with pytest.raises(ValueError, match="multi-label"):
        training.default_loss(model)


def test_gpu_settings_xla_and_loss_scaling(monkeypatch):
    monkeypatch.setattr(training, "_has_gpu", lambda: True)
    monkeypatch.setattr(models.classifiers, "_compute_policy", lambda: "mixed_float16")
    model = models.gap_cnn((8, 8, 1), 2, widths=(4,))
    assert model.get_layer("features").compute_dtype == "float16"
    assert model.get_layer("logits").compute_dtype == "float32"  # logits stay float32
    training.compile_for_training(model)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.jit_compile is True


def test_cpu_uses_neither_xla_nor_mixed_precision(monkeypatch):
    monkeypatch.setattr(training, "_has_gpu", lambda: False)
    model = models.gap_cnn((8, 8, 1), 2, widths=(4,))
    training.compile_for_training(model)
    assert model.get_layer("features").compute_dtype == "float32"
    assert not isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    assert model.jit_compile is False


def test_augment_is_applied_to_training_batches_only():
    x, y = _stripes(16)
    seen = []

    def augment(images):
        seen.append(images.shape)
        return 1.0 - images

    ds = training.make_dataset((x, y), batch_size=8, augment=augment)
    batch_x, _ = next(iter(ds))
    np.testing.assert_allclose(batch_x.numpy(), 1.0 - x[:8])
    assert seen  # traced once inside tf.data


def test_make_dataset_shuffles_fully_and_repeatably():
    x = np.arange(40, dtype=np.float32).reshape(40, 1, 1, 1)
    y = np.arange(40)
    ds = training.make_dataset((x, y), batch_size=40, shuffle=True, seed=3)
    first = next(iter(ds))[1].numpy()
    assert sorted(first) == list(range(40)) and not np.array_equal(first, y)


@pytest.mark.parametrize("data, err, match", [
    ((np.zeros((4, 8, 8), np.float32), np.zeros(4)), ValueError, r"\(N, H, W, C\)"),
    ((np.zeros((4, 8, 8, 1), np.uint8), np.zeros(4)), TypeError, "floating point"),
    ((np.zeros((4, 8, 8, 1), np.float32), np.zeros(3)), ValueError, "4 images but 3 labels"),
    ((np.zeros((0, 8, 8, 1), np.float32), np.zeros(0)), ValueError, "no images"),
    ((np.full((2, 8, 8, 1), np.nan, np.float32), np.zeros(2)), ValueError, "NaN"),
    ("images.npy", TypeError, "ImageSet"),
])
def test_bad_training_data(data, err, match):
    model = models.gap_cnn((8, 8, 1), 2, widths=(4,))
    with pytest.raises(err, match=match):
        training.fit(model, data, epochs=1)


def test_bad_fit_arguments():
    x, y = _stripes(8)
    model = models.gap_cnn((12, 12, 1), 2, widths=(4,))
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        training.fit(model, (x, y), epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        training.fit(model, (x, y), epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="learning_rate"):
        training.fit(model, (x, y), epochs=1, learning_rate=-1)
    with pytest.raises(TypeError, match="keras.Model"):
        training.fit("model", (x, y), epochs=1)
