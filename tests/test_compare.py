"""helpers.compare: percentile-bootstrap intervals, checked against SciPy and by coverage."""
import numpy as np
import pytest
from scipy import stats

from helpers.compare import Interval, mean_interval, paired_difference


def _scipy_interval(data, paired: bool):
    if paired:
        result = stats.bootstrap(data, lambda a, b, axis: np.mean(a - b, axis=axis),
                                 paired=True, method="percentile",
                                 n_resamples=200_000, random_state=3)
    else:
        result = stats.bootstrap(data, np.mean, method="percentile",
                                 n_resamples=200_000, random_state=3)
    return result.confidence_interval


@pytest.mark.parametrize("n", [12, 40, 64])
def test_mean_interval_equals_scipys_percentile_bootstrap(n):
    values = np.random.default_rng(n).gamma(2.0, size=n)
    ours = mean_interval(values, n_resamples=200_000)
    ref = _scipy_interval((values,), paired=False)
    assert ours.estimate == pytest.approx(values.mean())
    # two independent Monte-Carlo estimates of the same quantiles
    spread = values.std() / np.sqrt(n)
    assert ours.low == pytest.approx(ref.low, abs=0.02 * spread)
    assert ours.high == pytest.approx(ref.high, abs=0.02 * spread)


def test_paired_difference_equals_scipys_paired_bootstrap():
    rng = np.random.default_rng(7)
    easy = rng.random(40)
    a = easy + 0.1 * rng.random(40)
    b = easy + 0.05 * rng.random(40)
    ours = paired_difference(a, b, n_resamples=200_000)
    ref = _scipy_interval((a, b), paired=True)
    spread = (a - b).std() / np.sqrt(40)
    assert ours.low == pytest.approx(ref.low, abs=0.02 * spread)
    assert ours.high == pytest.approx(ref.high, abs=0.02 * spread)


def test_pairing_is_what_makes_a_small_difference_visible():
    """A shared per-image difficulty cancels in the paired interval, not in two means."""
    rng = np.random.default_rng(0)
    easy = rng.random(40)
    a, b = easy + 0.03, easy.copy()
    diff = paired_difference(a, b)
    assert diff.low == pytest.approx(0.03) and diff.high == pytest.approx(0.03)
    assert diff.excludes_zero
    one, two = mean_interval(a), mean_interval(b)
    assert one.low < two.high  # unpaired intervals overlap


def test_coverage_is_close_to_the_level():
    rng = np.random.default_rng(11)
    hits = 0
    trials = 300
    for trial in range(trials):
        values = rng.normal(1.0, 1.0, size=30)
        interval = mean_interval(values, n_resamples=2000, random_state=trial)
        hits += interval.low <= 1.0 <= interval.high
    # percentile bootstrap undercovers slightly at n = 30; 0.95 +- 3 standard errors
    assert 0.89 <= hits / trials <= 0.99


def test_same_inputs_same_interval_and_bools_count_as_01():
    hits = np.array([True, False, True, True, False, True])
    assert mean_interval(hits) == mean_interval(hits.astype(float))
    assert mean_interval(hits).estimate == pytest.approx(4 / 6)


def test_interval_reads_as_a_sentence():
    diff = Interval(0.094, 0.031, 0.156, 0.95, 64)
    assert str(diff) == "+0.094 (95% interval +0.031 to +0.156, 64 images)"
    assert not Interval(0.01, -0.02, 0.04, 0.95, 10).excludes_zero
    assert Interval(-0.05, -0.08, -0.01, 0.95, 10).excludes_zero


def test_constant_scores_give_a_zero_width_interval_not_nan():
    diff = paired_difference(np.ones(5), np.ones(5))
    assert (diff.estimate, diff.low, diff.high) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("call, error, match", [
    (lambda: mean_interval([1.0]), ValueError, "at least 2"),
    (lambda: mean_interval([]), ValueError, "at least 2"),
    (lambda: mean_interval([1.0, np.nan, 2.0]), ValueError, "finite; not at positions 1"),
    (lambda: mean_interval([1.0, np.inf]), ValueError, "finite"),
    (lambda: mean_interval([[1.0, 2.0]]), ValueError, "one score per image"),
    (lambda: mean_interval("0.5"), TypeError, "string"),
    (lambda: mean_interval(["a", "b"]), TypeError, "numbers"),
    (lambda: mean_interval([1, 2], level=95), ValueError, "level"),
    (lambda: mean_interval([1, 2], level=1.0), ValueError, "level"),
    (lambda: mean_interval([1, 2], level=True), TypeError, "level"),
    (lambda: mean_interval([1, 2], n_resamples=10), ValueError, "n_resamples"),
    (lambda: mean_interval([1, 2], n_resamples=1e4), TypeError, "n_resamples"),
    (lambda: mean_interval([1, 2], random_state=-1), ValueError, "random_state"),
    (lambda: paired_difference([1, 2, 3], [1, 2]), ValueError, "same images"),
    (lambda: paired_difference([1, 2], [1, np.nan]), ValueError, "b must be finite"),
])
def test_bad_input_is_refused_clearly(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_many_scores_do_not_exhaust_memory():
    interval = mean_interval(np.arange(200_000) % 2, n_resamples=10_000)
    assert 0.49 < interval.low < 0.5 < interval.high < 0.51
