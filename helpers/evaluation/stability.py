r"""How much does a heatmap change when the image does not, visibly?

An explanation of a decision that did not change should not change either. Add noise
far too small to see (1 % of the pixel range by default), keep the explained class
fixed, and compare the two maps by their Spearman rank correlation (:func:`spearman`):
1 when they order the pixels the same way, near 0 when the orderings have nothing in
common. Ranks, not values, because a heatmap is read as "these pixels matter more than
those", and min-max scaling changes values but not ranks.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_int, check_real
from ..explain import explain
from .._keras import check_images, check_model, check_targets, n_logits
from ._forward import logits_of, predicted
from .randomization import spearman


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
    method : str or callable
        A name known to :func:`helpers.explain.explain` (``"saliency"``, ...), or a
        function ``method(model, images, targets, **options) -> maps (N, H, W)``.
    model : keras.Model
    images : float array ``(N, H, W, C)``
    targets : None, int or sequence of int
    noise_level : float >= 0
        Noise standard deviation as a fraction of each image's pixel range.
    seed : int >= 0
        Seed of the noise (``np.random.default_rng(seed).standard_normal``).
    **options
        Passed to the method (e.g. ``n_samples=25``).

    Returns
    -------
    np.ndarray, float64, ``(N,)`` in [-1, 1]
        A constant map has no ranking: its correlation is 0 (see :func:`spearman`).
    """
    if not (isinstance(method, str) or callable(method)):
        raise TypeError(f"method must be a method name or a callable, got {type(method).__name__}")
    model = check_model(model)
    x, single = check_images(images, model)
    if single:
        raise ValueError(f"images must be a batch (N, H, W, C), got one image of shape {x.shape[1:]}")
    t = check_targets(targets, len(x), n_logits(model))
    noise_level = check_real(noise_level, "noise_level", low=0.0)
    seed = check_int(seed, "seed", low=0)
    t = predicted(logits_of(model, [x]), t)
    sigma = noise_level * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    noisy = (x + sigma[:, None, None, None] * noise).astype(np.float32)

    def maps_of(images_):
        if isinstance(method, str):
            return explain(method, model, images_, t, **options)
        return method(model, images_, t, **options)

    return spearman(maps_of(x), maps_of(noisy))
