"""Exercises for Chapter 4, "The tank story"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "The tank story"


# --------------------------------------------------------------------------- 1. a weather detector
def _weather_detector() -> ValueQuestion:
    return ValueQuestion(
        "accuracy of a pure weather detector ('tank' if and only if cloudy) on unconfounded scenes (a number)",
        0.5, what="a number between 0 and 1",
        hint=["On unconfounded scenes each class is half sunny, half cloudy. Split the scenes into four "
              "equal groups: (forest, sunny), (forest, cloudy), (tank, sunny), (tank, cloudy).",
              "In which of the four groups is 'tank if cloudy, forest if sunny' the right answer?"],
        solution="# right on (forest, sunny) and (tank, cloudy): 2 of 4 equal groups\nanswer = 0.5",
        why="The detector is right on sunny forests and cloudy tanks and wrong on cloudy forests and "
            "sunny tanks: two of four equal groups, 0.5, the accuracy of a coin toss. Once the weather "
            "no longer goes with the label, knowing the weather tells nothing about the tank.",
        mistakes=[
            Mistake("1.0 is its accuracy on the researchers' photos, where every tank is under clouds. "
                    "On unconfounded scenes half the tanks stand in the sun.", wrong=1.0),
            Mistake("it is not always wrong: on sunny forests and cloudy tanks it gives the right answer.",
                    wrong=0.0),
            Mistake("give a fraction between 0 and 1, not a percentage.", wrong=50.0),
            Mistake("count the groups where it is right: (forest, sunny) *and* (tank, cloudy), two of the "
                    "four equal groups.", wrong=0.25),
            Mistake("count the groups where it is right: two of the four equal groups, not three.",
                    wrong=0.75),
        ])


# --------------------------------------------------------------------------- 2. accuracy per group
def _overall_per_group(y_true, y_pred, groups):
    return np.full(len(np.unique(groups)), np.mean(y_true == y_pred))


def _correct_per_group(y_true, y_pred, groups):
    return np.array([np.sum((y_true == y_pred)[groups == g]) for g in np.unique(groups)])


def _share_of_all(y_true, y_pred, groups):
    return np.array([np.sum((y_true == y_pred) & (groups == g)) / len(y_true) for g in np.unique(groups)])


def _per_class(y_true, y_pred, groups):
    return np.array([np.mean((y_pred == y_true)[y_true == g]) for g in np.unique(groups)])


def _accuracy_by_group() -> FunctionQuestion:
    weather = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    rng = np.random.default_rng(4)
    many_true = rng.integers(0, 2, 30)
    many_pred = np.where(rng.random(30) < 0.7, many_true, 1 - many_true)
    many_groups = rng.integers(0, 3, 30)
    cases = [
        Case((labels, weather, weather), note="a weather detector on unconfounded scenes, grouped by weather"),
        Case((np.array([0, 1, 1, 0, 1]), np.array([0, 1, 0, 0, 0]), np.array([0, 0, 1, 1, 1])),
             note="two groups of different sizes"),
        Case((many_true, many_pred, many_groups), note="30 samples, 3 groups"),
        Case((np.array([1, 0, 1, 1]), np.array([1, 0, 0, 1]), np.array([7, 3, 7, 3])),
             note="group ids 3 and 7: not 0, 1, ..."),
        Case((np.array([0, 1, 1]), np.array([0, 1, 0]), np.array([2, 2, 2])), note="a single group"),
    ]
    return FunctionQuestion(
        "accuracy_by_group(y_true, y_pred, groups): the accuracy within each group, in the order of np.unique(groups)",
        "accuracy_by_group", cases,
        hint=["`np.unique(groups)` lists the groups; `groups == g` selects the samples of group g.",
              "Within a group, accuracy is the mean of `y_true == y_pred` over that group's samples only."],
        solution='''
            def accuracy_by_group(y_true, y_pred, groups):
                correct = y_true == y_pred
                # the accuracy among group g only, for every group present, sorted
                return np.array([correct[groups == g].mean()
                                 for g in np.unique(groups)])
        ''',
        why="One number per group shows what the overall accuracy averages away: grouped by class and "
            "weather, a weather detector is 100 % right on sunny forests and cloudy tanks, 0 % on cloudy "
            "forests and sunny tanks.",
        mistakes=[
            Mistake("give accuracies as fractions between 0 and 1, not percentages.",
                    test=lambda got, exp, case: np.shape(got) == np.shape(exp)
                    and np.allclose(np.asarray(got, float), 100 * np.asarray(exp, float))),
            Mistake("every group gets the same number: that is the overall accuracy. Compute it within each "
                    "group, on `correct[groups == g]`.", wrong=_overall_per_group),
            Mistake("that is the *number* of correct answers per group; divide by the group's size to get "
                    "its accuracy.", wrong=_correct_per_group),
            Mistake("you divided by the size of the whole set; divide by the size of the group.",
                    wrong=_share_of_all),
            Mistake("you grouped the samples by their true class (`y_true == g`), not by `groups`.",
                    wrong=_per_class),
            Mistake("return one accuracy for each group *present*, in the order of `np.unique(groups)`; "
                    "group ids need not be 0, 1, 2, ...",
                    test=lambda got, exp, case: np.ndim(got) <= 1 and np.shape(got) != np.shape(exp)),
        ],
        error_advice={IndexError: "Group ids need not be 0, 1, 2, ...: loop over `np.unique(groups)`."})


# --------------------------------------------------------------------------- 3. heat on the sky
def _share_inside() -> FunctionQuestion:
    rng = np.random.default_rng(6)
    top = np.zeros((4, 4), bool)
    top[:1] = True
    ramp = np.array([[1.0, 0.8, 0.6, 0.4], [0.5, 0.2, 0.0, 0.0], [0.0, 0.1, 0.0, 0.0], [0.0, 0.0, 0.0, 0.3]])
    sky = np.zeros((8, 8), bool)
    sky[:3] = True
    sky[3, :4] = True
    cases = [
        Case((ramp, top), note="a 4x4 heatmap, the mask is the top row"),
        Case((np.full((4, 4), 0.5), top), note="a flat heatmap"),
        Case((rng.random((8, 8)), sky), note="a random 8x8 heatmap, a ragged sky"),
        Case((0.5 * ramp, top), note="a heatmap whose maximum is 0.5, not 1"),
        Case((np.zeros((4, 4)), top), note="an all-zero heatmap: there is no mass anywhere"),
        Case((ramp, np.zeros((4, 4), bool)), note="an empty mask"),
        Case((ramp, np.ones((4, 4), bool)), note="a mask covering the whole image"),
    ]
    return FunctionQuestion(
        "share_inside(heatmap, mask): the fraction of a heatmap's total mass on the mask's pixels (0 for an all-zero map)",
        "share_inside", cases,
        hint=["The mass of a heatmap is the sum of its values; the mass inside the mask is the sum over "
              "the pixels where the mask is True.",
              "Divide the mass inside by the total mass. An all-zero heatmap has no mass at all: return 0 "
              "there instead of computing 0 / 0."],
        solution='''
            def share_inside(heatmap, mask):
                total = heatmap.sum()
                if total == 0:                  # an all-zero map points nowhere
                    return 0.0
                return heatmap[mask].sum() / total
        ''',
        why="The share of the mass is comparable with the mask's share of the image: a heatmap spread "
            "evenly gives exactly the mask's area fraction, so a share well above it means the map "
            "concentrates on the mask.",
        mistakes=[
            Mistake("that is the mask's share of the *image* (its area): it does not depend on the heatmap. "
                    "Sum the heatmap inside the mask instead.", wrong=lambda h, m: m.mean()),
            Mistake("divide the mass inside by the heatmap's total mass, so that the result is a share "
                    "between 0 and 1.", wrong=lambda h, m: h[m].sum()),
            Mistake("divide by the heatmap's total mass, not by the number of pixels.",
                    wrong=lambda h, m: h[m].sum() / h.size),
            Mistake("that is the average heat of a mask pixel, not the share of the total mass on the mask: "
                    "a small, hot mask and a large, warm one would look alike.",
                    wrong=lambda h, m: h[m].mean()),
            Mistake("that is the share *outside* the mask.", wrong=lambda h, m: h[~m].sum() / h.sum()),
            Mistake("give the share as a fraction between 0 and 1, not a percentage.",
                    test=lambda got, exp, case: np.isfinite(exp) and exp > 0
                    and np.isclose(float(got), 100 * exp)),
            Mistake("an all-zero heatmap (Grad-CAM returns one when no pixel supports the class) has no "
                    "mass: return 0 there, not 0 / 0 = NaN.",
                    test=lambda got, exp, case: np.isnan(np.asarray(got, dtype=float)).any()),
        ],
        error_advice={ZeroDivisionError: "An all-zero heatmap has no mass: return 0 there, before dividing."})


# --------------------------------------------------------------------------- 4. the peak in the box
def _peak_rows_cols_swapped(heatmap, box):
    if heatmap.max() <= 0:
        return False
    x, y = np.unravel_index(np.argmax(heatmap), heatmap.shape)     # (row, col) read as (x, y)
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


def _peak_inclusive(heatmap, box):
    if heatmap.max() <= 0:
        return False
    y, x = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    return bool(box[0] <= x <= box[2] and box[1] <= y <= box[3])


def _peak_strict(heatmap, box):
    if heatmap.max() <= 0:
        return False
    y, x = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    return bool(box[0] < x < box[2] and box[1] < y < box[3])


def _peak_ignores_zero_map(heatmap, box):
    y, x = np.unravel_index(np.argmax(heatmap), heatmap.shape)
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


def _peak_map(shape, row, col, value=1.0):
    heatmap = np.zeros(shape)
    heatmap[row, col] = value
    return heatmap


def _peak_in_box() -> FunctionQuestion:
    rng = np.random.default_rng(8)
    blur = rng.random((6, 8)) * 0.5
    blur[4, 6] = 0.9
    cases = [
        Case((_peak_map((6, 8), 1, 5), np.array([4.0, 0.0, 7.0, 3.0])),
             note="a 6x8 map peaking at row 1, column 5, inside the box"),
        Case((_peak_map((6, 8), 1, 5), np.array([0.0, 4.0, 3.0, 7.0])),
             note="the same map, a box that would contain row 5, column 1"),
        Case((blur, np.array([5.0, 3.0, 8.0, 6.0])), note="a noisy map, peak inside"),
        Case((blur, np.array([0.0, 0.0, 4.0, 3.0])), note="a noisy map, peak outside"),
        Case((_peak_map((6, 8), 2, 6), np.array([2.0, 1.0, 6.0, 4.0])),
             note="the peak is in column 6 and x2 = 6: the right edge is exclusive"),
        Case((_peak_map((6, 8), 4, 3), np.array([1.0, 2.0, 3.0, 5.0])),
             note="the peak is in column 3 and x2 = 3: the right edge is exclusive"),
        Case((_peak_map((6, 8), 2, 2), np.array([2.0, 2.0, 5.0, 5.0])),
             note="the peak is on the box's top-left pixel: x1 and y1 are inside"),
        Case((np.zeros((6, 8)), np.array([0.0, 0.0, 4.0, 4.0])),
             note="an all-zero map: it has no peak, so it points nowhere"),
    ]
    return FunctionQuestion(
        "peak_in_box(heatmap, box): True if the heatmap's maximum lies in box = (x1, y1, x2, y2); False for an all-zero map",
        "peak_in_box", cases,
        hint=["`np.unravel_index(np.argmax(heatmap), heatmap.shape)` gives the peak as (row, column). "
              "Which of the two is x?",
              "Boxes are (x1, y1, x2, y2) in pixels with exclusive right and bottom edges, like Python "
              "slices: the box covers `heatmap[y1:y2, x1:x2]`. An all-zero map has no peak: return False."],
        solution='''
            def peak_in_box(heatmap, box):
                if heatmap.max() <= 0:            # an all-zero map has no peak
                    return False
                y, x = np.unravel_index(np.argmax(heatmap), heatmap.shape)   # row, column
                x1, y1, x2, y2 = box
                # the right and bottom edges are excluded
                return bool(x1 <= x < x2 and y1 <= y < y2)
        ''',
        why="A heatmap's peak is where it points; counting how often it falls in the object's box is the "
            "pointing game that Chapter 8 uses to score explanation methods.",
        mistakes=[
            Mistake("x and y are swapped: `np.unravel_index` returns (row, column), and the row is y, the "
                    "column x.", wrong=_peak_rows_cols_swapped),
            Mistake("the right and bottom edges are exclusive (x < x2, y < y2), as in a slice "
                    "`heatmap[y1:y2, x1:x2]`.", wrong=_peak_inclusive),
            Mistake("the left and top edges belong to the box (x1 <= x, y1 <= y).", wrong=_peak_strict),
            Mistake("an all-zero map has no peak: `np.argmax` then returns pixel (0, 0), which says nothing. "
                    "Return False when the map's maximum is 0.", wrong=_peak_ignores_zero_map),
        ])


# --------------------------------------------------------------------------- 5. a better data set
def _data_collection() -> ChoiceQuestion:
    return ChoiceQuestion(
        "the Army orders a new set of photos to train on. Which plan removes the weather "
        "confounder?",
        {
            "a": "Take twice as many photos, on the same schedule as before for the tanks and"
                 " for the forests.",
            "b": "Keep the photos, but convert them to black and white so that the sky's "
                 "colour is gone.",
            "c": "Keep the photos, but hold out a larger test set from them to measure the "
                 "accuracy better.",
            "d": "Photograph each site with and without a tank on the same days, sunny and "
                 "cloudy alike.",
        },
        "d",
        wrong={
            "a": "more photos taken the same way keep the same correlation: every tank would "
                 "still be under clouds, and the weather would still give the answer away.",
            "b": "grey levels still show the weather: a cloudy sky is grey and dull, a sunny "
                 "one bright with a sun disc. The correlation survives the conversion.",
            "c": "a test set cut from the same photos shares their bias: it would confirm the"
                 " weather detector, as the researchers' held-out photos did.",
        },
        hint=["A confounder goes away when it no longer goes with the label: the weather must"
              " be the same for both classes, or independent of them.",
              "Which plan gives tanks and empty forests the same mix of sunny and cloudy "
              "days?"],
        why="Photographing every site with and without the tank under the same sky, on sunny "
            "and cloudy days alike, makes the weather independent of the label (and matches "
            "everything else too), so only the tank can tell the classes apart.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 4."""
    return ExerciseSet("tanks", TITLE, [_weather_detector(), _accuracy_by_group(), _share_inside(),
                                        _peak_in_box(), _data_collection()])
