"""Nuisance-annotated cats and dogs (helpers.data.nuisance_pets): format, ground truth,
each nuisance doing what its name says, and the bars confound itself.

The classifiers here are hand-made features with scikit-learn's logistic regression
(no CNN): on confounded images the bars alone give the label away, on unconfounded
images they do not, and the animal's silhouette alone tells cats from dogs.
"""
import cv2
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import helpers
from helpers.data import CONFOUNDED_BARS, DEFAULT_RATES, NUISANCES, nuisance_pets

SIZE = 64
N = 400


@pytest.fixture(scope="module")
def confounded():
    return nuisance_pets(N, size=SIZE, confounded=True, seed=0)


@pytest.fixture(scope="module")
def fair():
    return nuisance_pets(N, size=SIZE, confounded=False, seed=1)


def _flag(data, name):
    return data.extras["nuisances"][:, NUISANCES.index(name)]


def _area(masks):
    return masks.sum(axis=(1, 2))


# --------------------------------------------------------------------------- format
def test_format_and_exports(fair):
    data = fair
    assert data.images.shape == (N, SIZE, SIZE, 3) and data.images.dtype == np.float32
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert data.labels.dtype == np.int64 and data.class_names == ("cat", "dog")
    assert data.class_counts() == {"cat": N // 2, "dog": N // 2}
    assert data.extras["nuisance_names"] == NUISANCES
    assert NUISANCES == ("bars", "person", "low_contrast", "small", "occluded")
    assert data.extras["nuisances"].shape == (N, 5) and data.extras["nuisances"].dtype == bool
    for key in ("distractor_masks", "texture_masks", "occluder_masks"):
        assert data.extras[key].shape == (N, SIZE, SIZE) and data.extras[key].dtype == bool
    assert helpers.data.nuisance_pets is nuisance_pets


def test_other_sizes_and_odd_counts():
    data = nuisance_pets(7, size=48, seed=3)
    assert data.images.shape == (7, 48, 48, 3) and data.class_counts() == {"cat": 4, "dog": 3}
    assert data.masks.any(axis=(1, 2)).all()


def test_same_seed_same_images_other_seed_other_images():
    a, b = nuisance_pets(20, seed=5), nuisance_pets(20, seed=5)
    c = nuisance_pets(20, seed=6)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.extras["nuisances"],
                                                                 b.extras["nuisances"])
    assert not np.array_equal(a.images, c.images)


# --------------------------------------------------------------------------- nuisance counts
def test_counts_are_exact_per_class(fair):
    for name in NUISANCES:
        for label in (0, 1):
            members = fair.labels == label
            expected = round(DEFAULT_RATES[name] * members.sum())
            assert _flag(fair, name)[members].sum() == expected, name


def test_confounded_bars_go_with_dogs(confounded):
    bars = _flag(confounded, "bars")
    assert CONFOUNDED_BARS == (0.1, 0.9)
    assert bars[confounded.labels == 0].mean() == pytest.approx(0.1)
    assert bars[confounded.labels == 1].mean() == pytest.approx(0.9)
    for name in NUISANCES[1:]:  # the other nuisances are not confounded
        flag = _flag(confounded, name)
        assert flag[confounded.labels == 0].mean() == flag[confounded.labels == 1].mean()


def test_rates_override_some_nuisances_only():
    data = nuisance_pets(40, rates={"person": 1.0, "small": 0.0}, seed=2)
    assert _flag(data, "person").all() and not _flag(data, "small").any()
    assert _flag(data, "bars").mean() == pytest.approx(DEFAULT_RATES["bars"])
    none = nuisance_pets(20, rates={name: 0.0 for name in NUISANCES}, seed=2)
    assert not none.extras["nuisances"].any()
    for key in ("distractor_masks", "texture_masks", "occluder_masks"):
        assert not none.extras[key].any()
    # confounded overrides the bars rate, not the others
    forced = nuisance_pets(40, confounded=True, rates={"bars": 0.0, "person": 0.0}, seed=2)
    assert _flag(forced, "bars")[forced.labels == 1].mean() == pytest.approx(0.9)
    assert not _flag(forced, "person").any()


def test_nuisances_are_drawn_independently_of_each_other():
    data = nuisance_pets(2000, seed=4)
    flags = data.extras["nuisances"].astype(float)
    correlation = np.corrcoef(flags.T)
    off_diagonal = correlation[~np.eye(len(NUISANCES), dtype=bool)]
    assert np.abs(off_diagonal).max() < 0.08


# --------------------------------------------------------------------------- masks and boxes
def test_layers_never_overlap_and_match_the_flags(fair):
    obj = fair.masks
    layers = [fair.extras[k] for k in ("distractor_masks", "texture_masks", "occluder_masks")]
    stacked = np.stack([obj, *layers]).astype(int).sum(axis=0)
    assert stacked.max() == 1
    assert obj.any(axis=(1, 2)).all()
    assert np.array_equal(fair.extras["distractor_masks"].any(axis=(1, 2)), _flag(fair, "person"))
    assert np.array_equal(fair.extras["texture_masks"].any(axis=(1, 2)), _flag(fair, "bars"))
    assert np.array_equal(fair.extras["occluder_masks"].any(axis=(1, 2)), _flag(fair, "occluded"))


def _tight_box(mask):
    rows, cols = np.nonzero(mask)
    return [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


def test_boxes_are_the_tight_xyxy_boxes_of_the_masks(fair):
    for i in range(0, N, 7):
        assert fair.boxes[i].tolist() == _tight_box(fair.masks[i])
        for key in ("distractor", "texture"):
            mask, box = fair.extras[f"{key}_masks"][i], fair.extras[f"{key}_boxes"][i]
            if mask.any():
                assert box.tolist() == _tight_box(mask)
            else:
                assert np.isnan(box).all()


# --------------------------------------------------------------------------- each nuisance
def test_small_animals_are_about_a_third_of_the_usual_area(fair):
    plain = ~_flag(fair, "occluded")
    small = _flag(fair, "small")
    ratio = _area(fair.masks)[small & plain].mean() / _area(fair.masks)[~small & plain].mean()
    assert 0.2 < ratio < 0.45  # radius x0.55 -> area x0.3


def test_occlusion_hides_a_quarter_to_a_half_of_the_animal(fair):
    small = _flag(fair, "small")
    occluded = _flag(fair, "occluded")
    visible = _area(fair.masks)[occluded & ~small].mean() / _area(fair.masks)[~occluded & ~small].mean()
    assert 0.45 < visible < 0.8
    # the occluder touches the animal: it borders the visible pixels
    for i in np.flatnonzero(occluded)[:20]:
        grown = cv2.dilate(fair.masks[i].astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        assert (grown & fair.extras["occluder_masks"][i]).any()


def test_low_contrast_lowers_the_contrast(fair):
    low = _flag(fair, "low_contrast")
    spread = fair.images.std(axis=(1, 2, 3))
    assert spread[low].mean() < 0.65 * spread[~low].mean()
    # the animal stands out less from the rest of the image
    obj = fair.masks[..., np.newaxis]
    inside = (fair.images * obj).sum(axis=(1, 2)) / obj.sum(axis=(1, 2))
    outside = (fair.images * ~obj).sum(axis=(1, 2)) / (~obj).sum(axis=(1, 2))
    gap = np.linalg.norm(inside - outside, axis=1)
    assert gap[low].mean() < 0.5 * gap[~low].mean()


def _stripe_energy(images, masks):
    """Mean absolute horizontal + vertical difference of the grey image on each mask."""
    grey = images.mean(axis=3)
    dx = np.abs(np.diff(grey, axis=2))[:, :-1, :]
    dy = np.abs(np.diff(grey, axis=1))[:, :, :-1]
    edges = dx + dy
    inner = masks[:, :-1, :-1]
    return (edges * inner).sum(axis=(1, 2)) / np.maximum(inner.sum(axis=(1, 2)), 1)


def test_bars_are_a_striped_high_contrast_texture(fair):
    bars = _flag(fair, "bars")
    texture = fair.extras["texture_masks"]
    background = ~fair.masks & ~texture & ~fair.extras["distractor_masks"] & ~fair.extras[
        "occluder_masks"]
    on_texture = _stripe_energy(fair.images[bars], texture[bars])
    elsewhere = _stripe_energy(fair.images[bars], background[bars])
    assert np.mean(on_texture > 2 * elsewhere) > 0.9
    assert 0.25 < texture[bars].mean() < 0.5  # the panel covers a large part of the image


def test_person_stands_beside_the_animal(fair):
    person = _flag(fair, "person")
    centre_x = lambda boxes: (boxes[:, 0] + boxes[:, 2]) / 2  # noqa: E731
    apart = np.abs(centre_x(fair.boxes[person]) - centre_x(fair.extras["distractor_boxes"][person]))
    assert apart.min() > 0.15 * SIZE
    # the person reaches the bottom edge (unless a table edge hides it there) and is at
    # least as large as a usual animal
    in_view = person & ~_flag(fair, "occluded")
    assert fair.extras["distractor_masks"][in_view][:, -1, :].any(axis=1).all()
    assert _area(fair.extras["distractor_masks"][person]).mean() > _area(fair.masks).mean()


# --------------------------------------------------------------------------- the labels
def _bars_feature(data):
    """One number per image: how striped it is, on the whole image."""
    return _stripe_energy(data.images, np.ones(data.images.shape[:3], bool))[:, np.newaxis]


def test_bars_are_a_shortcut_only_when_confounded(confounded, fair):
    train_x, train_y = _bars_feature(confounded), confounded.labels
    model = LogisticRegression().fit(train_x, train_y)
    assert model.score(train_x, train_y) > 0.8  # stripes predict "dog" on confounded images
    assert model.score(_bars_feature(fair), fair.labels) < 0.6  # and nothing on fair ones
    fair_model = LogisticRegression().fit(_bars_feature(fair), fair.labels)
    assert fair_model.score(_bars_feature(fair), fair.labels) < 0.6


def _silhouettes(data, keep):
    """Each visible animal mask cropped to its box and resized to 12x12, flattened."""
    rows = []
    for mask, box in zip(data.masks[keep], data.boxes[keep]):
        x1, y1, x2, y2 = box.astype(int)
        crop = mask[y1:y2, x1:x2].astype(np.float32)
        rows.append(cv2.resize(crop, (12, 12), interpolation=cv2.INTER_AREA).ravel())
    return np.array(rows)


def test_the_silhouette_tells_cats_from_dogs_and_the_colour_does_not():
    data = nuisance_pets(1200, rates={"occluded": 0.0}, seed=7)
    train, test = np.arange(1200) < 800, np.arange(1200) >= 800
    shape_model = LogisticRegression(max_iter=2000).fit(_silhouettes(data, train), data.labels[train])
    assert shape_model.score(_silhouettes(data, test), data.labels[test]) > 0.95
    obj = data.masks[..., np.newaxis]
    colour = (data.images * obj).sum(axis=(1, 2)) / obj.sum(axis=(1, 2))
    colour_model = LogisticRegression().fit(colour[train], data.labels[train])
    assert colour_model.score(colour[test], data.labels[test]) < 0.6


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, error, words", [
    ({"n": 1}, ValueError, "n must be an int >= 2"),
    ({"n": 10.0}, TypeError, "n must be an int"),
    ({"n": True}, TypeError, "n must be an int"),
    ({"n": 10, "size": 32}, ValueError, "size must be an int >= 48"),
    ({"n": 10, "confounded": "True"}, TypeError, "confounded must be True or False"),
    ({"n": 10, "confounded": 1}, TypeError, "confounded must be True or False"),
    ({"n": 10, "rates": [0.5]}, TypeError, "rates must be a dict"),
    ({"n": 10, "rates": {"people": 0.5}}, ValueError, "unknown nuisance(s) ['people']"),
    ({"n": 10, "rates": {"small": 1.5}}, ValueError, "rates['small'] must be a finite real"),
    ({"n": 10, "rates": {"small": float("nan")}}, ValueError, "rates['small']"),
    ({"n": 10, "rates": {"small": "0.5"}}, TypeError, "rates['small'] must be a real number"),
    ({"n": 10, "seed": -1}, ValueError, "seed must be an int >= 0"),
    ({"n": 10, "seed": None}, TypeError, "seed must be an int"),
])
def test_bad_input_is_refused_with_a_clear_message(kwargs, error, words):
    with pytest.raises(error) as info:
        nuisance_pets(**kwargs)
    assert words in str(info.value)


def test_dogs_have_dark_patches_and_cats_do_not(fair):
    plain = ~_flag(fair, "low_contrast") & ~_flag(fair, "small")
    grey = fair.images.mean(axis=3)
    dark_share = np.array([
        np.mean(grey[i][fair.masks[i]] < 0.55 * np.median(grey[i][fair.masks[i]]))
        for i in range(N)])
    dogs, cats = plain & (fair.labels == 1), plain & (fair.labels == 0)
    assert np.median(dark_share[dogs]) > 0.15 and np.median(dark_share[cats]) < 0.08
