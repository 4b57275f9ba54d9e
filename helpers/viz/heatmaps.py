"""Heatmaps over images: one overlay, or several methods side by side.

:func:`overlay` colour-maps a heatmap (OpenCV's colour maps, "jet" by default: blue =
low, red = high) and blends it over its image; :func:`compare` lays out images and the
overlays of several explanation methods in a grid, one row per image.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import matplotlib.pyplot as plt
import numpy as np

_COLORMAPS = {name[len("COLORMAP_"):].lower(): getattr(cv2, name)
              for name in dir(cv2) if name.startswith("COLORMAP_")}


def _colormap_code(colormap: str) -> int:
    if not isinstance(colormap, str) or colormap.lower() not in _COLORMAPS:
        raise ValueError(f"unknown colormap {colormap!r}; OpenCV colour maps are: "
                         f"{', '.join(sorted(_COLORMAPS))}")
    return _COLORMAPS[colormap.lower()]


def _image_to_uint8_rgb(image) -> np.ndarray:
    """``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` float in [0, 1] or uint8 -> uint8 ``(H, W, 3)``."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"image must be (H, W), (H, W, 1) or (H, W, 3), got shape {image.shape}")
    if image.dtype == np.uint8:
        return image
    if not np.issubdtype(image.dtype, np.floating):
        raise TypeError(f"image must be float in [0, 1] or uint8, got dtype {image.dtype}")
    if not np.isfinite(image).all():
        raise ValueError("image contains NaN or infinite values")
    if image.min() < -1e-3 or image.max() > 1 + 1e-3:
        raise ValueError(f"a float image must be in [0, 1], got values in "
                         f"[{image.min():.3g}, {image.max():.3g}] (uint8 images are accepted as they are)")
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


def _check_heatmap(heatmap) -> np.ndarray:
    heatmap = np.asarray(heatmap)
    if heatmap.ndim != 2:
        raise ValueError(f"heatmap must be 2-D (h, w), got shape {heatmap.shape}")
    if not np.issubdtype(heatmap.dtype, np.floating) or not np.isfinite(heatmap).all():
        raise ValueError("heatmap must hold finite float values")
    if heatmap.min() < -1e-3 or heatmap.max() > 1 + 1e-3:
        raise ValueError(f"heatmap must be in [0, 1] (as the helpers.explain methods return it), "
                         f"got values in [{heatmap.min():.3g}, {heatmap.max():.3g}]")
    return np.clip(heatmap.astype(np.float32), 0, 1)


def overlay(image, heatmap, alpha: float = 0.4, colormap: str = "jet") -> np.ndarray:
    """Blend a colour-mapped heatmap over its image.

    Parameters
    ----------
    image : array ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``
        Float RGB/grey in [0, 1], or uint8 in [0, 255].
    heatmap : float array ``(h, w)`` in [0, 1]
        Any resolution: it is upsampled (bilinear) to ``(H, W)`` before colour-mapping,
        so a coarse feature-map heatmap is smooth rather than blocky.
    alpha : float in [0, 1]
        Weight of the heatmap: ``(1 - alpha) * image + alpha * colours``.
    colormap : str
        An OpenCV colour map name ("jet", "turbo", "viridis", "inferno", ...).

    Returns
    -------
    np.ndarray, uint8, ``(H, W, 3)`` RGB
    """
    rgb = _image_to_uint8_rgb(image)
    heat = _check_heatmap(heatmap)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a number in [0, 1], got {alpha!r}")
    code = _colormap_code(colormap)
    height, width = rgb.shape[:2]
    if heat.shape != (height, width):
        heat = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
    heat_u8 = np.round(np.clip(heat, 0, 1) * 255).astype(np.uint8)
    colours = cv2.cvtColor(cv2.applyColorMap(heat_u8, code), cv2.COLOR_BGR2RGB)
    blended = (1.0 - alpha) * rgb.astype(np.float32) + alpha * colours.astype(np.float32)
    return np.clip(np.round(blended), 0, 255).astype(np.uint8)


def compare(images, maps: Mapping[str, np.ndarray], *, titles: Sequence[str] | None = None,
            alpha: float = 0.4, colormap: str = "jet", size: float = 2.0, max_images: int = 16):
    """A grid: one row per image, the image then one overlay per method.

    Parameters
    ----------
    images : array ``(N, H, W[, C])`` or one image ``(H, W[, C])``
        Float in [0, 1] or uint8.
    maps : dict ``{method name: heatmaps}``
        Heatmaps ``(N, h, w)`` (or ``(h, w)`` for one image) in [0, 1], e.g. the output
        of :func:`helpers.explain.gradcam`. Columns follow the dict's order.
    titles : sequence of str, optional
        One label per image, shown over its first column (e.g. "circle (p=0.97)").
    alpha, colormap : as :func:`overlay`.
    size : float
        Size of one cell, in inches.
    max_images : int
        Show at most this many images (the first ones).

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    single = images.ndim == 2 or (images.ndim == 3 and images.shape[-1] in (1, 3)
                                  and all(np.ndim(m) == 2 for m in maps.values()))
    if single:
        images = images[None]
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W[, C]) or one (H, W[, C]) image, got {images.shape}")
    if not isinstance(maps, Mapping) or not maps:
        raise ValueError("maps must be a non-empty dict {method name: heatmaps}")
    stacks = {}
    for name, m in maps.items():
        m = np.asarray(m)
        if single and m.ndim == 2:
            m = m[None]
        if m.ndim != 3 or len(m) != len(images):
            raise ValueError(f"maps[{name!r}] has shape {m.shape}; expected ({len(images)}, h, w), "
                             "one heatmap per image")
        stacks[name] = m
    if titles is not None and len(titles) < len(images):
        raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    n = min(len(images), max_images)
    ncols = 1 + len(stacks)
    fig, axes = plt.subplots(n, ncols, figsize=(size * ncols, size * n + 0.3), squeeze=False)
    for i in range(n):
        shown = _image_to_uint8_rgb(images[i])
        axes[i, 0].imshow(shown)
        axes[i, 0].set_title(titles[i] if titles is not None else ("image" if i == 0 else ""),
                             fontsize=9)
        for j, (name, stack) in enumerate(stacks.items(), start=1):
            axes[i, j].imshow(overlay(images[i], stack[i], alpha=alpha, colormap=colormap))
            if i == 0:
                axes[i, j].set_title(name, fontsize=9)
    for ax in axes.ravel():
        ax.axis("off")
    fig.tight_layout()
    return fig
