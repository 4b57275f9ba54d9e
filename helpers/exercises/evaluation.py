"""Exercises for Chapter 8, "Evaluating explanations"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Evaluating explanations"


# --------------------------------------------------------------------------- 1. a random map's energy
def _random_energy() -> ValueQuestion:
    return ValueQuestion(
        "mean energy-pointing-game score of uniform random maps when boxes cover 10 % of the image",
        0.1, what="a number between 0 and 1",
        hint=["The energy score is the share of the map's mass inside the box. Where does the mass "
              "of uniform noise go, on average?",
              "Every pixel gets the same expected value: the box gets the share of the mass that it "
              "has of the pixels."],
        solution="answer = 0.1   # noise spreads its mass evenly: the box gets its share of the area",
        why="Uniform noise has the same expected value at every pixel, so the box receives its share "
            "of the area, 0.1. That is the number any method must beat, and it depends on the size of "
            "the objects: on large objects even noise scores well.",
        mistakes=[
            Mistake("noise puts mass everywhere, including inside the box: the box gets its share of "
                    "the pixels.", wrong=0.0),
            Mistake("0.5 would be right for a box covering half the image; here the box covers "
                    "10 % of it.", wrong=0.5),
            Mistake("give a share between 0 and 1, not a percentage.", wrong=10.0),
            Mistake("0.9 is the share of the mass *outside* the box.", wrong=0.9),
            Mistake("only a map with all its mass inside the box scores 1.", wrong=1.0),
        ])


# --------------------------------------------------------------------------- 2. average drop
def _average_drop() -> FunctionQuestion:
    rng = np.random.default_rng(2)
    y = rng.uniform(0.3, 1.0, 12)
    o = np.clip(y + rng.normal(0, 0.3, 12), 0.01, 1.0)
    cases = [
        Case((np.array([0.9, 0.8, 0.6]), np.array([0.45, 0.9, 0.3])),
             note="the second image's confidence rises"),
        Case((np.array([0.8, 0.5]), np.array([0.4, 0.5])), note="no rise, one unchanged"),
        Case((np.array([0.2, 0.9]), np.array([0.1, 0.45])),
             note="the same relative drop from a low and a high confidence"),
        Case((y, o), note="12 images, rises and drops"),
        Case((np.array([0.7, 0.4]), np.array([0.0, 0.0])), note="everything lost: 100 %"),
        Case((np.array([0.6]), np.array([0.9])), note="one image whose confidence rises"),
    ]
    return FunctionQuestion(
        "average_drop(y, o): 100 * mean(max(0, y - o) / y), the average drop in percent",
        "average_drop", cases,
        hint=["For each image the drop is the confidence lost, relative to what it had: "
              "(y - o) / y. A rise in confidence is no drop at all: it counts as 0, not as a "
              "negative drop.",
              "`np.maximum(0, y - o) / y` gives the drops image by image; average them and "
              "multiply by 100."],
        solution='''
            def average_drop(y, o):
                drops = np.maximum(0.0, y - o) / y      # relative loss per image, rises count 0
                return 100.0 * drops.mean()             # in percent
        ''',
        why="Each image's drop is relative to its own confidence, and a rise is clipped to 0 (it is "
            "counted by the increase in confidence instead), so the score lies in [0, 100].",
        mistakes=[
            Mistake("a rise in confidence must count as 0, not as a negative drop: clip with "
                    "`np.maximum(0, y - o)`.", wrong=lambda y, o: 100 * np.mean((y - o) / y)),
            Mistake("give the result in percent: multiply by 100.",
                    wrong=lambda y, o: np.mean(np.maximum(0, y - o) / y)),
            Mistake("the drop is relative to the confidence on the *original* image: divide by y, "
                    "not by o.", wrong=lambda y, o: 100 * np.mean(np.maximum(0, y - o) / o)),
            Mistake("divide each image's loss by its own y before averaging; a ratio of means lets "
                    "confident images weigh more.",
                    wrong=lambda y, o: 100 * np.mean(np.maximum(0, y - o)) / np.mean(y)),
            Mistake("divide each image's loss by its own y before averaging; a ratio of means lets "
                    "confident images weigh more.",
                    wrong=lambda y, o: 100 * max(0.0, np.mean(y) - np.mean(o)) / np.mean(y)),
            Mistake("the drop is relative: divide the lost confidence by y.",
                    wrong=lambda y, o: 100 * np.mean(np.maximum(0, y - o))),
            Mistake("a rise is not a drop: clip `y - o` at 0 instead of taking its absolute value.",
                    wrong=lambda y, o: 100 * np.mean(np.abs(y - o) / y)),
            Mistake("average over the images (mean), do not sum.",
                    wrong=lambda y, o: 100 * np.sum(np.maximum(0, y - o) / y)),
        ])


# --------------------------------------------------------------------------- 3. area under a curve
def _curve_area() -> FunctionQuestion:
    uniform = np.linspace(0, 1, 5)
    steep = np.array([1.0, 0.4, 0.2, 0.1, 0.1])
    counts = (np.arange(6) * 49) // 5 / 49            # the uneven steps of a 7x7 image
    cases = [
        Case((uniform, steep), note="5 evenly spaced points, a curve that falls fast"),
        Case((np.array([0.0, 0.1, 0.5, 1.0]), np.array([1.0, 0.8, 0.2, 0.0])),
             note="unevenly spaced fractions"),
        Case((counts, np.array([0.9, 0.7, 0.6, 0.3, 0.2, 0.1])),
             note="fractions n_k / 49 of a 7x7 image, as the deletion curves use"),
        Case((np.array([0.0, 1.0]), np.array([1.0, 0.0])), note="a single step: a triangle"),
        Case((uniform, np.full(5, 0.6)), note="a flat curve: the area is its height"),
        Case((uniform, np.array([0.1, 0.2, 0.4, 0.7, 0.9])), note="a rising (insertion) curve"),
    ]
    return FunctionQuestion(
        "curve_area(fractions, probabilities): the trapezoid-rule area under the curve",
        "curve_area", cases,
        hint=["Between two neighbouring points the area is a trapezoid: width "
              "`fractions[k+1] - fractions[k]` times the mean of the two heights.",
              "`np.diff(fractions)` gives the widths, `(p[1:] + p[:-1]) / 2` the mean heights; "
              "sum their products (or use `np.trapezoid(probabilities, fractions)`: y first)."],
        solution='''
            def curve_area(fractions, probabilities):
                widths = np.diff(fractions)                                   # (K - 1,)
                heights = (probabilities[1:] + probabilities[:-1]) / 2        # mean of each pair
                return float(np.sum(widths * heights))
        ''',
        why="The trapezoid rule joins the measured points by straight lines and works for unevenly "
            "spaced fractions, which deletion and insertion produce when the pixel count is not a "
            "multiple of the number of steps.",
        mistakes=[
            Mistake("the mean of the probabilities is the area only for evenly spaced points that "
                    "include both ends with half weight; use the trapezoid rule with the widths.",
                    wrong=lambda f, p: float(np.mean(p))),
            Mistake("that is a left Riemann sum (each interval at its left height); a trapezoid "
                    "uses the mean of both ends.", wrong=lambda f, p: float(np.sum(np.diff(f) * p[:-1]))),
            Mistake("that is a right Riemann sum (each interval at its right height); a trapezoid "
                    "uses the mean of both ends.", wrong=lambda f, p: float(np.sum(np.diff(f) * p[1:]))),
            Mistake("multiply each mean height by its interval's width, `np.diff(fractions)`.",
                    wrong=lambda f, p: float(np.sum((p[1:] + p[:-1]) / 2))),
            Mistake("the arguments are swapped: `np.trapezoid(y, x)` takes the heights "
                    "(probabilities) first and the positions (fractions) second.",
                    wrong=lambda f, p: float(np.sum(np.diff(p) * (f[1:] + f[:-1]) / 2))),
            Mistake("the points are not evenly spaced: use each interval's own width, not "
                    "1 / (K - 1).",
                    wrong=lambda f, p: float(np.sum((p[1:] + p[:-1]) / 2) / (len(p) - 1))),
        ])


# --------------------------------------------------------------------------- 4. ranks with ties
def _is_an_order(got, expected, case) -> bool:
    """Is ``got`` an argsort of the scores (1- or 0-based, any tie order), not their ranks?"""
    scores, higher_is_better = case.args
    s = -np.asarray(scores, float) if higher_is_better else np.asarray(scores, float)
    g = np.asarray(got, dtype=float)
    if g.shape != s.shape or not np.allclose(g, np.rint(g)):
        return False
    if np.allclose(g, np.asarray(expected, float) - 1):
        return False                    # 0-based ranks: another mistake
    for start in (1, 0):
        idx = np.rint(g).astype(int) - start
        if sorted(idx.tolist()) == list(range(len(s))) and np.all(np.diff(s[idx]) >= 0):
            return True
    return False


def _ordinal_ranks(scores, higher_is_better):
    s = np.asarray(scores, float)
    order = np.argsort(-s if higher_is_better else s, kind="stable")
    ranks = np.empty(len(s))
    ranks[order] = np.arange(1, len(s) + 1)
    return ranks


def _mean_ranks(scores, higher_is_better):
    s = np.asarray(scores, float)
    s = -s if higher_is_better else s
    return 1.0 + (s[None, :] < s[:, None]).sum(axis=1) + ((s[None, :] == s[:, None]).sum(axis=1) - 1) / 2


def _min_ranks(scores, higher_is_better):
    s = np.asarray(scores, float)
    s = -s if higher_is_better else s
    return 1.0 + (s[None, :] < s[:, None]).sum(axis=1)


def _rank_methods() -> FunctionQuestion:
    cases = [
        Case((np.array([0.2, 0.5, 0.1, 0.4, 0.3]), True),
             note="higher is better; the order of the methods is not their ranks"),
        Case((np.array([0.9, 0.5, 0.7]), True), note="higher is better"),
        Case((np.array([0.9, 0.5, 0.7]), False), note="lower is better (a deletion area)"),
        Case((np.array([0.5, 0.9, 0.9, 0.1]), True), note="two methods tied for first"),
        Case((np.array([12.0, 30.0, 12.0, 12.0, 5.0]), False),
             note="three methods tied for second (an average drop)"),
        Case((np.array([2.0, 2.0, 2.0]), False), note="every method tied"),
    ]
    return FunctionQuestion(
        "rank_methods(scores, higher_is_better): rank 1 for the best, ties sharing their mean rank",
        "rank_methods", cases,
        hint=["A method's rank is 1 + the number of methods strictly better than it, when nothing "
              "ties. When higher is better, 'better' means a larger score.",
              "k methods tied after b better ones share ranks b + 1 ... b + k, whose mean is "
              "b + (k + 1) / 2: add half the number of *other* tied methods to 1 + b."],
        solution='''
            def rank_methods(scores, higher_is_better):
                s = np.asarray(scores, dtype=float)
                if higher_is_better:
                    s = -s                                     # now smaller is better
                better = (s[None, :] < s[:, None]).sum(axis=1)         # strictly better
                others_tied = (s[None, :] == s[:, None]).sum(axis=1) - 1
                return 1.0 + better + others_tied / 2
        ''',
        why="Ranks put metrics with different units and directions on one scale, and averaging tied "
            "ranks keeps a tie from favouring whichever method happens to come first in the table.",
        mistakes=[
            Mistake("`np.argsort` gives the *order* (which method is first, second, ...), not each "
                    "method's rank: the rank of method i is its position in that order (argsort "
                    "twice, or count the methods better than it).", test=_is_an_order),
            Mistake("ranks start at 1 for the best method, not 0.",
                    wrong=lambda s, h: _mean_ranks(s, h) - 1),
            Mistake("mind the direction: when `higher_is_better` is False, the smallest score is "
                    "the best.", wrong=lambda s, h: _mean_ranks(s, True)),
            Mistake("mind the direction: when `higher_is_better` is True, the largest score is the "
                    "best.", wrong=lambda s, h: _mean_ranks(s, False)),
            Mistake("tied methods must share the mean of their ranks (1.5 for two tied for first), "
                    "not get different ranks in table order.", wrong=_ordinal_ranks),
            Mistake("tied methods share the *mean* of their ranks (1.5 for two tied for first), not "
                    "the best of them.", wrong=_min_ranks),
        ])


# --------------------------------------------------------------------------- 5. the sanity check
def _sanity_check() -> ChoiceQuestion:
    return ChoiceQuestion(
        "in a cascading randomisation test, a method's maps keep a rank correlation of 0.9 "
        "with the original maps after the logits layer and the last convolutional block have "
        "been re-initialised at random. What does that tell you?",
        {
            "a": "The method is robust: a good explanation should change little when the "
                 "model changes.",
            "b": "The model was badly trained, since re-initialising its top layers changed "
                 "almost nothing.",
            "c": "The maps barely depend on what those layers learned: the method fails the "
                 "sanity check.",
            "d": "The maps are right: they keep pointing at the object whatever the weights "
                 "happen to be.",
        },
        "c",
        wrong={
            "a": "stability against *noise in the image* is welcome; stability against "
                 "destroying the *model* means the map does not depend on the model.",
            "b": "the model being explained is the trained one; the randomised copies are "
                 "deliberately broken. The test is about the method, not about the training.",
            "d": "pointing at the object whatever the weights is what an edge detector does: "
                 "it says nothing about what *this* model used.",
        },
        hint=["After the cascade, the logits layer and the last block compute nothing the "
              "model learned. If a map of the model's decision did not change, what was it "
              "showing?",
              "A map that survives the destruction of the model depends on the image, not on "
              "what the model learned."],
        why="The model's decision was destroyed, and the map did not notice: it shows "
            "structure of the image (edges, contrast) that any network would pass back. "
            "Adebayo et al. found exactly this for guided backpropagation; Grad-CAM's maps "
            "change at the first step.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 8."""
    return ExerciseSet("evaluation", TITLE, [_random_energy(), _average_drop(), _curve_area(),
                                             _rank_methods(), _sanity_check()])
