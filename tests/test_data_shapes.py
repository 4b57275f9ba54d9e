"""Procedural shapes: format, exact ground truth, balance, reproducibility, bad input."""
import time

import numpy as np
import pytest

from helpers.data import SHAPE_CLASSES, boxes_from_masks, shapes


@pytest.fixture(scope="module")
def every_class():
    return shapes(240, size=48, classes=SHAPE_CLASSES, seed=0)


def test_format(every_class):
    data = every_class
    assert data.images.shape == (240, 48, 48, 3) and data.images.dtype == np.float32
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0
    assert data.labels.dtype == np.int64 and data.labels.shape == (240,)
    assert data.boxes.shape == (240, 4) and data.boxes.dtype == np.float32
    assert data.masks.shape == (240, 48, 48) and data.masks.dtype == bool
    assert data.class_names == SHAPE_CLASSES


def test_classes_are_balanced():
    data = shapes(100, size=32, classes=("circle", "square", "triangle"), seed=1)
    assert sorted(data.class_counts().values()) == [33, 33, 34]


def test_boxes_are_the_tight_boxes_of_the_masks(every_class):
    data = every_class
    assert data.masks.any(axis=(1, 2)).all()  # one object in every image
    for box, mask in zip(data.boxes, data.masks):
        rows, cols = np.nonzero(mask)
        assert box.tolist() == [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]


def test_boxes_from_masks_uses_exclusive_edges_and_nan_for_empty():
    masks = np.zeros((2, 8, 8), bool)
    masks[0, 5, 3] = True  # one pixel at x=3, y=5
    boxes = boxes_from_masks(masks)
    assert boxes[0].tolist() == [3, 5, 4, 6]
    assert np.isnan(boxes[1]).all()


def test_object_pixels_differ_from_the_background(every_class):
    """The object is visible: its mean colour stands out from the pixels around it."""
    data = every_class
    contrast = []
    for image, mask in zip(data.images, data.masks):
        inside = image[mask].mean(axis=0)
        outside = image[~mask].mean(axis=0)
        contrast.append(np.abs(inside - outside).max())
    assert np.median(contrast) > 0.2


def test_objects_vary_in_position_and_size(every_class):
    boxes = every_class.boxes
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    widths = boxes[:, 2] - boxes[:, 0]
    assert centres.std(axis=0).min() > 4  # pixels
    assert widths.max() - widths.min() > 10


def test_background_is_not_a_class_cue(every_class):
    """Each background style appears with every class."""
    data = every_class
    for style in np.unique(data.extras["backgrounds"]):
        labels = data.labels[data.extras["backgrounds"] == style]
        assert len(np.unique(labels)) == len(SHAPE_CLASSES)


def test_shapes_differ_in_area():
    """Ring and cross cover less of their box than circle and square: the shape is drawn."""
    data = shapes(300, size=64, classes=("circle", "ring", "square", "cross"), seed=2)
    boxes = data.boxes
    box_area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    fill = data.masks.sum(axis=(1, 2)) / box_area
    mean_fill = {name: fill[data.labels == i].mean() for i, name in enumerate(data.class_names)}
    assert mean_fill["circle"] == pytest.approx(np.pi / 4, abs=0.06)
    assert mean_fill["ring"] < mean_fill["circle"] - 0.15
    assert mean_fill["cross"] < 0.65


def test_same_seed_same_data_and_other_seed_other_data():
    first = shapes(20, size=32, seed=5)
    again = shapes(20, size=32, seed=5)
    other = shapes(20, size=32, seed=6)
    np.testing.assert_array_equal(first.images, again.images)
    np.testing.assert_array_equal(first.masks, again.masks)
    assert not np.array_equal(first.images, other.images)


def test_classes_are_chosen_by_name_in_the_given_order():
    data = shapes(30, size=32, classes=("star", "cross"), seed=0)
    assert data.class_names == ("star", "cross")
    assert set(data.labels.tolist()) == {0, 1}


def test_two_thousand_images_are_fast():
    start = time.process_time()  # CPU time: fair on a machine shared with other jobs
    shapes(2000, size=64, seed=0)
    assert time.process_time() - start < 4.0  # about 1 s on one core of a laptop


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"n": 0}, ValueError, "n must be an int >= 1"),
        ({"n": -3}, ValueError, "n must be an int >= 1"),
        ({"n": 10.0}, TypeError, "n must be an int"),
        ({"n": True}, TypeError, "n must be an int"),
        ({"n": 10, "size": 8}, ValueError, "size must be an int in [16, 4096], got 8"),
        ({"n": 10, "size": 32.5}, TypeError, "size must be an int"),
        ({"n": 10, "classes": ("circle", "hexagon")}, ValueError, "classes[1] must be one of 'circle'"),
        ({"n": 10, "classes": ("circle", "circle")}, ValueError, "repeated"),
        ({"n": 10, "classes": "circle"}, TypeError, "sequence of class names"),
        ({"n": 10, "classes": ()}, ValueError, "at least one class"),
        ({"n": 10, "seed": -1}, ValueError, "seed"),
        ({"n": 10, "seed": None}, TypeError, "seed"),
        ({"n": 10, "scale": (0.5, 0.2)}, ValueError, "scale"),
        ({"n": 10, "scale": 0.5}, TypeError, "scale"),
    ],
)
def test_bad_input_raises_a_clear_error(kwargs, error, words):
    with pytest.raises(error) as info:
        shapes(**kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize("name", SHAPE_CLASSES)
def test_every_class_is_visible_at_the_smallest_sizes(name):
    # A small ring used to lose its whole stroke: an image labelled "ring" with no
    # object pixels (and a NaN box). Smallest image, smallest scale, many seeds.
    for seed in range(40):
        data = shapes(8, size=16, classes=(name,), seed=seed, scale=(0.1, 0.1))
        areas = data.masks.sum(axis=(1, 2))
        assert areas.min() >= 8, (seed, areas)
        assert np.isfinite(data.boxes).all()
        widths = data.boxes[:, 2] - data.boxes[:, 0]
        assert widths.min() >= 3, (seed, widths)


def test_small_rings_keep_their_hole_at_moderate_sizes():
    data = shapes(50, size=64, classes=("ring",), seed=3, scale=(0.15, 0.2))
    box_areas = (data.boxes[:, 2] - data.boxes[:, 0]) * (data.boxes[:, 3] - data.boxes[:, 1])
    # a filled disc covers about pi/4 = 0.79 of its box; a ring clearly less
    assert (data.masks.sum(axis=(1, 2)) / box_areas).max() < 0.7
