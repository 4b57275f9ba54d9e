"""Bad input to the detection side of helpers, tried as a careful user would break it.

The detectors (constructors, ``fit``, ``detect``), the scene generator, COCO json in
and out, :class:`helpers.detection.Detections`, ``error_breakdown`` and
``voc_evaluate``: each bad input gets a ``TypeError`` or ``ValueError`` that names the
argument and says what was expected, or a defined result (never a raw library error,
a ``MemoryError``, a silently changed count, or "no detections" from a broken model).
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

from helpers.data import DetectionSet, detection_scenes
from helpers.detection import (
    Detections,
    detections_to_coco,
    error_breakdown,
    from_coco,
    to_coco,
    voc_evaluate,
)
from helpers.metrics import UndefinedMetricWarning
from helpers.models import SlidingWindowDetector, CenterNet, Detector
from helpers.models.centernet import decode_centernet
from helpers.models.sliding_window import sliding_windows

NAMES = ("circle", "square", "triangle")


@pytest.fixture(scope="module")
def scenes():
    return detection_scenes(6, objects=(4, 4), seed=3)


@pytest.fixture(scope="module")
def centernet():
    return CenterNet(NAMES, width=4, seed=0)


@pytest.fixture(scope="module")
def rcnn():
    return SlidingWindowDetector(NAMES, width=4, seed=0)


def _broken(detector):
    """A copy-free way to break a detector: one weight array set to NaN."""
    weight = detector.model.weights[0]
    kept = np.asarray(weight).copy()
    weight.assign(np.full(weight.shape, np.nan, np.float32))
    return weight, kept


# --------------------------------------------------------------------------- constructors
@pytest.mark.parametrize("make", [CenterNet, SlidingWindowDetector])
@pytest.mark.parametrize("class_names, error, words", [
    (("circle", "circle"), ValueError, "unique"),
    (("circle", 3), TypeError, r"class_names\[1\] must be a str"),
    ((), ValueError, "at least one class"),
    ("circle", TypeError, "sequence of class names"),
    (("circle", " "), ValueError, "non-empty"),
])
def test_constructor_refuses_bad_class_names(make, class_names, error, words):
    with pytest.raises(error, match=words):
        make(class_names, width=4)


@pytest.mark.parametrize("make, kwargs, error, words", [
    (CenterNet, {"image_shape": (60, 64, 3)}, ValueError, "multiples of 8"),
    (CenterNet, {"image_shape": (10**6, 10**6, 3)}, ValueError, r"image_shape\[0\]"),
    (CenterNet, {"image_shape": (64, 64)}, ValueError, "channels"),
    (CenterNet, {"width": 10**6}, ValueError, "width"),
    (CenterNet, {"seed": -1}, ValueError, "seed"),
    (CenterNet, {"seed": 1.5}, TypeError, "seed"),
    (SlidingWindowDetector, {"image_shape": (10**5, 10**5, 3)}, ValueError, r"image_shape\[0\]"),
    (SlidingWindowDetector, {"image_shape": (1024, 1024, 3), "window_step": 1e-9}, ValueError,
     "window_step"),
    (SlidingWindowDetector, {"window_sizes": [100.0]}, ValueError, "window_sizes"),
    (SlidingWindowDetector, {"window_sizes": [8.0, np.nan]}, ValueError, "window_sizes"),
    (SlidingWindowDetector, {"crop": 10**5}, ValueError, "crop"),
    (SlidingWindowDetector, {"context": 2.0}, ValueError, "context"),
])
def test_constructor_refuses_bad_sizes(make, kwargs, error, words):
    kwargs = {"width": 4, **kwargs}
    with pytest.raises(error, match=words):
        make(NAMES, **kwargs)


def test_both_detectors_share_one_base_and_one_history_type(centernet, rcnn):
    for detector in (centernet, rcnn):
        assert isinstance(detector, Detector)
        assert detector.history == {"loss": []} and detector.train_seconds == 0.0


def test_sliding_windows_refuses_millions_of_windows():
    with pytest.raises(ValueError, match="windows per image"):
        sliding_windows((1024, 1024), sizes=[8.0, 16.0], step=0.01)
    with pytest.raises(TypeError, match="image_size"):
        sliding_windows(64)


# --------------------------------------------------------------------------- fit
@pytest.mark.parametrize("kwargs, error, words", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"epochs": 10**9}, ValueError, "epochs"),
    ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size"),
    ({"epochs": 1, "learning_rate": float("nan")}, ValueError, "learning_rate"),
    ({"epochs": 1, "learning_rate": -1e-3}, ValueError, "learning_rate"),
    ({"epochs": 1, "augment": "yes"}, TypeError, "augment"),
    ({"epochs": 1, "per_image": 48}, TypeError, "unexpected keyword"),
    ({"epochs": 1, "verbose": 5}, ValueError, "verbose"),
])
def test_centernet_fit_refuses_bad_arguments(centernet, scenes, kwargs, error, words):
    with pytest.raises(error, match=words):
        centernet.fit(scenes, **kwargs)
    assert centernet.history == {"loss": []}  # nothing ran


def test_fit_refuses_foreign_scenes(centernet, scenes):
    with pytest.raises(TypeError, match="scenes must be a DetectionSet"):
        centernet.fit(scenes.images, epochs=1)
    bigger = detection_scenes(2, size=96, seed=0)
    with pytest.raises(ValueError, match="image shape"):
        centernet.fit(bigger, epochs=1)


def test_rcnn_fit_per_image_equal_to_the_objects_per_scene(scenes):
    # Every scene has 4 objects: per_image=4 used to fail inside NumPy (a negative
    # number of background windows to sample).
    assert (scenes.counts == 4).all()
    detector = SlidingWindowDetector(NAMES, width=4, seed=0)
    index, windows, labels, _ = detector.training_windows(scenes, per_image=4)
    assert np.bincount(index, minlength=len(scenes)).tolist() == [4] * len(scenes)
    assert (labels > 0).all()  # the budget goes to the objects' own boxes
    detector.fit(scenes, epochs=1, per_image=4, batch_size=8)
    assert len(detector.history["loss"]) == 1 and np.isfinite(detector.history["loss"][0])
    with pytest.raises(ValueError, match="per_image"):
        detector.fit(scenes, epochs=1, per_image=3)
    with pytest.raises(TypeError, match="augment"):
        detector.fit(scenes, epochs=1, augment=True)


def test_fit_refuses_a_network_with_nan_weights(scenes):
    detector = CenterNet(NAMES, width=4, seed=0)
    _broken(detector)
    with pytest.raises(ValueError, match="NaN or infinite weights"):
        detector.fit(scenes, epochs=1)


def test_a_diverging_training_stops_with_a_clear_error(scenes):
    class Diverging(CenterNet):
        def _loss(self):
            import tensorflow as tf

            return lambda y_true, y_pred: tf.reduce_mean(y_pred) * np.float32(np.nan)

    detector = Diverging(NAMES, width=4, seed=0)
    with pytest.raises(FloatingPointError, match="diverged.*learning_rate"):
        detector.fit(scenes, epochs=2, batch_size=6)
    assert len(detector.history["loss"]) == 1 and detector.train_seconds > 0


# --------------------------------------------------------------------------- detect
@pytest.mark.parametrize("kwargs, error, words", [
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"max_detections": 0}, ValueError, "max_detections"),
    ({"score_threshold": float("nan")}, ValueError, "score_threshold"),
    ({"score_threshold": 1.5}, ValueError, "score_threshold"),
    ({"images_per_batch": 8}, TypeError, "unexpected keyword"),
])
def test_detect_refuses_bad_options(centernet, rcnn, scenes, kwargs, error, words):
    for detector in (centernet, rcnn):
        with pytest.raises(error, match=words):
            detector.detect(scenes.images[:1], **kwargs)


@pytest.mark.parametrize("images, error, words", [
    (lambda s: s.images.tolist(), TypeError, "NumPy array"),
    (lambda s: (s.images * 255).astype(np.uint8), TypeError, "float"),
    (lambda s: np.where(s.images > 0.5, np.nan, s.images), ValueError, "NaN"),
    (lambda s: s.images[0], ValueError, r"images\[None\]"),
    (lambda s: s.images[:, :32], ValueError, "shape"),
])
def test_detect_refuses_bad_images(centernet, rcnn, scenes, images, error, words):
    for detector in (centernet, rcnn):
        with pytest.raises(error, match=words):
            detector.detect(images(scenes))


def test_detect_refuses_nan_weights_instead_of_saying_nothing_was_found(scenes):
    for detector in (CenterNet(NAMES, width=4, seed=0), SlidingWindowDetector(NAMES, width=4, seed=0)):
        weight, kept = _broken(detector)
        with pytest.raises(ValueError, match="NaN or infinite weights"):
            detector.detect(scenes.images[:2])
        weight.assign(kept)
        assert len(detector.detect(scenes.images[:2])) == 2  # repaired, it runs


def test_decode_refuses_nan_outputs():
    outputs = np.zeros((1, 16, 16, 7), np.float32)
    outputs[0, 3, 3, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        decode_centernet(outputs, 3, (64, 64))


def test_rcnn_detect_refuses_a_batch_too_large_for_memory(rcnn, scenes):
    with pytest.raises(ValueError, match="batch_size <="):
        rcnn.detect(scenes.images[:1], batch_size=10**6)
    with pytest.raises(ValueError, match="nms_threshold"):
        rcnn.detect(scenes.images[:1], nms_threshold=float("nan"))


def test_grey_images_work_with_both_detectors():
    grey = detection_scenes(2, seed=0)
    images = grey.images.mean(axis=-1, keepdims=True)
    for make in (CenterNet, SlidingWindowDetector):
        found = make(NAMES, image_shape=(64, 64, 1), width=4).detect(images)
        assert len(found) == 2


# --------------------------------------------------------------------------- scenes
def test_scenes_keep_their_documented_object_count():
    scenes = detection_scenes(60, objects=(4, 4), seed=0)
    assert (scenes.counts == 4).all()  # 16 of 60 images used to get 3
    default = detection_scenes(200, seed=0)
    assert set(np.unique(default.counts).tolist()) == {1, 2, 3, 4}


@pytest.mark.parametrize("kwargs, words", [
    ({"n": 3, "objects": (12, 12), "object_size": (40, 48)}, r"could not fit.*objects\[1\]"),
    ({"n": 10**7}, "GiB"),
    ({"n": 2, "size": 10**6}, "size"),
    ({"n": 2, "objects": (3, 1)}, "objects"),
    ({"n": 2, "object_size": (6, 1000)}, "object_size"),
])
def test_scenes_refuse_what_cannot_be_made(kwargs, words):
    with pytest.raises(ValueError, match=words):
        detection_scenes(**kwargs)


# --------------------------------------------------------------------------- COCO json
@pytest.fixture(scope="module")
def coco(scenes):
    return to_coco(scenes.take([0, 1]))


def _changed(coco, change):
    bad = copy.deepcopy(coco)
    change(bad)
    return bad


@pytest.mark.parametrize("change, error, words", [
    (lambda c: c["annotations"][0].pop("bbox"), ValueError, r"missing field 'bbox'"),
    (lambda c: c["categories"][0].pop("name"), ValueError, "has no 'name'"),
    (lambda c: c["annotations"][0].update(bbox=[1, 2, 3]), ValueError, "4 numbers"),
    (lambda c: c["annotations"][0].update(bbox=[1, 2, -3, 4]), ValueError, "negative width"),
    (lambda c: c["annotations"][0].update(bbox=[60, 2, 30, 4]), ValueError, "inside"),
    (lambda c: c["images"][1].update(id=c["images"][0]["id"]), ValueError,
     "used more than once"),
    (lambda c: c["categories"][1].update(id=c["categories"][0]["id"]), ValueError,
     "used more than once"),
    (lambda c: c["categories"][1].update(name=c["categories"][0]["name"]), ValueError,
     "unique"),
    (lambda c: c["categories"][1].update(name=7), TypeError, "must be a str"),
    (lambda c: c["annotations"][0]["segmentation"].update(size=[32, 32]), ValueError,
     "segmentation size"),
    (lambda c: c["annotations"][0]["segmentation"]["counts"].append(5), ValueError,
     "summing to H \\* W"),
    (lambda c: c["annotations"][0].update(image_id=99), ValueError, "image_id 99"),
    (lambda c: c["annotations"][0].update(category_id=99), ValueError, "category_id 99"),
    (lambda c: c["annotations"].__setitem__(0, "cat"), TypeError, "expected a dict"),
    (lambda c: c["images"][0].update(height=32), ValueError, "height"),
    (lambda c: c.update(categories=[]), ValueError, "at least one class"),
    (lambda c: c.update(images="scene.png"), TypeError, "list of dicts"),
])
def test_from_coco_refuses_malformed_json(coco, scenes, change, error, words):
    with pytest.raises(error, match=words):
        from_coco(_changed(coco, change), scenes.images[:2])


def test_from_coco_keeps_the_images_order_whatever_the_ids(coco, scenes):
    swapped = _changed(coco, lambda c: c["images"].reverse())
    back = from_coco(swapped, scenes.images[[1, 0]])
    np.testing.assert_array_equal(back.counts, scenes.counts[[1, 0]])
    np.testing.assert_array_equal(back.boxes, scenes.take([1, 0]).boxes)


def test_detections_to_coco_refuses_repeated_ids(scenes):
    found = Detections.from_lists([np.array([[0, 0, 4, 4.0]])] * 2, [np.array([1])] * 2,
                                  [np.array([0.5])] * 2)
    with pytest.raises(ValueError, match="image_ids must be distinct"):
        detections_to_coco(found, image_ids=[3, 3])
    with pytest.raises(ValueError, match="category_ids must be distinct"):
        detections_to_coco(found, category_ids=[1, 1, 2])


def test_detections_container_refuses_bad_shapes_and_indices():
    with pytest.raises(ValueError, match=r"boxes\[0\] must have shape \(K, 4\)"):
        Detections.from_lists([np.zeros((1, 8))], [np.zeros(1, int)], [np.ones(1)])
    with pytest.raises(ValueError, match="whole numbers"):
        Detections.from_lists([np.zeros((1, 4))], [np.array([0.5])], [np.array([1])])
    found = Detections.from_lists([np.zeros((0, 4))], [np.zeros(0, int)], [np.zeros(0)])
    with pytest.raises(ValueError, match="index"):
        found.objects(3)
    with pytest.raises(TypeError, match="labels must be a int64"):
        Detections(np.zeros((1, 0, 4), np.float32), np.zeros((1, 0)),
                   np.zeros((1, 0), np.float32), np.zeros(1, np.int64))


def test_coco_output_refuses_the_wrong_container(scenes):
    with pytest.raises(TypeError, match="scenes must be a DetectionSet"):
        to_coco(Detections.from_lists([], [], []))
    with pytest.raises(TypeError, match="detections must be a Detections"):
        detections_to_coco(scenes)


# --------------------------------------------------------------------------- evaluation
@pytest.mark.parametrize("kwargs, error, words", [
    ({"iou_threshold": 0.0}, ValueError, "iou_threshold"),
    ({"iou_threshold": "0.5"}, TypeError, "iou_threshold"),
    ({"background_threshold": 0.6}, ValueError, "below iou_threshold"),
    ({"max_dets": 0}, ValueError, "max_dets"),
    ({"dt": {"image_id": 1}}, TypeError, "dt must be a list"),
    ({"dt": [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]}, ValueError,
     "missing field 'score'"),
    ({"gt": [1, 2]}, TypeError, "gt must be a COCO-format dict"),
])
def test_error_breakdown_refuses_bad_input(coco, kwargs, error, words):
    arguments = {"gt": coco, "dt": [], **kwargs}
    with pytest.raises(error, match=words):
        error_breakdown(**arguments)


def test_voc_evaluate_without_any_ground_truth_is_defined_and_flagged():
    with pytest.warns(UndefinedMetricWarning, match="valid to False"):
        result = voc_evaluate([[], []], [[], []], [[[0, 0, 4, 4]], []], [[0], []],
                              [[0.9], []])
    assert result.valid is False and result.mean_ap == 0.0 and result.ap.get(0) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scored = voc_evaluate([[[0, 0, 4, 4]]], [[0]], [[[0, 0, 4, 4]]], [[0]], [[0.9]])
    assert scored.valid is True and scored.mean_ap == 1.0


def test_detection_set_refuses_bad_scenes():
    images = np.zeros((1, 8, 8, 3), np.float32)
    with pytest.raises(ValueError, match="unique"):
        DetectionSet(images, np.full((1, 0, 4), np.nan, np.float32), np.zeros((1, 0), np.int64),
                     np.zeros(1, np.int64), ("a", "a"))
    with pytest.raises(TypeError, match="counts must be a int64"):
        DetectionSet(images, np.full((1, 0, 4), np.nan, np.float32), np.zeros((1, 0), np.int64),
                     np.zeros(1, np.int32), ("a",))
