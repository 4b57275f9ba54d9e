"""helpers.evaluation: pointing game, energy pointing game, baselines (no model needed)."""
import numpy as np
import pytest

from helpers.evaluation import (center_maps, energy_pointing_game, pointing_game,
                                random_maps)


def loop_pointing(maps, masks, tolerance):
    """Plain loops: first maximum, Euclidean distance to the nearest region pixel."""
    hits, valid = [], []
    for m, mask in zip(maps, masks):
        valid.append(mask.any())
        if not mask.any() or m.max() == m.min():
            hits.append(False)
            continue
        best = None
        for r in range(m.shape[0]):
            for c in range(m.shape[1]):
                if m[r, c] == m.max():
                    best = (r, c)
                    break
            if best:
                break
        d = min(np.hypot(best[0] - r, best[1] - c)
                for r in range(m.shape[0]) for c in range(m.shape[1]) if mask[r, c])
        hits.append(d <= tolerance)
    return np.array(hits), np.array(valid)


def test_hand_computed_hits_and_distance():
    maps = np.zeros((3, 20, 20))
    maps[0, 5, 5] = 1      # inside box 0
    maps[1, 5, 14] = 1     # 4 columns right of box 1's last column (10): distance 4
    maps[2, 19, 19] = 1    # far away
    boxes = np.array([[4, 4, 8, 8], [6, 4, 11, 8], [0, 0, 2, 2]], float)
    result = pointing_game(maps, boxes, tolerance=3)
    assert result.hits.tolist() == [True, False, False]
    assert result.distances[0] == 0 and result.distances[1] == pytest.approx(4.0)
    assert result.distances[2] == pytest.approx(np.hypot(18, 18))
    assert pointing_game(maps, boxes, tolerance=4).hits.tolist() == [True, True, False]
    assert result.mean == pytest.approx(1 / 3)


def test_box_pixel_convention():
    m = np.zeros((8, 8))
    m[5, 3] = 1   # row 5, column 3
    assert pointing_game(m, [3, 5, 4, 6], tolerance=0).hits.tolist() == [True]
    assert pointing_game(m, [4, 5, 5, 6], tolerance=0).hits.tolist() == [False]


def test_matches_loop_reference_on_random_cases():
    rng = np.random.default_rng(1)
    maps = rng.random((40, 12, 16)).round(1)       # many ties
    masks = rng.random((40, 12, 16)) > 0.93
    masks[3] = False
    for tol in (0, 1.5, 3):
        hits, valid = loop_pointing(maps, masks, tol)
        result = pointing_game(maps, masks, tolerance=tol)
        np.testing.assert_array_equal(result.hits, hits)
        np.testing.assert_array_equal(result.valid, valid)


def test_ties_rules():
    m = np.zeros((10, 10))
    m[0, 0] = m[9, 9] = 1
    box = [8, 8, 10, 10]
    assert pointing_game(m, box, tolerance=0, ties="first").hits[0] == False  # noqa: E712
    assert pointing_game(m, box, tolerance=0, ties="any").hits[0] == True  # noqa: E712
    assert pointing_game(m, box, tolerance=0, ties="all").hits[0] == False  # noqa: E712


def test_all_zero_and_constant_maps_are_misses_even_in_a_batch():
    maps = np.zeros((3, 10, 10))
    maps[1] = 0.5
    maps[2, 1, 1] = 1
    boxes = np.array([[0, 0, 10, 10]] * 3, float)     # the whole image
    result = pointing_game(maps, boxes)
    assert result.hits.tolist() == [False, False, True]
    assert result.mean == pytest.approx(1 / 3)


def test_empty_region_is_excluded_not_a_hit():
    maps = np.zeros((2, 10, 10))
    maps[:, 4, 4] = 1
    masks = np.zeros((2, 10, 10), bool)
    masks[1, 4, 4] = True
    result = pointing_game(maps, masks, tolerance=100)
    assert result.valid.tolist() == [False, True]
    assert result.hits.tolist() == [False, True]
    assert result.n_excluded == 1 and result.mean == 1.0
    # a box outside the image is empty too
    out = pointing_game(maps, [[20, 20, 30, 30], [0, 0, 10, 10]])
    assert out.valid.tolist() == [False, True]
    with pytest.raises(ValueError, match="no image could be scored"):
        pointing_game(maps, np.zeros((2, 10, 10))).mean


def test_energy_hand_computed_and_loop_reference():
    m = np.zeros((1, 4, 4))
    m[0, 0, 0], m[0, 3, 3] = 3.0, 1.0
    assert energy_pointing_game(m, [[0, 0, 2, 2]]).values[0] == pytest.approx(0.75)
    rng = np.random.default_rng(2)
    maps = rng.random((10, 8, 9))
    masks = rng.random((10, 8, 9)) > 0.5
    ref = [sum(maps[i][r, c] for r in range(8) for c in range(9) if masks[i][r, c])
           / maps[i].sum() for i in range(10)]
    np.testing.assert_allclose(energy_pointing_game(maps, masks).values, ref, rtol=1e-12)


def test_energy_zero_map_empty_region_and_batch_independence():
    maps = np.zeros((3, 6, 6))
    maps[1:, 1, 1] = 1.0
    maps[2] *= 50.0          # a map with much more mass must not weigh the others
    boxes = np.array([[0, 0, 3, 3], [0, 0, 3, 3], [0, 0, 0, 0]], float)
    result = energy_pointing_game(maps, boxes)
    assert result.values.tolist() == [0.0, 1.0, 0.0]
    assert result.valid.tolist() == [True, True, False]
    assert result.mean == pytest.approx(0.5)
    alone = energy_pointing_game(maps[1:2], boxes[1:2]).values
    np.testing.assert_array_equal(alone, result.values[1:2])
    assert not np.isnan(result.values).any()


def test_single_map_shapes():
    m = np.zeros((5, 5))
    m[2, 2] = 1
    assert pointing_game(m, [2, 2, 3, 3], tolerance=0).hits.shape == (1,)
    assert energy_pointing_game(m, np.eye(5)).values[0] == 1.0


@pytest.mark.parametrize("call, error, match", [
    (lambda: pointing_game(np.full((1, 4, 4), np.nan), [[0, 0, 1, 1]]), ValueError, "NaN"),
    (lambda: pointing_game(np.zeros((2, 4, 4)), [[0, 0, 1, 1]]), ValueError, r"\(2, 4\)"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), np.zeros((1, 5, 4))), ValueError, "masks"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), np.full((1, 4, 4), 0.5)), ValueError, "0/1"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), [[3, 0, 1, 1]]), ValueError, "x2 >= x1"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), [[0, 0, 1, 1]], tolerance=-1),
     ValueError, "tolerance"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), [[0, 0, 1, 1]], tolerance="3"),
     TypeError, "tolerance"),
    (lambda: pointing_game(np.zeros((1, 4, 4)), [[0, 0, 1, 1]], ties="max"),
     ValueError, "ties"),
    (lambda: pointing_game(np.zeros(4), [0, 0, 1, 1]), ValueError, "maps"),
    (lambda: pointing_game("map", [0, 0, 1, 1]), TypeError, "maps"),
    (lambda: energy_pointing_game(-np.ones((1, 4, 4)), [[0, 0, 1, 1]]), ValueError, ">= 0"),
    (lambda: random_maps((2, 0, 3)), ValueError, "shape"),
    (lambda: random_maps(5), TypeError, "shape"),
    (lambda: random_maps((2, 3), seed=1.5), TypeError, "seed"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_baselines():
    a, b = random_maps((2, 8, 9), seed=3), random_maps((2, 8, 9), seed=3)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (2, 8, 9) and a.min() >= 0 and a.max() < 1
    c = center_maps((2, 9, 9))
    assert c.shape == (2, 9, 9) and c[0, 4, 4] == 1.0
    sigma = 0.25 * 9
    assert c[0, 4, 0] == pytest.approx(np.exp(-16 / (2 * sigma ** 2)), rel=1e-6)
    np.testing.assert_allclose(c[0], c[0].T)
    # the centre blob wins the pointing game on a centred object and loses on a corner one
    hits = pointing_game(c, [[3, 3, 6, 6], [0, 0, 2, 2]], tolerance=0).hits
    assert hits.tolist() == [True, False]
