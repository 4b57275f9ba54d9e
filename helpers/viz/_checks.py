"""What is specific to the figures' arguments: colour maps, Axes, images and heatmaps.

The generic checks (ints, reals, booleans, strings, arrays, labels) are
:mod:`helpers._checks`.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure

from .._checks import check_array, check_str, describe

__all__ = ["check_cmap", "check_ax", "check_figure", "check_axes_list", "as_uint8_rgb",
           "check_heatmap", "check_figure_inches", "MAX_INCHES", "MAX_PANELS"]

#: Largest side of a figure, in inches (at the default 100 dpi: 10,000 pixels, 400 MB
#: of RGBA); a larger figure is a mistake that ends in a MemoryError when it is drawn.
MAX_INCHES = 100.0
#: Most panels (images, heatmaps, curves) one figure draws.
MAX_PANELS = 400


def check_cmap(cmap, name: str = "cmap") -> str:
    """The name of a Matplotlib colour map (e.g. ``"gray"``, ``"Blues"``), or raise."""
    check_str(cmap, name)
    if cmap not in matplotlib.colormaps:
        close = sorted(m for m in matplotlib.colormaps if m.lower() == cmap.lower())
        hint = f" Did you mean {close[0]!r}?" if close else " e.g. 'gray', 'viridis', 'Blues'."
        raise ValueError(f"{name} must be a Matplotlib colour map name, got {cmap!r}.{hint}")
    return cmap


def check_ax(ax, name: str = "ax"):
    """``None`` (a new figure) or a Matplotlib ``Axes``, or raise ``TypeError``."""
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(
            f"{name} must be a matplotlib Axes (e.g. from plt.subplots()) or None, "
            f"got {describe(ax)}"
        )
    return ax


def check_figure(fig, name: str = "fig"):
    """A Matplotlib ``Figure`` (or ``SubFigure``), or raise ``TypeError``."""
    if not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"{name} must be a matplotlib Figure (e.g. from plt.subplots()), "
                        f"got {describe(fig)}")
    return fig


def check_axes_list(axes, name: str = "axes") -> list:
    """One ``Axes`` or a non-empty array or sequence of them, as a flat list, or raise."""
    if isinstance(axes, Axes):
        return [axes]
    if isinstance(axes, (str, bytes)) or not isinstance(axes, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a matplotlib Axes or a sequence of them, "
                        f"got {describe(axes)}")
    flat = list(np.ravel(np.asarray(axes, dtype=object)))
    if not flat:
        raise ValueError(f"{name} must hold at least one Axes, got none")
    for i, ax in enumerate(flat):
        if not isinstance(ax, Axes):
            raise TypeError(f"{name}[{i}] must be a matplotlib Axes, got {describe(ax)}")
    return flat


def check_figure_inches(width: float, height: float, what: str) -> None:
    """Refuse a figure larger than :data:`MAX_INCHES` on a side (``what`` says why)."""
    if max(width, height) > MAX_INCHES:
        raise ValueError(
            f"the figure would be {width:.3g} x {height:.3g} inches, larger than "
            f"{MAX_INCHES:g} inches on a side; {what}")


def as_uint8_rgb(image, name: str = "image") -> np.ndarray:
    """``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)`` float in [0, 1] or uint8 -> uint8 ``(H, W, 3)``.

    Booleans are refused (a mask is not an image: ``mask.astype(np.float32)`` shows it
    in black and white on purpose), as are NaN and floats outside [0, 1].
    """
    kind = np.asarray(image).dtype.kind if not isinstance(image, (str, bytes)) else "U"
    image = check_array(image, name, ndim=(2, 3),
                        dtype=np.asarray(image).dtype if kind in "uif" else np.float64,
                        shape_hint="(H, W), (H, W, 1) or (H, W, 3)", allow_bool=False)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.shape[-1] != 3:
        raise ValueError(f"{name} must be (H, W), (H, W, 1) or (H, W, 3), got shape {image.shape}")
    if image.dtype == np.uint8:
        return image
    if not np.issubdtype(image.dtype, np.floating):
        raise TypeError(f"{name} must be float in [0, 1] or uint8, got dtype {image.dtype}")
    if image.min() < -1e-3 or image.max() > 1 + 1e-3:
        raise ValueError(f"a float {name} must be in [0, 1], got values in "
                         f"[{image.min():.3g}, {image.max():.3g}] (uint8 images are accepted as they are)")
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


def check_heatmap(heatmap, name: str = "heatmap") -> np.ndarray:
    """A heatmap ``(h, w)`` in [0, 1] (as :mod:`helpers.explain` returns it) as float32, or raise.

    Booleans are refused: ``mask.astype(np.float32)`` makes a 0/1 map on purpose."""
    heatmap = check_array(heatmap, name, ndim=2, dtype=np.float32, shape_hint="(h, w)",
                          allow_bool=False)
    if heatmap.min() < -1e-3 or heatmap.max() > 1 + 1e-3:
        raise ValueError(f"{name} must be in [0, 1] (as the helpers.explain methods return it), "
                         f"got values in [{heatmap.min():.3g}, {heatmap.max():.3g}]")
    return np.clip(heatmap, 0, 1)
