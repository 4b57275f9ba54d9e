"""Boxes over an image: ground truth, and predictions marked right or wrong.

Boxes are ``xyxy`` float pixels with exclusive right/bottom edges (the vocabulary of
:mod:`helpers.detection`): ``[0, 0, 2, 2]`` covers pixels 0 and 1 of rows 0 and 1.
``imshow`` puts pixel centres on integers, so pixel ``i`` spans ``i - 0.5`` to
``i + 0.5`` on the axes, and the box is drawn from ``x1 - 0.5`` to ``x2 - 0.5``: its
outline runs exactly along the pixel edges it claims.

The boxes' text labels are placed each time the figure is drawn (:class:`_LabelPlacer`),
measured with the figure's renderer, so that they stay inside the image and do not
cover one another, whatever the figure's final size and layout.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox

from .._checks import check_array, check_bool, check_real, describe
from ..detection.boxes import as_box_list, iou
from ..detection.errors import error_breakdown
from ._checks import as_uint8_rgb

__all__ = ["draw_boxes", "BOX_COLOURS"]

#: Colours of the box kinds (colour-blind safe: Okabe-Ito).
BOX_COLOURS = {
    "ground truth": "#FFFFFF",
    "prediction": "#56B4E9",
    "true positive": "#009E73",
    "false positive": "#D55E00",
}

_SHORT = {"localization": "loc", "classification": "cls", "duplicate": "dup",
          "background": "bkg", "both": "both", "ignored": "ign"}

#: Padding of a label's coloured background, in points (also kept between labels).
_LABEL_PAD = 1.0
#: Where a label goes first, in order: ``"above"`` the box's top edge, ``"top"`` inside
#: it along the top edge, ``"below"`` the bottom edge, ``"bottom"`` inside along it.
_PREDICTION_SPOTS = ("above", "top", "below", "bottom")
_GROUND_TRUTH_SPOTS = ("below", "bottom", "above", "top")


def _free(rects: np.ndarray, placed: list) -> np.ndarray:
    """Which of ``rects`` (k, 4: x0, y0, x1, y1) overlap none of ``placed``."""
    if not placed:
        return np.ones(len(rects), bool)
    rects, other = rects[:, None, :], np.asarray(placed)[None, :, :]
    hit = ((rects[..., 0] < other[..., 2]) & (other[..., 0] < rects[..., 2])
           & (rects[..., 1] < other[..., 3]) & (other[..., 1] < rects[..., 3]))
    return ~hit.any(axis=1)


class _LabelPlacer(Artist):
    """Places the labels :func:`draw_boxes` put on one Axes, each time it is drawn.

    It draws nothing itself; its ``zorder`` puts it before the labels in the Axes'
    drawing order, so that they are drawn where it has just put them. Each label, in
    the order given (most important first), takes the first of its preferred spots
    beside its box (``spots``, left-aligned with the box and slid sideways to stay
    inside the image) whose extent, measured with the renderer and padded by
    ``_LABEL_PAD`` points, lies inside the Axes and overlaps no label placed before
    it. If none is free, it takes the free place nearest to its first spot, on a grid
    over the whole image; if the image has no free place left for it, the place that
    overlaps the placed labels least.
    """

    def __init__(self, ax):
        super().__init__()
        self._ax = ax
        self._labels = []  # (text, (x0, y0, x1, y1) of the box in data, spots)
        self.set_in_layout(False)

    def add(self, text, box, spots) -> None:
        text.set_in_layout(False)  # always inside the Axes once placed
        self._labels.append((text, box, spots))

    def get_window_extent(self, renderer=None):
        return Bbox.null()  # draws nothing

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self._labels:
            return
        self.place(renderer)
        self.stale = False

    def place(self, renderer) -> None:
        ax = self._ax
        area = ax.bbox  # the image, in display pixels (aspect already applied)
        pad = _LABEL_PAD * ax.get_figure(root=True).dpi / 72
        to_data = ax.transData.inverted()
        placed = []
        for text, (x1, y1, x2, y2), spots in self._labels:
            if text.get_horizontalalignment() != "left":
                text.set_horizontalalignment("left")
            if text.get_verticalalignment() != "bottom":
                text.set_verticalalignment("bottom")
            extent = text.get_window_extent(renderer)
            width, height = extent.width + 2 * pad, extent.height + 2 * pad
            corners = ax.transData.transform([[x1, y1], [x2, y2]])
            left = corners[:, 0].min()
            low, high = corners[:, 1].min(), corners[:, 1].max()
            # slid sideways to stay inside the image (if it fits at all)
            x = min(max(left - pad, area.x0), area.x1 - width)
            bottoms = {"above": high, "top": high - height,
                       "below": low - height, "bottom": low}
            first = np.array([[x, bottoms[s], x + width, bottoms[s] + height]
                              for s in spots])
            inside = ((first[:, 0] >= area.x0 - 1e-6) & (first[:, 2] <= area.x1 + 1e-6)
                      & (first[:, 1] >= area.y0 - 1e-6) & (first[:, 3] <= area.y1 + 1e-6))
            good = np.flatnonzero(inside & _free(first, placed))
            if len(good):
                rect = first[good[0]]
            else:
                rect = self._nearest_free(area, width, height, first[0], placed)
            placed.append(tuple(rect))
            position = to_data.transform([rect[0] + pad, rect[1] + pad])
            if not np.allclose(text.get_position(), position, rtol=0, atol=1e-9):
                text.set_position(tuple(position))

    @staticmethod
    def _nearest_free(area, width, height, wanted, placed) -> np.ndarray:
        step = max(1.0, min(width, height) / 2)  # half a line of text
        xs = np.append(np.arange(area.x0, area.x1 - width, step), area.x1 - width)
        ys = np.append(np.arange(area.y0, area.y1 - height, step), area.y1 - height)
        if width > area.width:  # wider than the image: start at its left edge
            xs = np.array([area.x0])
        if height > area.height:
            ys = np.array([area.y1 - height])
        gx, gy = np.meshgrid(xs, ys)
        rects = np.stack([gx.ravel(), gy.ravel(), gx.ravel() + width,
                          gy.ravel() + height], axis=1)
        distance = np.hypot(rects[:, 0] - wanted[0], rects[:, 1] - wanted[1])
        free = _free(rects, placed)
        if free.any():
            return rects[np.flatnonzero(free)[np.argmin(distance[free])]]
        r, o = rects[:, None, :], np.asarray(placed)[None, :, :]
        covered = (np.clip(np.minimum(r[..., 2], o[..., 2]) - np.maximum(r[..., 0], o[..., 0]),
                           0, None)
                   * np.clip(np.minimum(r[..., 3], o[..., 3]) - np.maximum(r[..., 1], o[..., 1]),
                             0, None)).sum(axis=1)
        return rects[np.lexsort((distance, covered))[0]]


def _labels(values, name: str, n: int) -> np.ndarray:
    array = check_array(values, name, ndim=1, dtype=np.int64, allow_empty=True,
                        shape_hint=f"({n},), one class index per box")
    if array.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one class index per box, "
                         f"got shape {array.shape}")
    if (array < 0).any():
        raise ValueError(f"{name} must hold class indices >= 0, found {array[array < 0][0]}")
    return array


def _name(label: int, class_names) -> str:
    if class_names is None:
        return str(int(label))
    if label >= len(class_names):
        raise ValueError(f"class index {label} has no name: class_names has "
                         f"{len(class_names)} entries")
    return str(class_names[label])


def _match(boxes, labels, scores, gt_boxes, gt_labels, iou_threshold):
    """Each prediction's kind (``"true_positive"`` or an error type of
    :func:`helpers.detection.error_breakdown`) and its best IoU with ground truth of its class."""
    classes = sorted(set(labels.tolist()) | set(gt_labels.tolist()))
    gt = {"images": [{"id": 1}], "categories": [{"id": int(c) + 1} for c in classes],
          "annotations": [
              {"id": g + 1, "image_id": 1, "category_id": int(c) + 1,
               "bbox": [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])],
               "area": float((b[2] - b[0]) * (b[3] - b[1])), "iscrowd": 0}
              for g, (b, c) in enumerate(zip(gt_boxes, gt_labels))]}
    dt = [{"image_id": 1, "category_id": int(c) + 1,
           "bbox": [float(b[0]), float(b[1]), float(b[2] - b[0]), float(b[3] - b[1])],
           "score": float(s)} for b, c, s in zip(boxes, labels, scores)]
    kinds = error_breakdown(gt, dt, iou_threshold=iou_threshold,
                            background_threshold=min(0.1, iou_threshold / 2),
                            max_dets=max(len(boxes), 1)).detection_kind
    overlap = iou(boxes, gt_boxes) if len(gt_boxes) else np.zeros((len(boxes), 0))
    same = labels[:, None] == gt_labels[None, :]
    best = np.where(same, overlap, 0.0).max(axis=1) if len(gt_boxes) else np.zeros(len(boxes))
    return kinds, best


def draw_boxes(image, boxes, labels=None, scores=None, class_names=None, ax=None, *,
               gt_boxes=None, gt_labels=None, iou_threshold: float = 0.5,
               show_legend: bool = True, fontsize: float = 8, linewidth: float = 1.5,
               title: str | None = None):
    """Draw predicted boxes on an image, optionally with the ground truth, and mark
    each prediction as a true or false positive.

    Parameters
    ----------
    image : array ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``
        Float in [0, 1] or uint8.
    boxes : array_like, shape (K, 4)
        Predicted (or, without ``gt_boxes``, any) boxes, ``xyxy`` pixels. K may be 0.
    labels : array_like of int, shape (K,), optional
        Class index of each box.
    scores : array_like of float, shape (K,), optional
        Confidence of each box, shown next to its class and used to rank the
        predictions when they are matched to the ground truth.
    class_names : sequence of str, optional
        Name of each class index (default: the index).
    ax : matplotlib Axes, optional
        Draw there; a new figure (4 x 4 inches, readable at page width) otherwise.
    gt_boxes : array_like, shape (G, 4), optional
        Ground truth, ``xyxy`` pixels; drawn dashed white. With it, the predictions are
        matched as :func:`helpers.detection.coco_evaluate` matches them (by score, each
        object taken once, IoU >= ``iou_threshold``, same class when both ``labels`` and
        ``gt_labels`` are given): true positives green, false positives orange, each
        labelled with its IoU against the best object of its class and, for a false
        positive, its error type (loc, cls, dup, bkg, both; see
        :func:`helpers.detection.error_breakdown`).
    gt_labels : array_like of int, shape (G,), optional
    iou_threshold : float in (0, 1]
    show_legend, fontsize, linewidth, title
        Presentation.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The labels (a prediction's class, score, IoU and error type; a ground-truth
    object's class) are placed when the figure is drawn, measured with the figure's
    renderer, so they stay readable after ``tight_layout`` or a resize: each one stays
    inside the image and covers no other label of the Axes (of this call or an earlier
    ``draw_boxes`` on the same Axes). A prediction's label goes, in this order of
    preference, above the box's top-left corner, inside the box along its top edge,
    below the box, or inside along its bottom edge; a ground-truth label tries below
    the box first. A label is slid sideways to stay inside the image, and one that
    finds none of these places free goes to the nearest free place in the image. The
    best-scored predictions choose first, the ground truth's labels last. Only when the
    image has no free place left for a label (far more labels than fit) does it cover
    another one.
    """
    rgb = as_uint8_rgb(image)
    height, width = rgb.shape[:2]
    boxes = as_box_list(boxes, "xyxy", "boxes").astype(np.float64)
    n = len(boxes)
    has_labels = labels is not None
    labels = _labels(labels, "labels", n) if has_labels else np.zeros(n, np.int64)
    if scores is not None:
        scores = check_array(scores, "scores", ndim=1, allow_empty=True)
        if scores.shape != (n,):
            raise ValueError(f"scores must have shape ({n},), one per box, "
                             f"got shape {scores.shape}")
    if class_names is not None and (isinstance(class_names, str)
                                    or not hasattr(class_names, "__len__")):
        raise TypeError(f"class_names must be a sequence of str, got {describe(class_names)}")
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0.0, high=1.0, low_open=True)
    show_legend = check_bool(show_legend, "show_legend")
    fontsize = check_real(fontsize, "fontsize", low=0.0, low_open=True)
    linewidth = check_real(linewidth, "linewidth", low=0.0, low_open=True)

    kinds = best_iou = None
    if gt_boxes is not None:
        gt_boxes = as_box_list(gt_boxes, "xyxy", "gt_boxes").astype(np.float64)
        class_aware = gt_labels is not None and has_labels
        gt_labels = (np.zeros(len(gt_boxes), np.int64) if gt_labels is None
                     else _labels(gt_labels, "gt_labels", len(gt_boxes)))
        match_labels = labels if class_aware else np.zeros(n, np.int64)
        match_gt = gt_labels if class_aware else np.zeros(len(gt_boxes), np.int64)
        ranking = scores if scores is not None else np.linspace(1.0, 0.5, max(n, 1))[:n]
        kinds, best_iou = _match(boxes, match_labels, ranking, gt_boxes, match_gt, iou_threshold)
    elif gt_labels is not None:
        raise ValueError("gt_labels was given without gt_boxes")

    if ax is None:
        side = 4.0
        _, ax = plt.subplots(figsize=(side, side * height / width + 0.2))
    ax.imshow(rgb, interpolation="nearest")
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])

    def rectangle(box, colour, style):
        x1, y1, x2, y2 = box
        ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False,
                               edgecolor=colour, linewidth=linewidth, linestyle=style))

    placer = getattr(ax, "_helpers_label_placer", None)
    if placer is None or placer not in ax.artists:  # one per Axes, for all its labels
        placer = _LabelPlacer(ax)
        placer.set_zorder(2.9)  # drawn before the labels (zorder 3): places them
        ax.add_artist(placer)
        ax._helpers_label_placer = placer
    captions = []  # (text, box, colour, spots), placed in this order

    def caption(box, text, colour, below=False):
        x1, y1, x2, y2 = box
        label = ax.text(x1 - 0.5, (y2 - 0.5) if below else (y1 - 0.5), text,
                        fontsize=fontsize,
                        color="black" if colour == BOX_COLOURS["ground truth"] else "white",
                        va="top" if below else "bottom", ha="left", clip_on=True, zorder=3,
                        bbox={"facecolor": colour, "edgecolor": "none", "pad": _LABEL_PAD,
                              "alpha": 0.85})
        spots = _GROUND_TRUTH_SPOTS if below else _PREDICTION_SPOTS
        captions.append((label, (x1 - 0.5, y1 - 0.5, x2 - 0.5, y2 - 0.5), spots))

    legend = []
    gt_captions = []
    if gt_boxes is not None:
        for box, label in zip(gt_boxes, gt_labels):
            rectangle(box, BOX_COLOURS["ground truth"], "--")
            if class_aware:
                caption(box, _name(label, class_names), BOX_COLOURS["ground truth"], below=True)
        legend.append(("ground truth", "--"))
        gt_captions, captions = captions, []
    order = np.argsort(-scores, kind="stable") if scores is not None else np.arange(n)
    for i in order[::-1]:  # best score drawn last, on top
        if kinds is None:
            colour = BOX_COLOURS["prediction"]
        else:
            hit = kinds[i] == "true_positive"
            colour = BOX_COLOURS["true positive" if hit else "false positive"]
        parts = [_name(labels[i], class_names)] if has_labels else []
        if scores is not None:
            parts.append(f"{scores[i]:.2f}")
        if kinds is not None:
            parts.append(f"IoU {best_iou[i]:.2f}")
            if kinds[i] != "true_positive":
                parts.append(_SHORT.get(kinds[i], kinds[i]))
        rectangle(boxes[i], colour, "-")
        if parts:
            caption(boxes[i], " ".join(parts), colour)
    # labels placed best score first, then the ground truth's
    for label, box, spots in [*captions[::-1], *gt_captions]:
        placer.add(label, box, spots)
    if kinds is not None:
        legend += [("true positive", "-"), ("false positive", "-")]
    elif n:
        legend.append(("prediction", "-"))
    if show_legend and legend:
        handles = [Line2D([], [], color=BOX_COLOURS[name] if name != "ground truth" else "black",
                          linestyle=style, linewidth=linewidth, label=name)
                   for name, style in legend]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
                  ncol=len(handles), fontsize=fontsize, frameon=False, handlelength=1.5)
    if title is not None:
        ax.set_title(title, fontsize=fontsize + 1)
    return ax
