"""anchor_grid / anchor_coverage and reliability (with plot_reliability): hand-computed
cases and bad input."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.data import detection_scenes  # noqa: E402
from helpers.detection import (  # noqa: E402
    Detections, anchor_coverage, anchor_grid, iou, reliability)
from helpers.viz import plot_reliability  # noqa: E402


# --------------------------------------------------------------------------- anchors
def test_anchor_grid_by_hand():
    grid = anchor_grid((4, 8), 4, sizes=[2, 4], ratios=[1.0, 4.0])
    # 1 x 2 cells, centres (2, 2) and (6, 2); per cell: size 2 (ratio 1, 4), size 4 (1, 4)
    assert grid.shape == (8, 4)
    assert grid[:4].tolist() == [[1, 1, 3, 3], [1.5, 0, 2.5, 4], [0, 0, 4, 4], [1, -2, 3, 6]]
    assert grid[4:].tolist() == (grid[:4] + [4, 0, 4, 0]).tolist()
    widths, heights = grid[:, 2] - grid[:, 0], grid[:, 3] - grid[:, 1]
    assert np.allclose(widths * heights, np.tile([4, 4, 16, 16], 2))  # area = size ** 2


def test_anchor_grid_covers_a_side_that_the_stride_does_not_divide():
    grid = anchor_grid(10, 4, sizes=[1])
    centres = np.unique((grid[:, 0] + grid[:, 2]) / 2)
    assert centres.tolist() == [2, 6, 10]  # ceil(10 / 4) = 3 columns, last centre 10 >= 10?
    assert len(grid) == 9


def test_anchor_coverage_by_hand():
    anchors = anchor_grid(8, 4, sizes=[4])
    boxes = [[0, 0, 4, 4],      # an anchor exactly: IoU 1
             [2, 0, 6, 4],      # half of two anchors: IoU 8 / 24 = 1/3
             [0, 0, 4, 3]]      # 12 / 16 = 0.75
    assert anchor_coverage(anchors, boxes, 0.5) == pytest.approx(2 / 3)
    assert anchor_coverage(anchors, boxes, 0.75) == pytest.approx(2 / 3)
    assert anchor_coverage(anchors, boxes, 0.76) == pytest.approx(1 / 3)
    assert anchor_coverage(anchors, boxes, 1 / 3) == 1.0
    padded = np.full((2, 3, 4), np.nan)  # a DetectionSet's (N, M, 4) with NaN padding
    padded[0, :2], padded[1, :1] = boxes[:2], boxes[2:]
    assert anchor_coverage(anchors, padded, 0.5) == pytest.approx(2 / 3)


def test_anchor_coverage_equals_a_loop_on_scenes():
    scenes = detection_scenes(20, seed=3)
    anchors = anchor_grid(64, 8, sizes=[8, 16, 32], ratios=[0.5, 1, 2])
    real = scenes.boxes[~np.isnan(scenes.boxes[..., 0])]
    best = [max(iou(box[None], anchors)[0]) for box in real]
    for t in (0.5, 0.7):
        assert anchor_coverage(anchors, scenes.boxes, t) == np.mean(np.array(best) >= t)


@pytest.mark.parametrize("call, error, message", [
    (lambda: anchor_grid(0, 4, [4]), ValueError, "image_size"),
    (lambda: anchor_grid((8, 8, 3), 4, [4]), ValueError, r"\(height, width\)"),
    (lambda: anchor_grid(8.0, 4, [4]), TypeError, "image_size"),
    (lambda: anchor_grid(8, 0, [4]), ValueError, "stride"),
    (lambda: anchor_grid(8, 4, []), ValueError, "sizes is empty"),
    (lambda: anchor_grid(8, 4, [4, -1]), ValueError, "sizes must be positive"),
    (lambda: anchor_grid(8, 4, 4), TypeError, "sizes must be a list"),
    (lambda: anchor_grid(8, 4, [4], ratios=[0]), ValueError, "ratios must be positive"),
    (lambda: anchor_grid(8, 4, [np.nan]), ValueError, "sizes"),
    (lambda: anchor_coverage(np.zeros((0, 4)), [[0, 0, 1, 1]]), ValueError, "anchors"),
    (lambda: anchor_coverage([[0, 0, 1, 1]], np.full((2, 4), np.nan)), ValueError,
     "no real box"),
    (lambda: anchor_coverage([[0, 0, 1, 1]], [[0, 0, 1, 1]], 0), ValueError,
     "iou_threshold"),
    (lambda: anchor_coverage([[0, 0, 1, 1]], [[0, 0, 1, 1]], "0.5"), TypeError,
     "iou_threshold"),
    (lambda: anchor_coverage([[1, 0, 0, 1]], [[0, 0, 1, 1]]), ValueError, "anchors"),
    (lambda: anchor_coverage([[0, 0, 1, 1]], [0, 0, 1, 1]), ValueError, r"\(M, 4\)"),
])
def test_anchor_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------- reliability
def _truth_and_guesses():
    scenes = detection_scenes(6, seed=1)
    boxes, labels, scores = [], [], []
    for i in range(len(scenes)):
        b, c, _ = scenes.objects(i)
        wrong = b + np.array([30.0, 30.0, 30.0, 30.0])  # far away: false positives
        boxes.append(np.concatenate([b, b, np.clip(wrong, 0, 64)]))
        labels.append(np.concatenate([c, c, c]))
        scores.append(np.concatenate([np.full(len(b), 0.95), np.full(len(b), 0.55),
                                      np.full(len(b), 0.15)]))
    return scenes, Detections.from_lists(boxes, labels, scores)


def test_reliability_by_hand():
    scenes, detections = _truth_and_guesses()
    n = scenes.n_objects
    r = reliability(detections, scenes, bins=10)
    # 0.95: every object, all true; 0.55: duplicates, all false; 0.15: mostly far away
    # (clipping may leave one on an object, but that object is taken): all false.
    assert r.counts.tolist() == [0, n, 0, 0, 0, n, 0, 0, 0, n]
    assert r.fraction_true[[1, 5, 9]].tolist() == [0.0, 0.0, 1.0]
    assert r.fraction_true[0] == -1 and r.mean_score[0] == -1
    expected = (0.15 + 0.55 + abs(1 - 0.95)) / 3
    assert r.ece == pytest.approx(expected, abs=1e-6)
    assert r.is_true.sum() == n and len(r.scores) == 3 * n
    two = reliability(detections, scenes, bins=2)
    assert two.counts.tolist() == [n, 2 * n] and two.fraction_true.tolist() == [0.0, 0.5]


def test_reliability_threshold_and_the_plot():
    scenes = detection_scenes(3, seed=2)
    loose = Detections.from_lists(
        [scenes.objects(i)[0] * np.array([1, 1, 1.0, 1.3]) for i in range(3)],
        [scenes.objects(i)[1] for i in range(3)],
        [np.full(scenes.counts[i], 0.75) for i in range(3)])
    strict = reliability(loose, scenes, iou_threshold=0.99)
    assert strict.fraction_true[7] < reliability(loose, scenes, iou_threshold=0.1).fraction_true[7]
    ax = plot_reliability(strict)
    assert len(ax.collections) == 1 and len(ax.collections[0].get_offsets()) == 1
    assert "0.99" in ax.get_ylabel()
    plt.close("all")


def test_reliability_bad_input():
    scenes, detections = _truth_and_guesses()
    with pytest.raises(TypeError, match="detections must be a Detections"):
        reliability([], scenes)
    with pytest.raises(TypeError, match="truth must be a DetectionSet"):
        reliability(detections, {})
    with pytest.raises(ValueError, match="same images"):
        reliability(detections, scenes.take(np.arange(3)))
    with pytest.raises(ValueError, match="bins"):
        reliability(detections, scenes, bins=0)
    with pytest.raises(TypeError, match="bins"):
        reliability(detections, scenes, bins=2.5)
    with pytest.raises(ValueError, match="iou_threshold"):
        reliability(detections, scenes, iou_threshold=1.5)
    empty = Detections.from_lists([np.zeros((0, 4))] * 6, [np.zeros(0, int)] * 6,
                                  [np.zeros(0)] * 6)
    with pytest.raises(ValueError, match="no detection"):
        reliability(empty, scenes)
    alien = Detections.from_lists([np.zeros((1, 4))] * 6, [np.array([7])] * 6,
                                  [np.array([0.5])] * 6)
    with pytest.raises(ValueError, match="class 7"):
        reliability(alien, scenes)
    with pytest.raises(TypeError, match="result must be a Reliability"):
        plot_reliability({"counts": []})
    with pytest.raises(TypeError, match="label"):
        plot_reliability(reliability(detections, scenes), label=3)
    plt.close("all")
