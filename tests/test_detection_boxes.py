"""Box layouts, areas and pairwise IoU, checked against plain loops and hand-worked values."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.detection import box_area, box_convert, iou

from detection_reference import iou_loop


def random_xyxy(rng, n, grid=False):
    if grid:  # small integers: many exact ties, touching edges and zero sizes
        x1, y1 = rng.integers(0, 10, (2, n))
        w, h = rng.integers(0, 6, (2, n))
    else:
        x1, y1 = rng.uniform(-50, 50, (2, n))
        w, h = rng.uniform(0, 40, (2, n))
        w[rng.random(n) < 0.1] = 0.0
    return np.stack([x1, y1, x1 + w, y1 + h], axis=1).astype(float)


# --------------------------------------------------------------------------- box_convert
def test_conversions_by_hand():
    xywh = [10, 20, 30, 40]
    assert box_convert(xywh, "xywh", "xyxy").tolist() == [10, 20, 40, 60]
    assert box_convert(xywh, "xywh", "cxcywh").tolist() == [25, 40, 30, 40]
    assert box_convert([25, 40, 30, 40], "cxcywh", "xyxy").tolist() == [10, 20, 40, 60]
    assert box_convert([10, 20, 40, 60], "xyxy", "xywh").tolist() == [10, 20, 30, 40]


@pytest.mark.parametrize("fmt_a, fmt_b", [("xyxy", "xywh"), ("xyxy", "cxcywh"), ("xywh", "cxcywh")])
def test_round_trips(fmt_a, fmt_b):
    rng = np.random.default_rng(0)
    boxes = box_convert(random_xyxy(rng, 200), "xyxy", fmt_a)
    back = box_convert(box_convert(boxes, fmt_a, fmt_b), fmt_b, fmt_a)
    np.testing.assert_allclose(back, boxes, rtol=0, atol=1e-12)
    # With small integers every step is exact.
    grid = box_convert(random_xyxy(rng, 200, grid=True), "xyxy", fmt_a)
    assert np.array_equal(box_convert(box_convert(grid, fmt_a, fmt_b), fmt_b, fmt_a), grid)


def test_convert_keeps_leading_axes_and_float32_and_copies():
    boxes = np.zeros((2, 3, 4), dtype=np.float32)
    out = box_convert(boxes, "xyxy", "xyxy")
    assert out.shape == (2, 3, 4) and out.dtype == np.float32
    assert out is not boxes and not np.shares_memory(out, boxes)
    assert box_convert([[1, 2, 3, 4]], "xywh", "xyxy").dtype == np.float64


def test_box_area():
    assert box_area([[0, 0, 4, 3], [5, 5, 5, 9]]).tolist() == [12, 0]
    assert box_area([[0, 0, 4, 3]], fmt="xywh").tolist() == [12]


# --------------------------------------------------------------------------- iou
@pytest.mark.parametrize("grid", [False, True])
def test_iou_matches_a_plain_loop(grid):
    rng = np.random.default_rng(1 + grid)
    a, b = random_xyxy(rng, 30, grid), random_xyxy(rng, 25, grid)
    expected = np.array([[iou_loop(p, q) for q in b] for p in a])
    result = iou(a, b)
    assert result.shape == (30, 25) and result.dtype == np.float64
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh"])
def test_iou_in_other_formats(fmt):
    rng = np.random.default_rng(3)
    a, b = random_xyxy(rng, 10), random_xyxy(rng, 7)
    np.testing.assert_allclose(iou(box_convert(a, "xyxy", fmt), box_convert(b, "xyxy", fmt), fmt=fmt), iou(a, b), atol=1e-12)


def test_iou_by_hand():
    # Overlap 1x2 = 2, union 4 + 4 - 2 = 6.
    assert iou([[0, 0, 2, 2]], [[1, 0, 3, 2]])[0, 0] == pytest.approx(1 / 3)
    assert iou([[0, 0, 2, 2]], [[0, 0, 2, 2]])[0, 0] == 1.0
    assert iou([[0, 0, 2, 2]], [[2, 0, 4, 2]])[0, 0] == 0.0  # touching edges do not overlap


def test_zero_width_boxes_have_iou_zero_and_no_nan():
    zero = [[1, 1, 1, 5], [3, 3, 3, 3]]
    result = iou(zero, zero + [[0, 0, 10, 10]])
    assert not np.isnan(result).any()
    assert np.all(result == 0.0)


def test_empty_inputs():
    assert iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    assert iou([], []).shape == (0, 0)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: iou([[0, 0, -3, 5]], [[0, 0, 1, 1]]), ValueError,
         r"boxes_a\[0\] = \[0\.0, 0\.0, -3\.0, 5\.0\] has negative width -3\.0; expected \[x1, y1, x2, y2\] with x2 >= x1"),
        (lambda: iou([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 5, 1, 2]]), ValueError, r"boxes_b\[1\] .* has negative height -3\.0"),
        (lambda: iou([[0, 0, 1, np.nan]], [[0, 0, 1, 1]]), ValueError, r"boxes_a\[0\] .* non-finite"),
        (lambda: iou([[0, 0, 1, np.inf]], [[0, 0, 1, 1]]), ValueError, r"non-finite"),
        (lambda: iou([[0, 0, 1]], [[0, 0, 1, 1]]), ValueError, r"boxes_a must have shape \(\.\.\., 4\), got shape \(1, 3\)"),
        (lambda: iou([0, 0, 1, 1], [[0, 0, 1, 1]]), ValueError, r"boxes_a must have shape \(N, 4\)"),
        (lambda: iou([[0, 0, 1, 1]], [[0, 0, 1, 1]], fmt="xyhw"), ValueError, r"fmt must be one of 'xyxy', 'xywh', 'cxcywh', got str 'xyhw'"),
        (lambda: iou([["a", 0, 1, 1]], [[0, 0, 1, 1]]), TypeError, r"boxes_a must hold numbers"),
        (lambda: box_convert([[0, 0, -1, 1]], "xywh", "xyxy"), ValueError, r"boxes\[0\] .* negative width -1\.0; expected \[x, y, w, h\]"),
        (lambda: box_convert([[0, 0, 1, 1]], "xyxy", "yolo"), ValueError, r"out_fmt must be one of 'xyxy', 'xywh', 'cxcywh', got str 'yolo'"),
        (lambda: box_convert(np.zeros((2, 2, 4)) - [0, 0, 1, 0], "cxcywh", "xyxy"), ValueError, r"boxes\[0, 0\] .* negative width"),
        (lambda: box_convert([[0, 0, 1], [1, 2, 3, 4]], "xyxy", "xywh"), ValueError, r"rows of different lengths"),
    ],
)
def test_bad_boxes_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- one box vocabulary:
# a data set's boxes (xyxy float pixels, all-NaN rows for "no object") go in as they are
def test_tank_scene_boxes_go_straight_into_iou_area_and_coco_conversion():
    from helpers.data import tank_scenes
    from helpers.detection import heatmap_to_box

    data = tank_scenes(12, size=32, seed=1)
    missing = np.isnan(data.boxes).all(axis=1)
    assert missing.any() and (~missing).any()  # both kinds of rows are exercised

    # a "heatmap" that is the object's own mask gives back exactly the data set's box
    found = heatmap_to_box(data.masks[~missing].astype(np.float32))
    np.testing.assert_array_equal(found, data.boxes[~missing])
    per_image = iou(heatmap_to_box(data.masks.astype(np.float32)), data.boxes).diagonal()
    assert not np.isnan(per_image).any()
    np.testing.assert_array_equal(per_image[~missing], 1.0)
    np.testing.assert_array_equal(per_image[missing], 0.0)  # no object: IoU 0, not NaN

    areas = box_area(data.boxes)
    np.testing.assert_array_equal(areas[missing], 0.0)
    np.testing.assert_allclose(areas[~missing], data.masks[~missing].any(axis=1).sum(axis=1)
                               * data.masks[~missing].any(axis=2).sum(axis=1))

    coco = box_convert(data.boxes, "xyxy", "xywh")  # COCO's bbox layout
    assert np.isnan(coco[missing]).all()
    np.testing.assert_array_equal(coco[~missing, 2], data.boxes[~missing, 2] - data.boxes[~missing, 0])
    np.testing.assert_array_equal(box_convert(coco, "xywh", "xyxy"), data.boxes)


def test_shapes_boxes_equal_their_masks_extent():
    from helpers.data import shapes

    data = shapes(10, size=32, seed=4)
    assert data.boxes.dtype == np.float32 and not np.isnan(data.boxes).any()
    ious = iou(data.boxes, data.boxes)
    np.testing.assert_array_equal(ious.diagonal(), 1.0)


@pytest.mark.parametrize("row", [[np.nan, 0, 1, 1], [0, 0, np.nan, np.nan]])
def test_a_partly_nan_box_is_still_an_error(row):
    with pytest.raises(ValueError, match=r"boxes_b\[1\] .* non-finite .*'no object'"):
        iou([[0, 0, 1, 1]], [[0, 0, 1, 1], row])


def test_nms_takes_real_boxes_only():
    from helpers.detection import nms

    with pytest.raises(ValueError, match=r"boxes\[0\] .* non-finite"):
        nms([[np.nan] * 4, [0, 0, 1, 1]], [0.5, 0.4], 0.5)
