"""A grid of images with optional titles: the course's quick look at a data set."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .._checks import check_array, check_int, check_labels, check_real, check_strings
from ._checks import MAX_PANELS, check_cmap, check_figure_inches
from .layout import PAGE_INCHES

#: How far a float pixel may stray outside [0, 1] (round-off) before it is refused.
_TOLERANCE = 1e-3


def _as_display_image(image: np.ndarray) -> np.ndarray:
    """One checked image ``(H, W)`` or ``(H, W, C)`` for ``imshow``."""
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if np.issubdtype(image.dtype, np.floating):
        return np.clip(image, 0.0, 1.0)   # round-off only: the range is checked before
    return image


def _check_pixel_range(images: np.ndarray) -> None:
    """Floats in [0, 1] (round-off allowed), integers in [0, 255]; else a ValueError."""
    low, high = images.min(), images.max()
    if images.dtype.kind == "f" and (low < -_TOLERANCE or high > 1 + _TOLERANCE):
        raise ValueError(
            f"float images must hold pixel values in [0, 1], got values in [{low:.3g}, "
            f"{high:.3g}]; divide 0-255 pixels by 255 (or pass them as uint8), and undo a "
            "standardisation before showing images")
    if images.dtype.kind in "iu" and (low < 0 or high > 255):
        raise ValueError(
            f"integer images must hold pixel values in [0, 255], got values in [{low}, "
            f"{high}]; scale them to [0, 1] floats first")


def show_images(images, labels=None, class_names: Sequence[str] | None = None, *,
                predictions=None, titles: Sequence[str] | None = None, ncols: int = 8,
                size: float | None = None, max_images: int = 64, cmap: str = "gray"):
    """Show images in a grid, titled by label (and prediction, in red when wrong).

    Parameters
    ----------
    images : array (N, H, W[, C])
        Float images in [0, 1], integer ones in [0, 255], or booleans (masks, in
        black and white); C is 1, 3 or 4. One RGB image ``(H, W, 3)`` is refused
        as ambiguous: pass ``image[None]``.
    labels : array (N,) of int, optional
        True classes.
    class_names : sequence of str, optional
        Names for the class indices (labels and predictions must be below its length).
    predictions : array (N,) of int, optional
        Predicted classes; the title shows "true -> predicted" and is red when they differ.
    titles : sequence of str, optional
        Explicit titles (override labels/predictions).
    ncols : int
        Images per row.
    size : float or None
        Size of one cell in inches; None: 1.6, or less so that the row fits the book's
        column (``helpers.viz.layout.PAGE_INCHES``, 6.6 inches) and its titles stay
        readable on the page.
    max_images : int in [1, 400]
        Show at most this many (the first ones).
    cmap : str
        Matplotlib colour map for grey images.

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = check_array(images, "images", ndim=(3, 4), dtype=None,
                         shape_hint="(N, H, W) or (N, H, W, C), one image per row")
    if images.dtype.kind == "b":
        images = images.astype(np.float32)
    if images.ndim == 4 and images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"images must have 1, 3 or 4 channels (N, H, W, C), got shape {images.shape}; "
            "for a single (H, W, C) image pass image[None]"
        )
    if images.ndim == 3 and images.shape[-1] in (3, 4) and images.shape[1] > 4:
        raise ValueError(
            f"images of shape {images.shape} look like one (H, W, {images.shape[-1]}) colour "
            f"image, not {images.shape[0]} grey images {images.shape[-1]} pixels wide; pass "
            "image[None] for one image, or (N, H, W, 1) for grey images")
    _check_pixel_range(images)
    ncols = check_int(ncols, "ncols", low=1)
    if size is not None:
        size = check_real(size, "size", low=0, high=20, low_open=True,
                          note=" (inches per image)")
    max_images = check_int(max_images, "max_images", low=1, high=MAX_PANELS,
                           note=" (panels in one figure)")
    cmap = check_cmap(cmap)
    n = min(len(images), max_images)
    if class_names is not None:
        class_names = check_strings(class_names, "class_names", min_length=1)
    if labels is not None:
        labels = check_labels(labels, "labels")
    if predictions is not None:
        predictions = check_labels(predictions, "predictions")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and class_names is not None and values.max() >= len(class_names):
            raise ValueError(
                f"{name} hold class {values.max()}, but class_names has only "
                f"{len(class_names)} names {list(class_names)}"
            )
    if titles is not None:
        titles = check_strings(titles, "titles")
    for name, arr in (("labels", labels), ("predictions", predictions), ("titles", titles)):
        if arr is not None and len(arr) < n:
            raise ValueError(f"{name} has {len(arr)} entries for {n} images")

    def name_of(k):
        k = int(k)
        return class_names[k] if class_names is not None else str(k)

    ncols = max(1, min(ncols, n))
    if size is None:
        size = min(1.6, PAGE_INCHES / ncols)
    nrows = int(np.ceil(n / ncols))
    check_figure_inches(size * ncols, size * nrows + 0.3, "lower size, ncols or max_images")
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
