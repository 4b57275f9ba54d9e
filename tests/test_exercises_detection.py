"""helpers.exercises, Chapters 11 ("iou_nms") and 12 ("average_precision").

As for the other chapters: the shown solution passes, the placeholder says "not attempted
yet", each typical wrong answer fails with its own message, right answers in other forms
pass, and the references agree with helpers.detection (iou, nms, average_precision,
coco_evaluate) on random inputs.
"""
from __future__ import annotations

import numpy as np
import pytest

import helpers
from exercise_support import (assert_value_mistakes_are_recognised, first_wrong_answer,
                              solution_answer)
from helpers.detection import average_precision, coco_evaluate, error_breakdown, iou, nms, soft_nms
from helpers.exercises import INCORRECT, load
from helpers.exercises import FunctionQuestion

SLUGS = {"iou_nms": "IoU and non-maximum suppression", "average_precision": "Average precision"}
QUESTIONS = [(slug, n) for slug in SLUGS for n in range(1, len(load(slug)) + 1)]


def _question(slug, number):
    return getattr(load(slug), f"q{number}")


# --------------------------------------------------------------------------- every question
@pytest.mark.parametrize("slug", SLUGS)
def test_the_sets_are_registered(slug):
    assert slug in helpers.exercises.chapters()
    ex = load(slug)
    assert len(ex) >= 4 and ex.title == SLUGS[slug]
    assert sum(isinstance(q, FunctionQuestion) for q in ex) >= 2


def _solution_function(question):
    """The shown solution (after its preamble: the NMS question uses the reader's iou)."""
    return solution_answer(question)


# --------------------------------------------------------------------------- wrong answers
def _iou_unclamped(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union else 0.0


def _iou_numpy_no_guard(a, b):
    a, b = np.asarray(a), np.asarray(b)
    w = np.clip(np.minimum(a[2], b[2]) - np.maximum(a[0], b[0]), 0, None)
    h = np.clip(np.minimum(a[3], b[3]) - np.maximum(a[1], b[1]), 0, None)
    union = np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - w * h
    return w * h / union                     # nan for the empty union


def _iou_python_no_guard(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return w * h / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h)


def _iou_plus_one(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    union = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - w * h
    return w * h / union


def _iou_over_sum(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    total = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return w * h / total if total else 0.0


def _iou_over_min(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller else 0.0


def _iou_as_xywh(a, b):
    a = [a[0], a[1], a[0] + a[2], a[1] + a[3]]
    b = [b[0], b[1], b[0] + b[2], b[1] + b[3]]
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union else 0.0


def _pair(a, b):
    return float(iou([a], [b])[0, 0])


def _nms_by_input_order(boxes, scores, t):
    keep = []
    for i in range(len(boxes)):
        if all(_pair(boxes[i], boxes[k]) <= t for k in keep):
            keep.append(i)
    return keep


def _nms_everyone_suppresses(boxes, scores, t):
    order = list(np.argsort(-np.asarray(scores)))
    return [i for r, i in enumerate(order) if all(_pair(boxes[i], boxes[j]) <= t for j in order[:r])]


def _nms_strict(boxes, scores, t):
    keep = []
    for i in np.argsort(-np.asarray(scores)):
        if all(_pair(boxes[i], boxes[k]) < t for k in keep):
            keep.append(int(i))
    return keep


def _nms_index_order(boxes, scores, t):
    return sorted(nms(boxes, scores, t).tolist())


def _nms_ascending(boxes, scores, t):
    keep = []
    for i in np.argsort(np.asarray(scores)):
        if all(_pair(boxes[i], boxes[k]) <= t for k in keep):
            keep.append(int(i))
    return keep


def _pr_by_detections(is_tp, n):
    tp = np.cumsum(np.asarray(is_tp, bool))
    k = np.arange(1, len(tp) + 1)
    return tp / k, tp / np.maximum(len(tp), 1)


def _pr_not_cumulative(is_tp, n):
    hits = np.asarray(is_tp, float)
    return hits, hits / n


def _pr_int_inversion(is_tp, n):
    is_tp = np.asarray(is_tp)
    tp, fp = np.cumsum(is_tp), np.cumsum(~is_tp)
    return tp / (tp + fp), tp / n


def _pr_off_by_one(is_tp, n):
    tp = np.cumsum(np.asarray(is_tp, bool))
    return tp / np.arange(len(tp)), tp / n     # divides the first point by 0


def _pr_swapped(is_tp, n):
    tp = np.cumsum(np.asarray(is_tp, bool))
    return tp / n, tp / np.arange(1, len(tp) + 1)


def _pr_lists(is_tp, n):
    tp = np.cumsum(np.asarray(is_tp, bool))
    return list(tp / np.arange(1, len(tp) + 1)), list(tp / n)


def _ap_raw(r, p):
    return float(np.sum(np.diff(np.concatenate(([0.0], r))) * np.asarray(p)))


def _ap_trapz(r, p):
    r, p = np.asarray(r, float), np.asarray(p, float)
    return float(np.sum(np.diff(r) * (p[1:] + p[:-1]) / 2)) if r.size > 1 else 0.0


def _ap_mean(r, p):
    return float(np.mean(p)) if len(p) else 0.0


def _ap_without_zero(r, p):
    env = np.maximum.accumulate(np.asarray(p, float)[::-1])[::-1]
    return float(np.sum(np.diff(r) * env[1:]))


def _ap_voc07(r, p):
    return average_precision(r, p, "voc07") if len(r) else 0.0


def _ap_coco(r, p):
    return average_precision(r, p, "coco") if len(r) else 0.0


WRONG = [
    # Chapter 11, 1: IoU by hand
    ("iou_nms", 1, 4 / 32, "sum of the two areas"),
    ("iou_nms", 1, 0.25, "over *one* box's area"),
    ("iou_nms", 1, 9 / 41, "added 1"),
    ("iou_nms", 1, 4, "area of the intersection"),
    ("iou_nms", 1, 28, "union's area"),
    ("iou_nms", 1, 9 / 23, "2 x 2 pixels"),
    ("iou_nms", 1, "1/7", "expected a number"),
    # 2: IoU as code
    ("iou_nms", 2, _iou_unclamped, "clip the overlap width and height at 0 *separately*"),
    ("iou_nms", 2, _iou_numpy_no_guard, "0 / 0 = NaN"),
    ("iou_nms", 2, _iou_python_no_guard, "ZeroDivisionError"),
    ("iou_nms", 2, _iou_plus_one, "no + 1"),
    ("iou_nms", 2, _iou_over_sum, "not by the sum of the areas"),
    ("iou_nms", 2, _iou_over_min, "*smaller* box"),
    ("iou_nms", 2, _iou_as_xywh, "not [x, y, w, h]"),
    ("iou_nms", 2, 0.14, "expected a function"),
    # 3: greedy NMS
    ("iou_nms", 3, _nms_by_input_order, "by decreasing score, not in the order they are listed"),
    ("iou_nms", 3, _nms_everyone_suppresses, "a box that was suppressed suppresses nothing"),
    ("iou_nms", 3, _nms_strict, "strictly *above* the threshold"),
    ("iou_nms", 3, _nms_index_order, "not sorted by index"),
    ("iou_nms", 3, _nms_ascending, "start from the *highest* score"),
    # 4: soft-NMS by hand
    ("iou_nms", 4, (0.48, 0.8 * np.exp(-0.72)), "(1 - IoU)"),
    ("iou_nms", 4, (0.32, 0.8 * np.exp(-1.2)), "squares the IoU"),
    ("iou_nms", 4, (0.4, np.exp(-0.72)), "factors alone"),
    ("iou_nms", 4, (0.8 * np.exp(-0.72), 0.32), "(linear, gaussian)"),
    ("iou_nms", 4, (0.0, 0.0), "only lowers it"),
    ("iou_nms", 4, 0.32, "expected 2 values"),
    # 5: the threshold's effect
    ("iou_nms", 5, "a", "suppresses *fewer* boxes"),
    ("iou_nms", 5, "c", "does not move any box"),
    ("iou_nms", 5, "d", "the chapter measured it"),
    ("iou_nms", 5, "e", "not one of the choices"),
    # Chapter 12, 1: the PR points
    ("average_precision", 1, _pr_by_detections, "number of *objects* (TP + FN)"),
    ("average_precision", 1, _pr_not_cumulative, "count cumulatively"),
    ("average_precision", 1, _pr_int_inversion, "~1 is -2"),
    ("average_precision", 1, _pr_swapped, "(precision, recall), in that order"),
    ("average_precision", 1, _pr_off_by_one, "result contains inf"),
    # 2: all-point AP
    ("average_precision", 2, _ap_raw, "interpolate first"),
    ("average_precision", 2, _ap_trapz, "trapezoid"),
    ("average_precision", 2, _ap_mean, "mean precision over the detections"),
    ("average_precision", 2, _ap_without_zero, "prepend 0"),
    ("average_precision", 2, _ap_voc07, "11-point"),
    ("average_precision", 2, _ap_coco, "wrong result on a test input"),
    # 3: AP@[.5:.95] of one box
    ("average_precision", 3, 0.72, "AP is not the IoU"),
    ("average_precision", 3, 1, "that is AP50"),
    ("average_precision", 3, 0, "that is AP75"),
    ("average_precision", 3, 0.4, "five thresholds, not four"),
    ("average_precision", 3, 0.6, "not six"),
    ("average_precision", 3, 50, "not quite"),
    # 4: VOC07 by hand
    ("average_precision", 4, 0.5 + 1 / 3, "all-point AP of VOC 2010+"),
    ("average_precision", 4, (51 + 50 * 2 / 3) / 101, "COCO's 101-point"),
    ("average_precision", 4, (6 + 10 / 3) / 10, "divide by 11, not 10"),
    ("average_precision", 4, (1 + 0.5 + 2 / 3) / 3, "mean of the three precisions"),
    ("average_precision", 4, (5 + 4) / 11, "six levels, not five"),
    # 5: name the error
    ("average_precision", 5, ("both", "duplicate", "classification", "background"),
     "check each 'both'"),
    ("average_precision", 5, ("localization", "localization", "classification", "background"),
     "never a localization error"),
    ("average_precision", 5, ("localization", "duplicate", "localization", "background"),
     "never a localization error"),
    ("average_precision", 5, ("localization", "duplicate", "both", "background"), "check each 'both'"),
    ("average_precision", 5, ("localization", "duplicate", "classification", "localization"),
     "never a localization error"),
    ("average_precision", 5, ("localization", "missed", "classification", "background"),
     "'background'"),   # an unknown word: the five words are listed
    ("average_precision", 5, ("localization", "duplicate", "classification"), "exactly 4 choices"),
    ("average_precision", 5, ("background", "duplicate", "classification", "background"),
     "not all 4 are right"),   # never says which
    ("average_precision", 5, ("loc", "duplicate", "classification", "background"), "'loc'"),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("slug, number, answer, message", WRONG)
def test_typical_wrong_answers_get_the_right_message(slug, number, answer, message):
    question = _question(slug, number)
    first_wrong_answer(question, answer)
    result = question.check(answer)
    assert not result and result.status == INCORRECT
    assert message in str(result), str(result)


def test_every_question_has_tested_wrong_answers():
    assert {(slug, number) for slug, number, _, _ in WRONG} == set(QUESTIONS)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_value_mistake_gets_its_own_message(slug):
    assert_value_mistakes_are_recognised(load(slug))


def test_answers_in_other_forms_are_accepted():
    ch11, ch12 = load("iou_nms"), load("average_precision")
    assert ch11.q1.check(1 / 7) and ch11.q1.check(np.float32(4 / 28))
    assert ch11.q2.check(lambda a, b: float(iou([a], [b])[0, 0]))         # the library's IoU
    assert ch11.q3.check(lambda boxes, scores, t: nms(boxes, scores, t))  # an array, not a list
    assert ch11.q4.check([0.32, 0.8 * np.exp(-0.72)]) and ch11.q5.check(" B ")
    assert ch12.q1.check(_pr_lists)                                       # lists, not arrays
    assert ch12.q2.check(lambda r, p: average_precision(r, p, "voc") if len(r) else 0.0)
    assert ch12.q3.check(0.5) and ch12.q4.check(0.8485)
    assert ch12.q5.check(["Localization", "duplicate ", "classification", "background"])


def _iou_with_epsilon(a, b):
    """The usual implementation: + 1e-7 in the union, against a division by zero."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / (union + 1e-7)


def test_right_answers_at_the_precision_learners_use_are_accepted():
    ch11, ch12 = load("iou_nms"), load("average_precision")
    assert ch11.q2.check(_iou_with_epsilon)
    assert ch11.q4.check((0.32, 0.39))              # the numbers its own text gives
    assert not ch11.q4.check((0.32, 0.38))
    assert ch11.q1.check(0.143) and not ch11.q1.check(0.14)   # 3 figures, not 2
    assert ch12.q4.check(0.848) and ch12.q4.check(0.8485) and not ch12.q4.check(0.85)
    assert ch12.q5.check(("localisation", "dupe", "classification", "background"))


def test_a_fact_is_not_called_an_arithmetic_slip():
    result = load("detection").q1.check(81)
    assert not result and "arithmetic" not in str(result) and "fact" in str(result)


def test_naming_the_errors_never_says_which_word_is_wrong():
    ch12 = load("average_precision")
    for wrong in [("background", "duplicate", "classification", "localization"),
                  ("localization", "duplicate", "background", "background"),
                  ("both", "both", "both", "both")]:
        text = str(ch12.q5.check(wrong))
        assert not ch12.q5.check(wrong)
        assert not any(f"({n})" in text for n in ("i", "ii", "iii", "iv"))
        assert "value " not in text and " of 4" not in text


# --------------------------------------------------------------------------- against helpers.detection
def _random_boxes(rng, n):
    xy = rng.uniform(0, 40, (n, 2))
    wh = rng.uniform(0, 20, (n, 2))
    return np.hstack([xy, xy + wh])


def test_iou_and_nms_references_agree_with_the_library():
    ex = load("iou_nms")
    rng = np.random.default_rng(0)
    for _ in range(20):
        boxes = _random_boxes(rng, 12)
        boxes[0] = boxes[1]                                          # an exact duplicate
        scores = rng.random(12)
        matrix = iou(boxes, boxes)
        looped = np.array([[ex.q2.reference(a, b) for b in boxes] for a in boxes])
        np.testing.assert_allclose(looped, matrix, rtol=1e-12, atol=1e-15)
        for threshold in (0.0, 0.3, 0.5, 0.9):
            assert ex.q3.reference(boxes.tolist(), scores, threshold) == nms(boxes, scores, threshold).tolist()


def test_soft_nms_answer_is_what_soft_nms_does():
    boxes = np.array([[0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]])
    # shift the second box until its IoU with the first is 0.6: overlap 10 * (10 - d), union 10 * (10 + d)
    d = 10 * (1 - 0.6) / (1 + 0.6)
    boxes[1, [0, 2]] += d
    assert iou(boxes[:1], boxes[1:])[0, 0] == pytest.approx(0.6)
    _, linear = soft_nms(boxes, [0.9, 0.8], method="linear", iou_threshold=0.3)
    _, gaussian = soft_nms(boxes, [0.9, 0.8], method="gaussian", sigma=0.5)
    assert load("iou_nms").q4.check((linear[1], gaussian[1]))


def test_pr_and_ap_references_agree_with_the_library():
    ex = load("average_precision")
    rng = np.random.default_rng(1)
    for _ in range(30):
        n_objects = int(rng.integers(1, 8))
        is_tp = rng.random(int(rng.integers(1, 15))) < 0.5
        is_tp[np.cumsum(is_tp) > n_objects] = False                  # never more hits than objects
        precision, recall = ex.q1.reference(is_tp, n_objects)
        ap = ex.q2.reference(recall, precision)
        assert ap == pytest.approx(average_precision(recall, precision, "voc"), abs=1e-12)


def _one_box_case(shift):
    gt = {"images": [{"id": 1}], "categories": [{"id": 1}],
          "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 100, 100],
                           "area": 10000.0, "iscrowd": 0}]}
    dt = [{"image_id": 1, "category_id": 1, "bbox": [shift, 0, 100, 100], "score": 0.9}]
    return gt, dt


def test_one_box_coco_ap_is_what_coco_evaluate_gives():
    # IoU of the box shifted by s: (100 - s) / (100 + s) = 0.72 at s = 28 / 1.72
    gt, dt = _one_box_case(28 / 1.72)
    assert coco_evaluate(gt, dt).stats[0] == pytest.approx(0.5)
    assert load("average_precision").q3.check(coco_evaluate(gt, dt).stats[0])


def test_eleven_point_answer_is_the_library_voc07():
    value = average_precision([0.5, 0.5, 1.0], [1.0, 0.5, 2 / 3], "voc07")
    assert load("average_precision").q4.check(value)


def test_named_errors_are_what_error_breakdown_says():
    boxes = {"triangle": [0, 0, 10, 10], "circle": [20, 0, 10, 10]}
    gt = {"images": [{"id": 1}], "categories": [{"id": 1}, {"id": 2}, {"id": 3}],
          "annotations": [
              {"id": 1, "image_id": 1, "category_id": 3, "bbox": boxes["triangle"], "area": 100.0,
               "iscrowd": 0},
              {"id": 2, "image_id": 1, "category_id": 1, "bbox": boxes["circle"], "area": 100.0,
               "iscrowd": 0}]}
    dt = [
        {"image_id": 1, "category_id": 1, "bbox": boxes["circle"], "score": 0.95},  # takes the circle
        {"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 28], "score": 0.9},   # (i) IoU 0.36
        {"image_id": 1, "category_id": 1, "bbox": [20, 0, 10, 8], "score": 0.8},   # (ii) IoU 0.8
        {"image_id": 1, "category_id": 2, "bbox": boxes["circle"], "score": 0.7},  # (iii) square
        {"image_id": 1, "category_id": 2, "bbox": [50, 50, 8, 8], "score": 0.6},   # (iv) nothing
    ]
    kinds = error_breakdown(gt, dt).detection_kind[1:]
    assert load("average_precision").q5.check(tuple(kinds))
