"""helpers.evaluation.error_groups: mass shares, groups by mass, error tables.

Shares are checked against a plain per-pixel loop; groups against hand-made maps
whose answer is known by construction; tables against counts done by hand; and the
whole chain on nuisance_pets images with maps that put their heat on a known region.
"""
import numpy as np
import pytest

from helpers.data import NUISANCES, nuisance_pets
from helpers.evaluation.error_groups import (DIFFUSE, ELSEWHERE, FOCUS, MIN_LIFT, MIN_SHARE,
                                             NOWHERE, error_rates, error_rates_by_flag, focused,
                                             group_by_mass, mass_shares)


def _box_mask(shape, y1, y2, x1, x2):
    mask = np.zeros(shape, bool)
    mask[y1:y2, x1:x2] = True
    return mask


def _loop_shares(heatmap, masks):
    """Reference: sum pixel by pixel, one region at a time (masks: dict of (H, W))."""
    total = 0.0
    sums = {name: 0.0 for name in masks}
    rest = 0.0
    for y in range(heatmap.shape[0]):
        for x in range(heatmap.shape[1]):
            total += heatmap[y, x]
            owners = [name for name, m in masks.items() if m[y, x]]
            if owners:
                sums[owners[0]] += heatmap[y, x]
            else:
                rest += heatmap[y, x]
    if total == 0:
        return {**{n: 0.0 for n in masks}, ELSEWHERE: 0.0}
    return {**{n: s / total for n, s in sums.items()}, ELSEWHERE: rest / total}


def test_defaults_are_documented_values():
    assert (FOCUS, MIN_SHARE, MIN_LIFT) == (0.5, 0.5, 1.5)
    assert (ELSEWHERE, DIFFUSE, NOWHERE) == ("elsewhere", "diffuse", "nowhere")


def test_mass_shares_are_the_energy_pointing_game_of_each_region():
    from helpers.evaluation import energy_pointing_game
    rng = np.random.default_rng(2)
    maps = rng.random((4, 8, 8))
    obj = rng.random((4, 8, 8)) < 0.3
    shares = mass_shares(maps, {"object": obj})
    assert np.allclose(shares["object"], energy_pointing_game(maps, obj).values)
    assert np.allclose(shares[ELSEWHERE], energy_pointing_game(maps, ~obj).values)


def test_mass_shares_match_a_pixel_loop_and_add_up_to_one():
    rng = np.random.default_rng(0)
    maps = rng.random((5, 9, 11))
    maps[3] = 0.0                                   # an all-zero map
    obj = rng.random((5, 9, 11)) < 0.2
    distractor = (rng.random((5, 9, 11)) < 0.3) & ~obj
    shares = mass_shares(maps, {"object": obj, "distractor": distractor})
    assert list(shares) == ["object", "distractor", ELSEWHERE]
    for i in range(5):
        expected = _loop_shares(maps[i], {"object": obj[i], "distractor": distractor[i]})
        for name, value in expected.items():
            assert shares[name][i] == pytest.approx(value, abs=1e-12)
    total = sum(shares.values())
    assert np.allclose(total[[0, 1, 2, 4]], 1.0) and total[3] == 0.0
    assert all(np.isfinite(s).all() for s in shares.values())


def test_mass_shares_do_not_depend_on_the_maps_scale():
    rng = np.random.default_rng(1)
    maps = rng.random((3, 6, 6))
    obj = _box_mask((3, 6, 6), 0, 3, 0, 3)
    a = mass_shares(maps, {"object": obj})["object"]
    b = mass_shares(7.5 * maps, {"object": obj})["object"]
    assert np.allclose(a, b)


def _two_region_case():
    """6 images 10x10, object top-left 3x3, texture panel right half (50 px)."""
    shape = (6, 10, 10)
    obj = np.broadcast_to(_box_mask((10, 10), 0, 3, 0, 3), shape).copy()
    texture = np.broadcast_to(_box_mask((10, 10), 0, 10, 5, 10), shape).copy()
    maps = np.zeros(shape)
    maps[0, 0:3, 0:3] = 1.0                  # all on the object
    maps[1] = 0.02                           # flat: each region gets its area's share
    maps[1, 0:3, 0:3] = 0.05                 # ... a little warmer on the object: still diffuse
    maps[2, :, 5:] = 1.0                     # all on the texture (lift 2)
    maps[3, 6:, 0:4] = 1.0                   # all on the plain background
    maps[4] = 0.0                            # nothing at all
    maps[5, 0:3, 0:3] = 1.0                  # half on the object, half on the texture
    maps[5, 0:3, 5:8] = 1.0
    return maps, {"object": obj, "texture": texture}


def test_groups_by_construction():
    maps, regions = _two_region_case()
    groups = group_by_mass(maps, regions, focus=0.0)
    assert groups.tolist() == ["object", DIFFUSE, "texture", ELSEWHERE, NOWHERE, "object"]
    assert groups.dtype.kind == "U"
    # with the default focus only the values >= half the peak count: the warmer object of
    # the flat map 1 is now all that is left of it
    assert group_by_mass(maps, regions)[1] == "object"
    assert (group_by_mass(maps, regions) == groups)[[0, 2, 3, 4, 5]].all()


def test_focus_keeps_the_values_at_or_above_a_share_of_the_peak():
    maps = np.array([[[0.0, 0.2, 0.5], [0.49, 1.0, 0.7]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                     [[2.0, 1.0, 0.9], [0.0, 3.0, 1.5]]])
    expected = np.array([[[0.0, 0.0, 0.5], [0.0, 1.0, 0.7]], [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
                         [[2.0, 0.0, 0.0], [0.0, 3.0, 1.5]]])
    assert np.array_equal(focused(maps), expected)
    assert np.array_equal(focused(maps, 0.0), maps)
    obj = np.zeros(maps.shape, bool)
    obj[:, 1, 1] = True
    assert np.allclose(mass_shares(maps, {"o": obj}, focus=0.5)["o"], [1 / 2.2, 0.0, 3 / 6.5])
    with pytest.raises(ValueError, match=r"focus must be a finite real number in \[0.0, 1.0\)"):
        focused(maps, 1.0)


def test_focus_stops_a_haze_from_outweighing_the_peak():
    # a hot spot on a small object and a faint haze over a large background
    maps = np.full((1, 20, 20), 0.1)
    obj = _box_mask((20, 20), 0, 4, 0, 4)[np.newaxis]      # 4 % of the image
    maps[0][obj[0]] = 1.0
    assert mass_shares(maps, {"object": obj})["object"][0] < 0.5
    assert group_by_mass(maps, {"object": obj}, focus=0.0).tolist() == [DIFFUSE]
    assert group_by_mass(maps, {"object": obj}).tolist() == ["object"]


def test_the_lift_keeps_a_large_region_from_winning_with_a_flat_map():
    shape = (1, 10, 10)
    panel = _box_mask((10, 10), 0, 10, 0, 7)[np.newaxis]     # 70 % of the image
    flat = np.ones(shape)
    assert mass_shares(flat, {"texture": panel})["texture"][0] == pytest.approx(0.7)
    assert mass_shares(flat, {"texture": panel}, focus=0.9)["texture"][0] == pytest.approx(0.7)
    assert group_by_mass(flat, {"texture": panel}).tolist() == [DIFFUSE]
    assert group_by_mass(flat, {"texture": panel}, min_lift=1.0).tolist() == ["texture"]


def test_thresholds_are_inclusive_and_move_the_boundary():
    shape = (1, 10, 10)
    obj = _box_mask((10, 10), 0, 2, 0, 5)[np.newaxis]        # 10 % of the image
    maps = np.ones(shape)
    maps[0][obj[0]] = 9.0                                   # 90 / 180: exactly half the mass
    assert mass_shares(maps, {"object": obj})["object"][0] == pytest.approx(0.5)
    kept = {"object": obj}
    assert group_by_mass(maps, kept, focus=0.0).tolist() == ["object"]
    assert group_by_mass(maps, kept, focus=0.0, min_share=0.51).tolist() == [DIFFUSE]
    assert group_by_mass(maps, kept, focus=0.0, min_lift=5.0).tolist() == ["object"]
    assert group_by_mass(maps, kept, focus=0.0, min_lift=5.01).tolist() == [DIFFUSE]


def test_with_a_low_share_threshold_the_largest_share_wins():
    maps, regions = _two_region_case()
    maps[5, 0:3, 5:7] = 0.0                  # object 9 px, texture 3 px left hot
    groups = group_by_mass(maps, regions, focus=0.0, min_share=0.2, min_lift=1.0)
    assert groups[5] == "object"


def test_an_empty_region_never_wins():
    maps = np.ones((1, 4, 4))
    empty = np.zeros((1, 4, 4), bool)
    assert group_by_mass(maps, {"distractor": empty}).tolist() == [DIFFUSE]  # elsewhere has lift 1
    assert group_by_mass(maps, {"distractor": empty}, min_lift=1.0).tolist() == [ELSEWHERE]


def test_chain_on_nuisance_pets_with_maps_that_look_where_told():
    data = nuisance_pets(60, rates={"person": 1.0, "bars": 1.0, "small": 0.0}, seed=3)
    regions = {"object": data.masks, "distractor": data.extras["distractor_masks"],
               "texture": data.extras["texture_masks"]}
    where = np.array(["object", "distractor", "texture"])[np.arange(60) % 3]
    maps = np.stack([regions[w][i].astype(float) for i, w in enumerate(where)])
    assert group_by_mass(maps, regions).tolist() == where.tolist()
    # blurred a little, the maps still land where they were put, except on tiny regions
    import cv2
    blurred = np.stack([cv2.GaussianBlur(m, (5, 5), 1.0) for m in maps])
    agree = group_by_mass(blurred, regions) == where
    assert agree.mean() > 0.9


# --------------------------------------------------------------------------- tables
def test_error_rates_count_by_hand():
    correct = np.array([True, False, False, True, True, False, True])
    groups = np.array(["object", "texture", "texture", "object", "diffuse", "object", "texture"])
    table = error_rates(correct, groups)
    assert table.names == ("diffuse", "object", "texture")                  # sorted
    assert table.counts.tolist() == [1, 3, 3] and table.errors.tolist() == [0, 1, 2]
    assert np.allclose(table.rates, [0.0, 1 / 3, 2 / 3])
    assert table.total_errors == 3 and np.allclose(table.share_of_errors, [0, 1 / 3, 2 / 3])
    assert table.rate("texture") == pytest.approx(2 / 3) and table.count("object") == 3
    ordered = error_rates(correct, groups, order=["object", "texture", "distractor", "diffuse"])
    assert ordered.names == ("object", "texture", "diffuse")                # absent row dropped
    text = str(ordered)
    assert "error rate" in text and "66.7%" in text and len(text.splitlines()) == 4
    with pytest.raises(KeyError, match="no row 'person'"):
        table.rate("person")


def test_error_rates_with_integer_groups_and_no_mistakes():
    table = error_rates(np.ones(4, bool), np.array([2, 0, 2, 2]))
    assert table.names == ("0", "2") and table.errors.tolist() == [0, 0]
    assert table.share_of_errors.tolist() == [0.0, 0.0]                      # never NaN


def test_error_rates_by_flag_count_by_hand():
    correct = np.array([True, False, False, True, False])
    flags = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]], bool)
    table = error_rates_by_flag(correct, flags, ["bars", "person", "small"])
    assert table.names == ("bars", "person", "none", "all")                 # "small": no image
    assert table.counts.tolist() == [2, 2, 2, 5] and table.errors.tolist() == [1, 2, 1, 3]
    assert np.allclose(table.rates, [0.5, 1.0, 0.5, 0.6])
    assert table.total_errors == 3


def test_error_rates_by_flag_on_nuisance_pets_flags():
    data = nuisance_pets(40, seed=1)
    flags = data.extras["nuisances"]
    correct = ~flags[:, NUISANCES.index("bars")]          # "wrong exactly when bars"
    table = error_rates_by_flag(correct, flags, NUISANCES)
    assert table.rate("bars") == 1.0 and table.rate("all") == pytest.approx(flags[:, 0].mean())
    assert table.names[:5] == NUISANCES and table.names[-1] == "all"


# --------------------------------------------------------------------------- bad input
def test_bad_maps_and_regions_are_refused():
    maps = np.ones((2, 4, 4))
    obj = np.zeros((2, 4, 4), bool)
    with pytest.raises(ValueError, match=r"maps must be a 3-D array \(N, H, W\)"):
        group_by_mass(np.ones((4, 4)), {"object": obj[0]})
    with pytest.raises(ValueError, match="maps must be >= 0"):
        mass_shares(-maps, {"object": obj})
    with pytest.raises(ValueError, match="NaN"):
        mass_shares(np.full((2, 4, 4), np.nan), {"object": obj})
    with pytest.raises(TypeError, match="regions must be a dict"):
        mass_shares(maps, obj)
    with pytest.raises(ValueError, match="regions is empty"):
        mass_shares(maps, {})
    with pytest.raises(TypeError, match=r"regions\['object'\] must be a boolean mask"):
        mass_shares(maps, {"object": obj.astype(int)})
    with pytest.raises(ValueError, match=r"must have the maps' shape \(2, 4, 4\)"):
        mass_shares(maps, {"object": obj[:1]})
    with pytest.raises(ValueError, match="reserved|other than"):
        mass_shares(maps, {"elsewhere": obj})
    overlapping = obj.copy()
    overlapping[1, 0, 0] = True
    with pytest.raises(ValueError, match=r"regions 'object' and 'texture' overlap in image\(s\) 1"):
        mass_shares(maps, {"object": overlapping, "texture": overlapping})
    with pytest.raises(ValueError, match=r"min_share must be a finite real number in \(0.0, 1.0\]"):
        group_by_mass(maps, {"object": obj}, min_share=0.0)
    with pytest.raises(ValueError, match="min_lift must be a finite real number >= 1.0"):
        group_by_mass(maps, {"object": obj}, min_lift=0.5)
    with pytest.raises(TypeError, match="min_share must be a real number"):
        group_by_mass(maps, {"object": obj}, min_share="0.5")


def test_bad_tables_input_is_refused():
    with pytest.raises(TypeError, match="correct must be a boolean array"):
        error_rates(np.array([1, 0, 1]), np.array(["a", "b", "a"]))
    with pytest.raises(ValueError, match="correct must be a non-empty 1-D array"):
        error_rates(np.zeros((2, 2), bool), np.array(["a", "b"]))
    with pytest.raises(ValueError, match="groups must hold one group per image"):
        error_rates(np.ones(3, bool), np.array(["a", "b"]))
    with pytest.raises(ValueError, match=r"order leaves out group\(s\) \['b'\]"):
        error_rates(np.ones(3, bool), np.array(["a", "b", "a"]), order=["a"])
    with pytest.raises(TypeError, match="flags must be a boolean array"):
        error_rates_by_flag(np.ones(2, bool), np.ones((2, 3)), ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"flags must have shape \(2, K\)"):
        error_rates_by_flag(np.ones(2, bool), np.ones((3, 3), bool), ["a", "b", "c"])
    with pytest.raises(ValueError, match="names must give 3 str"):
        error_rates_by_flag(np.ones(2, bool), np.ones((2, 3), bool), ["a", "b"])
