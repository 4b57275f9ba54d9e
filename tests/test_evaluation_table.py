"""helpers.evaluation.score_table / ScoreTable (Chapter 8's methods x metrics table), and
randomization_test(keep_maps=True)."""
import numpy as np
import pytest
import scipy.stats

from helpers.evaluation import (DEFAULT_METRICS, METRICS, ScoreTable, average_drop,
                                center_maps, deletion, energy_pointing_game,
                                increase_in_confidence, insertion, pointing_game,
                                random_maps, randomization_test, road, score_table)
from evaluation_models import softmax_model


@pytest.fixture(scope="module")
def setup():
    model = softmax_model()
    rng = np.random.default_rng(0)
    x = rng.random((4, 8, 8, 3)).astype("float32")
    boxes = np.array([[1, 1, 4, 4], [2, 0, 8, 3], [0, 4, 3, 8], [3, 3, 6, 6]], float)
    maps = {"noise": rng.random((4, 8, 8)), "random": random_maps((4, 8, 8), seed=1),
            "center": center_maps((4, 8, 8))}
    return model, x, boxes, maps


def test_each_cell_is_the_score_function_it_names(setup):
    model, x, boxes, maps = setup
    table = score_table(model, x, maps, boxes, tolerance=1, steps=4)
    assert table.methods == ("noise", "random", "center")
    assert table.metrics == DEFAULT_METRICS == tuple(METRICS)[:6]
    assert table.values.shape == (3, 6)
    for name, m in maps.items():
        expected = [pointing_game(m, boxes, 1).mean, energy_pointing_game(m, boxes).mean,
                    average_drop(model, x, m).mean, increase_in_confidence(model, x, m).mean,
                    deletion(model, x, m, steps=4).mean,
                    insertion(model, x, m, steps=4).mean]
        got = [table.value(name, metric) for metric in DEFAULT_METRICS]
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)
    assert table.column("average_drop")["center"] == table.value("center", "average_drop")
    assert table.higher_is_better == (True, True, False, True, False, True)


def test_road_columns_on_request_with_the_tables_random_state(setup):
    model, x, boxes, maps = setup
    table = score_table(model, x, maps, boxes, metrics=["road_morf", "road_lerf"],
                        random_state=3)
    assert table.higher_is_better == (False, True)
    for name, m in maps.items():
        assert table.value(name, "road_morf") == pytest.approx(
            road(model, x, m, order="most", random_state=3).mean, rel=1e-9)
        assert table.value(name, "road_lerf") == pytest.approx(
            road(model, x, m, order="least", random_state=3).mean, rel=1e-9)


def test_targets_are_passed_to_the_model_scores(setup):
    model, x, boxes, maps = setup
    table = score_table(model, x, {"noise": maps["noise"]}, boxes, targets=2, steps=2)
    assert table.value("noise", "average_drop") == pytest.approx(
        average_drop(model, x, maps["noise"], targets=2).mean)
    assert table.value("noise", "deletion_auc") == pytest.approx(
        deletion(model, x, maps["noise"], targets=2, steps=2).mean)


def made_up_table(values):
    values = np.asarray(values, float)
    return ScoreTable(methods=tuple("abcd"[:len(values)]),
                      metrics=tuple(METRICS)[:values.shape[1]],
                      values=values, higher_is_better=(True, False, True)[:values.shape[1]])


def test_ranks_follow_each_metrics_direction_and_average_ties():
    # pointing (higher better), energy treated as lower-better here, average drop higher
    table = made_up_table([[0.9, 0.1, 5.0], [0.5, 0.3, 5.0], [0.5, 0.2, 1.0], [0.1, 0.4, 0.0]])
    np.testing.assert_array_equal(table.ranks(), [[1, 1, 1.5], [2.5, 3, 1.5],
                                                  [2.5, 2, 3], [4, 4, 4]])
    names = tuple(METRICS)
    assert table.ranking(names[0]) == ["a", "b", "c", "d"]
    assert table.ranking(names[1]) == ["a", "c", "b", "d"]


def test_decimals_turn_round_off_into_ties_and_best_lists_them():
    table = made_up_table([[0.7300001, 0.2], [0.73, 0.1], [0.5, 0.3]])
    np.testing.assert_array_equal(table.ranks()[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(table.ranks(decimals=2)[:, 0], [1.5, 1.5, 3])
    names = tuple(METRICS)
    assert table.best(names[0]) == ["a"] and table.best(names[0], decimals=2) == ["a", "b"]
    assert table.best(names[1]) == ["b"]
    assert table.rank_agreement(decimals=2)[0, 1] == pytest.approx(
        scipy.stats.spearmanr([1.5, 1.5, 3], [2, 1, 3])[0])
    with pytest.raises(ValueError, match="decimals"):
        table.ranks(decimals=-1)


def test_rank_agreement_is_spearman_of_oriented_rankings():
    table = made_up_table([[0.9, 0.1, 1.0], [0.5, 0.3, 2.0], [0.3, 0.2, 3.0], [0.1, 0.4, 4.0]])
    rho = table.rank_agreement()
    ranks = table.ranks()
    for i in range(3):
        for j in range(3):
            expected = 1.0 if i == j else scipy.stats.spearmanr(ranks[:, i], ranks[:, j])[0]
            assert rho[i, j] == pytest.approx(expected)
    assert rho[0, 2] == pytest.approx(-1.0)          # the third column reverses the first
    assert np.allclose(rho, rho.T)


def test_a_metric_where_every_method_ties_has_no_ranking_not_nan():
    table = made_up_table([[0.5, 0.1], [0.5, 0.3], [0.5, 0.2]])
    rho = table.rank_agreement()
    assert np.isfinite(rho).all() and rho[0, 1] == 0.0 and rho[0, 0] == 1.0


def test_to_text_lists_every_method_with_arrows(setup):
    model, x, boxes, maps = setup
    table = score_table(model, x, maps, boxes, steps=2)
    text = str(table)
    lines = text.splitlines()
    assert len(lines) == 4 and "↑" in lines[0] and "↓" in lines[0]
    assert lines[3].startswith("center") and f"{table.value('center', 'insertion_auc'):.2f}" in lines[3]


@pytest.mark.parametrize("call, error, words", [
    (lambda m, x, b, d: score_table(m, x, [d["noise"]], b), TypeError, "mapping"),
    (lambda m, x, b, d: score_table(m, x, b, d), TypeError, "(model, images, maps, truth"),
    (lambda m, x, b, d: score_table(m, x, {}, b), ValueError, "at least one"),
    (lambda m, x, b, d: score_table(m, x, {1: d["noise"]}, b), TypeError, "str"),
    (lambda m, x, b, d: score_table(m, x, {"small": d["noise"][:, :4]}, b), ValueError,
     "maps['small']"),
    (lambda m, x, b, d: score_table(m, x, {"neg": d["noise"] - 1}, b), ValueError,
     "maps['neg']"),
    (lambda m, x, b, d: score_table(m, x, d, b, steps=0), ValueError, "steps"),
    (lambda m, x, b, d: score_table(m, x, d, b, tolerance=-1), ValueError, "tolerance"),
    (lambda m, x, b, d: score_table(m, x, d, b[:2]), ValueError, "truth"),
    (lambda m, x, b, d: score_table(m, x, d, b, metrics=["accuracy"]), ValueError, "metrics"),
    (lambda m, x, b, d: score_table(m, x, d, b, metrics=[]), ValueError, "metrics"),
    (lambda m, x, b, d: score_table(m, x, d, b, metrics="deletion_auc"), TypeError, "metrics"),
])
def test_bad_input_is_a_clear_error(setup, call, error, words):
    model, x, boxes, maps = setup
    with pytest.raises(error, match=None) as info:
        call(model, x, boxes, maps)
    assert words in str(info.value)


def test_table_queries_reject_unknown_names(setup):
    model, x, boxes, maps = setup
    table = score_table(model, x, {"center": maps["center"]}, boxes, steps=1)
    with pytest.raises(ValueError, match="method"):
        table.value("gradcam", "deletion_auc")
    with pytest.raises(ValueError, match="metric"):
        table.ranking("accuracy")


def test_randomization_keeps_every_steps_maps_on_request():
    model = softmax_model()
    x = np.random.default_rng(3).random((3, 8, 8, 3)).astype("float32")
    plain = randomization_test(model, x, "gradcam")
    kept = randomization_test(model, x, "gradcam", keep_maps=True)
    assert plain.maps is None
    assert kept.maps.shape == (len(kept.layers) + 1, 3, 8, 8)
    np.testing.assert_allclose(kept.values, plain.values)
    from helpers.explain import gradcam
    np.testing.assert_allclose(kept.maps[0], gradcam(model, x, kept.targets), atol=1e-6)
    from helpers.evaluation import spearman
    for j in range(len(kept.layers)):
        np.testing.assert_allclose(spearman(kept.maps[0], kept.maps[j + 1]), kept.values[:, j])
    with pytest.raises(TypeError, match="keep_maps"):
        randomization_test(model, x, "gradcam", keep_maps="yes")


def test_per_image_values_select_and_agreement_interval(setup):
    from helpers.evaluation import identical_maps
    model, x, boxes, maps = setup
    maps = dict(maps, copy=maps["noise"] + 1e-6)
    table = score_table(model, x, maps, boxes, steps=2)
    assert table.per_image.shape == (4, 6, 4) and table.valid.dtype == bool
    np.testing.assert_allclose(
        table.per_image[0, 4], deletion(model, x, maps["noise"], steps=2).auc)
    means = (table.per_image * table.valid).sum(-1) / table.valid.sum(-1)
    np.testing.assert_allclose(means, table.values)
    groups = identical_maps(maps)
    assert groups == {"noise": ["copy"], "random": [], "center": []}
    small = table.select(list(groups))
    assert small.methods == ("noise", "random", "center")
    np.testing.assert_array_equal(small.values, table.values[:3])
    low, high = small.agreement_interval(n_resamples=50, random_state=1)
    assert low.shape == high.shape == (6, 6) and np.all(low <= high + 1e-12)
    assert np.all((low >= -1) & (high <= 1))
    again = small.agreement_interval(n_resamples=50, random_state=1)
    np.testing.assert_array_equal(again[0], low)
    with pytest.raises(ValueError, match="per-image"):
        ScoreTable(("a",), ("b",), np.zeros((1, 1)), (True,)).agreement_interval()
    with pytest.raises(ValueError, match="methods"):
        table.select(["gradcam"])
