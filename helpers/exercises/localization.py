"""Exercises for Chapter 13, "From heatmaps to boxes"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "From heatmaps to boxes"


# --------------------------------------------------------------------------- 1. CorLoc
def _corloc() -> FunctionQuestion:
    cases = [
        Case((np.array([0.7, 0.2, 0.55, 0.9]),), note="four images"),
        Case((np.array([0.5, 0.49, 0.51]),), note="an IoU of exactly 0.5 counts as correct"),
        Case((np.array([0.35, 0.1, 0.8, 0.3]),), {"threshold": 0.3},
             note="a looser threshold, 0.3"),
        Case((np.array([0.1, 0.2]),), note="no image correctly localised"),
        Case((np.array([0.95]),), note="a single image"),
    ]
    return FunctionQuestion(
        "corloc_from_ious(ious, threshold=0.5): the share of images whose box has IoU >= threshold",
        "corloc_from_ious", cases,
        hint=["An image is correctly localised when its IoU is at least the threshold.",
              "The mean of a boolean array is the share of True values."],
        solution='''
            def corloc_from_ious(ious, threshold=0.5):
                return np.mean(ious >= threshold)   # share of images, IoU 0.5 included
        ''',
        why="CorLoc counts images, not boxes or pixels: one box per image, right or wrong at "
            "IoU 0.5. It ignores how tight a right box is, which AP over stricter IoU "
            "thresholds does not.",
        mistakes=[
            Mistake("an IoU of exactly the threshold counts as correct: use >=, not >.",
                    wrong=lambda ious, threshold=0.5: np.mean(ious > threshold)),
            Mistake("that is the mean IoU; CorLoc is the share of images with IoU >= threshold.",
                    wrong=lambda ious, threshold=0.5: np.mean(ious)),
            Mistake("that is the *number* of correctly localised images: divide by the number "
                    "of images.", wrong=lambda ious, threshold=0.5: np.sum(ious >= threshold)),
            Mistake("use the `threshold` argument instead of a fixed 0.5.",
                    wrong=lambda ious, threshold=0.5: np.mean(ious >= 0.5)),
        ])


# --------------------------------------------------------------------------- 2. the hot box
def _hot_box_inclusive(heatmap, tau):
    rows, cols = np.nonzero(heatmap >= tau * heatmap.max())
    return np.array([cols.min(), rows.min(), cols.max(), rows.max()], float)


def _hot_box_swapped(heatmap, tau):
    rows, cols = np.nonzero(heatmap >= tau * heatmap.max())
    return np.array([rows.min(), cols.min(), rows.max() + 1, cols.max() + 1], float)


def _hot_box_absolute(heatmap, tau):
    rows, cols = np.nonzero(heatmap >= tau)
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], float)


def _hot_box_strict(heatmap, tau):
    rows, cols = np.nonzero(heatmap > tau * heatmap.max())
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], float)


def _hot_box_min_max(heatmap, tau):
    scaled = (heatmap - heatmap.min()) / (heatmap.max() - heatmap.min())
    rows, cols = np.nonzero(scaled >= tau)
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], float)


def _hot_box() -> FunctionQuestion:
    blob = np.zeros((6, 8))
    blob[1:3, 2:6] = [[0.3, 1.0, 0.9, 0.2], [0.1, 0.8, 0.6, 0.05]]
    scaled = 0.5 * blob
    two = np.zeros((5, 5))
    two[0, 0], two[4, 3] = 1.0, 0.5
    tall = np.zeros((8, 4))
    tall[1:7, 1] = np.linspace(0.2, 1.0, 6)
    lifted = blob + 0.3                     # a map whose minimum is 0.3, not 0
    lifted_tall = tall + 0.5
    cases = [
        Case((blob, 0.5), note="a blob in a 6x8 map, tau 0.5"),
        Case((blob, 0.2), note="the same map, tau 0.2: pixels at exactly 0.2 x max count"),
        Case((scaled, 0.5), note="a map whose maximum is 0.5, not 1"),
        Case((two, 0.5), note="two hot pixels far apart: the box covers both"),
        Case((tall, 0.6), note="a tall, thin hot region in an 8x4 map"),
        Case((lifted, 0.4), note="the blob on a background of 0.3: the minimum is not 0"),
        Case((lifted_tall, 0.6), note="the tall region on a background of 0.5"),
    ]
    return FunctionQuestion(
        "hot_box(heatmap, tau): the xyxy box (exclusive right/bottom edges) around all pixels "
        ">= tau * max",
        "hot_box", cases,
        hint=["`np.nonzero(mask)` gives the rows and the columns of the True pixels.",
              "x is the column, y the row; the right edge is the last hot column + 1 (exclusive)."],
        solution='''
            def hot_box(heatmap, tau):
                rows, cols = np.nonzero(heatmap >= tau * heatmap.max())
                return np.array([cols.min(), rows.min(),           # x1, y1
                                 cols.max() + 1, rows.max() + 1])  # exclusive x2, y2
        ''',
        why="The threshold is relative to the map's maximum, so the box does not depend on the "
            "map's scale; the CAM paper then keeps only the largest connected region, which "
            "drops isolated hot pixels that would stretch this box (compare the case with two "
            "distant pixels).",
        mistakes=[
            Mistake("the right and bottom edges are exclusive: x2 is the last hot column + 1, "
                    "so a single hot pixel gives a box of width 1.", wrong=_hot_box_inclusive),
            Mistake("x is the column and y the row: the box is (x1, y1, x2, y2) = "
                    "(first column, first row, ...).", wrong=_hot_box_swapped),
            Mistake("tau is a fraction of the map's *maximum*: compare with tau * heatmap.max(), "
                    "not with tau itself.", wrong=_hot_box_absolute),
            Mistake("a pixel at exactly tau times the maximum is hot: use >=, not >.",
                    wrong=_hot_box_strict),
            Mistake("the threshold is tau times the maximum, not tau of the way from the "
                    "minimum to the maximum: do not min-max normalise first (it changes the "
                    "box on a map whose minimum is not 0).", wrong=_hot_box_min_max),
        ])


# --------------------------------------------------------------------------- 3. choosing tau
def _choose_threshold() -> FunctionQuestion:
    cases = [
        Case((np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.5, 0.7, 0.6, 0.4])),
             note="a clear best threshold"),
        Case((np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.5, 0.7, 0.7, 0.4])),
             note="a tie: take the smallest threshold"),
        Case((np.array([0.05, 0.5, 0.95]), np.array([0.2, 0.3, 0.9])),
             note="the best is the last one"),
        Case((np.array([0.4, 0.1, 0.3, 0.2]), np.array([0.7, 0.5, 0.7, 0.6])),
             note="thresholds not sorted, a tie between 0.4 and 0.3: take 0.3"),
        Case((np.array([0.3, 0.05, 0.2]), np.array([0.6, 0.8, 0.4])),
             note="thresholds not sorted, no tie"),
    ]
    return FunctionQuestion(
        "choose_threshold(taus, val_scores): the threshold with the best validation score "
        "(the smallest on a tie)",
        "choose_threshold", cases,
        hint=["Find the best validation score, then every threshold that reaches it.",
              "The thresholds need not be sorted: of the thresholds with the best score, "
              "return the smallest, `taus[val_scores == val_scores.max()].min()`."],
        solution='''
            def choose_threshold(taus, val_scores):
                taus, val_scores = np.asarray(taus), np.asarray(val_scores)
                best = val_scores == val_scores.max()   # every threshold that ties
                return taus[best].min()                 # on a tie, the smallest
        ''',
        why="The threshold is chosen on validation scores only; the test set is used once, "
            "afterwards, to report the CorLoc at that threshold.",
        mistakes=[
            Mistake("that is the *position* of the best threshold: return taus at that position.",
                    wrong=lambda taus, scores: np.argmax(scores)),
            Mistake("that is the best validation *score*; the question asks for the threshold.",
                    wrong=lambda taus, scores: np.max(scores)),
            Mistake("on a tie take the smallest threshold, not the last one that ties.",
                    wrong=lambda taus, scores: taus[len(scores) - 1 - np.argmax(scores[::-1])]),
            Mistake("`np.argmax` gives the *first* best in the list, which is the smallest "
                    "threshold only when the thresholds are sorted: they need not be.",
                    wrong=lambda taus, scores: taus[np.argmax(scores)]),
            Mistake("that is the largest threshold, whatever the scores: pick the one with the "
                    "best validation score.", wrong=lambda taus, scores: np.max(taus)),
        ])


# --------------------------------------------------------------------------- 4. a fair comparison
def _fair_comparison() -> ChoiceQuestion:
    return ChoiceQuestion(
        "a paper reports CorLoc 62% for its method with tau chosen on the test set, and 58% "
        "for CAM with the paper's tau = 0.2. Which statement is justified?",
        {
            "a": "The method beats CAM by 4 points of CorLoc: both numbers were measured on "
                 "the same test images, so they are comparable.",
            "b": "CAM is the better method: its threshold was not tuned at all, so its 58% is "
                 "the more honest of the two numbers the paper reports.",
            "c": "Nothing yet: compare both at their best thresholds (MaxBoxAcc) on the same "
                 "data, other hyperparameters tuned on the same held-out boxes.",
            "d": "The method beats CAM by 2 points only: about half of any gain measured with "
                 "a threshold tuned on the test set comes from that tuning alone.",
        },
        "c",
        wrong={
            "a": "the 62% had its threshold tuned on the test set and the 58% none at all: "
                 "the 4 points mix the method with the tuning.",
            "b": "an untuned threshold is not a virtue: CAM at its best threshold could do "
                 "better than 58%, or not; nothing here says which is better.",
            "d": "there is no rule that tuning is worth half the gain: it has to be measured, "
                 "by scoring both methods the same way.",
        },
        hint=["Which of the two numbers had its threshold tuned, and on which data?",
              "Choe et al. (2020) took the threshold out of the comparison: what did they "
              "measure each method at?"],
        why="The two numbers differ in method *and* in threshold (tuned on the test set vs "
            "fixed for another network), so the difference cannot be attributed to the "
            "method. A fixed threshold compares how the maps fall off, not where they point. "
            "Choe et al. compare methods threshold-free: MaxBoxAcc scores each one at its "
            "best threshold on the same data, and every other hyperparameter is tuned on the "
            "same small held-out set with boxes. (To report what one method will do when "
            "deployed, choose its threshold on held-out data: that is a different "
            "question.)")


def build() -> ExerciseSet:
    """The exercise set of Chapter 13."""
    return ExerciseSet("localization", TITLE, [_corloc(), _hot_box(), _choose_threshold(),
                                               _fair_comparison()])
