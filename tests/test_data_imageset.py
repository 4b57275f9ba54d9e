"""ImageSet: validation, selection, splitting and its repr."""
import dataclasses

import numpy as np
import pytest

from helpers.data import ImageSet


def make_set(n=12, height=6, width=5, channels=3, n_classes=3, boxes=True, masks=True, seed=0):
    rng = np.random.default_rng(seed)
    box_rows = np.tile(np.array([[1, 1, 3, 4]], np.float32), (n, 1))
    box_rows[0] = np.nan  # the first image has no object
    return ImageSet(
        images=rng.random((n, height, width, channels), dtype=np.float32),
        labels=(np.arange(n) % n_classes).astype(np.int64),
        class_names=tuple(f"class{i}" for i in range(n_classes)),
        boxes=box_rows if boxes else None,
        masks=rng.random((n, height, width)) > 0.5 if masks else None,
        extras={"ids": np.arange(n) * 10, "note": ("per", "set")},
    )


def test_valid_set_has_length_shape_and_counts():
    data = make_set()
    assert len(data) == 12
    assert data.image_shape == (6, 5, 3)
    assert data.n_classes == 3
    assert data.class_counts() == {"class0": 4, "class1": 4, "class2": 4}


def test_is_frozen_and_extras_are_read_only():
    data = make_set()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.labels = data.labels
    with pytest.raises(TypeError):
        data.extras["new"] = 1


def test_list_of_class_names_is_stored_as_tuple():
    data = ImageSet(np.zeros((2, 4, 4, 1), np.float32), np.array([0, 1]), ["a", "b"])
    assert data.class_names == ("a", "b")


@pytest.mark.parametrize(
    "change, error, words",
    [
        ({"images": np.zeros((2, 4, 4, 3))}, TypeError, "float32"),
        ({"images": np.zeros((2, 4, 4), np.float32)}, ValueError, "(N, H, W, C)"),
        ({"images": np.zeros((0, 4, 4, 3), np.float32), "labels": np.zeros(0, np.int64)},
         ValueError, "at least one image"),
        ({"images": np.full((2, 4, 4, 3), 2.0, np.float32)}, ValueError, "[0, 1]"),
        ({"images": np.full((2, 4, 4, 3), np.nan, np.float32)}, ValueError, "[0, 1]"),
        ({"labels": np.array([0, 1], np.int32)}, TypeError, "int64"),
        ({"labels": [0, 1]}, TypeError, "int64"),
        ({"labels": np.array([0, 1, 1], np.int64)}, ValueError, "shape (2,)"),
        ({"labels": np.array([0, 2], np.int64)}, ValueError, "out of range for n_classes=2 (valid labels: 0 to 1)"),
        ({"labels": np.array([-1, 0], np.int64)}, ValueError, "labels must be class indices >= 0, found -1"),
        ({"class_names": ()}, ValueError, "at least one class"),
        ({"class_names": ("a", "a")}, ValueError, "repeated"),
        ({"class_names": "ab"}, TypeError, "sequence of class names"),
        ({"class_names": ("a", 1)}, TypeError, "str"),
        ({"boxes": np.zeros((2, 4))}, TypeError, "float32"),
        ({"boxes": np.zeros((2, 3), np.float32)}, ValueError, "(2, 4)"),
        ({"boxes": np.array([[0, 0, 2, 2], [np.nan, 0, 1, 1]], np.float32)}, ValueError, "partly NaN"),
        ({"boxes": np.array([[0, 0, 2, 2], [2, 0, 1, 1]], np.float32)}, ValueError, "x0 < x1"),
        ({"boxes": np.array([[0, 0, 5, 2], [0, 0, 1, 1]], np.float32)}, ValueError, "W = 4"),
        ({"masks": np.zeros((2, 4, 4), np.uint8)}, TypeError, "bool"),
        ({"masks": np.zeros((2, 4, 5), bool)}, ValueError, "(2, 4, 4)"),
        ({"extras": {"ids": np.arange(3)}}, ValueError, "one row per image"),
        ({"extras": [1, 2]}, TypeError, "mapping"),
    ],
)
def test_bad_fields_raise_with_a_clear_message(change, error, words):
    fields = dict(
        images=np.zeros((2, 4, 4, 3), np.float32),
        labels=np.array([0, 1], np.int64),
        class_names=("a", "b"),
    )
    fields.update(change)
    with pytest.raises(error) as info:
        ImageSet(**fields)
    assert words in str(info.value)


def test_take_selects_every_per_image_array():
    data = make_set()
    picked = data.take([5, 0, 5])
    assert len(picked) == 3
    np.testing.assert_array_equal(picked.images, data.images[[5, 0, 5]])
    np.testing.assert_array_equal(picked.labels, data.labels[[5, 0, 5]])
    np.testing.assert_array_equal(picked.masks, data.masks[[5, 0, 5]])
    assert np.isnan(picked.boxes[1]).all() and not np.isnan(picked.boxes[0]).any()
    np.testing.assert_array_equal(picked.extras["ids"], [50, 0, 50])
    assert picked.extras["note"] == ("per", "set")
    assert picked.class_names == data.class_names


def test_take_accepts_a_boolean_mask_and_refuses_bad_indices():
    data = make_set()
    chosen = data.take(data.labels == 1)
    assert set(chosen.labels.tolist()) == {1} and len(chosen) == 4
    with pytest.raises(ValueError, match="indices as a boolean mask must have shape"):
        data.take(np.ones(3, bool))
    with pytest.raises(IndexError, match="indices must lie"):
        data.take([0, 12])
    with pytest.raises(TypeError, match="integers"):
        data.take([0.5, 1.0])
    with pytest.raises(ValueError, match="at least one index"):
        data.take([])


@pytest.mark.parametrize("stratify", [True, False])
def test_split_partitions_the_set(stratify):
    data = make_set(n=40, boxes=False, masks=False)
    rest, part = data.split(0.25, seed=3, stratify=stratify)
    assert len(rest) + len(part) == 40
    ids = np.concatenate([rest.extras["ids"], part.extras["ids"]])
    assert sorted(ids.tolist()) == sorted(data.extras["ids"].tolist())  # no loss, no repeat
    # images still travel with their labels
    for subset in (rest, part):
        original = subset.extras["ids"] // 10
        np.testing.assert_array_equal(subset.labels, data.labels[original])
        np.testing.assert_array_equal(subset.images, data.images[original])


def test_stratified_split_keeps_class_proportions_and_is_reproducible():
    labels = np.repeat(np.arange(3), [40, 20, 12]).astype(np.int64)
    data = ImageSet(np.zeros((72, 2, 2, 1), np.float32), labels, ("a", "b", "c"))
    rest, part = data.split(0.25, seed=1)
    assert part.class_counts() == {"a": 10, "b": 5, "c": 3}
    assert rest.class_counts() == {"a": 30, "b": 15, "c": 9}
    again_rest, again_part = data.split(0.25, seed=1)
    np.testing.assert_array_equal(again_part.labels, part.labels)
    np.testing.assert_array_equal(again_rest.labels, rest.labels)


def test_split_seeds_change_the_split():
    data = make_set(n=40, boxes=False, masks=False)
    first = data.split(0.5, seed=0)[1].extras["ids"]
    same = data.split(0.5, seed=0)[1].extras["ids"]
    other = data.split(0.5, seed=1)[1].extras["ids"]
    np.testing.assert_array_equal(first, same)
    assert set(first.tolist()) != set(other.tolist())


@pytest.mark.parametrize("fraction, error", [(0.0, ValueError), (1.0, ValueError), (1.5, ValueError),
                                             ("0.2", TypeError), (True, TypeError)])
def test_split_refuses_bad_fractions(fraction, error):
    with pytest.raises(error, match="fraction"):
        make_set().split(fraction)


def test_split_refuses_a_fraction_that_leaves_a_side_empty():
    with pytest.raises(ValueError, match="empty"):
        make_set(n=4, n_classes=2).split(0.1)


def test_repr_is_short_and_informative():
    data = make_set(n=500, height=32, width=32)
    text = repr(data)
    assert "n=500" in text and "(32, 32, 3)" in text
    assert "'class0': 167" in text and "'class2': 166" in text
    assert "boxes=499 objects" in text and "masks=yes" in text and "extras=" in text
    assert len(text) < 300  # never dumps arrays
