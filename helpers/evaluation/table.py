"""One table for many methods: every score of :mod:`helpers.evaluation` side by side.

:func:`score_table` scores the maps of several methods (and the baselines) on the same
images, against the same ground truth and the same model, and returns a
:class:`ScoreTable`: the numbers, which way each metric points, and the rankings the
metrics give. The rankings are there to be compared: the metrics measure different
things and need not agree.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .._checks import check_choice, check_int, check_real, describe
from .confidence import average_drop, increase_in_confidence
from .localization import energy_pointing_game, pointing_game
from .perturbation import deletion, insertion
from .randomization import rankdata, spearman
from .result import Scores
from .road import road_lerf, road_morf

OPTIONS = ("tolerance", "steps", "random_state", "batch_size")
"""The options :func:`score_table` passes on, to the metrics that take them."""


@dataclass(frozen=True)
class Metric:
    """One column of a :class:`ScoreTable`: a score function and how to read it.

    Attributes
    ----------
    name : str
        The column's name (``table.value(method, name)``).
    function : callable
        The score, returning :class:`~helpers.evaluation.Scores`; its ``.mean`` is the
        cell. Called as ``function(maps, truth, **options)`` for a ground-truth score
        (``kind="truth"``) and ``function(model, images, maps, targets, **options)``
        for a model-based one (``kind="model"``): the package's argument order.
    higher_is_better : bool
        Which way the metric points.
    kind : {"truth", "model"}
        Whether the score compares the maps with the ground truth or asks the model.
    options : tuple of str
        Which of :data:`OPTIONS` the function takes (``tolerance``, ``steps``,
        ``random_state``, ``batch_size``).
    header : str
        Short column title for :meth:`ScoreTable.to_text` (default: the name).
    default : bool
        Whether :func:`score_table` computes it when no ``metrics`` are named (ROAD
        is not: one sparse solve per image and percentile).
    """

    name: str
    function: Callable
    higher_is_better: bool
    kind: str
    options: tuple = ()
    header: str = ""
    default: bool = True

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"Metric name must be a non-empty str, got {describe(self.name)}")
        if not callable(self.function):
            raise TypeError(f"Metric {self.name!r}: function must be callable, got "
                            f"{describe(self.function)}")
        if not isinstance(self.higher_is_better, bool):
            raise TypeError(f"Metric {self.name!r}: higher_is_better must be a bool, got "
                            f"{describe(self.higher_is_better)}")
        check_choice(self.kind, "kind", ("truth", "model"))
        unknown = [o for o in self.options if o not in OPTIONS]
        if unknown:
            raise ValueError(f"Metric {self.name!r}: options must be among {OPTIONS}, "
                             f"got {unknown}")
        if not isinstance(self.default, bool):
            raise TypeError(f"Metric {self.name!r}: default must be a bool, got "
                            f"{describe(self.default)}")
        if not self.header:
            object.__setattr__(self, "header", self.name)

    def score(self, model, images, maps, truth, targets=None, **options) -> Scores:
        """Run the score on one set of maps (``options``: every one of :data:`OPTIONS`;
        the metric takes those it lists)."""
        kwargs = {key: options[key] for key in self.options}
        if self.kind == "truth":
            result = self.function(maps, truth, **kwargs)
        else:
            result = self.function(model, images, maps, targets, **kwargs)
        if not isinstance(result, Scores):
            raise TypeError(f"metric {self.name!r} must return Scores, got {describe(result)}")
        return result


METRICS = MappingProxyType({metric.name: metric for metric in (
    Metric("pointing_game", pointing_game, True, "truth", ("tolerance",), "pointing"),
    Metric("energy_pointing_game", energy_pointing_game, True, "truth", (), "energy"),
    Metric("average_drop", average_drop, False, "model", ("batch_size",), "avg drop %"),
    Metric("increase_in_confidence", increase_in_confidence, True, "model",
           ("batch_size",), "increase %"),
    Metric("deletion_auc", deletion, False, "model", ("steps", "random_state", "batch_size"),
           "deletion"),
    Metric("insertion_auc", insertion, True, "model", ("steps", "random_state", "batch_size"),
           "insertion"),
    Metric("road_morf", road_morf, False, "model", ("random_state", "batch_size"),
           "ROAD MoRF", default=False),
    Metric("road_lerf", road_lerf, True, "model", ("random_state", "batch_size"),
           "ROAD LeRF", default=False),
)})
"""The registry: ``{name: Metric}``, in order. ``tuple(METRICS)`` gives the names;
:data:`DEFAULT_METRICS` the columns :func:`score_table` computes by default (all but
ROAD's two, which cost a sparse solve per image and percentile)."""

DEFAULT_METRICS = tuple(name for name, metric in METRICS.items() if metric.default)
"""The names of the metrics :func:`score_table` computes when ``metrics`` is None."""


@dataclass(frozen=True)
class ScoreTable:
    """Scores of several methods (rows) on several metrics (columns).

    Attributes
    ----------
    methods : tuple of str
        Row names, in the order the maps were given.
    metrics : tuple of str
        Column names (the names of :data:`METRICS` by default).
    values : np.ndarray, float64, ``(n_methods, n_metrics)``
        Pointing game and energy pointing game as shares in [0, 1]; average drop and
        increase in confidence in percent [0, 100]; deletion and insertion as mean
        areas under the probability curve, in [0, 1].
    higher_is_better : tuple of bool
        One per metric: True where a larger value is better.
    per_image : np.ndarray, float64, ``(n_methods, n_metrics, N)``, or None
        Each image's number behind each cell (the metric's ``.per_image``), kept by
        :func:`score_table` for :meth:`agreement_interval`.
    valid : np.ndarray, bool, ``(n_methods, n_metrics, N)``, or None
        Which of those images each cell's mean is over.
    """

    methods: tuple
    metrics: tuple
    values: np.ndarray
    higher_is_better: tuple
    per_image: np.ndarray | None = None
    valid: np.ndarray | None = None

    def select(self, methods) -> "ScoreTable":
        """The table restricted to some rows, in the order given (e.g. without the
        baselines, or one row per group of identical maps)."""
        methods = [check_choice(m, "methods", self.methods) for m in methods]
        if not methods:
            raise ValueError("methods is empty: select at least one row")
        rows = [self.methods.index(m) for m in methods]
        return ScoreTable(tuple(methods), self.metrics, self.values[rows],
                          self.higher_is_better,
                          None if self.per_image is None else self.per_image[rows],
                          None if self.valid is None else self.valid[rows])

    def agreement_interval(self, *, decimals=None, level: float = 0.95,
                           n_resamples: int = 1000, random_state: int = 0):
        """Bootstrap interval of :meth:`rank_agreement`, resampling the images.

        Each resample draws N images with replacement (the same images for every
        method and metric), recomputes every cell as the mean over the valid drawn
        images, and the rank agreement of that table; the interval is the
        ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles. A wide interval says the
        images at hand cannot tell how well two metrics agree.

        Returns
        -------
        (low, high) : two np.ndarray, float64, ``(n_metrics, n_metrics)``
        """
        if self.per_image is None:
            raise ValueError("this table has no per-image values: make it with "
                             "score_table to resample its images")
        level = check_real(level, "level", low=0, high=1, low_open=True, high_open=True)
        n_resamples = check_int(n_resamples, "n_resamples", low=10, high=100_000)
        random_state = check_int(random_state, "random_state", low=0)
        rng = np.random.default_rng(random_state)
        n = self.per_image.shape[-1]
        valid = self.valid.astype(np.float64)
        weighted = self.per_image * valid
        draws = []
        for _ in range(n_resamples):
            counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)
            total = weighted @ counts
            kept = valid @ counts
            values = np.where(kept > 0, total / np.where(kept > 0, kept, 1), self.values)
            draws.append(ScoreTable(self.methods, self.metrics, values,
                                    self.higher_is_better).rank_agreement(decimals))
        tail = (1 - level) / 2
        low, high = np.quantile(np.stack(draws), [tail, 1 - tail], axis=0)
        return low, high

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
        heads = [(METRICS[m].header if m in METRICS else m) + (" ↑" if up else " ↓")
                 for m, up in zip(self.metrics, self.higher_is_better)]
        cols = [max(len(h), digits + 5) + 2 for h in heads]
        lines = ["".rjust(width) + "".join(h.rjust(c) for h, c in zip(heads, cols))]
        for name, row in zip(self.methods, self.values):
            lines.append(name.ljust(width)
                         + "".join(f"{v:.{digits}f}".rjust(c) for v, c in zip(row, cols)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _check_metrics(metrics) -> tuple:
    if metrics is None:
        return tuple(METRICS[name] for name in DEFAULT_METRICS)
    if isinstance(metrics, (str, Metric)) or not isinstance(metrics, Sequence):
        raise TypeError(f"metrics must be a sequence of names from METRICS or Metric "
                        f"objects, got {describe(metrics)}")
    if len(metrics) == 0:
        raise ValueError("metrics is empty: give at least one metric, or None for all")
    chosen = []
    for entry in metrics:
        if isinstance(entry, str):
            entry = METRICS[check_choice(entry, "metrics", tuple(METRICS))]
        elif not isinstance(entry, Metric):
            raise TypeError(f"metrics must hold names from METRICS or Metric objects, got "
                            f"{describe(entry)}")
        chosen.append(entry)
    names = [m.name for m in chosen]
    if len(set(names)) != len(names):
        raise ValueError(f"metrics must name each metric once, got {names}")
    return tuple(chosen)


def score_table(model, images, maps, truth, targets=None, *, tolerance=15, steps=32,
                random_state=0, batch_size=None, metrics=None) -> ScoreTable:
    """Score several methods' maps on the same images with every metric.

    A reader's meaning: the same exam for every candidate. Each method's maps (and
    those of the baselines, :func:`~helpers.evaluation.random_maps` and
    :func:`~helpers.evaluation.center_maps`, which should be among them) are scored
    against the ground truth (pointing game, energy pointing game) and against the
    model (average drop, increase in confidence, deletion and insertion areas). Each
    cell is the ``.mean`` of the metric's own function (:data:`METRICS`).

    Parameters
    ----------
    model : keras.Model
    images : array-like, float, ``(N, H, W, C)``
    maps : mapping of str to array-like
        ``{method name: maps (N, H, W) in [0, 1]}``, one map per image; the rows of
        the table, in this order.
    truth : array-like
        Boxes ``(N, 4)`` xyxy pixels or masks ``(N, H, W)``: the objects, for the
        pointing game and the energy pointing game.
    targets : None, int or sequence of int
        The classes the maps explain (None: the model's predicted class, which is what
        the maps must then explain too).
    tolerance : real >= 0
        Pointing-game tolerance in pixels (15 in Zhang et al.'s ~224-pixel images;
        scale it to your images' size).
    steps : int in [1, H * W]
        Deletion and insertion steps (``steps + 1`` forward passes per image each);
        deletion removes pixels to black, insertion starts from a blurred image, as in
        Petsiuk et al.
    random_state : int >= 0
        Orders tied pixels at random for deletion, insertion and ROAD (and draws
        ROAD's noise), the same way for every method.
    batch_size : int or None
        Images per compiled forward pass (default 64).
    metrics : None or sequence of str or Metric
        The columns: None for :data:`DEFAULT_METRICS` (every metric of
        :data:`METRICS` but ROAD's), in order; names from :data:`METRICS` (e.g.
        ``tuple(METRICS)`` for all, ROAD included); or :class:`Metric` objects of
        your own.

    Returns
    -------
    ScoreTable
        ``values`` ``(len(maps), len(metrics))``.

    Raises
    ------
    TypeError
        If ``maps`` is not a mapping of str names to maps.
    ValueError
        If ``maps`` is empty, or a method's maps do not fit the images (the message
        names the method and the metric), or the model's logits are NaN.
    """
    if not isinstance(maps, Mapping):
        hint = (" (the arguments are (model, images, maps, truth, targets))"
                if isinstance(truth, Mapping) else "")
        raise TypeError(f"maps must be a mapping {{method name: maps (N, H, W)}}, "
                        f"got {describe(maps)}{hint}")
    if len(maps) == 0:
        raise ValueError("maps must hold at least one method's maps, got an empty mapping")
    bad = [name for name in maps if not isinstance(name, str)]
    if bad:
        raise TypeError(f"maps must be keyed by method names (str), got key {bad[0]!r}")
    chosen = _check_metrics(metrics)
    options = {"tolerance": check_real(tolerance, "tolerance", low=0),
               "steps": check_int(steps, "steps", low=1),
               "random_state": check_int(random_state, "random_state", low=0),
               "batch_size": batch_size}
    rows, per_image, valid = [], [], []
    for name, m in maps.items():
        row, per, ok = [], [], []
        for metric in chosen:
            try:
                result = metric.score(model, images, m, truth, targets, **options)
                row.append(result.mean)
            except (TypeError, ValueError) as error:
                raise type(error)(f"maps[{name!r}], {metric.name}: {error}") from error
            per.append(result.per_image)
            ok.append(result.valid)
        rows.append(row)
        per_image.append(per)
        valid.append(ok)
    return ScoreTable(methods=tuple(maps), metrics=tuple(m.name for m in chosen),
                      values=np.array(rows, dtype=np.float64),
                      higher_is_better=tuple(m.higher_is_better for m in chosen),
                      per_image=np.array(per_image, dtype=np.float64),
                      valid=np.array(valid, dtype=bool))


def identical_maps(maps, *, atol: float = 1e-4) -> dict:
    """Group the methods whose maps are the same, ``{kept name: [its duplicates]}``.

    ``maps``: ``{method: maps (N, H, W)}``. Two methods are identical when every
    value of their maps agrees within ``atol`` (float round-off between methods that
    compute the same map, e.g. CAM and Grad-CAM on a network that ends in global
    average pooling and one dense layer). The first name of each group (in the
    mapping's order) is kept; ``list(result)`` gives one method per distinct set of
    maps, for :meth:`ScoreTable.select`.
    """
    if not isinstance(maps, Mapping) or not maps:
        raise TypeError(f"maps must be a non-empty mapping {{method name: maps}}, got "
                        f"{describe(maps)}")
    atol = check_real(atol, "atol", low=0)
    arrays = {name: np.asarray(m, dtype=np.float64) for name, m in maps.items()}
    groups: dict = {}
    for name, m in arrays.items():
        for kept in groups:
            other = arrays[kept]
            if other.shape == m.shape and np.abs(other - m).max() <= atol:
                groups[kept].append(name)
                break
        else:
            groups[name] = []
    return groups
