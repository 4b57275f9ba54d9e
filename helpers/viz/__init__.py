"""Figures: image grids, training curves, heatmap overlays, metric plots.

======================  =========================================================
:func:`show_images`     a grid of images titled by label / prediction
:func:`plot_history`    loss and accuracy per epoch
:func:`overlay`         a heatmap colour-mapped over its image (uint8 RGB)
:func:`compare`         images and several methods' heatmaps side by side
:func:`plot_confusion_matrix`, :func:`plot_pr_curve`, :func:`plot_roc_curve`
======================  =========================================================
"""
from .grid import show_images
from .history import plot_history

__all__ = ["show_images", "plot_history"]

try:  # modules that arrive with later chapters
    from .heatmaps import compare, overlay

    __all__ += ["overlay", "compare"]
except ImportError:  # pragma: no cover
    pass
try:
    from .metrics import plot_confusion_matrix, plot_pr_curve, plot_roc_curve

    __all__ += ["plot_confusion_matrix", "plot_pr_curve", "plot_roc_curve"]
except ImportError:  # pragma: no cover
    pass
