r"""How much does a heatmap change when the image does not, visibly?

An explanation of a decision that did not change should not change either. Add noise
far too small to see (1 % of the pixel range by default), keep the explained class
fixed, and compare the two maps by their **Spearman rank correlation**: the Pearson
correlation of the pixels' ranks, 1 when the two maps order the pixels the same way,
near 0 when the orderings have nothing in common. Ranks, not values, because a heatmap
is read as "these pixels matter more than those", and min-max scaling changes values
but not ranks.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf
from scipy.stats import rankdata

from .._checks import check_array, check_int, check_real
from ._inputs import check_images, check_model, check_targets
from ._logits import compiled_logits, logits_net, resolve_targets


def rank_correlation(maps_a, maps_b) -> np.ndarray:
    r"""Spearman rank correlation of each pair of maps, pixel by pixel.

    Ties get their average rank (as ``scipy.stats.spearmanr``). A constant map orders
    nothing: its correlation with any other map is 0, and two identical maps,
    constant or not, correlate at 1 (never NaN).

    Parameters
    ----------
    maps_a, maps_b : float arrays ``(N, H, W)`` (or one ``(H, W)`` each), same shape

    Returns
    -------
    np.ndarray, float64, ``(N,)`` in [-1, 1] (a float for one pair)
    """
    a = check_array(maps_a, "maps_a", ndim=(2, 3), shape_hint="(N, H, W) or (H, W)")
    b = check_array(maps_b, "maps_b", ndim=(2, 3), shape_hint="(N, H, W) or (H, W)")
    if a.shape != b.shape:
        raise ValueError(f"maps_a and maps_b must have the same shape, got {a.shape} and {b.shape}")
    single = a.ndim == 2
    a, b = (a[None], b[None]) if single else (a, b)
    ra = rankdata(a.reshape(len(a), -1), axis=1)
    rb = rankdata(b.reshape(len(b), -1), axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    norm = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where(norm > 0, (ra * rb).sum(axis=1) / np.where(norm > 0, norm, 1.0), 0.0)
    identical = (a.reshape(len(a), -1) == b.reshape(len(b), -1)).all(axis=1)
    rho = np.clip(np.where(identical, 1.0, rho), -1.0, 1.0)
    return float(rho[0]) if single else rho


def noise_stability(method, model, images, targets=None, *, noise_level=0.01, seed=0,
                    **options) -> np.ndarray:
    r"""Rank correlation between each image's map and the map of a slightly noisy copy.

    .. math::

        \rho_n = \mathrm{Spearman}\big(M(x_n),\; M(x_n + \sigma_n \epsilon_n)\big),
        \quad \epsilon_n \sim \mathcal N(0, I),
        \quad \sigma_n = \text{noise\_level} \cdot (\max x_n - \min x_n)

    The explained class is the same for both maps: ``targets``, or the class
    predicted for the clean image.

    Parameters
    ----------
    method : callable
        ``method(model, images, targets, **options)`` returning maps ``(N, H, W)``,
        e.g. ``helpers.explain.saliency``.
    model : keras.Model
    images : float array ``(N, H, W, C)``
    targets : None, int or sequence of int
    noise_level : float >= 0
        Noise standard deviation as a fraction of each image's pixel range.
    seed : int >= 0
        Seed of the noise.
    **options
        Passed to the method (e.g. ``n_samples=25``).

    Returns
    -------
    np.ndarray, float64, ``(N,)`` in [-1, 1]
    """
    if not callable(method):
        raise TypeError(f"method must be a function such as helpers.explain.saliency, "
                        f"got {type(method).__name__}")
    check_model(model)
    x, single = check_images(images, model)
    if single:
        raise ValueError(f"images must be a batch (N, H, W, C), got one image of shape {x.shape[1:]}")
    t = check_targets(targets, len(x), logits_net(model, None).n_logits)
    noise_level = check_real(noise_level, "noise_level", 0.0)
    seed = check_int(seed, "seed", 0)
    t = resolve_targets(compiled_logits(model)(tf.constant(x)), tf.constant(t)).numpy()
    sigma = noise_level * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    noisy = (x + sigma[:, None, None, None] * noise).astype(np.float32)
    clean_maps = method(model, x, t, **options)
    noisy_maps = method(model, noisy, t, **options)
    return rank_correlation(clean_maps, noisy_maps)
