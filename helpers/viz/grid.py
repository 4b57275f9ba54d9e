"""A grid of images with optional titles: the course's quick look at a data set."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np


def _as_display_image(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(f"each image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {image.shape}")
    if np.issubdtype(image.dtype, np.floating):
        return np.clip(image, 0.0, 1.0)
    return image


def show_images(images, labels=None, class_names: Sequence[str] | None = None, *,
                predictions=None, titles: Sequence[str] | None = None, ncols: int = 8,
                size: float = 1.6, max_images: int = 64, cmap: str = "gray"):
    """Show images in a grid, titled by label (and prediction, in red when wrong).

    Parameters
    ----------
    images : array (N, H, W[, C])
        Float images in [0, 1] (clipped for display) or uint8.
    labels : array (N,) of int, optional
        True classes.
    class_names : sequence of str, optional
        Names for the class indices.
    predictions : array (N,) of int, optional
        Predicted classes; the title shows "true -> predicted" and is red when they differ.
    titles : sequence of str, optional
        Explicit titles (override labels/predictions).
    ncols : int
        Images per row.
    size : float
        Size of one cell in inches.
    max_images : int
        Show at most this many (the first ones).

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
    n = min(len(images), max_images)
    if n == 0:
        raise ValueError("there are no images to show")
    for name, arr in (("labels", labels), ("predictions", predictions), ("titles", titles)):
        if arr is not None and len(arr) < n:
            raise ValueError(f"{name} has {len(arr)} entries for {n} images")

    def name_of(k):
        k = int(k)
        return class_names[k] if class_names is not None else str(k)

    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(_as_display_image(images[i]), cmap=cmap, vmin=0, vmax=None)
        title, color = None, "black"
        if titles is not None:
            title = titles[i]
        elif predictions is not None:
            true = name_of(labels[i]) if labels is not None else "?"
            title = f"{true} → {name_of(predictions[i])}"
            if labels is not None and int(labels[i]) != int(predictions[i]):
                color = "red"
        elif labels is not None:
            title = name_of(labels[i])
        if title is not None:
            ax.set_title(title, fontsize=9, color=color)
    fig.tight_layout()
    return fig
