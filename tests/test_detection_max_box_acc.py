"""MaxBoxAcc and MaxBoxAccV2 against a reference written from Choe et al.'s definition
with OpenCV's connected components (independent of the SciPy labelling used inside)."""
import cv2
import numpy as np
import pytest

from helpers.detection.max_box_acc import (DEFAULT_THRESHOLDS, box_accuracy, max_box_acc,
                                           max_box_acc_v2)


def _iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _reference(maps, gts, deltas, taus, multi):
    """Straight from the definition: normalise, threshold, boxes of 8-connected regions."""
    acc = np.zeros((len(deltas), len(taus)))
    for heatmap, truth in zip(maps, gts):
        span = heatmap.max() - heatmap.min()
        s = (heatmap - heatmap.min()) / span if span > 0 else np.zeros_like(heatmap)
        for t, tau in enumerate(taus):
            hot = (s >= tau).astype(np.uint8)
            count, _, stats, _ = cv2.connectedComponentsWithStats(hot, connectivity=8)
            regions = [stats[k] for k in range(1, count)]
            if not regions:
                continue
            if not multi:
                # largest by area; ties: first label (raster order)
                regions = [max(regions, key=lambda r: r[cv2.CC_STAT_AREA])]
            boxes = [(r[0], r[1], r[0] + r[2], r[1] + r[3]) for r in regions]
            best = max(_iou(b, g) for b in boxes for g in truth)
            for d, delta in enumerate(deltas):
                acc[d, t] += best >= delta
    return acc / len(maps)


def _blob_maps(n, size=40, rng=None):
    rng = np.random.default_rng(0) if rng is None else rng
    yy, xx = np.mgrid[:size, :size]
    maps, gts = [], []
    for _ in range(n):
        heatmap = 0.05 * rng.random((size, size))
        truth = []
        for _ in range(rng.integers(1, 3)):
            cx, cy = rng.uniform(8, size - 8, 2)
            sx, sy = rng.uniform(2, 6, 2)
            heatmap += rng.uniform(0.5, 1) * np.exp(
                -((xx - cx) ** 2 / (2 * sx**2) + (yy - cy) ** 2 / (2 * sy**2)))
            shift = rng.normal(0, 1.5, 4)
            truth.append([cx - 2 * sx + shift[0], cy - 2 * sy + shift[1],
                          cx + 2 * sx + shift[2], cy + 2 * sy + shift[3]])
        maps.append(heatmap)
        gts.append(np.clip(np.array(truth), 0, size))
    return np.array(maps), gts


def _padded(gts):
    m = max(len(g) for g in gts)
    out = np.full((len(gts), m, 4), np.nan)
    for i, g in enumerate(gts):
        out[i, :len(g)] = g
    return out


@pytest.mark.parametrize("multi", [False, True])
def test_box_accuracy_equals_the_definition(multi):
    maps, gts = _blob_maps(25)
    deltas = (0.3, 0.5, 0.7)
    ours = box_accuracy(maps, _padded(gts), iou_thresholds=deltas, multi_contour=multi)
    ref = _reference(maps, gts, deltas, DEFAULT_THRESHOLDS, multi)
    np.testing.assert_allclose(ours.accuracy, ref, atol=1e-12)
    assert ours.value == pytest.approx(ref.max(axis=1).mean())


def test_the_named_scores_are_the_papers_settings():
    maps, gts = _blob_maps(20, rng=np.random.default_rng(5))
    ref_v1 = _reference(maps, gts, (0.5,), DEFAULT_THRESHOLDS, False).max()
    ref_v2 = _reference(maps, gts, (0.3, 0.5, 0.7), DEFAULT_THRESHOLDS, True).max(axis=1)
    assert max_box_acc(maps, _padded(gts)) == pytest.approx(ref_v1)
    assert max_box_acc_v2(maps, _padded(gts)) == pytest.approx(ref_v2.mean())


def test_threshold_choice_is_taken_out():
    """A map that needs a high threshold and one that needs a low one both score 1."""
    sharp = np.zeros((1, 20, 20)); sharp[0, 5:10, 5:10] = 1.0
    sharp[0, 2:13, 2:13] += 0.6     # a halo: only tau > 0.6 isolates the object
    wide = np.zeros((1, 20, 20)); wide[0, 5:10, 5:10] = 0.3
    wide[0, 7, 7] = 1.0             # a spike: only tau <= 0.3 covers the object
    truth = [[5, 5, 10, 10]]
    assert max_box_acc(sharp, truth) == 1.0 and max_box_acc(wide, truth) == 1.0
    result = box_accuracy(np.concatenate([sharp, wide]), [truth[0], truth[0]])
    # no single tau localises both: a fixed threshold would call one method worse
    assert result.value == 0.5
    assert result.correct[0, :, 0].any() and result.correct[0, :, 1].any()


def test_best_threshold_and_scale_invariance():
    maps, gts = _blob_maps(10, rng=np.random.default_rng(2))
    a = box_accuracy(maps, _padded(gts))
    b = box_accuracy(3 * maps - 7, _padded(gts))   # min-max normalised first
    np.testing.assert_array_equal(a.accuracy, b.accuracy)
    assert a.best_thresholds.shape == (1,)
    assert a.accuracy[0, np.searchsorted(a.thresholds, a.best_thresholds[0])] == a.value


def test_constant_map_is_defined():
    result = box_accuracy(np.ones((1, 8, 8)), [[0, 0, 8, 8]])
    assert result.accuracy[0, 0] == 1.0          # tau = 0: the whole image
    assert result.accuracy[0, 1:].sum() == 0.0   # nothing stands out above 0
    assert np.isfinite(result.value)


@pytest.mark.parametrize("call, error, match", [
    (lambda: max_box_acc(np.zeros((2, 8, 8)), [[0, 0, 4, 4]]), ValueError, "same images"),
    (lambda: max_box_acc(np.zeros((8, 8)), [[0, 0, 4, 4]]), ValueError, "one map per image"),
    (lambda: max_box_acc(np.full((1, 8, 8), np.nan), [[0, 0, 4, 4]]), ValueError, "maps"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[[np.nan] * 4]]), ValueError, "no box"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[0, 0, 4]]), ValueError, "shape"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[4, 4, 0, 0]]), ValueError, "ground_truth"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[0, 0, 4, 4]], iou_threshold=0),
     ValueError, "iou_threshold"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[0, 0, 4, 4]], thresholds=[0.5, 1.5]),
     ValueError, "thresholds"),
    (lambda: max_box_acc(np.zeros((1, 8, 8)), [[0, 0, 4, 4]], thresholds=[]),
     ValueError, "thresholds"),
    (lambda: box_accuracy(np.zeros((1, 8, 8)), [[0, 0, 4, 4]], multi_contour="yes"),
     TypeError, "multi_contour"),
    (lambda: max_box_acc(np.zeros((0, 8, 8)), np.zeros((0, 4))), ValueError, "empty"),
])
def test_bad_input_is_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()
