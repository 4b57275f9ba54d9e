"""Object detection: boxes, IoU, non-maximum suppression, average precision, COCO and VOC
evaluation, and boxes from class activation maps.

=====================================  =================================================
:func:`box_convert`, :func:`box_area`  box layouts ``xyxy``, ``xywh`` (COCO), ``cxcywh``
:func:`iou`                            pairwise intersection over union, (N, M)
:func:`nms`, :func:`soft_nms`          non-maximum suppression, hard and soft
:func:`average_precision`              VOC 2007 (11-point), VOC (all-point), COCO (101-point)
:func:`coco_evaluate`                  COCO AP/AR of boxes or masks, identical to pycocotools
:func:`box_masks`                      boxes as filled masks (a box detector's "masks")
:func:`mask_to_rle`, ``rle_to_mask``   COCO run-length encoding of a mask
:func:`voc_evaluate`                   PASCAL VOC per-class AP and mAP
:func:`heatmap_to_box`                 the CAM paper's box around a heatmap's hot region
:func:`error_breakdown`                AP lost to each error type, in the manner of TIDE
:func:`corloc`, :func:`best_iou`       one box per image scored against its ground truth (CorLoc)
:func:`max_box_acc` (and ``_v2``)     box accuracy at the best heatmap threshold (Choe et al.)
:func:`anchor_grid`                    anchors of several sizes and ratios on a grid
:func:`anchor_coverage`                fraction of objects some anchor overlaps at IoU >= t
:func:`reliability`                    true-positive fraction per score bin (calibration)
:class:`Detections`                    what a detector predicts: boxes, labels, scores
:func:`to_coco`, :func:`from_coco`     COCO json of ground truth (a ``DetectionSet``)
:func:`detections_to_coco`             COCO results json of a :class:`Detections`
=====================================  =================================================

Boxes are in pixels, float, ``xyxy`` with exclusive right/bottom edges unless a ``fmt``
argument says otherwise.
"""
from __future__ import annotations

from .anchors import anchor_coverage, anchor_grid
from .average_precision import AP_METHODS, average_precision, precision_envelope
from .boxes import BOX_FORMATS, box_area, box_convert, box_masks, iou
from .coco_json import detections_to_coco, from_coco, to_coco
from .coco_masks import mask_to_rle, rle_to_mask
from .detections import Detections
from .coco import (
    COCO_AREA_RANGES,
    COCO_IOU_THRESHOLDS,
    COCO_MAX_DETS,
    COCO_RECALL_THRESHOLDS,
    CocoEvalResult,
    coco_evaluate,
)
from .errors import ERROR_TYPES, ErrorBreakdown, error_breakdown
from .localization import best_iou, corloc, heatmap_to_box
from .max_box_acc import BoxAccuracy, box_accuracy, max_box_acc, max_box_acc_v2
from .nms import nms, soft_nms
from .voc import VocEvalResult, voc_evaluate
from .calibration import Reliability, reliability

__all__ = [
    "anchor_coverage",
    "anchor_grid",
    "Reliability",
    "reliability",
    "box_accuracy",
    "max_box_acc",
    "max_box_acc_v2",
    "BoxAccuracy",
    "AP_METHODS",
    "BOX_FORMATS",
    "COCO_AREA_RANGES",
    "COCO_IOU_THRESHOLDS",
    "COCO_MAX_DETS",
    "COCO_RECALL_THRESHOLDS",
    "CocoEvalResult",
    "Detections",
    "ERROR_TYPES",
    "ErrorBreakdown",
    "VocEvalResult",
    "average_precision",
    "box_area",
    "box_convert",
    "box_masks",
    "coco_evaluate",
    "detections_to_coco",
    "error_breakdown",
    "from_coco",
    "heatmap_to_box",
    "best_iou",
    "corloc",
    "iou",
    "mask_to_rle",
    "nms",
    "precision_envelope",
    "rle_to_mask",
    "soft_nms",
    "to_coco",
    "voc_evaluate",
]
