"""Noisy linear imputation (Rong et al., 2022): fill removed pixels from their neighbours.

ROAD (:func:`helpers.evaluation.road`) removes pixels and must put something in their
place that tells the model nothing. Black, as in deletion, draws the removed region's
shape into the image (the model can read the mask), and the image it makes is unlike
any the model was trained on. Noisy linear imputation gives each removed pixel the
weighted mean of its eight neighbours,

.. math::

    x_u = \\frac{\\sum_{v \\in \\mathcal{N}(u)} w_{u - v}\\, x_v}
               {\\sum_{v \\in \\mathcal{N}(u)} w_{u - v}},
    \\qquad w = 1/6 \\text{ (side neighbours)},\\ 1/12 \\text{ (corners)},

where the sum runs over the neighbours inside the image and a neighbour that was
removed too is itself unknown: one sparse linear system for all removed pixels,
solved per channel, exactly. Gaussian noise of standard deviation ``noise`` (in the
image's units) is then added to the imputed pixels only, so that the fill is not a
perfectly smooth surface. The weights and the noise are those of the authors' code
(``NoisyLinearImputer``, noise 0.01), which pytorch-grad-cam reuses.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse import csc_matrix
from scipy.sparse.linalg import splu

from .._checks import check_array, check_int, check_real

NEIGHBOURS = (((-1, -1), 1 / 12), ((-1, 0), 1 / 6), ((-1, 1), 1 / 12),
              ((0, -1), 1 / 6), ((0, 1), 1 / 6),
              ((1, -1), 1 / 12), ((1, 0), 1 / 6), ((1, 1), 1 / 12))
"""``((row offset, column offset), weight)`` of the eight neighbours; the weights sum to 1."""


def linear_system(image: np.ndarray, removed: np.ndarray):
    """The imputation's system ``A x = b`` for one image.

    ``image`` ``(H, W, C)`` float64, ``removed`` ``(H, W)`` bool with at least one pixel
    kept. Returns ``(A, b, index)``: ``A`` ``(n, n)`` sparse, symmetric and positive
    definite (row u: the sum of u's in-image neighbour weights on the diagonal, minus
    the weight of each removed neighbour), ``b`` ``(n, C)`` the weighted sum of u's
    kept neighbours, ``index`` ``(n,)`` the flat positions of the n removed pixels.
    """
    h, w = removed.shape
    flat_removed = removed.ravel()
    index = np.flatnonzero(flat_removed)
    n = len(index)
    unknown = np.full(h * w, -1, dtype=np.int64)
    unknown[index] = np.arange(n)
    rows, cols = np.divmod(index, w)
    values = image.reshape(h * w, -1)
    diagonal = np.zeros(n)
    b = np.zeros((n, values.shape[1]))
    a_rows, a_cols, a_vals = [np.arange(n)], [np.arange(n)], []
    for (dr, dc), weight in NEIGHBOURS:
        r, c = rows + dr, cols + dc
        inside = (r >= 0) & (r < h) & (c >= 0) & (c < w)
        eq = np.flatnonzero(inside)
        other = r[inside] * w + c[inside]
        diagonal[eq] += weight
        gone = flat_removed[other]
        a_rows.append(eq[gone])
        a_cols.append(unknown[other[gone]])
        a_vals.append(np.full(int(gone.sum()), -weight))
        b[eq[~gone]] += weight * values[other[~gone]]
    a = csc_matrix((np.concatenate([diagonal] + a_vals),
                    (np.concatenate(a_rows), np.concatenate(a_cols))), shape=(n, n))
    return a, b, index


def impute(image: np.ndarray, removed: np.ndarray, noise: float,
           rng: np.random.Generator | None) -> np.ndarray:
    """The imputed image ``(H, W, C)`` float32 (no checks; see :func:`noisy_linear_imputation`)."""
    out = np.array(image, dtype=np.float64, copy=True)
    if not removed.any():
        return out.astype(np.float32)
    a, b, index = linear_system(out, removed)
    # symmetric positive definite: SuperLU without pivoting on a symmetric ordering
    solution = splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                    options={"SymmetricMode": True}).solve(b)
    if noise > 0:
        solution = solution + noise * rng.standard_normal(solution.shape)
    flat = out.reshape(-1, out.shape[-1])
    flat[index] = solution
    return out.astype(np.float32)


def noisy_linear_imputation(image, removed, *, noise: float = 0.01,
                            random_state: int = 0) -> np.ndarray:
    """Fill the removed pixels of one image from their neighbours (Rong et al., 2022).

    Parameters
    ----------
    image : array-like, float, ``(H, W, C)``
    removed : array-like, bool, ``(H, W)``
        True for the pixels to impute; at least one pixel must be kept (an image with
        every pixel removed has nothing to impute from).
    noise : real >= 0
        Standard deviation of the Gaussian noise added to each imputed value, in the
        image's units (0.01 as in the paper's code; 0 gives the plain linear imputation).
    random_state : int >= 0
        Starts the noise's generator: the same arguments give the same image.

    Returns
    -------
    np.ndarray, float32, ``(H, W, C)``
        The kept pixels unchanged, the removed ones imputed (not clipped).
    """
    img = check_array(image, "image", ndim=3, shape_hint="(H, W, C)")
    mask = check_array(removed, "removed", ndim=2, dtype=None, shape_hint="(H, W)")
    if mask.dtype != np.bool_:
        raise TypeError(f"removed must be a bool array (True: impute this pixel), got "
                        f"dtype {mask.dtype}")
    if mask.shape != img.shape[:2]:
        raise ValueError(f"removed must have the image's shape {img.shape[:2]}, got "
                         f"{mask.shape}")
    if mask.all():
        raise ValueError("removed marks every pixel: at least one pixel must be kept to "
                         "impute the others from")
    noise = check_real(noise, "noise", low=0)
    random_state = check_int(random_state, "random_state", low=0)
    return impute(img, mask, noise, np.random.default_rng(random_state))
