"""Exercises for Chapter 11, "IoU and non-maximum suppression"."""
from __future__ import annotations

import numpy as np

from .answers import decimals
from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "IoU and non-maximum suppression"


# --------------------------------------------------------------------------- 1. IoU by hand
def _iou_by_hand() -> ValueQuestion:
    return ValueQuestion(
        "the IoU of the boxes [0, 0, 4, 4] and [2, 2, 6, 6] (xyxy pixels), as a number",
        4 / 28, what="a number between 0 and 1",
        hint=["The overlap is the box [2, 2, 4, 4]. What is its area, and what are the two boxes' areas?",
              "The union is area A + area B - intersection: the overlap must not be counted twice."],
        solution="answer = 4 / (16 + 16 - 4)   # intersection 2 x 2; union 16 + 16 - 4 = 28",
        why="Intersection 4, union 28: IoU = 1/7, about 0.14. Two boxes that each share a quarter "
            "of their area have an IoU well below 1/4, because the union is larger than either box.",
        mistakes=[
            Mistake("you divided by the sum of the two areas (32): the overlap is then counted twice. "
                    "The union is 16 + 16 - 4.", wrong=4 / 32),
            Mistake("that is the intersection over *one* box's area (4 / 16), not over the union.",
                    wrong=4 / 16),
            Mistake("you added 1 to every width and height (inclusive pixel indices, as the old VOC "
                    "devkit did): 9 / 41. Here boxes are pixel *edges*: [0, 0, 4, 4] is 4 x 4 pixels.",
                    wrong=9 / 41),
            Mistake("that is the area of the intersection; divide it by the area of the union.",
                    wrong=4.0),
            Mistake("that is the union's area; IoU is the intersection's area divided by it.", wrong=28.0),
            Mistake("the overlap is 2 x 2 pixels, not 3 x 3 (x from 2 to 4, y from 2 to 4).",
                    wrong=9 / 23),
        ])


# --------------------------------------------------------------------------- 2. IoU as code
def _iou_unclamped(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _iou_sum_of_areas(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    total = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return w * h / total if total > 0 else 0.0


def _iou_plus_one(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    inter = w * h
    union = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter
    return inter / union


def _iou_min_area(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


def _iou_xywh_read_as_xyxy(a, b):
    """Treats [x1, y1, x2, y2] as if it were [x, y, w, h]."""
    a = [a[0], a[1], a[0] + a[2], a[1] + a[3]]
    b = [b[0], b[1], b[0] + b[2], b[1] + b[3]]
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _iou_function() -> FunctionQuestion:
    cases = [
        Case(([0.0, 0.0, 4.0, 4.0], [2.0, 2.0, 6.0, 6.0]), note="the boxes of question 1"),
        Case(([0.0, 0.0, 10.0, 10.0], [0.0, 0.0, 10.0, 10.0]), note="a box with itself"),
        Case(([1.0, 1.0, 5.0, 3.0], [2.0, 0.0, 4.0, 8.0]), note="a wide box crossing a tall one"),
        Case(([0.0, 0.0, 2.0, 2.0], [5.0, 5.0, 8.0, 9.0]),
             note="disjoint boxes, apart in x *and* y: both overlaps are negative"),
        Case(([0.0, 0.0, 4.0, 4.0], [4.0, 0.0, 8.0, 4.0]), note="boxes that touch along an edge"),
        Case(([0.0, 0.0, 8.0, 8.0], [2.0, 2.0, 4.0, 4.0]), note="a small box inside a large one"),
        Case(([3.0, 3.0, 3.0, 7.0], [3.0, 3.0, 3.0, 7.0]),
             note="two zero-width boxes: the union is empty, the IoU is 0, not 0 / 0"),
    ]
    return FunctionQuestion(
        "iou(a, b): the IoU of two boxes given as [x1, y1, x2, y2] pixel edges (0 when the union is empty)",
        "iou", cases,
        hint=["The intersection is the box [max(x1), max(y1), min(x2), min(y2)] when it is not empty; "
              "its width is min(x2) - max(x1).",
              "Clip each overlap length at 0: two boxes apart in x *and* y have two negative lengths whose "
              "product is positive. Return 0 when the union has no area."],
        solution='''
            def iou(a, b):
                w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))   # overlap width, 0 if none
                h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))   # overlap height
                inter = w * h
                union = ((a[2] - a[0]) * (a[3] - a[1])
                         + (b[2] - b[0]) * (b[3] - b[1]) - inter)
                return inter / union if union > 0 else 0.0
        ''',
        why="Clipping each overlap length at 0 handles every way two boxes can miss each other, and "
            "guarding the union keeps degenerate boxes from giving NaN.",
        mistakes=[
            Mistake("clip the overlap width and height at 0 *separately*: for boxes apart in x and in y "
                    "both are negative and their product is positive.", wrong=_iou_unclamped),
            Mistake("divide by the union (sum of the areas minus the intersection), not by the sum of "
                    "the areas.", wrong=_iou_sum_of_areas),
            Mistake("no + 1: the coordinates are pixel *edges*, so [0, 0, 4, 4] is 4 pixels wide.",
                    wrong=_iou_plus_one),
            Mistake("that is the intersection over the *smaller* box: a small box inside a large one "
                    "would score 1.", wrong=_iou_min_area),
            Mistake("the boxes are [x1, y1, x2, y2], corners, not [x, y, w, h].",
                    wrong=_iou_xywh_read_as_xyxy),
            Mistake("two zero-area boxes have an empty union: return 0, not 0 / 0 = NaN.",
                    test=lambda got, exp, case: np.isnan(np.asarray(got, dtype=float)).any()),
        ],
        error_advice={ZeroDivisionError: "Boxes with no area have an empty union: return 0 there."})


# --------------------------------------------------------------------------- 3. greedy NMS
def _pair_iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def _nms_input_order(boxes, scores, threshold):
    keep = []
    for i in range(len(boxes)):
        if all(_pair_iou(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def _nms_suppressed_still_suppress(boxes, scores, threshold):
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    for rank, i in enumerate(order):
        if all(_pair_iou(boxes[i], boxes[j]) <= threshold for j in order[:rank]):
            keep.append(i)
    return keep


def _nms_greater_equal(boxes, scores, threshold):
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(_pair_iou(boxes[i], boxes[k]) < threshold for k in keep):
            keep.append(i)
    return keep


def _nms_sorted_indices(boxes, scores, threshold):
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(_pair_iou(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return sorted(keep)


def _nms_ascending(boxes, scores, threshold):
    order = sorted(range(len(boxes)), key=lambda i: scores[i])
    keep = []
    for i in order:
        if all(_pair_iou(boxes[i], boxes[k]) <= threshold for k in keep):
            keep.append(i)
    return keep


def _nms_function() -> FunctionQuestion:
    chain = [[0.0, 0.0, 10.0, 10.0], [3.0, 0.0, 13.0, 10.0], [6.0, 0.0, 16.0, 10.0]]
    cases = [
        Case(([[0.0, 0.0, 10.0, 10.0], [1.0, 0.0, 11.0, 10.0], [20.0, 20.0, 30.0, 30.0]],
              [0.9, 0.8, 0.7], 0.5), note="a duplicate and a separate object"),
        Case(([[1.0, 0.0, 11.0, 10.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 10.0]],
              [0.8, 0.7, 0.9], 0.5), note="the same boxes, not listed by score"),
        Case((chain, [0.9, 0.8, 0.7], 0.5),
             note="a chain: box 1 overlaps boxes 0 and 2 by 0.54, boxes 0 and 2 overlap by 0.25"),
        Case(([[0.0, 0.0, 4.0, 4.0], [0.0, 0.0, 4.0, 12.0]], [0.6, 0.5], 1 / 3),
             note="IoU exactly 1/3, threshold 1/3: only overlaps *above* the threshold suppress"),
        Case(([[0.0, 0.0, 4.0, 4.0], [30.0, 0.0, 34.0, 4.0], [0.0, 30.0, 4.0, 34.0]],
              [0.2, 0.9, 0.5], 0.5), note="three separate boxes: all kept, best score first"),
        Case(([[5.0, 5.0, 9.0, 9.0]], [0.3], 0.5), note="a single box"),
    ]
    return FunctionQuestion(
        "nms(boxes, scores, threshold): greedy NMS; the kept indices as a list, best score first",
        "nms", cases,
        preamble="import numpy as np\n" + _PAIR_IOU_SOURCE,
        hint=["Visit the boxes from the highest score down. Keep a box unless it overlaps a box "
              "*already kept* by more than the threshold.",
              "`sorted(range(len(boxes)), key=lambda i: -scores[i])` gives the visiting order; "
              "a suppressed box suppresses nothing. `iou(a, b)` from question 2 is there to use."],
        solution='''
            def nms(boxes, scores, threshold):
                order = sorted(range(len(boxes)), key=lambda i: -scores[i])   # best first
                keep = []
                for i in order:
                    if all(iou(boxes[i], boxes[k]) <= threshold for k in keep):
                        keep.append(i)      # overlaps no kept box by more than threshold
                return keep
        ''',
        why="Greedy NMS keeps the best box of each cluster; comparing only with boxes already kept "
            "lets a box survive when the only box that overlapped it was itself suppressed.",
        mistakes=[
            Mistake("visit the boxes by decreasing score, not in the order they are listed: a worse "
                    "duplicate listed first would suppress the better box.", wrong=_nms_input_order),
            Mistake("compare each box only with the boxes *kept* so far: a box that was suppressed "
                    "suppresses nothing (in the chain, box 2 survives once box 1 is gone).",
                    wrong=_nms_suppressed_still_suppress),
            Mistake("suppress only overlaps strictly *above* the threshold (IoU <= threshold survives), "
                    "as torchvision and helpers.detection.nms do.", wrong=_nms_greater_equal),
            Mistake("return the kept indices in the order they were kept, best score first, not sorted "
                    "by index.", wrong=_nms_sorted_indices),
            Mistake("start from the *highest* score: from the lowest up, the worst box of each cluster "
                    "is kept.", wrong=_nms_ascending),
        ])


_PAIR_IOU_SOURCE = '''
def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0
'''


# --------------------------------------------------------------------------- 4. soft-NMS by hand
def _soft_nms_by_hand() -> ValueQuestion:
    return ValueQuestion(
        "a box with score 0.8 overlaps the kept box by IoU 0.6: its new score under linear soft-NMS "
        "(threshold 0.3) and under Gaussian soft-NMS (sigma 0.5), as a tuple",
        (0.8 * (1 - 0.6), 0.8 * float(np.exp(-0.36 / 0.5))), **decimals(2),  # "0.32 and 0.39"
        what="a tuple of two numbers (linear, gaussian)",
        hint=["Linear: above the threshold the score is multiplied by (1 - IoU). Gaussian: always "
              "multiplied by exp(-IoU**2 / sigma).",
              "0.8 * (1 - 0.6) and 0.8 * exp(-0.6**2 / 0.5)."],
        solution="answer = (0.8 * (1 - 0.6), 0.8 * np.exp(-0.6**2 / 0.5))   # (0.32, 0.389)",
        why="Soft-NMS demotes an overlapping box instead of deleting it: 0.32 and 0.39 both leave it "
            "in the ranking, below boxes that overlap nothing, so it still counts if it was a second "
            "object and costs little if it was a duplicate.",
        mistakes=[
            Mistake("the linear decay multiplies by (1 - IoU), the share that does *not* overlap: "
                    "0.8 * 0.4, not 0.8 * 0.6.",
                    test=lambda got, exp, case: np.isclose(float(got[0]), 0.48, atol=5e-3)),
            Mistake("the Gaussian decay squares the IoU: exp(-0.6**2 / 0.5), not exp(-0.6 / 0.5).",
                    test=lambda got, exp, case: np.isclose(float(got[1]), 0.8 * np.exp(-1.2), atol=5e-3)),
            Mistake("multiply the old score by the decay factor; the factors alone are 0.4 and 0.487.",
                    test=lambda got, exp, case: np.allclose(np.asarray(got, float),
                                                            [0.4, np.exp(-0.72)], atol=5e-3)),
            Mistake("the order is (linear, gaussian).",
                    test=lambda got, exp, case: np.allclose(np.asarray(got, float), exp[::-1],
                                                            atol=5e-3)),
            Mistake("hard NMS would delete the box (score 0), but soft-NMS only lowers it.",
                    test=lambda got, exp, case: np.allclose(np.asarray(got, float), 0.0)),
        ])


# --------------------------------------------------------------------------- 5. the threshold's effect
def _threshold_effect() -> ChoiceQuestion:
    return ChoiceQuestion(
        "you raise the NMS IoU threshold from 0.3 to 0.8. What happens?",
        {
            "a": "Fewer boxes survive: duplicates are removed more aggressively than before.",
            "b": "More boxes survive: close objects merge less, but more duplicates remain.",
            "c": "The boxes become tighter, so their IoU with the ground truth rises.",
            "d": "Nothing measurable: NMS only changes which duplicate is reported.",
        },
        "b",
        wrong={
            "a": "a higher threshold suppresses *fewer* boxes: more survive, duplicates "
                 "included.",
            "c": "the threshold does not move any box; it only decides which boxes are "
                 "deleted.",
            "d": "the threshold changes which boxes survive, and so precision and recall: the"
                 " chapter measured it.",
        },
        hint=["A higher threshold suppresses fewer boxes: only near-copies of a kept box go.",
              "Which boxes does a low threshold wrongly remove, and which does a high one "
              "wrongly keep?"],
        why="At 0.8 only near-identical boxes suppress each other: two overlapping objects "
            "both keep their box (recall can rise), but the detector's near-duplicates at IoU"
            " 0.5-0.8 survive as false positives (precision falls). The chapter measured "
            "both.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 11."""
    return ExerciseSet("iou_nms", TITLE, [_iou_by_hand(), _iou_function(), _nms_function(),
                                          _soft_nms_by_hand(), _threshold_effect()])

