"""Random textures for the procedural data sets (shapes, tank scenes).

All functions take a NumPy ``Generator`` so a data set is reproducible from its seed,
and return float32 arrays with values in [0, 1].
"""
from __future__ import annotations

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, height: int, width: int, cells: int) -> np.ndarray:
    """Smooth random field: a ``cells x cells`` grid of uniform noise, upsampled bicubically.

    Returns
    -------
    ndarray, float32, shape (height, width), values in [0, 1]
        Min-max normalised; features are about ``width / cells`` pixels wide.
    """
    coarse = rng.random((cells + 1, cells + 1), dtype=np.float32)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    return _normalise(field)


def fractal_noise(
    rng: np.random.Generator, height: int, width: int, cells=(3, 6, 12), decay: float = 0.5
) -> np.ndarray:
    """Sum of :func:`smooth_noise` at several scales (coarse ones weigh most).

    Returns
    -------
    ndarray, float32, shape (height, width), values in [0, 1]
    """
    total = np.zeros((height, width), np.float32)
    for octave, n_cells in enumerate(cells):
        total += decay**octave * smooth_noise(rng, height, width, n_cells)
    return _normalise(total)


def stripes(rng: np.random.Generator, height: int, width: int, period: float) -> np.ndarray:
    """Straight sinusoidal stripes at a random angle and phase.

    Returns
    -------
    ndarray, float32, shape (height, width), values in [0, 1]
        ``period`` is the distance between two stripes, in pixels.
    """
    angle = rng.uniform(0, np.pi)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float32)
    along = cols * np.cos(angle) + rows * np.sin(angle)
    wave = np.sin(2 * np.pi * along / period + rng.uniform(0, 2 * np.pi))
    return (0.5 + 0.5 * wave).astype(np.float32)


def blend(weight: np.ndarray, colour_a, colour_b) -> np.ndarray:
    """Per-pixel mix of two RGB colours: ``(1 - weight) * a + weight * b``.

    Parameters
    ----------
    weight : ndarray, float, shape (H, W), values in [0, 1]
    colour_a, colour_b : array-like, shape (3,), values in [0, 1]

    Returns
    -------
    ndarray, float32, shape (H, W, 3)
    """
    weight = weight[..., np.newaxis]
    a = np.asarray(colour_a, np.float32)
    b = np.asarray(colour_b, np.float32)
    return ((1.0 - weight) * a + weight * b).astype(np.float32)


def _normalise(field: np.ndarray) -> np.ndarray:
    low, high = field.min(), field.max()
    return ((field - low) / max(high - low, 1e-6)).astype(np.float32)
