"""helpers.explain on every kind of model a reader brings: nested bases, Sequential,
separable convolutions, softmax or sigmoid heads (bypassed, model untouched),
single-logit sigmoid targets, any batch size, inference mode."""
import gc
import weakref

import keras
import numpy as np
import pytest

import explain_reference as ref
from helpers import explain, models

TOL = 1e-5
FAST_METHODS = ("saliency", "cam", "gradcam", "gradcam_plus_plus")


def _options(method):
    return {"progress": False} if method in ("scorecam", "occlusion", "ablationcam") else {}


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(1).random((3, 32, 32, 3), dtype=np.float32)


# --------------------------------------------------------------------------- nested bases
def test_mobilenetv2_base_nested_in_a_bigger_model(images):
    keras.utils.set_random_seed(0)
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3),
                                          alpha=0.35)
    inputs = keras.Input((32, 32, 3))
    features = base(inputs, training=False)  # the usual transfer-learning call
    gap = keras.layers.GlobalAveragePooling2D()
    dense = keras.layers.Dense(5, activation="softmax")
    model = keras.Model(inputs, dense(gap(features)))
    before = model.predict(images, verbose=0)

    assert models.last_conv_layer(model).name == "out_relu"
    got = explain.gradcam(model, images, [0, 1, 4])
    # reference: the same layers wired by hand so the base's output is visible
    # (with the Dense's softmax left in place: logits = kernel.x + bias)
    x = keras.Input((32, 32, 3))
    a = base(x)
    h = gap(a)
    logits = keras.layers.Lambda(lambda t: t @ dense.kernel + dense.bias)(h)
    want = ref.ref_gradcam(keras.Model(x, [a, logits]), images, [0, 1, 4])
    np.testing.assert_allclose(got, want, atol=TOL)
    # CAM works through the nested base too, and equals Grad-CAM (GAP head)
    np.testing.assert_allclose(explain.cam(model, images, [0, 1, 4]), got, atol=TOL)
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)


@pytest.fixture(scope="module")
def vgg16_model():
    keras.utils.set_random_seed(1)
    return models.vgg16((32, 32, 3), 3, head="flatten", activation="softmax")


def test_vgg16_nested_layer_by_name(vgg16_model, images):
    model = vgg16_model
    before = model.predict(images, verbose=0)
    got = explain.gradcam(model, images, [2, 0, 1], layer="block5_conv3")
    # the automatic choice is the same layer
    np.testing.assert_array_equal(explain.gradcam(model, images, [2, 0, 1]), got)

    base = model.get_layer("vgg16")
    inner = keras.Model(base.inputs, [base.get_layer("block5_conv3").output, base.output])
    x = keras.Input((32, 32, 3))
    a, out = inner(model.get_layer("vgg_preprocess")(x))
    h = model.get_layer("fc")(model.get_layer("flatten")(out))
    logits = model.get_layer("logits")(h)  # before the separate softmax layer
    fmodel = keras.Model(x, [a, logits])
    np.testing.assert_allclose(got, ref.ref_gradcam(fmodel, images, [2, 0, 1]), atol=TOL)
    lmodel = keras.Model(x, logits)
    # Faster Score-CAM keeps this quick (the reference makes one eager pass per channel)
    got = explain.scorecam(model, images[:1], 2, layer="block5_conv3", max_channels=32,
                           progress=False)
    want = ref.ref_scorecam(fmodel, lmodel, images[:1], 2, max_channels=32)
    np.testing.assert_allclose(got, want, atol=TOL)
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)


def test_new_methods_on_a_frozen_nested_vgg16(vgg16_model, images):
    """HiResCAM, XGrad-CAM, LayerCAM, Eigen-CAM, Ablation-CAM and Integrated Gradients
    through a frozen keras.applications base nested in the classifier."""
    model = vgg16_model
    base = model.get_layer("vgg16")
    assert not base.trainable
    before = model.predict(images, verbose=0)
    inner = keras.Model(base.inputs, [base.get_layer("block5_conv3").output, base.output])
    x = keras.Input((32, 32, 3))
    a, out = inner(model.get_layer("vgg_preprocess")(x))
    logits = model.get_layer("logits")(model.get_layer("fc")(model.get_layer("flatten")(out)))
    fmodel = keras.Model(x, [a, logits])
    targets = [2, 0, 1]
    for method, reference in (("hirescam", ref.ref_hirescam), ("xgradcam", ref.ref_xgradcam),
                              ("layercam", ref.ref_layercam)):
        got = explain.explain(method, model, images, targets, layer="block5_conv3")
        np.testing.assert_allclose(got, reference(fmodel, images, targets), atol=TOL,
                                   err_msg=method)
    np.testing.assert_allclose(explain.eigencam(model, images, layer="block5_conv3"),
                               ref.ref_eigencam(fmodel, images), atol=TOL)
    tail = [base.get_layer("block5_pool"), model.get_layer("flatten"), model.get_layer("fc"),
            model.get_layer("logits")]
    got = explain.ablationcam(model, images[:1], 2, layer="block5_conv3", progress=False)
    # 512 channels, each a small share of the logit: the weights are differences of nearly
    # equal float32 logits (the reference runs the tail eagerly, helpers the whole compiled
    # model), so rounding shows at ~3e-5 on the [0, 1] maps
    np.testing.assert_allclose(got, ref.ref_ablationcam(fmodel, tail, images[:1], 2), atol=2e-4)
    lmodel = keras.Model(x, logits)
    got = explain.integrated_gradients_attributions(model, images[:1], 2, n_steps=8)
    want = ref.ref_integrated_gradients(lmodel, images[:1], 2, n_steps=8)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * np.abs(want).max())
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)


def test_cam_on_vgg16_gap_head_uses_the_maps_the_gap_averages(images):
    keras.utils.set_random_seed(2)
    model = models.vgg16((32, 32, 3), 2, head="gap")
    head = explain.gap_head(model)
    assert head.feature_layer.name == "block5_pool"
    np.testing.assert_allclose(explain.cam(model, images, 1),
                               explain.gradcam(model, images, 1, layer="block5_pool"), atol=TOL)
    with pytest.raises(ValueError, match="block5_pool"):
        explain.cam(model, images, layer="block5_conv3")


# --------------------------------------------------------------------------- layer kinds
@pytest.mark.parametrize("kind", ["separable", "depthwise"])
def test_separable_and_depthwise_last_convolutions(images, kind):
    keras.utils.set_random_seed(3)
    last = (keras.layers.SeparableConv2D(8, 3, padding="same", name="last")
            if kind == "separable" else keras.layers.DepthwiseConv2D(3, padding="same", name="last"))
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(6, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        last,
        keras.layers.ReLU(name="last_relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3, activation="softmax"),
    ])
    assert models.last_conv_layer(model).name == "last_relu"
    gap, dense = model.layers[-2:]
    x = keras.Input((32, 32, 3))
    a = x
    for layer in model.layers[:-2]:
        a = layer(a)
    logits = keras.layers.Lambda(lambda t: t @ dense.kernel + dense.bias)(gap(a))
    fmodel = keras.Model(x, [a, logits])
    for method, reference in (("gradcam", ref.ref_gradcam),
                              ("gradcam_plus_plus", ref.ref_gradcam_plus_plus)):
        got = explain.explain(method, model, images, [0, 1, 2])
        np.testing.assert_allclose(got, reference(fmodel, images, [0, 1, 2]), atol=TOL)


# --------------------------------------------------------------------------- heads
def _twin_models(head):
    """The same weights with a softmax/sigmoid head and without (plain logits)."""
    keras.utils.set_random_seed(4)
    n = 1 if "sigmoid" in head else 3
    inputs = keras.Input((32, 32, 3))
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="c1")(inputs)
    h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="c2")(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    logits_layer = keras.layers.Dense(n, name="logits")
    logits = logits_layer(h)
    plain = keras.Model(inputs, logits)
    if head == "softmax_layer":
        out = keras.layers.Softmax()(logits)
    elif head == "activation_layer_sigmoid":
        out = keras.layers.Activation("sigmoid")(logits)
    elif head == "keras_ops_softmax":
        out = keras.ops.softmax(logits)
    else:  # activation inside the last Dense
        act = "softmax" if head == "dense_softmax" else "sigmoid"
        inline = keras.layers.Dense(n, activation=act, name="logits_inline")
        out = inline(h)
        inline.set_weights(logits_layer.get_weights())
    return plain, keras.Model(inputs, out)


@pytest.mark.parametrize("head", ["softmax_layer", "dense_softmax", "keras_ops_softmax",
                                  "activation_layer_sigmoid", "dense_sigmoid"])
def test_final_activation_is_bypassed_without_touching_the_model(images, head):
    plain, model = _twin_models(head)
    before = model.predict(images, verbose=0)
    targets = [1, 0, 1] if "sigmoid" in head else [2, 0, 1]
    for method in explain.METHODS:
        opts = _options(method)
        if method == "smoothgrad":
            opts = {"n_samples": 3}
        if method == "occlusion":
            opts.update(patch=8, stride=8)
        a = explain.explain(method, model, images, targets, **opts)
        b = explain.explain(method, plain, images, targets, **opts)
        np.testing.assert_allclose(a, b, atol=TOL, err_msg=method)
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)


def test_single_sigmoid_logit_targets(images):
    """Class 1 explains the logit z, class 0 explains -z: the same as class 1 of the
    model with the last layer's weights negated."""
    plain, model = _twin_models("dense_sigmoid")
    negated = keras.models.clone_model(plain)
    negated.set_weights([w if w.ndim == 4 or i < len(plain.weights) - 2 else -w
                         for i, w in enumerate(plain.get_weights())])
    z = plain.predict(images, verbose=0)[:, 0]
    for method in ("saliency", "cam", "gradcam", "gradcam_plus_plus", "scorecam"):
        opts = _options(method)
        zero = explain.explain(method, model, images, 0, **opts)
        np.testing.assert_allclose(zero, explain.explain(method, negated, images, 1, **opts),
                                   atol=TOL, err_msg=method)
        # None: class 1 where z > 0, else class 0
        predicted = explain.explain(method, model, images, None, **opts)
        np.testing.assert_allclose(predicted, explain.explain(method, model, images,
                                                              (z > 0).astype(int), **opts),
                                   atol=TOL, err_msg=method)


# --------------------------------------------------------------------------- batches, modes
@pytest.fixture(scope="module")
def dropout_bn_model():
    """Dropout and BatchNorm everywhere: wrong results if run in training mode."""
    keras.utils.set_random_seed(5)
    model = models.gap_cnn((32, 32, 3), 3, widths=(8, 16), dropout=0.5)
    bn = model.get_layer("block1_bn1")  # non-trivial moving statistics
    bn.moving_mean.assign(np.full(bn.moving_mean.shape, 0.3, np.float32))
    bn.moving_variance.assign(np.full(bn.moving_variance.shape, 2.0, np.float32))
    return model


@pytest.mark.parametrize("method", explain.METHODS)
def test_inference_mode_and_batch_independence(dropout_bn_model, images, method):
    opts = _options(method)
    if method == "smoothgrad":
        opts = {"n_samples": 3}
    if method == "occlusion":
        opts.update(patch=8, stride=8)
    first = explain.explain(method, dropout_bn_model, images, **opts)
    again = explain.explain(method, dropout_bn_model, images, **opts)
    np.testing.assert_array_equal(first, again)  # dropout off: deterministic
    # one image alone, as a single (H, W, C) image, and in chunks of 2: same maps
    # (BatchNorm in training mode would mix the images' statistics)
    alone = explain.explain(method, dropout_bn_model, images[1], **opts)
    assert alone.shape == (32, 32) and alone.dtype == np.float32
    np.testing.assert_allclose(alone, first[1], atol=TOL)
    chunked = explain.explain(method, dropout_bn_model, images, batch_size=2, **opts)
    np.testing.assert_allclose(chunked, first, atol=TOL)


@pytest.mark.parametrize("method", explain.METHODS)
def test_output_contract(dropout_bn_model, images, method):
    opts = _options(method)
    if method == "smoothgrad":
        opts = {"n_samples": 2}
    maps = explain.explain(method, dropout_bn_model, images, **opts)
    assert maps.shape == (3, 32, 32) and maps.dtype == np.float32
    assert np.isfinite(maps).all() and maps.min() >= 0 and maps.max() <= 1
    for m in maps:
        assert m.max() == pytest.approx(1.0) or m.max() == 0


def test_constant_maps_are_zeros_not_nan():
    keras.utils.set_random_seed(6)
    model = models.gap_cnn((16, 16, 3), 2, widths=(4,))
    for w in model.trainable_weights:  # a dead network: every map is constant
        w.assign(np.zeros(w.shape, np.float32))
    x = np.random.default_rng(0).random((2, 16, 16, 3), dtype=np.float32)
    for method in explain.METHODS:
        maps = explain.explain(method, model, x, **_options(method))
        assert maps.shape == (2, 16, 16) and np.isfinite(maps).all()
        np.testing.assert_array_equal(maps, 0.0)


def test_cache_does_not_keep_the_model_alive():
    keras.utils.set_random_seed(7)
    model = models.gap_cnn((16, 16, 3), 2, widths=(4,))
    explain.gradcam(model, np.zeros((1, 16, 16, 3), np.float32))
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_mixed_precision_model(images):
    """Models built on a GPU by helpers.models compute in float16 (logits float32)."""
    keras.utils.set_random_seed(8)

    def build(policy):
        inputs = keras.Input((32, 32, 3))
        h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", dtype=policy)(inputs)
        h = keras.layers.Conv2D(8, 3, padding="same", activation="relu", dtype=policy,
                                name="last")(h)
        h = keras.layers.GlobalAveragePooling2D(dtype=policy)(h)
        return keras.Model(inputs, keras.layers.Dense(3, dtype="float32")(h))

    half, full = build("mixed_float16"), build("float32")
    full.set_weights(half.get_weights())
    for method in ("gradcam", "gradcam_plus_plus", "cam", "saliency", "scorecam", "hirescam",
                   "xgradcam", "layercam", "eigencam", "ablationcam", "integrated_gradients",
                   "guided_backprop", "guided_gradcam"):
        a = explain.explain(method, half, images, [0, 1, 2], **_options(method))
        b = explain.explain(method, full, images, [0, 1, 2], **_options(method))
        assert a.dtype == np.float32 and np.isfinite(a).all()
        for x, y in zip(a, b):
            if y.max() == 0:  # no positive evidence for that class: an all-zero map
                assert x.max() == 0, method
            else:
                assert np.corrcoef(x.ravel(), y.ravel())[0, 1] > 0.99, method
