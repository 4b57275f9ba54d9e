"""Figures for detection metrics: COCO precision-recall curves and the error breakdown.

:func:`plot_detection_pr` reads the interpolated precision that
:func:`helpers.detection.coco_evaluate` samples at its 101 recall levels, so the
area under each drawn curve *is* the AP in its legend (the mean of the 101 values).
:func:`plot_error_breakdown` draws the dAP of each error type of
:func:`helpers.detection.error_breakdown`. :func:`plot_reliability` draws a reliability
diagram of :func:`helpers.detection.reliability`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._checks import check_choice, check_int, check_real, describe
from ..detection.coco import CocoEvalResult
from ..detection.calibration import Reliability
from ..detection.errors import ERROR_TYPES, SPECIAL_ERROR_TYPES, ErrorBreakdown

__all__ = ["plot_detection_pr", "plot_error_breakdown", "plot_reliability"]


def _threshold_index(result: CocoEvalResult, iou: float) -> int:
    found = np.flatnonzero(np.isclose(result.iou_thresholds, iou, rtol=0, atol=1e-9))
    if not found.size:
        listed = ", ".join(f"{t:.2f}" for t in result.iou_thresholds)
        raise ValueError(f"iou={iou} is not one of the evaluated IoU thresholds ({listed})")
    return int(found[0])


def _category_index(result: CocoEvalResult, category) -> int:
    category = check_int(category, "category")
    found = np.flatnonzero(result.category_ids == category)
    if not found.size:
        raise ValueError(f"category={category} is not a category id of the evaluation "
                         f"({', '.join(str(int(c)) for c in result.category_ids)})")
    return int(found[0])


def _curve_label(name: str, precision: np.ndarray) -> str:
    return f"{name} (AP = {np.mean(precision):.3f})"


def plot_detection_pr(result, by: str = "class", *, iou: float = 0.5, category=None,
                      class_names=None, area: str = "all", max_dets: int | None = None, ax=None):
    """COCO precision-recall curves, one per class or one per IoU threshold.

    Parameters
    ----------
    result : CocoEvalResult
        From :func:`helpers.detection.coco_evaluate`.
    by : {"class", "iou"}
        ``"class"``: one curve per category at IoU threshold ``iou``.
        ``"iou"``: one curve per evaluated IoU threshold, for ``category`` (an id) or,
        if None, averaged over the categories with ground truth (the curve whose
        area is COCO's AP at that threshold).
    iou : float
        The IoU threshold of ``by="class"``; must be one of ``result.iou_thresholds``.
    category : int, optional
        A category id, for ``by="iou"``.
    class_names : dict of int to str, or sequence of str, optional
        Names by category id (dict) or by position in ``result.category_ids``.
    area : str
        An area range of the evaluation ("all", "small", "medium", "large").
    max_dets : int, optional
        One of ``result.max_dets`` (default the largest).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Categories without ground truth in ``area`` are left out (their AP is undefined).
    """
    if not isinstance(result, CocoEvalResult):
        raise TypeError(f"result must be a CocoEvalResult (from coco_evaluate), "
                        f"got {describe(result)}")
    by = check_choice(by, "by", ("class", "iou"))
    iou = check_real(iou, "iou", low=0.0, high=1.0)
    area = check_choice(area, "area", tuple(result.area_ranges))
    area_index = list(result.area_ranges).index(area)
    if max_dets is None:
        max_dets = result.max_dets[-1]
    max_det_index = result.max_dets.index(check_choice(max_dets, "max_dets", result.max_dets))
    names = _names(result, class_names)
    recall = result.recall_thresholds
    precision = result.precision[:, :, :, area_index, max_det_index]  # (T, R, K)

    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.2))
    if by == "class":
        if category is not None:
            raise ValueError("category is for by='iou'; by='class' draws every category")
        t = _threshold_index(result, iou)
        for k in range(len(result.category_ids)):
            curve = precision[t, :, k]
            if (curve > -1).all():
                ax.plot(recall, curve, drawstyle="steps-post", label=_curve_label(names[k], curve))
        ax.set_title(f"IoU {result.iou_thresholds[t]:.2f}, area {area}", fontsize=10)
    else:
        if category is None:
            chosen, what = precision, "mean over classes"
        else:
            k = _category_index(result, category)
            chosen, what = precision[:, :, k:k + 1], names[k]
        for t, threshold in enumerate(result.iou_thresholds):
            defined = chosen[t][:, (chosen[t] > -1).all(axis=0)]
            if defined.shape[1]:
                curve = defined.mean(axis=1)
                ax.plot(recall, curve, drawstyle="steps-post",
                        color=plt.cm.viridis(t / max(len(result.iou_thresholds) - 1, 1)),
                        label=_curve_label(f"IoU {threshold:.2f}", curve))
        ax.set_title(f"{what}, area {area}", fontsize=10)
    if not ax.lines:
        raise ValueError(f"no category has ground truth in area {area!r}: nothing to draw")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel("recall")
    ax.set_ylabel("interpolated precision")
    if by == "iou":  # ten curves: the legend goes beside the plot
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=9)
    else:
        ax.legend(loc="lower left", fontsize=9)
    return ax


def _names(result: CocoEvalResult, class_names) -> list[str]:
    ids = [int(c) for c in result.category_ids]
    if class_names is None:
        return [f"class {c}" for c in ids]
    if isinstance(class_names, dict):
        missing = [c for c in ids if c not in class_names]
        if missing:
            raise ValueError(f"class_names has no name for category id(s) {missing}")
        return [str(class_names[c]) for c in ids]
    if isinstance(class_names, str) or not hasattr(class_names, "__len__"):
        raise TypeError(f"class_names must be a dict or a sequence of str, "
                        f"got {describe(class_names)}")
    if len(class_names) != len(ids):
        raise ValueError(f"class_names has {len(class_names)} names for {len(ids)} categories")
    return [str(name) for name in class_names]


def plot_error_breakdown(breakdown, ax=None, *, special: bool = True):
    """Horizontal bars: the AP gained by fixing each error type (TIDE's dAP).

    Parameters
    ----------
    breakdown : ErrorBreakdown
        From :func:`helpers.detection.error_breakdown`.
    ax : matplotlib Axes, optional
    special : bool
        Also draw the two "what if" bars (no false positives, no missed objects),
        in grey below the six types.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(breakdown, ErrorBreakdown):
        raise TypeError(f"breakdown must be an ErrorBreakdown (from error_breakdown), "
                        f"got {describe(breakdown)}")
    names = list(ERROR_TYPES)
    values = [breakdown.delta_ap[name] for name in names]
    colours = plt.cm.tab10(np.arange(len(names)))
    if special:
        names += list(SPECIAL_ERROR_TYPES)
        values += [breakdown.special_delta_ap[name] for name in SPECIAL_ERROR_TYPES]
        colours = np.vstack([colours, [[0.6, 0.6, 0.6, 1.0]] * len(SPECIAL_ERROR_TYPES)])
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 0.32 * len(names) + 1.0))
    positions = np.arange(len(names))[::-1]
    ax.barh(positions, values, color=colours)
    labels = [f"{name} ({breakdown.counts[name]})" if name in breakdown.counts else
              name.replace("_", " ") for name in names]
    ax.set_yticks(positions, labels, fontsize=9)
    for y, value in zip(positions, values):
        ax.text(value, y, f" {value:.3f}", va="center", fontsize=9)
    ax.set_xlim(0, max(max(values) * 1.25, 0.05))
    ax.set_xlabel(f"dAP: AP@{breakdown.iou_threshold:g} gained by fixing the errors")
    ax.set_title(f"AP@{breakdown.iou_threshold:g} = {breakdown.ap:.3f}", fontsize=10)
    return ax


def plot_reliability(result, ax=None, *, label: str | None = None):
    """Reliability diagram: fraction of true positives against mean score, per bin.

    Parameters
    ----------
    result : Reliability
        From :func:`helpers.detection.reliability`.
    ax : matplotlib Axes or None
        Drawn into (a new figure if None).
    label : str or None
        Legend entry of the curve; default "detector (ECE = ...)".

    Returns
    -------
    matplotlib Axes
        The diagonal (perfect calibration) dashed; one point per non-empty bin, its
        area growing with the bin's detections; empty bins are not drawn.
    """
    if not isinstance(result, Reliability):
        raise TypeError(f"result must be a Reliability (helpers.detection.reliability), "
                        f"got {describe(result)}.")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a str or None, got {describe(label)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 4))
    filled = result.counts > 0
    x, y = result.mean_score[filled], result.fraction_true[filled]
    sizes = 12 + 140 * result.counts[filled] / result.counts.max()
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="calibrated")
    line, = ax.plot(x, y, lw=1.2,
                    label=label or f"detector (ECE = {result.ece:.3f})")
    ax.scatter(x, y, s=sizes, color=line.get_color(), zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel(f"fraction true positives (IoU >= {result.iou_threshold:g})")
    ax.legend(loc="upper left", fontsize=9)
    return ax
