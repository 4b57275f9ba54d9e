"""Tank scenes: format, ground truth, visible weather, and the confound itself.

The classifiers here use hand-made colour statistics and scikit-learn's logistic
regression (no CNN): on confounded scenes the sky alone gives the label away; on
unconfounded scenes it does not.
"""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from helpers.data import WEATHER_NAMES, tank_scenes

SIZE = 64


@pytest.fixture(scope="module")
def confounded():
    return tank_scenes(400, size=SIZE, confounded=True, seed=0)


@pytest.fixture(scope="module")
def unconfounded():
    return tank_scenes(400, size=SIZE, confounded=False, seed=1)


def test_format(confounded):
    data = confounded
    assert data.images.shape == (400, SIZE, SIZE, 3) and data.images.dtype == np.float32
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0
    assert data.labels.dtype == np.int64
    assert data.class_names == ("forest", "tank")
    assert data.class_counts() == {"forest": 200, "tank": 200}
    assert data.extras["sky_masks"].shape == (400, SIZE, SIZE)
    assert data.extras["sky_masks"].dtype == bool
    assert data.extras["sky_boxes"].shape == (400, 4)
    assert data.extras["weather"].dtype == np.int64
    assert data.extras["weather_names"] == WEATHER_NAMES == ("sunny", "cloudy")


def test_confounded_weather_follows_the_label(confounded):
    weather, labels = confounded.extras["weather"], confounded.labels
    assert (weather[labels == 1] == 1).all()  # tanks on cloudy days
    assert (weather[labels == 0] == 0).all()  # empty forest on sunny days


def test_unconfounded_weather_is_half_and_half_in_each_class(unconfounded):
    weather, labels = unconfounded.extras["weather"], unconfounded.labels
    for label in (0, 1):
        assert weather[labels == label].mean() == pytest.approx(0.5, abs=0.01)


def test_tank_boxes_and_masks_agree_and_forest_scenes_have_none(unconfounded):
    data = unconfounded
    for label, box, mask in zip(data.labels, data.boxes, data.masks):
        if label == 0:
            assert np.isnan(box).all() and not mask.any()
        else:
            rows, cols = np.nonzero(mask)
            assert box.tolist() == [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


def test_sky_boxes_agree_with_sky_masks(confounded):
    for box, mask in zip(confounded.extras["sky_boxes"], confounded.extras["sky_masks"]):
        rows, cols = np.nonzero(mask)
        assert box.tolist() == [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


def test_sky_fills_at_least_the_top_fifth_and_the_horizon_varies(confounded):
    sky = confounded.extras["sky_masks"]
    top_fifth = int(np.ceil(SIZE / 5))
    assert sky[:, :top_fifth, :].all()
    sky_fraction = sky.mean(axis=(1, 2))
    assert 0.28 < sky_fraction.mean() < 0.40
    assert sky_fraction.max() - sky_fraction.min() > 0.12
    tree_line = sky.sum(axis=1)  # (N, W): first forest row of each column
    assert (tree_line.max(axis=1) - tree_line.min(axis=1)).mean() >= 3  # ragged, not flat


def test_tanks_hide_in_the_forest_at_varying_places_and_sizes(unconfounded):
    data = unconfounded
    tanks = data.labels == 1
    assert not (data.masks & data.extras["sky_masks"]).any()
    boxes = data.boxes[tanks]
    widths = boxes[:, 2] - boxes[:, 0]
    assert widths.min() >= 0.25 * SIZE and widths.max() <= 0.7 * SIZE
    assert widths.max() - widths.min() > 0.1 * SIZE
    assert boxes[:, 0].std() > 4  # pixels


def test_tank_is_camouflaged_but_visible(unconfounded):
    """The hull's colours are greenish-brown like the forest yet differ from the trees around it."""
    data = unconfounded
    differences = []
    for image, mask, box in zip(data.images, data.masks, data.boxes):
        if not mask.any():
            continue
        x0, y0, x1, y1 = box.astype(int)
        around = np.zeros_like(mask)
        around[max(0, y0 - 6) : y1 + 6, max(0, x0 - 6) : x1 + 6] = True
        around &= ~mask & ~data.extras["sky_masks"][0]
        tank, trees = image[mask].mean(axis=0), image[around].mean(axis=0)
        assert tank.max() < 0.6  # dull camouflage colours, no bright paint
        differences.append(np.abs(tank - trees).sum())
    assert np.median(differences) > 0.08


def _sky_colour(data):
    """Per-image statistics of the sky pixels only: mean, spread and extremes of R, G, B."""
    features = []
    for image, sky in zip(data.images, data.extras["sky_masks"]):
        pixels = image[sky]
        features.append(np.concatenate([pixels.mean(0), pixels.std(0), np.percentile(pixels, [5, 95], axis=0).ravel()]))
    return np.array(features)


def _forest_colour(data):
    """The same statistics on forest pixels outside the tank."""
    features = []
    for image, sky, tank in zip(data.images, data.extras["sky_masks"], data.masks):
        pixels = image[~sky & ~tank]
        features.append(np.concatenate([pixels.mean(0), pixels.std(0), np.percentile(pixels, [5, 95], axis=0).ravel()]))
    return np.array(features)


def _held_out_accuracy(features, targets):
    half = len(targets) // 2
    model = LogisticRegression(max_iter=2000).fit(features[:half], targets[:half])
    return model.score(features[half:], targets[half:])


def test_sky_alone_predicts_the_label_only_when_confounded(confounded, unconfounded):
    assert _held_out_accuracy(_sky_colour(confounded), confounded.labels) > 0.95
    assert _held_out_accuracy(_sky_colour(unconfounded), unconfounded.labels) < 0.65


def test_weather_is_visible_in_the_sky_but_not_in_the_forest(unconfounded):
    weather = unconfounded.extras["weather"]
    assert _held_out_accuracy(_sky_colour(unconfounded), weather) > 0.95
    assert _held_out_accuracy(_forest_colour(unconfounded), weather) < 0.65


def test_sunny_skies_show_a_sun_disc_and_blue_sky(unconfounded):
    data = unconfounded
    for image, sky, weather in zip(data.images, data.extras["sky_masks"], data.extras["weather"]):
        pixels = image[sky]
        red, green, blue = pixels.T
        sun = (red > 0.85) & (green > 0.8) & (red - blue > 0.2)  # bright, yellowish white
        blue_sky = blue - red > 0.25
        if weather == 0:
            assert sun.sum() >= 9, "a sunny sky shows a sun disc (radius >= 3.8 px at 64x64)"
            assert blue_sky.mean() > 0.6
        else:
            assert sun.sum() == 0 and blue_sky.mean() == 0


def test_cloudy_skies_are_grey_with_visible_clouds(unconfounded):
    data = unconfounded
    for image, sky, weather in zip(data.images, data.extras["sky_masks"], data.extras["weather"]):
        if weather != 1:
            continue
        pixels = image[sky]
        saturation = pixels.max(axis=1) - pixels.min(axis=1)
        brightness = pixels.mean(axis=1)
        assert np.median(saturation) < 0.12  # grey
        # clouds: bright and dark patches, a spread far above the film grain's (0.02)
        assert np.percentile(brightness, 95) - np.percentile(brightness, 5) > 0.2


def test_same_seed_same_scenes_other_seed_other_scenes():
    first = tank_scenes(12, size=32, seed=3)
    again = tank_scenes(12, size=32, seed=3)
    other = tank_scenes(12, size=32, seed=4)
    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.masks, again.masks)
    np.testing.assert_array_equal(first.extras["sky_masks"], again.extras["sky_masks"])
    assert not np.array_equal(first.images, other.images)


def test_other_sizes_keep_the_guarantees():
    data = tank_scenes(40, size=96, confounded=False, seed=0)
    assert data.images.shape == (40, 96, 96, 3)
    assert data.extras["sky_masks"][:, : int(np.ceil(96 / 5))].all()
    assert not (data.masks & data.extras["sky_masks"]).any()
    assert data.masks[data.labels == 1].any(axis=(1, 2)).all()


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"n": 1}, ValueError, "n must be an int >= 2"),
        ({"n": 10.0}, TypeError, "n must be an int"),
        ({"n": 10, "size": 16}, ValueError, "size must be an int in [32, 4096], got 16"),
        ({"n": 10, "confounded": "yes"}, TypeError, "confounded must be True or False"),
        ({"n": 10, "confounded": 1}, TypeError, "confounded must be True or False"),
        ({"n": 10, "seed": 1.5}, TypeError, "seed"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, words):
    with pytest.raises(error) as info:
        tank_scenes(**kwargs)
    assert words in str(info.value)
