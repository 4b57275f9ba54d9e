"""coco_evaluate(..., iou_type="segm") must reproduce pycocotools' COCOeval("segm") exactly.

The reference gets the detections as pycocotools' segmentation results: compressed RLE,
no ``bbox`` (so that loadRes sets each detection's area to its mask's area). Ours gets
the same records in every form it reads (compressed RLE, uncompressed RLE, bool masks).
"""
from __future__ import annotations

import contextlib
import copy
import io

import numpy as np
import pytest

from helpers.detection import coco_evaluate, mask_to_rle, rle_to_mask
from helpers.detection.coco_masks import PackedMasks, mask_pair_iou

pycocotools = pytest.importorskip("pycocotools")
from pycocotools import mask as coco_mask  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

AREAS = {"all": (0, 1e10), "small": (0, 40), "medium": (40, 120), "large": (120, 1e10)}


def compressed(mask):
    rle = coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"counts": rle["counts"].decode("ascii"), "size": [int(v) for v in rle["size"]]}


def run_pycocotools(gt, dt, **options):
    gt, dt = copy.deepcopy(gt), copy.deepcopy(dt)
    for record in dt:  # segmentation results: compressed RLE, no bbox
        record.pop("bbox", None)
        mask = record["segmentation"]
        record["segmentation"] = compressed(mask if isinstance(mask, np.ndarray)
                                            else rle_to_mask(mask))
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        evaluation = COCOeval(coco_gt, coco_gt.loadRes(dt), "segm")
        if "area_ranges" in options:
            evaluation.params.areaRng = [list(v) for v in options["area_ranges"].values()]
            evaluation.params.areaRngLbl = list(options["area_ranges"])
        if "iou_thresholds" in options:
            evaluation.params.iouThrs = np.asarray(options["iou_thresholds"], float)
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation


def assert_same(gt, dt, **options):
    reference = run_pycocotools(gt, dt, **options)
    result = coco_evaluate(gt, dt, iou_type="segm", **options)
    for ours, theirs in ((result.precision, reference.eval["precision"]),
                         (result.recall, reference.eval["recall"]),
                         (result.scores, reference.eval["scores"]),
                         (result.stats, np.asarray(reference.stats))):
        assert np.array_equal(ours, theirs)
    return result


def random_mask(rng, height, width):
    """A blob: a union of one to three random ellipses and rectangles, sometimes empty."""
    mask = np.zeros((height, width), bool)
    if rng.random() < 0.03:
        return mask
    yy, xx = np.mgrid[:height, :width]
    for _ in range(int(rng.integers(1, 4))):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(0.5, 1 + height / 3), rng.uniform(0.5, 1 + width / 3)
        if rng.random() < 0.5:
            mask |= ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        else:
            mask |= (abs(yy - cy) <= ry) & (abs(xx - cx) <= rx)
    return mask


def near_copy(rng, mask):
    """The mask shifted by up to two pixels, with a few pixels flipped."""
    moved = np.roll(mask, tuple(rng.integers(-2, 3, 2)), axis=(0, 1))
    flip = rng.random(mask.shape) < rng.choice([0.0, 0.02, 0.1])
    return moved ^ flip


def random_case(seed, form="compressed"):
    """Images of different sizes, 1-3 categories, ~15 % crowd regions, some ``area``
    fields far from the mask's pixel count, near-copies (hits, duplicates, wrong class),
    false positives and tied scores."""
    rng = np.random.default_rng(seed)
    category_ids = (rng.choice(20, int(rng.integers(1, 4)), replace=False) + 1).tolist()
    images, annotations, detections = [], [], []
    pool = np.round(rng.random(4), 2)
    for image_id in (rng.choice(100, int(rng.integers(1, 6)), replace=False) + 1).tolist():
        height, width = (int(v) for v in rng.integers(12, 40, 2))
        images.append({"id": image_id, "height": height, "width": width})
        for category_id in category_ids:
            for _ in range(int(rng.integers(0, 5))):
                mask = random_mask(rng, height, width)
                ys, xs = np.nonzero(mask)
                bbox = ([float(xs.min()), float(ys.min()), float(np.ptp(xs) + 1),
                         float(np.ptp(ys) + 1)] if xs.size else [0.0, 0.0, 0.0, 0.0])
                area = float(mask.sum()) if rng.random() < 0.8 else float(rng.integers(0, 200))
                annotations.append({
                    "id": len(annotations) + 1, "image_id": image_id,
                    "category_id": category_id, "bbox": bbox, "area": area,
                    "iscrowd": int(rng.random() < 0.15), "segmentation": mask_to_rle(mask)})
                for _ in range(int(rng.integers(0, 3))):
                    category = (category_id if rng.random() < 0.9
                                else int(rng.choice(category_ids)))
                    detections.append((image_id, category, near_copy(rng, mask)))
            for _ in range(int(rng.integers(0, 3))):
                detections.append((image_id, category_id, random_mask(rng, height, width)))
    if not detections:  # pycocotools' loadRes cannot read an empty list
        first = images[0]
        detections.append((first["id"], category_ids[0],
                           random_mask(rng, first["height"], first["width"])))
    dt = []
    for image_id, category_id, mask in detections:
        score = float(rng.choice(pool)) if rng.random() < 0.3 else float(rng.random())
        segmentation = {"compressed": compressed, "uncompressed": mask_to_rle,
                        "dense": lambda m: m}[form](mask)
        dt.append({"image_id": image_id, "category_id": category_id,
                   "segmentation": segmentation, "score": score})
    gt = {"images": images, "annotations": annotations,
          "categories": [{"id": c, "name": str(c)} for c in category_ids]}
    order = rng.permutation(len(dt))
    return gt, [dt[i] for i in order]


@pytest.mark.parametrize("seed", range(30))
def test_random_cases_match_pycocotools_segm(seed):
    form = ("compressed", "uncompressed", "dense")[seed % 3]
    gt, dt = random_case(seed, form)
    assert_same(gt, dt)
    assert_same(gt, dt, area_ranges=AREAS)


@pytest.mark.parametrize("seed", range(30, 36))
def test_random_cases_with_thresholds_match_pycocotools_segm(seed):
    gt, dt = random_case(seed)
    assert_same(gt, dt, iou_thresholds=[0.1, 0.3, 0.5, 0.7, 0.9, 1.0])


def test_the_cases_exercise_crowds_and_area_ranges():
    """The random data are not trivial: crowd regions, matches and every area range."""
    crowds, results = 0, []
    for seed in range(30):
        gt, dt = random_case(seed)
        crowds += sum(a["iscrowd"] for a in gt["annotations"])
        results.append(coco_evaluate(gt, dt, iou_type="segm", area_ranges=AREAS).stats)
    stats = np.array(results)
    assert crowds >= 10
    assert (stats[:, 1] > 0).mean() > 0.5 and (stats[:, 1] < 1).any()  # AP50 in (0, 1)
    assert ((stats[:, 3:6] > 0).sum(axis=0) > 0).all()  # small, medium, large all scored


def test_a_bbox_in_the_results_does_not_change_the_area():
    """Segmentation results are judged by their masks' areas even when a box is given."""
    gt, dt = random_case(3)
    boxed = [dict(r, bbox=[0.0, 0.0, 1.0, 1.0]) for r in dt]
    plain = coco_evaluate(gt, dt, iou_type="segm", area_ranges=AREAS)
    with_box = coco_evaluate(gt, boxed, iou_type="segm", area_ranges=AREAS)
    assert np.array_equal(plain.precision, with_box.precision)


# --------------------------------------------------------------------------- by hand
def _two_masks():
    a = np.zeros((6, 8), bool)
    a[1:5, 1:5] = True  # 16 pixels
    b = np.zeros((6, 8), bool)
    b[2:6, 3:7] = True  # 16 pixels, 6 shared with a (rows 2-4, columns 3-4)
    return a, b


def test_mask_iou_by_hand_and_the_crowd_rule():
    a, b = _two_masks()
    det, gt = PackedMasks([a, a, np.zeros_like(a)]), PackedMasks([b])
    pairs = np.array([0, 1, 2]), np.array([0, 0, 0])
    assert mask_pair_iou(det, gt, *pairs, np.array([False])).tolist() == [6 / 26, 6 / 26, 0.0]
    assert mask_pair_iou(det, gt, *pairs, np.array([True])).tolist() == [6 / 16, 6 / 16, 0.0]


def test_one_object_by_hand():
    plus = np.zeros((6, 8), bool)
    plus[1:5, 2:4] = plus[2:4, 1:5] = True  # 8 + 8 - 4 = 12 pixels in a 4 x 4 box
    square = np.zeros((6, 8), bool)
    square[1:5, 1:5] = True  # the plus's box as a mask: box IoU 1, mask IoU 12/16
    gt = {"images": [{"id": 1, "height": 6, "width": 8}], "categories": [{"id": 1}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4],
                           "area": 12.0, "iscrowd": 0, "segmentation": mask_to_rle(plus)}]}
    same = [{"image_id": 1, "category_id": 1, "segmentation": plus, "score": 0.9}]
    assert coco_evaluate(gt, same, iou_type="segm").stats[0] == pytest.approx(1.0)
    boxy = [{"image_id": 1, "category_id": 1, "segmentation": square, "score": 0.9}]
    result = coco_evaluate(gt, boxy, iou_type="segm", iou_thresholds=[0.7, 0.75, 0.8])
    assert result.precision[:, 0, 0, 0, -1] == pytest.approx([1.0, 1.0, 0.0])
    boxes = [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9}]
    as_boxes = coco_evaluate(gt, boxes, iou_thresholds=[0.7, 0.75, 0.8])
    assert as_boxes.precision[:, 0, 0, 0, -1] == pytest.approx([1.0, 1.0, 1.0])


def test_compressed_rle_is_decoded_as_pycocotools_encodes():
    rng = np.random.default_rng(0)
    for _ in range(50):
        mask = random_mask(rng, int(rng.integers(1, 50)), int(rng.integers(1, 50)))
        assert np.array_equal(rle_to_mask(compressed(mask)), mask)
    big = np.zeros((300, 300), bool)
    big[100:250, 40:290] = True  # long runs: several 5-bit groups per count
    assert np.array_equal(rle_to_mask(compressed(big)), big)


# --------------------------------------------------------------------------- bad input
def _gt(segmentation=None, height=6, width=8):
    a, _ = _two_masks()
    record = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16.0,
              "iscrowd": 0, "segmentation": mask_to_rle(a) if segmentation is None
              else segmentation}
    return {"images": [{"id": 1, "height": height, "width": width}],
            "categories": [{"id": 1}], "annotations": [record]}


def _dt(segmentation):
    return [{"image_id": 1, "category_id": 1, "segmentation": segmentation, "score": 0.5}]


@pytest.mark.parametrize("gt, dt, error, message", [
    (_gt([[1, 1, 4, 1, 4, 4]]), _dt(np.zeros((6, 8), bool)), ValueError, "polygon"),
    (_gt(), _dt(np.zeros((6, 8), np.uint8)), TypeError, "2-D bool mask"),
    (_gt(), _dt(np.zeros((6, 9), bool)), ValueError, r"dt\[0\].*6 x 9.*6 x 8"),
    (_gt(height=7), _dt(np.zeros((6, 8), bool)), ValueError, r"annotations'\]\[0\].*7 x 8"),
    (_gt(), _dt({"counts": [1, 2], "size": [6, 8]}), ValueError, "summing to H \\* W = 48"),
    (_gt(), _dt({"counts": "PP", "size": [6, 8]}), ValueError, "truncated"),
    (_gt(), _dt({"counts": "a~", "size": [6, 8]}), ValueError, "compressed RLE"),
    (_gt(), _dt({"size": [6, 8]}), TypeError, "'counts' and 'size'"),
    (_gt(), _dt({"counts": [48], "size": [6, -8]}), ValueError, r"\[H, W\]"),
    (_gt(), _dt("mask"), TypeError, "segmentation must be a COCO RLE dict"),
    (_gt(), [{"image_id": 1, "category_id": 1, "score": 0.5}], ValueError,
     "missing field 'segmentation'"),
])
def test_bad_segmentations_are_named(gt, dt, error, message):
    with pytest.raises(error, match=message):
        coco_evaluate(gt, dt, iou_type="segm")


def test_ground_truth_without_segmentation_is_named():
    gt = _gt()
    del gt["annotations"][0]["segmentation"]
    with pytest.raises(ValueError, match=r"annotations'\]\[0\] \(id=1\): missing field"):
        coco_evaluate(gt, _dt(np.zeros((6, 8), bool)), iou_type="segm")


@pytest.mark.parametrize("iou_type", ["mask", "BBOX", None, 1])
def test_bad_iou_type(iou_type):
    with pytest.raises(ValueError, match="iou_type must be 'bbox'"):
        coco_evaluate(_gt(), _dt(np.zeros((6, 8), bool)), iou_type=iou_type)


# --------------------------------------------------------------------------- Detections
def _scene_detections(scenes, masks_of):
    """One detection per true object (score falling with its index), masks from
    ``masks_of(boxes, masks)``."""
    from helpers.detection import Detections
    boxes, labels, scores, masks = [], [], [], []
    for i in range(len(scenes)):
        b, c, m = scenes.objects(i)
        boxes.append(b), labels.append(c), masks.append(masks_of(b, m))
        scores.append(np.linspace(0.9, 0.5, len(b)))
    return Detections.from_lists(boxes, labels, scores, masks=masks)


def test_scene_masks_and_box_masks_against_pycocotools():
    """The chapter's comparison: true masks give mask AP 1; the boxes' own masks give a
    lower mask AP, identical to pycocotools, while their box AP is 1."""
    from helpers.data import detection_scenes
    from helpers.detection import box_masks, detections_to_coco, to_coco
    scenes = detection_scenes(12, seed=5)
    height, width = scenes.image_shape[:2]
    gt = to_coco(scenes)
    true = _scene_detections(scenes, lambda b, m: m)
    boxy = _scene_detections(scenes, lambda b, m: box_masks(b, height, width))
    assert coco_evaluate(gt, detections_to_coco(true, iou_type="segm"),
                         iou_type="segm").stats[0] == pytest.approx(1.0)
    assert coco_evaluate(gt, detections_to_coco(boxy)).stats[0] == pytest.approx(1.0)
    segm = assert_same(gt, detections_to_coco(boxy, iou_type="segm"))
    assert 0 < segm.stats[0] < 0.9


def test_detections_masks_are_sorted_with_their_scores_and_checked():
    from helpers.detection import Detections
    m = np.zeros((2, 3, 4), bool)
    m[1, 0, 0] = True
    d = Detections.from_lists([np.array([[0, 0, 1, 1], [1, 1, 2, 2]], float)],
                              [np.array([0, 0])], [np.array([0.2, 0.8])], masks=[m])
    assert d.masks.shape == (1, 2, 3, 4) and d.masks[0, 0, 0, 0] and not d.masks[0, 1].any()
    plain = Detections.from_lists([np.zeros((1, 4))], [np.array([0])], [np.array([0.5])])
    assert plain.masks is None
    with pytest.raises(TypeError, match=r"masks\[0\] must be a bool NumPy array"):
        Detections.from_lists([np.zeros((1, 4))], [np.array([0])], [np.array([0.5])],
                              masks=[np.zeros((2, 3, 4), bool)])
    with pytest.raises(ValueError, match="one entry per image"):
        Detections.from_lists([np.zeros((1, 4))], [np.array([0])], [np.array([0.5])],
                              masks=[])
    with pytest.raises(TypeError, match="masks must be a bool NumPy array"):
        plain.with_masks(np.zeros((1, 1, 3, 4), np.uint8))
    with pytest.raises(ValueError, match=r"masks must have shape \(1, 1, 3, 4\)"):
        plain.with_masks(np.zeros((1, 2, 3, 4), bool))
    with pytest.raises(TypeError, match=r"shape \(N, K, H, W\)"):
        plain.with_masks(np.zeros((3, 4), bool))
    padded = Detections.from_lists([np.zeros((1, 4)), np.zeros((0, 4))],
                                   [np.array([0]), np.zeros(0, int)],
                                   [np.array([0.5]), np.zeros(0)])
    bad = np.ones((2, 1, 3, 4), bool)
    with pytest.raises(ValueError, match="padding slots"):
        padded.with_masks(bad)


def test_detections_to_coco_segm_needs_masks_and_a_known_type():
    from helpers.detection import Detections, detections_to_coco
    plain = Detections.from_lists([np.zeros((1, 4))], [np.array([0])], [np.array([0.5])])
    with pytest.raises(ValueError, match="needs detections with masks"):
        detections_to_coco(plain, iou_type="segm")
    with pytest.raises(ValueError, match="iou_type must be 'bbox' or 'segm'"):
        detections_to_coco(plain, iou_type="mask")
    record = detections_to_coco(plain.with_masks(np.ones((1, 1, 2, 3), bool)),
                                iou_type="segm")[0]
    assert list(record) == ["image_id", "category_id", "segmentation", "score"]
    assert record["segmentation"] == {"counts": [0, 6], "size": [2, 3]}


def test_box_masks_by_hand_and_bad_input():
    from helpers.detection import box_masks
    masks = box_masks([[0.4, 0.6, 2.5, 1.6], [0, 0, 0, 5]], 3, 4)
    assert masks[0].astype(int).tolist() == [[0, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]
    assert not masks[1].any()  # zero width
    assert box_masks(np.zeros((0, 4)), 3, 4).shape == (0, 3, 4)
    assert box_masks([[1, 1, 2, 2]], 3, 3, fmt="xywh")[0].sum() == 4
    with pytest.raises(ValueError, match="height"):
        box_masks([[0, 0, 1, 1]], 0, 4)
    with pytest.raises(TypeError, match="width"):
        box_masks([[0, 0, 1, 1]], 3, 2.5)
    with pytest.raises(ValueError, match=r"\(K, 4\)"):
        box_masks([0, 0, 1, 1], 3, 4)
    with pytest.raises(ValueError):
        box_masks([[2, 0, 1, 1]], 3, 4)  # x2 < x1
