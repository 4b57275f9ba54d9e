"""Exercises for Chapter 12, "Average precision"."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .questions import Case, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Average precision"


# --------------------------------------------------------------------------- 1. the PR points
def _recall_over_detections(is_tp, n_objects):
    is_tp = np.asarray(is_tp, dtype=bool)
    tp = np.cumsum(is_tp)
    return tp / np.arange(1, len(is_tp) + 1), tp / max(len(is_tp), 1)


def _precision_over_objects(is_tp, n_objects):
    is_tp = np.asarray(is_tp, dtype=bool)
    tp = np.cumsum(is_tp)
    return tp / n_objects, tp / n_objects


def _not_cumulative(is_tp, n_objects):
    is_tp = np.asarray(is_tp, dtype=float)
    return is_tp.copy(), is_tp / n_objects


def _swapped(is_tp, n_objects):
    is_tp = np.asarray(is_tp, dtype=bool)
    tp = np.cumsum(is_tp)
    return tp / n_objects, tp / np.arange(1, len(is_tp) + 1)


def _invert_ints(is_tp, n_objects):
    is_tp = np.asarray(is_tp)
    tp = np.cumsum(is_tp)
    fp = np.cumsum(~is_tp)           # on 0/1 integers, ~ gives -1 and -2
    with np.errstate(all="ignore"):
        return tp / (tp + fp), tp / n_objects


def _pr_points() -> FunctionQuestion:
    cases = [
        Case((np.array([True, False, True]), 2), note="hit, miss, hit; 2 objects"),
        Case((np.array([True, True, False, False, True, False]), 4),
             note="6 detections, 4 objects (one never found)"),
        Case((np.array([False, False, True]), 1), note="two false positives ranked first"),
        Case((np.array([1, 0, 1, 1]), 3), note="0/1 integers instead of booleans"),
        Case((np.array([False, False]), 3), note="no true positive at all"),
        Case((np.zeros(0, dtype=bool), 2), note="no detections"),
    ]
    return FunctionQuestion(
        "pr_points(is_tp, n_objects): precision and recall after each detection (ranked by score), "
        "as a tuple of two arrays",
        "pr_points", cases,
        hint=["After the first k detections, TP_k = number of true positives among them and "
              "FP_k = k - TP_k. `np.cumsum` counts them for every k at once.",
              "precision_k = TP_k / (TP_k + FP_k); recall_k = TP_k / n_objects: the missed objects "
              "are the false negatives. Turn `is_tp` into booleans first (0/1 integers happen)."],
        solution='''
            def pr_points(is_tp, n_objects):
                is_tp = np.asarray(is_tp, dtype=bool)
                tp = np.cumsum(is_tp)           # true positives among the first k
                fp = np.cumsum(~is_tp)          # false positives among the first k
                return tp / (tp + fp), tp / n_objects
        ''',
        why="Each prefix of the ranking is one threshold on the score: precision = TP / (TP + FP) "
            "and recall = TP / (TP + FN), with TP + FN the number of objects.",
        mistakes=[
            Mistake("recall divides by the number of *objects* (TP + FN), not by the number of "
                    "detections.", wrong=_recall_over_detections),
            Mistake("precision divides by the number of detections so far (TP + FP), not by the number "
                    "of objects.", wrong=_precision_over_objects),
            Mistake("count cumulatively: after k detections, TP is the number of hits among the first k "
                    "(`np.cumsum`), not whether the k-th is one.", wrong=_not_cumulative),
            Mistake("return (precision, recall), in that order.", wrong=_swapped),
            Mistake("on 0/1 integers `~` is not 'not': ~1 is -2. Convert with "
                    "`np.asarray(is_tp, dtype=bool)` first.", wrong=_invert_ints),
        ])


# --------------------------------------------------------------------------- 2. all-point AP
def _ap_raw(recall, precision):
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    return float(np.sum(np.diff(np.concatenate(([0.0], recall))) * precision))


def _ap_trapezoid(recall, precision):
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    if recall.size < 2:
        return 0.0
    return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))


def _ap_mean_precision(recall, precision):
    precision = np.asarray(precision, float)
    return float(precision.mean()) if precision.size else 0.0


def _ap_no_first_step(recall, precision):
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(np.diff(recall) * envelope[1:]))


def _ap_eleven(recall, precision):
    recall, precision = np.asarray(recall, float), np.asarray(precision, float)
    values = [precision[recall >= t].max() if (recall >= t).any() else 0.0
              for t in np.arange(11) / 10]
    return float(np.mean(values))


def _ap_all_points() -> FunctionQuestion:
    cases = [
        Case((np.array([0.5, 0.5, 1.0]), np.array([1.0, 0.5, 2 / 3])), note="hit, miss, hit; 2 objects"),
        Case((np.array([0.25, 0.25, 0.5, 0.75]), np.array([1.0, 0.5, 2 / 3, 0.75])),
             note="a dip, then hits that raise the precision again; recall never reaches 1"),
        Case((np.array([0.0, 0.0, 1 / 3, 2 / 3, 1.0]), np.array([0.0, 0.0, 1 / 3, 0.5, 0.6])),
             note="two false positives first"),
        Case((np.array([0.5, 1.0]), np.array([1.0, 1.0])), note="a perfect ranking"),
        Case((np.array([0.0, 0.0]), np.array([0.0, 0.0])), note="no true positive: AP 0"),
        Case((np.zeros(0), np.zeros(0)), note="no detections: AP 0"),
    ]
    return FunctionQuestion(
        "ap_all_points(recall, precision): VOC's all-point AP, the area under the interpolated "
        "(upper envelope) precision-recall staircase",
        "ap_all_points", cases,
        hint=["First interpolate: the precision at a point becomes the best precision at that recall "
              "or beyond, `np.maximum.accumulate(precision[::-1])[::-1]`.",
              "Then add up width x height: each point adds (recall_n - recall_(n-1)) x its "
              "interpolated precision, starting from recall 0."],
        solution='''
            def ap_all_points(recall, precision):
                recall = np.concatenate(([0.0], recall))            # the curve starts at recall 0
                envelope = np.maximum.accumulate(np.asarray(precision, float)[::-1])[::-1]
                return float(np.sum(np.diff(recall) * envelope))    # width x interpolated height
        ''',
        why="Interpolation replaces each dip by the best precision still reachable, so AP does not "
            "punish a ranking for a false positive that later hits make up for; the widths are the "
            "recall each true positive adds.",
        mistakes=[
            Mistake("interpolate first: replace each precision by the best one at that recall or "
                    "beyond (`np.maximum.accumulate` from the right). Without it every dip counts.",
                    wrong=_ap_raw),
            Mistake("AP is not the trapezoid rule: the interpolated curve is a staircase, each step "
                    "as high as its interpolated precision.", wrong=_ap_trapezoid),
            Mistake("that is the mean precision over the detections; weight each point by the recall "
                    "it adds instead.", wrong=_ap_mean_precision),
            Mistake("the first step runs from recall 0 to the first point's recall: prepend 0 to the "
                    "recalls before taking differences.", wrong=_ap_no_first_step),
            Mistake("that is VOC 2007's 11-point AP; the all-point AP integrates exactly, at every "
                    "recall the curve reaches.", wrong=_ap_eleven),
        ],
        error_advice={ValueError: "`np.maximum.accumulate` needs an array; and an empty curve has AP 0."})


# --------------------------------------------------------------------------- 3. AP@[.5:.95] of one box
def _one_box_coco_ap() -> ValueQuestion:
    return ValueQuestion(
        "one image, one object, one detection of the right class with IoU 0.72: its COCO AP@[.5:.95] "
        "(a number)",
        0.5, what="a number between 0 and 1",
        hint=["At each of the ten thresholds 0.50, 0.55, ..., 0.95 the detection is either a hit "
              "(AP 1 at that threshold) or a false positive with the object missed (AP 0).",
              "Count the thresholds <= 0.72 and divide by 10."],
        solution="answer = 5 / 10   # a hit at 0.50, 0.55, 0.60, 0.65, 0.70; a miss from 0.75 up",
        why="COCO's AP averages over IoU thresholds, so it rewards tight boxes: a box at IoU 0.72 is a "
            "perfect AP50 but only half of AP@[.5:.95].",
        mistakes=[
            Mistake("AP is not the IoU: at each threshold the detection either counts (AP 1) or not "
                    "(AP 0). Average those ten numbers.", wrong=0.72),
            Mistake("that is AP50: the box is a hit at IoU 0.5. COCO's AP averages ten thresholds, up "
                    "to 0.95.", wrong=1.0),
            Mistake("that is AP75: at 0.75 the box misses. The average over the ten thresholds counts "
                    "the five it passes.", wrong=0.0),
            Mistake("0.70 <= 0.72, so the box also passes the threshold 0.70: five thresholds, not four.",
                    wrong=0.4),
            Mistake("0.75 > 0.72: the box fails at 0.75. Five thresholds pass, not six.", wrong=0.6),
        ])


# --------------------------------------------------------------------------- 4. VOC07 11-point
def _eleven_point_by_hand() -> ValueQuestion:
    return ValueQuestion(
        "two objects; ranked detections hit, miss, hit. The VOC 2007 11-point AP (a number)",
        (6 * 1 + 5 * 2 / 3) / 11, what="a number between 0 and 1",
        hint=["The points are (recall, precision) = (0.5, 1), (0.5, 0.5), (1, 2/3). At each recall "
              "level 0, 0.1, ..., 1, read the best precision at that recall or beyond.",
              "Levels 0 to 0.5 (six of them) read 1; levels 0.6 to 1 (five) read 2/3. Average the "
              "eleven values."],
        solution="answer = (6 * 1 + 5 * 2 / 3) / 11   # about 0.848",
        why="Eleven samples of the interpolated curve: the six levels up to recall 0.5 see precision "
            "1, the five above see 2/3. VOC 2010 and later integrate exactly instead (0.833 here).",
        mistakes=[
            Mistake("that is the all-point AP of VOC 2010+ (0.5 x 1 + 0.5 x 2/3); VOC 2007 samples "
                    "eleven recall levels.", wrong=0.5 * 1 + 0.5 * 2 / 3),
            Mistake("that is COCO's 101-point AP; VOC 2007 uses the eleven levels 0, 0.1, ..., 1.",
                    wrong=(51 + 50 * 2 / 3) / 101),
            Mistake("there are eleven levels (0 and 1 included): divide by 11, not 10.",
                    wrong=(6 + 5 * 2 / 3) / 10),
            Mistake("that is the mean of the three precisions; AP samples the interpolated curve at "
                    "recall levels.", wrong=(1 + 0.5 + 2 / 3) / 3),
            Mistake("levels 0, 0.1, ..., 0.5 are six levels, not five.", wrong=(5 + 6 * 2 / 3) / 11),
        ])


# --------------------------------------------------------------------------- 5. name the error
_ERRORS = ("localization", "duplicate", "classification", "background")
_WORDS = ("classification", "localization", "both", "duplicate", "background")
_ALIASES = {"localisation": "localization", "dupe": "duplicate", "duplicated": "duplicate"}


def _uses(word: str, where) -> Callable:
    """A test: the answer (four words) puts ``word`` at one of the positions ``where``."""
    def test(got, expected, case):
        if not (isinstance(got, (tuple, list)) and len(got) == 4):
            return False
        said = [_ALIASES.get(g.strip().lower(), g.strip().lower()) if isinstance(g, str) else g
                for g in got]
        return any(said[i] == word for i in where)
    return test


def _name_the_errors() -> ValueQuestion:
    return ValueQuestion(
        "the error type of each of four false positives (i)-(iv), as a tuple of four words, "
        "each one of 'classification', 'localization', 'both', 'duplicate', 'background' "
        "(a word may be used more than once)",
        _ERRORS, choices=_WORDS, aliases=_ALIASES, name_parts=False,
        what="a tuple of four of the five words, such as ('both', 'both', 'both', 'both')",
        hint=["Test in the chapter's order: a box of the right class overlapping its object by IoU "
              "0.1-0.5 is localization; IoU >= 0.5 with an object of another class is "
              "classification; IoU >= 0.5 with an object of its class that is already taken is a "
              "duplicate; no overlap above 0.1 is background.",
              "(ii) overlaps its object well, but a better-scored box took the object first."],
        solution='answer = ("localization", "duplicate", "classification", "background")',
        why="Each type has its own fix: a better box regression (localization), NMS or its threshold "
            "(duplicate), a better classifier (classification), fewer confident scores on empty "
            "image (background).",
        # the messages state a rule, never which of the four is wrong: the four words cannot
        # be found one position at a time
        mistakes=[
            Mistake("'both' needs the class to be wrong *and* the box to be off (IoU 0.1-0.5): "
                    "check each 'both' against the two conditions.", test=_uses("both", (0, 2))),
            Mistake("a detection overlapping an object by IoU 0.5 or more is never a "
                    "localization error (its box is good enough), and one overlapping nothing "
                    "by 0.1 is not either: check each 'localization' against IoU 0.1-0.5.",
                    test=_uses("localization", (1, 2, 3))),
        ])


def build() -> ExerciseSet:
    """The exercise set of Chapter 12."""
    return ExerciseSet("average_precision", TITLE, [
        _pr_points(), _ap_all_points(), _one_box_coco_ap(), _eleven_point_by_hand(),
        _name_the_errors()])
