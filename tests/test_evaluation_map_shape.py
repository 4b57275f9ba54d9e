"""map_shape / group_by_shape on maps whose shape is known by construction."""
import numpy as np
import pytest

from helpers.evaluation import SHAPE_GROUPS, group_by_shape, map_shape


def _maps():
    side = 20
    spot = np.zeros((side, side))
    spot[9:11, 9:11] = 1.0                       # 4 of 400 pixels, in the centre
    flat = np.ones((side, side))                 # covers everything, evenly
    corner = np.zeros((side, side))
    corner[0:3, 0:3] = 1.0                       # small, but all on the border
    head = np.zeros((side, side))
    head[6:14, 6:14] = 1.0                       # 64 pixels = 16 %, in the centre
    empty = np.zeros((side, side))
    return np.stack([spot, flat, corner, head, empty])


def test_statistics_are_the_constructed_ones():
    shape = map_shape(_maps())
    np.testing.assert_allclose(shape.area, [4 / 400, 1, 9 / 400, 64 / 400, 0])
    # ring of 4 pixels on a side of 20: 400 - 12 x 12 = 256 pixels
    assert shape.border_area == pytest.approx(256 / 400)
    np.testing.assert_allclose(shape.border_share, [0, 256 / 400, 1, 0, 0])


def test_groups_follow_the_rules():
    assert group_by_shape(_maps()).tolist() == ["spot", "diffuse", "edges", "object", "empty"]
    assert set(group_by_shape(_maps())) <= set(SHAPE_GROUPS)


def test_threshold_is_relative_to_each_maps_peak():
    scaled = _maps() * np.array([0.01, 5, 1, 0.3, 1])[:, None, None]
    assert group_by_shape(scaled).tolist() == group_by_shape(_maps()).tolist()


def test_one_map_gives_one_group():
    assert group_by_shape(_maps()[3]).tolist() == ["object"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"threshold": 0}, ValueError, "threshold"),
    ({"border": 0.5}, ValueError, "border"),
    ({"spot": 0.5, "diffuse": 0.4}, ValueError, "spot .* must be below diffuse"),
    ({"edges": "high"}, TypeError, "edges"),
])
def test_bad_arguments_are_refused(kwargs, error, match):
    with pytest.raises(error, match=match):
        group_by_shape(_maps(), **kwargs)


def test_negative_or_nan_maps_are_refused():
    with pytest.raises(ValueError):
        map_shape(-_maps())
    bad = _maps()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError):
        map_shape(bad)
