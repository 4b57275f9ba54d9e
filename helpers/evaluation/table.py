"""One table for many methods: every score of :mod:`helpers.evaluation` side by side.

:func:`score_table` scores the maps of several methods (and the baselines) on the same
images, against the same ground truth and the same model, and returns a
:class:`ScoreTable`: the numbers, which way each metric points, and the rankings the
metrics give. The rankings are there to be compared: the metrics measure different
things and need not agree.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .._checks import check_choice, check_int, check_real
from .confidence import confidence
from .localization import energy_pointing_game, pointing_game
from .perturbation import deletion, insertion
from .randomization import rankdata, spearman

METRICS = ("pointing_game", "energy_pointing_game", "average_drop",
           "increase_in_confidence", "deletion_auc", "insertion_auc")
"""The columns of a :class:`ScoreTable`, in order."""

HIGHER_IS_BETTER = {"pointing_game": True, "energy_pointing_game": True, "average_drop": False,
                    "increase_in_confidence": True, "deletion_auc": False, "insertion_auc": True}
"""Which way each metric points."""

HEADERS = {"pointing_game": "pointing", "energy_pointing_game": "energy",
           "average_drop": "avg drop %", "increase_in_confidence": "increase %",
           "deletion_auc": "deletion", "insertion_auc": "insertion"}
"""Short column titles for :meth:`ScoreTable.to_text`."""


@dataclass(frozen=True)
class ScoreTable:
    """Scores of several methods (rows) on several metrics (columns).

    Attributes
    ----------
    methods : tuple of str
        Row names, in the order the maps were given.
    metrics : tuple of str
        Column names (see :data:`METRICS`).
    values : np.ndarray, float64, ``(n_methods, n_metrics)``
        Pointing game and energy pointing game as shares in [0, 1]; average drop and
        increase in confidence in percent [0, 100]; deletion and insertion as mean
        areas under the probability curve, in [0, 1].
    higher_is_better : tuple of bool
        One per metric: True where a larger value is better.
    """

    methods: tuple
    metrics: tuple
    values: np.ndarray
    higher_is_better: tuple

    def value(self, method: str, metric: str) -> float:
        """The score of one method on one metric."""
        method = check_choice(method, "method", self.methods)
        metric = check_choice(metric, "metric", self.metrics)
        return float(self.values[self.methods.index(method), self.metrics.index(metric)])

    def column(self, metric: str) -> dict:
        """``{method: score}`` for one metric."""
        metric = check_choice(metric, "metric", self.metrics)
        j = self.metrics.index(metric)
        return {m: float(v) for m, v in zip(self.methods, self.values[:, j])}

    def ranks(self, decimals=None) -> np.ndarray:
        """Rank of each method under each metric, ``(n_methods, n_metrics)`` float64.

        1 is the best (the largest value where higher is better, the smallest
        otherwise); tied methods share the mean of their ranks (two methods tied for
        first both get 1.5). ``decimals``: None ranks the exact values; an int rounds
        them first (``np.round``), so that differences below the precision shown (the
        float round-off between two methods that compute the same map) are ties.
        """
        values = self.values
        if decimals is not None:
            values = np.round(values, check_int(decimals, "decimals", low=0))
        sign = np.where(self.higher_is_better, -1.0, 1.0)
        return rankdata((values * sign).T).T

    def ranking(self, metric: str, decimals=None) -> list:
        """The methods from best to worst under one metric (ties in table order)."""
        metric = check_choice(metric, "metric", self.metrics)
        r = self.ranks(decimals)[:, self.metrics.index(metric)]
        return [self.methods[i] for i in np.argsort(r, kind="stable")]

    def best(self, metric: str, decimals=None) -> list:
        """Every method tied for the best score under one metric, in table order."""
        metric = check_choice(metric, "metric", self.metrics)
        r = self.ranks(decimals)[:, self.metrics.index(metric)]
        return [m for m, rank in zip(self.methods, r) if rank == r.min()]

    def rank_agreement(self, decimals=None) -> np.ndarray:
        """Spearman correlation between the rankings of each pair of metrics.

        Parameters
        ----------
        decimals : None or int
            As for :meth:`ranks`.

        Returns
        -------
        np.ndarray, float64, ``(n_metrics, n_metrics)``
            1 where two metrics order the methods identically, -1 where one reverses
            the other, about 0 where they are unrelated. Both rankings are oriented
            (best first), so agreement is positive whatever the metrics' directions.
            A metric under which every method ties has no ranking: its correlations
            are 0 (1 with itself).
        """
        ranks = self.ranks(decimals).T                 # (n_metrics, n_methods)
        k = len(self.metrics)
        left = np.repeat(ranks, k, axis=0)
        right = np.tile(ranks, (k, 1))
        rho = spearman(left, right).reshape(k, k)
        np.fill_diagonal(rho, 1.0)
        return rho

    def to_text(self, digits: int = 2) -> str:
        """The table as fixed-width text, one method per line, with an arrow per column
        saying which way is better (higher or lower)."""
        digits = check_int(digits, "digits", low=0)
        width = max(len(m) for m in self.methods) + 2
        heads = [HEADERS.get(m, m) + (" ↑" if up else " ↓")
                 for m, up in zip(self.metrics, self.higher_is_better)]
        cols = [max(len(h), digits + 5) + 2 for h in heads]
        lines = ["".rjust(width) + "".join(h.rjust(c) for h, c in zip(heads, cols))]
        for name, row in zip(self.methods, self.values):
            lines.append(name.ljust(width)
                         + "".join(f"{v:.{digits}f}".rjust(c) for v, c in zip(row, cols)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def score_table(model, images, regions, maps, targets=None, *, tolerance=15, steps=32,
                batch_size=None) -> ScoreTable:
    """Score several methods' maps on the same images with every metric.

    A reader's meaning: the same exam for every candidate. Each method's maps (and
    those of the baselines, :func:`~helpers.evaluation.random_maps` and
    :func:`~helpers.evaluation.center_maps`, which should be among them) are scored
    against the ground truth (pointing game, energy pointing game) and against the
    model (average drop, increase in confidence, deletion and insertion areas).

    Parameters
    ----------
    model : keras.Model
    images : array-like, float, ``(N, H, W, C)``
    regions : array-like
        Boxes ``(N, 4)`` xyxy pixels or masks ``(N, H, W)``: the objects, for the
        pointing game and the energy pointing game.
    maps : mapping of str to array-like
        ``{method name: maps (N, H, W) in [0, 1]}``, one map per image; the rows of
        the table, in this order.
    targets : None, int or sequence of int
        The classes the maps explain (None: the model's predicted class, which is what
        the maps must then explain too).
    tolerance : real >= 0
        Pointing-game tolerance in pixels (15 in Zhang et al.'s ~224-pixel images;
        scale it to your images' size).
    steps : int >= 1
        Deletion and insertion steps (``steps + 1`` forward passes per image each);
        deletion removes pixels to black, insertion starts from a blurred image, as in
        Petsiuk et al.
    batch_size : int or None
        Images per compiled forward pass (default 64).

    Returns
    -------
    ScoreTable
        ``values`` ``(len(maps), 6)`` over :data:`METRICS`.

    Raises
    ------
    TypeError
        If ``maps`` is not a mapping of str names to maps.
    ValueError
        If ``maps`` is empty, or a method's maps do not fit the images (the message
        names the method).
    """
    if not isinstance(maps, Mapping):
        raise TypeError(f"maps must be a mapping {{method name: maps (N, H, W)}}, "
                        f"got {type(maps).__name__}")
    if len(maps) == 0:
        raise ValueError("maps must hold at least one method's maps, got an empty mapping")
    bad = [name for name in maps if not isinstance(name, str)]
    if bad:
        raise TypeError(f"maps must be keyed by method names (str), got key {bad[0]!r}")
    tolerance = check_real(tolerance, "tolerance", low=0)
    steps = check_int(steps, "steps", low=1)
    rows = []
    for name, m in maps.items():
        try:
            kept = confidence(model, images, m, targets, batch_size=batch_size)
            row = [pointing_game(m, regions, tolerance).accuracy,
                   energy_pointing_game(m, regions).mean,
                   100.0 * kept.drops.mean(),
                   100.0 * kept.increases.mean(),
                   deletion(model, images, m, targets, steps=steps,
                            batch_size=batch_size).mean_auc,
                   insertion(model, images, m, targets, steps=steps,
                             batch_size=batch_size).mean_auc]
        except (TypeError, ValueError) as error:
            raise type(error)(f"maps[{name!r}]: {error}") from error
        rows.append(row)
    return ScoreTable(methods=tuple(maps), metrics=METRICS,
                      values=np.array(rows, dtype=np.float64),
                      higher_is_better=tuple(HIGHER_IS_BETTER[m] for m in METRICS))
