"""ROAD: RemOve And Debias (Rong et al., 2022).

Deletion (:func:`helpers.evaluation.deletion`) sets pixels to black and asks the model
about an image unlike any it was trained on; worse, the black region's *shape*
carries information of its own (a class can leak through the mask). ROAD removes the
same pixels but fills them by noisy linear imputation
(:func:`helpers.evaluation.noisy_linear_imputation`), which keeps the image close to
natural ones and hides the mask's shape, and needs no retraining (unlike Hooker et
al.'s ROAR). It follows the target's probability as a growing share of the pixels is
removed, most relevant first (MoRF: a good map makes it fall fast) or least relevant
first (LeRF: a good map keeps it high).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .._checks import check_array, check_choice, check_int, check_real, first_positions
from ._forward import check_inputs, logits_of, predicted, probabilities
from .imputation import impute
from .perturbation import Curves, pixel_order

PERCENTILES = (10, 20, 30, 40, 50, 60, 70, 80, 90)
"""The shares of pixels removed, in percent, as in the paper and pytorch-grad-cam."""
ORDERS = ("most", "least")


@dataclass(frozen=True)
class Road(Curves):
    """Result of :func:`road`: :class:`Curves` over the removal percentiles.

    Attributes
    ----------
    values : np.ndarray, float64, ``(N, K)``
        The target's probability on each image after removing ``percentiles[k]`` % of
        its pixels (and imputing them).
    valid : np.ndarray, bool, ``(N,)``
        All True.
    fractions : np.ndarray, float64, ``(K,)``
        The share of pixels actually removed at each percentile: ``n_k / (H * W)``
        with ``n_k = round(percentiles[k] / 100 * H * W)``.
    targets : np.ndarray, int32, ``(N,)``
    percentiles : np.ndarray, float64, ``(K,)``
        As given.
    order : {"most", "least"}
        Most relevant first (MoRF, lower is better) or least relevant first (LeRF,
        higher is better).
    original : np.ndarray, float64, ``(N,)``
        The target's probability on the unchanged images; ``values - original[:, None]``
        is pytorch-grad-cam's confidence change.

    ``.per_image`` is each image's mean probability over the percentiles (for evenly
    spaced percentiles, the area under its curve divided by the range covered);
    ``.mean`` its mean over the images, the score; ``.auc`` the trapezoid area over
    ``fractions``, as for deletion.
    """

    percentiles: np.ndarray = None
    order: str = "most"
    original: np.ndarray = None

    @property
    def per_image(self) -> np.ndarray:
        """Each image's probability averaged over the percentiles, ``(N,)``."""
        return self.values.mean(axis=1)


def check_percentiles(percentiles) -> np.ndarray:
    """Percentiles ``(K,)`` float64 in [0, 100), each once, or a clear error."""
    p = check_array(percentiles, "percentiles", ndim=1, allow_bool=False,
                    shape_hint="(K,): shares of pixels to remove, in percent")
    bad = (p < 0) | (p >= 100)
    if bad.any():
        raise ValueError(f"percentiles must lie in [0, 100) (percent of the pixels "
                         f"removed; at 100 nothing is left to impute from), got "
                         f"{p[bad][0]!r} at position(s) {first_positions(bad)}")
    if len(np.unique(p)) != len(p):
        raise ValueError(f"percentiles must name each share once, got {p.tolist()}")
    return p


def removal_ranks(maps: np.ndarray, percentiles: np.ndarray, order: str,
                  random_state: int):
    """``(rank (N, H, W), counts (K,))``: at percentile k, image i loses the pixels with
    ``rank[i] < counts[k]``, ``counts = round(percentiles / 100 * H * W)``; rank 0 is the
    map's highest pixel (``order="most"``) or its lowest (``"least"``), ties at random."""
    n, h, w = maps.shape
    counts = np.rint(percentiles / 100 * h * w).astype(np.int64)
    rank = pixel_order(maps if order == "most" else -maps,
                       random_state=np.random.default_rng(random_state))
    return rank, counts


def road_morf(model, images, maps, targets=None, **options) -> Road:
    """:func:`road` with ``order="most"`` (the registry's ``road_morf`` column)."""
    return road(model, images, maps, targets, order="most", **options)


def road_lerf(model, images, maps, targets=None, **options) -> Road:
    """:func:`road` with ``order="least"`` (the registry's ``road_lerf`` column)."""
    return road(model, images, maps, targets, order="least", **options)


def road(model, images, maps, targets=None, *, percentiles=PERCENTILES, order="most",
         noise=0.01, random_state=0, batch_size=None) -> Road:
    """ROAD curve: remove pixels in the map's order, impute them, and ask the model.

    A reader's meaning: deletion without the black holes. At each percentile p, the
    p % of pixels the map ranks first (``order="most"``) or last (``order="least"``)
    are removed and filled from their neighbours by noisy linear imputation, and the
    model's probability of the target is read. With MoRF, a map that found the
    evidence makes the probability fall fast: lower is better. With LeRF, removing
    what the map calls irrelevant should leave the probability high: higher is
    better. Rong et al. show that the two orders then rank attribution methods
    consistently, which deletion with black pixels does not.

    Parameters
    ----------
    model : keras.Model
    images : array-like, float, ``(N, H, W, C)`` or one ``(H, W, C)``
    maps : array-like, float, ``(N, H, W)`` or one ``(H, W)``
        Only the order of the values matters; tied pixels are ordered at random
        (``random_state``, :func:`pixel_order`).
    targets : None, int or sequence of int
        None: the class predicted on the original image.
    percentiles : sequence of real in [0, 100)
        Percent of the pixels removed at each point of the curve (default 10, 20,
        ..., 90 as in the paper). pytorch-grad-cam's ``ROADMostRelevantFirst(p)`` and
        ``ROADLeastRelevantFirst(p)`` count the other way: they *keep* p % of the
        pixels (the map's p-th percentile is the threshold) and remove the other
        ``100 - p`` %; averaged over 10, ..., 90 both cover the same shares as here.
    order : {"most", "least"}
        Remove the most relevant pixels first (MoRF) or the least relevant (LeRF).
    noise : real >= 0
        Standard deviation of the noise added to the imputed pixels, in the images'
        units (0.01, as in the authors' code).
    random_state : int >= 0
        Draws the order of tied pixels and the noise: the same value gives the same
        curves, whatever ``batch_size``.
    batch_size : int or None
        Images per compiled forward pass (default 64). The imputed images are built
        one chunk at a time, the next chunk while the model runs on the current one.

    Returns
    -------
    Road
        ``.values`` ``(N, K)`` probabilities, ``.percentiles``, ``.fractions``,
        ``.original`` ``(N,)``, ``.mean`` the score, ``.mean_curve`` to plot.

    Raises
    ------
    ValueError
        Besides bad arguments: a model whose logits are NaN or infinite (NaN weights).

    Cost: ``N * (K + 1)`` forward passes, plus one sparse solve per image and
    percentile (a few milliseconds at 64 x 64 with most pixels removed).
    """
    model, x, m, t, batch = check_inputs(model, images, maps, targets, batch_size)
    p = check_percentiles(percentiles)
    order = check_choice(order, "order", ORDERS)
    noise = check_real(noise, "noise", low=0)
    random_state = check_int(random_state, "random_state", low=0)
    n, h, w = m.shape
    rank, counts = removal_ranks(m, p, order, random_state)
    k = len(p)
    total = n * k

    def build(start):
        pairs = range(start, min(start + batch, total))
        chunk = []
        for pair in pairs:
            i, j = divmod(pair, k)
            rng = np.random.default_rng((random_state, i, j))
            chunk.append(impute(x[i], rank[i] < counts[j], noise, rng))
        return np.stack(chunk)

    def chunks():
        starts = list(range(0, total, batch))
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending = pool.submit(build, starts[0])
            for nxt in starts[1:]:
                ready = pending.result()
                pending = pool.submit(build, nxt)
                yield ready
            yield pending.result()

    first = logits_of(model, (x[s:s + batch] for s in range(0, n, batch)))
    t = predicted(first, t)
    original = probabilities(model, first, t)
    logits = logits_of(model, chunks())
    values = probabilities(model, logits, np.repeat(t, k)).reshape(n, k)
    return Road(values=values, valid=np.ones(n, bool), fractions=counts / (h * w),
                targets=t, percentiles=p, order=order, original=original)
