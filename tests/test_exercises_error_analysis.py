"""helpers.exercises, Chapter 9 ("error_analysis"): every question of the set.

As for the other chapters: the solution that ``solution()`` shows passes, the
placeholder says "not attempted yet", typical wrong answers fail with their own
message, and right answers in other forms pass. The references are also checked
against the library's own functions (group_by_mass, error_rates_by_flag) and the
data set's own numbers.
"""
from __future__ import annotations

import numpy as np

from helpers.data import CONFOUNDED_BARS, NUISANCES, nuisance_pets
from helpers.evaluation.error_groups import (FOCUS, MIN_LIFT, MIN_SHARE, error_rates_by_flag,
                                             group_by_mass, mass_shares)
from helpers.exercises import load
from exercise_support import wrong_answer_bank

SLUG = "error_analysis"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


# --------------------------------------------------------------------------- wrong answers
def _argmax_share(names, shares, areas, min_share=0.5, min_lift=1.5):
    return names[int(np.argmax(shares))]


def _defaults_always(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    ok = shares[best] >= 0.5 and shares[best] >= 1.5 * areas[best]
    return names[best] if ok else "diffuse"


def _first_region_only(names, shares, areas, min_share=0.5, min_lift=1.5):
    ok = shares[0] >= min_share and shares[0] >= min_lift * areas[0]
    return names[0] if ok else "diffuse"


def _lift_ratio_wrong_way(names, shares, areas, min_share=0.5, min_lift=1.5):
    best = int(np.argmax(shares))
    ok = shares[best] >= min_share and areas[best] >= min_lift * shares[best]
    return names[best] if ok else "diffuse"


def _by_lift(names, shares, areas, min_share=0.5, min_lift=1.5):
    lifts = [s / a if a > 0 else 0.0 for s, a in zip(shares, areas)]
    best = lifts.index(max(lifts))
    return names[best] if shares[best] >= min_share and lifts[best] >= min_lift else "diffuse"


def _nan_without_mistakes(correct, flags):
    errors = ~correct
    return np.array([(errors & flags[:, k]).sum() / errors.sum() for k in range(flags.shape[1])])


def _rates_as_list(correct, flags):
    return [float((~correct[flags[:, k]]).mean()) for k in range(flags.shape[1])]


def _flags_axis_wrong(correct, flags):
    return (~correct[:, np.newaxis] & flags).mean(axis=1)          # one number per image


WRONG = [
    # 1: the bars rule on the confounded set
    (1, 0.5, "*fair* test set"),
    (1, 0.45, "only the dogs with bars"),
    (1, 0.1, "*error* rate"),
    (1, 90, "not a percentage"),
    (1, 1.0, "not perfect"),
    (1, 0.95, "not quite"),
    (1, "0.9", "expected a number"),
    # 2: the lift
    (2, 0.8, "area divided by the mass"),
    (2, 0.15, "not a difference"),
    (2, 0.45, "multiply?"),
    (2, 0.75, "share of the mass"),
    (2, 1.5, "not quite"),
    # 3: assign a group
    (3, _argmax_share, "largest share is not enough"),
    (3, lambda n, s, a, min_share=0.5, min_lift=1.5: (
        n[int(np.argmax(s))] if s[int(np.argmax(s))] >= min_share else "diffuse"), "forgot the lift"),
    (3, lambda n, s, a, min_share=0.5, min_lift=1.5: (
        n[int(np.argmax(s))] if s[int(np.argmax(s))] >= min_lift * a[int(np.argmax(s))]
        else "diffuse"), "forgot the share"),
    (3, _by_lift, "largest lift favours tiny regions"),
    (3, lambda n, s, a, min_share=0.5, min_lift=1.5: (
        n[int(np.argmax(s))] if s[int(np.argmax(s))] > min_share
        and s[int(np.argmax(s))] > min_lift * a[int(np.argmax(s))] else "diffuse"), "inclusive"),
    (3, lambda n, s, a, min_share=0.5, min_lift=1.5: (
        n[int(np.argmax(s))] if s[int(np.argmax(s))] >= min_share
        and s[int(np.argmax(s))] >= min_lift + a[int(np.argmax(s))] else "diffuse"), "ratio"),
    (3, _defaults_always, "thresholds passed by the caller"),
    (3, _first_region_only, "wrong result"),
    (3, _lift_ratio_wrong_way, "wrong result"),
    (3, "object", "expected a function"),
    # 4: error rate per nuisance
    (4, lambda c, f: np.array([c[f[:, k]].mean() for k in range(f.shape[1])]), "*accuracy*"),
    (4, lambda c, f: np.array([(~c & f[:, k]).sum() / len(c) for k in range(f.shape[1])]),
     "number of all images"),
    (4, lambda c, f: (~c[:, None] & f).sum(axis=0) / (~c).sum(), "share of all *mistakes*"),
    (4, lambda c, f: np.array([(~c[~f[:, k]]).mean() for k in range(f.shape[1])]), "*without*"),
    (4, lambda c, f: (~c[:, None] & f).sum(axis=0), "*number* of mistakes"),
    (4, _flags_axis_wrong, "one number per *nuisance*"),
    (4, _nan_without_mistakes, "share of all *mistakes*"),
    (4, lambda c, f: (c[:, None] & f).sum(axis=0) / f.sum(axis=0), "*accuracy*"),
    # 5: the fix
    (5, "b", "same correlation"),
    (5, "c", "*perfect*"),
    (5, "d", "training longer"),
    (5, "e", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.float64(0.9)) and ex.q1.check(9 / 10)
    assert ex.q2.check(0.75 / 0.6) and ex.q2.check(np.float32(1.25))
    assert ex.q5.check(" A ")
    # a loop instead of argmax, lists instead of arrays
    def assign_group(names, shares, areas, min_share=0.5, min_lift=1.5):
        best = max(range(len(names)), key=lambda k: shares[k])
        share = float(shares[best])
        if share >= min_share and share >= min_lift * float(areas[best]):
            return names[best]
        return "diffuse"
    assert ex.q3.check(assign_group)
    assert ex.q4.check(_rates_as_list)
    assert ex.q4.check(lambda c, f: (~c[:, None] & f).sum(axis=0) / f.sum(axis=0))


# --------------------------------------------------------------------------- against the library
def test_assign_group_reference_agrees_with_group_by_mass():
    reference = _question(3).reference
    data = nuisance_pets(30, rates={"person": 0.6, "bars": 0.6}, seed=5)
    regions = {"object": data.masks, "distractor": data.extras["distractor_masks"],
               "texture": data.extras["texture_masks"]}
    rng = np.random.default_rng(0)
    import cv2
    maps = np.stack([cv2.GaussianBlur(rng.random((64, 64)) ** 4, (0, 0), 6) for _ in range(30)])
    maps += 2 * np.stack([regions[["object", "distractor", "texture"][i % 3]][i]
                          for i in range(30)])
    groups = group_by_mass(maps, regions)
    shares = mass_shares(maps, regions, focus=FOCUS)
    names = list(shares)
    covered = regions["object"] | regions["distractor"] | regions["texture"]
    areas = {**{k: v.mean(axis=(1, 2)) for k, v in regions.items()},
             "elsewhere": (~covered).mean(axis=(1, 2))}
    for i in range(30):
        expected = reference(names, [shares[n][i] for n in names], [areas[n][i] for n in names],
                             MIN_SHARE, MIN_LIFT)
        assert groups[i] == expected
    assert len(set(groups)) >= 3          # the check covers several groups


def test_error_rate_reference_agrees_with_error_rates_by_flag():
    reference = _question(4).reference
    data = nuisance_pets(80, seed=6)
    flags = data.extras["nuisances"]
    correct = np.random.default_rng(1).random(80) < 0.7
    table = error_rates_by_flag(correct, flags, NUISANCES)
    assert np.allclose(reference(correct, flags), [table.rate(n) for n in NUISANCES])


def test_bars_rule_answer_is_the_data_sets_own():
    data = nuisance_pets(1000, confounded=True, seed=0)
    bars = data.extras["nuisances"][:, NUISANCES.index("bars")]
    assert _question(1).check(float(np.mean(bars == (data.labels == 1))))
    assert CONFOUNDED_BARS == (0.1, 0.9)
