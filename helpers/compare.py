"""How sure is "A beats B"? Bootstrap intervals for scores measured on a few images.

A chapter that scores two heatmap methods on 40 images gets two means, and one is
larger. Whether that says anything about the methods, or only about these 40
images, is what an interval answers. The scores are *paired* (both methods
explain the same images), so the right interval is the one of the per-image
differences: an easy image helps both methods and cancels out.

================================  =================================================
:func:`mean_interval`             the mean of one set of per-image scores, with its
                                  percentile-bootstrap interval
:func:`paired_difference`         mean(a - b) over the same images, with its interval;
                                  ``.low > 0`` is the evidence that A beats B
================================  =================================================

Both resample images with replacement (Efron and Tibshirani, 1993, ch. 13: the
percentile interval) from a fixed generator, so the same inputs give the same
interval on every machine. With a 0/1 score (a hit rate) on 64 images the standard
error of one rate is about 6 points, so a difference of 5 points is not evidence.

Example::

    diff = helpers.compare.paired_difference(hits_smoothgrad, hits_gradcam)
    print(diff)   # "+0.094 (95% interval +0.031 to +0.156, 64 images)"
    helpers.claim("SmoothGrad points better than Grad-CAM", diff.low, ">", 0)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_array, check_int, check_real, first_positions

__all__ = ["Interval", "mean_interval", "paired_difference"]

#: Resamples drawn by default: the interval's ends move by well under 0.01 between
#: generators at this count for scores in [0, 1] and 20+ images.
N_RESAMPLES = 10_000
#: Most resampled values held in memory at once (float64): 2**27 is 1 GiB.
_MAX_DRAWS = 2**27


@dataclass(frozen=True)
class Interval:
    """A mean and its bootstrap interval.

    Attributes
    ----------
    estimate : float
        The mean over the images (for :func:`paired_difference`: of ``a - b``).
    low, high : float
        The interval's ends: the ``(1 - level) / 2`` and ``(1 + level) / 2``
        quantiles of the resampled means.
    level : float
        The interval's coverage, e.g. 0.95.
    n : int
        How many images (pairs) the mean is over.
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0."""
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        percent = f"{100 * self.level:g}%"
        return (f"{self.estimate:+.3f} ({percent} interval {self.low:+.3f} to "
                f"{self.high:+.3f}, {self.n} images)")


def _check_scores(values, name: str) -> np.ndarray:
    values = check_array(values, name, ndim=1, finite=False, allow_empty=True,
                         shape_hint="(N,): one score per image")
    if values.size < 2:
        raise ValueError(f"{name} must hold at least 2 scores to resample, got "
                         f"{values.size}.")
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"{name} must be finite; not at positions "
                         f"{first_positions(bad)}. Drop the images where a score is "
                         f"undefined from both sets before comparing.")
    return values


def _interval(values: np.ndarray, level, n_resamples, random_state) -> Interval:
    level = check_real(level, "level", low=0, high=1, low_open=True, high_open=True)
    n_resamples = check_int(n_resamples, "n_resamples", low=100, high=1_000_000)
    random_state = check_int(random_state, "random_state", low=0)
    n = values.size
    if n_resamples * n > _MAX_DRAWS:
        n_resamples = _MAX_DRAWS // n
        if n_resamples < 100:
            raise ValueError(f"too many scores to resample ({n}); at most "
                             f"{_MAX_DRAWS // 100} are supported.")
    rng = np.random.default_rng(random_state)
    rows = rng.integers(0, n, size=(n_resamples, n))
    means = values[rows].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return Interval(float(values.mean()), float(low), float(high), level, n)


def mean_interval(values, *, level: float = 0.95, n_resamples: int = N_RESAMPLES,
                  random_state: int = 0) -> Interval:
    """The mean of per-image scores and its percentile-bootstrap interval.

    Parameters
    ----------
    values : array_like, shape (N,)
        One finite score per image (bools count as 0/1), N >= 2.
    level : float in (0, 1)
        Coverage of the interval.
    n_resamples : int
        Bootstrap resamples (at least 100).
    random_state : int
        The generator's starting state: the same inputs give the same interval.
    """
    return _interval(_check_scores(values, "values"), level, n_resamples, random_state)


def paired_difference(a, b, *, level: float = 0.95, n_resamples: int = N_RESAMPLES,
                      random_state: int = 0) -> Interval:
    """mean(a - b) over the same images and its paired percentile-bootstrap interval.

    ``a[i]`` and ``b[i]`` must score the *same* image ``i`` with two methods. The
    interval resamples images, keeping each pair together. Read ``.low > 0`` as
    "A scores higher than B beyond what the choice of images explains" (for a
    score where lower is better, compare ``b`` with ``a``).

    Parameters
    ----------
    a, b : array_like, shape (N,)
        Per-image scores of the two methods, finite, N >= 2.
    level, n_resamples, random_state
        As in :func:`mean_interval`.
    """
    a = _check_scores(a, "a")
    b = _check_scores(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must score the same images: got {a.size} and "
                         f"{b.size} scores.")
    return _interval(a - b, level, n_resamples, random_state)
