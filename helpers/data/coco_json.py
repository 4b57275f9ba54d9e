"""Detection scenes and detections to and from COCO json.

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

from .._checks import check_array
from .detectionset import DetectionSet, Detections, pad_objects

__all__ = ["to_coco", "from_coco", "detections_to_coco", "mask_to_rle", "rle_to_mask"]


def mask_to_rle(mask) -> dict:
    """Uncompressed COCO RLE of one bool mask (H, W): ``{"counts": [...], "size": [H, W]}``.

    ``counts`` alternates runs of 0 and 1 over the mask read column by column
    (Fortran order), starting with the zeros (possibly a run of length 0).
    """
    mask = np.asarray(mask)
    if mask.dtype != np.bool_ or mask.ndim != 2:
        raise TypeError(f"mask must be a 2-D bool array (H, W), got {mask.dtype} {mask.shape}.")
    flat = mask.ravel(order="F").astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    edges = np.concatenate([[0], changes, [flat.size]])
    runs = np.diff(edges).tolist()
    if flat.size and flat[0] == 1:
        runs = [0] + runs
    return {"counts": [int(r) for r in runs], "size": [int(mask.shape[0]), int(mask.shape[1])]}


def rle_to_mask(rle) -> np.ndarray:
    """The bool mask (H, W) of an uncompressed COCO RLE (the inverse of :func:`mask_to_rle`)."""
    if not isinstance(rle, Mapping) or "counts" not in rle or "size" not in rle:
        raise TypeError(f"rle must be a dict with 'counts' and 'size', got {rle!r:.80}.")
    counts = rle["counts"]
    if isinstance(counts, (str, bytes)):
        raise ValueError(
            "rle['counts'] is a compressed RLE string; decode it with "
            "pycocotools.mask.decode, only uncompressed (list) RLE is read here."
        )
    height, width = (int(v) for v in rle["size"])
    runs = check_array(counts, "rle['counts']", ndim=1, dtype=np.int64, allow_empty=True)
    if (runs < 0).any() or runs.sum() != height * width:
        raise ValueError(
            f"rle['counts'] must be non-negative run lengths summing to H * W = "
            f"{height * width}, got a sum of {int(runs.sum())}."
        )
    values = np.arange(len(runs)) % 2 == 1
    return np.repeat(values, runs).reshape((height, width), order="F")


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
        raise TypeError(f"scenes must be a DetectionSet, got {type(scenes).__name__}.")
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
        real = np.arange(scenes.masks.shape[1])[None, :] < scenes.counts[:, None]
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


def detections_to_coco(detections: Detections, image_ids=None, category_ids=None, path=None):
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

    Returns
    -------
    list of dict
        ``{"image_id", "category_id", "bbox": [x, y, w, h], "score"}`` per detection.
    """
    if not isinstance(detections, Detections):
        raise TypeError(
            f"detections must be a Detections (see Detections.from_lists), got "
            f"{type(detections).__name__}."
        )
    n = len(detections)
    if image_ids is None:
        image_ids = np.arange(1, n + 1)
    image_ids = check_array(image_ids, "image_ids", ndim=1, dtype=np.int64, allow_empty=True)
    if image_ids.shape != (n,):
        raise ValueError(f"image_ids must hold one id per image ({n}), got {image_ids.shape}.")
    real = np.arange(detections.boxes.shape[1])[None, :] < detections.counts[:, None]
    classes = detections.classes[real]
    if category_ids is not None:
        category_ids = check_array(category_ids, "category_ids", ndim=1, dtype=np.int64)
        if classes.size and classes.max() >= len(category_ids):
            raise ValueError(
                f"category_ids has {len(category_ids)} entries, but a detection has class "
                f"{classes.max()}; give one category id per class index."
            )
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
    if not isinstance(images, np.ndarray) or images.dtype != np.float32 or images.ndim != 4:
        raise TypeError("images must be a float32 NumPy array of shape (N, H, W, C).")
    if len(images) != len(coco["images"]):
        raise ValueError(
            f"images must hold one image per coco['images'] entry ({len(coco['images'])}), "
            f"got {len(images)}."
        )
    position = {record["id"]: i for i, record in enumerate(coco["images"])}
    categories = sorted(coco["categories"], key=lambda record: record["id"])
    class_of = {record["id"]: c for c, record in enumerate(categories)}
    per_image = [[] for _ in coco["images"]]
    for k, record in enumerate(coco["annotations"]):
        if record.get("iscrowd", 0):
            raise ValueError(f"annotation #{k} is a crowd region (iscrowd=1); not supported.")
        if record["image_id"] not in position:
            raise ValueError(
                f"annotation #{k}: image_id {record['image_id']} is not in coco['images']."
            )
        if record["category_id"] not in class_of:
            raise ValueError(
                f"annotation #{k}: category_id {record['category_id']} "
                "is not in coco['categories']."
            )
        per_image[position[record["image_id"]]].append(record)
    with_masks = all(
        isinstance(r.get("segmentation"), Mapping) for r in coco["annotations"]
    ) and len(coco["annotations"]) > 0
    height, width = images.shape[1:3]
    boxes, labels, masks = [], [], []
    for records in per_image:
        xywh = np.array([r["bbox"] for r in records], np.float64).reshape(-1, 4)
        boxes.append(np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1))
        labels.append([class_of[r["category_id"]] for r in records])
        if with_masks:
            masks.append(
                np.array([rle_to_mask(r["segmentation"]) for r in records], bool)
                .reshape(-1, height, width)
            )
    return DetectionSet(
        images=images,
        boxes=pad_objects(boxes, np.nan, np.float32, (4,)),
        labels=pad_objects(labels, -1, np.int64),
        counts=np.array([len(r) for r in per_image], np.int64),
        class_names=tuple(record["name"] for record in categories),
        masks=pad_objects(masks, False, bool, (height, width)) if with_masks else None,
    )


def _write(data, path) -> None:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}.")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
