"""helpers.detection.corloc and best_iou: one box per image against its ground truth."""
from __future__ import annotations

import numpy as np
import pytest

from helpers.detection import best_iou, corloc, iou


def _iou_by_hand(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_one_box_per_image():
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [5, 5, 15, 15]]
    gt = [[0, 0, 10, 12], [20, 20, 30, 30], [0, 0, 10, 10]]
    expected = [_iou_by_hand(b, g) for b, g in zip(boxes, gt)]
    np.testing.assert_allclose(best_iou(boxes, gt), expected)
    assert expected[0] > 0.5 and expected[1] == 0 and expected[2] < 0.5
    assert corloc(boxes, gt) == pytest.approx(1 / 3)
    assert corloc(boxes, gt, iou_threshold=0.1) == pytest.approx(2 / 3)


def test_padded_ground_truth_takes_the_best_real_box():
    rng = np.random.default_rng(0)
    corner = rng.uniform(0, 40, (30, 3, 2))
    gt = np.concatenate([corner, corner + rng.uniform(3, 20, (30, 3, 2))], axis=2)
    counts = rng.integers(1, 4, 30)
    for n, c in enumerate(counts):
        gt[n, c:] = np.nan
    corner = rng.uniform(0, 40, (30, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(3, 20, (30, 2))], axis=1)
    expected = [max(_iou_by_hand(boxes[n], g) for g in gt[n, :counts[n]]) for n in range(30)]
    np.testing.assert_allclose(best_iou(boxes, gt), expected, rtol=1e-12)
    # the library's iou agrees on the first image
    assert best_iou(boxes[:1], gt[:1])[0] == pytest.approx(iou(boxes[:1], gt[0, :counts[0]]).max())
    assert corloc(boxes, gt, 0.3) == pytest.approx(np.mean(np.array(expected) >= 0.3))


def test_threshold_is_inclusive_and_exact_boxes_score_one():
    box = [[2, 2, 6, 6]]
    assert corloc(box, box) == 1.0 and corloc(box, box, iou_threshold=1.0) == 1.0
    half = [[2, 2, 6, 4]]                       # IoU exactly 0.5
    assert corloc(half, box, iou_threshold=0.5) == 1.0


@pytest.mark.parametrize("boxes, gt, kwargs, error, message", [
    ([[0, 0, 1, 1]], [[np.nan] * 4], {}, ValueError, "ground_truth[0] has no box"),
    ([[0, 0, 1, 1]], [[0, 0, 1, 1], [0, 0, 2, 2]], {}, ValueError, "same number of images"),
    ([0, 0, 1, 1], [[0, 0, 1, 1]], {}, ValueError, "(N, 4)"),
    ([[0, 0, 1, 1]], [0, 0, 1, 1], {}, ValueError, "ground_truth must have shape"),
    ([[0, 0, 1, 1]], [["a", "b", "c", "d"]], {}, TypeError, "ground_truth must hold numbers"),
    ([[0, 0, 1, 1]], [[0, 0, 1, 1]], {"iou_threshold": 1.5}, ValueError, "iou_threshold"),
    ([[0, 0, 1, 1]], [[0, 0, 1, 1]], {"iou_threshold": "0.5"}, TypeError, "iou_threshold"),
    (np.zeros((0, 4)), np.zeros((0, 4)), {}, ValueError, "at least one image"),
    ([[1, 0, 0, 1]], [[0, 0, 1, 1]], {}, ValueError, "boxes"),
])
def test_bad_input(boxes, gt, kwargs, error, message):
    with pytest.raises(error) as info:
        corloc(boxes, gt, **kwargs)
    assert message in str(info.value)
