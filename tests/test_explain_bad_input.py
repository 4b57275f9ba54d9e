"""Bad input to helpers.explain gets a clear error that says what was wrong."""
import keras
import numpy as np
import pytest

from helpers import explain, models

ALL = tuple(explain.METHODS)


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return models.gap_cnn((16, 16, 3), 3, widths=(4, 8), activation="softmax")


@pytest.fixture(scope="module")
def binary():
    keras.utils.set_random_seed(1)
    return models.gap_cnn((16, 16, 3), 1, widths=(4,), activation="sigmoid")


@pytest.fixture(scope="module")
def flat():
    keras.utils.set_random_seed(2)
    return keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Conv2D(4, 3, name="conv"),
                             keras.layers.Flatten(), keras.layers.Dense(3, name="out")])


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).random((2, 16, 16, 3), dtype=np.float32)


def run(method, model, images, targets=None, **options):
    if method in ("scorecam", "occlusion", "ablationcam"):
        options.setdefault("progress", False)
    return explain.explain(method, model, images, targets, **options)


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("images,match", [
    (np.zeros((16, 16), np.float32), "batch \\(N, H, W, C\\) or one image"),
    (np.zeros((1, 1, 16, 16, 3), np.float32), "batch \\(N, H, W, C\\) or one image"),
    (np.zeros((2, 16, 16, 1), np.float32), "1 channels but model .* expects 3"),
    (np.zeros((2, 8, 8, 3), np.float32), "8x8 but model .* expects 16x16"),
    (np.zeros((0, 16, 16, 3), np.float32), "empty batch"),
])
def test_bad_image_shapes(model, method, images, match):
    with pytest.raises(ValueError, match=match):
        run(method, model, images)


@pytest.mark.parametrize("method", ALL)
def test_non_float_or_non_finite_pixels(model, x, method):
    with pytest.raises(TypeError, match="floating point.*uint8.*255"):
        run(method, model, (x * 255).astype(np.uint8))
    with pytest.raises(TypeError, match="floating point"):
        run(method, model, x > 0.5)
    for bad in (np.nan, np.inf):
        y = x.copy()
        y[1, 3, 4, 0] = bad
        with pytest.raises(ValueError, match="NaN or infinite.*1 image"):
            run(method, model, y)


@pytest.mark.parametrize("method", ALL)
def test_bad_targets(model, binary, x, method):
    with pytest.raises(ValueError, match="target 3 is out of range.*0..2"):
        run(method, model, x, 3)
    with pytest.raises(ValueError, match="target -1 is out of range"):
        run(method, model, x, [0, -1])
    with pytest.raises(ValueError, match="target 2 is out of range.*classes 0 and 1"):
        run(method, binary, x, 2)
    with pytest.raises(ValueError, match="got 3 targets for 2 image"):
        run(method, model, x, [0, 1, 2])
    with pytest.raises(TypeError, match="integer|ints"):
        run(method, model, x, 1.0)
    with pytest.raises(TypeError, match="ints, got dtype float"):
        run(method, model, x, [0.0, 1.0])
    with pytest.raises(TypeError, match="bool"):
        run(method, model, x, True)


@pytest.mark.parametrize("method", ["gradcam", "gradcam_plus_plus", "scorecam", "cam"])
def test_layer_that_does_not_exist(model, x, method):
    with pytest.raises(ValueError, match="no layer named 'nope'.*4-D.*features"):
        run(method, model, x, layer="nope")


@pytest.mark.parametrize("method", ["gradcam", "gradcam_plus_plus", "scorecam"])
def test_layer_that_is_not_4d(model, x, method):
    with pytest.raises(ValueError, match="'gap' outputs shape \\(None, 8\\), not 4-D"):
        run(method, model, x, layer="gap")
    with pytest.raises(TypeError, match="layer must be"):
        run(method, model, x, layer=3)


@pytest.mark.parametrize("method", ["gradcam", "gradcam_plus_plus", "scorecam", "cam"])
def test_model_without_convolution(x, method):
    dense_only = keras.Sequential([keras.Input((16, 16, 3)), keras.layers.Flatten(),
                                   keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="no convolutional layer|GlobalAveragePooling2D"):
        run(method, dense_only, x)


def test_cam_needs_a_gap_dense_head(flat, model, x):
    with pytest.raises(ValueError, match="GlobalAveragePooling2D.*Flatten 'flatten_.*' was found.*Use gradcam"):
        explain.cam(flat, x)
    vgg = models.vgg_like((16, 16, 3), 3)
    with pytest.raises(ValueError, match="GlobalAveragePooling2D.*Use gradcam"):
        explain.cam(vgg, x)
    # a layer other than the maps the GAP averages
    with pytest.raises(ValueError, match="output of layer 'features'.*got layer 'block1_conv1'"):
        explain.cam(model, x, layer="block1_conv1")
    explain.gradcam(flat, x)  # Grad-CAM is fine with that head


def test_scorecam_max_channels(model, x):
    for bad in (0, -3):
        with pytest.raises(ValueError, match="max_channels must be an int >= 1"):
            explain.scorecam(model, x, max_channels=bad)
    with pytest.raises(TypeError, match="max_channels must be an int"):
        explain.scorecam(model, x, max_channels=2.5)


@pytest.mark.parametrize("method", ALL)
def test_batch_size(model, x, method):
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        run(method, model, x, batch_size=0)


def test_unknown_method_lists_the_known_ones(model, x):
    with pytest.raises(ValueError, match="unknown explanation method 'lime'; known methods: "
                                         "saliency, smoothgrad, occlusion, cam, gradcam, "
                                         "gradcam_plus_plus, scorecam, hirescam, xgradcam, "
                                         "layercam, eigencam, ablationcam, integrated_gradients, "
                                         "guided_backprop, guided_gradcam"):
        explain.explain("lime", model, x)
    with pytest.raises(TypeError, match="method must be a str"):
        explain.explain(explain.gradcam, model, x)
    # spelling variants are accepted
    np.testing.assert_array_equal(explain.explain("Grad-CAM++", model, x),
                                  explain.gradcam_plus_plus(model, x))
    np.testing.assert_array_equal(explain.explain("Score-CAM", model, x, progress=False),
                                  explain.scorecam(model, x, progress=False))


def test_not_a_model(x):
    with pytest.raises(TypeError, match="keras.Model"):
        explain.gradcam(lambda z: z, x)
    two_outputs = keras.Model(*(lambda i: (i, [keras.layers.Flatten()(i), keras.layers.Flatten()(i)]))(
        keras.Input((16, 16, 3))))
    with pytest.raises(ValueError, match="1 inputs and 2 outputs"):
        explain.saliency(two_outputs, x)


def test_method_options(model, x):
    with pytest.raises(ValueError, match="noise_level"):
        explain.smoothgrad(model, x, noise_level=-0.1)
    with pytest.raises(ValueError, match="n_samples must be an int >= 1"):
        explain.smoothgrad(model, x, n_samples=0)
    with pytest.raises(TypeError, match="seed must be an int"):
        explain.smoothgrad(model, x, seed="a")
    with pytest.raises(ValueError, match="patch 17x17 is larger than the 16x16 images"):
        explain.occlusion(model, x, patch=17)
    with pytest.raises(ValueError, match="stride must be an int >= 1"):
        explain.occlusion(model, x, stride=0)
    with pytest.raises(ValueError, match="score must be one of"):
        explain.occlusion(model, x, score="loss")
    with pytest.raises(ValueError, match="baseline must be a finite number or 3 numbers"):
        explain.occlusion(model, x, baseline=[0.0, 0.5])
    with pytest.raises(TypeError, match="progress must be"):
        explain.scorecam(model, x, progress="yes")


# --------------------------------------------------------------------------- robustness (issue 8)
@pytest.fixture(scope="module")
def diverged():
    """What a diverged training run leaves: NaN weights (outputs NaN for every image)."""
    keras.utils.set_random_seed(3)
    model = models.gap_cnn((16, 16, 3), 3, widths=(4, 8), activation="softmax")
    dense = model.get_layer("logits")
    dense.kernel.assign(np.full(dense.kernel.shape, np.nan, np.float32))
    return model


@pytest.fixture(scope="module")
def exploded():
    """Finite but huge weights: the logits overflow to inf."""
    keras.utils.set_random_seed(4)
    model = models.gap_cnn((16, 16, 3), 3, widths=(4, 8))
    dense = model.get_layer("logits")
    dense.kernel.assign(np.full(dense.kernel.shape, 3e38, np.float32))
    dense.bias.assign(np.full(dense.bias.shape, 3e38, np.float32))
    return model


@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("which", ["diverged", "exploded"])
def test_a_diverged_model_is_an_error_not_nan_maps(request, x, method, which):
    model = request.getfixturevalue(which)
    assert not np.isfinite(model.predict(x, verbose=0)).all()
    with pytest.raises(ValueError, match="the model's outputs are not finite; did training diverge"):
        run(method, model, x)
    with pytest.raises(ValueError, match="did training diverge"):
        run(method, model, x, [0, 1])


@pytest.mark.parametrize("method", ALL)
def test_unknown_options_are_refused_not_dropped(model, x, method):
    with pytest.raises(TypeError, match=f"{method} does not take option\\(s\\) max_chanels; "
                                        "its options are: "):
        run(method, model, x, max_chanels=3)
    with pytest.raises(TypeError, match="unexpected keyword|got an unexpected"):
        explain.METHODS[method](model, x, None, max_chanels=3)


def test_class_interface_refuses_unknown_options(model, x):
    with pytest.raises(TypeError, match="gradcam got unknown option\\(s\\) max_channels; "
                                        "its options are: batch_size"):
        explain.GradCAM.for_model(model)(x, max_channels=3)
    with pytest.raises(TypeError, match="ablationcam got unknown option\\(s\\) max_channels"):
        explain.AblationCAM.for_model(model)(x, max_channels=3, progress=False)


def test_occlusion_stride_larger_than_patch_is_refused(model, x):
    with pytest.raises(ValueError, match="stride 5x5 is larger than patch 4x4.*never be hidden"):
        explain.occlusion(model, x, patch=4, stride=5)
    with pytest.raises(ValueError, match="stride 2x6 is larger than patch 4x4"):
        explain.occlusion(model, x, patch=4, stride=(2, 6))
    maps = explain.occlusion(model, x, patch=4, stride=4, progress=False)  # equal: tiles
    assert np.isfinite(maps).all()


def test_integrated_gradients_options(model, x):
    with pytest.raises(ValueError, match="n_steps must be an int >= 1"):
        explain.integrated_gradients(model, x, n_steps=0)
    with pytest.raises(ValueError, match="method must be one of"):
        explain.integrated_gradients(model, x, method="simpson")
    with pytest.raises(ValueError, match="n_steps must be an int >= 2 for method='riemann_trapezoid'"):
        explain.integrated_gradients(model, x, n_steps=1, method="riemann_trapezoid")
    with pytest.raises(ValueError, match="baseline must be a number, 3 values .* got shape \\(2,\\)"):
        explain.integrated_gradients(model, x, baseline=[0.0, 1.0])
    with pytest.raises(ValueError, match="baseline contains NaN"):
        explain.integrated_gradients(model, x, baseline=np.nan)
    with pytest.raises(TypeError, match="baseline must be a number or a float array"):
        explain.integrated_gradients(model, x, baseline="black")
    # every accepted baseline form gives the same attributions for the same values
    a = explain.integrated_gradients_attributions(model, x, baseline=0.5, n_steps=4)
    for same in ([0.5, 0.5, 0.5], np.full((16, 16, 3), 0.5), np.full((2, 16, 16, 3), 0.5)):
        np.testing.assert_array_equal(
            explain.integrated_gradients_attributions(model, x, baseline=same, n_steps=4), a)


def test_explain_passes_integrated_gradients_own_method_option(model, x):
    got = explain.explain("IG", model, x, [0, 1], method="riemann_trapezoid", n_steps=4)
    np.testing.assert_array_equal(got, explain.integrated_gradients(
        model, x, [0, 1], method="riemann_trapezoid", n_steps=4))
    assert not np.array_equal(got, explain.integrated_gradients(model, x, [0, 1], n_steps=4))
