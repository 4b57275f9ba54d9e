"""helpers.metrics softmax / sigmoid / cross-entropy against Keras, and their numerical stability."""
from __future__ import annotations

import numpy as np
import pytest

import helpers.metrics as hm

keras = pytest.importorskip("keras")

SEEDS = range(40)


def _random_logits(seed, dtype=np.float32):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 64)), int(rng.integers(2, 20))
    scale = [0.1, 1.0, 10.0, 100.0][seed % 4]
    logits = (rng.normal(size=(n, k)) * scale + rng.normal() * scale).astype(dtype)
    labels = rng.integers(0, k, size=n)
    return logits, labels


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis 0")
@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_equals_keras(seed):
    logits, _ = _random_logits(seed)
    ours = hm.softmax(logits)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1)),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hm.softmax(logits, axis=0),
                               keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=0)),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(hm.log_softmax(logits),
                               keras.ops.convert_to_numpy(keras.ops.log_softmax(logits, axis=-1)),
                               rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(hm.logsumexp(logits),
                               keras.ops.convert_to_numpy(keras.ops.logsumexp(logits, axis=-1)),
                               rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_equals_keras(seed):
    logits, labels = _random_logits(seed, dtype=np.float64)
    expected = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(labels, logits.astype(np.float32), from_logits=True))
    assert hm.cross_entropy(logits, labels) == pytest.approx(float(expected.mean()), rel=1e-5, abs=1e-5)
    np.testing.assert_allclose(hm.cross_entropy(logits, labels, reduction="none"), expected, rtol=1e-4, atol=1e-4)
    assert hm.cross_entropy(logits, labels, reduction="sum") == pytest.approx(float(expected.sum()), rel=1e-5, abs=1e-4)
    one_hot = np.eye(logits.shape[1])[labels]
    assert hm.cross_entropy(logits, one_hot) == pytest.approx(hm.cross_entropy(logits, labels), rel=1e-12)
    soft = np.random.default_rng(seed).dirichlet(np.ones(logits.shape[1]), size=len(labels))
    expected_soft = keras.ops.convert_to_numpy(
        keras.losses.categorical_crossentropy(soft.astype(np.float32), logits.astype(np.float32), from_logits=True))
    assert hm.cross_entropy(logits, soft) == pytest.approx(float(expected_soft.mean()), rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_and_binary_cross_entropy_equal_keras(seed):
    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(1, 100))
    z = (rng.normal(size=n) * [0.5, 5.0, 50.0][seed % 3]).astype(np.float32)
    y = rng.integers(0, 2, size=n)
    np.testing.assert_allclose(hm.sigmoid(z), keras.ops.convert_to_numpy(keras.ops.sigmoid(z)), rtol=1e-5, atol=1e-7)
    expected = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(
        y[:, None].astype(np.float32), z[:, None], from_logits=True))
    assert hm.binary_cross_entropy(z, y) == pytest.approx(float(expected.mean()), rel=1e-4, abs=1e-5)


def test_binary_cross_entropy_is_two_class_cross_entropy():
    z = np.array([-30.0, -1.0, 0.0, 2.0, 700.0])
    y = np.array([0, 1, 1, 0, 1])
    two_class = np.stack([np.zeros_like(z), z], axis=1)    # sigmoid(z) = softmax([0, z])[1]
    assert hm.binary_cross_entropy(z, y) == pytest.approx(hm.cross_entropy(two_class, y), rel=1e-12)
    np.testing.assert_allclose(hm.sigmoid(z), hm.softmax(two_class)[:, 1], rtol=1e-12)


# --------------------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_huge_and_tiny_logits(dtype):
    big = np.finfo(dtype).max / 4
    cases = np.array([[1000, 1001, 1002], [-1000, -1001, -1002], [big, 0, -big],
                      [1e-30, 0, -1e-30], [-big, -big, -big]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no 0/0, no log(0)
        probs = hm.softmax(cases)
        logp = hm.log_softmax(cases)
    assert np.isfinite(probs).all() and np.isfinite(logp).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probs[0], [0.09003057, 0.24472847, 0.66524096], rtol=1e-5)
    np.testing.assert_allclose(probs[3], 1 / 3, rtol=1e-6)
    for temperature in (1e-3, 0.5, 10.0, 1e6):
        p = hm.softmax(cases, temperature=temperature)
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


def test_softmax_properties():
    z = np.array([[2.0, 1.0, 0.1]])
    np.testing.assert_allclose(hm.softmax(z + 1234.5), hm.softmax(z))       # shift invariance
    assert hm.softmax([[7.0]]).item() == 1.0
    hot, cold = hm.softmax(z, temperature=0.1), hm.softmax(z, temperature=10)
    assert hot.max() > hm.softmax(z).max() > cold.max()                      # temperature
    assert (np.argsort(hot) == np.argsort(cold)).all()                       # ranking kept
    assert hm.softmax([0.0, -np.inf]).tolist() == [1.0, 0.0]


def test_log_softmax_and_cross_entropy_stay_exact_where_naive_logs_fail():
    z = np.array([[0.0, -800.0]])
    with np.errstate(divide="ignore"):
        naive = np.log(np.exp(z) / np.exp(z).sum())
    assert np.isneginf(naive[0, 1])
    assert hm.log_softmax(z)[0, 1] == pytest.approx(-800.0)
    assert hm.cross_entropy(z, [1]) == pytest.approx(800.0)
    assert hm.cross_entropy(np.array([[1000.0, 0.0]]), [0]) == pytest.approx(0.0, abs=1e-12)
    assert hm.cross_entropy(np.zeros((5, 10)), np.arange(5)) == pytest.approx(np.log(10))   # chance: ln K


def test_sigmoid_is_stable_and_matches_the_threshold_rule():
    x = np.array([-1e308, -800.0, -1.0, 0.0, 1.0, 800.0, 1e308, -np.inf, np.inf])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = hm.sigmoid(x)
    assert np.isfinite(s).all() and (s >= 0).all() and (s <= 1).all()
    assert s[3] == 0.5 and s[0] == 0.0 and s[6] == 1.0
    assert ((s >= 0.5) == (x >= 0)).all()        # "score >= 0.5 means dog" <=> logit >= 0
    assert isinstance(hm.sigmoid(0.0), np.floating)
    assert hm.sigmoid(np.float32(3)).dtype == np.float32


def test_probability_functions_refuse_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        hm.softmax([1.0, np.nan])
    with pytest.raises(ValueError, match=r"\+inf"):
        hm.softmax([1.0, np.inf])
    with pytest.raises(ValueError, match="entirely -inf"):
        hm.softmax([-np.inf, -np.inf])
    with pytest.raises(ValueError, match="temperature"):
        hm.softmax([1.0, 2.0], temperature=0)
    with pytest.raises(ValueError, match="empty"):
        hm.softmax([])
    with pytest.raises(ValueError, match="NaN"):
        hm.sigmoid([0.0, np.nan])
    with pytest.raises(ValueError, match="2-D"):
        hm.cross_entropy([1.0, 2.0], [0])
    with pytest.raises(ValueError, match="must match"):
        hm.cross_entropy(np.zeros((3, 4)), [0, 1])
    with pytest.raises(ValueError, match="out of range"):
        hm.cross_entropy(np.zeros((2, 4)), [0, 4])
    with pytest.raises(ValueError, match="sum to 1"):
        hm.cross_entropy(np.zeros((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="reduction"):
        hm.cross_entropy(np.zeros((2, 2)), [0, 1], reduction="avg")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        hm.binary_cross_entropy([0.0, 1.0], [0, 2])


# --------------------------------------------------------------------------- bad input, issue 8
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("temperature", [1e-8, 1e-30, 5e-324])
def test_tiny_temperature_gives_one_hot_not_nan(dtype, temperature):
    # float16 used to compute (z - max) / float16(1e-8) = 0 / 0 = NaN
    logits = np.array([[1.0, 2.0, 0.5], [3.0, -1.0, 3.0]], dtype=dtype)
    probs = hm.softmax(logits, temperature=temperature)
    assert probs.dtype == dtype and np.isfinite(probs).all()
    np.testing.assert_array_equal(probs[0], [0, 1, 0])
    np.testing.assert_allclose(probs[1], [0.5, 0, 0.5])  # a tie splits evenly
    log_probs = hm.log_softmax(logits, temperature=temperature)
    assert log_probs.dtype == dtype and not np.isnan(log_probs).any()
    assert log_probs[0, 1] == 0


def test_float16_softmax_is_the_float64_result_rounded():
    rng = np.random.default_rng(3)
    logits = rng.normal(scale=4, size=(50, 7)).astype(np.float16)
    exact = hm.softmax(logits.astype(np.float64), temperature=0.3)
    np.testing.assert_array_equal(hm.softmax(logits, temperature=0.3), exact.astype(np.float16))


@pytest.mark.parametrize("fn", [hm.softmax, hm.log_softmax, hm.logsumexp])
@pytest.mark.parametrize("axis, err", [(2, ValueError), (-3, ValueError), ("1", TypeError),
                                       (1.0, TypeError), (True, TypeError), (None, TypeError)])
def test_axis_is_checked_against_the_logits(fn, axis, err):
    with pytest.raises(err, match=r"axis must be an int in \[-2, 1\]"):
        fn(np.zeros((2, 3)), axis=axis)


@pytest.mark.parametrize("temperature, err", [("1", TypeError), (True, TypeError),
                                              (np.nan, ValueError), (0.0, ValueError)])
def test_temperature_message(temperature, err):
    with pytest.raises(err, match="temperature must be a (finite )?real number > 0"):
        hm.softmax([1.0, 2.0], temperature=temperature)


def test_numpy_scalar_temperature_and_axis_are_accepted():
    logits = np.array([[1.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(hm.softmax(logits, axis=np.int64(0), temperature=np.float32(2.0)),
                               hm.softmax(logits, axis=0, temperature=2.0))


def test_reduction_names_the_choices():
    with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum', 'none'"):
        hm.cross_entropy([[1.0, 2.0]], [0], reduction="average")
    with pytest.raises(TypeError, match=r"reduction must be one of"):
        hm.cross_entropy([[1.0, 2.0]], [0], reduction=None)
