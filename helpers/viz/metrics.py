"""Figures for chapter 3: the confusion matrix, precision-recall and ROC curves.

Each function draws on ``ax`` (a new figure when ``ax`` is None) and returns the
Axes, so curves of several models can share one plot::

    ax = plot_pr_curve(y_test, scores_a, label="model A")
    plot_pr_curve(y_test, scores_b, label="model B", ax=ax)
"""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .. import metrics as _metrics
from .._checks import (check_array, check_bool, check_choice, check_real, check_str,
                       check_strings, first_positions)
from ._checks import check_ax, check_cmap

#: Most classes a confusion matrix is drawn for: each cell gets its number written in.
MAX_SHOWN_CLASSES = 100

__all__ = ["plot_confusion_matrix", "plot_pr_curve", "plot_roc_curve"]

_NORMALIZE = (None, "true", "pred", "all")


def plot_confusion_matrix(cm, class_names: Sequence[str] | None = None, normalize: str | None = None,
                          ax=None, *, cmap: str = "Blues", colorbar: bool = True, title: str | None = None):
    """Draw a confusion matrix as a heatmap with the count (or rate) in every cell.

    Parameters
    ----------
    cm : array-like of int, shape (K, K), K <= 100
        Whole-number counts, rows = true class, columns = predicted class, as returned
        by :func:`helpers.metrics.confusion_matrix` (booleans and fractions are refused:
        pass the counts and ``normalize`` to show rates).
    class_names : sequence of K str, optional
        Tick labels (default ``0 .. K-1``).
    normalize : {None, "true", "pred", "all"}, default None
        Show counts (None), or divide by the row sums ("true": each row shows the
        recall of its class and its errors), by the column sums ("pred": the
        diagonal is each class's precision) or by the total ("all").
        A row or column without samples shows 0.
    ax : matplotlib Axes, optional
    cmap : str, default "Blues"
    colorbar : bool, default True
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    counts = check_array(cm, "cm", ndim=2, shape_hint="(K, K) of counts", allow_bool=False)
    if counts.shape[0] != counts.shape[1]:
        raise ValueError(f"cm must be a square (K, K) matrix, got shape {counts.shape}.")
    if counts.shape[0] > MAX_SHOWN_CLASSES:
        raise ValueError(f"cm has {counts.shape[0]} classes; a figure writes the count of "
                         f"each cell for at most {MAX_SHOWN_CLASSES} (show a subset of the "
                         "classes, e.g. cm[:20, :20])")
    fractional = counts != np.round(counts)
    if fractional.any():
        raise ValueError(
            f"cm must hold whole-number counts, found {counts[fractional][0]:g} at "
            f"position(s) {first_positions(fractional)}; to show rates pass the counts "
            "and normalize='true', 'pred' or 'all'.")
    if (counts < 0).any():
        raise ValueError("cm must hold non-negative counts, found a negative entry.")
    check_choice(normalize, "normalize", _NORMALIZE)
    cmap = check_cmap(cmap)
    colorbar = check_bool(colorbar, "colorbar")
    title = check_str(title, "title", optional=True)
    ax = check_ax(ax)
    k = counts.shape[0]
    names = ([str(i) for i in range(k)] if class_names is None
             else list(check_strings(class_names, "class_names", length=k)))

    values = counts.astype(np.float64)
    if normalize is not None:
        totals = {"true": values.sum(axis=1, keepdims=True), "pred": values.sum(axis=0, keepdims=True),
                  "all": values.sum()}[normalize]
        values = np.divide(values, totals, out=np.zeros_like(values), where=np.asarray(totals) > 0)

    if ax is None:
        side = max(3.0, 0.55 * k + 1.5)
        _, ax = plt.subplots(figsize=(side + (1.0 if colorbar else 0.0), side))
    image = ax.imshow(values, cmap=cmap, vmin=0, vmax=values.max() if values.max() > 0 else 1)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = (values.max() if values.max() > 0 else 1) / 2
    for i in range(k):
        for j in range(k):
            text = f"{int(counts[i, j])}" if normalize is None else f"{values[i, j]:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=9 if k <= 10 else 7,
                    color="white" if values[i, j] > threshold else "black")
    long_names = max(map(len, names)) > 3
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title is not None:
        ax.set_title(title)
    return ax


def _check_curve_options(label, ax, mark_threshold) -> None:
    check_str(label, "label", optional=True)
    check_ax(ax)
    if mark_threshold is not None:
        check_real(mark_threshold, "mark_threshold")


def _new_square_axes(ax):
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.2))
    return ax


def plot_pr_curve(y_true, y_score, *, pos_label: int = 1, label: str | None = None, ax=None,
                  show_baseline: bool = True, mark_threshold: float | None = None):
    """Plot the precision-recall curve of a binary scorer, with its AP in the legend.

    The curve is drawn as a step function (precision is constant between two
    recall values that a threshold can reach); the dashed baseline is the fraction
    of positives, which is what a scorer that ranks at random achieves.

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
        Binary labels.
    y_score : array-like of float, shape (N,)
        Scores for the positive class.
    pos_label : int, default 1
    label : str, optional
        Legend text (the AP is appended).
    ax : matplotlib Axes, optional
        Draw on it (e.g. to compare models); a new figure otherwise.
    show_baseline : bool, default True
    mark_threshold : float, optional
        Put a dot at the point of the curve where ``score >= mark_threshold``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_curve_options(label, ax, mark_threshold)
    show_baseline = check_bool(show_baseline, "show_baseline")
    precision, recall, thresholds = _metrics.pr_curve(y_true, y_score, pos_label=pos_label)
    ap = _metrics.average_precision_score(y_true, y_score, pos_label=pos_label)
    ax = _new_square_axes(ax)
    text = f"AP = {ap:.3f}" if label is None else f"{label} (AP = {ap:.3f})"
    (line,) = ax.plot(recall, precision, drawstyle="steps-post", label=text)
    if show_baseline:
        prevalence = float(np.mean(np.asarray(y_true) == pos_label))
        ax.axhline(prevalence, color=line.get_color(), linestyle="--", linewidth=1, alpha=0.6,
                   label=f"random ({prevalence:.2f})")
    if mark_threshold is not None:
        # the smallest threshold >= mark_threshold (index T, the end point, if there is none)
        i = int(np.searchsorted(thresholds, mark_threshold, side="left"))
        ax.plot(recall[i], precision[i], "o", color=line.get_color(),
                label=f"threshold {mark_threshold:g}")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("recall  TP / (TP + FN)")
    ax.set_ylabel("precision  TP / (TP + FP)")
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_roc_curve(y_true, y_score, *, pos_label: int = 1, label: str | None = None, ax=None,
                   show_chance: bool = True, mark_threshold: float | None = None):
    """Plot the ROC curve of a binary scorer, with its AUC in the legend.

    The dashed diagonal is a scorer that ranks at random (AUC 0.5).

    Parameters
    ----------
    y_true : array-like of int, shape (N,)
    y_score : array-like of float, shape (N,)
    pos_label : int, default 1
    label : str, optional
        Legend text (the AUC is appended).
    ax : matplotlib Axes, optional
    show_chance : bool, default True
    mark_threshold : float, optional
        Put a dot at the point of the curve where ``score >= mark_threshold``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check_curve_options(label, ax, mark_threshold)
    show_chance = check_bool(show_chance, "show_chance")
    fpr, tpr, thresholds = _metrics.roc_curve(y_true, y_score, pos_label=pos_label, drop_intermediate=False)
    auc = _metrics.roc_auc(y_true, y_score, pos_label=pos_label)
    ax = _new_square_axes(ax)
    text = f"AUC = {auc:.3f}" if label is None else f"{label} (AUC = {auc:.3f})"
    (line,) = ax.plot(fpr, tpr, label=text)
    if show_chance:
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="random (0.5)")
    if mark_threshold is not None:
        # thresholds decrease; the last one still >= mark_threshold
        i = max(int(np.sum(thresholds >= mark_threshold)) - 1, 0)
        ax.plot(fpr[i], tpr[i], "o", color=line.get_color(), label=f"threshold {mark_threshold:g}")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("false positive rate  FP / (FP + TN)")
    ax.set_ylabel("true positive rate (recall)")
    ax.legend(loc="lower right", fontsize=8)
    return ax
