"""The one-stage detector (CenterNet-style) and the R-CNN-style two-stage pipeline.

Decoding is checked on hand-made maps (a known peak must decode to the known box),
targets are round-tripped through the decoder, R-CNN's box regression is round-tripped,
and each detector is trained for real, briefly, and scored on held-out scenes with
helpers.detection.coco_evaluate.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.data import detection_scenes
from helpers.detection import coco_evaluate, detections_to_coco, iou, to_coco
from helpers.models.centernet import (
    CENTERNET_STRIDE,
    CenterNet,
    build_centernet,
    centernet_loss,
    centernet_targets,
    decode_centernet,
)
from helpers.models.sliding_window import SlidingWindowDetector, decode_boxes, encode_boxes, sliding_windows

N_CLASSES = 3


# --------------------------------------------------------------------------- decoding
def _maps_with_peak(row, col, cls, log_w, log_h, off_x, off_y, grid=16):
    maps = np.full((1, grid, grid, N_CLASSES + 4), -8.0, np.float32)  # sigmoid ~ 0.0003
    maps[0, row, col, cls] = 3.0  # sigmoid(3) = 0.9526
    maps[0, row, col, N_CLASSES:] = (log_w, log_h, off_x, off_y)
    return maps


def test_known_peak_decodes_to_known_box():
    maps = _maps_with_peak(5, 9, 2, np.log(3.0), np.log(2.0), 0.25, 0.5)
    found = decode_centernet(maps, N_CLASSES, (64, 64))
    assert found.counts.tolist() == [1]
    boxes, classes, scores = found.objects(0)
    # centre (9.25, 5.5) cells = (37, 22) px; size 3 x 2 cells = 12 x 8 px
    np.testing.assert_allclose(boxes[0], [31, 18, 43, 26], atol=1e-4)
    assert scores[0] == pytest.approx(1 / (1 + np.exp(-3.0)), rel=1e-6)
    assert classes[0] == 2


def test_peaks_suppress_neighbours_and_raw_keeps_them():
    maps = _maps_with_peak(5, 9, 0, 1.0, 1.0, 0.5, 0.5)
    maps[0, 5, 10, 0] = 2.0  # a weaker neighbour of the peak, same class
    maps[0, 5, 10, 1] = 2.0  # same cell, another class: a separate peak
    peaks = decode_centernet(maps, N_CLASSES, (64, 64), score_threshold=0.5)
    raw = decode_centernet(maps, N_CLASSES, (64, 64), score_threshold=0.5, peaks=False)
    assert sorted(peaks.objects(0)[1].tolist()) == [0, 1]
    assert raw.counts[0] == 3
    assert np.all(np.diff(raw.objects(0)[2]) <= 0)  # sorted by score


def test_boxes_clipped_and_batch_independent():
    a = _maps_with_peak(0, 0, 1, np.log(4.0), np.log(4.0), 0.5, 0.5)
    b = _maps_with_peak(8, 8, 0, 0.0, 0.0, 0.5, 0.5)
    together = decode_centernet(np.concatenate([a, b]), N_CLASSES, (64, 64), score_threshold=0.5)
    box = together.objects(0)[0][0]
    np.testing.assert_allclose(box, [0, 0, 10, 10], atol=1e-4)  # centre 2 px, half size 8 px
    alone = decode_centernet(b, N_CLASSES, (64, 64), score_threshold=0.5)
    np.testing.assert_array_equal(together.objects(1)[0], alone.objects(0)[0])


def test_max_detections_and_threshold():
    rng = np.random.default_rng(0)
    maps = rng.normal(0, 2, (2, 16, 16, N_CLASSES + 4)).astype(np.float32)
    found = decode_centernet(maps, N_CLASSES, (64, 64), max_detections=7, score_threshold=0.0)
    assert found.counts.tolist() == [7, 7]
    none = decode_centernet(np.full_like(maps, -9.0), N_CLASSES, (64, 64))
    assert none.counts.tolist() == [0, 0]
    assert detections_to_coco(none) == []


def test_targets_round_trip_through_decoder():
    scenes = detection_scenes(30, seed=21)
    targets = centernet_targets(scenes.boxes, scenes.labels, scenes.counts, (64, 64), N_CLASSES)
    assert targets.shape == (30, 16, 16, N_CLASSES + 5)
    heat = targets[..., :N_CLASSES]
    assert heat.max() == 1.0 and heat.min() >= 0.0
    assert targets[..., -1].sum() <= scenes.n_objects  # one centre cell per object (or shared)
    # turn the targets into "network outputs" (peaks -> large logits) and decode them
    logits = np.where(heat >= 1.0, 6.0, np.log(np.clip(heat, 1e-6, 0.5) / 0.5) - 4)
    outputs = np.concatenate([logits, targets[..., N_CLASSES:N_CLASSES + 4]], axis=-1)
    found = decode_centernet(outputs, N_CLASSES, (64, 64), score_threshold=0.9)
    matched, total = 0, 0
    for i in range(len(scenes)):
        truth, labels, _ = scenes.objects(i)
        boxes, classes, _ = found.objects(i)
        overlap = iou(truth, boxes)
        same_class = labels[:, None] == classes[None, :]
        matched += int(((overlap > 0.999) & same_class).any(axis=1).sum())
        total += len(truth)
    assert matched >= total - 2  # only objects sharing a centre cell may be lost


def test_targets_bad_input():
    with pytest.raises(ValueError, match="must agree"):
        centernet_targets(np.zeros((2, 1, 4)), np.zeros((2, 2)), np.ones(2), (64, 64), 3)
    with pytest.raises(ValueError, match="labels must lie"):
        centernet_targets(np.array([[[1, 1, 9, 9.0]]]), np.array([[5]]), np.array([1]),
                          (64, 64), 3)
    with pytest.raises(TypeError, match="n_classes"):
        centernet_targets(np.zeros((1, 0, 4)), np.zeros((1, 0)), np.zeros(1, int), (64, 64), 3.0)


def test_loss_is_small_for_matching_outputs_and_large_otherwise():
    import tensorflow as tf

    scenes = detection_scenes(8, seed=4)
    targets = centernet_targets(scenes.boxes, scenes.labels, scenes.counts, (64, 64), N_CLASSES)
    heat = targets[..., :N_CLASSES]
    good_logits = np.where(heat >= 1.0, 8.0, -8.0)
    good = np.concatenate([good_logits, targets[..., N_CLASSES:N_CLASSES + 4]], -1)
    bad = np.concatenate([-good_logits, targets[..., N_CLASSES:N_CLASSES + 4] + 1.0], -1)
    loss = centernet_loss(N_CLASSES)
    good_value = float(loss(tf.constant(targets), tf.constant(good, tf.float32)))
    bad_value = float(loss(tf.constant(targets), tf.constant(bad, tf.float32)))
    assert np.isfinite(good_value) and good_value < 0.1 < 10 < bad_value
    empty = np.zeros_like(targets)
    assert np.isfinite(float(loss(tf.constant(empty), tf.constant(good, tf.float32))))


def test_decode_bad_input():
    maps = np.zeros((1, 16, 16, N_CLASSES + 4), np.float32)
    with pytest.raises(ValueError, match="outputs must have shape"):
        decode_centernet(maps[..., :-1], N_CLASSES, (64, 64))
    with pytest.raises(ValueError, match="score_threshold"):
        decode_centernet(maps, N_CLASSES, (64, 64), score_threshold=1.5)
    with pytest.raises(ValueError, match="max_detections"):
        decode_centernet(maps, N_CLASSES, (64, 64), max_detections=0)
    with pytest.raises(TypeError, match="peaks"):
        decode_centernet(maps, N_CLASSES, (64, 64), peaks="yes")


def test_build_centernet_shapes_and_bad_input():
    model = build_centernet((64, 64, 3), 4, width=8)
    assert model.output_shape == (None, 64 // CENTERNET_STRIDE, 64 // CENTERNET_STRIDE, 8)
    with pytest.raises(ValueError, match="multiples of 8"):
        build_centernet((60, 64, 3), 3)
    with pytest.raises(TypeError, match="input_shape"):
        build_centernet(64, 3)
    with pytest.raises(ValueError, match="n_classes"):
        build_centernet((64, 64, 3), 0)


# --------------------------------------------------------------------------- R-CNN pieces
def test_box_regression_round_trip_and_known_values():
    rng = np.random.default_rng(1)
    proposals = np.concatenate([rng.uniform(0, 40, (50, 2)), rng.uniform(0, 40, (50, 2))], 1)
    proposals[:, 2:] = proposals[:, :2] + rng.uniform(2, 30, (50, 2))
    targets = proposals + rng.normal(0, 3, (50, 4))
    targets[:, 2:] = np.maximum(targets[:, 2:], targets[:, :2] + 1)
    deltas = encode_boxes(proposals, targets)
    np.testing.assert_allclose(decode_boxes(proposals, deltas), targets, atol=1e-3)
    # a window [0, 0, 10, 10] to a box [2, 0, 12, 20]: centre moves 2 px = 0.2 widths,
    # height doubles: t = (0.2, 0.5, 0, log 2) / (0.1, 0.1, 0.2, 0.2)
    known = encode_boxes([[0, 0, 10, 10]], [[2, 0, 12, 20]])
    np.testing.assert_allclose(known[0], [2.0, 5.0, 0.0, np.log(2) / 0.2], rtol=1e-6)
    np.testing.assert_allclose(decode_boxes([[0, 0, 10, 10]], np.zeros((1, 4))), [[0, 0, 10, 10]])
    huge = decode_boxes([[0, 0, 10, 10]], [[0, 0, 1e4, 1e4]])
    assert np.isfinite(huge).all()


def test_box_regression_bad_input():
    with pytest.raises(ValueError, match="positive widths"):
        encode_boxes([[0, 0, 0, 10]], [[0, 0, 5, 5]])
    with pytest.raises(ValueError, match="same shape"):
        encode_boxes([[0, 0, 5, 5]], [[0, 0, 5, 5], [1, 1, 4, 4]])
    with pytest.raises(ValueError, match="deltas must have the shape"):
        decode_boxes([[0, 0, 5, 5]], np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        decode_boxes([[0, 0, 5, 5]], [[np.nan, 0, 0, 0]])


def test_sliding_windows_cover_every_object():
    windows = sliding_windows((64, 64))
    assert (windows[:, :2] >= 0).all() and (windows[:, 2:] <= 64).all()
    sides = np.unique(windows[:, 2] - windows[:, 0])
    np.testing.assert_allclose(sides, [8, 12, 18, 27, 40])
    scenes = detection_scenes(100, seed=31)
    truth = scenes.object_table()["box"]
    best = iou(truth, windows).max(axis=1)
    # every object has a window R-CNN's training would call positive (IoU >= 0.5)
    assert best.min() >= 0.5 and np.median(best) > 0.6
    with pytest.raises(ValueError, match="sizes"):
        sliding_windows((64, 64), sizes=[80])
    with pytest.raises(ValueError, match="step"):
        sliding_windows((64, 64), step=0.0)


# --------------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def held_out():
    return detection_scenes(120, seed=901)


def test_centernet_trains_to_a_useful_ap(held_out):
    # half-width network, 800 scenes x 8 epochs: 400 steps, ~45 s on the loaded 2-core
    # machine, where it reached AP50 0.45 (an untrained network scores ~0.0)
    train = detection_scenes(800, seed=900)
    detector = CenterNet(train.class_names, width=16, seed=0).fit(train, epochs=8, batch_size=16)
    found = detector.detect(held_out.images)
    result = coco_evaluate(to_coco(held_out), detections_to_coco(found))
    assert result.stats[1] >= 0.3, result.summary()
    assert detector.train_seconds > 0
    single = detector.detect(held_out.images[:1])
    np.testing.assert_allclose(single.objects(0)[0], found.objects(0)[0], atol=1e-3)


def test_rcnn_trains_to_a_useful_ap(held_out):
    train = detection_scenes(400, seed=900)
    detector = SlidingWindowDetector(train.class_names, seed=0).fit(train, epochs=4)
    found = detector.detect(held_out.images[:40])
    result = coco_evaluate(to_coco(held_out.take(np.arange(40))), detections_to_coco(found))
    assert result.stats[1] >= 0.25, result.summary()
    raw = detector.detect(held_out.images[:5], suppress=False)
    assert (raw.counts >= found.counts[:5]).all() and raw.counts.sum() > found.counts[:5].sum()


def test_detector_bad_input(held_out):
    detector = CenterNet(held_out.class_names, width=4)
    with pytest.raises(TypeError, match="scenes must be a DetectionSet"):
        detector.fit(held_out.images, epochs=1)
    with pytest.raises(ValueError, match="class_names"):
        other = detection_scenes(4, classes=("star", "cross"), seed=0)
        detector.fit(other, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        detector.fit(held_out, epochs=0)
    with pytest.raises(ValueError, match="batch"):
        detector.detect(held_out.images[0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        detector.detect(held_out.images[:2] * 255)
    with pytest.raises(TypeError, match="class_names"):
        CenterNet("circle")
    rcnn = SlidingWindowDetector(held_out.class_names, width=4)
    with pytest.raises(ValueError, match="nms_threshold"):
        rcnn.detect(held_out.images[:1], nms_threshold=2.0)
    with pytest.raises(TypeError, match="suppress"):
        rcnn.detect(held_out.images[:1], suppress=1)
    with pytest.raises(ValueError, match="per_image"):
        rcnn.fit(held_out, epochs=1, per_image=1)
    empty = rcnn.detect(held_out.images[:0])
    assert len(empty) == 0 and detections_to_coco(empty) == []
    assert len(detector.detect(held_out.images[:0])) == 0


def test_repr_counts_epochs_in_words():
    detector = CenterNet(("circle", "square"), width=4)
    assert "trained 0 epochs, 0 s" in repr(detector)
    detector.history["loss"] = [0.5]           # as after one epoch of fit
    assert "trained 1 epoch, 0 s" in repr(detector)
    detector.history["loss"] = [0.5, 0.4]
    assert "trained 2 epochs, 0 s" in repr(detector)
