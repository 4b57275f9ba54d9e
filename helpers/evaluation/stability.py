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
from .._keras import check_images, check_targets, n_logits
from ._forward import logits_of, predicted
from ._inputs import check_method_maps, check_model_and_method
from .randomization import has_ranking, spearman
from .result import Scores


def noise_stability(model, images, method, targets=None, *, noise_level=0.01, seed=0,
                    **options) -> Scores:
    r"""Rank correlation between each image's map and the map of a slightly noisy copy.

    .. math::

        \rho_n = \mathrm{Spearman}\big(M(x_n),\; M(x_n + \sigma_n \epsilon_n)\big),
        \quad \epsilon_n \sim \mathcal N(0, I),
        \quad \sigma_n = \text{noise\_level} \cdot (\max x_n - \min x_n)

    The explained class is the same for both maps: ``targets``, or the class
    predicted for the clean image.

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)``
    method : str or callable
        A name known to :func:`helpers.explain.explain` (``"saliency"``, ...), or a
        function ``method(model, images, targets, **options) -> maps (N, H, W)`` at the
        images' size, finite.
    targets : None, int or sequence of int
    noise_level : float >= 0
        Noise standard deviation as a fraction of each image's pixel range.
    seed : int >= 0
        Seed of the noise (``np.random.default_rng(seed).standard_normal``).
    **options
        Passed to the method (e.g. ``n_samples=25``).

    Returns
    -------
    Scores
        ``.values`` ``(N,)`` in [-1, 1], higher is steadier; ``.mean`` over the valid
        images. An image whose clean map is constant has no ranking to keep: it is
        invalid (value 0, see :func:`spearman`); a noisy map that turns constant
        scores 0.

    Raises
    ------
    ValueError
        Besides bad arguments: a model whose logits are NaN or infinite (NaN weights),
        a method that returns maps of the wrong shape or with NaN, noise so loud that
        the noisy images overflow.
    """
    model = check_model_and_method(model, method)
    x, single = check_images(images, model)
    if single:
        raise ValueError(f"images must be a batch (N, H, W, C), got one image of shape {x.shape[1:]}")
    t = check_targets(targets, len(x), n_logits(model))
    noise_level = check_real(noise_level, "noise_level", low=0.0)
    seed = check_int(seed, "seed", low=0)
    t = predicted(logits_of(model, [x]), t)
    noise = np.random.default_rng(seed).standard_normal(x.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        sigma = noise_level * (x.max(axis=(1, 2, 3)) - x.min(axis=(1, 2, 3)))
        noisy = x + sigma[:, None, None, None] * noise
    if not (np.abs(noisy) <= np.finfo(np.float32).max).all():
        raise ValueError(f"noise_level {noise_level} makes noisy pixels beyond float32's "
                         "range; it is a fraction of the pixel range (0.01 by default)")
    noisy = noisy.astype(np.float32)

    def maps_of(images_):
        if isinstance(method, str):
            m = explain(method, model, images_, t, **options)
        else:
            m = method(model, images_, t, **options)
        return check_method_maps(m, method, x.shape[:3])

    clean = maps_of(x)
    return Scores(values=spearman(clean, maps_of(noisy)), valid=has_ranking(clean))
