"""helpers.metrics (counting and curves) against scikit-learn, on many random cases and the edge cases."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import helpers.metrics as hm
from helpers.metrics import UndefinedMetricWarning

SEEDS = range(60)
AVERAGES = [None, "micro", "macro", "weighted"]
ZERO_DIVISIONS = ["warn", 0, 1, np.nan]


def _random_labels(seed):
    """y_true, y_pred with K classes; some classes rare, never predicted or absent."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 13))
    n = int(rng.integers(1, 250))
    weights = rng.dirichlet(np.full(k, 0.5))          # skewed class frequencies
    y_true = rng.choice(k, size=n, p=weights)
    noisy = rng.random(n) < rng.uniform(0.1, 0.9)
    y_pred = np.where(noisy, rng.choice(k, size=n, p=rng.dirichlet(np.ones(k))), y_true)
    if seed % 3 == 0:  # a class that is never predicted
        y_pred = np.where(y_pred == k - 1, 0, y_pred)
    if seed % 4 == 0:  # a class absent from y_true
        y_true = np.where(y_true == 0, 1, y_true)
    return y_true, y_pred, k


def _sk_prf(y_true, y_pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, **kwargs)
    return p, r, f


def _ours(y_true, y_pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hm.precision_recall_f1(y_true, y_pred, **kwargs)


def _assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-12,
                                   equal_nan=True)


# --------------------------------------------------------------------------- random cases
@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_matrix_and_accuracy_equal_sklearn(seed):
    y_true, y_pred, k = _random_labels(seed)
    np.testing.assert_array_equal(hm.confusion_matrix(y_true, y_pred, n_classes=k),
                                  skm.confusion_matrix(y_true, y_pred, labels=np.arange(k)))
    present = np.union1d(y_true, y_pred)
    cm = hm.confusion_matrix(y_true, y_pred)
    # the default keeps classes 0..max; sklearn's default keeps the present ones
    np.testing.assert_array_equal(cm[np.ix_(present, present)], skm.confusion_matrix(y_true, y_pred))
    assert hm.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_precision_recall_f1_equal_sklearn(seed):
    y_true, y_pred, k = _random_labels(seed)
    for average in AVERAGES:
        for zd in ZERO_DIVISIONS:
            _assert_same(_ours(y_true, y_pred, average=average, zero_division=zd),
                         _sk_prf(y_true, y_pred, average=average, zero_division=zd))
            _assert_same(_ours(y_true, y_pred, average=average, zero_division=zd, n_classes=k),
                         _sk_prf(y_true, y_pred, average=average, zero_division=zd, labels=np.arange(k)))
    labels = np.random.default_rng(seed).permutation(k)[: max(1, k // 2)]
    _assert_same(_ours(y_true, y_pred, labels=labels), _sk_prf(y_true, y_pred, labels=labels))


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_average_equals_sklearn(seed):
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(1, 120))
    y_true = (rng.random(n) < rng.uniform(0.02, 0.6)).astype(int)
    y_pred = (rng.random(n) < rng.uniform(0.0, 0.6)).astype(int)
    for pos_label in (0, 1):
        if pos_label not in np.union1d(y_true, y_pred) and len(np.union1d(y_true, y_pred)) == 2:
            continue
        for zd in ZERO_DIVISIONS:
            _assert_same(_ours(y_true, y_pred, average="binary", pos_label=pos_label, zero_division=zd),
                         _sk_prf(y_true, y_pred, average="binary", pos_label=pos_label, zero_division=zd))


def _random_scores(seed):
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(2, 300))
    y_true = (rng.random(n) < rng.uniform(0.03, 0.7)).astype(int)
    y_true[:2] = rng.permutation([0, 1])       # both classes present (one class only: see the edge cases)
    scores = rng.normal(y_true * rng.uniform(0, 3), 1.0)
    if seed % 2 == 0:  # many ties, as from a coarse classifier
        scores = np.round(scores, 1)
    if seed % 5 == 0:  # probabilities in float32
        scores = hm.sigmoid(scores).astype(np.float32)
    return y_true, scores


@pytest.mark.parametrize("seed", SEEDS)
def test_curves_equal_sklearn(seed):
    y_true, scores = _random_scores(seed)
    for drop in (False, True):
        ours = hm.pr_curve(y_true, scores, drop_intermediate=drop)
        theirs = skm.precision_recall_curve(y_true, scores, drop_intermediate=drop)
        _assert_same(ours, theirs)
        ours = hm.roc_curve(y_true, scores, drop_intermediate=drop)
        theirs = skm.roc_curve(y_true, scores, drop_intermediate=drop)
        _assert_same(ours, theirs)
    _assert_same(hm.roc_curve(y_true, scores), skm.roc_curve(y_true, scores))  # both default to True
    assert hm.average_precision_score(y_true, scores) == pytest.approx(
        skm.average_precision_score(y_true, scores), abs=1e-12)
    assert hm.roc_auc(y_true, scores) == pytest.approx(skm.roc_auc_score(y_true, scores), abs=1e-12)
    # the other class as positive
    assert hm.average_precision_score(y_true, -scores, pos_label=0) == pytest.approx(
        skm.average_precision_score(y_true, -scores, pos_label=0), abs=1e-12)


def test_roc_auc_is_the_probability_that_a_positive_outranks_a_negative():
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 200)
    s = np.round(rng.normal(y, 1.0), 1)
    pos, neg = s[y == 1], s[y == 0]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert hm.roc_auc(y, s) == pytest.approx(pairs, abs=1e-12)


# --------------------------------------------------------------------------- edge cases
def test_class_never_predicted_gives_zero_precision_and_warns():
    y_true, y_pred = [0, 1, 1, 2], [0, 0, 0, 2]
    with pytest.warns(UndefinedMetricWarning, match="Precision"):
        p, r, f = hm.precision_recall_f1(y_true, y_pred)
    _assert_same((p, r, f), _sk_prf(y_true, y_pred))
    assert p[1] == 0 and r[1] == 0 and f[1] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p1, _, _ = hm.precision_recall_f1(y_true, y_pred, zero_division=1)
        pn, _, _ = hm.precision_recall_f1(y_true, y_pred, zero_division=np.nan)
    assert p1[1] == 1 and np.isnan(pn[1])
    assert hm.precision_recall_f1(y_true, y_pred, average="macro", zero_division=np.nan).precision == pytest.approx((1 / 3 + 1) / 2)


def test_class_absent_from_y_true_gives_zero_recall_and_warns():
    y_true, y_pred = [0, 0, 2, 2], [0, 1, 2, 2]
    with pytest.warns(UndefinedMetricWarning, match="Recall"):
        p, r, f = hm.precision_recall_f1(y_true, y_pred)
    _assert_same((p, r, f), _sk_prf(y_true, y_pred))
    cm = hm.confusion_matrix(y_true, y_pred)
    assert cm[1].sum() == 0 and cm[:, 1].sum() == 1


def test_n_classes_scores_classes_that_occur_nowhere():
    with pytest.warns(UndefinedMetricWarning):
        p, r, f = hm.precision_recall_f1([0, 1], [0, 1], n_classes=4)
    assert p.tolist() == [1.0, 1.0, 0.0, 0.0]
    assert hm.confusion_matrix([0, 1], [0, 1], n_classes=4).shape == (4, 4)


def test_one_class_only():
    y = [2, 2, 2]
    np.testing.assert_array_equal(hm.confusion_matrix(y, y), [[0, 0, 0], [0, 0, 0], [0, 0, 3]])
    assert hm.accuracy(y, y) == 1.0
    _assert_same(hm.precision_recall_f1(y, y), _sk_prf(y, y))
    _assert_same(hm.precision_recall_f1(y, y, average="macro"), _sk_prf(y, y, average="macro"))
    # binary with a single label present: scores class pos_label, which never occurs
    _assert_same(_ours([0, 0], [0, 0], average="binary"), _sk_prf([0, 0], [0, 0], average="binary"))
    # curves: no positives / no negatives follow scikit-learn (warning + convention)
    # ROC: one class only is refused (scikit-learn returns NaN rates): never NaN
    with pytest.raises(ValueError, match="y_true has no negative sample, so the ROC AUC"):
        hm.roc_auc([1, 1, 1], [0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match="y_true has no positive sample, so the ROC curve"):
        hm.roc_curve([0, 0, 0], [0.1, 0.5, 0.9])
    with pytest.warns(UndefinedMetricWarning):
        ours = hm.pr_curve([0, 0, 0], [0.1, 0.5, 0.9])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _assert_same(ours, skm.precision_recall_curve([0, 0, 0], [0.1, 0.5, 0.9]))
        assert hm.average_precision_score([0, 0, 0], [0.1, 0.5, 0.9]) == skm.average_precision_score(
            [0, 0, 0], [0.1, 0.5, 0.9])


def test_a_single_sample_works():
    assert hm.accuracy([3], [3]) == 1.0
    assert hm.confusion_matrix([1], [0]).tolist() == [[0, 0], [1, 0]]


@pytest.mark.parametrize("func", [hm.accuracy, hm.confusion_matrix, hm.precision_recall_f1])
def test_empty_input_is_a_clear_error(func):
    with pytest.raises(ValueError, match="empty"):
        func([], [])


@pytest.mark.parametrize("func", [hm.pr_curve, hm.roc_curve, hm.average_precision_score, hm.roc_auc])
def test_empty_scores_are_a_clear_error(func):
    with pytest.raises(ValueError, match="empty"):
        func([], [])


@pytest.mark.parametrize("func", [hm.accuracy, hm.confusion_matrix, hm.precision_recall_f1,
                                  hm.pr_curve, hm.roc_curve, hm.average_precision_score, hm.roc_auc])
def test_mismatched_lengths_are_a_clear_error(func):
    with pytest.raises(ValueError, match="same length"):
        func([0, 1, 1], [0.0, 1.0])


def test_labels_out_of_range_are_a_clear_error():
    with pytest.raises(ValueError, match="out of range for n_classes=3"):
        hm.confusion_matrix([0, 1, 3], [0, 1, 2], n_classes=3)
    with pytest.raises(ValueError, match="out of range"):
        hm.precision_recall_f1([0, 1], [0, 5], n_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        hm.confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="binary"):
        hm.precision_recall_f1([0, 1, 2], [0, 1, 2], average="binary")
    with pytest.raises(ValueError, match="pos_label"):
        hm.precision_recall_f1([0, 2], [2, 0], average="binary")
    with pytest.raises(ValueError, match="binary"):
        hm.roc_curve([0, 1, 2], [0.1, 0.2, 0.3])


def test_non_integer_labels():
    # whole-number floats and booleans are class indices; nothing is lost
    assert hm.accuracy(np.array([0.0, 1.0, 2.0]), [0, 1, 1]) == pytest.approx(2 / 3)
    assert hm.confusion_matrix([True, False], [True, True]).tolist() == [[0, 1], [0, 1]]
    with pytest.raises(ValueError, match="whole-number"):
        hm.accuracy([0, 0.5, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="NaN"):
        hm.confusion_matrix([0, np.nan], [0, 1])
    with pytest.raises(TypeError, match="integer indices"):
        hm.accuracy(["cat", "dog"], ["cat", "cat"])
    with pytest.raises(ValueError, match="argmax"):
        hm.accuracy([0, 1], np.eye(2))
    with pytest.raises(TypeError):
        hm.confusion_matrix([0, 1], [0, 1], n_classes=2.0)


@pytest.mark.parametrize("func", [hm.pr_curve, hm.roc_curve, hm.average_precision_score, hm.roc_auc])
def test_nan_scores_are_a_clear_error(func):
    with pytest.raises(ValueError, match="NaN at position"):
        func([0, 1, 1], [0.2, np.nan, 0.7])
    with pytest.raises(ValueError, match="infinite"):
        func([0, 1, 1], [0.2, np.inf, 0.7])


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="average must be"):
        hm.precision_recall_f1([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        hm.precision_recall_f1([0, 1], [0, 1], zero_division=0.5)
    with pytest.raises(ValueError, match="not both"):
        hm.precision_recall_f1([0, 1], [0, 1], n_classes=2, labels=[0, 1])


def test_micro_average_is_accuracy_when_all_classes_count():
    y_true, y_pred, k = _random_labels(11)
    p, r, f = hm.precision_recall_f1(y_true, y_pred, average="micro")
    assert p == pytest.approx(hm.accuracy(y_true, y_pred)) and r == pytest.approx(p) and f == pytest.approx(p)


def test_results_are_plain_floats_when_averaged():
    res = hm.precision_recall_f1([0, 1, 1], [0, 1, 0], average="macro")
    assert all(type(v) is float for v in res)
    assert res.precision == res[0]


# --------------------------------------------------------------------------- bad input, issue 8
@pytest.mark.parametrize("huge", [10**6, 10**15])
def test_confusion_matrix_refuses_an_implausible_label_instead_of_allocating(huge):
    # used to try to allocate a (10**6 + 1)**2 matrix (8 TB)
    with pytest.raises(ValueError, match=rf"label of {huge}.*pass n_classes={huge + 1}"):
        hm.confusion_matrix([0, 1, huge], [0, 1, 1])
    with pytest.raises(ValueError, match=rf"label of {huge}"):
        hm.confusion_matrix([0, 1, 1], [0, 1, huge])


def test_confusion_matrix_keeps_working_up_to_a_thousand_classes_and_with_n_classes():
    cm = hm.confusion_matrix([0, 999], [999, 999])
    assert cm.shape == (1000, 1000) and cm[0, 999] == 1 and cm[999, 999] == 1
    cm = hm.confusion_matrix([0, 1500], [1500, 1500], n_classes=1501)
    assert cm.shape == (1501, 1501) and cm.sum() == 2
    with pytest.raises(ValueError, match=r"n_classes must be an int in \[1, 16384\]"):
        hm.confusion_matrix([0, 1], [0, 1], n_classes=10**9)


def test_precision_recall_f1_with_a_far_away_requested_label_does_not_allocate():
    # scikit-learn allows labels that never occur; their scores are 0 (with a warning)
    with pytest.warns(UndefinedMetricWarning):
        p, r, f = hm.precision_recall_f1([0, 1, 1], [0, 1, 0], labels=[1, 10**12])
    expected = skm.precision_recall_fscore_support([0, 1, 1], [0, 1, 0], labels=[1, 10**12],
                                                   zero_division=0)[:3]
    np.testing.assert_array_equal(p, expected[0])
    np.testing.assert_array_equal(r, expected[1])
    np.testing.assert_array_equal(f, expected[2])


@pytest.mark.parametrize("fn", [hm.average_precision_score, hm.roc_auc, hm.pr_curve, hm.roc_curve,
                                hm.threshold_counts])
def test_strings_where_numbers_are_expected_name_the_argument(fn):
    with pytest.raises(TypeError, match=r"y_score must hold numbers, got dtype <U3"):
        fn([0, 1, 1], ["0.1", "0.9", "0.8"])
    with pytest.raises(TypeError, match=r"y_true must hold integer class labels"):
        fn(["no", "yes", "yes"], [0.1, 0.9, 0.8])
    with pytest.raises(TypeError, match=r"pos_label must be an int"):
        fn([0, 1, 1], [0.1, 0.9, 0.8], pos_label="1")
    with pytest.raises(TypeError, match=r"pos_label must be an int"):
        fn([0, 1, 1], [0.1, 0.9, 0.8], pos_label=True)


@pytest.mark.parametrize("flag", ["False", "no", 0, None])
def test_drop_intermediate_must_be_a_real_boolean(flag):
    for fn in (hm.pr_curve, hm.roc_curve):
        with pytest.raises(TypeError, match="drop_intermediate must be True or False"):
            fn([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3], drop_intermediate=flag)


def test_numpy_integer_pos_label_and_n_classes_are_accepted():
    y, s = np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.4, 0.3])
    assert hm.average_precision_score(y, s, pos_label=np.int64(1)) == hm.average_precision_score(y, s)
    np.testing.assert_array_equal(hm.confusion_matrix(y, y, n_classes=np.int32(3)),
                                  hm.confusion_matrix(y, y, n_classes=3))
