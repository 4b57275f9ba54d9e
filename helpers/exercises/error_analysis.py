"""Exercises for Chapter 9, "Error analysis with heatmaps"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Error analysis with heatmaps"


# --------------------------------------------------------------------------- 1. the bars rule
def _bars_rule() -> ValueQuestion:
    return ValueQuestion(
        "accuracy of the rule 'dog if and only if bars' on the confounded training set "
        "(bars behind 90 % of the dogs, 10 % of the cats, as many cats as dogs) (a number)",
        0.9, what="a number between 0 and 1",
        hint=["Count the cats and the dogs separately: which cats does the rule get right, which dogs?",
              "The rule is right on the cats *without* bars (90 % of the cats) and on the dogs *with* "
              "bars (90 % of the dogs). The classes are the same size."],
        solution="answer = 0.5 * 0.9 + 0.5 * 0.9   # cats without bars, dogs with bars",
        why="0.9 without ever looking at the animal: a shortcut that good on the training set is "
            "what a network finds first, long before it has learned ears and snouts. On the fair "
            "test set (bars behind half of each class) the same rule scores 0.5.",
        mistakes=[
            Mistake("0.5 is what the rule scores on the *fair* test set, where each class has bars "
                    "behind half of its images. On the confounded set the bars go with the dogs.",
                    wrong=0.5),
            Mistake("that counts only the dogs with bars among all the images (0.5 x 0.9); the rule "
                    "is also right on every cat without bars.", wrong=0.45),
            Mistake("0.1 is its *error* rate: the cats with bars and the dogs without.", wrong=0.1),
            Mistake("give a fraction between 0 and 1, not a percentage.", wrong=90.0),
            Mistake("the rule is not perfect on the confounded set: 10 % of the cats have bars behind "
                    "them and 10 % of the dogs have none.", wrong=1.0),
        ])


# --------------------------------------------------------------------------- 2. the lift
def _lift() -> ValueQuestion:
    return ValueQuestion(
        "a bars panel covers 60 % of an image and holds 75 % of the heatmap's mass: the panel's lift "
        "(a number)",
        1.25, what="a number",
        hint=["A heatmap spread evenly over the image would put 60 % of its mass on the panel: its "
              "fair share is its share of the area.",
              "The lift is the share of the mass divided by that fair share."],
        solution="answer = 0.75 / 0.60   # share of the mass / share of the area",
        why="1.25 is barely more than a flat map would give: a large region collects a large share "
            "of any map. That is why `group_by_mass` asks for a lift of at least 1.5 on top of a "
            "majority of the mass, and this image is 'diffuse', not 'bars'.",
        mistakes=[
            Mistake("that is the area divided by the mass; the lift is the mass's share divided by "
                    "the area's share (above 1 when the map favours the region).", wrong=0.8),
            Mistake("the lift is a ratio, not a difference: divide the share of the mass by the "
                    "share of the area.", wrong=0.15),
            Mistake("multiply? The lift compares the two shares: divide the mass share by the area "
                    "share.", wrong=0.45),
            Mistake("0.75 is the share of the mass; compare it with the panel's share of the image.",
                    wrong=0.75),
        ])


# --------------------------------------------------------------------------- 3. assign a group
def _largest_share(names, shares, areas, min_share=0.5, min_lift=1.5):
    return names[int(np.argmax(shares))]


def _no_lift(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    return names[best] if shares[best] >= min_share else "diffuse"


def _no_share(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    return names[best] if shares[best] >= min_lift * areas[best] else "diffuse"


def _largest_lift(names, shares, areas, min_share=0.5, min_lift=1.5):
    shares, areas = np.asarray(shares, float), np.asarray(areas, float)
    lifts = np.where(areas > 0, shares / np.where(areas > 0, areas, 1), 0)
    best = int(np.argmax(lifts))
    ok = shares[best] >= min_share and lifts[best] >= min_lift
    return names[best] if ok else "diffuse"


def _strict(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    ok = shares[best] > min_share and shares[best] > min_lift * areas[best]
    return names[best] if ok else "diffuse"


def _lift_added(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    ok = shares[best] >= min_share and shares[best] >= min_lift + areas[best]
    return names[best] if ok else "diffuse"


def _assign_group() -> FunctionQuestion:
    regions = ["object", "distractor", "texture", "elsewhere"]
    cases = [
        Case((regions, [0.7, 0.05, 0.15, 0.1], [0.1, 0.2, 0.4, 0.3]),
             note="most of the mass on a small object"),
        Case((regions, [0.1, 0.05, 0.7, 0.15], [0.1, 0.1, 0.6, 0.2]),
             note="70 % of the mass on a texture covering 60 % of the image: lift below 1.5"),
        Case((regions, [0.1, 0.05, 0.8, 0.05], [0.1, 0.1, 0.5, 0.3]),
             note="80 % of the mass on a texture covering half the image"),
        Case((regions, [0.4, 0.35, 0.0, 0.25], [0.1, 0.2, 0.0, 0.7]),
             note="no region holds half of the mass"),
        Case((regions, [0.5, 0.1, 0.1, 0.3], [0.2, 0.2, 0.2, 0.4]),
             note="exactly half the mass, lift 2.5: the thresholds are inclusive"),
        Case((regions, [0.75, 0.05, 0.05, 0.15], [0.5, 0.1, 0.1, 0.3]),
             note="exactly 1.5 times the area's share (0.75 on 0.5, exact in binary): "
                  "inclusive"),
        Case((regions, [0.3, 0.6, 0.05, 0.05], [0.05, 0.3, 0.3, 0.35]),
             note="the distractor holds 60 % of the mass on 30 % of the image"),
        Case((regions, [0.3, 0.3, 0.05, 0.35], [0.05, 0.3, 0.3, 0.35]),
             kwargs={"min_share": 0.25, "min_lift": 1.0}, note="thresholds passed by the caller"),
    ]
    return FunctionQuestion(
        "assign_group(names, shares, areas, min_share=0.5, min_lift=1.5): the region where the "
        "heatmap's mass falls, or 'diffuse'",
        "assign_group", cases,
        hint=["Take the region with the largest share of the mass, then test it against *both* "
              "thresholds.",
              "It qualifies when `share >= min_share` and `share >= min_lift * area`; otherwise the "
              "map is 'diffuse'. Use the thresholds you are given, not the defaults."],
        solution='''
            def assign_group(names, shares, areas, min_share=0.5, min_lift=1.5):
                best = int(np.argmax(shares))                 # the largest share of the mass
                share, area = shares[best], areas[best]
                if share >= min_share and share >= min_lift * area:
                    return names[best]
                return "diffuse"
        ''',
        why="A majority of the mass *and* clearly more than the region's fair share: the first test "
            "alone lets a large panel win with a flat map, the second alone lets a tiny region win "
            "with a few per cent of the mass.",
        mistakes=[
            Mistake("the region with the largest share is not enough: it must hold at least "
                    "`min_share` of the mass and `min_lift` times its area's share, or the map is "
                    "'diffuse'.", wrong=_largest_share),
            Mistake("you forgot the lift: a texture that covers 60 % of the image collects 60 % of a "
                    "flat map's mass. Also require `share >= min_lift * area`.", wrong=_no_lift),
            Mistake("you forgot the share: also require `share >= min_share` (a majority by default).",
                    wrong=_no_share),
            Mistake("pick the region with the largest *share* of the mass, then test its lift; the "
                    "largest lift favours tiny regions.", wrong=_largest_lift),
            Mistake("the thresholds are inclusive: `>=`, not `>`.", wrong=_strict),
            Mistake("the lift is a ratio: compare the share with `min_lift * area`, not "
                    "`min_lift + area`.", wrong=_lift_added),
        ],
        error_advice={IndexError: "`names`, `shares` and `areas` are parallel lists: index all three "
                                  "with the same position."})


# --------------------------------------------------------------------------- 4. error rate per nuisance
def _accuracy_per_flag(correct, flags):
    return np.array([correct[flags[:, k]].mean() for k in range(flags.shape[1])])


def _errors_over_all(correct, flags):
    return np.array([(~correct & flags[:, k]).sum() / len(correct) for k in range(flags.shape[1])])


def _share_of_errors(correct, flags):
    return np.array([(~correct & flags[:, k]).sum() / (~correct).sum() for k in range(flags.shape[1])])


def _without_flag(correct, flags):
    return np.array([(~correct[~flags[:, k]]).mean() for k in range(flags.shape[1])])


def _error_counts(correct, flags):
    return np.array([(~correct[flags[:, k]]).sum() for k in range(flags.shape[1])])


def _per_image(correct, flags):
    return np.array([(~correct[i]) * flags[i].mean() for i in range(len(correct))])


def _error_rate_per_nuisance() -> FunctionQuestion:
    rng = np.random.default_rng(9)
    flags = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [0, 0, 0]], bool)
    correct = np.array([False, False, True, True, True, True])
    many_flags = rng.random((40, 5)) < 0.3
    many_flags[0] = True                                     # every nuisance carried at least once
    many_correct = rng.random(40) < 0.7
    cases = [
        Case((correct, flags), note="6 images, 3 nuisances"),
        Case((many_correct, many_flags), note="40 images, 5 nuisances"),
        Case((np.array([True, False, True, False]), np.array([[1, 0], [0, 1], [1, 1], [0, 1]], bool)),
             note="4 images, 2 nuisances, some images carry both"),
        Case((np.ones(4, bool), np.array([[1, 0], [0, 1], [1, 1], [0, 0]], bool)),
             note="no mistakes at all"),
        Case((np.array([False, False, False]), np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1]], bool)),
             note="every prediction wrong"),
    ]
    return FunctionQuestion(
        "error_rate_per_nuisance(correct, flags): for each column of flags (N, K), the error rate "
        "among the images that carry that nuisance",
        "error_rate_per_nuisance", cases,
        hint=["`flags[:, k]` selects the images with nuisance k; `~correct` marks the mistakes.",
              "For each column, the error rate is the mean of `~correct` over the selected images "
              "only, one number per column."],
        solution='''
            def error_rate_per_nuisance(correct, flags):
                return np.array([(~correct[flags[:, k]]).mean()    # mistakes among those images
                                 for k in range(flags.shape[1])])  # one number per nuisance
        ''',
        why="The error rate among the images that carry a nuisance, next to the overall error rate, "
            "says which nuisance hurts; one image with several nuisances counts in several rows.",
        mistakes=[
            Mistake("that is the *accuracy* among the images with each nuisance; the question asks "
                    "for the error rate (mistakes / images), `(~correct[...]).mean()`.",
                    wrong=_accuracy_per_flag),
            Mistake("you divided by the number of all images; divide by the number of images that "
                    "carry the nuisance.", wrong=_errors_over_all),
            Mistake("that is the share of all *mistakes* that carry each nuisance, not the error "
                    "rate among the images that carry it (and it is 0 / 0 with no mistakes).",
                    wrong=_share_of_errors),
            Mistake("that is the error rate among the images *without* the nuisance: select "
                    "`flags[:, k]`, not `~flags[:, k]`.", wrong=_without_flag),
            Mistake("that is the *number* of mistakes per nuisance; divide by the number of images "
                    "that carry it.", wrong=_error_counts),
            Mistake("return one number per *nuisance* (per column of `flags`), not one per image.",
                    test=lambda got, exp, case: np.shape(got) == (len(case.args[0]),)
                    and np.shape(got) != np.shape(exp)),
        ])


# --------------------------------------------------------------------------- 5. the fix
def _the_fix() -> ChoiceQuestion:
    return ChoiceQuestion(
        "which new training set breaks the bars shortcut?",
        {
            "a": "New photos in which cats and dogs have bars behind them equally often.",
            "b": "Twice as many photos, collected the same way (kennels for dogs, homes for "
                 "cats).",
            "c": "The same photos without the cats that have bars behind them, the confusing "
                 "ones.",
            "d": "The same photos, trained for twice as many epochs with a lower learning "
                 "rate.",
        },
        "a",
        wrong={
            "b": "more images collected the same way keep the same correlation: bars would "
                 "still stand behind 90 % of the dogs and 10 % of the cats.",
            "c": "removing the cats with bars makes the shortcut *perfect*: then every image "
                 "with bars is a dog.",
            "d": "training longer on the same data gives the network more time to rely on the"
                 " bars; the training set still rewards the shortcut.",
        },
        hint=["A shortcut is broken when the nuisance no longer tells the classes apart.",
              "Which plan gives cats and dogs the *same* chance of bars behind them?"],
        why="With bars behind cats as often as behind dogs, the bars say nothing about the "
            "class; the only thing left that does is the animal, so that is what the network "
            "learns.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 9."""
    return ExerciseSet("error_analysis", TITLE, [_bars_rule(), _lift(), _assign_group(),
                                                 _error_rate_per_nuisance(), _the_fix()])
