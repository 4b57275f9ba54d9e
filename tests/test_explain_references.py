"""helpers.explain against simple loop-based references, tf-keras-vis, and the CAM = Grad-CAM identity."""
import keras
import tensorflow as tf
import numpy as np
import pytest

import explain_reference as ref
from helpers import explain, models

TOL = 1e-5  # maps are in [0, 1]: an absolute tolerance on every pixel


def assert_maps_equal(got, want, tol=TOL):
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, atol=tol, rtol=0)


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 32, 32, 3), dtype=np.float32)


@pytest.fixture(scope="module")
def gap_model():
    """Functional GAP network (CAM-ready) ending in a separate softmax layer."""
    keras.utils.set_random_seed(1)
    return models.gap_cnn((32, 32, 3), 4, widths=(8, 16), activation="softmax")


@pytest.fixture(scope="module")
def flat_model():
    """Sequential network with a Flatten -> Dense head (not CAM-ready), softmax layer."""
    keras.utils.set_random_seed(2)
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(12, 3, padding="same", activation="relu", name="conv_last"),
        keras.layers.Dropout(0.3),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(4),
        keras.layers.Softmax(),
    ], name="flat")


@pytest.fixture(scope="module")
def binary_model():
    """A single sigmoid logit (the Cats-vs-Dogs Grad-CAM notes' head)."""
    keras.utils.set_random_seed(3)
    return models.gap_cnn((32, 32, 3), 1, widths=(8, 16), activation="sigmoid")


CASES = [("gap_model", "features"), ("flat_model", "conv_last"), ("binary_model", "features")]


def _case(request, name):
    return request.getfixturevalue(name)


@pytest.mark.parametrize("model_name,layer", CASES)
@pytest.mark.parametrize("targets", [None, "per_image"])
def test_gradcam_equals_reference(request, images, model_name, layer, targets):
    model = _case(request, model_name)
    if targets == "per_image":
        targets = [0, 1, 1, 0] if model_name == "binary_model" else [3, 0, 2, 1]
    got = explain.gradcam(model, images, targets, layer=layer)
    want = ref.ref_gradcam(ref.feature_model(model, layer), images, targets)
    assert_maps_equal(got, want)


@pytest.mark.parametrize("model_name,layer", CASES)
def test_gradcam_plus_plus_equals_reference(request, images, model_name, layer):
    model = _case(request, model_name)
    targets = [1, 0, 1, 1] if model_name == "binary_model" else [0, 1, 2, 3]
    got = explain.gradcam_plus_plus(model, images, targets, layer=layer)
    want = ref.ref_gradcam_plus_plus(ref.feature_model(model, layer), images, targets)
    assert_maps_equal(got, want)


@pytest.mark.parametrize("model_name", ["gap_model", "binary_model"])
@pytest.mark.parametrize("targets", [None, 0, [1, 0, 1, 0]])
def test_cam_equals_reference(request, images, model_name, targets):
    model = _case(request, model_name)
    kernel = model.get_layer("logits").kernel.numpy()
    got = explain.cam(model, images, targets)
    want = ref.ref_cam(ref.feature_model(model, "features"), kernel, images, targets)
    assert_maps_equal(got, want)


@pytest.mark.parametrize("model_name,layer", CASES)
def test_scorecam_equals_reference(request, images, model_name, layer):
    model = _case(request, model_name)
    targets = [0, 1, 0, 1] if model_name == "binary_model" else [2, 2, 0, 3]
    want = ref.ref_scorecam(ref.feature_model(model, layer), ref.logits_model(model), images, targets)
    # the chunk size must not change the result: 1 (one masked image per pass), 7
    # (chunks straddle images) and the default
    for batch_size in (1, 7, None):
        got = explain.scorecam(model, images, targets, layer=layer, batch_size=batch_size, progress=False)
        assert_maps_equal(got, want)
    # whatever the chunk sizes, the masked forward pass was compiled once
    assert explain.ScoreCAM.for_model(model, layer)._score_chunks[explain.ClassLogit].experimental_get_tracing_count() == 1


def test_faster_scorecam_equals_reference(gap_model, images):
    fmodel, lmodel = ref.feature_model(gap_model, "features"), ref.logits_model(gap_model)
    for k in (1, 5):
        got = explain.scorecam(gap_model, images, None, max_channels=k, progress=False)
        assert_maps_equal(got, ref.ref_scorecam(fmodel, lmodel, images, None, max_channels=k))
    # more channels than the layer has: plain Score-CAM
    assert_maps_equal(explain.scorecam(gap_model, images, max_channels=1000, progress=False),
                      explain.scorecam(gap_model, images, progress=False))


@pytest.mark.parametrize("model_name,layer", CASES)
def test_scorecam_baseline_equals_definition_2(request, images, model_name, layer):
    """baseline=: the paper's channel-wise increase of confidence, f(X o H_k) - f(X_b)."""
    model = _case(request, model_name)
    fmodel, lmodel = ref.feature_model(model, layer), ref.logits_model(model)
    targets = [0, 1, 0, 1] if model_name == "binary_model" else [2, 2, 0, 3]
    black = np.zeros_like(images)
    want = ref.ref_scorecam(fmodel, lmodel, images, targets, baseline=black)
    # the plain maps differ: the subtraction changes them
    assert np.abs(want - ref.ref_scorecam(fmodel, lmodel, images, targets)).max() > 0.01
    for batch_size in (1, 3, None):  # image chunks that split the baselines
        for baseline in ("black", 0.0, np.zeros(3), black):
            got = explain.scorecam(model, images, targets, layer=layer, baseline=baseline,
                                   batch_size=batch_size, progress=False)
            assert_maps_equal(got, want)
    # one baseline per image, each its own: a blurred copy of the image
    blurred = np.stack([ref.resize(ref.resize(im, 8, 8), 32, 32) for im in images])
    got = explain.scorecam(model, images, targets, layer=layer, baseline=blurred,
                           batch_size=3, progress=False)
    assert_maps_equal(got, ref.ref_scorecam(fmodel, lmodel, images, targets, baseline=blurred))


def test_scorecam_two_classes(images):
    """Two softmax classes: without a baseline class 1's weights are 1 - class 0's (the
    two pre-ReLU sums add up to the plain sum of the channels); with one they are minus
    class 0's (class 1's map is ReLU of minus class 0's sum)."""
    keras.utils.set_random_seed(6)
    model = models.gap_cnn((32, 32, 3), 2, widths=(8, 16), activation="softmax")
    fmodel, lmodel = ref.feature_model(model, "features"), ref.logits_model(model)
    half = 0.5 * images
    for baseline, flip in ((None, lambda w: 1 - w), (half, lambda w: -w)):
        got = explain.scorecam(model, images, 1, baseline=baseline, progress=False)
        for n, image in enumerate(images):
            a = fmodel(image[None])[0].numpy()[0]
            w0 = np.zeros(a.shape[-1])
            for k in range(a.shape[-1]):
                if a[..., k].max() > a[..., k].min():
                    up = ref.resize(a[..., k], 32, 32)
                    mask = (up - up.min()) / (up.max() - up.min())
                    masked = (image * mask[..., None])[None].astype(np.float32)
                    w0[k] = ref.probability(lmodel(masked).numpy()[0], 0)
                    if baseline is not None:
                        w0[k] -= ref.probability(lmodel(baseline[n][None]).numpy()[0], 0)
            live = a.max(axis=(0, 1)) > a.min(axis=(0, 1))
            want = ref.cam_from_weights(a, np.where(live, flip(w0), 0), 32, 32)
            assert want.max() > 0  # not a trivial all-zero map
            # 1 - p_0 against p_1 in float32: round-off of the order 1e-5 per weight
            np.testing.assert_allclose(got[n], want, atol=3e-4, rtol=0)


@pytest.mark.parametrize("bad,error,words", [
    ("white", ValueError, "'black'"), (True, TypeError, "baseline"),
    (np.zeros((5, 5, 3)), ValueError, "shape"), (np.full(3, np.nan), ValueError, "NaN"),
    (np.array(["a"]), TypeError, "baseline")])
def test_scorecam_bad_baseline(gap_model, images, bad, error, words):
    with pytest.raises(error, match=words):
        explain.scorecam(gap_model, images, baseline=bad, progress=False)


@pytest.mark.parametrize("model_name", ["gap_model", "flat_model", "binary_model"])
def test_saliency_equals_reference(request, images, model_name):
    model = _case(request, model_name)
    got = explain.saliency(model, images)
    assert_maps_equal(got, ref.ref_saliency(ref.logits_model(model), images))
    targets = [1, 0, 0, 1]
    got = explain.saliency(model, images, targets, batch_size=3)
    assert_maps_equal(got, ref.ref_saliency(ref.logits_model(model), images, targets))


@pytest.mark.parametrize("model_name", ["flat_model", "binary_model"])
def test_smoothgrad_equals_reference(request, images, model_name):
    model = _case(request, model_name)
    got = explain.smoothgrad(model, images, n_samples=5, noise_level=0.2, seed=7)
    want = ref.ref_smoothgrad(ref.logits_model(model), images, n_samples=5, noise_level=0.2, seed=7)
    assert_maps_equal(got, want)
    again = explain.smoothgrad(model, images, n_samples=5, noise_level=0.2, seed=7, batch_size=1)
    assert_maps_equal(again, want)  # seeded, and independent of the batching


@pytest.fixture(scope="module")
def sharp_model():
    """A GAP network with large logits, so that probabilities react to occlusion (with a
    random network's near-uniform softmax, probability drops are ~1e-4 and a 1e-5
    comparison after min-max scaling would test float32 rounding, not the method)."""
    keras.utils.set_random_seed(4)
    model = models.gap_cnn((32, 32, 3), 3, widths=(8, 16), activation="softmax")
    dense = model.get_layer("logits")
    dense.kernel.assign(dense.kernel * 40.0)
    return model


@pytest.mark.parametrize("model_name,score", [
    ("gap_model", "logit"), ("binary_model", "logit"),
    ("sharp_model", "probability"), ("binary_model", "probability")])
def test_occlusion_equals_reference(request, images, model_name, score):
    model = _case(request, model_name)
    targets = [1, 0, 1, 1]
    got = explain.occlusion(model, images[:2], targets[:2], patch=8, stride=6, baseline=0.5,
                            score=score, batch_size=10, progress=False)
    want = ref.ref_occlusion(ref.logits_model(model), images[:2], targets[:2], patch=8, stride=6,
                             baseline=0.5, score=score)
    assert_maps_equal(got, want)


def test_cam_and_gradcam_agree_up_to_scale_on_a_gap_network(gap_model, images):
    # Grad-CAM paper, section 3.1: with A -> GAP -> Dense, y_c = sum_k w_k^c (1/Z) sum_ij A_k(i,j),
    # so d y_c / d A_k(i,j) = w_k^c / Z at every position and Grad-CAM's weight (the spatial
    # mean of that gradient) is w_k^c / Z: a positive multiple of CAM's weight w_k^c.
    # ReLU and min-max scaling remove the factor 1/Z, so the maps coincide.
    for targets in (None, [0, 1, 2, 3]):
        c = explain.cam(gap_model, images, targets)
        g = explain.gradcam(gap_model, images, targets)
        for cn, gn in zip(c, g):
            if cn.std() > 0:
                assert np.corrcoef(cn.ravel(), gn.ravel())[0, 1] >= 0.999
        np.testing.assert_allclose(c, g, atol=1e-5)


def test_gradcam_agrees_with_tf_keras_vis(images):
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
    from tf_keras_vis.utils.scores import CategoricalScore

    # A flat Sequential whose last Dense has activation="softmax": the layout that
    # tf-keras-vis's ReplaceToLinear handles (it sets `.activation = linear` on the output
    # layer, which a separate keras.layers.Softmax layer does not have).
    keras.utils.set_random_seed(5)
    flat_model = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(12, 3, padding="same", activation="relu", name="conv_last"),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(4, activation="softmax"),
    ])
    before = flat_model.predict(images, verbose=0)
    targets = [0, 1, 2, 3]
    # tf-keras-vis 0.8.7 under Keras 3: ReplaceToLinear reads `model.output_names`, which a
    # keras.Sequential no longer has (AttributeError). Work-around: give it a functional
    # view of the same layers. clone=True: it then modifies a copy (softmax -> linear).
    functional_view = keras.Model(flat_model.inputs, flat_model.outputs)
    theirs = Gradcam(functional_view, model_modifier=ReplaceToLinear(), clone=True)(
        CategoricalScore(targets), images, penultimate_layer="conv_last", expand_cam=False)
    ours = explain.gradcam(flat_model, images, targets, layer="conv_last")
    np.testing.assert_array_equal(flat_model.predict(images, verbose=0), before)
    # Same upsampling and normalisation: tf-keras-vis's own expand_cam uses
    # scipy.ndimage.zoom (corner-aligned), which shifts a 16x16 map by up to half a cell
    # against the half-pixel-centred bilinear resize used by helpers, cv2 and PyTorch;
    # so take its feature-resolution map and resize it the same way.
    for a, b in zip(ours, np.asarray(theirs)):
        b = ref.normalize(ref.resize(b, *images.shape[1:3]))
        assert np.corrcoef(a.ravel(), b.ravel())[0, 1] >= 0.99


def test_gradcam_is_one_compiled_pass_reused_across_calls(gap_model, images):
    """The compiled function is traced once per (model, layer), whatever the batch size."""
    method = explain.GradCAM.for_model(gap_model, "features")
    assert explain.GradCAM.for_model(gap_model, None) is method
    explain.gradcam(gap_model, images[:3])
    explain.gradcam(gap_model, images, batch_size=2)
    explain.gradcam(gap_model, images[0])
    assert method._compiled[explain.ClassLogit].experimental_get_tracing_count() == 1


# --------------------------------------------------------------------------- the rest of the CAM family
def _targets_for(model_name):
    return [1, 0, 0, 1] if model_name == "binary_model" else [3, 0, 2, 1]


@pytest.mark.parametrize("model_name,layer", CASES)
@pytest.mark.parametrize("method,reference", [
    ("hirescam", ref.ref_hirescam), ("xgradcam", ref.ref_xgradcam),
    ("layercam", ref.ref_layercam)])
def test_gradient_cams_equal_reference(request, images, model_name, layer, method, reference):
    model = _case(request, model_name)
    for targets in (None, _targets_for(model_name)):
        got = explain.explain(method, model, images, targets, layer=layer, batch_size=3)
        assert_maps_equal(got, reference(ref.feature_model(model, layer), images, targets))


@pytest.mark.parametrize("model_name,layer", CASES)
def test_eigencam_equals_reference_and_ignores_targets(request, images, model_name, layer):
    model = _case(request, model_name)
    got = explain.eigencam(model, images, layer=layer)
    assert_maps_equal(got, ref.ref_eigencam(ref.feature_model(model, layer), images))
    np.testing.assert_array_equal(explain.eigencam(model, images, 0, layer=layer), got)


def test_eigencam_sign_rule_points_where_the_layer_is_active():
    # One channel active in the top-left quarter, another a weak copy: the first principal
    # component has loadings of one sign; the rule makes them positive, so the map is
    # high in the active quarter (the opposite sign would light up the rest).
    a = np.zeros((1, 4, 4, 2), np.float32)
    a[0, :2, :2, 0] = 3.0
    a[0, :2, :2, 1] = 1.0
    v = explain.EigenCAM.channel_weights(None, tf.constant(a), None, None, None).numpy()[0]
    assert v.sum() > 0 and (v > 0).all()
    centred = a - a.mean(axis=(1, 2), keepdims=True)
    projection = (centred[0] @ v)
    assert projection[:2, :2].min() > 0 and projection[2:, 2:].max() < 0


@pytest.mark.parametrize("model_name,layer", CASES)
def test_ablationcam_equals_reference(request, images, model_name, layer):
    model = _case(request, model_name)
    targets = _targets_for(model_name)
    want = ref.ref_ablationcam(ref.feature_model(model, layer), ref.tail_layers(model, layer),
                               images, targets)
    for batch_size in (1, 7, None):  # chunks of one pair, straddling images, the default
        got = explain.ablationcam(model, images, targets, layer=layer, batch_size=batch_size,
                                  progress=False)
        assert_maps_equal(got, want)
    assert explain.AblationCAM.for_model(model, layer)._score_chunks[explain.ClassLogit].experimental_get_tracing_count() == 1


@pytest.mark.parametrize("model_name", ["gap_model", "flat_model", "binary_model"])
def test_integrated_gradients_equals_reference(request, images, model_name):
    model = _case(request, model_name)
    targets = _targets_for(model_name)
    lmodel = ref.logits_model(model)
    want = ref.ref_integrated_gradients(lmodel, images[:2], targets[:2], baseline=0.25, n_steps=16)
    got = explain.integrated_gradients_attributions(model, images[:2], targets[:2], baseline=0.25,
                                                    n_steps=16, batch_size=5)
    assert got.shape == images[:2].shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6 * np.abs(want).max())
    maps = explain.integrated_gradients(model, images[:2], targets[:2], baseline=0.25, n_steps=16)
    assert_maps_equal(maps, ref.ig_map(want), tol=1e-4)


IG_RTOL = 0.01
"""Completeness tolerance: |sum IG - (y(x) - y(x'))| <= 1 % of max(|y(x) - y(x')|, 1)
with 128 Gauss-Legendre points on these ReLU networks (piecewise linear along the path,
so the quadrature error shrinks like 1/n, not exponentially)."""


@pytest.mark.parametrize("model_name", ["gap_model", "flat_model", "binary_model"])
@pytest.mark.parametrize("baseline", [0.0, 0.5])
def test_integrated_gradients_completeness(request, images, model_name, baseline):
    model = _case(request, model_name)
    targets = _targets_for(model_name)
    a = explain.integrated_gradients_attributions(model, images, targets, baseline=baseline,
                                                  n_steps=128)
    lmodel = ref.logits_model(model)
    y = lmodel(images, training=False).numpy().astype(np.float64)
    y0 = lmodel(np.full_like(images, baseline), training=False).numpy().astype(np.float64)
    for n, t in enumerate(targets):
        if y.shape[1] == 1:
            diff = (1 if t == 1 else -1) * (y[n, 0] - y0[n, 0])
        else:
            diff = y[n, t] - y0[n, t]
        gap = abs(a[n].astype(np.float64).sum() - diff)
        assert gap <= IG_RTOL * max(abs(diff), 1.0), (n, gap, diff)


def test_integrated_gradients_rules_converge(gap_model, images):
    """Every integration rule approaches the same attributions as n_steps grows."""
    best = explain.integrated_gradients_attributions(gap_model, images[:1], 1, n_steps=256)
    scale = np.abs(best).max()
    for rule in ("riemann_trapezoid", "riemann_middle", "riemann_left", "riemann_right"):
        got = explain.integrated_gradients_attributions(gap_model, images[:1], 1, n_steps=256,
                                                        method=rule)
        assert np.abs(got - best).max() <= 0.05 * scale, rule


@pytest.mark.parametrize("model_name", ["gap_model", "flat_model", "binary_model"])
def test_guided_backprop_equals_reference_and_leaves_the_model_alone(request, images, model_name):
    model = _case(request, model_name)
    targets = _targets_for(model_name)
    watched = [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]
    probe = keras.Model(model.inputs, [lay.output for lay in watched])
    before = [o.numpy() for o in probe(images, training=False)]
    activations_before = [getattr(lay, "activation", None) for lay in watched]
    got = explain.guided_backprop_attributions(model, images, targets, batch_size=3)
    want = ref.ref_guided_backprop_gradients(model, images, targets)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6 * np.abs(want).max())
    assert_maps_equal(explain.guided_backprop(model, images, targets),
                      ref.ref_guided_backprop(model, images, targets))
    # the guided rule really changed something (else the test above proves nothing)
    plain = ref.ref_saliency(ref.logits_model(model), images, targets)
    assert np.abs(explain.guided_backprop(model, images, targets) - plain).max() > 0.05
    # the user's model: same layers, same activation functions, same outputs
    after = [o.numpy() for o in probe(images, training=False)]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    assert [getattr(lay, "activation", None) for lay in watched] == activations_before
    x = tf.constant(images)
    with tf.GradientTape() as tape:  # the model's own gradients are still the plain ones
        tape.watch(x)
        logits = ref.logits_model(model)(x, training=False)
        score = tf.reduce_sum(logits[:, 0])
    plain_grads = tape.gradient(score, x).numpy()
    assert np.abs(plain_grads).max() > 0 and (plain_grads < 0).any()


@pytest.mark.parametrize("model_name,layer", CASES)
def test_guided_gradcam_equals_reference(request, images, model_name, layer):
    model = _case(request, model_name)
    targets = _targets_for(model_name)
    got = explain.guided_gradcam(model, images, targets, layer=layer)
    assert_maps_equal(got, ref.ref_guided_gradcam(model, layer, images, targets))


def test_hirescam_equals_gradcam_and_cam_on_a_gap_network(gap_model, images):
    # With A -> GAP -> Dense the gradient is w_k / Z at every position, so HiResCAM's
    # sum_k g_k A_k is Grad-CAM's map exactly (Draelos and Carin, 2020, section 3).
    np.testing.assert_allclose(explain.hirescam(gap_model, images),
                               explain.gradcam(gap_model, images), atol=1e-5)


def test_layercam_agrees_with_tf_keras_vis(images):
    from tf_keras_vis.layercam import Layercam
    from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
    from tf_keras_vis.utils.scores import CategoricalScore

    keras.utils.set_random_seed(6)
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(12, 3, padding="same", activation="relu", name="conv_last"),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(4, activation="softmax"),
    ])
    targets = [0, 1, 2, 3]
    functional_view = keras.Model(model.inputs, model.outputs)
    theirs = Layercam(functional_view, model_modifier=ReplaceToLinear(), clone=True)(
        CategoricalScore(targets), images, penultimate_layer="conv_last", expand_cam=False,
        normalize_cam=False)
    ours = explain.layercam(model, images, targets, layer="conv_last")
    for a, b in zip(ours, np.asarray(theirs)):
        b = ref.normalize(ref.resize(b, *images.shape[1:3]))  # same resize as helpers
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_forward_pass_methods_differ_only_in_their_weights():
    """Score-CAM and Ablation-CAM share the forward-pass driver (issue 8): each defines
    which pairs to score, how to score a chunk and (Ablation-CAM) how scores become
    weights; neither overrides the driver, the pass or the map making."""
    for cls in (explain.ScoreCAM, explain.AblationCAM):
        assert issubclass(cls, explain.ForwardPassCAM)
        own = set(vars(cls))
        assert not own & {"__call__", "_maps", "channel_weights", "forward", "_batch_maps"}, cls
        assert "pair_scores" in own and "select_pairs" in own
