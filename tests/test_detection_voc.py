"""voc_evaluate on small examples worked out by hand (expected values as fractions)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.detection import voc_evaluate
from helpers.metrics import UndefinedMetricWarning


def worked_example():
    """Two images, classes 1 and 2.

    image 0: G0 = [0, 0, 10, 10] (class 1), G1 = [20, 0, 30, 10] (class 1, difficult)
    image 1: G2 = [0, 0, 10, 10] (class 1), G3 = [50, 50, 60, 60] (class 2)

    Class-1 detections, best first:
      d0 .9  image 0 [0, 0, 10, 10]   IoU 1 with G0                 -> TP
      d1 .8  image 0 [1, 0, 11, 10]   best is G0 (90/110), taken    -> FP (duplicate)
      d2 .7  image 0 [20, 0, 30, 10]  G1, difficult                 -> ignored
      d3 .6  image 1 [0, 0, 10, 20]   IoU 100/200 = 1/2 with G2     -> TP (>= 0.5)
      d4 .5  image 1 [50, 50, 60, 60] only G3 there, of class 2     -> FP
    No class-2 detection.
    """
    return dict(
        gt_boxes=[[[0, 0, 10, 10], [20, 0, 30, 10]], [[0, 0, 10, 10], [50, 50, 60, 60]]],
        gt_labels=[[1, 1], [1, 2]],
        gt_difficult=[[False, True], [False, False]],
        det_boxes=[[[1, 0, 11, 10], [0, 0, 10, 10], [20, 0, 30, 10]], [[50, 50, 60, 60], [0, 0, 10, 20]]],
        det_labels=[[1, 1, 1], [1, 1]],
        det_scores=[[0.8, 0.9, 0.7], [0.5, 0.6]],
    )


def test_worked_example_all_point():
    # Class 1, 2 positives (G1 is difficult); ranked without the ignored d2:
    #   TP FP TP FP -> recall 1/2 1/2 1 1, precision 1 1/2 2/3 1/2.
    # Envelope 1, 2/3, 2/3, 1/2; AP = 1/2 * 1 + 1/2 * 2/3 = 5/6.
    # Class 2: one object, never detected: AP = 0. mAP = (5/6 + 0) / 2 = 5/12.
    result = voc_evaluate(**worked_example(), method="voc")
    assert result.n_positives == {1: 2, 2: 1}
    assert result.recall[1] == pytest.approx([1 / 2, 1 / 2, 1, 1])
    assert result.precision[1] == pytest.approx([1, 1 / 2, 2 / 3, 1 / 2])
    assert result.ap == pytest.approx({1: 5 / 6, 2: 0.0})
    assert result.mean_ap == pytest.approx(5 / 12)


def test_worked_example_eleven_point():
    # Class 1: levels 0 .. 0.5 (6 of them) reach recall 1/2 at envelope 1; levels
    # 0.6 .. 1 (5) need the third point, envelope 2/3: AP = (6 + 5 * 2/3) / 11 = 28/33.
    # mAP = (28/33 + 0) / 2 = 14/33.
    result = voc_evaluate(**worked_example(), method="voc07")
    assert result.ap == pytest.approx({1: 28 / 33, 2: 0.0})
    assert result.mean_ap == pytest.approx(14 / 33)


def test_iou_threshold_is_inclusive():
    # d3 overlaps G2 by exactly 1/2. Just above 0.5 it becomes a false positive:
    # TP FP FP FP -> only recall 1/2 at precision 1 is reached: AP = 1/2.
    assert voc_evaluate(**worked_example(), iou_threshold=0.51).ap[1] == pytest.approx(1 / 2)


def test_without_difficult_flags_the_difficult_object_counts():
    # G1 now counts (3 positives) and d2 is a TP: TP FP TP TP FP,
    # recall 1/3 1/3 2/3 1 1, precision 1 1/2 2/3 3/4 3/5; envelope 1 3/4 3/4 3/4 3/5.
    # AP = 1/3 * 1 + 1/3 * 3/4 + 1/3 * 3/4 = 5/6.
    example = worked_example()
    del example["gt_difficult"]
    result = voc_evaluate(**example)
    assert result.n_positives[1] == 3
    assert result.ap[1] == pytest.approx(5 / 6)
    # 11-point: levels 0 .. 0.3 (4) at envelope 1, levels 0.4 .. 1 (7) at 3/4:
    # AP = (4 + 7 * 3/4) / 11 = 37/44 (with G1 difficult it was 28/33).
    assert voc_evaluate(**example, method="voc07").ap[1] == pytest.approx(37 / 44)


def test_duplicate_does_not_fall_back_to_the_second_best_object():
    # A = [0,0,10,10], B = [2,0,12,10]. Two detections equal to A: both pick A (IoU 1;
    # B would give 80/120), so the second is a FP although B is free. Then one on B.
    # TP FP TP: recall 1/2 1/2 1, precision 1 1/2 2/3: AP = 1/2 + 1/2 * 2/3 = 5/6.
    result = voc_evaluate(
        gt_boxes=[[[0, 0, 10, 10], [2, 0, 12, 10]]], gt_labels=[[0, 0]],
        det_boxes=[[[0, 0, 10, 10], [0, 0, 10, 10], [2, 0, 12, 10]]], det_labels=[[0, 0, 0]],
        det_scores=[[0.9, 0.8, 0.7]],
    )
    assert result.ap[0] == pytest.approx(5 / 6)


def test_equal_scores_keep_input_order():
    # One object; a miss and a hit with equal scores. Miss first: precision 0 then 1/2
    # at recall 1, AP = 1/2. Hit first: AP = 1.
    miss, hit = [50, 50, 60, 60], [0, 0, 10, 10]
    common = dict(gt_boxes=[[hit]], gt_labels=[[3]], det_labels=[[3, 3]], det_scores=[[0.5, 0.5]])
    assert voc_evaluate(det_boxes=[[miss, hit]], **common).ap[3] == pytest.approx(1 / 2)
    assert voc_evaluate(det_boxes=[[hit, miss]], **common).ap[3] == pytest.approx(1.0)


def test_classes_without_positives_are_left_out_never_nan():
    # Class 5 has only a difficult object, class 6 only a detection; class 4 is perfect.
    result = voc_evaluate(
        gt_boxes=[[[0, 0, 10, 10], [20, 20, 30, 30]]], gt_labels=[[4, 5]], gt_difficult=[[0, 1]],
        det_boxes=[[[0, 0, 10, 10], [40, 40, 50, 50]]], det_labels=[[4, 6]], det_scores=[[0.9, 0.8]],
    )
    assert result.ap == {4: 1.0}
    assert set(result.precision) == {4, 5, 6} and set(result.recall) == {4}
    assert result.n_positives == {4: 1, 5: 0, 6: 0}
    assert result.mean_ap == 1.0


@pytest.mark.parametrize("gt_difficult", [None, [[1], []]])
def test_no_ground_truth_in_any_image_is_a_defined_result(gt_difficult):
    # Used to raise IndexError (a difficult-flag lookup into an empty array).
    gt_boxes = [[], []] if gt_difficult is None else [[[0, 0, 5, 5]], []]
    gt_labels = [[], []] if gt_difficult is None else [[0], []]
    with pytest.warns(UndefinedMetricWarning, match="no image has non-difficult ground truth"):
        result = voc_evaluate(
            gt_boxes=gt_boxes, gt_labels=gt_labels, gt_difficult=gt_difficult,
            det_boxes=[[[0, 0, 5, 5]], [[1, 1, 4, 4], [2, 2, 3, 3]]], det_labels=[[0], [0, 1]],
            det_scores=[[0.9], [0.5, 0.4]])
    assert result.ap == {} and result.mean_ap == 0.0
    assert result.n_positives == {0: 0, 1: 0}
    # every detection on a non-difficult nowhere is a false positive
    if gt_difficult is None:
        np.testing.assert_array_equal(result.precision[0], [0.0, 0.0])


def test_empty_images_are_fine():
    result = voc_evaluate(
        gt_boxes=[[], [[0, 0, 5, 5]]], gt_labels=[[], [0]],
        det_boxes=[[[0, 0, 5, 5]], []], det_labels=[[0], []], det_scores=[[0.9], []],
    )
    assert result.ap == {0: 0.0}  # the only detection is on the wrong image


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"method": "coco"}, ValueError, r"method must be one of 'voc07', 'voc', got str 'coco'"),
        ({"iou_threshold": 1.5}, ValueError, r"iou_threshold must be a finite real number in \[0, 1\], got 1\.5"),
        ({"det_scores": [[0.8, 0.9, np.nan], [0.5, 0.6]]}, ValueError, r"det_scores\[0\]\[2\] is nan; expected a finite score"),
        ({"det_labels": [[1, 1], [1, 1]]}, ValueError, r"det_labels\[0\] must have shape \(3,\)"),
        ({"gt_labels": [[1, 1]]}, ValueError, r"gt_labels has 1 entries but gt_boxes has 2 images"),
        ({"gt_labels": [[1.5, 1], [1, 2]]}, ValueError, r"gt_labels\[0\] must be whole-number class indices"),
        ({"det_boxes": [[[1, 0, 0, 10], [0, 0, 10, 10], [20, 0, 30, 10]], [[50, 50, 60, 60], [0, 0, 10, 20]]]},
         ValueError, r"det_boxes\[0\]\[0\] .* negative width -1\.0"),
    ],
)
def test_bad_input(change, error, message):
    with pytest.raises(error, match=message):
        voc_evaluate(**{**worked_example(), **change})
