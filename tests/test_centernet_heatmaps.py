"""The heatmap rules of the one-stage detector (helpers.models.centre_heatmaps).

CornerNet's radius is checked against values worked out by hand and against a reference
written from its definition (the largest corner shift that keeps IoU >= 0.7, found by
bisection on the IoU itself, not on the quadratic equations); CenterNet's bump against
a cell-by-cell reference written from "Objects as Points" and its code (isotropic,
sigma = (2r + 1) / 6, cut to the (2r + 1)^2 window, max over objects).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.data import detection_scenes
from helpers.models.centernet import (
    CenterNet,
    centernet_radius,
    centernet_targets,
    gaussian_radius,
)

N_CLASSES = 3


# --------------------------------------------------------------------------- the radius
def _largest_shift(iou_at, low: float, high: float, min_overlap: float) -> float:
    """sup{r in [low, high] : iou_at(r) >= min_overlap} for a decreasing iou_at."""
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if iou_at(mid) >= min_overlap else (low, mid)
    return low


def _reference_radius(h: float, w: float, o: float = 0.7) -> float:
    area = h * w

    def slide(r):  # both corners move by (r, r): the box slides diagonally
        inter = (h - r) * (w - r)
        return inter / (2 * area - inter)

    def inwards(r):  # the predicted box shrinks by r on every side
        return (h - 2 * r) * (w - 2 * r) / area

    def outwards(r):  # it grows by r on every side
        return area / ((h + 2 * r) * (w + 2 * r))

    side = min(h, w)
    return min(_largest_shift(slide, 0, side, o), _largest_shift(inwards, 0, side / 2, o),
               _largest_shift(outwards, 0, 10 * side, o))


def test_radius_hand_computed():
    # a square of side a: case 2 binds, (a - 2r)^2 = 0.7 a^2, r = a (1 - sqrt 0.7) / 2
    for a in (2.0, 10.0, 13.0, 50.0):
        assert gaussian_radius(a, a) == pytest.approx(a * (1 - math.sqrt(0.7)) / 2, rel=1e-12)
    # 4 x 20: case 2, 4 r^2 - 48 r + 24 = 0, r = (48 - sqrt(2304 - 384)) / 8
    assert gaussian_radius(4, 20) == pytest.approx((48 - math.sqrt(1920)) / 8, rel=1e-12)
    assert gaussian_radius(4, 20) == pytest.approx(0.52277, abs=1e-5)
    # min_overlap 1: no shift is allowed
    assert gaussian_radius(7, 3, min_overlap=1.0) == pytest.approx(0.0, abs=1e-12)
    # CenterNet's whole-cell radius: sides rounded up, then truncated
    assert centernet_radius(12.0, 12.0) == 0      # 0.98 cells
    assert centernet_radius(12.01, 12.01) == 1    # ceil -> 13: 1.06 cells
    assert centernet_radius(50, 50) == 4          # 4.08
    assert centernet_radius(2.2, 10.5) == 0       # (3, 11): 0.37
    assert centernet_radius(30, 40) == 2          # 2.86: case 2 again


@pytest.mark.parametrize("h, w", [(1, 1), (2, 9), (4, 20), (10, 10), (13, 7), (33, 80),
                                  (64, 3)])
@pytest.mark.parametrize("o", [0.5, 0.7, 0.9])
def test_radius_matches_definition(h, w, o):
    assert gaussian_radius(h, w, o) == pytest.approx(_reference_radius(h, w, o), abs=1e-9)
    assert gaussian_radius(h, w, o) == pytest.approx(gaussian_radius(w, h, o), rel=1e-12)


def test_radius_bad_input():
    with pytest.raises(ValueError, match="height"):
        gaussian_radius(0, 5)
    with pytest.raises(ValueError, match="width"):
        gaussian_radius(5, float("nan"))
    with pytest.raises(ValueError, match="width"):
        gaussian_radius(5, -1)
    with pytest.raises(TypeError, match="height"):
        gaussian_radius("5", 5)
    with pytest.raises(ValueError, match="min_overlap"):
        gaussian_radius(5, 5, min_overlap=0.0)
    with pytest.raises(ValueError, match="min_overlap"):
        gaussian_radius(5, 5, min_overlap=1.5)
    with pytest.raises(ValueError, match="height"):
        centernet_radius(0.0, 3.0)


# --------------------------------------------------------------------------- the bumps
def _reference_centernet_heatmap(boxes, grid, stride):
    """One class's heatmap, cell by cell, as "Objects as Points" describes it."""
    heat = np.zeros((grid, grid))
    for x0, y0, x1, y1 in np.asarray(boxes, float) / stride:
        col, row = int((x0 + x1) / 2), int((y0 + y1) / 2)
        r = max(0, int(_reference_radius(math.ceil(y1 - y0), math.ceil(x1 - x0))))
        sigma = (2 * r + 1) / 6
        for i in range(max(0, row - r), min(grid, row + r + 1)):
            for j in range(max(0, col - r), min(grid, col + r + 1)):
                value = math.exp(-((i - row) ** 2 + (j - col) ** 2) / (2 * sigma**2))
                heat[i, j] = max(heat[i, j], value)
    return heat


def test_centernet_rule_matches_reference():
    # 256 x 256 pixels, a 64 x 64 grid: boxes big enough for radii 0 to 4, two
    # overlapping ones of class 0 (the larger value wins); a box inside the image with
    # r >= 1 is at least 13 cells wide, so its window never reaches the border
    boxes = np.array([[[10, 12, 210, 230], [0, 0, 60, 52], [100, 90, 150, 120],
                       [180, 200, 256, 256], [30, 40, 50, 50]]], float)
    labels = np.array([[0, 1, 0, 2, 1]])
    targets = centernet_targets(boxes, labels, np.array([5]), (256, 256), N_CLASSES,
                                heatmap_rule="centernet")
    radii = [centernet_radius((y1 - y0) / 4, (x1 - x0) / 4) for x0, y0, x1, y1 in boxes[0]]
    assert radii == [4, 1, 0, 1, 0]
    for c in range(N_CLASSES):
        expected = _reference_centernet_heatmap(boxes[0][labels[0] == c], 64, 4)
        np.testing.assert_allclose(targets[0, ..., c], expected, rtol=1e-6, atol=1e-7)
    # the same objects' sizes, offsets and centre flags do not depend on the rule
    per_axis = centernet_targets(boxes, labels, np.array([5]), (256, 256), N_CLASSES)
    np.testing.assert_array_equal(targets[..., N_CLASSES:], per_axis[..., N_CLASSES:])
    # the per-axis rule spreads further: non-zero over the whole grid
    assert (per_axis[0, ..., 0] > 0).sum() > 4 * (targets[0, ..., 0] > 0).sum()


def test_per_axis_rule_is_the_elliptical_gaussian():
    boxes = np.array([[[8, 20, 40, 28]]], float)  # 8 x 2 cells, centre cell (row 6, col 6)
    targets = centernet_targets(boxes, np.array([[1]]), np.array([1]), (64, 64), N_CLASSES)
    rows, cols = np.mgrid[:16, :16]
    sx, sy = 8 / 6, 0.5  # 2 / 6 is below the half-cell floor
    expected = np.exp(-(cols - 6) ** 2 / (2 * sx**2) - (rows - 6) ** 2 / (2 * sy**2))
    np.testing.assert_allclose(targets[0, ..., 1], expected, rtol=1e-6, atol=1e-7)


def test_centernet_rule_on_the_course_scenes_is_one_cell_per_object():
    scenes = detection_scenes(40, seed=3)
    targets = centernet_targets(scenes.boxes, scenes.labels, scenes.counts, (64, 64),
                                N_CLASSES, heatmap_rule="centernet")
    heat = targets[..., :N_CLASSES]
    # every object is at most 41 px (10.25 cells): radius 0, the bump is its centre cell
    assert np.array_equal(heat > 0, heat == 1.0)
    assert (heat == 1.0).sum() == (targets[..., -1] > 0).sum() > 0
    detector = CenterNet(scenes.class_names, heatmap_rule="centernet")
    np.testing.assert_array_equal(detector.targets(scenes), targets)
    assert CenterNet(scenes.class_names).heatmap_rule == "per_axis"


def test_heatmap_rule_bad_input():
    boxes, labels, counts = np.array([[[1, 1, 9, 9.0]]]), np.array([[0]]), np.array([1])
    with pytest.raises(ValueError, match="heatmap_rule"):
        centernet_targets(boxes, labels, counts, (64, 64), 3, heatmap_rule="gaussian")
    with pytest.raises(TypeError, match="heatmap_rule"):
        centernet_targets(boxes, labels, counts, (64, 64), 3, heatmap_rule=1)
    with pytest.raises(ValueError, match="heatmap_rule"):
        CenterNet(["a", "b", "c"], heatmap_rule="CenterNet")
    with pytest.raises(ValueError, match=r"boxes\[0\].*x1 > x0"):
        centernet_targets(np.array([[[5, 1, 5, 9.0]]]), labels, counts, (64, 64), 3)
    with pytest.raises(ValueError, match=r"boxes\[0\]"):
        centernet_targets(np.array([[[np.nan, 1, 5, 9.0]]]), labels, counts, (64, 64), 3,
                          heatmap_rule="centernet")


def test_a_box_centred_outside_the_image_is_refused_not_wrapped_around():
    from helpers.models.centernet import centernet_targets
    boxes = np.array([[[-30.0, 10.0, -2.0, 20.0]]])   # centre at x = -16
    with pytest.raises(ValueError, match="centre lies outside the 64 x 64 image"):
        centernet_targets(boxes, np.array([[0]]), np.array([1]), (64, 64), 2, 4)
    inside = np.array([[[-4.0, 10.0, 8.0, 20.0]]])    # cut by the edge, centre inside
    out = centernet_targets(inside, np.array([[0]]), np.array([1]), (64, 64), 2, 4)
    assert out[0, :, :, 0].max() == 1.0 and out[0, 3, 0, 0] == 1.0
