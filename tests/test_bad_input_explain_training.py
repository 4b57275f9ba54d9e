"""Bad input for the explanation methods, the score objects and fit (issue 20): a clear
TypeError / ValueError naming the argument, before any work is wasted."""
from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from helpers import explain, training
from helpers.explain import DetectionCell, LogSoftmax

X = np.random.default_rng(0).random((2, 12, 12, 3)).astype(np.float32)
LABELS = np.array([0, 1])


def _classifier(head=None, seed=0):
    inputs = keras.Input((12, 12, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="features",
                            kernel_initializer=keras.initializers.HeNormal(seed=seed))(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(2, name="logits",
                           kernel_initializer=keras.initializers.GlorotNormal(seed=seed))(x)
    return keras.Model(inputs, head(x) if head is not None else x)


def _detector():
    inputs = keras.Input((12, 12, 3))
    f = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu",
                            name="features")(inputs)
    return keras.Model(inputs, keras.layers.Conv2D(2, 1, name="head")(f))


def _poison(model, layer):
    weights = model.get_layer(layer).get_weights()
    weights[0][...] = np.nan
    model.get_layer(layer).set_weights(weights)
    return model


METHODS = ["saliency", "smoothgrad", "integrated_gradients", "guided_backprop", "occlusion",
           "cam", "gradcam", "gradcam_plus_plus", "hirescam", "xgradcam", "layercam",
           "eigencam", "scorecam", "ablationcam", "guided_gradcam"]


@pytest.mark.parametrize("layer", ["features", "logits"])
@pytest.mark.parametrize("method", METHODS)
def test_a_model_with_nan_weights_is_refused_by_every_method(method, layer):
    model = _poison(_classifier(), layer)
    options = {"progress": False} if method in ("occlusion", "scorecam", "ablationcam") else {}
    with pytest.raises(ValueError, match="NaN or infinite weights .* did training diverge"):
        explain.explain(method, model, X, None, **options)


@pytest.mark.parametrize("method", ["gradcam", "hirescam", "eigencam", "scorecam",
                                    "ablationcam", "saliency", "occlusion"])
def test_a_detector_with_nan_weights_is_refused_for_a_detection_score(method):
    model = _poison(_detector(), "head")
    options = {"progress": False} if method in ("occlusion", "scorecam", "ablationcam") else {}
    if method not in ("saliency", "occlusion"):
        options["layer"] = "features"
    with pytest.raises(ValueError, match="NaN or infinite weights"):
        explain.explain(method, model, X, DetectionCell(1, 1, 0), **options)
    with pytest.raises(ValueError, match="NaN or infinite weights"):
        explain.detection_cam(model, X, [[0, 0], [1, 1]], [0, 1], layer="features")


def test_an_exact_softmax_lambda_head_is_bypassed_like_a_softmax_layer():
    plain = _classifier(keras.layers.Softmax())
    lam = _classifier(keras.layers.Lambda(lambda z: keras.ops.softmax(z, axis=-1)))
    lam.set_weights(plain.get_weights())
    for method in ("gradcam", "saliency"):
        np.testing.assert_allclose(explain.explain(method, lam, X, 1),
                                   explain.explain(method, plain, X, 1), atol=1e-6)
    assert training.default_loss(lam).get_config()["from_logits"] is False


def test_a_probability_lambda_head_that_is_not_a_plain_softmax_is_refused():
    model = _classifier(keras.layers.Lambda(lambda z: keras.ops.softmax(z / 3.0, axis=-1)))
    for method in ("gradcam", "saliency", "scorecam"):
        with pytest.raises(ValueError, match="Lambda layer whose outputs look like probabilities"):
            explain.explain(method, model, X, 1)
    with pytest.raises(ValueError, match="ends in a Lambda layer"):
        training.default_loss(model)
    # a Lambda that does not give probabilities (a scaling) is read as logits
    scaled = _classifier(keras.layers.Lambda(lambda z: 2.0 * z))
    assert explain.gradcam(scaled, X, 1).shape == (2, 12, 12)


def test_occlusion_baseline_must_be_numbers():
    model = _classifier()
    with pytest.raises(TypeError, match="baseline must be a number or 3 numbers .* got str"):
        explain.occlusion(model, X, baseline="grey")


def test_huge_sample_and_step_counts_are_a_value_error():
    model = _classifier()
    with pytest.raises(ValueError, match="n_samples=1000000000 .* GiB"):
        explain.smoothgrad(model, X, n_samples=10**9)
    with pytest.raises(ValueError, match="n_steps=10000000000 .* path points"):
        explain.integrated_gradients(model, X, n_steps=10**10)


def test_score_objects_refuse_bad_parameters():
    with pytest.raises(TypeError, match="LogSoftmax: k must be None or an int"):
        LogSoftmax("cat")
    with pytest.raises(ValueError, match="DetectionCell row must be an int in \\[0, 5\\]"):
        explain.gradcam(_detector(), X, DetectionCell(6, 0, 0), layer="features")


# ----------------------------------------------------------------- fit
def test_fit_refuses_a_two_output_model_clearly():
    inputs = keras.Input((12, 12, 3))
    flat = keras.layers.Flatten()(inputs)
    model = keras.Model(inputs, [keras.layers.Dense(2)(flat), keras.layers.Dense(2)(flat)])
    with pytest.raises(ValueError, match="1 inputs and 2 outputs; fit need one image input"):
        training.fit(model, (X, LABELS), epochs=1, progress=False)


def test_fit_refuses_a_model_with_nan_weights_before_training():
    model = _poison(_classifier(), "logits")
    with pytest.raises(ValueError, match="NaN or infinite weights .* before calling fit"):
        training.fit(model, (X, LABELS), epochs=1, progress=False)


def test_fit_stops_with_a_clear_error_when_the_loss_becomes_nan():
    model = _classifier()
    with pytest.raises(ValueError, match="the loss became nan at epoch 1, batch 1"):
        training.fit(model, (X, LABELS), epochs=2, progress=False,
                     loss=lambda y, p: keras.ops.mean(p) * float("nan"))


class _EpochCounter(keras.callbacks.Callback):
    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        type(self).epochs += 1


def test_fit_checkpoint_dir_that_is_a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ValueError, match="checkpoint_dir .* is a file"):
        training.fit(_classifier(), (X, LABELS), epochs=1, progress=False, checkpoint_dir=path)


@pytest.mark.parametrize("damage", ["corrupt", "foreign", "metadata"])
def test_fit_refuses_a_bad_backup_before_an_epoch(tmp_path, damage):
    folder = tmp_path / "backup"
    folder.mkdir()
    if damage == "corrupt":
        (folder / "latest.weights.h5").write_bytes(b"not an h5 file at all")
    else:
        other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
        source = other if damage == "foreign" else _classifier()
        source.save_weights(folder / "latest.weights.h5")
        (folder / "training_metadata.json").write_text(
            json.dumps({"epoch": 0}) if damage == "foreign" else "{not json")
    counter = _EpochCounter()
    _EpochCounter.epochs = 0
    with pytest.raises(ValueError, match="checkpoint_dir .*(cannot be restored|unreadable)"):
        training.fit(_classifier(), (X, LABELS), epochs=2, progress=False,
                     checkpoint_dir=folder, callbacks=[counter])
    assert _EpochCounter.epochs == 0
