"""How alike are two heatmaps? The three measures of the sanity check (Adebayo et al., 2018).

* :func:`spearman` (in :mod:`.randomization`): rank correlation of the pixels;
* :func:`ssim`: the structural similarity index of Wang et al. (2004);
* :func:`hog_similarity`: Pearson correlation of the maps' histograms of oriented
  gradients (Dalal and Triggs, 2005), which compares their edges and shapes.

Each takes two stacks of maps ``(N, H, W)`` and gives one number per pair ``(N,)``,
defined (never NaN) for constant maps, as stated per function.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from skimage.feature import hog

from .._checks import check_array, check_real

SSIM_SIGMA = 1.5
SSIM_WINDOW = 11
SSIM_K1, SSIM_K2 = 0.01, 0.03
"""Wang et al.'s constants: an 11 x 11 Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03."""


def check_pairs(a, b):
    """Two stacks of maps as float64 ``(N, H, W)``, the same shape."""
    a = check_array(a, "a", ndim=(2, 3), shape_hint="(N, H, W) or (H, W)")
    b = check_array(b, "b", ndim=(2, 3), shape_hint="(N, H, W) or (H, W)")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (one pair of maps per row), "
                         f"got {a.shape} and {b.shape}")
    return (a[None], b[None]) if a.ndim == 2 else (a, b)


def gaussian_window(size: int, sigma: float) -> np.ndarray:
    """A normalised 1-D Gaussian of ``size`` taps (the 2-D window is its outer product)."""
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-x ** 2 / (2 * sigma ** 2))
    return g / g.sum()


def local_mean(maps: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Gaussian-weighted mean over every window that fits in the map ('valid')."""
    rows = sliding_window_view(maps, len(g), axis=1) @ g          # (N, H - s + 1, W)
    return sliding_window_view(rows, len(g), axis=2) @ g          # (N, ., W - s + 1)


def ssim(a, b, *, data_range: float = 1.0) -> np.ndarray:
    """Structural similarity of each pair of maps, ``(N,)`` float64 in [-1, 1].

    Wang et al. (2004), eq. 13, averaged over every position of an 11 x 11 Gaussian
    window (sigma 1.5) that lies inside the map:

    .. math::

        \\mathrm{SSIM}(a, b) = \\frac{(2\\mu_a\\mu_b + C_1)(2\\sigma_{ab} + C_2)}
                                 {(\\mu_a^2 + \\mu_b^2 + C_1)(\\sigma_a^2 + \\sigma_b^2 + C_2)},
        \\quad C_1 = (0.01 L)^2,\\ C_2 = (0.03 L)^2,

    with local means, variances and covariance weighted by the window and ``L`` the
    ``data_range`` (1 for maps in [0, 1]). Equal to scikit-image's
    ``structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=L)``. Maps smaller than 11 pixels use the
    Gaussian cut to the largest odd window that fits, renormalised (scikit-image
    differs there). Two identical maps score 1, also when constant (an
    all-zero map against itself); an all-zero map against a varied one scores near 0.

    Parameters
    ----------
    a, b : array-like, float, ``(N, H, W)`` or one ``(H, W)`` each, finite
    data_range : real > 0
        The range the maps' values can span.
    """
    a, b = check_pairs(a, b)
    data_range = check_real(data_range, "data_range", low=0, low_open=True)
    size = min(SSIM_WINDOW, *[s - (1 - s % 2) for s in a.shape[1:]])
    g = gaussian_window(size, SSIM_SIGMA)
    mu_a, mu_b = local_mean(a, g), local_mean(b, g)
    var_a = local_mean(a * a, g) - mu_a ** 2
    var_b = local_mean(b * b, g) - mu_b ** 2
    cov = local_mean(a * b, g) - mu_a * mu_b
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)
         / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2)))
    return s.mean(axis=(1, 2))


def hog_features(maps: np.ndarray) -> np.ndarray:
    """HOG features of each map ``(N, H, W)``: ``(N, F)`` float64.

    scikit-image's ``hog`` with 9 orientations, cells of ``max(1, min(H, W) // 8)``
    pixels (8 at 64 x 64) and blocks of 2 x 2 cells, L2-Hys normalised (Dalal and
    Triggs' setting).
    """
    cell = max(1, min(maps.shape[1:]) // 8)
    return np.stack([hog(m, orientations=9, pixels_per_cell=(cell, cell),
                         cells_per_block=(2, 2), block_norm="L2-Hys",
                         feature_vector=True) for m in maps])


def pearson(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row pair ``(N, F)``; 0 where a row is constant."""
    u = u - u.mean(axis=1, keepdims=True)
    v = v - v.mean(axis=1, keepdims=True)
    norm = np.sqrt((u ** 2).sum(axis=1) * (v ** 2).sum(axis=1))
    dot = (u * v).sum(axis=1)
    return np.clip(np.where(norm > 0, dot / np.where(norm > 0, norm, 1.0), 0.0), -1, 1)


def hog_similarity(a, b) -> np.ndarray:
    """Pearson correlation of the HOG features of each pair of maps, ``(N,)`` in [-1, 1].

    Adebayo et al.'s third measure: it compares where the maps have edges and which
    way they run, not their values. A constant map has no gradient, so no HOG
    features: its similarity is defined as 0 (not NaN), as for :func:`spearman`.
    Multiplying a map by a positive number leaves it unchanged (blocks are
    normalised).

    Parameters
    ----------
    a, b : array-like, float, ``(N, H, W)`` or one ``(H, W)`` each, finite, at least
        2 x 2 pixels.
    """
    a, b = check_pairs(a, b)
    if min(a.shape[1:]) < 2:
        raise ValueError(f"maps must be at least 2 x 2 pixels for HOG features, got "
                         f"{a.shape[1:]}")
    return pearson(hog_features(a), hog_features(b))
