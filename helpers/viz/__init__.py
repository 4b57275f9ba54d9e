"""Figures: image grids, training curves, heatmap overlays, metric plots.

=================================  ==================================================
:func:`show_images`                a grid of images titled by label / prediction
:func:`plot_history`               loss and accuracy per epoch
:func:`overlay`                    a heatmap colour-mapped over its image (uint8 RGB)
:func:`compare`                    images, raw maps and overlays side by side, with a scale
:func:`colorbar`                   the heatmaps' colour scale beside a figure's panels
:func:`plot_confusion_matrix`      counts of (true, predicted) pairs
:func:`plot_pr_curve`              precision against recall over all thresholds
:func:`plot_roc_curve`             true- against false-positive rate
:func:`draw_boxes`                 boxes on an image; predictions marked true/false positive
:func:`plot_detection_pr`          COCO precision-recall curves per class or IoU threshold
:func:`plot_error_breakdown`       AP gained by fixing each detection error type
:func:`plot_reliability`           true-positive fraction per score bin (calibration)
=================================  ==================================================
"""
from .boxes import draw_boxes
from .detection import plot_detection_pr, plot_error_breakdown, plot_reliability
from .grid import show_images
from .heatmaps import colorbar, compare, overlay
from .history import plot_history
from .metrics import plot_confusion_matrix, plot_pr_curve, plot_roc_curve

__all__ = ["show_images", "plot_history", "overlay", "compare", "colorbar",
           "plot_confusion_matrix", "plot_pr_curve", "plot_roc_curve",
           "draw_boxes", "plot_detection_pr", "plot_error_breakdown",
           "plot_reliability"]
