"""What is specific to the figures' arguments: colour maps and Axes.

The generic checks (ints, reals, booleans, strings, arrays, labels) are
:mod:`helpers._checks`.
"""
from __future__ import annotations

import matplotlib
from matplotlib.axes import Axes

from .._checks import check_str, describe

__all__ = ["check_cmap", "check_ax"]


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
