"""heatmap_to_box: the CAM paper's threshold -> largest 8-connected region -> box."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.detection import heatmap_to_box


def test_single_pixel_gives_a_one_pixel_box_with_exclusive_edges():
    heatmap = np.zeros((10, 8))
    heatmap[5, 3] = 1.0  # row y=5, column x=3
    box = heatmap_to_box(heatmap)
    assert box.dtype == np.float32
    assert box.tolist() == [3, 5, 4, 6]


def test_largest_region_wins():
    heatmap = np.zeros((8, 10))
    heatmap[2:4, 5:9] = 0.5  # 8 pixels: rows 2-3, columns 5-8
    heatmap[6, 0] = 1.0      # the maximum, but a region of one pixel
    assert heatmap_to_box(heatmap).tolist() == [5, 2, 9, 4]


def test_regions_are_8_connected():
    # A diagonal of 3 pixels (touching by corners) beats a horizontal pair; with
    # 4-connectivity the diagonal would be 3 separate pixels and the pair would win.
    heatmap = np.zeros((6, 6))
    heatmap[0, 0] = heatmap[1, 1] = heatmap[2, 2] = 1.0
    heatmap[5, 3] = heatmap[5, 4] = 1.0
    assert heatmap_to_box(heatmap).tolist() == [0, 0, 3, 3]


def test_threshold_is_a_fraction_of_the_maximum_and_inclusive():
    heatmap = np.zeros((1, 6))
    heatmap[0] = [0.0, 0.1, 0.25, 1.0, 0.5, 0.19]
    assert heatmap_to_box(heatmap, threshold=0.2).tolist() == [2, 0, 5, 1]   # values >= 0.2
    assert heatmap_to_box(heatmap, threshold=0.25).tolist() == [2, 0, 5, 1]  # 0.25 itself is in
    assert heatmap_to_box(heatmap, threshold=0.6).tolist() == [3, 0, 4, 1]
    assert heatmap_to_box(heatmap, threshold=0.0).tolist() == [0, 0, 6, 1]


def test_equal_sized_regions_first_in_row_major_order_wins():
    heatmap = np.zeros((5, 5))
    heatmap[3, 0] = 1.0
    heatmap[0, 4] = 1.0  # first in row-major order
    assert heatmap_to_box(heatmap).tolist() == [4, 0, 5, 1]


@pytest.mark.parametrize("value", [0.0, 2.5, -1.0])
def test_constant_maps_give_the_whole_image(value):
    assert heatmap_to_box(np.full((4, 7), value)).tolist() == [0, 0, 7, 4]


def test_all_negative_map_gives_the_whole_image():
    assert heatmap_to_box(-np.arange(12.0).reshape(3, 4) - 1).tolist() == [0, 0, 4, 3]


def test_negative_values_are_below_any_threshold():
    heatmap = np.full((3, 5), -1.0)
    heatmap[1, 1:3] = 0.4
    assert heatmap_to_box(heatmap, threshold=0.0).tolist() == [1, 1, 3, 2]


def test_batch_equals_one_by_one():
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:32, 0:40]
    maps = []
    for _ in range(5):
        cy, cx, s = rng.uniform(5, 27), rng.uniform(5, 35), rng.uniform(2, 8)
        maps.append(np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s**2)) + 0.05 * rng.random((32, 40)))
    maps = np.stack(maps)
    boxes = heatmap_to_box(maps)
    assert boxes.shape == (5, 4) and boxes.dtype == np.float32
    assert np.array_equal(boxes, np.stack([heatmap_to_box(m) for m in maps]))
    assert heatmap_to_box(np.zeros((0, 4, 4))).shape == (0, 4)


def test_gaussian_blob_box_by_hand():
    # A cone of height 10 at (x=10, y=6): value 10 - |dx| - |dy| (clipped at 0). At
    # threshold 0.2 the hot pixels satisfy |dx| + |dy| <= 8: columns 2..18, rows -2..14
    # clipped to the 12-row image, so rows 0..11.
    yy, xx = np.mgrid[0:12, 0:30]
    heatmap = np.clip(10 - np.abs(xx - 10) - np.abs(yy - 6), 0, None).astype(float)
    assert heatmap_to_box(heatmap).tolist() == [2, 0, 19, 12]


@pytest.mark.parametrize(
    "heatmap, threshold, error, message",
    [
        (np.zeros(5), 0.2, ValueError, r"heatmap must be a 2 or 3-D array \(H, W\) or \(N, H, W\), got shape \(5,\)"),
        (np.zeros((1, 1, 2, 2)), 0.2, ValueError, r"got shape \(1, 1, 2, 2\)"),
        (np.zeros((0, 3)), 0.2, ValueError, r"empty image size"),
        (np.array([[0.0, np.nan]]), 0.2, ValueError, r"heatmap\[0, 1\] is nan; expected finite values"),
        (np.zeros((2, 2)), 1.5, ValueError, r"threshold must be a finite real number in \[0, 1\], got 1\.5 \(a fraction"),
        (np.zeros((2, 2)), "0.2", TypeError, r"threshold must be a real number in \[0, 1\], got str '0\.2'"),
        (np.array([["a", "b"]]), 0.2, TypeError, r"heatmap must hold numbers"),
    ],
)
def test_bad_input(heatmap, threshold, error, message):
    with pytest.raises(error, match=message):
        heatmap_to_box(heatmap, threshold)
