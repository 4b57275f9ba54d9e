"""Every score of helpers.evaluation, called the way a careful user might break it.

A model with NaN weights, NaN maps, maps so large that their sums overflow, huge
``steps`` or shapes, wrong shapes, empty sets, constant maps, targets out of range,
boolean and integer maps. Each case expects either a ``TypeError``/``ValueError``
raised by ``helpers`` whose message names the argument, or a defined result (never
NaN, never a good-looking number for a broken model).
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers import evaluation as ev
from helpers.evaluation import Scores
from evaluation_models import softmax_model

H = W = 8
N = 3


@pytest.fixture(scope="module")
def model():
    return softmax_model()


@pytest.fixture(scope="module")
def nan_model():
    broken = softmax_model()
    broken.set_weights([np.full(w.shape, np.nan, w.dtype) for w in broken.get_weights()])
    return broken


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).random((N, H, W, 3)).astype("float32")


MAPS = np.random.default_rng(1).random((N, H, W))
BOXES = np.array([[1, 1, 4, 4], [2, 0, 8, 3], [0, 4, 3, 8]], float)


def image_maps(model, images, targets):
    """A callable method: the mean channel (depends on the image only)."""
    return np.asarray(images).mean(axis=-1)


# --------------------------------------------------------------------------- a NaN model
NAN_MODEL_CALLS = {
    "average_drop": lambda m, x: ev.average_drop(m, x, MAPS),
    "increase_in_confidence": lambda m, x: ev.increase_in_confidence(m, x, MAPS),
    "confidence": lambda m, x: ev.confidence(m, x, MAPS),
    "deletion": lambda m, x: ev.deletion(m, x, MAPS, steps=2),
    "insertion": lambda m, x: ev.insertion(m, x, MAPS, steps=2),
    "randomization_test": lambda m, x: ev.randomization_test(m, x, image_maps),
    "randomization_test by name": lambda m, x: ev.randomization_test(m, x, "gradcam"),
    "noise_stability": lambda m, x: ev.noise_stability(m, x, image_maps),
    "noise_stability by name": lambda m, x: ev.noise_stability(m, x, "saliency"),
    "score_table": lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, steps=2),
}


@pytest.mark.parametrize("name", list(NAN_MODEL_CALLS))
def test_a_model_with_nan_weights_is_refused(name, nan_model, x):
    with pytest.raises(ValueError, match="outputs are not finite.*NaN"):
        NAN_MODEL_CALLS[name](nan_model, x)


@pytest.mark.parametrize("name", list(NAN_MODEL_CALLS))
def test_the_same_calls_work_on_a_sound_model(name, model, x):
    result = NAN_MODEL_CALLS[name](model, x)
    if isinstance(result, Scores):
        assert np.isfinite(result.values).all() and np.isfinite(result.mean)


# --------------------------------------------------------------------------- NaN maps
NAN = np.full((N, H, W), np.nan)


@pytest.mark.parametrize("call", [
    lambda m, x: ev.pointing_game(NAN, BOXES),
    lambda m, x: ev.energy_pointing_game(NAN, BOXES),
    lambda m, x: ev.average_drop(m, x, NAN),
    lambda m, x: ev.increase_in_confidence(m, x, NAN),
    lambda m, x: ev.deletion(m, x, NAN),
    lambda m, x: ev.insertion(m, x, NAN),
    lambda m, x: ev.score_table(m, x, {"nan": NAN}, BOXES),
    lambda m, x: ev.mass_shares(NAN, {"object": np.ones((N, H, W), bool)}),
    lambda m, x: ev.map_shape(NAN),
], ids=["pointing_game", "energy_pointing_game", "average_drop", "increase_in_confidence",
        "deletion", "insertion", "score_table", "mass_shares", "map_shape"])
def test_nan_maps_are_refused(call, model, x):
    with pytest.raises(ValueError, match="maps") as info:
        call(model, x)
    assert "NaN" in str(info.value)


@pytest.mark.parametrize("which", ["a", "b"])
def test_spearman_refuses_nan_maps(which):
    good = np.random.default_rng(2).random((2, 4, 4))
    bad = good.copy()
    bad[1, 2, 2] = np.nan
    args = {"a": good, "b": good, which: bad}
    with pytest.raises(ValueError, match=which):
        ev.spearman(args["a"], args["b"])


@pytest.mark.parametrize("score", ["randomization_test", "noise_stability"])
def test_a_method_returning_nan_maps_is_refused(score, model, x):
    def nan_method(net, images, targets):
        return np.full(images.shape[:3], np.nan)

    with pytest.raises(ValueError, match="nan_method.*NaN"):
        getattr(ev, score)(model, x, nan_method)


@pytest.mark.parametrize("score", ["randomization_test", "noise_stability"])
def test_a_method_returning_maps_of_the_wrong_size_is_refused(score, model, x):
    def coarse(net, images, targets):
        return np.ones((len(images), 4, 4))       # not at the images' size

    with pytest.raises(ValueError, match=r"coarse.*\(3, 8, 8\)"):
        getattr(ev, score)(model, x, coarse)


# --------------------------------------------------------------------------- overflow
def test_huge_map_values_give_defined_shares():
    huge = np.zeros((2, H, W))
    huge[0] = 1e308                           # the sum would overflow to inf
    huge[1, :4, :4] = np.finfo(np.float64).max
    box = [[0, 0, 4, 4], [0, 0, 4, 4]]
    energy = ev.energy_pointing_game(huge, box)
    np.testing.assert_allclose(energy.values, [0.25, 1.0])
    corner = np.zeros((2, H, W), bool)
    corner[:, :4, :4] = True
    shares = ev.mass_shares(huge, {"object": corner})
    np.testing.assert_allclose(shares["object"], [0.25, 1.0])
    np.testing.assert_allclose(shares["elsewhere"], [0.75, 0.0])
    shape = ev.map_shape(huge)
    assert np.isfinite(shape.border_share).all()
    np.testing.assert_allclose(shape.border_share[0], shape.border_area)
    assert ev.group_by_mass(huge, {"object": np.ones((2, H, W), bool)}).tolist() == [
        "diffuse", "diffuse"]                # an image-wide region never has a lift


def test_huge_maps_keep_their_ranking():
    a = np.random.default_rng(3).random((2, H, W)) * 1e308
    assert np.isfinite(ev.spearman(a, a)).all()
    np.testing.assert_allclose(ev.spearman(a, a), 1.0)


# --------------------------------------------------------------------------- huge sizes
@pytest.mark.parametrize("call, name", [
    (lambda m, x: ev.deletion(m, x, MAPS, steps=10 ** 12), "steps"),
    (lambda m, x: ev.insertion(m, x, MAPS, steps=H * W + 1), "steps"),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, steps=10 ** 9), "steps"),
    (lambda m, x: ev.random_maps((10 ** 6, 10 ** 6, 10 ** 6)), "shape"),
    (lambda m, x: ev.center_maps((10 ** 5, 10 ** 5)), "shape"),
    (lambda m, x: ev.noise_stability(m, x, image_maps, noise_level=1e300), "noise_level"),
])
def test_huge_sizes_are_a_clear_value_error(call, name, model, x):
    with pytest.raises(ValueError, match=name):
        call(model, x)


def test_steps_up_to_the_pixel_count_and_a_huge_batch_work(model, x):
    curves = ev.deletion(model, x, MAPS, steps=H * W, batch_size=10 ** 9)
    assert curves.values.shape == (N, H * W + 1)
    np.testing.assert_allclose(curves.fractions, np.arange(H * W + 1) / (H * W))


# --------------------------------------------------------------------------- wrong shapes
@pytest.mark.parametrize("call, error, name", [
    (lambda m, x: ev.pointing_game(MAPS[..., None], BOXES), ValueError, "maps"),
    (lambda m, x: ev.pointing_game(MAPS, BOXES[:2]), ValueError, "truth"),
    (lambda m, x: ev.pointing_game(MAPS, BOXES[:, :3]), ValueError, "truth"),
    (lambda m, x: ev.energy_pointing_game(MAPS, np.ones((N, H, W + 1), bool)), ValueError,
     "truth"),
    (lambda m, x: ev.average_drop(m, x, MAPS[:2]), ValueError, "maps"),
    (lambda m, x: ev.average_drop(m, x, MAPS[:, :4, :4]), ValueError, "maps"),
    (lambda m, x: ev.deletion(m, x[..., :1], MAPS), ValueError, "images"),
    (lambda m, x: ev.deletion(m, x[:, :4, :4], MAPS[:, :4, :4]), ValueError, "images"),
    (lambda m, x: ev.spearman(MAPS, MAPS[:2]), ValueError, "same shape"),
    (lambda m, x: ev.spearman(MAPS[0, 0], MAPS[0, 0]), ValueError, "a"),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS[:, :4]}, BOXES), ValueError,
     "maps['noise']"),
    (lambda m, x: ev.noise_stability(m, x[0], image_maps), ValueError, "images"),
])
def test_wrong_shapes(call, error, name, model, x):
    with pytest.raises(error) as info:
        call(model, x)
    assert name in str(info.value)


# --------------------------------------------------------------------------- empty sets
@pytest.mark.parametrize("call, name", [
    (lambda m, x: ev.pointing_game(np.zeros((0, H, W)), np.zeros((0, 4))), "maps"),
    (lambda m, x: ev.energy_pointing_game(np.zeros((0, H, W)), np.zeros((0, 4))), "maps"),
    (lambda m, x: ev.average_drop(m, x[:0], MAPS[:0]), "images"),
    (lambda m, x: ev.deletion(m, x[:0], MAPS[:0]), "images"),
    (lambda m, x: ev.randomization_test(m, x[:0], image_maps), "images"),
    (lambda m, x: ev.randomization_test(m, x, image_maps, layers=[]), "layers"),
    (lambda m, x: ev.noise_stability(m, x[:0], image_maps), "images"),
    (lambda m, x: ev.spearman(np.zeros((0, 4, 4)), np.zeros((0, 4, 4))), "a"),
    (lambda m, x: ev.score_table(m, x, {}, BOXES), "maps"),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, metrics=[]), "metrics"),
])
def test_empty_sets(call, name, model, x):
    with pytest.raises(ValueError) as info:
        call(model, x)
    assert name in str(info.value)


def test_a_score_with_no_valid_image_has_no_mean():
    empty_boxes = np.zeros((N, 4))                       # no pixel in any box
    result = ev.energy_pointing_game(MAPS, empty_boxes)
    assert not result.valid.any() and np.isfinite(result.values).all()
    with pytest.raises(ValueError, match="no image could be scored"):
        result.mean


# --------------------------------------------------------------------------- constant maps
def test_constant_maps_have_defined_scores(model, x):
    flat = np.full((N, H, W), 0.5)
    pointing = ev.pointing_game(flat, BOXES)
    assert pointing.valid.all() and pointing.mean == 0.0            # no peak: a miss
    energy = ev.energy_pointing_game(flat, BOXES)
    areas = (BOXES[:, 2] - BOXES[:, 0]) * (BOXES[:, 3] - BOXES[:, 1]) / (H * W)
    np.testing.assert_allclose(energy.values, areas)                # the box's share
    curves = ev.deletion(model, x, flat, steps=4)
    assert np.isfinite(curves.values).all() and 0 <= curves.mean <= 1
    assert ev.average_drop(model, x, np.zeros((N, H, W))).valid.all()
    assert ev.spearman(flat, MAPS).tolist() == [0.0] * N


def test_a_constant_original_map_makes_the_randomization_image_invalid(model, x):
    def constant(net, images, targets):
        return np.zeros(images.shape[:3])

    result = ev.randomization_test(model, x, constant, layers=["head"])
    assert result.values.tolist() == [[0.0]] * N and not result.valid.any()
    with pytest.raises(ValueError, match="no image could be scored"):
        result.mean


# --------------------------------------------------------------------------- targets
@pytest.mark.parametrize("call, error", [
    (lambda m, x: ev.average_drop(m, x, MAPS, targets=3), ValueError),
    (lambda m, x: ev.increase_in_confidence(m, x, MAPS, targets=-2), ValueError),
    (lambda m, x: ev.deletion(m, x, MAPS, targets=[0, 1]), ValueError),
    (lambda m, x: ev.insertion(m, x, MAPS, targets=[0, 1, 7]), ValueError),
    (lambda m, x: ev.insertion(m, x, MAPS, targets=1.0), TypeError),
    (lambda m, x: ev.randomization_test(m, x, image_maps, targets=99), ValueError),
    (lambda m, x: ev.noise_stability(m, x, image_maps, targets=True), TypeError),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, targets=5), ValueError),
])
def test_targets_out_of_range(call, error, model, x):
    with pytest.raises(error, match="target"):
        call(model, x)


# --------------------------------------------------------------------------- bool and int maps
def test_bool_maps_count_as_zero_and_one(model, x):
    keep = MAPS > 0.5
    as_float = keep.astype(float)
    assert ev.average_drop(model, x, keep).mean == pytest.approx(
        ev.average_drop(model, x, as_float).mean)
    np.testing.assert_array_equal(ev.pointing_game(keep, BOXES).values,
                                  ev.pointing_game(as_float, BOXES).values)
    np.testing.assert_allclose(ev.energy_pointing_game(keep, BOXES).values,
                               ev.energy_pointing_game(as_float, BOXES).values)
    np.testing.assert_allclose(ev.deletion(model, x, keep, steps=4).values,
                               ev.deletion(model, x, as_float, steps=4).values)


def test_int_maps_are_numbers(model, x):
    counts = (MAPS * 255).astype(np.uint8)
    np.testing.assert_allclose(ev.energy_pointing_game(counts, BOXES).values,
                               ev.energy_pointing_game(counts.astype(float), BOXES).values)
    with pytest.raises(ValueError, match=r"maps must hold values in \[0, 1\]"):
        ev.average_drop(model, x, counts)            # 0..255 does not multiply an image


# --------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("call, error, name", [
    (lambda m, x: ev.deletion(m, x, MAPS, fill="grey"), ValueError, "fill"),
    (lambda m, x: ev.deletion(m, x, MAPS, steps=2.0), TypeError, "steps"),
    (lambda m, x: ev.deletion(m, x, MAPS, batch_size=0), ValueError, "batch_size"),
    (lambda m, x: ev.average_drop(m, x, MAPS, batch_size=1.5), TypeError, "batch_size"),
    (lambda m, x: ev.pointing_game(MAPS, BOXES, tolerance=np.nan), ValueError, "tolerance"),
    (lambda m, x: ev.noise_stability(m, x, image_maps, noise_level=np.inf), ValueError,
     "noise_level"),
    (lambda m, x: ev.randomization_test(m, x, image_maps, layers=["head", "head"]),
     ValueError, "layers"),
    (lambda m, x: ev.randomization_test(m, x, image_maps, layers=[m.layers[0].name]),
     ValueError, "layers"),
    (lambda m, x: ev.randomization_test(m, x, image_maps, layers=("head", 3)), TypeError,
     "layers"),
    (lambda m, x: ev.randomization_test("gradcam", m, x), TypeError, "(model, images, method"),
    (lambda m, x: ev.noise_stability(image_maps, m, x), TypeError, "(model, images, method"),
    (lambda m, x: ev.randomization_test(m, x, 3), TypeError, "method"),
    (lambda m, x: ev.score_table(m, x, BOXES, {"noise": MAPS}), TypeError,
     "(model, images, maps, truth"),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, metrics=["auc"]), ValueError,
     "metrics"),
    (lambda m, x: ev.score_table(m, x, {"noise": MAPS}, BOXES, metrics=[len]), TypeError,
     "metrics"),
    (lambda m, x: ev.Metric("x", len, "yes", "model"), TypeError, "higher_is_better"),
    (lambda m, x: ev.Metric("x", 3, True, "model"), TypeError, "function"),
    (lambda m, x: ev.Metric("x", len, True, "image"), ValueError, "kind"),
    (lambda m, x: ev.Metric("x", len, True, "model", ("step",)), ValueError, "options"),
    (lambda m, x: ev.random_maps((4, 4), seed=-1), ValueError, "seed"),
    (lambda m, x: ev.center_maps("8x8"), TypeError, "shape"),
])
def test_bad_arguments_name_themselves(call, error, name, model, x):
    with pytest.raises(error) as info:
        call(model, x)
    assert name in str(info.value)


def test_a_metric_of_ones_own_joins_the_table(model, x):
    def peak_value(maps, truth):
        m = np.asarray(maps, float)
        return Scores(values=m.reshape(len(m), -1).max(axis=1), valid=np.ones(len(m), bool))

    mine = ev.Metric("peak", peak_value, True, "truth")
    table = ev.score_table(model, x, {"noise": MAPS}, BOXES,
                           metrics=["energy_pointing_game", mine])
    assert table.metrics == ("energy_pointing_game", "peak")
    assert table.value("noise", "peak") == pytest.approx(MAPS.reshape(N, -1).max(axis=1).mean())
    assert table.value("noise", "energy_pointing_game") == pytest.approx(
        ev.energy_pointing_game(MAPS, BOXES).mean)
    wrong = ev.Metric("wrong", lambda maps, truth: 0.5, True, "truth")
    with pytest.raises(TypeError, match="must return Scores"):
        ev.score_table(model, x, {"noise": MAPS}, BOXES, metrics=[wrong])
