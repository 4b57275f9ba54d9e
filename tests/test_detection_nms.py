"""Hard and soft NMS against plain Python loops written from the definitions."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.detection import nms, soft_nms

from detection_reference import iou_loop


def nms_loop(boxes, scores, threshold):
    """torchvision's rule: by score (ties: lower index first), drop IoU > threshold."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    keep = []
    for i in order:
        if all(iou_loop(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def soft_nms_loop(boxes, scores, method, sigma, threshold, score_threshold):
    """Bodla et al. 2017, Algorithm 1, one box at a time."""
    scores = [float(s) for s in scores]
    remaining = [i for i in range(len(scores)) if scores[i] >= score_threshold]
    keep, kept = [], []
    while remaining:
        best = max(remaining, key=lambda i: (scores[i], -i))  # lower index wins a tie
        keep.append(best)
        kept.append(scores[best])
        remaining.remove(best)
        for i in remaining:
            o = iou_loop(boxes[best], boxes[i])
            if method == "linear":
                scores[i] *= (1 - o) if o >= threshold else 1.0
            else:
                scores[i] *= math.exp(-(o * o) / sigma)
        remaining = [i for i in remaining if scores[i] >= score_threshold]
    return keep, kept


def random_case(seed, n=60):
    rng = np.random.default_rng(seed)
    x1, y1 = rng.integers(0, 20, (2, n))
    w, h = rng.integers(0, 8, (2, n))
    boxes = np.stack([x1, y1, x1 + w, y1 + h], axis=1).astype(float)
    scores = rng.choice(np.round(rng.random(8), 2), n)  # many ties
    return boxes, scores


# --------------------------------------------------------------------------- nms
@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("threshold", [0.0, 0.25, 0.5, 0.7, 1.0])
def test_nms_matches_reference_loop(seed, threshold):
    boxes, scores = random_case(seed)
    keep = nms(boxes, scores, threshold)
    assert keep.dtype == np.int64
    assert keep.tolist() == nms_loop(boxes.tolist(), scores.tolist(), threshold)


def test_nms_iou_exactly_at_threshold_is_kept():
    # IoU of these two boxes is exactly 1/2.
    boxes = [[0, 0, 2, 1], [0, 0, 1, 1]]
    assert nms(boxes, [0.9, 0.8], 0.5).tolist() == [0, 1]  # not > 0.5: kept
    assert nms(boxes, [0.9, 0.8], 0.49).tolist() == [0]


def test_nms_equal_scores_keep_lower_index_and_order_is_by_score():
    boxes = [[50, 50, 60, 60], [0, 0, 10, 10], [0, 0, 10, 10], [20, 0, 30, 10]]
    assert nms(boxes, [0.1, 0.5, 0.5, 0.7], 0.5).tolist() == [3, 1, 0]


def test_nms_empty_and_zero_area():
    assert nms(np.zeros((0, 4)), [], 0.5).tolist() == []
    assert nms(np.zeros((0, 4)), [], 0.5).dtype == np.int64
    # Zero-area boxes overlap nothing, not even each other.
    assert nms([[1, 1, 1, 1], [1, 1, 1, 1]], [0.5, 0.4], 0.0).tolist() == [0, 1]


@pytest.mark.parametrize(
    "args, error, message",
    [
        (([[0, 0, 1, 1]], [0.5], 1.5), ValueError, r"iou_threshold must be a finite real number in \[0, 1\], got 1\.5"),
        (([[0, 0, 1, 1]], [0.5], -0.1), ValueError, r"iou_threshold must be a finite real number in \[0, 1\]"),
        (([[0, 0, 1, 1]], [0.5], float("nan")), ValueError, r"iou_threshold must be a finite real number in \[0, 1\]"),
        (([[0, 0, 1, 1]], [0.5], "0.5"), TypeError, r"iou_threshold must be a real number in \[0, 1\], got str"),
        (([[0, 0, 1, 1]], [np.nan], 0.5), ValueError, r"scores\[0\] is nan; expected a finite number"),
        (([[0, 0, 1, 1]], [0.5, 0.4], 0.5), ValueError, r"scores must have shape \(1,\)"),
        (([[0, 0, -1, 1]], [0.5], 0.5), ValueError, r"boxes\[0\] .* negative width"),
        (([[0, 0, 1, 1, 0]], [0.5], 0.5), ValueError, r"boxes must have shape"),
    ],
)
def test_nms_bad_input(args, error, message):
    with pytest.raises(error, match=message):
        nms(*args)


# --------------------------------------------------------------------------- soft nms
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    "method, sigma, threshold, score_threshold",
    [("linear", 0.5, 0.3, 0.001), ("linear", 0.5, 0.0, 0.2), ("gaussian", 0.5, 0.3, 0.001), ("gaussian", 0.1, 0.3, 0.05)],
)
def test_soft_nms_matches_reference_loop(seed, method, sigma, threshold, score_threshold):
    boxes, scores = random_case(seed, n=40)
    keep, kept = soft_nms(boxes, scores, method=method, sigma=sigma, iou_threshold=threshold, score_threshold=score_threshold)
    ref_keep, ref_kept = soft_nms_loop(boxes.tolist(), scores.tolist(), method, sigma, threshold, score_threshold)
    assert keep.dtype == np.int64 and kept.dtype == np.float64
    assert keep.tolist() == ref_keep
    np.testing.assert_allclose(kept, ref_kept, rtol=1e-12)


def test_soft_nms_by_hand():
    boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [20, 20, 30, 30]]
    # Boxes 0 and 1 overlap by 90/110 = 9/11.
    keep, kept = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear", iou_threshold=0.3)
    assert keep.tolist() == [0, 2, 1]
    assert kept == pytest.approx([0.9, 0.7, 0.8 * (1 - 9 / 11)])
    keep, kept = soft_nms(boxes, [0.9, 0.8, 0.7], method="gaussian", sigma=0.5)
    assert keep.tolist() == [0, 2, 1]
    assert kept == pytest.approx([0.9, 0.7, 0.8 * math.exp(-((9 / 11) ** 2) / 0.5)])
    # Below the linear threshold nothing changes.
    keep, kept = soft_nms(boxes, [0.9, 0.8, 0.7], method="linear", iou_threshold=0.9)
    assert keep.tolist() == [0, 1, 2] and kept.tolist() == [0.9, 0.8, 0.7]


def test_soft_nms_drops_boxes_below_score_threshold():
    # An exact duplicate decays to 0 under the linear rule and is dropped.
    keep, kept = soft_nms([[0, 0, 4, 4], [0, 0, 4, 4], [9, 9, 10, 10]], [0.9, 0.8, 0.0005], method="linear")
    assert keep.tolist() == [0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "hard"}, r"method must be one of 'linear', 'gaussian', got str 'hard'"),
        ({"sigma": 0.0}, r"sigma must be a finite real number > 0, got 0\.0"),
        ({"iou_threshold": 2.0}, r"iou_threshold must be a finite real number in \[0, 1\]"),
        ({"score_threshold": -1.0}, r"score_threshold must be a finite real number >= 0, got -1\.0"),
    ],
)
def test_soft_nms_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        soft_nms([[0, 0, 1, 1]], [0.5], **kwargs)


def test_soft_nms_rejects_negative_scores():
    with pytest.raises(ValueError, match=r"scores\[1\] is -0\.2; soft_nms needs non-negative scores"):
        soft_nms([[0, 0, 1, 1], [0, 0, 1, 1]], [0.5, -0.2])
