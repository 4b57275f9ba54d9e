"""helpers.exercises, Chapter 10 ("detection"): every question of the detection-concepts set.

As for the other chapters: the shown solution passes, the placeholder says "not attempted
yet", and typical wrong answers fail with their own message. The references are also
checked against the library: R-CNN's deltas against helpers.models.sliding_window.encode_boxes, the
window count against sliding_windows, the box decoding against helpers.detection.box_convert.
"""
from __future__ import annotations

import numpy as np

from helpers.detection import box_convert
from helpers.exercises import load
from helpers.models.sliding_window import BOX_DELTA_SCALE, encode_boxes, sliding_windows
from exercise_support import wrong_answer_bank

SLUG = "detection"
NUMBERS = range(1, len(load(SLUG)) + 1)


def _question(number):
    return getattr(load(SLUG), f"q{number}")


def _deltas_python_lists(proposal, box):
    return [(box[0] + box[2] - proposal[0] - proposal[2]) / 2 / (proposal[2] - proposal[0]),
            0.0, 0.0, 0.0]


def _boxes_no_empty(centres, sizes):
    if len(centres) == 0:
        return np.zeros((0, 2))
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1)


WRONG = [
    (1, 91, "91 is the number of object types"),
    (1, 90, "largest category *id*"),
    (1, 20, "PASCAL VOC"),
    (1, 8, "KITTI"),
    (1, 80.5, "whole number"),
    (1, "80", "expected a number"),
    (2, 64, "stick out of the image"),
    (2, 36, "forgets the window that starts at 0"),
    (2, 16, "tile the image without overlap"),
    (2, 7, "one axis only"),
    (2, 50, "close"),
    (3, lambda p, g: np.array([(g[0] - p[0]) / (p[2] - p[0]), (g[1] - p[1]) / (p[3] - p[1]),
                               np.log((g[2] - g[0]) / (p[2] - p[0])),
                               np.log((g[3] - g[1]) / (p[3] - p[1]))]), "*centres*"),
    (3, lambda p, g: np.array([(g[0] + g[2] - p[0] - p[2]) / 2, (g[1] + g[3] - p[1] - p[3]) / 2,
                               np.log((g[2] - g[0]) / (p[2] - p[0])),
                               np.log((g[3] - g[1]) / (p[3] - p[1]))]), "window's width"),
    (3, lambda p, g: np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / (p[2] - p[0]),
                               (g[1] + g[3] - p[1] - p[3]) / 2 / (p[3] - p[1]),
                               (g[2] - g[0]) / (p[2] - p[0]), (g[3] - g[1]) / (p[3] - p[1])]),
     "*log*"),
    (3, lambda p, g: np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / (g[2] - g[0]),
                               (g[1] + g[3] - p[1] - p[3]) / 2 / (g[3] - g[1]),
                               np.log((g[2] - g[0]) / (p[2] - p[0])),
                               np.log((g[3] - g[1]) / (p[3] - p[1]))]), "*proposal's*"),
    (3, lambda p, g: -np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / (p[2] - p[0]),
                                (g[1] + g[3] - p[1] - p[3]) / 2 / (p[3] - p[1]),
                                np.log((g[2] - g[0]) / (p[2] - p[0])),
                                np.log((g[3] - g[1]) / (p[3] - p[1]))]), "the other way round"),
    (3, lambda p, g: encode_boxes(p[None], g[None])[0], "normalisation Fast R-CNN applies"),
    (3, _deltas_python_lists, "different values"),
    (4, lambda c, s: np.concatenate([c - s, c + s], axis=1), "*half*"),
    (4, lambda c, s: np.concatenate([c - s / 2, s], axis=1), "COCO's json format"),
    (4, lambda c, s: np.concatenate([c - s / 2, c + s / 2], axis=1)[:, [1, 0, 3, 2]], "swapped"),
    (4, lambda c, s: np.concatenate([c - s / 2, c + s / 2], axis=1).T, "axis 1, not axis 0"),
    (4, lambda c, s: np.stack([c - s / 2, c + s / 2], axis=2).reshape(len(c), 4), "interleaved"),
    (4, _boxes_no_empty, "expected shape (0, 4)"),
    (5, "a", "one counter-example"),
    (5, "b", "*less* accurate"),
    (5, "c", "per window"),
    (5, "e", "not one of the choices"),
]


(test_typical_wrong_answers_get_the_right_message,
 test_every_question_has_a_tested_wrong_answer,
 test_every_value_mistake_gets_its_own_message) = wrong_answer_bank(SLUG, WRONG)


def test_answers_in_other_forms_are_accepted():
    ex = load(SLUG)
    assert ex.q1.check(np.int64(80)) and ex.q1.check(80.0)
    assert ex.q2.check(7 * 7) and ex.q5.check(" D ")
    # the library's own functions are right answers too
    assert ex.q3.check(lambda p, g: encode_boxes(p[None], g[None])[0] * BOX_DELTA_SCALE)
    assert ex.q4.check(lambda c, s: box_convert(np.concatenate([c, s], axis=1), "cxcywh", "xyxy")
                       if len(c) else np.zeros((0, 4)))
    assert ex.q4.check(lambda c, s: np.hstack([c - s / 2, c + s / 2]))


def test_the_answers_agree_with_the_library():
    ex = load(SLUG)
    assert len(sliding_windows((64, 64), sizes=[16.0], step=0.5)) == ex.q2.expected
    rng = np.random.default_rng(3)
    corner = rng.uniform(0, 30, (20, 2))
    proposals = np.concatenate([corner, corner + rng.uniform(4, 30, (20, 2))], axis=1)
    corner = rng.uniform(0, 30, (20, 2))
    boxes = np.concatenate([corner, corner + rng.uniform(4, 30, (20, 2))], axis=1)
    shown = np.array([ex.q3.reference(p, g) for p, g in zip(proposals, boxes)])
    np.testing.assert_allclose(shown / BOX_DELTA_SCALE, encode_boxes(proposals, boxes),
                               rtol=1e-5, atol=1e-5)
    centres, sizes = rng.uniform(5, 60, (10, 2)), rng.uniform(2, 20, (10, 2))
    np.testing.assert_allclose(
        ex.q4.reference(centres, sizes),
        box_convert(np.concatenate([centres, sizes], axis=1), "cxcywh", "xyxy"))
