"""error_breakdown: hand-computed cases for every error type, COCO's AP50 exactly, and
tidecv (TIDE's own code) as the reference where the definitions agree."""
from __future__ import annotations

import copy

import numpy as np
import pytest
from tidecv import TIDE, Data

from helpers.detection import ERROR_TYPES, coco_evaluate, error_breakdown

A, B = [0, 0, 10, 10], [20, 20, 10, 10]  # two objects, xywh
FAR = [40, 0, 10, 10]
LOOSE_A = [0, 0, 10, 30]  # IoU 1/3 with A
LESS_LOOSE_A = [0, 0, 10, 25]  # IoU 0.4 with A
NEARLY_A = [0, 0, 10, 11]  # IoU 10/11 with A
NOWHERE = [60, 60, 10, 10]
HALF = 51 / 101  # COCO AP when the first object is found at precision 1 and the second never


def make_gt(objects, categories=(1,), image_ids=(1,)):
    """objects: (category_id, bbox[, image_id[, iscrowd]])."""
    annotations = []
    for n, item in enumerate(objects, start=1):
        category, bbox = item[:2]
        image = item[2] if len(item) > 2 else 1
        crowd = item[3] if len(item) > 3 else 0
        annotations.append({"id": n, "image_id": image, "category_id": category, "bbox": list(bbox),
                            "area": float(bbox[2] * bbox[3]), "iscrowd": crowd})
    return {"images": [{"id": i} for i in image_ids], "categories": [{"id": c} for c in categories],
            "annotations": annotations}


def make_dt(detections):
    """detections: (category_id, bbox, score[, image_id])."""
    return [{"image_id": item[3] if len(item) > 3 else 1, "category_id": item[0],
             "bbox": list(item[1]), "score": item[2]} for item in detections]


def only(result, **nonzero):
    """Every dAP is 0 except those given (compared to 1e-12)."""
    for name in ERROR_TYPES:
        assert result.delta_ap[name] == pytest.approx(nonzero.get(name, 0.0), abs=1e-12), name


# --------------------------------------------------------------------------- each type by hand
def test_localization_error_is_fixed_by_making_it_a_true_positive():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, B, 0.9), (1, LOOSE_A, 0.8)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "localization"]
    assert list(result.detection_target) == [1, 0]
    assert result.ap == pytest.approx(HALF)
    only(result, localization=1 - HALF)
    assert result.counts["localization"] == 1 and result.counts["missed"] == 0
    assert not result.missed.any()  # A is pointed at by the localization error
    assert result.special_delta_ap["false_positives"] == pytest.approx(0.0)
    assert result.special_delta_ap["false_negatives"] == pytest.approx(1 - HALF)


def test_classification_error_is_relabelled_into_the_right_class():
    gt = make_gt([(1, A), (2, B)], categories=(1, 2))
    dt = make_dt([(2, B, 0.9), (2, A, 0.8)])  # the right box of A, called class 2
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "classification"]
    assert result.detection_target[1] == 0
    assert result.ap == pytest.approx(0.5)  # class 1: 0, class 2: 1
    only(result, classification=0.5)
    assert result.counts["missed"] == 0


def test_duplicate_is_removed():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, A, 0.9), (1, NEARLY_A, 0.8), (1, B, 0.7)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "duplicate", "true_positive"]
    assert result.detection_target[1] == 0
    base = (51 + 50 * 2 / 3) / 101  # precision 1 up to recall 0.5, then 2/3
    assert result.ap == pytest.approx(base)
    only(result, duplicate=1 - base)


def test_background_error_is_removed():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, A, 0.9), (1, NOWHERE, 0.8), (1, B, 0.7)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "background", "true_positive"]
    assert result.detection_target[1] == -1
    only(result, background=1 - (51 + 50 * 2 / 3) / 101)
    assert result.special_delta_ap["false_positives"] == pytest.approx(1 - (51 + 50 * 2 / 3) / 101)


def test_both_wrong_class_and_loose_box():
    gt = make_gt([(1, A), (1, B), (2, FAR)], categories=(1, 2))
    dt = make_dt([(1, A, 0.9), (1, B, 0.85), (2, LOOSE_A, 0.8), (2, FAR, 0.7)])
    result = error_breakdown(gt, dt)
    assert result.detection_kind[2] == "both"
    assert result.ap == pytest.approx(0.75)  # class 1: 1; class 2: precision 1/2 throughout
    only(result, both=0.25)


def test_missed_object_is_removed_from_the_count():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, A, 0.9)])
    result = error_breakdown(gt, dt)
    assert list(result.missed) == [False, True]
    assert result.counts["missed"] == 1
    only(result, missed=1 - HALF)
    assert result.special_delta_ap["false_negatives"] == pytest.approx(1 - HALF)


def test_background_threshold_splits_background_from_both_and_localization():
    gt = make_gt([(1, A)])
    sliver = [9, 0, 10, 10]  # IoU 10 / 190 = 0.053 with A
    assert error_breakdown(gt, make_dt([(1, sliver, 0.5)])).detection_kind[0] == "background"
    assert error_breakdown(gt, make_dt([(1, sliver, 0.5)]),
                           background_threshold=0.05).detection_kind[0] == "localization"


def test_iou_threshold_moves_a_detection_between_true_positive_and_localization():
    gt = make_gt([(1, A)])
    dt = make_dt([(1, LESS_LOOSE_A, 0.5)])  # IoU 0.4
    assert error_breakdown(gt, dt).detection_kind[0] == "localization"
    assert error_breakdown(gt, dt, iou_threshold=0.4).detection_kind[0] == "true_positive"


def test_only_the_best_scored_error_pointing_at_a_free_object_is_promoted():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, B, 0.9), (1, LOOSE_A, 0.8), (1, LESS_LOOSE_A, 0.7)])
    result = error_breakdown(gt, dt)
    assert result.counts["localization"] == 2
    assert list(result.detection_target) == [1, 0, 0]
    # one becomes the true positive of A, the other is removed: AP 1, not more
    only(result, localization=1 - HALF)


def test_classification_and_localization_errors_compete_for_the_same_object():
    gt = make_gt([(1, A), (2, FAR)], categories=(1, 2))
    dt = make_dt([(2, FAR, 0.95), (2, A, 0.9), (1, LOOSE_A, 0.8)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "classification", "localization"]
    assert result.ap == pytest.approx(0.5)
    # the classification error scores higher, so it is the one that may take A:
    # fixing localization alone removes the loose box and gains nothing
    only(result, classification=0.5)


def test_a_loose_box_on_an_object_already_taken_is_removed_by_the_fix():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, LOOSE_A, 0.9), (1, A, 0.8), (1, B, 0.7)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["localization", "true_positive", "true_positive"]
    assert result.detection_target[0] == 0  # A, already taken by the second detection
    # precision 0, 1/2, 2/3 at recall 0, 1/2, 1: the envelope is 2/3 at every level
    assert result.ap == pytest.approx(2 / 3)
    only(result, localization=1 / 3)


# --------------------------------------------------------------------------- bookkeeping
def test_crowd_matches_are_ignored_not_errors():
    gt = make_gt([(1, A), (1, [30, 30, 30, 30], 1, 1)])
    dt = make_dt([(1, A, 0.9), (1, [35, 35, 10, 10], 0.8)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "ignored"]
    assert result.ap == pytest.approx(1.0)
    assert sum(result.counts.values()) == 0
    assert not result.missed[1]  # a crowd region is never missed


def test_detections_beyond_max_dets_are_not_evaluated():
    gt = make_gt([(1, A)])
    dt = make_dt([(1, NOWHERE, 0.3), (1, A, 0.9), (1, LOOSE_A, 0.5)])
    result = error_breakdown(gt, dt, max_dets=2)
    assert list(result.detection_kind) == ["beyond_max_dets", "true_positive", "localization"]


def test_image_without_objects_gives_background_errors():
    gt = make_gt([(1, A)], image_ids=(1, 2))
    dt = make_dt([(1, A, 0.9), (1, A, 0.95, 2)])
    result = error_breakdown(gt, dt)
    assert list(result.detection_kind) == ["true_positive", "background"]
    assert result.ap == pytest.approx(0.5)
    only(result, background=0.5)


def test_no_detections_every_object_missed():
    gt = make_gt([(1, A), (1, B)])
    result = error_breakdown(gt, [])
    assert result.ap == 0.0 and result.counts["missed"] == 2
    assert result.detection_kind.shape == (0,)
    # fixing the misses leaves nothing to score: defined as no gain
    assert result.delta_ap["missed"] == 0.0
    assert all(np.isfinite(list(result.delta_ap.values())))


def test_no_ground_truth_at_all():
    gt = make_gt([])
    result = error_breakdown(gt, make_dt([(1, A, 0.5)]))
    assert result.ap == -1.0
    assert list(result.detection_kind) == ["background"]
    assert all(value == 0.0 for value in result.delta_ap.values())


def test_summary_lists_every_type_with_its_count_and_dap():
    gt = make_gt([(1, A), (1, B)])
    result = error_breakdown(gt, make_dt([(1, B, 0.9), (1, LOOSE_A, 0.8)]))
    text = result.summary()
    assert text.startswith("AP@0.5 = 0.505")
    assert "localization          1    0.495" in text
    for name in ERROR_TYPES:
        assert name in text
    assert str(result) == text


def test_inputs_are_not_modified():
    gt = make_gt([(1, A), (1, B)])
    dt = make_dt([(1, B, 0.9), (1, LOOSE_A, 0.8)])
    before = copy.deepcopy((gt, dt))
    error_breakdown(gt, dt)
    assert (gt, dt) == before


# --------------------------------------------------------------------------- random cases
def random_case(seed, n_images=6, n_categories=3, max_per_category=9, crowd=False):
    """Objects with jittered detections (some relabelled), duplicates and strays.
    At most ``max_per_category`` objects per class."""
    rng = np.random.default_rng(seed)
    annotations, detections = [], []
    per_category = dict.fromkeys(range(1, n_categories + 1), 0)
    for image in range(1, n_images + 1):
        objects = []
        for _ in range(rng.integers(1, 5)):
            category = int(rng.integers(1, n_categories + 1))
            if per_category[category] >= max_per_category:
                continue
            per_category[category] += 1
            x, y = rng.uniform(0, 80, 2)
            w, h = rng.uniform(8, 30, 2)
            is_crowd = int(crowd and rng.random() < 0.15)
            annotations.append({"id": len(annotations) + 1, "image_id": image, "category_id": category,
                                "bbox": [x, y, w, h], "area": w * h, "iscrowd": is_crowd})
            objects.append((category, (x, y, w, h)))
        for category, (x, y, w, h) in objects:
            for _ in range(rng.integers(0, 4)):
                jitter = rng.normal(0, rng.choice([1, 4, 10]), 4)
                label = category if rng.random() < 0.75 else int(rng.integers(1, n_categories + 1))
                detections.append({"image_id": image, "category_id": label,
                                   "bbox": [x + jitter[0], y + jitter[1], max(w + jitter[2], 1),
                                            max(h + jitter[3], 1)],
                                   "score": float(rng.random())})
        for _ in range(rng.integers(0, 3)):
            x, y = rng.uniform(0, 80, 2)
            w, h = rng.uniform(8, 30, 2)
            detections.append({"image_id": image, "category_id": int(rng.integers(1, n_categories + 1)),
                               "bbox": [x, y, w, h], "score": float(rng.random())})
    gt = {"images": [{"id": i} for i in range(1, n_images + 1)],
          "categories": [{"id": c} for c in range(1, n_categories + 1)], "annotations": annotations}
    return gt, detections


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("crowd", [False, True])
def test_ap_is_coco_ap50_exactly(seed, crowd):
    gt, dt = random_case(seed, crowd=crowd)
    result = error_breakdown(gt, dt)
    assert result.ap == coco_evaluate(gt, dt).stats[1]
    at_75 = error_breakdown(gt, dt, iou_threshold=0.75)
    assert at_75.ap == coco_evaluate(gt, dt).stats[2]


@pytest.mark.parametrize("seed", range(12))
def test_every_dap_is_non_negative_and_fixing_everything_is_perfect(seed):
    gt, dt = random_case(seed, crowd=True)
    result = error_breakdown(gt, dt)
    assert all(value >= 0 for value in result.delta_ap.values())
    assert all(value >= 0 for value in result.special_delta_ap.values())
    kinds = result.detection_kind
    assert sum(result.counts[name] for name in ERROR_TYPES[:5]) == np.isin(kinds, ERROR_TYPES[:5]).sum()
    # every non-crowd object is either taken by a true positive, pointed at by a
    # localization/classification error, or missed
    taken = set(result.detection_target[kinds == "true_positive"])
    pointed = set(result.detection_target[np.isin(kinds, ["localization", "classification"])])
    for g, annotation in enumerate(gt["annotations"]):
        if annotation["iscrowd"]:
            continue
        assert result.missed[g] == (g not in taken and g not in pointed)


# --------------------------------------------------------------------------- tidecv
TIDE_NAMES = {"Cls": "classification", "Loc": "localization", "Both": "both",
              "Dupe": "duplicate", "Bkg": "background", "Miss": "missed"}


def run_tide(gt, dt, iou_threshold=0.5, background_threshold=0.1):
    """TIDE's AP, main and special dAPs (as fractions), and the type of each detection."""
    truth, predictions = Data("gt"), Data("dt")
    for image in gt["images"]:
        truth.add_image(image["id"], str(image["id"]))
    for annotation in gt["annotations"]:
        truth.add_ground_truth(annotation["image_id"], annotation["category_id"],
                               [float(v) for v in annotation["bbox"]])
    for detection in dt:
        predictions.add_detection(detection["image_id"], detection["category_id"], detection["score"],
                                  [float(v) for v in detection["bbox"]])
    tide = TIDE(pos_threshold=iou_threshold, background_threshold=background_threshold, mode=TIDE.BOX)
    run = tide.evaluate(truth, predictions, name="run")
    main = {TIDE_NAMES[k]: v / 100 for k, v in tide.get_main_errors()["run"].items()}
    special = {k: v / 100 for k, v in tide.get_special_errors()["run"].items()}
    kinds = {}
    for error in run.errors:
        if hasattr(error, "pred"):
            kinds[error.pred["_id"]] = TIDE_NAMES[error.short_name]
    counts = {TIDE_NAMES[e.short_name]: len(v) for e, v in run.error_dict.items()}
    return run.ap / 100, main, special, kinds, counts


def agreeing_cases(n_wanted, iou_threshold=0.5, background_threshold=0.1):
    """Random cases on which TIDE's definitions and ours agree: every class keeps at least
    one true positive (so no fix empties a class) and at most 9 objects (so no recall
    lands on a level where k / 100 and np.linspace differ, which needs 10, 20, ...)."""
    seed = 0
    while n_wanted:
        gt, dt = random_case(seed, n_images=3 + seed % 6)
        seed += 1
        result = error_breakdown(gt, dt, iou_threshold=iou_threshold,
                                 background_threshold=background_threshold)
        taken = result.detection_target[result.detection_kind == "true_positive"]
        classes = {gt["annotations"][g]["category_id"] for g in taken}
        if classes == {c["id"] for c in gt["categories"]}:
            n_wanted -= 1
            yield gt, dt, result


@pytest.mark.parametrize("case", range(1), ids=["40 random cases"])
def test_same_ap_dap_and_types_as_tidecv(case):
    compared = 0
    for gt, dt, result in agreeing_cases(40):
        ap, main, special, kinds, counts = run_tide(gt, dt)
        assert result.ap == pytest.approx(ap, abs=1e-12)
        for name in ERROR_TYPES:
            assert result.delta_ap[name] == pytest.approx(main[name], abs=1e-12), name
            assert result.counts[name] == counts[name], name
        assert result.special_delta_ap["false_positives"] == pytest.approx(special["FalsePos"], abs=1e-12)
        assert result.special_delta_ap["false_negatives"] == pytest.approx(special["FalseNeg"], abs=1e-12)
        for i, kind in enumerate(result.detection_kind):
            assert kinds.get(i, "true_positive") == kind, (i, kind)
        compared += sum(result.counts.values())
    assert compared > 200  # the cases hold errors of every kind, not just true positives


@pytest.mark.parametrize("fg, bg", [(0.3, 0.05), (0.75, 0.2)])
def test_tidecv_agrees_at_other_thresholds(fg, bg):
    for gt, dt, result in agreeing_cases(10, fg, bg):
        ap, main, special, _, counts = run_tide(gt, dt, fg, bg)
        assert result.ap == pytest.approx(ap, abs=1e-12)
        for name in ERROR_TYPES:
            assert result.counts[name] == counts[name], name
            assert result.delta_ap[name] == pytest.approx(main[name], abs=1e-12), name


def test_where_the_definitions_differ_a_class_emptied_by_the_fix():
    """All of class 2's objects missed and class 2 has a stray detection: TIDE keeps the
    class with AP 0 after the fix, COCO's rule leaves it out of the mean."""
    gt = make_gt([(1, A), (2, FAR)], categories=(1, 2))
    dt = make_dt([(1, A, 0.9), (2, NOWHERE, 0.8)])
    result = error_breakdown(gt, dt)
    _, main, _, _, _ = run_tide(gt, dt)
    assert result.ap == pytest.approx(0.5)
    assert result.delta_ap["missed"] == pytest.approx(0.5)  # class 2 left out: AP 1
    assert main["missed"] == pytest.approx(0.0)  # TIDE: class 2 still averaged in, with AP 0


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("options, error, message", [
    ({"iou_threshold": 0}, ValueError, "iou_threshold must be a finite real number in (0.0, 1.0]"),
    ({"iou_threshold": 1.5}, ValueError, "iou_threshold"),
    ({"iou_threshold": "0.5"}, TypeError, "iou_threshold must be a real number"),
    ({"iou_threshold": True}, TypeError, "iou_threshold"),
    ({"background_threshold": 0.5}, ValueError, "it must lie below iou_threshold"),
    ({"background_threshold": -0.1}, ValueError, "background_threshold"),
    ({"background_threshold": float("nan")}, ValueError, "background_threshold"),
    ({"max_dets": 0}, ValueError, "max_dets must be an int >= 1"),
    ({"max_dets": 10.0}, TypeError, "max_dets must be an int"),
])
def test_bad_options(options, error, message):
    gt = make_gt([(1, A)])
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        error_breakdown(gt, make_dt([(1, A, 0.5)]), **options)


def test_bad_records_are_named():
    gt = make_gt([(1, A)])
    with pytest.raises(ValueError, match=r"dt\[0\] \(image_id=7\): image_id 7 is not in"):
        error_breakdown(gt, make_dt([(1, A, 0.5, 7)]))
    with pytest.raises(TypeError, match="gt must be a COCO-format dict"):
        error_breakdown([], [])


# --------------------------------------------------------------------------- the shared matching
@pytest.mark.parametrize("seed", range(6))
def test_match_detections_names_the_annotation_each_detection_took(seed):
    from helpers.detection.coco import COCO_IOU_THRESHOLDS, match_detections
    from helpers.detection.coco_inputs import read_detections, read_ground_truth
    from helpers.detection.coco_matching import MATCHED, UNMATCHED

    gt, dt = random_case(seed, crowd=True)
    truth = read_ground_truth(gt)
    dets = read_detections(dt, truth)
    bounds = np.array([[0, 1e10], [0, 20**2]])
    matching = match_detections(truth, dets, COCO_IOU_THRESHOLDS, bounds, 100)
    for a in range(2):
        for t, threshold in enumerate(COCO_IOU_THRESHOLDS):
            outcome, taken = matching.outcome[a, t], matching.matched_gt[a, t]
            assert ((outcome == UNMATCHED) == (taken < 0)).all()
            for d, g in zip(matching.det_order[taken >= 0], taken[taken >= 0]):
                assert truth.category_index[g] == dets.category_index[d]
                assert truth.image_index[g] == dets.image_index[d]
                x, y, w, h = dt[d]["bbox"]
                gx, gy, gw, gh = gt["annotations"][g]["bbox"]
                inter = max(0, min(x + w, gx + gw) - max(x, gx)) * max(0, min(y + h, gy + gh) - max(y, gy))
                union = w * h if truth.is_crowd[g] else w * h + gw * gh - inter
                assert inter / union >= min(threshold, 1 - 1e-10) - 1e-12
            real = taken[(outcome == MATCHED)]
            assert len(set(real.tolist())) == len(real)  # a real object is taken once
            assert not truth.is_crowd[real].any() and not matching.gt_ignored[a, real].any()
