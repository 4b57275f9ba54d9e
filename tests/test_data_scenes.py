"""Detection scenes (helpers.data.detection_scenes), their container, and COCO json.

The COCO files are loaded by pycocotools from disk, unchanged, and scored by
COCOeval and by helpers.detection.coco_evaluate on the same detections.
"""
from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

from helpers.data import DetectionSet, detection_scenes
from helpers.detection import (
    Detections,
    detections_to_coco,
    from_coco,
    mask_to_rle,
    rle_to_mask,
    to_coco,
)
from helpers.data.shapes import boxes_from_masks
from helpers.detection import coco_evaluate, iou

pycocotools = pytest.importorskip("pycocotools")
from pycocotools import mask as coco_mask  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402


@pytest.fixture(scope="module")
def scenes():
    return detection_scenes(300, seed=11, distractors=0.5)


# --------------------------------------------------------------------------- content
def test_shapes_counts_and_padding(scenes):
    n, slots = len(scenes), scenes.boxes.shape[1]
    assert scenes.images.shape == (n, 64, 64, 3) and scenes.images.dtype == np.float32
    assert 0.0 <= scenes.images.min() and scenes.images.max() <= 1.0
    assert scenes.counts.min() == 1 and scenes.counts.max() == 4 == slots
    # every count from 1 to 4 occurs, roughly uniformly (300 / 4 = 75 each)
    assert np.all(np.abs(np.bincount(scenes.counts, minlength=5)[1:] - 75) < 30)
    real = np.arange(slots)[None, :] < scenes.counts[:, None]
    assert np.isnan(scenes.boxes[~real]).all() and not np.isnan(scenes.boxes[real]).any()
    assert (scenes.labels[~real] == -1).all() and (scenes.labels[real] >= 0).all()
    assert not scenes.masks[~real].any()
    per_class = np.bincount(scenes.labels[real], minlength=3)
    assert per_class.min() > 0.25 * real.sum()


def test_boxes_inside_images_and_tight_around_masks(scenes):
    real = np.arange(scenes.boxes.shape[1])[None, :] < scenes.counts[:, None]
    boxes, masks = scenes.boxes[real], scenes.masks[real]
    assert (boxes[:, :2] >= 0).all() and (boxes[:, 2:] <= 64).all()
    assert (boxes[:, 2:] > boxes[:, :2]).all()
    np.testing.assert_array_equal(boxes, boxes_from_masks(masks))
    assert masks.sum(axis=(1, 2)).min() > 0
    # visible masks of one image never share a pixel
    assert (scenes.masks.sum(axis=1) <= 1).all()


def test_objects_accessor_drops_padding(scenes):
    i = int(np.argmin(scenes.counts))
    boxes, labels, masks = scenes.objects(i)
    k = scenes.counts[i]
    assert boxes.shape == (k, 4) and labels.shape == (k,) and masks.shape == (k, 64, 64)
    with pytest.raises(ValueError, match="index"):
        scenes.objects(len(scenes))
    with pytest.raises(TypeError, match="index"):
        scenes.objects(1.0)


def test_overlap_and_small_objects_present(scenes):
    overlapping = 0
    for i in range(len(scenes)):
        boxes = scenes.objects(i)[0]
        pair = iou(boxes, boxes) - np.eye(len(boxes))
        overlapping += bool((pair > 0.1).any())
    assert overlapping > 0.2 * len(scenes)
    area = scenes.object_table()["area"]
    side = np.sqrt(area)
    assert (side < 10).sum() > 10  # small objects (COCO "small" is area < 32 ** 2)
    assert (area >= 32 ** 2).sum() > 0  # and a few COCO "medium" ones
    assert np.ptp(side) > 20


def test_distractors_next_to_objects_and_never_on_them(scenes):
    d_counts = scenes.extras["distractor_counts"]
    assert 0.2 * scenes.n_objects < d_counts.sum() <= 0.5 * scenes.n_objects + 30
    d_masks = scenes.extras["distractor_masks"]
    objects_any = scenes.masks.any(axis=1)
    assert not (d_masks.any(axis=1) & objects_any).any()
    owner = scenes.extras["distractor_of"]
    for i in np.flatnonzero(d_counts)[:50]:
        for d in range(d_counts[i]):
            object_box = scenes.boxes[i, owner[i, d]]
            d_box = scenes.extras["distractor_boxes"][i, d]
            offset = (d_box[:2] + d_box[2:]) - (object_box[:2] + object_box[2:])
            centre_distance = np.hypot(*offset / 2)
            diameter = scenes.extras["diameters"][i, owner[i, d]]
            # "next to": centres at most one object diameter (plus the drawn gap) apart
            assert centre_distance <= 1.25 * diameter + 4
    none = detection_scenes(20, seed=2)
    assert none.extras["distractor_counts"].sum() == 0


def test_seeds_reproducible_and_different():
    a = detection_scenes(12, seed=5)
    b = detection_scenes(12, seed=5)
    c = detection_scenes(12, seed=6)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.images, c.images)


def test_options_change_what_is_drawn():
    empty_ok = detection_scenes(40, objects=(0, 2), seed=3)
    assert (empty_ok.counts == 0).any()
    one = detection_scenes(20, objects=(1, 1), classes=("star",), object_size=(20, 24), seed=3)
    assert (one.counts == 1).all() and one.class_names == ("star",)
    diam = one.extras["diameters"][:, 0]
    assert diam.min() >= 20 and diam.max() <= 24
    big = detection_scenes(10, size=96, seed=3)
    assert big.images.shape == (10, 96, 96, 3)


def test_take_keeps_objects_and_trims_padding(scenes):
    small = scenes.take(np.flatnonzero(scenes.counts == 1)[:5])
    assert small.boxes.shape == (5, 1, 4) and small.masks.shape == (5, 1, 64, 64)
    assert small.extras["distractor_boxes"].shape[0] == 5
    with pytest.raises(ValueError, match="at least one"):
        scenes.take([])


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"n": 0}, ValueError, "n must be"),
        ({"n": 2.0}, TypeError, "n must be"),
        ({"size": 16}, ValueError, "size"),
        ({"classes": "circle"}, TypeError, "classes"),
        ({"classes": ("hexagon",)}, ValueError, r"classes\[0\] must be one of"),
        ({"objects": (3, 1)}, ValueError, "objects\\[1\\]"),
        ({"objects": 3}, TypeError, "objects must be a pair"),
        ({"object_size": (2, 10)}, ValueError, "object_size\\[0\\]"),
        ({"object_size": (10, 60)}, ValueError, "object_size\\[1\\]"),
        ({"overlap": 1.5}, ValueError, "overlap"),
        ({"distractors": -0.1}, ValueError, "distractors"),
        ({"distractor_class": "circle"}, ValueError, "distractor_class"),
        ({"min_visible": 0.0}, ValueError, "min_visible"),
        ({"seed": None}, TypeError, "seed"),
    ],
)
def test_bad_input(kwargs, error, words):
    arguments = {"n": 4, **kwargs}
    with pytest.raises(error, match=words):
        detection_scenes(**arguments)


def test_detection_set_refuses_inconsistent_arrays(scenes):
    small = scenes.take([0, 1])
    fields = dict(images=small.images, boxes=small.boxes, labels=small.labels,
                  counts=small.counts, class_names=small.class_names, masks=small.masks)
    bad_box = small.boxes.copy()
    bad_box[0, 0, 2] = 70
    with pytest.raises(ValueError, match="0 <= x0 < x1 <= W"):
        DetectionSet(**{**fields, "boxes": bad_box})
    with pytest.raises(ValueError, match="counts"):
        DetectionSet(**{**fields, "counts": small.counts + 5})
    with pytest.raises(TypeError, match="labels must be a int64"):
        DetectionSet(**{**fields, "labels": small.labels.astype(np.int32)})
    bad_labels = small.labels.copy()
    bad_labels[0, 0] = 3
    with pytest.raises(ValueError, match="labels must lie"):
        DetectionSet(**{**fields, "labels": bad_labels})
    with pytest.raises(TypeError, match="images"):
        DetectionSet(**{**fields, "images": small.images.astype(np.float64)})


# --------------------------------------------------------------------------- RLE and COCO
def test_rle_matches_pycocotools_and_round_trips(scenes):
    masks = scenes.masks[:, 0]
    for mask in masks[:20]:
        rle = mask_to_rle(mask)
        np.testing.assert_array_equal(rle_to_mask(rle), mask)
        compressed = coco_mask.frPyObjects(rle, *rle["size"])
        np.testing.assert_array_equal(coco_mask.decode(compressed).astype(bool), mask)
        assert coco_mask.area(compressed) == mask.sum()
    corner = np.zeros((3, 4), bool)
    corner[0, 0] = True  # starts with a 1: the RLE starts with a zero-length run
    assert mask_to_rle(corner)["counts"][:2] == [0, 1]
    np.testing.assert_array_equal(rle_to_mask(mask_to_rle(corner)), corner)
    with pytest.raises(ValueError, match="sum"):
        rle_to_mask({"counts": [1, 2], "size": [3, 4]})
    with pytest.raises(ValueError, match="compressed"):
        rle_to_mask({"counts": "abc", "size": [3, 4]})
    with pytest.raises(TypeError, match="mask"):
        mask_to_rle(np.zeros((3, 4), np.uint8))


def _quiet(function, *args):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def _noisy_detections(scenes, seed):
    """Ground-truth boxes jittered, with some class flips, misses and false alarms."""
    rng = np.random.default_rng(seed)
    boxes, scores, classes = [], [], []
    for i in range(len(scenes)):
        b, labels, _ = scenes.objects(i)
        b = b + rng.normal(0, 1.5, b.shape)
        b[:, 2:] = np.maximum(b[:, 2:], b[:, :2] + 1)
        flip = rng.random(len(labels)) < 0.1
        labels = np.where(flip, (labels + 1) % 3, labels)
        keep = rng.random(len(labels)) > 0.1
        extra = rng.uniform(0, 40, (2, 2))
        b = np.concatenate([b[keep], np.concatenate([extra, extra + 12], 1)])
        boxes.append(b)
        scores.append(rng.random(len(b)))
        classes.append(np.concatenate([labels[keep], rng.integers(0, 3, 2)]))
    return Detections.from_lists(boxes, classes, scores)


def test_coco_files_load_in_pycocotools_and_scores_agree(scenes, tmp_path):
    gt_path, dt_path = tmp_path / "gt.json", tmp_path / "dt.json"
    gt = to_coco(scenes, gt_path)
    detections = _noisy_detections(scenes, seed=3)
    dt = detections_to_coco(detections, path=dt_path)
    assert json.loads(gt_path.read_text()) == gt

    coco_gt = _quiet(COCO, str(gt_path))
    assert len(coco_gt.getImgIds()) == len(scenes)
    assert len(coco_gt.getAnnIds()) == scenes.n_objects
    assert [c["name"] for c in coco_gt.loadCats(coco_gt.getCatIds())] == list(scenes.class_names)
    first = coco_gt.loadAnns(coco_gt.getAnnIds(imgIds=[1]))
    np.testing.assert_array_equal(coco_gt.annToMask(first[0]).astype(bool), scenes.masks[0, 0])
    assert first[0]["area"] == scenes.masks[0, 0].sum()

    coco_dt = _quiet(coco_gt.loadRes, str(dt_path))
    evaluation = COCOeval(coco_gt, coco_dt, "bbox")
    _quiet(evaluation.evaluate)
    _quiet(evaluation.accumulate)
    _quiet(evaluation.summarize)
    ours = coco_evaluate(gt, dt)
    np.testing.assert_array_equal(ours.stats, evaluation.stats)
    np.testing.assert_array_equal(ours.precision, evaluation.eval["precision"])
    assert 0.2 < ours.stats[1] < 0.95  # the noise makes a real, imperfect score


def test_from_coco_round_trip(scenes, tmp_path):
    path = tmp_path / "gt.json"
    to_coco(scenes, path)
    back = from_coco(path, scenes.images)
    np.testing.assert_array_equal(back.boxes, scenes.boxes)
    np.testing.assert_array_equal(back.labels, scenes.labels)
    np.testing.assert_array_equal(back.masks, scenes.masks)
    assert back.class_names == scenes.class_names
    no_masks = to_coco(DetectionSet(scenes.images, scenes.boxes, scenes.labels,
                                    scenes.counts, scenes.class_names))
    assert "segmentation" not in no_masks["annotations"][0]
    box = scenes.boxes[0, 0]
    assert no_masks["annotations"][0]["area"] == pytest.approx(
        float((box[2] - box[0]) * (box[3] - box[1])))
    assert from_coco(no_masks, scenes.images).masks is None


def test_coco_bad_input(scenes):
    with pytest.raises(TypeError, match="scenes must be a DetectionSet"):
        to_coco(scenes.images)
    with pytest.raises(TypeError, match="path"):
        to_coco(scenes.take([0]), path=3)
    with pytest.raises(TypeError, match="detections must be a Detections"):
        detections_to_coco([[0, 0, 1, 1]])
    detections = _noisy_detections(scenes.take([0, 1]), seed=0)
    with pytest.raises(ValueError, match="image_ids"):
        detections_to_coco(detections, image_ids=[1])
    with pytest.raises(ValueError, match="category_ids"):
        detections_to_coco(detections, category_ids=[7])
    gt = to_coco(scenes.take([0, 1]))
    with pytest.raises(ValueError, match="one image per"):
        from_coco(gt, scenes.images[:1])
    with pytest.raises(ValueError, match="missing"):
        from_coco({"images": []}, scenes.images[:1])
    crowd = json.loads(json.dumps(gt))
    crowd["annotations"][0]["iscrowd"] = 1
    with pytest.raises(ValueError, match="crowd"):
        from_coco(crowd, scenes.images[:2])


def test_detections_container():
    detections = Detections.from_lists(
        [np.array([[0, 0, 5, 5], [1, 1, 4, 4.0]]), np.zeros((0, 4))],
        [np.array([1, 0]), np.zeros(0, int)],
        [np.array([0.2, 0.9]), np.zeros(0)],
    )
    assert detections.counts.tolist() == [2, 0]
    boxes, classes, scores = detections.objects(0)
    assert scores.tolist() == pytest.approx([0.9, 0.2]) and classes.tolist() == [0, 1]
    np.testing.assert_array_equal(boxes[0], [1, 1, 4, 4])
    coco = detections_to_coco(detections, image_ids=[10, 20])
    assert [r["image_id"] for r in coco] == [10, 10]
    assert coco[0]["bbox"] == [1.0, 1.0, 3.0, 3.0] and coco[0]["category_id"] == 1
    with pytest.raises(ValueError, match="same length"):
        Detections.from_lists([np.zeros((2, 4))], [np.zeros(2, int)], [np.zeros(1)])
    with pytest.raises(ValueError, match="one entry per image"):
        Detections.from_lists([np.zeros((2, 4))], [], [])
    with pytest.raises(TypeError, match="boxes must be a list"):
        Detections.from_lists(np.zeros((1, 2, 4)), [np.zeros(2, int)], [np.zeros(2)])
    with pytest.raises(ValueError, match="scores must lie"):
        Detections.from_lists([np.zeros((1, 4))], [np.zeros(1, int)], [np.array([1.5])])
