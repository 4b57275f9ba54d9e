"""coco_evaluate must reproduce pycocotools' COCOeval ("bbox") exactly: same arrays, bit for bit.

pycocotools is the reference; it runs in memory here (COCO() + .dataset + createIndex(),
loadRes with a list) with its prints silenced. It writes into the dicts it is given,
so it always gets deep copies.
"""
from __future__ import annotations

import contextlib
import copy
import io

import numpy as np
import pytest

from helpers.detection import COCO_AREA_RANGES, coco_evaluate

pycocotools = pytest.importorskip("pycocotools")
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402


# --------------------------------------------------------------------------- reference
def run_pycocotools(gt, dt, iou_thresholds=None, recall_thresholds=None, max_dets=None, area_ranges=None):
    """COCOeval after evaluate/accumulate/summarize, plus the text summarize() printed.

    pycocotools' loadRes cannot load an empty result list (it reads ``anns[0]``). For
    an empty ``dt`` the detections are therefore given as a COCO object with no
    annotations, built the same way as the ground truth, which COCOeval accepts.
    """
    gt, dt = copy.deepcopy(gt), copy.deepcopy(dt)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        if dt:
            coco_dt = coco_gt.loadRes(dt)
        else:
            coco_dt = COCO()
            coco_dt.dataset = {"images": gt["images"], "categories": gt["categories"], "annotations": []}
            coco_dt.createIndex()
        evaluation = COCOeval(coco_gt, coco_dt, "bbox")
        if iou_thresholds is not None:
            evaluation.params.iouThrs = np.asarray(iou_thresholds, dtype=float)
        if recall_thresholds is not None:
            evaluation.params.recThrs = np.asarray(recall_thresholds, dtype=float)
        if max_dets is not None:
            evaluation.params.maxDets = list(max_dets)
        if area_ranges is not None:
            evaluation.params.areaRng = [list(bounds) for bounds in area_ranges.values()]
            evaluation.params.areaRngLbl = list(area_ranges)
        evaluation.evaluate()
        evaluation.accumulate()
        printed.truncate(0)
        printed.seek(0)
        evaluation.summarize()
    return evaluation, printed.getvalue()


def assert_same_as_pycocotools(gt, dt, **options):
    """Evaluate with both and require identical arrays; return our result."""
    reference, printed = run_pycocotools(gt, dt, **options)
    result = coco_evaluate(gt, dt, **options)
    assert np.array_equal(result.precision, reference.eval["precision"])
    assert np.array_equal(result.recall, reference.eval["recall"])
    assert np.array_equal(result.scores, reference.eval["scores"])
    assert np.array_equal(result.stats, np.asarray(reference.stats))
    return result, reference, printed


# --------------------------------------------------------------------------- data
def make_gt(annotations, image_ids=(1,), category_ids=(1,)):
    """A COCO ground-truth dict; annotations are (image_id, category_id, bbox[, area[, iscrowd]])."""
    records = []
    for n, item in enumerate(annotations):
        image_id, category_id, bbox = item[:3]
        area = item[3] if len(item) > 3 else bbox[2] * bbox[3]
        iscrowd = item[4] if len(item) > 4 else 0
        records.append(
            {"id": n + 1, "image_id": image_id, "category_id": category_id,
             "bbox": list(bbox), "area": area, "iscrowd": iscrowd}
        )
    return {
        "images": [{"id": i} for i in image_ids],
        "categories": [{"id": c, "name": f"c{c}"} for c in category_ids],
        "annotations": records,
    }


def make_dt(detections):
    """COCO results from (image_id, category_id, bbox, score) tuples."""
    return [{"image_id": i, "category_id": c, "bbox": list(b), "score": s} for i, c, b, s in detections]


def random_case(seed, big=False):
    """A small (or, with ``big``, medium-sized) random data set that exercises COCO's corner cases.

    Boxes sit on a coarse grid (so IoUs often tie or land exactly on thresholds),
    scores are often drawn from a few values (ties within and across images), ~15% of
    the ground truth is crowd, some ``area`` fields differ from w * h or sit exactly on
    32**2 and 96**2, some boxes have zero width, some detections carry the wrong
    category, and every fifth case has an image with more than 100 detections.
    """
    rng = np.random.default_rng(seed)
    n_images, n_categories = (rng.integers(15, 41), rng.integers(3, 9)) if big else (rng.integers(1, 9), rng.integers(1, 5))
    image_ids = (rng.choice(500, int(n_images), replace=False) + 1).tolist()
    category_ids = (rng.choice(90, int(n_categories), replace=False) + 1).tolist()
    scale = float(rng.choice([1, 2, 4, 8]))
    score_pool = np.round(rng.random(5), 2)

    def box():
        x, y = rng.integers(0, 40, 2) * scale
        w, h = rng.integers(0, 16, 2) * scale
        return [float(x), float(y), float(w), float(h)]

    def score():
        return float(rng.choice(score_pool)) if rng.random() < 0.4 else float(rng.random())

    annotations, detections = [], []
    next_id = int(rng.integers(1, 50))
    for image_id in image_ids:
        for category_id in category_ids:
            for _ in range(int(rng.integers(0, 6))):
                bbox = box()
                u = rng.random()
                if u < 0.7:
                    area = bbox[2] * bbox[3]
                elif u < 0.85:
                    area = float(rng.choice([0, 32**2, 96**2, 32**2 + 1]))
                else:
                    area = float(rng.random() * 20000)
                annotation = {"id": next_id, "image_id": image_id, "category_id": category_id,
                              "bbox": bbox, "area": area, "iscrowd": int(rng.random() < 0.15)}
                if rng.random() < 0.1:
                    annotation["ignore"] = 1  # pycocotools overwrites this with iscrowd
                annotations.append(annotation)
                next_id += int(rng.integers(1, 4))
                for _ in range(int(rng.integers(0, 4))):  # near copies: true positives and duplicates
                    jitter = (rng.integers(-2, 3, 4) * scale / 2).tolist()
                    near = [bbox[0] + jitter[0], bbox[1] + jitter[1],
                            max(0.0, bbox[2] + jitter[2]), max(0.0, bbox[3] + jitter[3])]
                    category = category_id if rng.random() < 0.9 else int(rng.choice(category_ids))
                    detections.append({"image_id": image_id, "category_id": category, "bbox": near, "score": score()})
            for _ in range(int(rng.integers(0, 5))):  # false positives
                detections.append({"image_id": image_id, "category_id": category_id, "bbox": box(), "score": score()})
    if seed % 5 == 0:
        for _ in range(int(rng.integers(100, 180))):
            detections.append({"image_id": image_ids[0], "category_id": category_ids[0], "bbox": box(), "score": score()})
    gt = {
        "images": [{"id": i} for i in rng.permutation(image_ids).tolist()],
        "categories": [{"id": c, "name": str(c)} for c in category_ids],
        "annotations": [annotations[i] for i in rng.permutation(len(annotations))],
    }
    return gt, [detections[i] for i in rng.permutation(len(detections))]


# --------------------------------------------------------------------------- randomised comparisons
@pytest.mark.parametrize("seed", range(40))
def test_random_cases_match_pycocotools(seed):
    gt, dt = random_case(seed)
    assert_same_as_pycocotools(gt, dt)


@pytest.mark.parametrize("seed", range(100, 106))
def test_larger_random_cases_match_pycocotools(seed):
    gt, dt = random_case(seed, big=True)
    assert_same_as_pycocotools(gt, dt)


CUSTOM_OPTIONS = [
    {"iou_thresholds": [0.1, 0.5, 0.9, 1.0]},
    {"max_dets": (1, 3, 20)},
    {"max_dets": (5, 10, 100, 300)},
    {"area_ranges": {"all": (0, 1e10), "small": (0, 400), "medium": (400, 2500), "large": (2500, 1e10)}},
    {"area_ranges": {"all": (0, 1e10), "tiny": (0, 64)}},
    {"recall_thresholds": np.linspace(0, 1, 11)},
]


@pytest.mark.parametrize("seed", range(40, 52))
def test_random_cases_with_custom_options_match_pycocotools(seed):
    gt, dt = random_case(seed)
    assert_same_as_pycocotools(gt, dt, **CUSTOM_OPTIONS[seed % len(CUSTOM_OPTIONS)])


def test_fewer_than_three_max_dets():
    # pycocotools' accumulate works with maxDets=[100] but its summarize fails; the
    # arrays must agree, and the summary entries needing positions 1 and 2 are -1.
    gt, dt = random_case(11)
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = copy.deepcopy(gt)
        coco_gt.createIndex()
        reference = COCOeval(coco_gt, coco_gt.loadRes(copy.deepcopy(dt)), "bbox")
        reference.params.maxDets = [100]
        reference.evaluate()
        reference.accumulate()
    result = coco_evaluate(gt, dt, max_dets=[100])
    assert np.array_equal(result.precision, reference.eval["precision"])
    assert np.array_equal(result.recall, reference.eval["recall"])
    assert np.array_equal(result.scores, reference.eval["scores"])
    precision_all, recall_all = result.precision[:, :, :, 0, 0], result.recall[:, :, 0, 0]  # area "all"
    assert result.stats[0] == np.mean(precision_all[precision_all > -1])  # AP asks for 100 by value
    assert result.stats[6] == np.mean(recall_all[recall_all > -1])  # AR at position 0, i.e. 100
    assert np.all(result.stats[[1, 2, 3, 4, 5, 7, 8, 9, 10, 11]] == -1)
    assert "maxDets=  -" in result.summary()


def test_summary_text_matches_pycocotools_printout():
    gt, dt = random_case(3)
    result, _, printed = assert_same_as_pycocotools(gt, dt)
    assert result.summary().splitlines() == printed.splitlines()


def test_inputs_are_not_modified():
    gt, dt = random_case(7)
    gt_before, dt_before = copy.deepcopy(gt), copy.deepcopy(dt)
    coco_evaluate(gt, dt)
    assert gt == gt_before and dt == dt_before


# --------------------------------------------------------------------------- the tricky cases
def test_perfect_detections_give_ap_one():
    boxes = [[0, 0, 10, 10], [20, 20, 40, 40], [50, 0, 100, 120], [0, 60, 200, 100]]  # small..large
    gt = make_gt([(1 + n % 2, 1 + n % 3, b) for n, b in enumerate(boxes)], image_ids=(1, 2), category_ids=(1, 2, 3))
    dt = make_dt([(1 + n % 2, 1 + n % 3, b, 0.9) for n, b in enumerate(boxes)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # Precision is TP / (TP + FP + eps) in pycocotools, so "1" is 1 / (1 + eps).
    defined = result.stats[result.stats > -1]
    assert defined == pytest.approx(np.ones_like(defined), abs=1e-12)
    assert len(defined) == 12  # the boxes cover small, medium and large


def test_recall_landing_exactly_on_a_recall_threshold():
    # 20 objects, the 7 best detections hit 7 of them, then 5 misses: recall ends at 7/20.
    boxes = [[30 * n, 0, 20, 20] for n in range(20)]
    gt = make_gt([(1, 1, b) for b in boxes])
    dt = make_dt([(1, 1, boxes[n], 1.0 - n / 100) for n in range(7)]
                 + [(1, 1, [30 * n + 5, 100, 20, 20], 0.5) for n in range(5)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert result.recall[0, 0, 0, 2] == 7 / 20
    # pycocotools' recall levels come from np.linspace: level 35 is 0.35000000000000003,
    # just above 7/20, so it is *not* reached; levels 0..34 are, with precision 1.
    levels = result.precision[0, :, 0, 0, 2]
    assert np.all(levels[:35] == 1.0) and np.all(levels[35:] == 0.0)


@pytest.mark.parametrize(
    "width, n_thresholds_matched",
    [
        (50, 1),  # IoU 5000/10000 = 0.5: matched at 0.50 only (>= is enough)
        (75, 6),  # IoU 0.75: matched at 0.50 ... 0.75
        (90, 9),  # IoU 0.9: the 9th threshold is np.linspace's 0.8999999999999999, so 0.9 passes it
    ],
)
def test_iou_exactly_on_a_threshold(width, n_thresholds_matched):
    gt = make_gt([(1, 1, [0, 0, 100, 100])])
    dt = make_dt([(1, 1, [0, 0, width, 100], 0.8)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    expected = [1.0] * n_thresholds_matched + [0.0] * (10 - n_thresholds_matched)
    assert result.recall[:, 0, 0, 2].tolist() == expected


def test_equal_iou_with_two_ground_truths_goes_to_the_later_one():
    # The first detection overlaps A and B by 90/110 each; it takes B (the later one).
    # The second detection equals A (IoU 1) and takes A. So both objects are found at
    # every threshold up to 0.80 (< 90/110); above that only A is.
    # (Had the tie gone to A, the second detection would take B only while
    #  IoU(A, B) = 80/120 = 0.67 passes, and recall would drop to 1/2 from 0.70.)
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (1, 1, [2, 0, 10, 10])])
    dt = make_dt([(1, 1, [1, 0, 10, 10], 0.9), (1, 1, [0, 0, 10, 10], 0.8)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert result.recall[:, 0, 0, 2].tolist() == [1.0] * 7 + [0.5] * 3


def test_crowd_only_category_is_undefined_and_crowd_matches_are_ignored():
    # Category 2 has only a crowd region; many detections inside it are all ignored.
    gt = make_gt([(1, 1, [0, 0, 20, 20]), (1, 2, [0, 0, 200, 200], 40000, 1)], category_ids=(1, 2))
    dt = make_dt([(1, 1, [0, 0, 20, 20], 0.9)] + [(1, 2, [10 * n, 10 * n, 30, 30], 0.5 + n / 100) for n in range(5)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert np.all(result.precision[:, :, 1] == -1) and np.all(result.recall[:, 1] == -1)
    assert np.all(result.recall[:, 0, 0, :] == 1.0)


def test_crowd_region_can_be_matched_many_times_next_to_real_objects():
    # One real object and a crowd region around it; the crowd's IoU uses the detection's area.
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (1, 1, [0, 0, 100, 100], 10000, 1)])
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9), (1, 1, [1, 0, 10, 10], 0.8), (1, 1, [50, 50, 10, 10], 0.7)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # The duplicate and the far detection both fall in the crowd: ignored, so precision stays 1.
    assert result.precision[:, :, 0, 0, 2].ravel() == pytest.approx(np.ones(10 * 101), abs=1e-12)


def test_areas_exactly_32_squared_and_96_squared_are_in_both_neighbouring_ranges():
    gt = make_gt([(1, 1, [0, 0, 32, 32]), (1, 1, [100, 100, 96, 96])])
    dt = make_dt([(1, 1, [0, 0, 32, 32], 0.9), (1, 1, [100, 100, 96, 96], 0.8)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # all, small, medium, large: small holds the 32x32, large the 96x96, medium both.
    assert result.recall[0, 0, :, 2].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert result.stats[3:6] == pytest.approx([1.0, 1.0, 1.0], abs=1e-12)


def test_area_field_not_box_area_decides_the_size_class():
    # A 10x10 box annotated with area 5000: medium, not small.
    gt = make_gt([(1, 1, [0, 0, 10, 10], 5000)])
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert result.recall[0, 0, :, 2].tolist() == [1.0, -1.0, 1.0, -1.0]


def test_images_with_detections_but_no_ground_truth():
    gt = make_gt([(1, 1, [0, 0, 10, 10])], image_ids=(1, 2, 3))
    dt = make_dt([(2, 1, [0, 0, 10, 10], 0.95), (3, 1, [5, 5, 10, 10], 0.3), (1, 1, [0, 0, 10, 10], 0.5)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # Ranked: FP (0.95), TP (0.5), FP (0.3): precision 1/2 at recall 1.
    assert result.precision[0, -1, 0, 0, 2] == pytest.approx(1 / 2)


def test_categories_with_only_detections_or_only_ground_truth():
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (1, 2, [0, 0, 10, 10])], category_ids=(1, 2, 3))
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9), (1, 3, [0, 0, 10, 10], 0.9)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert np.all(result.recall[:, 1, 0] == 0.0)  # category 2: objects, no detections
    assert np.all(result.precision[:, :, 1, 0] == 0.0)
    assert np.all(result.recall[:, 2] == -1.0)  # category 3: detections, no objects


def test_score_ties_within_and_across_images_keep_pycocotools_order():
    # With equal scores the ranking is by image id, then by position in the result
    # list. The true positive on image 2 comes first in the list, but image 1 is
    # ranked first, and there the false positive is listed before the true positive.
    gt = make_gt([(2, 1, [0, 0, 10, 10]), (1, 1, [50, 50, 10, 10])], image_ids=(2, 1))
    dt = make_dt([
        (2, 1, [0, 0, 10, 10], 0.5),    # TP, image 2
        (1, 1, [0, 0, 10, 10], 0.5),    # FP, image 1
        (1, 1, [50, 50, 10, 10], 0.5),  # TP, image 1
    ])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # Ranked FP, TP, TP: precision 0, 1/2, 2/3, so the envelope is 2/3 at every
    # recall level. (In list order, TP FP TP, it would be 1 up to recall 1/2.)
    assert result.precision[0, [0, 50, 100], 0, 0, 2] == pytest.approx([2 / 3] * 3)


def test_more_than_100_detections_per_image_are_cut_per_image():
    # 120 confident false positives, then the one true positive: it is rank 121 and is cut.
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (2, 1, [0, 0, 10, 10])], image_ids=(1, 2))
    dt = make_dt([(1, 1, [200 + n, 200, 10, 10], 0.9) for n in range(120)]
                 + [(1, 1, [0, 0, 10, 10], 0.1), (2, 1, [0, 0, 10, 10], 0.05)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    # Image 2's true positive counts at every budget; image 1's never (maxDets 1, 10, 100).
    assert result.recall[0, 0, 0].tolist() == [0.5, 0.5, 0.5]
    result_300 = assert_same_as_pycocotools(gt, dt, max_dets=(1, 10, 300))[0]
    assert result_300.recall[0, 0, 0, 2] == 1.0


def test_zero_width_boxes_give_no_nan():
    gt = make_gt([(1, 1, [0, 0, 0, 10], 0), (1, 1, [20, 20, 10, 10])])
    dt = make_dt([(1, 1, [0, 0, 0, 10], 0.9), (1, 1, [20, 20, 0, 0], 0.8), (1, 1, [20, 20, 10, 10], 0.7)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert not np.isnan(result.precision).any() and not np.isnan(result.stats).any()
    assert result.recall[0, 0, 0, 2] == 0.5  # the zero-width object cannot be found


def test_empty_detection_list():
    # Compared with pycocotools given an empty detection COCO object (see run_pycocotools).
    gt = make_gt([(1, 1, [0, 0, 10, 10])], category_ids=(1, 2))
    result, _, _ = assert_same_as_pycocotools(gt, [])
    assert np.all(result.recall[:, 0, 0] == 0.0) and np.all(result.recall[:, 1] == -1.0)
    assert result.stats[0] == 0.0


def test_ignore_field_is_overwritten_by_iscrowd_as_in_pycocotools():
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (1, 1, [50, 50, 10, 10])])
    gt["annotations"][0]["ignore"] = 1  # has no effect: iscrowd is 0
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert result.recall[0, 0, 0, 2] == 0.5


def test_ground_truth_without_annotations():
    gt = make_gt([], category_ids=(1, 2))
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9)])
    result, _, _ = assert_same_as_pycocotools(gt, dt)
    assert np.all(result.stats == -1)


def test_per_category_ap():
    gt = make_gt([(1, 1, [0, 0, 10, 10]), (1, 2, [0, 0, 10, 10])], category_ids=(1, 2, 5))
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.9)])
    assert coco_evaluate(gt, dt).ap_per_category() == pytest.approx({1: 1.0, 2: 0.0, 5: -1.0}, abs=1e-12)


# --------------------------------------------------------------------------- bad input
GOOD_GT = make_gt([(1, 1, [0, 0, 10, 10])], image_ids=(1, 42), category_ids=(1, 2))
GOOD_DT = make_dt([(1, 1, [0, 0, 10, 10], 0.9), (42, 2, [0, 0, 5, 5], 0.3)])


def with_detection(**changes):
    dt = copy.deepcopy(GOOD_DT)
    dt[1].update(changes)
    return dt


def with_annotation(**changes):
    gt = copy.deepcopy(GOOD_GT)
    gt["annotations"][0].update(changes)
    return gt


@pytest.mark.parametrize(
    "dt, error, message",
    [
        (with_detection(bbox=[0, 0, -3.0, 5]), ValueError,
         r"dt\[1\] \(image_id=42\): bbox has negative width -3\.0; expected \[x, y, w, h\] with w >= 0 and h >= 0"),
        (with_detection(bbox=[0, 0, 3, -1]), ValueError, r"dt\[1\] \(image_id=42\): bbox has negative height -1"),
        (with_detection(bbox=[0, float("nan"), 3, 1]), ValueError, r"dt\[1\] .*bbox .*non-finite"),
        (with_detection(bbox=[0, 0, 3]), ValueError, r"dt\[1\] .*bbox must have 4 numbers"),
        (with_detection(bbox="0 0 3 3"), TypeError, r"dt\[1\] .*bbox must be a list"),
        (with_detection(image_id=7), ValueError, r"dt\[1\] \(image_id=7\): image_id 7 is not in gt\['images'\]"),
        (with_detection(image_id="42"), TypeError, r"dt\[1\] .*image_id must be an integer"),
        (with_detection(category_id=99), ValueError, r"dt\[1\] .*category_id 99 is not in gt\['categories'\]"),
        (with_detection(score=float("nan")), ValueError, r"dt\[1\] \(image_id=42\): score is nan; expected a finite number"),
        (with_detection(score=float("inf")), ValueError, r"dt\[1\] .*score is inf"),
        (with_detection(score="high"), TypeError, r"dt\[1\] .*score must be a number"),
        ([GOOD_DT[0], {"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}], ValueError,
         r"dt\[1\] \(image_id=1\): missing field 'score'"),
        ([GOOD_DT[0], [1, 1, [0, 0, 1, 1], 0.5]], TypeError, r"dt\[1\]: expected a dict"),
        ({"image_id": 1}, TypeError, r"dt must be a list of detection dicts"),
    ],
)
def test_bad_detections_are_named(dt, error, message):
    with pytest.raises(error, match=message):
        coco_evaluate(GOOD_GT, dt)


def test_bad_detection_is_named_by_its_position_in_a_long_list():
    dt = make_dt([(1, 1, [0, 0, 10, 10], 0.5)] * 17 + [(42, 1, [0, 0, -3.0, 10], 0.5)])
    with pytest.raises(ValueError, match=r"^dt\[17\] \(image_id=42\): bbox has negative width -3\.0"):
        coco_evaluate(GOOD_GT, dt)


@pytest.mark.parametrize(
    "gt, error, message",
    [
        (with_annotation(id=0), ValueError, r"gt\['annotations'\]\[0\] \(id=0\): annotation ids must be positive"),
        (with_annotation(id=-4), ValueError, r"gt\['annotations'\]\[0\] \(id=-4\): annotation ids must be positive"),
        (with_annotation(id=1.5), TypeError, r"gt\['annotations'\]\[0\] \(id=1\.5\): id must be an integer"),
        (with_annotation(image_id=5), ValueError, r"gt\['annotations'\]\[0\] .*image_id 5 is not in gt\['images'\]"),
        (with_annotation(category_id=3), ValueError, r"gt\['annotations'\]\[0\] .*category_id 3 is not in gt\['categories'\]"),
        (with_annotation(bbox=[0, 0, -1, 2]), ValueError, r"gt\['annotations'\]\[0\] \(id=1\): bbox has negative width -1"),
        (with_annotation(area=-5), ValueError, r"gt\['annotations'\]\[0\] \(id=1\): area is -5\.0; expected a number >= 0"),
        (with_annotation(area=float("nan")), ValueError, r"gt\['annotations'\]\[0\] \(id=1\): area is nan"),
        (with_annotation(iscrowd=2), ValueError, r"gt\['annotations'\]\[0\] \(id=1\): iscrowd must be 0 or 1, got 2"),
        ({**GOOD_GT, "images": [{"id": 1}, {"id": 1}]}, ValueError, r"gt\['images'\]\[1\]: image id 1 is used more than once"),
        ({**GOOD_GT, "categories": [{"name": "cat"}]}, ValueError, r"gt\['categories'\]\[0\]: missing field 'id'"),
        ({k: v for k, v in GOOD_GT.items() if k != "annotations"}, ValueError, r"gt is missing the 'annotations' list"),
        ([GOOD_GT], TypeError, r"gt must be a COCO-format dict"),
    ],
)
def test_bad_ground_truth_is_named(gt, error, message):
    with pytest.raises(error, match=message):
        coco_evaluate(gt, GOOD_DT)


def test_missing_and_duplicate_annotation_fields():
    gt = copy.deepcopy(GOOD_GT)
    del gt["annotations"][0]["area"]
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[0\] \(id=1\): missing field 'area'"):
        coco_evaluate(gt, GOOD_DT)
    gt = copy.deepcopy(GOOD_GT)
    gt["annotations"].append(dict(gt["annotations"][0]))
    with pytest.raises(ValueError, match=r"gt\['annotations'\]\[1\] \(id=1\): duplicate annotation id 1 \(also used by gt\['annotations'\]\[0\]\)"):
        coco_evaluate(gt, GOOD_DT)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"iou_thresholds": [0.5, 1.2]}, r"iou_thresholds must be .* in \[0, 1\]"),
        ({"iou_thresholds": []}, r"iou_thresholds is empty"),
        ({"recall_thresholds": [0.5, 0.2]}, r"recall_thresholds must be increasing, got \[0\.5, 0\.2\]"),
        ({"max_dets": (1, 0)}, r"max_dets\[1\] must be an int >= 1, got 0"),
        ({"max_dets": (10, 10)}, r"max_dets must be distinct, got \[10, 10\]"),
        ({"area_ranges": {"all": (10, 5)}}, r"area_ranges\['all'\] .*min_area must be <= max_area"),
        ({"area_ranges": {"all": (0, 1, 2)}}, r"area_ranges\['all'\] must be a pair"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        coco_evaluate(GOOD_GT, GOOD_DT, **options)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"area_ranges": {"all": 5}}, r"area_ranges\['all'\] must be a pair \(min_area, max_area\), got int 5"),
        ({"iou_thresholds": "0.5"}, r"iou_thresholds must be an array of numbers, got the string '0\.5'"),
        ({"max_dets": "100"}, r"max_dets must be positive ints"),
        ({"max_dets": (1, 10.0)}, r"max_dets\[1\] must be an int >= 1, got float 10\.0"),
        ({"area_ranges": {"all": ("0", "1")}}, r"area_ranges\['all'\] min_area must be a real number"),
    ],
)
def test_options_of_the_wrong_type(options, message):
    with pytest.raises(TypeError, match=message):
        coco_evaluate(GOOD_GT, GOOD_DT, **options)


def test_numpy_integers_are_valid_max_dets():
    reference = coco_evaluate(GOOD_GT, GOOD_DT, max_dets=(1, 10, 100)).stats
    for max_dets in (np.array([1, 10, 100]), [np.int64(1), np.int32(10), np.array([5, 100])[1]]):
        np.testing.assert_array_equal(coco_evaluate(GOOD_GT, GOOD_DT, max_dets=max_dets).stats, reference)
    one = coco_evaluate(GOOD_GT, GOOD_DT, max_dets=np.int64(100))
    assert one.max_dets == (100,)


def test_default_area_ranges_are_pycocotools_values():
    assert COCO_AREA_RANGES == {"all": (0, 1e10), "small": (0, 1024), "medium": (1024, 9216), "large": (9216, 1e10)}
