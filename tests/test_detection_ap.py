"""average_precision on curves worked out by hand.

The running example: 4 objects; 5 detections ranked by score are hit, miss, hit, miss, hit.

    n          1     2     3     4     5
    TP         1     1     2     2     3
    recall    1/4   1/4   2/4   2/4   3/4
    precision  1    1/2   2/3   1/2   3/5
    envelope   1    2/3   2/3   3/5   3/5     (max of the precision from here on)
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.detection import average_precision, precision_envelope

RECALL = [1 / 4, 1 / 4, 2 / 4, 2 / 4, 3 / 4]
PRECISION = [1, 1 / 2, 2 / 3, 1 / 2, 3 / 5]


def test_envelope():
    assert precision_envelope(PRECISION) == pytest.approx([1, 2 / 3, 2 / 3, 3 / 5, 3 / 5])


def test_all_point_voc():
    # Recall steps 0 -> 1/4 -> 2/4 -> 3/4, each of width 1/4, at envelope 1, 2/3, 3/5:
    # 1/4 * (1 + 2/3 + 3/5) = 1/4 * 34/15 = 17/30. Recall 3/4 -> 1 is never reached: 0.
    assert average_precision(RECALL, PRECISION, "voc") == pytest.approx(17 / 30, abs=1e-15)


def test_eleven_point_voc07():
    # t = 0, .1, .2 -> first point with recall >= t is n=1: envelope 1     (3 levels)
    # t = .3, .4, .5 -> n=3 (recall 2/4):                  envelope 2/3   (3 levels)
    # t = .6, .7     -> n=5 (recall 3/4):                  envelope 3/5   (2 levels)
    # t = .8, .9, 1  -> never reached:                     0              (3 levels)
    # AP = (3 * 1 + 3 * 2/3 + 2 * 3/5) / 11 = (31/5) / 11 = 31/55
    assert average_precision(RECALL, PRECISION, "voc07") == pytest.approx(31 / 55, abs=1e-15)


def test_101_point_coco():
    # t = k/100: k = 0..25 -> envelope 1 (26 levels); k = 26..50 -> 2/3 (25 levels);
    # k = 51..75 -> 3/5 (25 levels); k = 76..100 -> 0 (25 levels).
    # (np.linspace gives exactly 0.25, 0.5 and 0.75 for k = 25, 50, 75.)
    # AP = (26 + 25 * 2/3 + 25 * 3/5) / 101 = (41 + 50/3) / 101 = 173/303
    assert average_precision(RECALL, PRECISION, "coco") == pytest.approx(173 / 303, abs=1e-15)


def test_voc07_counts_a_recall_of_exactly_three_tenths():
    # 10 objects, the 3 best detections are hits: recall 0.1, 0.2, 0.3 at precision 1.
    # Levels 0, .1, .2, .3 are reached: AP = 4/11. (With np.arange(0, 1.1, 0.1) the
    # level 0.3 would be 0.30000000000000004 and the AP only 3/11.)
    assert average_precision([1 / 10, 2 / 10, 3 / 10], [1, 1, 1], "voc07") == pytest.approx(4 / 11, abs=1e-15)


def test_coco_levels_are_pycocotools_linspace():
    # 20 objects, 7 hits: recall 7/20 = 0.35 but COCO's level 35 is 35 * 0.01 =
    # 0.35000000000000003, not reached: levels 0..34 count, AP = 35/101.
    recall = [n / 20 for n in range(1, 8)]
    assert average_precision(recall, [1] * 7, "coco") == pytest.approx(35 / 101, abs=1e-15)


def test_perfect_and_empty_curves():
    for method in ("voc", "voc07", "coco"):
        assert average_precision([0.5, 1.0], [1.0, 1.0], method) == pytest.approx(1.0)
        assert average_precision([], [], method) == 0.0


def test_default_method_is_all_point():
    assert average_precision(RECALL, PRECISION) == average_precision(RECALL, PRECISION, "voc")


@pytest.mark.parametrize(
    "recall, precision, method, message",
    [
        (RECALL, PRECISION, "voc12", r"method must be one of 'voc07', 'voc', 'coco', got str 'voc12'"),
        ([0.5, 0.2], [1, 1], "voc", r"recall must not decrease .* recall\[1\] = 0\.2 < recall\[0\] = 0\.5"),
        ([0.5], [1, 1], "voc", r"same length"),
        ([0.5, 1.5], [1, 1], "voc", r"recall\[1\] is 1\.5; expected a number in \[0, 1\]"),
        ([0.5, 1.0], [1, np.nan], "voc", r"precision\[1\] is nan"),
        ([[0.5]], [[1]], "voc", r"recall must be a 1-D array"),
    ],
)
def test_bad_input(recall, precision, method, message):
    with pytest.raises(ValueError, match=message):
        average_precision(recall, precision, method)


@pytest.mark.parametrize("recall, precision, error, message", [
    (["0.5", "1.0"], [1.0, 0.5], TypeError, r"recall must hold numbers, got dtype <U3"),
    ([0.5, 1.0], "1.0 0.5", TypeError, r"precision must be an array of numbers, got the string"),
    ([0.5, 1.0], [True, False], None, None),  # booleans are 0/1 precisions: accepted
    ([[0.5, 1.0]], [[1.0, 0.5]], ValueError, r"recall must be a 1-D array"),
])
def test_strings_and_shapes_name_the_argument(recall, precision, error, message):
    if error is None:
        assert average_precision(recall, precision) == 0.5
        return
    with pytest.raises(error, match=message):
        average_precision(recall, precision)
