"""helpers.evaluation scores that run the model: average drop, increase in confidence,
deletion/insertion, randomisation test; each against a plain loop over model(x)."""
import keras
import numpy as np
import pytest
import scipy.stats

from helpers.evaluation import (average_drop, confidence, deletion, increase_in_confidence,
                                insertion, randomization_test, spearman)
from helpers.evaluation.perturbation import fill_images


def softmax_model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)


def sigmoid_model(seed=1):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv"),
        keras.layers.Flatten(),
        keras.layers.Dense(1, name="logit"),
        keras.layers.Activation("sigmoid"),
    ])


def probs(model, x, targets):
    """Target probability straight from the model's own output (no logits path)."""
    out = np.asarray(model(x, training=False), np.float64)
    if out.shape[1] == 1:
        return np.where(np.asarray(targets) == 1, out[:, 0], 1 - out[:, 0])
    return out[np.arange(len(x)), targets]


def data(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 8, 8, 3)).astype("float32"), rng.random((n, 8, 8))


@pytest.mark.parametrize("make", [softmax_model, sigmoid_model])
def test_average_drop_and_increase_match_loop(make):
    model = make()
    x, m = data()
    out = np.asarray(model(x))
    pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(int)
    drops, ups = [], []
    for i in range(len(x)):
        y = probs(model, x[i:i + 1], pred[i:i + 1])[0]
        o = probs(model, x[i:i + 1] * m[i][None, :, :, None].astype("float32"), pred[i:i + 1])[0]
        drops.append(max(0.0, y - o) / y)
        ups.append(o > y)
    drop = average_drop(model, x, m)
    np.testing.assert_allclose(drop.values, 100 * np.array(drops), rtol=1e-4)
    assert drop.mean == pytest.approx(100 * np.mean(drops), rel=1e-4) and drop.valid.all()
    up = increase_in_confidence(model, x, m)
    assert up.mean == pytest.approx(100 * np.mean(ups))
    np.testing.assert_array_equal(up.values, 100.0 * np.array(ups))
    # batching does not change anything
    assert average_drop(model, x, m, batch_size=2).mean == pytest.approx(drop.mean, rel=1e-6)


def test_average_drop_hand_cases():
    model = softmax_model()
    x, _ = data(3)
    ones = np.ones((3, 8, 8))
    assert average_drop(model, x, ones).mean == pytest.approx(0.0, abs=1e-6)
    assert increase_in_confidence(model, x, ones).mean == 0.0
    c = confidence(model, x, np.zeros((3, 8, 8)), targets=[0, 1, 2])
    np.testing.assert_allclose(c.explained, probs(model, np.zeros_like(x), [0, 1, 2]),
                               rtol=1e-5)
    assert c.targets.tolist() == [0, 1, 2]
    assert not np.isnan(c.drops).any()
    one = average_drop(model, x[0], ones[0])          # a single image
    assert one.values.shape == (1,) and one.mean == pytest.approx(0.0, abs=1e-6)


def loop_curve(model, image, m, target, steps, base, insert):
    h, w = m.shape
    keys = sorted(range(h * w), key=lambda p: (-m.ravel()[p], p))
    ys = []
    for k in range(steps + 1):
        n_k = k * h * w // steps
        img = (base if insert else image).copy().reshape(h * w, -1)
        src = (image if insert else base).reshape(h * w, -1)
        for p in keys[:n_k]:
            img[p] = src[p]
        ys.append(probs(model, img.reshape(1, h, w, -1), [target])[0])
    fr = np.array([k * h * w // steps for k in range(steps + 1)]) / (h * w)
    return np.array(ys), np.trapezoid(ys, fr)


@pytest.mark.parametrize("insert, fill", [(False, "zeros"), (True, "blur"),
                                              (False, "blur"), (True, "zeros")])
def test_deletion_insertion_match_loop(insert, fill):
    model = softmax_model()
    x, m = data(3)
    m = m.round(1)                      # ties, broken in row-major order
    fn = insertion if insert else deletion
    steps = 7                           # 64 pixels: uneven step sizes
    curves = fn(model, x, m, targets=[0, 2, 1], steps=steps, fill=fill, batch_size=5,
                random_state=None)
    base = fill_images(x, fill)
    for i, t in enumerate([0, 2, 1]):
        ys, area = loop_curve(model, x[i], m[i], t, steps, base[i], insert)
        np.testing.assert_allclose(curves.values[i], ys, rtol=1e-4, atol=1e-6)
        assert curves.auc[i] == pytest.approx(area, rel=1e-4)
    assert curves.fractions[0] == 0 and curves.fractions[-1] == 1
    np.testing.assert_array_equal(curves.per_image, curves.auc)
    assert curves.mean == pytest.approx(curves.auc.mean())
    np.testing.assert_allclose(curves.mean_curve, curves.values.mean(axis=0))


def test_curve_ends_and_predicted_targets():
    model = sigmoid_model()
    x, m = data(4)
    full = probs(model, x, (np.asarray(model(x))[:, 0] > 0.5).astype(int))
    d = deletion(model, x, m, steps=4)
    ins = insertion(model, x, m, steps=4, fill="zeros")
    np.testing.assert_allclose(d.values[:, 0], full, rtol=1e-5)
    np.testing.assert_allclose(ins.values[:, -1], full, rtol=1e-5)
    np.testing.assert_allclose(d.values[:, -1], ins.values[:, 0], rtol=1e-5)
    # an all-zero map and a constant image still give finite curves
    flat = deletion(model, np.full_like(x, 0.5), np.zeros((4, 8, 8)), steps=4)
    assert np.isfinite(flat.values).all() and np.isfinite(flat.auc).all()


def test_spearman_matches_scipy():
    rng = np.random.default_rng(3)
    a = rng.random((6, 5, 7)).round(1)
    b = a + rng.normal(0, 0.3, a.shape).round(1)
    ours = spearman(a, b)
    ref = [scipy.stats.spearmanr(a[i].ravel(), b[i].ravel())[0] for i in range(6)]
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    assert spearman(np.zeros((1, 3, 3)), a[:1, :3, :3])[0] == 0.0


def test_randomization_leaves_user_model_untouched_and_matches_loop():
    model = softmax_model()
    x, _ = data(3)
    before = [w.copy() for w in model.get_weights()]
    out_before = np.asarray(model(x))
    result = randomization_test(model, x, "gradcam")
    for w0, w1 in zip(before, model.get_weights()):
        np.testing.assert_array_equal(w0, w1)
    np.testing.assert_array_equal(out_before, np.asarray(model(x)))
    assert result.layers == ["head", "conv"]
    assert result.values.shape == (3, 2) and np.isfinite(result.values).all()
    assert result.targets.tolist() == out_before.argmax(1).tolist()

    # loop reference: a callable method, cascade on a manual copy
    def method(net, images, targets):
        return np.asarray(net(images))[np.arange(len(images)), targets][:, None, None] \
            * images.mean(axis=-1)

    import helpers.explain
    res2 = randomization_test(model, x, method)
    # the map depends on the image only through its mean channel, and only its
    # scale changes with the weights: rank correlation 1 at every step (a method that
    # ignores the model fails the sanity check)
    np.testing.assert_allclose(res2.values, 1.0, atol=1e-12)
    assert res2.mean == pytest.approx(1.0)
    original = helpers.explain.gradcam(model, x, result.targets)
    assert original.shape == (3, 8, 8)


def test_randomization_changes_weights_in_copy_only():
    model = softmax_model()
    x, _ = data(2)
    seen = []

    def method(net, images, targets):
        seen.append([w.numpy().copy() for w in net.get_layer("head").weights])
        return images.mean(axis=-1)

    randomization_test(model, x, method, layers=["head"])
    head = model.get_layer("head").get_weights()
    np.testing.assert_array_equal(seen[0][0], head[0])      # original maps: trained weights
    assert not np.array_equal(seen[1][0], head[0])          # randomised copy
    assert np.all(seen[1][1] == 0)                          # bias re-initialised to zeros


@pytest.mark.parametrize("call, error, match", [
    (lambda m, x: average_drop(m, x, np.full((5, 8, 8), 1.5)), ValueError, r"\[0, 1\]"),
    (lambda m, x: average_drop(m, x, np.ones((5, 4, 4))), ValueError, "resize"),
    (lambda m, x: average_drop(m, x, np.full((5, 8, 8), np.nan)), ValueError, "NaN"),
    (lambda m, x: average_drop(m, x, np.ones((5, 8, 8)), batch_size=0), ValueError,
     "batch_size"),
    (lambda m, x: deletion(m, x, np.ones((5, 8, 8)), steps=0), ValueError, "steps"),
    (lambda m, x: deletion(m, x, np.ones((5, 8, 8)), steps=2.0), TypeError, "steps"),
    (lambda m, x: insertion(m, x, np.ones((5, 8, 8)), fill="noise"), ValueError,
     "fill"),
    (lambda m, x: deletion(m, x, np.ones((5, 8, 8)), targets=[7] * 5), ValueError, "target"),
    (lambda m, x: deletion(m, (x * 255).astype("uint8"), np.ones((5, 8, 8))), TypeError,
     "floating"),
    (lambda m, x: randomization_test(m, x, 3), TypeError, "method"),
    (lambda m, x: randomization_test(m, x, "gradcam", layers=["nope"]), ValueError, "nope"),
    (lambda m, x: randomization_test(m, x, "gradcam", independent="yes"), TypeError,
     "independent"),
    (lambda m, x: randomization_test(m, x, "gradcam", seed=-1), ValueError, "seed"),
    (lambda m, x: randomization_test(m, x, "gradcam", layers="conv"), TypeError, "layers"),
])
def test_bad_input(call, error, match):
    model = softmax_model()
    x, _ = data()
    with pytest.raises(error, match=match):
        call(model, x)


def nested_model():
    keras.utils.set_random_seed(2)
    base_in = keras.Input((8, 8, 3))
    y = keras.layers.Conv2D(4, 3, padding="same", name="c1")(base_in)
    y = keras.layers.BatchNormalization(name="bn")(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="c2")(y)
    base = keras.Model(base_in, y, name="base")
    inputs = keras.Input((8, 8, 3))
    z = keras.layers.GlobalAveragePooling2D()(base(inputs))
    return keras.Model(inputs, keras.layers.Dense(3, activation="softmax", name="head")(z))


def test_randomization_nested_model_cascade_and_independent():
    model = nested_model()
    x, _ = data(3)
    before = [w.copy() for w in model.get_weights()]
    cascade = randomization_test(model, x, "gradcam")
    single = randomization_test(model, x, "gradcam", independent=True)
    for w0, w1 in zip(before, model.get_weights()):
        np.testing.assert_array_equal(w0, w1)
    assert cascade.layers == ["head", "c2", "bn", "c1"] == single.layers
    # the first step randomises the head alone in both modes
    np.testing.assert_allclose(cascade.values[:, 0], single.values[:, 0], atol=1e-12)
    assert cascade.mean_curve.shape == (4,) and np.isfinite(cascade.abs_values).all()
    again = randomization_test(model, x, "gradcam")
    np.testing.assert_array_equal(again.values, cascade.values)   # seeded
    other = randomization_test(model, x, "gradcam", seed=7)
    assert not np.array_equal(other.values, cascade.values)


def test_fresh_weights_use_the_layers_initialisers():
    from helpers.evaluation.randomization import fresh_weights

    model = nested_model()
    bn = model.get_layer("base").get_layer("bn")
    for var in bn.weights:
        var.assign(np.full(var.shape, 3.0, "float32"))
    gamma, beta, mean, var = fresh_weights(bn, 0)
    assert (gamma == 1).all() and (beta == 0).all() and (mean == 0).all() and (var == 1).all()
    kernel, bias = fresh_weights(model.get_layer("head"), 0)
    limit = np.sqrt(6 / (4 + 3))                                # Glorot uniform, 4 -> 3
    assert kernel.shape == (4, 3) and np.abs(kernel).max() <= limit and kernel.std() > 0
    np.testing.assert_array_equal(kernel, fresh_weights(model.get_layer("head"), 0)[0])


@pytest.mark.parametrize("fn", [deletion, insertion])
def test_memory_is_bounded_by_the_batch(fn, monkeypatch):
    import helpers.evaluation.perturbation as perturbation

    sizes = []
    real = perturbation.logits_of

    def spy(model, batches):
        def counted():
            for chunk in batches:
                sizes.append(len(chunk))
                yield chunk
        return real(model, counted())

    monkeypatch.setattr(perturbation, "logits_of", spy)
    model = softmax_model()
    x, m = data(3)
    fn(model, x, m, steps=20, batch_size=8)
    assert max(sizes) == 8 and sum(sizes) == 3 * 21
