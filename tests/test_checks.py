"""The shared validation vocabulary (helpers._checks): what passes, what is refused."""
import numpy as np
import pytest

from helpers._checks import (
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_labels,
    check_pair,
    check_real,
    check_str,
    check_strings,
)


def test_check_int_accepts_numpy_ints_and_refuses_bools_and_floats():
    assert check_int(np.int64(3), "k", low=1) == 3 and type(check_int(np.int32(3), "k")) is int
    for bad in (True, 3.0, "3", None, np.float32(3)):
        with pytest.raises(TypeError, match="k must be an int"):
            check_int(bad, "k", low=1)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, 5\], got 6"):
        check_int(6, "k", low=1, high=5)
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        check_int(0, "k", low=1)


def test_check_real_ranges_and_numpy_scalars():
    assert check_real(np.float32(1e-3), "lr", low=0, low_open=True) == pytest.approx(1e-3)
    assert check_real(2, "x") == 2.0
    for bad in (True, "0.1", None, [0.1], np.array([0.1])):
        with pytest.raises(TypeError, match="lr must be a real number"):
            check_real(bad, "lr")
    for bad in (float("nan"), float("inf"), 0.0, -1.0):
        with pytest.raises(ValueError, match=r"lr must be a finite real number > 0"):
            check_real(bad, "lr", low=0, low_open=True)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        check_real(1.5, "alpha", low=0, high=1)
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        check_real(1.0, "p", low=0, high=1, high_open=True)


def test_check_bool_refuses_truthy_strings_and_ints():
    assert check_bool(np.bool_(False), "download") is False
    for bad in ("False", "no", 0, 1, None):
        with pytest.raises(TypeError, match="download must be True or False"):
            check_bool(bad, "download")


def test_check_choice_lists_the_choices():
    assert check_choice("gap", "head", ("gap", "flatten")) == "gap"
    with pytest.raises(ValueError, match="head must be one of 'gap', 'flatten', got str 'GAP'"):
        check_choice("GAP", "head", ("gap", "flatten"))
    with pytest.raises(TypeError, match="head must be one of"):
        check_choice(["gap"], "head", ("gap", "flatten"))


def test_check_array_shapes_types_and_nan():
    out = check_array([[1, 2], [3, 4]], "m", ndim=2, dtype=np.float32)
    assert out.dtype == np.float32 and out.shape == (2, 2)
    with pytest.raises(TypeError, match="m must hold numbers"):
        check_array(["a", "b"], "m")
    with pytest.raises(TypeError, match="string"):
        check_array("abc", "m")
    with pytest.raises(ValueError, match=r"m must be a 3-D array \(N, H, W\), got shape \(2, 2\)"):
        check_array(np.zeros((2, 2)), "m", ndim=3, shape_hint="(N, H, W)")
    with pytest.raises(ValueError, match="NaN or infinite values at position"):
        check_array([0.0, np.nan], "m")
    with pytest.raises(ValueError, match="empty"):
        check_array([], "m")
    with pytest.raises(ValueError, match="whole numbers"):
        check_array([1.5, 2.0], "ids", dtype=np.int64)
    with pytest.raises(ValueError, match="rectangular"):
        check_array([[1, 2], [3]], "m")


def test_check_labels_says_what_to_do():
    assert check_labels([0.0, 2.0], "y").tolist() == [0, 2]
    with pytest.raises(ValueError, match=r"argmax\(axis=1\)"):
        check_labels(np.eye(3), "y")
    with pytest.raises(ValueError, match="whole-number"):
        check_labels([0.5, 1.0], "y")
    with pytest.raises(ValueError, match="out of range for n_classes=2"):
        check_labels([0, 2], "y", n_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        check_labels([-1, 0], "y")
    with pytest.raises(TypeError, match="integer class labels"):
        check_labels(["cat"], "y")


def test_check_array_keeps_the_dtype_with_none_and_can_refuse_booleans():
    assert check_array(np.array([1, 2], np.int32), "m", dtype=None).dtype == np.int32
    assert check_array(np.array([True, False]), "m").tolist() == [1.0, 0.0]  # masks: 0/1
    with pytest.raises(TypeError, match="m must hold numbers, got booleans"):
        check_array(np.array([True, False]), "m", allow_bool=False)


@pytest.mark.parametrize("value", [np.zeros(0), np.array(["a"]), ["voc"], ("voc",), {"voc": 1}])
def test_check_choice_refuses_containers_without_comparing_them(value):
    # an array used to raise NumPy's "truth value of an empty array is ambiguous"
    with pytest.raises(TypeError, match=r"method must be one of 'voc', 'coco', got"):
        check_choice(value, "method", ("voc", "coco"))


def test_check_str_and_check_strings():
    assert check_str("a", "title") == "a"
    assert check_str(None, "title", optional=True) is None
    with pytest.raises(TypeError, match="title must be a str, got int 5"):
        check_str(5, "title")
    with pytest.raises(ValueError, match="name must be a non-empty str"):
        check_str("", "name", allow_empty=False)
    assert check_strings(["a", "b"], "names") == ("a", "b")
    assert check_strings(np.array(["a", "b"]), "names") == ("a", "b")
    with pytest.raises(TypeError, match="names must be a list of str, got str 'ab'"):
        check_strings("ab", "names")
    with pytest.raises(TypeError, match=r"names\[1\] must be a str, got int 2"):
        check_strings(["a", 2], "names")
    with pytest.raises(ValueError, match="names must have 3 entries, got 2"):
        check_strings(["a", "b"], "names", length=3)


def test_check_pair_reads_sizes_and_ranges():
    assert check_pair(np.int64(9), "size", kind="int", allow_scalar=True) == (9, 9)
    assert check_pair(np.array([8, 12]), "size", kind="int", low=8) == (8, 12)
    assert check_pair((0.2, 0.4), "scale", ordered=True) == (0.2, 0.4)
    with pytest.raises(TypeError, match=r"size must be an int or a pair \(height, width\)"):
        check_pair("9", "size", kind="int", allow_scalar=True, words=("height", "width"))
    with pytest.raises(TypeError, match="scale must be a pair"):
        check_pair(0.3, "scale")                                 # no scalar unless allowed
    with pytest.raises(TypeError, match=r"size\[1\] \(width\) must be an int"):
        check_pair((8, 9.5), "size", kind="int", words=("height", "width"))
    with pytest.raises(ValueError, match="got 3 value"):
        check_pair((1, 2, 3), "scale")
    with pytest.raises(ValueError, match=r"smallest <= largest, got \(0.6, 0.3\) \(fractions\)"):
        check_pair((0.6, 0.3), "scale", ordered=True, note=" (fractions)")
    with pytest.raises(ValueError, match=r"scale\[1\] \(largest\) must be .* \[0.1, 0.9\]"):
        check_pair((0.2, 1.5), "scale", low=0.1, high=0.9)


def test_labels_beyond_exact_floats_are_refused_not_wrapped():
    with pytest.raises(ValueError, match="found 1e\\+300 at position\\(s\\) 1, far beyond"):
        check_labels([0.0, 1e300], "y")
    assert check_labels([0.0, 2.0**52], "y").tolist() == [0, 2**52]


def test_undefined_metric_warning_is_public():
    import helpers.metrics
    import helpers.metrics._checks
    import helpers.metrics.warnings

    assert helpers.metrics.UndefinedMetricWarning is helpers.metrics.warnings.UndefinedMetricWarning
    assert not hasattr(helpers.metrics._checks, "UndefinedMetricWarning")
    with pytest.warns(helpers.metrics.UndefinedMetricWarning, match="Precision"):
        helpers.metrics.precision_recall_f1([0, 1], [0, 0], average="binary")
