"""COCO json in and out, as free functions: ground truth (:func:`to_coco`,
:func:`from_coco`, a :class:`~helpers.data.DetectionSet`) and predictions
(:func:`detections_to_coco`, a :class:`~helpers.detection.Detections`).

The files load in pycocotools unchanged (``COCO(path)``, ``coco.loadRes(path)``) and
in :func:`helpers.detection.coco_evaluate` (the dicts themselves).

Conventions of :func:`to_coco`, so that a reader can check each number:

* image ``i`` of the set has ``id = i + 1`` and ``file_name = "scene_{id:06d}.png"``
  (no image file is written: the pixels stay in the :class:`DetectionSet`);
* class ``c`` is category ``id = c + 1`` (COCO ids start at 1), supercategory
  ``"shape"``;
* ``bbox`` is ``[x, y, w, h]`` in pixels, converted from the set's ``xyxy`` box;
* ``area`` is the number of pixels in the object's *visible mask*, as in COCO, where
  ``area`` is the segmentation's area and not ``w * h`` (without masks: ``w * h``).
  COCO's small / medium / large split uses this number;
* ``segmentation`` is the mask as an *uncompressed RLE*, ``{"counts": [...],
  "size": [H, W]}``: run lengths of the column-major mask, starting with a run of
  zeros (pycocotools' ``frPyObjects`` reads it); omitted for a set without masks;
* ``iscrowd`` is 0.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping

import numpy as np

from .._checks import check_array, check_class_names, describe
from ..data.detectionset import DetectionSet
from ..data.padding import pad_objects, real_slots
from .coco_inputs import (
    _bbox_array,
    _column,
    _integer_array,
    _positions,
    _record_name,
    _records,
    _sorted_unique_ids,
)
from .coco_masks import mask_to_rle, rle_to_mask
from .detections import Detections

__all__ = ["to_coco", "from_coco", "detections_to_coco", "mask_to_rle", "rle_to_mask"]


def to_coco(scenes: DetectionSet, path=None) -> dict:
    """COCO ground truth of a :class:`DetectionSet` (see the module notes for the fields).

    Parameters
    ----------
    scenes : DetectionSet
    path : str or os.PathLike or None
        If given, the dict is also written there as json.

    Returns
    -------
    dict
        ``{"info", "images", "annotations", "categories"}``; annotations are numbered
        1, 2, ... in image order.
    """
    if not isinstance(scenes, DetectionSet):
        raise TypeError(f"scenes must be a DetectionSet, got {describe(scenes)}.")
    height, width = scenes.image_shape[:2]
    images = [
        {"id": i + 1, "file_name": f"scene_{i + 1:06d}.png", "height": height, "width": width}
        for i in range(len(scenes))
    ]
    categories = [
        {"id": c + 1, "name": name, "supercategory": "shape"}
        for c, name in enumerate(scenes.class_names)
    ]
    table = scenes.object_table()
    annotations = []
    for k, (image, box, label, area) in enumerate(
        zip(table["image"], table["box"], table["label"], table["area"])
    ):
        x0, y0, x1, y1 = (float(v) for v in box)
        record = {
            "id": k + 1,
            "image_id": int(image) + 1,
            "category_id": int(label) + 1,
            "bbox": [x0, y0, x1 - x0, y1 - y0],
            "area": float(area),
            "iscrowd": 0,
        }
        annotations.append(record)
    if scenes.masks is not None:
        real = real_slots(scenes.counts, scenes.masks.shape[1])
        for record, mask in zip(annotations, scenes.masks[real]):
            record["segmentation"] = mask_to_rle(mask)
    coco = {
        "info": {"description": "helpers.data detection scenes", "version": "1.0"},
        "images": images,
        "annotations": annotations,
        "categories": categories,
    }
    if path is not None:
        _write(coco, path)
    return coco


def detections_to_coco(detections: Detections, image_ids=None, category_ids=None, path=None,
                       iou_type: str = "bbox"):
    """COCO results (a list of dicts) from a :class:`Detections`.

    Parameters
    ----------
    detections : Detections
        N images' detections (build one from per-image lists with
        :meth:`Detections.from_lists`).
    image_ids : sequence of N int, or None
        COCO image id of each image; default ``1, 2, ..., N`` as :func:`to_coco` numbers them.
    category_ids : sequence of int, or None
        COCO category id of each class index; default ``class + 1``.
    path : str or os.PathLike or None
        If given, the list is also written there as json (``COCO.loadRes`` reads it).
    iou_type : {"bbox", "segm"}
        ``"bbox"`` (default): box results. ``"segm"``: segmentation results, each
        detection's mask (``detections.masks``, required) as an uncompressed RLE in
        ``segmentation`` and no ``bbox``, so that a detection's area is its mask's, as
        pycocotools reads segmentation results (pycocotools' own ``loadRes`` wants the
        compressed form: ``pycocotools.mask.frPyObjects(rle, H, W)``).

    Returns
    -------
    list of dict
        ``{"image_id", "category_id", "bbox": [x, y, w, h], "score"}`` per detection,
        or ``{"image_id", "category_id", "segmentation", "score"}`` with ``"segm"``.
    """
    if not isinstance(detections, Detections):
        raise TypeError(
            f"detections must be a Detections (see Detections.from_lists), got "
            f"{describe(detections)}."
        )
    if not isinstance(iou_type, str) or iou_type not in ("bbox", "segm"):
        raise ValueError(f"iou_type must be 'bbox' or 'segm', got {iou_type!r}.")
    if iou_type == "segm" and detections.masks is None:
        raise ValueError("iou_type='segm' needs detections with masks (see "
                         "Detections.with_masks and helpers.detection.box_masks).")
    n = len(detections)
    if image_ids is None:
        image_ids = np.arange(1, n + 1)
    image_ids = check_array(image_ids, "image_ids", ndim=1, dtype=np.int64, allow_empty=True)
    if image_ids.shape != (n,):
        raise ValueError(f"image_ids must hold one id per image ({n}), got {image_ids.shape}.")
    if len(np.unique(image_ids)) != n:
        values, counts = np.unique(image_ids, return_counts=True)
        raise ValueError(
            f"image_ids must be distinct (one COCO image per image), but "
            f"{int(values[counts > 1][0])} is given {int(counts.max())} times."
        )
    real = real_slots(detections.counts, detections.boxes.shape[1])
    classes = detections.labels[real]
    if category_ids is not None:
        category_ids = check_array(category_ids, "category_ids", ndim=1, dtype=np.int64)
        if classes.size and classes.max() >= len(category_ids):
            raise ValueError(
                f"category_ids has {len(category_ids)} entries, but a detection has class "
                f"{classes.max()}; give one category id per class index."
            )
        if len(np.unique(category_ids)) != len(category_ids):
            raise ValueError("category_ids must be distinct (one COCO category per class "
                             f"index), got {category_ids.tolist()}.")
        categories = category_ids[classes]
    else:
        categories = classes + 1
    image_of = np.broadcast_to(image_ids[:, None], real.shape)[real]
    results = []
    for image, category, box, score in zip(
        image_of, categories, detections.boxes[real], detections.scores[real]
    ):
        x0, y0, x1, y1 = (float(v) for v in box)
        results.append({
            "image_id": int(image),
            "category_id": int(category),
            "bbox": [x0, y0, x1 - x0, y1 - y0],
            "score": float(score),
        })
    if iou_type == "segm":
        for record, mask in zip(results, detections.masks[real]):
            del record["bbox"]
            record["segmentation"] = mask_to_rle(mask)
            record["score"] = record.pop("score")  # keep the key order image, category, ...
    if path is not None:
        _write(results, path)
    return results


def from_coco(coco, images) -> DetectionSet:
    """A :class:`DetectionSet` from COCO ground truth and the images' pixels.

    Parameters
    ----------
    coco : dict, or str / os.PathLike of a json file
        COCO ground truth with ``images``, ``annotations`` and ``categories``.
    images : ndarray, float32, shape (N, H, W, C)
        The pixels of ``coco["images"]``, in the order that list gives them.

    Returns
    -------
    DetectionSet
        Class ``c`` is the ``c``-th category by increasing id, named by its ``name``;
        boxes from ``bbox`` (``xywh`` to ``xyxy``); masks from uncompressed RLE
        segmentations when *every* annotation has one, else ``masks=None``.
        Crowd annotations (``iscrowd`` 1) are refused: the set has no way to mark them.
    """
    if isinstance(coco, (str, os.PathLike)):
        with open(coco, encoding="utf-8") as handle:
            coco = json.load(handle)
    if not isinstance(coco, Mapping):
        raise TypeError(
            f"coco must be a COCO dict or a path to a json file, got {type(coco).__name__}."
        )
    for key in ("images", "annotations", "categories"):
        if key not in coco:
            raise ValueError(f"coco is missing the {key!r} list.")
        _records(coco, key, "coco")
    if not isinstance(images, np.ndarray) or images.dtype != np.float32 or images.ndim != 4:
        raise TypeError("images must be a float32 NumPy array of shape (N, H, W, C).")
    image_records = _records(coco, "images", "coco")
    if len(images) != len(image_records):
        raise ValueError(
            f"images must hold one image per coco['images'] entry ({len(image_records)}), "
            f"got {len(images)}."
        )
    _sorted_unique_ids(image_records, "image", "coco['images']")
    image_ids = _integer_array(
        _column(image_records, "id", lambda i: f"coco['images'][{i}]"), "id",
        lambda i: f"coco['images'][{i}]")
    height, width = images.shape[1:3]
    for i, record in enumerate(image_records):
        for key, size in (("height", height), ("width", width)):
            if key in record and record[key] != size:
                raise ValueError(
                    f"coco['images'][{i}] (id={record['id']}) has {key} {record[key]!r}, but "
                    f"the images are {height} x {width} pixels (H x W)."
                )
    category_records = _records(coco, "categories", "coco")
    if not category_records:
        raise ValueError("coco['categories'] is empty; a DetectionSet needs at least one class.")
    category_ids = _sorted_unique_ids(category_records, "category", "coco['categories']")
    by_id = {int(record["id"]): record for record in category_records}
    names = []
    for record in (by_id[int(c)] for c in category_ids):
        if "name" not in record:
            raise ValueError(f"coco['categories'] entry with id {record['id']} has no 'name'.")
        names.append(record["name"])
    class_names = check_class_names(names, "the categories' names")
    annotations = _records(coco, "annotations", "coco")

    def where(k: int) -> str:
        return _record_name(annotations, k, "coco['annotations']")

    for k, record in enumerate(annotations):
        if isinstance(record, Mapping) and record.get("iscrowd", 0):
            raise ValueError(f"{where(k)} is a crowd region (iscrowd=1); not supported.")
    position = _positions(
        _integer_array(_column(annotations, "image_id", where), "image_id", where),
        np.sort(image_ids), "image_id", "coco['images']", where)
    image_order = np.argsort(image_ids, kind="stable")  # sorted position -> list position
    position = image_order[position]
    label = _positions(
        _integer_array(_column(annotations, "category_id", where), "category_id", where),
        category_ids, "category_id", "coco['categories']", where)
    xywh = _bbox_array(_column(annotations, "bbox", where), where)
    xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
    outside = (xyxy[:, 0] < 0) | (xyxy[:, 1] < 0) | (xyxy[:, 2] > width) \
        | (xyxy[:, 3] > height) | (xywh[:, 2] <= 0) | (xywh[:, 3] <= 0)
    if outside.any():
        k = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{where(k)}: bbox {xywh[k].tolist()} must have w > 0 and h > 0 and lie inside "
            f"the {width} x {height} image (0 <= x, x + w <= W, 0 <= y, y + h <= H)."
        )
    with_masks = len(annotations) > 0 and all(
        isinstance(r.get("segmentation"), Mapping) for r in annotations)
    per_image = [np.flatnonzero(position == i) for i in range(len(image_records))]
    boxes = [xyxy[rows] for rows in per_image]
    labels = [label[rows] for rows in per_image]
    masks = []
    if with_masks:
        for k, record in enumerate(annotations):
            size = record["segmentation"].get("size")
            if not isinstance(size, (list, tuple)) or list(size) != [height, width]:
                raise ValueError(
                    f"{where(k)}: segmentation size {size!r} differs from the images' "
                    f"[H, W] = {[height, width]}."
                )
        masks = [
            np.array([rle_to_mask(annotations[k]["segmentation"]) for k in rows], bool)
            .reshape(-1, height, width)
            for rows in per_image
        ]
    return DetectionSet(
        images=images,
        boxes=pad_objects(boxes, np.nan, np.float32, (4,)),
        labels=pad_objects(labels, -1, np.int64),
        counts=np.array([len(rows) for rows in per_image], np.int64),
        class_names=class_names,
        masks=pad_objects(masks, False, bool, (height, width)) if with_masks else None,
    )


def _write(data, path) -> None:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}.")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
