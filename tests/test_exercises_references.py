"""The exercises' reference solutions agree with Keras, scikit-learn and helpers.metrics."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm

import helpers.metrics as hm
from helpers.exercises import load

keras = pytest.importorskip("keras")


def test_conv_params_matches_keras():
    q = load("classification").q1
    for case in q.cases:
        k, c_in, c_out = case.args
        layer = keras.layers.Conv2D(c_out, k)
        layer.build((None, 32, 32, c_in))
        assert q.reference(k, c_in, c_out) == layer.count_params()


def test_conv_output_size_matches_keras_on_every_case():
    q = load("classification").q2
    assert len(q.cases) >= 40
    for case in q.cases:
        size, kernel = case.args
        stride, padding = case.kwargs.get("stride", 1), case.kwargs.get("padding", "valid")
        layer = keras.layers.Conv2D(1, kernel, strides=stride, padding=padding)
        shape = layer.compute_output_shape((None, size, size, 3))
        assert q.reference(size, kernel, stride=stride, padding=padding) == shape[1], case


def test_accuracy_from_logits_matches_helpers_and_keras_argmax():
    q = load("classification").q4
    for case in q.cases:
        logits, labels = case.args
        assert q.reference(logits, labels) == pytest.approx(hm.accuracy(labels, logits.argmax(axis=1)))
        metric = keras.metrics.SparseCategoricalAccuracy()
        metric.update_state(labels, logits)
        assert q.reference(logits, labels) == pytest.approx(float(metric.result()), abs=1e-6)


def test_logits_references_match_helpers_metrics():
    ex = load("logits")
    for case in ex.q1.cases:
        np.testing.assert_allclose(ex.q1.reference(*case.args), hm.softmax(*case.args), rtol=1e-12)
    for case in ex.q2.cases:
        np.testing.assert_array_equal(ex.q2.reference(*case.args), hm.sigmoid(case.args[0]) >= 0.5)
    assert ex.q3.expected == pytest.approx(hm.cross_entropy(np.zeros((1, 10)), [0]))
    for case in ex.q4.cases:
        assert ex.q4.reference(*case.args) == pytest.approx(hm.cross_entropy(*case.args), rel=1e-12)


def test_metrics_references_match_sklearn():
    ex = load("metrics")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in ex.q2.cases:
            y_true, y_pred = case.args
            p, r = ex.q2.reference(y_true, y_pred)
            assert p == skm.precision_score(y_true, y_pred, zero_division=0)
            assert r == skm.recall_score(y_true, y_pred, zero_division=0)
        for case in ex.q4.cases:
            assert ex.q4.reference(*case.args) == pytest.approx(skm.f1_score(*case.args, average="macro"))
    # the spam numbers of question 1 and the random scorer of question 6, measured
    y_true = np.r_[np.ones(60), np.zeros(940)].astype(int)
    y_pred = np.r_[np.ones(45), np.zeros(15), np.ones(5), np.zeros(935)].astype(int)
    assert ex.q1.expected == hm.precision_recall_f1(y_true, y_pred, average="binary").precision
    rng = np.random.default_rng(0)
    y = (rng.random(200_000) < 0.05).astype(int)
    scores = rng.random(len(y))
    auc, ap = ex.q6.expected
    assert hm.roc_auc(y, scores) == pytest.approx(auc, abs=0.01)
    assert hm.average_precision_score(y, scores) == pytest.approx(ap, abs=0.01)
