"""The model-randomisation sanity check (Adebayo et al., 2018).

If a map explains the *model*, destroying the model's weights must change the map.
The cascade re-initialises the layers one by one from the output down and, after each,
compares the new maps with the original ones by Spearman rank correlation.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from .._checks import check_array, check_bool, check_int, describe
from ..explain import explain
from .._keras import all_layers, check_images, check_targets, n_logits
from ._forward import logits_of, predicted
from ._inputs import check_method_maps, check_model_and_method
from .result import Scores
from .similarity import hog_similarity, ssim


@dataclass(frozen=True)
class Randomization(Scores):
    """Result of :func:`randomization_test`: :class:`Scores` whose values follow the cascade.

    Attributes
    ----------
    values : np.ndarray, float64, ``(N, n_layers)``
        Spearman rank correlation between each image's original map and its map after
        each step (column j: the model with layers[0..j] randomised).
    valid : np.ndarray, bool, ``(N,)``
        False where the original map is constant: it ranks no pixel, so there is no
        ranking to keep or lose (its values are 0, and it is left out of the means).
    layers : list of str
        The re-initialised layers, in cascade order (output first).
    abs_values : np.ndarray, float64, ``(N, n_layers)``
        The same on the absolute values of the maps (the paper reports both; for maps
        already in [0, 1] the two are equal).
    targets : np.ndarray, int32, ``(N,)``
        The classes explained (the original model's prediction where ``targets=None``),
        kept fixed through the cascade.
    maps : np.ndarray, float64, ``(n_layers + 1, N, H, W)``, or None
        With ``keep_maps=True``: the original maps (row 0), then the maps after each
        step (row j + 1 after ``layers[j]``); None otherwise.
    ssim_values : np.ndarray, float64, ``(N, n_layers)``
        The structural similarity (:func:`~helpers.evaluation.ssim`, Wang et al.,
        2004) of each image's original and randomised maps, each map min-max scaled
        to [0, 1] first (an all-zero map stays zero).
    hog_values : np.ndarray, float64, ``(N, n_layers)``
        Pearson correlation of their HOG features
        (:func:`~helpers.evaluation.hog_similarity`): 0 against a constant map.
    constant : np.ndarray, bool, ``(N, n_layers)``
        True where the randomised map is constant (all zero, for a CAM whose every
        channel weight turned negative): it ranks nothing, its Spearman correlation
        is 0 by definition, and it counts as "changed" although it shows nothing.
        ``values[~constant]`` leaves them out.

    ``.per_image`` is each image's correlation averaged over the steps (the area under
    its cascade curve, per step); ``.mean`` its mean over the valid images: lower is
    better (the maps follow the model). :attr:`mean_curve` is the curve to plot.
    """

    layers: list
    abs_values: np.ndarray
    targets: np.ndarray
    maps: np.ndarray | None = None
    ssim_values: np.ndarray | None = None
    hog_values: np.ndarray | None = None
    constant: np.ndarray | None = None

    @property
    def per_image(self) -> np.ndarray:
        """Each image's correlation averaged over the cascade's steps, ``(N,)``."""
        return self.values.mean(axis=1)

    @property
    def mean_curve(self) -> np.ndarray:
        """Mean correlation over the valid images after each step, ``(n_layers,)``."""
        return self._mean_curve(self.values)

    @property
    def mean_curve_abs(self) -> np.ndarray:
        """The same for the absolute maps, ``(n_layers,)``."""
        return self._mean_curve(self.abs_values)

    @property
    def mean_curve_ssim(self) -> np.ndarray:
        """Mean SSIM over the valid images after each step, ``(n_layers,)``."""
        return self._mean_curve(self.ssim_values)

    @property
    def mean_curve_hog(self) -> np.ndarray:
        """Mean HOG similarity over the valid images after each step, ``(n_layers,)``."""
        return self._mean_curve(self.hog_values)


def rankdata(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the last axis, ties given the mean of their ranks, float64."""
    values = np.asarray(values, dtype=np.float64)
    flat = values.reshape(-1, values.shape[-1])
    out = np.empty_like(flat)
    for row, v in zip(out, flat):
        order = np.argsort(v, kind="stable")
        sorted_v = v[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_v)) + 1]
        ends = np.r_[starts[1:], len(v)]
        mean_rank = (starts + ends + 1) / 2.0      # mean of ranks start+1 .. end
        row[order] = np.repeat(mean_rank, ends - starts)
    return out.reshape(values.shape)


def spearman(a, b) -> np.ndarray:
    """Spearman rank correlation of each pair of maps, ``(N,)`` float64.

    ``a``, ``b``: ``(N, H, W)`` (or ``(N, P)``), finite, the same shape. The Pearson
    correlation of the (tie-averaged) ranks. A constant map has no ranking: its
    correlation is defined as 0 (not NaN). Not a score: the comparison two scores use.
    """
    a = check_array(a, "a", ndim=(2, 3), shape_hint="(N, H, W)")
    b = check_array(b, "b", ndim=(2, 3), shape_hint="(N, H, W)")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (one pair of maps per row), "
                         f"got {a.shape} and {b.shape}")
    return _spearman(a, b)


def _spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = len(a)
    ra = rankdata(a.reshape(n, -1))
    rb = rankdata(b.reshape(n, -1))
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    norm = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    dot = (ra * rb).sum(axis=1)
    return np.clip(np.where(norm > 0, dot / np.where(norm > 0, norm, 1.0), 0.0), -1.0, 1.0)


def unit_range(maps: np.ndarray) -> np.ndarray:
    """Each map ``(N, H, W)`` min-max scaled to [0, 1]; a constant map becomes zeros."""
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    return np.where(span > 0, (maps - low) / np.where(span > 0, span, 1.0), 0.0)


def has_ranking(maps: np.ndarray) -> np.ndarray:
    """True for each map ``(N, H, W)`` that is not constant, ``(N,)`` bool."""
    flat = maps.reshape(len(maps), -1)
    return flat.max(axis=1) > flat.min(axis=1)


def fresh_weights(layer, seed: int) -> list:
    """New values for each of ``layer``'s variables, drawn from its own initialisers.

    A variable ``v`` named ``kernel``, ``bias``, ``gamma``, ``moving_mean``, ... uses the
    layer's ``<name>_initializer`` (Glorot uniform kernels, zero biases, BatchNorm back to
    the identity: gamma 1, beta 0, mean 0, variance 1) re-seeded with ``seed + i`` for the
    layer's i-th variable, so a run is reproducible whatever the global random state.
    A variable without a matching initialiser gets Glorot uniform (2-D or more) or
    zeros (1-D).
    """
    values = []
    for i, var in enumerate(layer.weights):
        short = var.name.split("/")[-1]
        init = getattr(layer, f"{short}_initializer", None)
        if not isinstance(init, keras.initializers.Initializer):
            init = (keras.initializers.GlorotUniform() if len(var.shape) >= 2
                    else keras.initializers.Zeros())
        config = init.get_config()
        if "seed" in config:
            config["seed"] = seed + i
        values.append(np.asarray(type(init).from_config(config)(var.shape, dtype=var.dtype)))
    return values


def randomized_layers(model: keras.Model) -> list:
    """The layers that hold weights of their own, output first (the cascade's order).

    A nested model comes after its layers in :func:`all_layers` and holds only their
    weights, so it is left out: each weight is randomised with the layer that owns it.
    """
    seen, owners = set(), []
    for lay in all_layers(model):
        ids = {id(var) for var in lay.weights}
        if ids - seen:
            owners.append(lay)
        seen |= ids
    return owners[::-1]


def randomization_test(model, images, method, targets=None, *, layers=None,
                       independent=False, seed=0, keep_maps=False, **options) -> Randomization:
    """Cascading model randomisation: do the maps change when the model is destroyed?

    A reader's meaning: a heatmap that shows what the model learned must fall apart
    when the learned weights are replaced by random ones. Starting from the output,
    each layer of a *copy* of the model is re-initialised in turn (the layers above
    stay random: a cascade) and the maps are recomputed. A high rank correlation with
    the original maps after the weights are gone means the method shows the image
    (edges, contrast) more than the model: it fails the sanity check.

    Parameters
    ----------
    model : keras.Model
        Never modified: the cascade runs on a copy (``keras.models.clone_model``, the
        weights copied over); each re-initialised layer gets fresh weights from its own
        initialisers (biases zeros, BatchNorm to identity), see :func:`fresh_weights`.
    images : array-like, float, ``(N, H, W, C)`` or one ``(H, W, C)``
    method : str or callable
        A name known to :func:`helpers.explain.explain` (``"gradcam"``, ...), or a
        function ``method(model, images, targets, **options) -> maps (N, H, W)`` at the
        images' size, finite.
    targets : None, int or sequence of int
        None: the original model's predicted class, kept for every step.
    layers : sequence of str or None
        Names of the layers to randomise, in this order, each once (default: every
        layer with weights, from the output down).
    independent : bool
        False (default): cascading; True: one layer at a time, the others restored.
    seed : int >= 0
        Seeds the new weights (the j-th randomised layer uses ``seed + 1000 * j``): the
        same seed gives the same result, and a layer gets the same random weights in
        the cascading and the independent mode.
    keep_maps : bool
        True: also return every step's maps in ``.maps`` (``n_layers + 1`` times the
        memory of one set of maps), to show how they change; False (default): only
        the correlations.
    **options
        Passed to the method (e.g. ``layer=`` for the CAM family; the layer is looked
        up by name in the copy).

    Returns
    -------
    Randomization
        ``.values`` ``(N, n_layers)`` Spearman correlations (the score), beside
        ``.ssim_values`` and ``.hog_values`` (Adebayo et al.'s other two measures)
        and ``.constant`` (randomised maps that are constant), ``.valid``, ``.layers``,
        ``.mean_curve`` ``(n_layers,)`` and ``.mean`` (the correlation averaged over
        the steps and the valid images).

    Raises
    ------
    ValueError
        Besides bad arguments: a model whose logits are NaN or infinite (NaN weights),
        a method that returns maps of the wrong shape or with NaN.
    """
    model = check_model_and_method(model, method)
    independent = check_bool(independent, "independent")
    seed = check_int(seed, "seed", low=0)
    keep_maps = check_bool(keep_maps, "keep_maps")
    x, _ = check_images(images, model)
    t = check_targets(targets, len(x), n_logits(model))
    t = predicted(logits_of(model, [x]), t)
    if "layer" in options and not isinstance(options["layer"], (str, type(None))):
        options["layer"] = options["layer"].name

    def maps_of(net):
        if isinstance(method, str):
            m = explain(method, net, x, t, **options)
        else:
            m = method(net, x, t, **options)
        return check_method_maps(m, method, x.shape[:3])

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    by_name = {lay.name: lay for lay in all_layers(copy)}
    if layers is None:
        names = [lay.name for lay in randomized_layers(copy)]
    else:
        if isinstance(layers, str) or not isinstance(layers, Sequence) or not all(
                isinstance(s, str) for s in layers):
            raise TypeError(f"layers must be a sequence of layer names (str), got "
                            f"{describe(layers)}")
        if len(layers) == 0:
            raise ValueError("layers is empty: name at least one layer to randomise, or "
                             "pass None for every layer with weights")
        if len(set(layers)) != len(layers):
            raise ValueError(f"layers must name each layer once, got {list(layers)}")
        unknown = [s for s in layers if s not in by_name]
        if unknown:
            raise ValueError(f"layers {unknown} are not in model {model.name!r}")
        empty = [s for s in layers if not by_name[s].weights]
        if empty:
            raise ValueError(f"layers {empty} have no weights to randomise")
        names = list(layers)
    if not names:
        raise ValueError(f"model {model.name!r} has no layer with weights to randomise")
    original = maps_of(copy)
    unit_original = unit_range(original)
    trained = {name: [w.numpy() for w in by_name[name].weights] for name in names}
    rho, rho_abs, structural, gradients, constant = [], [], [], [], []
    kept = [original] if keep_maps else None
    for j, name in enumerate(names):
        for var, value in zip(by_name[name].weights, fresh_weights(by_name[name], seed + 1000 * j)):
            var.assign(value)
        m = maps_of(copy)
        rho.append(_spearman(original, m))
        rho_abs.append(_spearman(np.abs(original), np.abs(m)))
        structural.append(ssim(unit_original, unit_range(m)))
        gradients.append(hog_similarity(original, m))
        constant.append(~has_ranking(m))
        if keep_maps:
            kept.append(m)
        if independent:
            for var, value in zip(by_name[name].weights, trained[name]):
                var.assign(value)
    return Randomization(values=np.array(rho).T, valid=has_ranking(original), layers=names,
                         abs_values=np.array(rho_abs).T, targets=t,
                         maps=np.stack(kept) if keep_maps else None,
                         ssim_values=np.array(structural).T,
                         hog_values=np.array(gradients).T, constant=np.array(constant).T)
