"""Heatmaps over images: one overlay, several methods side by side, and their scale.

:func:`overlay` colour-maps a heatmap and blends it over its image; :func:`compare`
lays out images, the raw heatmaps and their overlays in a grid, one row per image,
with a colour bar; :func:`colorbar` adds that colour bar to any figure of overlays.

Why "inferno" by default, and not "jet"
---------------------------------------
A heatmap is read as *how much*: the colour map must let a reader rank two places by
eye. "inferno" (Smith and van der Walt's perceptually uniform map, as in Matplotlib)
runs from black through red to pale yellow with lightness rising steadily, so brighter
always means higher: this survives blending over a photo, printing in grey, and the
common colour-vision deficiencies. "jet" is not ordered by lightness: its brightest
band (cyan-yellow) sits in the middle, so mid values look hottest, and its red blended
over a blue sky turns purple, a colour that is not on the scale at all. An overlay
also mixes the map with the photo, which is why :func:`compare` shows the raw map and
a colour bar beside the overlays: the scale is read there, the location on the overlay.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import cv2
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize

from .._checks import check_array, check_bool, check_choice, check_int, check_real, describe
from ._checks import (MAX_INCHES, MAX_PANELS, as_uint8_rgb, check_axes_list, check_figure,
                      check_figure_inches, check_heatmap)
from .layout import PAGE_INCHES

DEFAULT_COLORMAP = "inferno"
DEFAULT_ALPHA = 0.5

_COLORMAPS = {name[len("COLORMAP_"):].lower(): getattr(cv2, name)
              for name in dir(cv2) if name.startswith("COLORMAP_")}


def _colormap_code(colormap) -> int:
    if not isinstance(colormap, str):
        raise TypeError(f"colormap must be the name of an OpenCV colour map (a string), "
                        f"got {describe(colormap)}")
    return _COLORMAPS[check_choice(colormap.lower(), "colormap", sorted(_COLORMAPS))]


def colormap_colours(colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """The 256 RGB colours of an OpenCV colour map, low to high: uint8 ``(256, 3)``."""
    ramp = np.arange(256, dtype=np.uint8)[:, None]
    return cv2.cvtColor(cv2.applyColorMap(ramp, _colormap_code(colormap)),
                        cv2.COLOR_BGR2RGB)[:, 0]


def _matplotlib_colormap(colormap: str) -> ListedColormap:
    """The same colours as :func:`overlay` uses, for ``imshow`` and colour bars."""
    return ListedColormap(colormap_colours(colormap) / 255.0, name=colormap.lower())


def overlay(image, heatmap, alpha: float = DEFAULT_ALPHA, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
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
        An OpenCV colour map name. The default, "inferno", is ordered by lightness
        (brighter = higher), so intensity can be read over a photo and in grey; see
        the module's notes for why not "jet". Show the scale with :func:`colorbar`.

    Returns
    -------
    np.ndarray, uint8, ``(H, W, 3)`` RGB

    Raises
    ------
    TypeError
        For a string or other non-number where a number or an array is expected.
    ValueError
        For a wrong shape, values outside [0, 1], NaN, or an unknown colour map.
    """
    rgb = as_uint8_rgb(image)
    heat = check_heatmap(heatmap)
    alpha = check_real(alpha, "alpha", low=0.0, high=1.0)
    code = _colormap_code(colormap)
    height, width = rgb.shape[:2]
    if heat.shape != (height, width):
        heat = cv2.resize(heat, (width, height), interpolation=cv2.INTER_LINEAR)
    heat_u8 = np.round(np.clip(heat, 0, 1) * 255).astype(np.uint8)
    colours = cv2.cvtColor(cv2.applyColorMap(heat_u8, code), cv2.COLOR_BGR2RGB)
    blended = (1.0 - alpha) * rgb.astype(np.float32) + alpha * colours.astype(np.float32)
    return np.clip(np.round(blended), 0, 255).astype(np.uint8)


def colorbar(fig, axes, colormap: str = DEFAULT_COLORMAP, label: str = "heatmap value",
             **kwargs):
    """Add the heatmaps' colour scale (0 = low, 1 = high) beside ``axes`` of ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    axes : Axes or sequence of Axes
        The panels the bar belongs to (it takes its room from them).
    colormap : str
        The colour map the overlays used (default "inferno", as :func:`overlay`).
    label : str
    **kwargs
        Passed on to ``fig.colorbar`` (e.g. ``shrink=0.8``).

    Returns
    -------
    matplotlib.colorbar.Colorbar
    """
    check_figure(fig)
    axes = check_axes_list(axes)
    if isinstance(label, bool) or not isinstance(label, str):
        raise TypeError(f"label must be a string, got {describe(label)}")
    _colormap_code(colormap)
    mappable = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=_matplotlib_colormap(colormap))
    axes = axes[0] if len(axes) == 1 else axes
    bar = fig.colorbar(mappable, ax=axes, label=label, **kwargs)
    bar.set_ticks([0.0, 0.5, 1.0])
    return bar


#: Font size of :func:`compare`'s titles, points: 12.5 px on the page at the column's width.
TITLE_POINTS = 9
#: Width of an average character of the default font (DejaVu Sans), in ems: a generous
#: estimate, so that a title wrapped to its panel does not reach the next one.
_CHAR_EMS = 0.6


def _wrap(name: str, panel_inches: float) -> str:
    """``name`` on two lines if it is wider than a panel ``panel_inches`` wide at
    :data:`TITLE_POINTS`: broken at the space nearest its middle, outside ``$...$``
    maths (a name without such a space, e.g. ``block1_relu1``, stays whole)."""
    room = max(1, int((panel_inches - 0.1) * 72 / (_CHAR_EMS * TITLE_POINTS)))
    if len(name) <= room:
        return name
    spaces = [m.start() for m in re.finditer(" ", name)
              if name[:m.start()].count("$") % 2 == 0]
    if not spaces:
        return name
    cut = min(spaces, key=lambda k: abs(k - len(name) / 2))
    return name[:cut] + "\n" + name[cut + 1:]


def compare(images, maps: Mapping[str, np.ndarray], *, titles: Sequence[str] | None = None,
            alpha: float = DEFAULT_ALPHA, colormap: str = DEFAULT_COLORMAP, size: float = 2.0,
            max_images: int = 16, show_maps: bool = True, show_colorbar: bool = True,
            max_width: float = PAGE_INCHES):
    """A grid: one row per image; the image, then each method's raw map and its overlay.

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
    size : float in (0, 20]
        Size of one cell, in inches (reduced so that the figure fits ``max_width``).
    max_images : int
        Show at most this many images (the first ones); the figure holds at most
        400 panels and is at most 100 inches tall.
    show_maps : bool
        Show each method's raw map (on the colour scale, without the photo) left of
        its overlay: the photo's own colours then cannot be mistaken for heat.
    show_colorbar : bool
        Add the colour scale (0 = low, 1 = high) on the right.
    max_width : float in (0, 100]
        Width of the figure at most, in inches (default: the book's column,
        ``helpers.viz.layout.PAGE_INCHES``, where the figure is shown at its own size
        and its titles keep their point size).

    Returns
    -------
    matplotlib.figure.Figure
    """
    images = check_array(images, "images", ndim=(2, 3, 4), dtype=None, allow_empty=False,
                         shape_hint="(N, H, W[, C]) or one (H, W[, C]) image")
    if images.dtype.kind == "b":
        raise TypeError("images must be float in [0, 1] or uint8, got booleans; "
                        "images.astype(np.float32) shows a mask in black and white")
    if not isinstance(maps, Mapping):
        raise TypeError(f"maps must be a dict {{method name: heatmaps}}, got {describe(maps)}")
    if not maps:
        raise ValueError("maps must be a non-empty dict {method name: heatmaps}")
    for key in maps:
        if not isinstance(key, str):
            raise TypeError(f"maps must be keyed by method names (str), got the key "
                            f"{describe(key)}")
    size = check_real(size, "size", low=0.0, high=20.0, low_open=True, note=" (inches)")
    max_width = check_real(max_width, "max_width", low=0.0, high=MAX_INCHES, low_open=True,
                           note=" (inches)")
    max_images = check_int(max_images, "max_images", low=1)
    show_maps = check_bool(show_maps, "show_maps")
    show_colorbar = check_bool(show_colorbar, "show_colorbar")
    alpha = check_real(alpha, "alpha", low=0.0, high=1.0)
    _colormap_code(colormap)
    single = images.ndim == 2 or (images.ndim == 3 and images.shape[-1] in (1, 3)
                                  and all(np.ndim(m) == 2 for m in maps.values()))
    if single:
        images = images[None]
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W[, C]) or one (H, W[, C]) image, got {images.shape}")
    stacks = {}
    for name, m in maps.items():
        m = check_array(m, f"maps[{name!r}]", ndim=(2, 3), dtype=np.float32)
        if single and m.ndim == 2:
            m = m[None]
        if m.ndim != 3 or len(m) != len(images):
            raise ValueError(f"maps[{name!r}] has shape {m.shape}; expected ({len(images)}, h, w), "
                             "one heatmap per image")
        stacks[name] = m
    if titles is not None:
        if isinstance(titles, str) or not all(isinstance(t, str) for t in titles):
            raise TypeError(f"titles must be a sequence of strings, one per image, got {describe(titles)}")
        if len(titles) < len(images):
            raise ValueError(f"got {len(titles)} titles for {len(images)} images")
    n = min(len(images), max_images)
    per_method = 2 if show_maps else 1
    ncols = 1 + per_method * len(stacks)
    bar_width = 0.6 if show_colorbar else 0.0
    cell = min(size, (max_width - bar_width) / ncols)
    aspect = images.shape[1] / images.shape[2]            # rows as tall as the images are
    if n * ncols > MAX_PANELS:
        raise ValueError(f"{n} images x {ncols} columns would make {n * ncols} panels, more "
                         f"than {MAX_PANELS}; lower max_images (now {max_images})")
    check_figure_inches(cell * ncols + bar_width, cell * aspect * n + 0.4,
                        f"lower max_images (now {max_images}) or size")
    fig, axes = plt.subplots(n, ncols, figsize=(cell * ncols + bar_width, cell * aspect * n + 0.4),
                             squeeze=False, layout="constrained")
    cmap = _matplotlib_colormap(colormap)
    label = {name: _wrap(name, cell) for name in stacks}   # long names on two lines
    for i in range(n):
        axes[i, 0].imshow(as_uint8_rgb(images[i], "images"))
        axes[i, 0].set_title(titles[i] if titles is not None else ("image" if i == 0 else ""),
                             fontsize=TITLE_POINTS)
        for j, (name, stack) in enumerate(stacks.items()):
            col = 1 + per_method * j
            if show_maps:
                axes[i, col].imshow(check_heatmap(stack[i], f"maps[{name!r}]"), cmap=cmap,
                                    vmin=0.0, vmax=1.0, interpolation="bilinear")
                if i == 0:
                    axes[i, col].set_title(f"{label[name]}\nmap", fontsize=TITLE_POINTS)
            axes[i, col + per_method - 1].imshow(
                overlay(images[i], stack[i], alpha=alpha, colormap=colormap))
            if i == 0:
                axes[i, col + per_method - 1].set_title(
                    f"{label[name]}\noverlay" if show_maps else label[name],
                    fontsize=TITLE_POINTS)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():     # a thin frame: white panels keep their edges
            spine.set_linewidth(0.5)
            spine.set_color("0.6")
    if show_colorbar:
        colorbar(fig, axes, colormap=colormap, shrink=min(1.0, 0.9 if n > 1 else 0.95))
    return fig
