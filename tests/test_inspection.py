"""helpers.models.inspection: the one place that answers "what does the model output?"
and "which layer is that?", for training and explanations alike."""
import keras
import numpy as np
import pytest

from helpers import explain, models, training
from helpers._keras import logits_net


def _head(kind, n=3):
    """A small functional classifier ending in the given kind of output."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    h = keras.layers.GlobalAveragePooling2D()(h)
    if kind == "logits":
        out = keras.layers.Dense(n)(h)
    elif kind == "dense_softmax":
        out = keras.layers.Dense(n, activation="softmax")(h)
    elif kind == "softmax_layer":
        out = keras.layers.Softmax()(keras.layers.Dense(n)(h))
    elif kind == "activation_sigmoid":
        out = keras.layers.Activation("sigmoid")(keras.layers.Dense(n)(h))
    elif kind == "ops_softmax":
        out = keras.ops.softmax(keras.layers.Dense(n)(h))
    elif kind == "ops_sigmoid":
        out = keras.ops.sigmoid(keras.layers.Dense(n)(h))
    elif kind == "nested":
        inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(n, activation="softmax")])
        out = inner(h)
    else:
        raise AssertionError(kind)
    return keras.Model(inputs, out)


EXPECTED = {"logits": "linear", "dense_softmax": "softmax", "softmax_layer": "softmax",
            "activation_sigmoid": "sigmoid", "ops_softmax": "softmax", "ops_sigmoid": "sigmoid",
            "nested": "softmax"}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_training_and_explain_get_the_same_answer(kind):
    model = _head(kind, n=1 if kind == "ops_sigmoid" else 3)
    answer = models.output_activation(model)
    assert answer == EXPECTED[kind]
    assert logits_net(model).final_activation == answer  # what explain bypasses


def test_a_model_ending_in_keras_ops_softmax_gets_a_probability_loss():
    loss = training.default_loss(_head("ops_softmax"))
    assert isinstance(loss, keras.losses.SparseCategoricalCrossentropy)
    assert loss.get_config()["from_logits"] is False
    loss = training.default_loss(_head("ops_sigmoid", n=1))
    assert isinstance(loss, keras.losses.BinaryCrossentropy)
    assert loss.get_config()["from_logits"] is False
    assert training.default_loss(_head("logits")).get_config()["from_logits"] is True


def test_final_activation_says_how_to_bypass():
    cases = {"softmax_layer": "identity", "ops_softmax": "identity", "dense_softmax": "dense",
             "nested": "nested", "logits": None}
    for kind, how in cases.items():
        model = _head(kind)
        assert models.final_activation(models.output_operation(model))[1] == how, kind
    conv_softmax = keras.layers.Conv2D(3, 1, activation="softmax")
    conv_softmax.build((None, 8, 8, 3))
    assert models.final_activation(conv_softmax) == ("softmax", "inside")
    assert models.final_activation(keras.layers.Activation("tanh")) == ("tanh", None)


def test_an_unbypassable_softmax_is_refused_by_explain():
    inputs = keras.Input((8, 8, 3))
    h = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    out = keras.layers.Reshape((3,))(keras.layers.GlobalAveragePooling2D()(
        keras.layers.Conv2D(3, 1, activation="softmax", name="conv_softmax")(h)))
    model = keras.Model(inputs, out)
    assert models.output_activation(model) == "linear"  # the output op is the Reshape
    last = keras.Model(inputs, keras.layers.Conv2D(3, 1, activation="softmax")(h))
    with pytest.raises(ValueError, match="applies a softmax itself.*separate"):
        logits_net(last)


# --------------------------------------------------------------------------- layer names
def _repeated_names():
    def block(name, channels):
        x = keras.Input((16, 16, channels))
        return keras.Model(x, keras.layers.Conv2D(4, 3, padding="same", name="conv")(x), name=name)

    keras.utils.set_random_seed(1)
    a, b = block("a", 3), block("b", 4)
    x = keras.Input((16, 16, 3), name="image")
    h = keras.layers.Add(name="add")([a(x), keras.layers.Conv2D(4, 3, padding="same",
                                                                 name="conv_top")(x)])
    h = b(h)
    seq = keras.Sequential([keras.Input((16, 16, 4)),
                            keras.layers.Conv2D(4, 3, padding="same", name="conv")], name="s")
    out = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(seq(h)))
    return keras.Model(x, out, name="repeated"), a, b, seq


def test_repeated_names_need_a_path_and_paths_find_the_right_layer():
    model, a, b, seq = _repeated_names()
    with pytest.raises(ValueError, match="3 layers named 'conv'.*'a/conv', 'b/conv', 's/conv'"):
        models.find_layer(model, "conv")
    assert models.find_layer(model, "a/conv") is a.get_layer("conv")
    assert models.find_layer(model, "b/conv") is b.get_layer("conv")
    assert models.find_layer(model, "s/conv") is seq.get_layer("conv")
    assert models.find_layer(model, "conv_top").name == "conv_top"  # unique: plain name


def test_every_name_the_error_suggests_works_with_every_cam_method():
    model, *_ = _repeated_names()
    x = np.random.default_rng(0).random((2, 16, 16, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="no layer named 'nope'") as info:
        explain.gradcam(model, x, layer="nope")
    suggested = str(info.value).split("are: ")[-1].split(", ")
    assert "image" not in suggested and "a/conv" in suggested and "s/conv" in suggested
    for name in suggested:
        for method in ("gradcam", "hirescam", "eigencam", "ablationcam"):
            opts = {"progress": False} if method == "ablationcam" else {}
            maps = explain.explain(method, model, x, layer=name, **opts)
            assert maps.shape == (2, 16, 16) and np.isfinite(maps).all(), (method, name)
    # "a/conv" is really a's conv: same maps as passing the layer object
    a_conv = models.find_layer(model, "a/conv")
    np.testing.assert_array_equal(explain.gradcam(model, x, layer="a/conv"),
                                  explain.gradcam(model, x, layer=a_conv))


def test_input_layers_are_refused_with_a_clear_message():
    model, a, *_ = _repeated_names()
    x = np.zeros((1, 16, 16, 3), np.float32)
    for name in ("image", "a/" + a.layers[0].name):
        with pytest.raises(ValueError, match="is an input layer.*pick a layer with 4-D outputs"):
            explain.gradcam(model, x, layer=name)
