import keras
import numpy as np
import pytest

from helpers import models

# The Score-CAM notes' summary: (layer kind, output shape without batch, parameters), 64x64x3 in, 27 classes.
_BLOCK = lambda s: [  # noqa: E731
    ("Conv2D", (s, s, 64)), ("Conv2D", (s, s, 64)), ("Conv2D", (s, s, 64)),
    ("BatchNormalization", (s, s, 64)), ("MaxPooling2D", (s // 2, s // 2, 64)),
    ("Dropout", (s // 2, s // 2, 64)),
]
SEED_001 = (
    _BLOCK(64) + _BLOCK(32) + _BLOCK(16) + _BLOCK(8)
    + [("Flatten", (1024,)),
       ("Dense", (512,)), ("Activation", (512,)), ("Dropout", (512,)),
       ("Dense", (128,)), ("Activation", (128,)), ("Dropout", (128,)),
       ("Dense", (64,)), ("Activation", (64,)), ("Dropout", (64,)),
       ("Dense", (27,)), ("Activation", (27,))]
)
SEED_001_PARAMS = [1792, 36928, 36928, 256, 0, 0] + [36928, 36928, 36928, 256, 0, 0] * 3 \
    + [0, 524800, 0, 0, 65664, 0, 0, 8256, 0, 0, 1755, 0]


def test_vgg_like_equals_the_seed_summary_layer_by_layer():
    model = models.vgg_like((64, 64, 3), 27)
    got = [(type(layer).__name__, tuple(layer.output.shape[1:])) for layer in model.layers]
    assert got == SEED_001
    assert [layer.count_params() for layer in model.layers] == SEED_001_PARAMS
    assert model.count_params() == sum(SEED_001_PARAMS) == 1_009_499
    assert models.output_activation(model) == "softmax"


def test_gap_cnn_is_cam_ready():
    model = models.gap_cnn((32, 32, 3), 5, widths=(8, 16, 32))
    assert model.output_shape == (None, 5)
    features = models.last_conv_layer(model)
    assert features.name == "features" and tuple(features.output.shape[1:]) == (8, 8, 32)
    # the layer after the features is GAP, then the Dense logits
    names = [layer.name for layer in model.layers]
    assert names[names.index("features") + 1:] == ["gap", "logits"]
    assert models.output_activation(model) == "linear"
    assert model.get_layer("logits").dtype == "float32"


@pytest.mark.parametrize("activation", ["softmax", "sigmoid"])
def test_gap_cnn_optional_activation(activation):
    model = models.gap_cnn((16, 16, 1), 1 if activation == "sigmoid" else 3, widths=(4, 8), activation=activation)
    assert models.output_activation(model) == activation
    out = model(np.random.rand(2, 16, 16, 1).astype("float32")).numpy()
    assert np.all((out >= 0) & (out <= 1))


def test_vgg16_transfer_model_nests_the_base():
    model = models.vgg16((32, 32, 3), n_classes=1, head="flatten")
    assert isinstance(model.get_layer("vgg16"), keras.Model)
    assert not model.get_layer("vgg16").trainable
    assert models.last_conv_layer(model).name == "block5_conv3"
    assert models.find_layer(model, "block3_conv1").name == "block3_conv1"
    assert model.output_shape == (None, 1)


def test_vgg_preprocess_is_caffe_style():
    x = np.zeros((1, 2, 2, 3), "float32")
    x[..., 0] = 1.0  # pure red
    out = models.VGGPreprocess()(x).numpy()[0, 0, 0]
    np.testing.assert_allclose(out, [-103.939, -116.779, 255 - 123.68], rtol=1e-6)


def test_last_conv_layer_prefers_the_activation_after_bn():
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, name="c1")(inputs)
    x = keras.layers.SeparableConv2D(6, 3, name="sep")(x)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Activation("relu", name="act")(x)
    x = keras.layers.MaxPooling2D(name="pool")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(x))
    assert models.last_conv_layer(model).name == "act"


def test_last_conv_layer_depthwise_and_sequential():
    model = keras.Sequential([
        keras.Input((12, 12, 3)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.DepthwiseConv2D(3, name="dw"),
        keras.layers.BatchNormalization(name="bn_only"),
        keras.layers.Flatten(),
        keras.layers.Dense(3),
    ])
    assert models.last_conv_layer(model).name == "dw"  # a BN without activation is not taken


def test_last_conv_layer_in_a_nested_keras_application():
    base = keras.applications.MobileNetV2(input_shape=(64, 64, 3), include_top=False, weights=None)
    inputs = keras.Input((64, 64, 3))
    outputs = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(base(inputs)))
    model = keras.Model(inputs, outputs)
    assert models.last_conv_layer(model).name == "out_relu"


def test_no_conv_layer_is_a_clear_error():
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="no convolutional layer"):
        models.last_conv_layer(model)


def test_find_layer_unknown_name_lists_candidates():
    model = models.gap_cnn((16, 16, 1), 2, widths=(4, 8))
    with pytest.raises(ValueError, match=r"no layer named 'conv9'.*features"):
        models.find_layer(model, "conv9")
    with pytest.raises(TypeError, match="layer name must be a str"):
        models.find_layer(model, 3)


def test_lookups_reject_non_models():
    with pytest.raises(TypeError, match="keras.Model"):
        models.last_conv_layer("model")


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(input_shape=(32, 32), n_classes=2), ValueError, "height, width, channels"),
    (dict(input_shape=(32, 0, 3), n_classes=2), ValueError,
     r"input_shape\[1\] \(width\) must be an int in \[1, 4096\], got 0"),
    (dict(input_shape=(16.7, 16, 3), n_classes=2), TypeError,
     r"input_shape\[0\] \(height\) must be an int .*got float 16\.7"),
    (dict(input_shape="32x32x3", n_classes=2), TypeError, "input_shape must be a tuple"),
    (dict(input_shape=(32, 32, 3), n_classes=10**9), ValueError, "n_classes must be an int in"),
    (dict(input_shape=(32, 32, 3), n_classes=2, widths=(8, 16.0)), TypeError, r"widths\[1\]"),
    (dict(input_shape=(32, 32, 3), n_classes=2, dropout="0.2"), TypeError, "dropout"),
    (dict(input_shape=(32, 32, 3), n_classes=2, convs_per_block=True), TypeError,
     "convs_per_block"),
    (dict(input_shape=None, n_classes=2), TypeError, "input_shape"),
    (dict(input_shape=(32, 32, 3), n_classes=0), ValueError, r"n_classes must be an int in \[1, 100000\], got 0"),
    (dict(input_shape=(32, 32, 3), n_classes=2.0), TypeError, "n_classes must be an int"),
    (dict(input_shape=(32, 32, 3), n_classes=2, widths=()), ValueError, "widths"),
    (dict(input_shape=(32, 32, 3), n_classes=2, widths=(8, -1)), ValueError, "widths"),
    (dict(input_shape=(32, 32, 3), n_classes=2, activation="relu"), ValueError, "activation"),
    (dict(input_shape=(32, 32, 3), n_classes=2, dropout=1.0), ValueError, "dropout"),
    (dict(input_shape=(4, 4, 3), n_classes=2, widths=(8, 8, 8, 8)), ValueError, "too small"),
])
def test_gap_cnn_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        models.gap_cnn(**kwargs)


def test_vgg_like_and_vgg16_bad_arguments():
    with pytest.raises(ValueError, match="divisible by 16"):
        models.vgg_like((40, 40, 3), 10)
    with pytest.raises(ValueError, match="n_classes >= 2"):
        models.vgg_like((64, 64, 3), 1)
    with pytest.raises(ValueError, match="weights"):
        models.vgg16((64, 64, 3), 2, weights="places365")
    with pytest.raises(ValueError, match="head"):
        models.vgg16((64, 64, 3), 2, head="attention")
    with pytest.raises(ValueError, match="RGB images of at least 32x32"):
        models.vgg16((64, 64, 1), 2)
    with pytest.raises(TypeError, match=r"dropout must be a pair"):
        models.vgg_like((64, 64, 3), 10, dropout=0.5)


@pytest.mark.parametrize("flag", ["no", "False", 0, 1, None])
def test_vgg16_refuses_a_truthy_non_boolean_trainable_base(flag):
    # "no" used to be truthy, so it silently unfroze the base
    with pytest.raises(TypeError, match="trainable_base must be True or False"):
        models.vgg16((32, 32, 3), 2, trainable_base=flag)


def test_numpy_integers_are_valid_sizes():
    shape = (np.int64(16), np.int32(16), np.int64(1))
    model = models.gap_cnn(shape, np.int64(3), widths=(np.int64(4),))
    assert model.input_shape == (None, 16, 16, 1) and model.output_shape == (None, 3)


def test_output_activation_of_a_dense_with_activation():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    assert models.output_activation(model) == "sigmoid"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Softmax()])
    assert models.output_activation(model) == "softmax"
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh")])
    with pytest.raises(ValueError, match="tanh"):
        models.output_activation(model)


def test_output_activation_follows_the_output_tensor_not_the_layer_list():
    inputs = keras.Input((4,))
    probs = keras.layers.Dense(3, activation="softmax", name="head")(inputs)
    aux = keras.layers.Dense(2, name="aux")(inputs)  # a second output, listed last
    model = keras.Model(inputs, [probs, aux])
    assert model.layers[-1].name == "aux"
    assert models.output_operation(model).name == "head"
    assert models.output_activation(model) == "softmax"


def test_output_activation_looks_into_a_nested_output_model():
    inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    inputs = keras.Input((4,))
    model = keras.Model(inputs, inner(inputs))
    assert models.output_activation(model) == "sigmoid"
