"""helpers.exercises, Chapter 13 ("localization"): every question of the heatmaps-to-boxes set.

The shown solutions pass, the placeholder says "not attempted yet", typical wrong answers
get their own message, and the references agree with helpers.detection (corloc,
heatmap_to_box on maps with one connected hot region).
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.detection import corloc, heatmap_to_box
from helpers.exercises import load
from exercise_support import wrong_answer_bank

SLUG = "localization"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


def _box_no_plus_one(h, t):
    r, c = np.nonzero(h >= t * h.max())
    return np.array([c.min(), r.min(), c.max(), r.max()])


def _box_from(mask):
    r, c = np.nonzero(mask)
    return np.array([c.min(), r.min(), c.max() + 1, r.max() + 1])


def _box_loop(h, t):
    hot = [(r, c) for r in range(h.shape[0]) for c in range(h.shape[1]) if h[r, c] >= t * h.max()]
    rows, cols = [p[0] for p in hot], [p[1] for p in hot]
    return [min(cols), min(rows), max(cols) + 1, max(rows) + 1]


WRONG = [
    (1, lambda ious, threshold=0.5: np.mean(ious > threshold), "use >=, not >"),
    (1, lambda ious, threshold=0.5: ious.mean(), "mean IoU"),
    (1, lambda ious, threshold=0.5: (ious >= threshold).sum(), "*number*"),
    (1, lambda ious, threshold=0.5: np.mean(ious >= 0.5), "`threshold` argument"),
    (1, lambda ious, threshold=0.5: np.mean(ious >= threshold) * 100, "different values"),
    (1, 0.5, "expected a function"),
    (2, _box_no_plus_one, "exclusive"),
    (2, lambda h, t: np.array([np.nonzero(h >= t * h.max())[0].min(),
                               np.nonzero(h >= t * h.max())[1].min(),
                               np.nonzero(h >= t * h.max())[0].max() + 1,
                               np.nonzero(h >= t * h.max())[1].max() + 1]), "x is the column"),
    (2, lambda h, t: np.array([np.nonzero(h >= t)[1].min(), np.nonzero(h >= t)[0].min(),
                               np.nonzero(h >= t)[1].max() + 1,
                               np.nonzero(h >= t)[0].max() + 1]), "*maximum*"),
    (2, lambda h, t: np.array([np.nonzero(h > t * h.max())[1].min(),
                               np.nonzero(h > t * h.max())[0].min(),
                               np.nonzero(h > t * h.max())[1].max() + 1,
                               np.nonzero(h > t * h.max())[0].max() + 1]), "use >=, not >"),
    (3, lambda taus, s: np.argmax(s), "*position*"),
    (3, lambda taus, s: s.max(), "best validation *score*"),
    (3, lambda taus, s: taus[len(s) - 1 - np.argmax(s[::-1])], "on a tie"),
    (3, lambda taus, s: taus.max(), "largest threshold"),
    (3, lambda taus, s: taus[np.argmax(s)], "need not be"),                 # assumes sorted
    (3, lambda taus, s: np.sort(taus)[np.argmax(s)], "wrong result"),      # sorts taus only
    (2, lambda h, t: _box_from((h - h.min()) / (h.max() - h.min()) >= t), "min-max"),
    (2, lambda h, t: _box_from(h / h.max() >= t + 1e-3), "use >=, not >"),  # a near miss
    (2, lambda h, t: _box_from(h >= t * h.max())[[1, 0, 3, 2]], "x is the column"),
    (4, "a", "mix the method with the tuning"),
    (4, "b", "not a virtue"),
    (4, "d", "no rule"),
    (4, "z", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(lambda ious, threshold=0.5: float(np.count_nonzero(ious >= threshold))
                       / len(ious))
    assert ex.q2.check(_box_loop)                      # a plain list from loops
    assert ex.q3.check(lambda taus, s: min(t for t, v in zip(taus, s) if v == max(s)))
    assert ex.q3.check(lambda taus, s: np.sort(taus)[np.argmax(np.asarray(s)[np.argsort(taus)])])
    assert ex.q4.check(" C")


def test_the_references_agree_with_the_library():
    ex = load(SLUG)
    rng = np.random.default_rng(5)
    ious = rng.random(40)
    boxes = np.array([[0, 0, 10, 10 * v] if v > 0 else [0, 0, 10, 0.001] for v in ious])
    truth = np.tile([[0.0, 0.0, 10.0, 10.0]], (40, 1))
    # box (0, 0, 10, 10 v) inside (0, 0, 10, 10) has IoU v
    assert ex.q1.reference(ious) == pytest.approx(corloc(boxes, truth))
    assert ex.q1.reference(ious, threshold=0.3) == pytest.approx(corloc(boxes, truth, 0.3))
    for _ in range(20):
        heatmap = np.zeros((12, 16))
        r, c = rng.integers(0, 8), rng.integers(0, 10)
        heatmap[r:r + 4, c:c + 6] = rng.uniform(0.1, 1.0, (4, 6))   # one connected region
        tau = float(rng.uniform(0, 0.09))
        np.testing.assert_array_equal(ex.q2.reference(heatmap, tau),
                                      heatmap_to_box(heatmap, threshold=tau))
