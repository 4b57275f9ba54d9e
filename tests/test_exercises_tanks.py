"""helpers.exercises, Chapter 4 ("tanks"): every question of the tank-story set.

As for the other chapters (tests/test_exercises.py): the solution that ``solution()``
shows passes, the placeholder says "not attempted yet", and typical wrong answers fail
with the right message. The references are also checked against the chapter's own,
vectorised computations on real tank scenes.
"""
from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers.exercises import load
from helpers.exercises import FunctionQuestion
from exercise_support import solution_answer, wrong_answer_bank

SLUG = "tanks"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


# --------------------------------------------------------------------------- loading
# --------------------------------------------------------------------------- every question
# --------------------------------------------------------------------------- wrong answers
def _peak(heatmap):
    return np.unravel_index(np.argmax(heatmap), heatmap.shape)


def _peak_xy_swapped(heatmap, box):
    x, y = _peak(heatmap)
    return bool(heatmap.max() > 0 and box[0] <= x < box[2] and box[1] <= y < box[3])


def _peak_inclusive(heatmap, box):
    y, x = _peak(heatmap)
    return bool(heatmap.max() > 0 and box[0] <= x <= box[2] and box[1] <= y <= box[3])


def _peak_strict(heatmap, box):
    y, x = _peak(heatmap)
    return bool(heatmap.max() > 0 and box[0] < x < box[2] and box[1] < y < box[3])


def _peak_any_map(heatmap, box):
    y, x = _peak(heatmap)
    return bool(box[0] <= x < box[2] and box[1] <= y < box[3])


def _peak_as_int(heatmap, box):
    y, x = _peak(heatmap)
    return int(heatmap.max() > 0 and box[0] <= x < box[2] and box[1] <= y < box[3])


def _share_python_floats(heatmap, mask):
    return float(heatmap[mask].sum()) / float(heatmap.sum())


def _group_by_range(y_true, y_pred, groups):
    return np.array([np.mean((y_true == y_pred)[groups == g]) for g in range(groups.max() + 1)])


def _group_by_index(y_true, y_pred, groups):
    out = np.zeros(len(np.unique(groups)))
    for g in np.unique(groups):
        out[g] = np.mean((y_true == y_pred)[groups == g])
    return out


WRONG = [
    # 1: a weather detector on unconfounded scenes
    (1, 1.0, "researchers' photos"),
    (1, 0.0, "not always wrong"),
    (1, 50, "not a percentage"),
    (1, 0.25, "two of the four"),
    (1, 0.75, "not three"),
    (1, "0.5", "expected a number"),
    # 2: accuracy per group
    (2, lambda t, p, g: np.full(len(np.unique(g)), np.mean(t == p)), "overall accuracy"),
    (2, lambda t, p, g: np.array([np.sum((t == p)[g == k]) for k in np.unique(g)]), "*number* of correct"),
    (2, lambda t, p, g: np.array([np.sum((t == p) & (g == k)) / len(t) for k in np.unique(g)]),
     "size of the whole set"),
    (2, lambda t, p, g: np.array([np.mean((t == p)[t == k]) for k in np.unique(g)]), "true class"),
    (2, _group_by_range, "group ids need not be 0, 1, 2"),
    (2, _group_by_index, "loop over `np.unique(groups)`"),
    # 3: share of the heatmap's mass inside a mask
    (3, lambda h, m: m.mean(), "share of the *image*"),
    (3, lambda h, m: m.sum() / m.size, "share of the *image*"),
    (3, lambda h, m: h[m].sum(), "total mass"),
    (3, lambda h, m: (h * m).sum() / h.size, "not by the number of pixels"),
    (3, lambda h, m: h[m].mean(), "average heat"),
    (3, lambda h, m: h[~m].sum() / h.sum(), "*outside*"),
    (3, lambda h, m: h[m].sum() / h.sum(), "0 / 0 = NaN"),
    (3, lambda h, m: (h * m).sum() / h.sum(), "0 / 0 = NaN"),
    (3, _share_python_floats, "ZeroDivisionError"),
    (3, 0.75, "expected a function"),
    # 4: the peak in the box
    (4, _peak_xy_swapped, "x and y are swapped"),
    (4, _peak_inclusive, "exclusive"),
    (4, _peak_strict, "left and top edges"),
    (4, _peak_any_map, "all-zero map has no peak"),
    (4, _peak_as_int, "expected True or False"),
    # 5: the data-collection plan
    (5, "a", "same correlation"),
    (5, "b", "grey levels"),
    (5, "c", "shares their bias"),
    (5, "e", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.float32(0.5)) and ex.q1.check(1 / 2)
    assert ex.q5.check(" D ")
    # a vectorised share and a loop-free peak test are as good as the shown solutions
    assert ex.q3.check(lambda h, m: float((h * m).sum() / h.sum()) if h.sum() > 0 else 0.0)
    assert ex.q4.check(lambda h, b: bool(h.max() > 0 and b[1] <= h.argmax() // h.shape[1] < b[3]
                                         and b[0] <= h.argmax() % h.shape[1] < b[2]))


def test_the_reference_of_a_function_question_is_the_shown_solution():
    for question in load(SLUG):
        if isinstance(question, FunctionQuestion):
            shown = solution_answer(question)
            for case in question.cases:
                a = shown(*case.args, **case.kwargs)
                b = question.reference(*case.args, **case.kwargs)
                np.testing.assert_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


# --------------------------------------------------------------------------- against the data
@pytest.fixture(scope="module")
def field():
    return helpers.data.tank_scenes(40, size=32, confounded=False, seed=3)


def test_a_weather_detector_scores_the_expected_value_on_unconfounded_scenes(field):
    ex = load(SLUG)
    weather = field.extras["weather"]               # 0 sunny, 1 cloudy: the detector's answer
    assert ex.q1.check(float(np.mean(weather == field.labels)))
    # grouped by weather it is at chance on both; grouped by (class, weather) it is all or nothing
    np.testing.assert_allclose(ex.q2.reference(field.labels, weather, weather), [0.5, 0.5])
    groups = 2 * field.labels + weather
    np.testing.assert_allclose(ex.q2.reference(field.labels, weather, groups), [1.0, 0.0, 0.0, 1.0])


def test_share_inside_matches_the_chapters_vectorised_sky_mass(field):
    share = load(SLUG).q3.reference
    rng = np.random.default_rng(0)
    maps = rng.random(field.masks.shape) ** 4
    maps[0] = 0.0                                   # an all-zero map
    sky = field.extras["sky_masks"]
    vectorised = (maps * sky).sum(axis=(1, 2)) / np.maximum(maps.sum(axis=(1, 2)), 1e-12)
    looped = np.array([share(m, s) for m, s in zip(maps, sky)])
    np.testing.assert_allclose(looped, vectorised, rtol=1e-9, atol=1e-12)
    flat = np.ones_like(maps[1])                    # an even spread gives the sky's area
    assert share(flat, sky[1]) == pytest.approx(sky[1].mean())


def test_peak_in_box_matches_the_chapters_vectorised_test(field):
    peak_in_box = load(SLUG).q4.reference
    tanks = np.flatnonzero(field.labels == 1)
    rng = np.random.default_rng(1)
    maps = rng.random((len(tanks), *field.masks.shape[1:]))
    maps[::2] += 2 * field.masks[tanks][::2]        # half of the maps peak on the tank
    maps[1] = 0.0
    boxes = field.boxes[tanks]
    flat = maps.reshape(len(maps), -1).argmax(axis=1)
    ys, xs = np.unravel_index(flat, maps.shape[1:])
    vectorised = ((maps.max(axis=(1, 2)) > 0) & (xs >= boxes[:, 0]) & (xs < boxes[:, 2])
                  & (ys >= boxes[:, 1]) & (ys < boxes[:, 3]))
    looped = np.array([peak_in_box(m, b) for m, b in zip(maps, boxes)])
    np.testing.assert_array_equal(looped, vectorised)
    assert looped[::2].all() and not looped[1]
