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


# --------------------------------------------------------------------------- fit checks the data
# against the model BEFORE TensorFlow sees it (model.fit is replaced by a trap)
def _trapped(model):
    def trap(*args, **kwargs):
        raise AssertionError("model.fit was reached: the mistake was not caught by helpers")
    model.fit = trap
    return model


X8 = np.random.default_rng(0).random((6, 8, 8, 1)).astype(np.float32)


@pytest.mark.parametrize("n_out, activation, labels, err, match", [
    (2, None, [0, 1, 0.5, 1, 0, 1], ValueError, r"train labels must be whole-number class indices"),
    (3, None, [0, 1, 2, 3, 0, 1], ValueError, r"train labels hold 3, but model .* has 3 outputs.*n_classes=4"),
    (1, "sigmoid", [0, 1, 2, 1, 0, 1], ValueError, r"single output .* labels 0 and 1 only"),
    (1, None, [0, 1, -1, 1, 0, 1], ValueError, r"train labels must be class indices >= 0"),
    (3, None, np.eye(3)[[0, 1, 2, 0, 1, 2]], ValueError, r"one-hot .* labels\.argmax\(axis=1\)"),
    (2, None, [[0, 1]] * 6, ValueError, r"one-hot"),
    (2, None, ["cat", "dog"] * 3, TypeError, r"train labels must hold numbers"),
    (2, None, [0, 1, np.nan, 1, 0, 1], ValueError, r"train labels contains NaN"),
])
def test_fit_refuses_labels_the_model_cannot_learn(n_out, activation, labels, err, match):
    model = _trapped(models.gap_cnn((8, 8, 1), n_out, widths=(4,), activation=activation))
    with pytest.raises(err, match=match):
        training.fit(model, (X8, np.asarray(labels)), epochs=1, progress=False)


@pytest.mark.parametrize("images, match", [
    (np.zeros((6, 12, 12, 1), np.float32), r"images are 12x12x1 .* expects 8x8x1; resize"),
    (np.zeros((6, 8, 8, 3), np.float32), r"images are 8x8x3 .* expects 8x8x1; convert grey"),
])
def test_fit_refuses_images_of_the_wrong_size_or_channels(images, match):
    model = _trapped(models.gap_cnn((8, 8, 1), 2, widths=(4,)))
    with pytest.raises(ValueError, match=match):
        training.fit(model, (images, np.zeros(6, int)), epochs=1, progress=False)
    with pytest.raises(ValueError, match="val: " + match):
        training.fit(model, (X8, np.zeros(6, int)), (images, np.zeros(6, int)), epochs=1)


def test_val_labels_are_checked_too():
    model = _trapped(models.gap_cnn((8, 8, 1), 2, widths=(4,)))
    with pytest.raises(ValueError, match=r"val labels hold 5"):
        training.fit(model, (X8, np.zeros(6, int)), (X8, np.full(6, 5)), epochs=1)


def test_single_output_accepts_a_column_of_zeros_and_ones():
    x, y = _stripes(32)
    model = models.gap_cnn((12, 12, 1), 1, widths=(4,))
    history = training.fit(model, (x, y[:, None].astype(np.float32)), epochs=1, progress=False)
    assert np.isfinite(history.history["loss"]).all()


def test_own_loss_may_take_one_hot_labels():
    x, y = _stripes(32)
    model = models.gap_cnn((12, 12, 1), 2, widths=(4,))
    history = training.fit(model, (x, np.eye(2)[y]), epochs=1, progress=False,
                           loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    assert np.isfinite(history.history["loss"]).all()


def test_numpy_scalars_are_valid_arguments():
    x, y = _stripes(32)
    model = models.gap_cnn((12, 12, 1), 2, widths=(4,))
    history = training.fit(model, (x, y), epochs=np.int64(1), batch_size=np.int32(8),
                           learning_rate=np.float32(1e-3), seed=np.int64(2), progress=False)
    assert len(history.history["loss"]) == 1
    assert model.optimizer.learning_rate.numpy() == pytest.approx(1e-3)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(learning_rate="1e-3"), TypeError, "learning_rate must be a real number"),
    (dict(learning_rate=np.nan), ValueError, "learning_rate must be a finite real number"),
    (dict(epochs=2.0), TypeError, "epochs must be an int"),
    (dict(batch_size=True), TypeError, "batch_size must be an int"),
    (dict(progress="no"), TypeError, "progress must be True or False"),
    (dict(seed=-1), ValueError, "seed must be an int >= 0"),
    (dict(augment="flip"), TypeError, "augment must be a callable"),
    (dict(callbacks="early"), TypeError, "callbacks must be a list"),
])
def test_fit_argument_types(kwargs, err, match):
    model = _trapped(models.gap_cnn((8, 8, 1), 2, widths=(4,)))
    kwargs = {"epochs": 1, **kwargs}
    with pytest.raises(err, match=match):
        training.fit(model, (X8, np.zeros(6, int)), **kwargs)
