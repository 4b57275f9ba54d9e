"""Every public function of data, metrics, detection, models, training, viz and the
profile, called the way a new user might get it wrong.

Each case replaces ONE argument of a valid call by a wrong, degenerate or hostile
value and expects a ``TypeError`` or ``ValueError`` raised by ``helpers`` itself
(not by NumPy, TensorFlow or matplotlib) whose message names the argument. A few
cases pin the opposite: valid NumPy scalars must be accepted.
"""
from __future__ import annotations

import math
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402
from helpers import data, detection, metrics, viz  # noqa: E402

HELPERS_DIR = Path(helpers.__file__).resolve().parent

# ----------------------------------------------------------------------------- bad values
NOT_NUMBERS = ["abc", None, {"a": 1}, object()]
NOT_INTS = ["3", 3.5, True, None, [3], complex(1, 1)]
NOT_REALS = ["0.5", None, True, [0.5], complex(1, 0)]
NON_FINITE = [math.nan, math.inf, -math.inf]
NOT_BOOLS = ["False", "no", 0, 1, None, np.array([True])]
NOT_ARRAYS = ["abc", None, {"a": 1}, [["a", "b"]], [[1, 2], [3]], [1 + 2j]]


# ----------------------------------------------------------------------------- valid inputs
RNG = np.random.default_rng(0)
LOGITS = RNG.normal(size=(4, 3))
LABELS3 = np.array([0, 1, 2, 1])
BINARY = np.array([0, 1, 1, 0, 1])
SCORES = np.array([0.1, 0.8, 0.6, 0.3, 0.9])
BOXES = np.array([[0, 0, 10, 10], [5, 5, 15, 15]], dtype=float)
HEATMAP = np.zeros((8, 8))
HEATMAP[2:4, 3:6] = 1.0
IMAGES = RNG.random((3, 8, 8, 1)).astype(np.float32)
COCO_GT = {
    "images": [{"id": 1}],
    "categories": [{"id": 1}],
    "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10],
                     "area": 100, "iscrowd": 0}],
}
COCO_DT = [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 10, 10], "score": 0.9}]
VOC = dict(gt_boxes=[BOXES], gt_labels=[[0, 1]], det_boxes=[BOXES], det_labels=[[0, 1]],
           det_scores=[[0.9, 0.8]])


def _imageset():
    return data.ImageSet(IMAGES, np.array([0, 1, 0]), ("a", "b"))


# ----------------------------------------------------------------------------- the cases
CASES: list = []


def bad(fn, valid: dict, arg: str, values, name: str | None = None):
    """One case per value: ``fn(**valid)`` with ``valid[arg]`` replaced."""
    for value in values:
        CASES.append((fn, valid, arg, value, name or arg))


# metrics.probabilities
for fn in (metrics.softmax, metrics.log_softmax):
    bad(fn, dict(logits=LOGITS), "logits", NOT_ARRAYS + [[], [[math.nan, 1.0]]])
    bad(fn, dict(logits=LOGITS), "axis", NOT_INTS + [2, -3, 10**9])
    bad(fn, dict(logits=LOGITS), "temperature", NOT_REALS + NON_FINITE + [0, -1.0])
bad(metrics.logsumexp, dict(logits=LOGITS), "logits", NOT_ARRAYS + [[]])
bad(metrics.logsumexp, dict(logits=LOGITS), "axis", NOT_INTS + [5])
bad(metrics.sigmoid, dict(x=[0.0, 1.0]), "x", NOT_ARRAYS + [[math.nan]])
bad(metrics.cross_entropy, dict(logits=LOGITS, labels=LABELS3), "logits",
    NOT_ARRAYS + [LOGITS[0], [[math.inf, 0, 0]] * 4])
bad(metrics.cross_entropy, dict(logits=LOGITS, labels=LABELS3), "labels",
    NOT_ARRAYS + [[0.5, 1, 2, 1], [0, 1, 3, 1], [0, 1], [-1, 0, 1, 2], np.eye(3)[[0, 1, 2]],
                  np.eye(3)[[0, 1, 2, 1]] * 2])
bad(metrics.cross_entropy, dict(logits=LOGITS, labels=LABELS3), "reduction",
    ["average", None, 1])
bad(metrics.binary_cross_entropy, dict(logits=SCORES, labels=BINARY), "logits",
    NOT_ARRAYS + [[math.nan] * 5, SCORES[:3]])
bad(metrics.binary_cross_entropy, dict(logits=SCORES, labels=BINARY), "labels",
    NOT_ARRAYS + [[0, 1, 2, 0, 1], [1.5] * 5, [-1, 0, 1, 0, 1], [[0, 1]] * 5])
bad(metrics.binary_cross_entropy, dict(logits=SCORES, labels=BINARY), "reduction", ["all", 0])

# metrics.classification
bad(metrics.accuracy, dict(y_true=BINARY, y_pred=BINARY), "y_true",
    NOT_ARRAYS + [[], [0, 1], [0.5, 1, 1, 0, 1], [[0, 1]]])
bad(metrics.accuracy, dict(y_true=BINARY, y_pred=BINARY), "y_pred",
    NOT_ARRAYS + [[math.nan] * 5, np.eye(2)[BINARY] * 0.7])
bad(metrics.confusion_matrix, dict(y_true=LABELS3, y_pred=LABELS3), "y_true",
    NOT_ARRAYS + [[0, 1, 2, 10**6], [0, 1, 2, 10**15], [-1, 0, 1, 2]])
bad(metrics.confusion_matrix, dict(y_true=LABELS3, y_pred=LABELS3), "y_pred",
    [[0, 1, 2, 10**6], [0, 1, 2]])
bad(metrics.confusion_matrix, dict(y_true=LABELS3, y_pred=LABELS3), "n_classes",
    ["3", 3.5, True, [3], 0, -3, 2, 10**9])
bad(metrics.precision_recall_f1, dict(y_true=LABELS3, y_pred=LABELS3), "average",
    ["mean", 3, True])
bad(metrics.precision_recall_f1, dict(y_true=LABELS3, y_pred=LABELS3), "zero_division",
    ["no", 2, None, True])
bad(metrics.precision_recall_f1, dict(y_true=LABELS3, y_pred=LABELS3), "n_classes",
    ["3", 2.0, 0, 10**9])
bad(metrics.precision_recall_f1, dict(y_true=BINARY, y_pred=BINARY, average="binary"),
    "pos_label", ["1", 1.5, None, 7])
bad(metrics.precision_recall_f1, dict(y_true=LABELS3, y_pred=LABELS3), "labels",
    ["abc", [0.5], [-1], [[0, 1]], [0, 0]])

# metrics.curves
for fn in (metrics.pr_curve, metrics.average_precision_score, metrics.roc_curve, metrics.roc_auc,
           metrics.threshold_counts):
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "y_true",
        NOT_ARRAYS + [[], [0, 1], [0, 2, 1, 0, 1]])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "y_score",
        NOT_ARRAYS + [["0.1", "0.8", "0.6", "0.3", "0.9"], [math.nan] * 5, SCORES[:2],
                      np.stack([SCORES, SCORES], 1)])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "pos_label", ["1", 1.5, None, True, 5])
bad(metrics.pr_curve, dict(y_true=BINARY, y_score=SCORES), "drop_intermediate", NOT_BOOLS[:3])
bad(metrics.roc_curve, dict(y_true=BINARY, y_score=SCORES), "drop_intermediate", NOT_BOOLS[:3])

# detection.boxes
bad(detection.box_convert, dict(boxes=BOXES, in_fmt="xyxy", out_fmt="xywh"), "boxes",
    NOT_ARRAYS + [[1, 2, 3], [[1, 2, 0, 0]], [[0, 0, math.inf, 1]]])
bad(detection.box_convert, dict(boxes=BOXES, in_fmt="xyxy", out_fmt="xywh"), "in_fmt",
    ["XYXY", None, 4])
bad(detection.box_convert, dict(boxes=BOXES, in_fmt="xyxy", out_fmt="xywh"), "out_fmt",
    ["ltrb", None])
bad(detection.box_area, dict(boxes=BOXES), "boxes", NOT_ARRAYS + [[[0, 0, -1, 5]]])
bad(detection.box_area, dict(boxes=BOXES), "fmt", ["yolo", 1])
bad(detection.iou, dict(boxes_a=BOXES, boxes_b=BOXES), "boxes_a",
    NOT_ARRAYS + [[0, 0, 1, 1], [[0, 0, 1]], [[5, 5, 0, 0]], np.zeros((1, 2, 4))])
bad(detection.iou, dict(boxes_a=BOXES, boxes_b=BOXES), "boxes_b",
    NOT_ARRAYS + [[[0, 0, math.nan, 1]]])
bad(detection.iou, dict(boxes_a=BOXES, boxes_b=BOXES), "fmt", ["xyxy ", None])

# detection.nms
bad(detection.nms, dict(boxes=BOXES, scores=[0.9, 0.8], iou_threshold=0.5), "boxes",
    NOT_ARRAYS + [[[0, 0, -1, 1], [0, 0, 1, 1]]])
bad(detection.nms, dict(boxes=BOXES, scores=[0.9, 0.8], iou_threshold=0.5), "scores",
    NOT_ARRAYS + [[0.9], [math.nan, 0.1], ["0.9", "0.8"]])
bad(detection.nms, dict(boxes=BOXES, scores=[0.9, 0.8], iou_threshold=0.5), "iou_threshold",
    NOT_REALS + NON_FINITE + [1.5, -0.1])
bad(detection.soft_nms, dict(boxes=BOXES, scores=[0.9, 0.8]), "scores", [[-0.5, 0.1]])
bad(detection.soft_nms, dict(boxes=BOXES, scores=[0.9, 0.8]), "method", ["hard", None])
bad(detection.soft_nms, dict(boxes=BOXES, scores=[0.9, 0.8]), "sigma",
    NOT_REALS + NON_FINITE + [0.0, -1.0])
bad(detection.soft_nms, dict(boxes=BOXES, scores=[0.9, 0.8]), "iou_threshold", ["0.3", 2.0])
bad(detection.soft_nms, dict(boxes=BOXES, scores=[0.9, 0.8]), "score_threshold",
    ["0", -1.0, math.nan])

# detection.average_precision
bad(detection.average_precision, dict(recall=[0.5, 1.0], precision=[1.0, 0.5]), "recall",
    NOT_ARRAYS + [[], [0.5, 1.5], [1.0, 0.5], ["0.5", "1.0"], [math.nan, 1.0]])
bad(detection.average_precision, dict(recall=[0.5, 1.0], precision=[1.0, 0.5]), "precision",
    NOT_ARRAYS + [[1.0], [1.0, -0.5], ["1", "0.5"]])
bad(detection.average_precision, dict(recall=[0.5, 1.0], precision=[1.0, 0.5]), "method",
    ["voc12", None, 7])
bad(detection.precision_envelope, dict(precision=[1.0, 0.5]), "precision",
    NOT_ARRAYS + [[math.nan], [2.0]])

# detection.localization
bad(detection.heatmap_to_box, dict(heatmap=HEATMAP), "heatmap",
    NOT_ARRAYS + [np.zeros(5), np.zeros((0, 4)), np.full((4, 4), math.nan), np.zeros((1, 1, 2, 2))])
bad(detection.heatmap_to_box, dict(heatmap=HEATMAP), "threshold",
    NOT_REALS + NON_FINITE + [1.5, -0.2])

# detection.coco
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "gt",
    ["gt.json", None, [COCO_GT], {"images": []}])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "dt",
    ["dt.json", None, {"image_id": 1},
     [dict(COCO_DT[0], score="0.9")], [dict(COCO_DT[0], bbox="0 0 1 1")],
     [dict(COCO_DT[0], bbox=[0, 0, -1, 1])], [dict(COCO_DT[0], image_id=99)]])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "iou_thresholds",
    ["0.5", None, [], [1.5], [math.nan]])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "recall_thresholds",
    ["x", [2.0], []])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "max_dets",
    ["100", [0], [1.5], [-1, 10], [True], None])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "area_ranges",
    ["all", {"all": (10, 1)}, {"all": ("0", "1")}, {"all": 5}])

# detection.voc
for arg, values in {
    "gt_boxes": ["boxes", None, [np.zeros((1, 3))], [[[0, 0, -1, 1]]], [BOXES, BOXES]],
    "gt_labels": ["a", [[0]], [[0.5, 1]], [["a", "b"]]],
    "det_boxes": [None, [np.zeros((2, 5))]],
    "det_labels": [[[0]], [[0.5, 1.0]]],
    "det_scores": [[["0.9", "0.8"]], [[math.nan, 0.8]], [[0.9]]],
    "iou_threshold": ["0.5", 1.5, math.nan, None],
    "method": ["coco", None],
    "gt_difficult": [[[0.5, 1]], [[True]], "no"],
}.items():
    bad(detection.voc_evaluate, VOC, arg, values)

# data
bad(data.digits, {}, "test_fraction", NOT_REALS + NON_FINITE + [0.0, 1.0, -0.5])
bad(data.digits, {}, "seed", NOT_INTS + [-1])
bad(data.shapes, dict(n=4, size=16), "n", NOT_INTS + [0, -5, 10**12])
bad(data.shapes, dict(n=4, size=16), "size", NOT_INTS + [0, -16, 3, (16.7, 16), 10**9])
bad(data.shapes, dict(n=4, size=16), "classes", ["circle", ["hexagon"], [], [1, 2], None])
bad(data.shapes, dict(n=4, size=16), "seed", NOT_INTS + [-1])
bad(data.shapes, dict(n=4, size=16), "scale", ["0.3", (0.6, 0.3), (0.0, 0.5), (0.3, 2.0),
                                                 (math.nan, 0.5), 0.5, (0.1, 0.2, 0.3)])
bad(data.boxes_from_masks, dict(masks=np.zeros((2, 4, 4), bool)), "masks",
    NOT_ARRAYS + [np.zeros((4, 4)), np.zeros(3)])
bad(data.tank_scenes, dict(n=4, size=32), "n", NOT_INTS + [0, -1, 10**12])
bad(data.tank_scenes, dict(n=4, size=32), "size", NOT_INTS + [0, 4, 10**9])
bad(data.tank_scenes, dict(n=4, size=32), "confounded", NOT_BOOLS)
bad(data.tank_scenes, dict(n=4, size=32), "seed", ["0", 1.5, -3])
bad(data.sample_photos, {}, "size", NOT_INTS + [0, -224, (16.7, 16), 10**9])
bad(data.image_folder, dict(path="/nonexistent"), "path", [None, 5, ["a"]])
bad(data.cifar10, dict(root="/nonexistent-cifar"), "download", NOT_BOOLS)
bad(data.cifar10, dict(download=False), "root", [5, ["a"]])
bad(data.cats_vs_dogs, dict(root="/nonexistent-cats"), "download", NOT_BOOLS)
bad(data.cats_vs_dogs, dict(root="/nonexistent-cats", download=False), "limit",
    ["10", 2.5, 0, -1, True])
bad(data.cats_vs_dogs, dict(root="/nonexistent-cats", download=False), "size",
    ["160", (16.7, 16), 0, -5])
bad(data.cats_vs_dogs, dict(root="/nonexistent-cats", download=False), "seed", ["1", 0.5])
bad(data.download, dict(url="https://example.invalid/x", dest="/tmp/x", sha256="0" * 64),
    "sha256", [None, "abc", 5, "z" * 64])
bad(data.download, dict(url="https://example.invalid/x", dest="/tmp/x", sha256="0" * 64),
    "url", [None, 5, "ftp:/x", ""])
bad(data.download, dict(url="https://example.invalid/x", dest="/tmp/x", sha256="0" * 64),
    "timeout", ["60", 0, -1, math.nan, None])
bad(data.download, dict(url="https://example.invalid/x", dest="/tmp/x", sha256="0" * 64),
    "progress", ["yes", 1])
bad(data.data_home, {}, "root", [5, ["a"]])

# data.ImageSet
bad(data.ImageSet, dict(images=IMAGES, labels=np.array([0, 1, 0]), class_names=("a", "b")),
    "images", ["abc", None, IMAGES[0], IMAGES.astype(np.float64) * 0 + np.nan,
               IMAGES * 300, IMAGES[:0], np.zeros((3, 8, 8, 2), np.float32)])
bad(data.ImageSet, dict(images=IMAGES, labels=np.array([0, 1, 0]), class_names=("a", "b")),
    "labels", ["abc", None, [0.5, 1, 0], [0, 1], [0, 2, 0], [-1, 0, 1], np.eye(2)[[0, 1, 0]]])
bad(data.ImageSet, dict(images=IMAGES, labels=np.array([0, 1, 0]), class_names=("a", "b")),
    "class_names", ["ab", None, (), ("a", "a"), (1, 2)])
bad(data.ImageSet, dict(images=IMAGES, labels=np.array([0, 1, 0]), class_names=("a", "b")),
    "boxes", ["abc", np.zeros((3, 3)), np.zeros((2, 4)), np.array([[5, 5, 0, 0]] * 3)])
bad(data.ImageSet, dict(images=IMAGES, labels=np.array([0, 1, 0]), class_names=("a", "b")),
    "masks", ["abc", np.zeros((3, 4, 4), bool), np.zeros((3, 8, 8))])

# ImageSet methods
_SET = data.ImageSet(IMAGES, np.array([0, 1, 0]), ("a", "b"))


def _take(indices):
    return _SET.take(indices)


def _split(fraction=0.5, seed=0, stratify=False):
    return _SET.split(fraction, seed=seed, stratify=stratify)


_take.__qualname__, _split.__qualname__ = "ImageSet.take", "ImageSet.split"
bad(_take, dict(indices=[0]), "indices", ["0", [0.5], [], [3], [-4], [[0, 1]], [True], None])
bad(_split, {}, "fraction", ["0.5", 0.0, 1.0, 1.5, math.nan, None, True])
bad(_split, {}, "seed", ["0", -1, 0.5])
bad(_split, {}, "stratify", ["yes", 1, None])

# viz (all but heatmaps)
bad(viz.show_images, dict(images=IMAGES), "images",
    NOT_ARRAYS + [IMAGES[:0], np.zeros((2, 3)), np.full((2, 4, 4, 1), math.nan)])
bad(viz.show_images, dict(images=IMAGES), "labels", ["ab", [0, 1], [0.5, 1, 0]])
bad(viz.show_images, dict(images=IMAGES, labels=[0, 1, 0]), "class_names",
    ["ab", ["a"], 5])
bad(viz.show_images, dict(images=IMAGES), "ncols", NOT_INTS[:4] + [0, -2])
bad(viz.show_images, dict(images=IMAGES), "size", [r for r in NOT_REALS[:4] if r is not None][:3] + NON_FINITE + [0, -1.0])
bad(viz.show_images, dict(images=IMAGES), "max_images", ["5", 0, -1, 2.5])
bad(viz.show_images, dict(images=IMAGES), "cmap", ["not-a-cmap", 5])
bad(viz.show_images, dict(images=IMAGES), "titles", ["abc", ["a"], 5])
bad(viz.plot_history, dict(history={"loss": [1.0, 0.5]}), "history",
    [None, "loss", {}, {"loss": "abc"}, {"loss": [[1.0, 2.0]]}, 5])
bad(viz.plot_history, dict(history={"loss": [1.0, 0.5]}), "metrics", ["loss", [5], ["f1"]])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "cm",
    NOT_ARRAYS + [np.zeros((2, 3)), [[-1, 0], [0, 1]], [[math.nan, 0], [0, 1]], np.zeros(4)])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "class_names", ["ab", ["a"], [1, 2]])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "normalize", ["rows", True, 1])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "cmap", ["nope", 3])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "colorbar", ["no", 0])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "ax", ["ax", 5])
for fn in (viz.plot_pr_curve, viz.plot_roc_curve):
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "y_true", NOT_ARRAYS + [[0, 2, 1, 0, 1]])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "y_score", NOT_ARRAYS + [[math.nan] * 5])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "mark_threshold", ["0.5", math.nan, [0.5]])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "ax", ["ax", 3])
    bad(fn, dict(y_true=BINARY, y_score=SCORES), "label", [5, ["a"]])
bad(viz.plot_pr_curve, dict(y_true=BINARY, y_score=SCORES), "show_baseline", ["no", 1])
bad(viz.plot_roc_curve, dict(y_true=BINARY, y_score=SCORES), "show_chance", ["no", 1])

# models and training (slow imports: TensorFlow)
from helpers import models, training  # noqa: E402

TINY = dict(input_shape=(8, 8, 1), n_classes=2, widths=(4,))
bad(models.gap_cnn, TINY, "input_shape",
    ["8x8", None, (8, 8), (16.7, 16, 1), (8, 0, 1), (8, -8, 1), (8, 8, 1.0), (10**9, 8, 1)],
    name="input_shape")
bad(models.gap_cnn, TINY, "n_classes", NOT_INTS + [0, -2, 10**9])
bad(models.gap_cnn, TINY, "widths", ["32", 32, (), (8, -1), (8, 2.5), (True,)])
bad(models.gap_cnn, TINY, "convs_per_block", NOT_INTS + [0])
bad(models.gap_cnn, TINY, "dropout", NOT_REALS + NON_FINITE + [1.0, -0.1])
bad(models.gap_cnn, TINY, "activation", ["relu", 1, "Softmax"])
bad(models.gap_cnn, TINY, "name", [None, 5, ""])
bad(models.vgg_like, dict(input_shape=(16, 16, 3), n_classes=3), "input_shape",
    [(15, 16, 3), (16.0, 16, 3), "16"])
bad(models.vgg_like, dict(input_shape=(16, 16, 3), n_classes=3), "n_classes", [1, "3", 2.5])
bad(models.vgg_like, dict(input_shape=(16, 16, 3), n_classes=3), "dropout",
    [0.5, (0.5,), ("0.1", 0.2), (0.1, 1.5), (math.nan, 0.1)])
bad(models.vgg16, dict(input_shape=(32, 32, 3)), "trainable_base", NOT_BOOLS)
bad(models.vgg16, dict(input_shape=(32, 32, 3)), "weights", ["ImageNet", 1, True])
bad(models.vgg16, dict(input_shape=(32, 32, 3)), "head", ["dense", None])
bad(models.vgg16, dict(input_shape=(32, 32, 3)), "input_shape", [(16, 16, 3), (32, 32, 1),
                                                                 (32.5, 32, 3)])
bad(models.vgg16, dict(input_shape=(32, 32, 3)), "n_classes", [0, "2", 2.0])


def _fit(**kwargs):
    model = models.gap_cnn((8, 8, 1), kwargs.pop("n_out", 2), widths=(4,),
                           activation=kwargs.pop("activation", None))

    def trap(*args, **kw):  # the mistake must be caught before TensorFlow sees it
        raise AssertionError("model.fit reached")
    model.fit = trap
    return training.fit(model, **kwargs)


_fit.__qualname__ = "fit"
X8 = RNG.random((6, 8, 8, 1)).astype(np.float32)
Y8 = np.array([0, 1, 0, 1, 0, 1])
FIT = dict(train=(X8, Y8), epochs=1, progress=False)
bad(_fit, FIT, "train",
    ["x.npy", None, (X8,), (X8, Y8[:3]), (X8[..., 0], Y8), ((X8 * 255).astype(np.uint8), Y8),
     (np.full_like(X8, np.nan), Y8), (X8[:0], Y8[:0]), (np.zeros((6, 9, 8, 1), np.float32), Y8),
     (np.zeros((6, 8, 8, 3), np.float32), Y8), (X8, Y8 + 0.5), (X8, Y8 + 2), (X8, Y8 - 1),
     (X8, np.eye(2)[Y8]), (X8, np.array(["a"] * 6)), (X8, np.full(6, np.nan)), (["a"], Y8)])
bad(_fit, dict(FIT, n_out=1, activation="sigmoid"), "train", [(X8, Y8 * 2), (X8, -Y8)],
    name="train")
bad(_fit, FIT, "val", ["val", (X8, Y8 + 5), (np.zeros((6, 4, 4, 1), np.float32), Y8)])
bad(_fit, FIT, "epochs", NOT_INTS + [0, -1])
bad(_fit, FIT, "batch_size", NOT_INTS + [0, -8])
bad(_fit, FIT, "learning_rate", NOT_REALS + NON_FINITE + [0, -1e-3])
bad(_fit, FIT, "seed", ["0", 0.5, -1])
bad(_fit, FIT, "progress", NOT_BOOLS)
bad(_fit, FIT, "augment", ["flip", 5])
bad(_fit, FIT, "callbacks", ["early", [5], None])
bad(training.make_dataset, dict(data=(X8, Y8)), "batch_size", ["32", 0, 1.5])
bad(training.make_dataset, dict(data=(X8, Y8)), "shuffle", NOT_BOOLS[:3])
bad(training.make_dataset, dict(data=(X8, Y8)), "data", ["data", None, (X8, Y8[:2])])
bad(training.compile_for_training, dict(model=models.gap_cnn((8, 8, 1), 2, widths=(4,))),
    "learning_rate", NOT_REALS + NON_FINITE + [0])

# found by a sweep of every parameter with generic hostile values
bad(metrics.cross_entropy, dict(logits=LOGITS, labels=LABELS3), "reduction", [np.zeros(0), ["mean"]])
bad(metrics.sigmoid, dict(x=[0.0, 1.0]), "x", [[True, False], True])
bad(metrics.softmax, dict(logits=LOGITS), "logits", [np.ones((2, 2), bool)])
bad(metrics.precision_recall_f1, dict(y_true=LABELS3, y_pred=LABELS3), "pos_label", ["abc", 2.5])
bad(detection.box_convert, dict(boxes=BOXES, in_fmt="xyxy", out_fmt="xywh"), "in_fmt",
    [np.zeros(0), ["xyxy"]])
bad(detection.nms, dict(boxes=BOXES, scores=[0.9, 0.8], iou_threshold=0.5), "boxes", [[], np.zeros((3, 4))])
bad(detection.coco_evaluate, dict(gt=COCO_GT, dt=COCO_DT), "iou_thresholds", [True, [True, False]])
bad(detection.average_precision, dict(recall=[0.5, 1.0], precision=[1.0, 0.5]), "method", [np.zeros(0)])
bad(viz.show_images, dict(images=IMAGES), "size", [10**12])
bad(viz.plot_confusion_matrix, dict(cm=np.eye(2)), "normalize", [np.zeros(0)])
bad(models.gap_cnn, TINY, "activation", [np.zeros(0), []])
bad(training.compile_for_training, dict(model=None), "model", ["abc", None, 5])
bad(training.make_dataset, dict(data=(X8, Y8)), "what", [None, 5])
for arg, values in {"optimizer": ["adamm", 5, True, [1]], "loss": [5, [1]],
                    "metrics": [5, "accuracy", True]}.items():
    bad(training.compile_for_training, dict(model=models.gap_cnn((8, 8, 1), 2, widths=(4,))),
        arg, values)
bad(data.image_folder, dict(path="/nonexistent"), "path", ["/"], name="path")

# profile
bad(helpers.seed_everything, {}, "seed", NOT_INTS + [-1, 2**40])
bad(helpers.Profile, dict(name="cpu"), "name", ["fast", None, 3])


# ----------------------------------------------------------------------------- the check
def _case_id(case) -> str:
    fn, _, arg, value, _ = case
    text = repr(value)
    text = text if len(text) < 30 else text[:27] + "..."
    return f"{getattr(fn, '__qualname__', fn)}-{arg}={text}"


def _raised_by_helpers(error: BaseException) -> bool:
    """True if the innermost frame that raised ``error`` is in the helpers package."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(HELPERS_DIR)


def assert_refused(fn, kwargs: dict, name: str):
    try:
        result = fn(**kwargs)
    except (TypeError, ValueError) as error:
        message = str(error)
        assert name.split("[")[0] in message, f"message does not name {name!r}: {message}"
        assert _raised_by_helpers(error), (
            f"{type(error).__name__} raised outside helpers: {message}\n"
            + "".join(traceback.format_tb(error.__traceback__)[-2:])
        )
    else:
        pytest.fail(f"accepted: returned {type(result).__name__}")
    finally:
        plt.close("all")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_argument_is_refused_with_its_name(case, monkeypatch, tmp_path):
    fn, valid, arg, value, name = case
    monkeypatch.setenv("HELPERS_DATA", str(tmp_path))
    kwargs = dict(valid)
    kwargs[arg] = value
    assert_refused(fn, kwargs, name)


def test_there_are_many_cases():
    assert len(CASES) > 600


# ----------------------------------------------------------------------------- degenerate but valid
def _finite(result) -> bool:
    parts = result if isinstance(result, tuple) else (result,)
    return all(not np.isnan(np.asarray(part, dtype=np.float64)).any() for part in parts)


DEGENERATE = {
    "softmax float16, T=1e-8": lambda: metrics.softmax(np.array([1, 2], np.float16), temperature=1e-8),
    "log_softmax float16, T=1e-8": lambda: metrics.log_softmax(np.array([1, 2], np.float16),
                                                               temperature=1e-8),
    "softmax of +-1e308": lambda: metrics.softmax([1e308, -1e308]),
    "sigmoid of +-inf": lambda: metrics.sigmoid([math.inf, -math.inf]),
    "average_precision_score, no positive": lambda: metrics.average_precision_score([0, 0], [0.1, 0.2]),
    "pr_curve, no positive": lambda: metrics.pr_curve([0, 0], [0.1, 0.2]),
    "precision_recall_f1, 0/0": lambda: metrics.precision_recall_f1([0, 0], [1, 1]),
    "precision_recall_f1 macro, 0/0": lambda: metrics.precision_recall_f1([0, 0], [1, 1],
                                                                          average="macro"),
    "confusion_matrix, one sample": lambda: metrics.confusion_matrix([0], [0]),
    "iou of zero-area boxes": lambda: detection.iou([[1, 1, 1, 1]], [[1, 1, 1, 1]]),
    "iou with a 'no object' row": lambda: detection.iou([[0, 0, 2, 2]], [[math.nan] * 4]),
    "box_area of a 'no object' row": lambda: detection.box_area([[math.nan] * 4]),
    "heatmap_to_box, all negative": lambda: detection.heatmap_to_box(np.full((3, 3), -1.0)),
    "heatmap_to_box, constant": lambda: detection.heatmap_to_box(np.ones((3, 3))),
    "soft_nms, zero scores": lambda: detection.soft_nms(BOXES, [0.0, 0.0]),
    "average_precision, empty curve": lambda: detection.average_precision([], []),
    "voc_evaluate, no image": lambda: detection.voc_evaluate([], [], [], [], []).mean_ap,
    "voc_evaluate, no ground truth": lambda: detection.voc_evaluate(
        [[]], [[]], [BOXES], [[0, 1]], [[0.9, 0.8]]).mean_ap,
    "coco_evaluate, no detection": lambda: detection.coco_evaluate(COCO_GT, []).stats,
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", list(DEGENERATE))
def test_degenerate_input_gives_a_defined_result_never_nan(name):
    assert _finite(DEGENERATE[name]())


# ----------------------------------------------------------------------------- NumPy scalars pass
ACCEPTED = {
    "softmax(temperature=np.float32)": lambda: metrics.softmax([1.0, 2.0], temperature=np.float32(2)),
    "confusion_matrix(n_classes=np.int64)": lambda: metrics.confusion_matrix([0], [0], np.int64(2)),
    "nms(iou_threshold=np.float32)": lambda: detection.nms(BOXES, [0.9, 0.8], np.float32(0.5)),
    "coco_evaluate(max_dets=int array)": lambda: detection.coco_evaluate(
        COCO_GT, COCO_DT, max_dets=np.array([1, 10, 100])),
    "coco_evaluate(max_dets=array element)": lambda: detection.coco_evaluate(
        COCO_GT, COCO_DT, max_dets=(np.array([5, 100])[1],)),
    "shapes(n=np.int64, size=np.int32)": lambda: data.shapes(np.int64(3), size=np.int32(16)),
    "digits(test_fraction=np.float32)": lambda: data.digits(test_fraction=np.float32(0.25)),
    "tank_scenes(confounded=np.bool_)": lambda: data.tank_scenes(4, size=32, confounded=np.True_),
    "gap_cnn(input_shape of np.int64)": lambda: models.gap_cnn(
        tuple(np.array([8, 8, 1])), np.int64(2), widths=(4,)),
    "show_images(ncols=np.int64, size=np.float32)": lambda: viz.show_images(
        IMAGES, ncols=np.int64(2), size=np.float32(1.0)),
    "seed_everything(np.int64)": lambda: helpers.seed_everything(np.int64(3)),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_numpy_scalars_are_accepted(name):
    # before issue 8 several of these raised TypeError ("must be an int", ...)
    try:
        ACCEPTED[name]()
    finally:
        plt.close("all")
