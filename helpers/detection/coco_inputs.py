"""Reading and checking COCO-format ground truth and detection results.

The COCO dicts are turned into flat NumPy arrays once, here, so that the evaluation
never touches a Python dict per box. Every check names the offending record, e.g.
``dt[17] (image_id=42): bbox has negative width -3.0; ...``.

What is read, and how pycocotools' conventions are kept:

* ground truth: ``gt["images"][i]["id"]``, ``gt["categories"][k]["id"]`` and, for each
  annotation, ``id``, ``image_id``, ``category_id``, ``bbox`` ``[x, y, w, h]``, ``area``
  and ``iscrowd``. The evaluation uses the ``area`` field, not ``w * h``. An ``ignore``
  field is *not* used: pycocotools overwrites it with ``iscrowd``, and so do we.
* detections: ``image_id``, ``category_id``, ``bbox`` ``[x, y, w, h]`` and ``score``. Like
  pycocotools' ``loadRes``, a detection's area is ``w * h`` and its id is its position
  in the list plus one; ``id``, ``area`` or ``iscrowd`` fields in the input are ignored.
* with ``iou_type="segm"`` every record also needs a ``segmentation`` (an RLE dict, or a
  2-D bool mask; see :mod:`~helpers.detection.coco_masks`). A detection's area is then
  its mask's pixel count, as pycocotools' ``loadRes`` sets it for segmentation results
  (which carry no ``bbox``; a ``bbox`` given here is not read: the box of a detection
  is its mask's).
  All masks of one image must have one size, the image's ``height`` x ``width`` where
  the image record gives them.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._checks import is_int as _is_integer
from .._checks import is_real
from .coco_masks import PackedMasks, decode_segmentation

Describe = Callable[[int], str]


@dataclass(frozen=True)
class CocoGroundTruth:
    """Ground truth as arrays; G annotations, I images, K categories."""

    image_ids: np.ndarray  #: (I,) int64, sorted: the images evaluated, in pycocotools' order
    category_ids: np.ndarray  #: (K,) int64, sorted
    annotation_ids: np.ndarray  #: (G,) int64, all positive and distinct
    image_index: np.ndarray  #: (G,) int64, position of each annotation's image in ``image_ids``
    category_index: np.ndarray  #: (G,) int64, position of its category in ``category_ids``
    boxes: np.ndarray  #: (G, 4) float64, ``[x, y, w, h]`` in pixels
    areas: np.ndarray  #: (G,) float64, the annotations' ``area`` field, in square pixels
    is_crowd: np.ndarray  #: (G,) bool
    masks: PackedMasks | None = None  #: G masks with ``iou_type="segm"``, else None
    image_sizes: np.ndarray | None = None  #: (I, 2) int64 (H, W) of records/masks, -1 if unknown


@dataclass(frozen=True)
class CocoDetections:
    """Detections as arrays; D detections, in the order they were given."""

    image_index: np.ndarray  #: (D,) int64, position of the image in ``CocoGroundTruth.image_ids``
    category_index: np.ndarray  #: (D,) int64, position in ``CocoGroundTruth.category_ids``
    boxes: np.ndarray  #: (D, 4) float64, ``[x, y, w, h]`` in pixels
    scores: np.ndarray  #: (D,) float64
    masks: PackedMasks | None = None  #: D masks with ``iou_type="segm"``, else None

    @property
    def areas(self) -> np.ndarray:
        """(D,) float64: ``w * h``, or the mask's pixel count when there are masks, as
        pycocotools' ``loadRes`` sets it (box results, segmentation results)."""
        if self.masks is not None:
            return self.masks.areas.astype(np.float64)
        return self.boxes[:, 2] * self.boxes[:, 3]


# --------------------------------------------------------------------------- generic columns
def _record_name(records: Sequence, k: int, owner: str) -> str:
    """How an error names record ``k``: ``"gt['annotations'][3] (id=12)"``."""
    record = records[k]
    if isinstance(record, Mapping) and "id" in record:
        return f"{owner}[{k}] (id={record['id']})"
    return f"{owner}[{k}]"


def _records(container, key: str, owner: str) -> Sequence:
    if key not in container:
        raise ValueError(f"{owner} is missing the {key!r} list")
    records = container[key]
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise TypeError(f"{owner}[{key!r}] must be a list of dicts, got {type(records).__name__}")
    return records


def _column(records: Sequence, field: str, describe: Describe) -> list:
    """``[r[field] for r in records]``, or an error naming the first record without it."""
    try:
        return [record[field] for record in records]
    except (KeyError, TypeError, IndexError):
        pass
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise TypeError(f"{describe(i)}: expected a dict, got {type(record).__name__}")
        if field not in record:
            raise ValueError(f"{describe(i)}: missing field {field!r}")
    raise AssertionError("unreachable")  # pragma: no cover




def _integer_array(values: list, field: str, describe: Describe) -> np.ndarray:
    array = np.asarray(values) if values else np.zeros(0, dtype=np.int64)
    if array.ndim == 1 and array.dtype.kind in "iu":
        return array.astype(np.int64)
    for i, value in enumerate(values):
        if not _is_integer(value):
            raise TypeError(f"{describe(i)}: {field} must be an integer, got {value!r}")
    return array.astype(np.int64)  # pragma: no cover  (e.g. mixed bools and ints)


def _float_array(values: list, field: str, describe: Describe) -> np.ndarray:
    array = np.asarray(values) if values else np.zeros(0)
    if not (array.ndim == 1 and array.dtype.kind in "iuf"):
        for i, value in enumerate(values):
            if not is_real(value):
                raise TypeError(f"{describe(i)}: {field} must be a number, got {value!r}")
    array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{describe(i)}: {field} is {array[i]}; expected a finite number")
    return array


def _bbox_array(values: list, describe: Describe) -> np.ndarray:
    """(N, 4) float64 ``[x, y, w, h]`` boxes, finite, with w >= 0 and h >= 0."""
    try:
        array = np.asarray(values) if values else np.zeros((0, 4))
    except ValueError:  # ragged
        array = None
    if array is None or array.ndim != 2 or array.shape[1] != 4 or array.dtype.kind not in "iuf":
        for i, bbox in enumerate(values):
            if isinstance(bbox, (str, bytes, Mapping)) or not isinstance(bbox, (Sequence, np.ndarray)):
                raise TypeError(f"{describe(i)}: bbox must be a list [x, y, w, h], got {bbox!r}")
            if len(bbox) != 4:
                raise ValueError(f"{describe(i)}: bbox must have 4 numbers [x, y, w, h], got {bbox!r}")
            if not all(is_real(v) for v in bbox):
                raise TypeError(f"{describe(i)}: bbox must hold numbers [x, y, w, h], got {bbox!r}")
        raise ValueError("bboxes must be lists of 4 numbers [x, y, w, h]")  # pragma: no cover
    array = array.astype(np.float64)
    bad = ~np.isfinite(array).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{describe(i)}: bbox {array[i].tolist()} has a non-finite value; "
            "expected [x, y, w, h] with finite numbers"
        )
    for column, word in ((2, "width"), (3, "height")):
        negative = array[:, column] < 0
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            raise ValueError(
                f"{describe(i)}: bbox has negative {word} {array[i, column]}; "
                "expected [x, y, w, h] with w >= 0 and h >= 0"
            )
    return array


def _sorted_unique_ids(records: Sequence, what: str, owner: str) -> np.ndarray:
    """The ``id`` of each record, checked to be integers without duplicates, sorted."""
    describe = lambda i: f"{owner}[{i}]"  # noqa: E731
    ids = _integer_array(_column(records, "id", describe), "id", describe)
    unique, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        duplicate = unique[np.flatnonzero(counts > 1)[0]]
        i, j = np.flatnonzero(ids == duplicate)[:2]
        raise ValueError(
            f"{owner}[{j}]: {what} id {duplicate} is used more than once (also by {owner}[{i}])"
        )
    return unique


def _positions(ids: np.ndarray, known: np.ndarray, field: str, where: str, describe: Describe) -> np.ndarray:
    """Index of each of ``ids`` in the sorted array ``known``; error for an unknown id."""
    index = np.searchsorted(known, ids)
    found = index < len(known)
    found[found] = known[index[found]] == ids[found]
    if not found.all():
        i = int(np.flatnonzero(~found)[0])
        raise ValueError(f"{describe(i)}: {field} {ids[i]} is not in {where}")
    return index.astype(np.int64)


# --------------------------------------------------------------------------- ground truth
IOU_TYPES = ("bbox", "segm")


def _check_iou_type(iou_type) -> str:
    if not isinstance(iou_type, str) or iou_type not in IOU_TYPES:
        raise ValueError(f"iou_type must be 'bbox' (box IoU) or 'segm' (mask IoU), got "
                         f"{iou_type!r}")
    return iou_type


def _image_sizes(image_records: Sequence, image_ids: np.ndarray) -> np.ndarray:
    """(I, 2) int64 ``(height, width)`` of each image (sorted by id); -1 where not given."""
    sizes = np.full((len(image_ids), 2), -1, np.int64)
    for record in image_records:
        if isinstance(record, Mapping) and _is_integer(record.get("height")) \
                and _is_integer(record.get("width")):
            row = int(np.searchsorted(image_ids, record["id"]))
            sizes[row] = (record["height"], record["width"])
    return sizes


def _read_masks(records: Sequence, image_index: np.ndarray, sizes: np.ndarray,
                describe: Describe) -> tuple[PackedMasks, np.ndarray]:
    """Decode each record's ``segmentation``; every mask of an image must have one size.

    ``sizes`` (I, 2) holds each image's known ``(height, width)`` (-1 if none yet) and
    is filled in as masks are read. Returns the masks and the ``[x, y, w, h]`` box of
    each mask's pixels, (R, 4) float64 (zeros for an empty mask), as pycocotools'
    ``toBbox``.
    """
    segmentations = _column(records, "segmentation", describe)
    masks, boxes = [], np.zeros((len(records), 4))
    for i, segmentation in enumerate(segmentations):
        mask = decode_segmentation(segmentation, describe(i))
        known = sizes[image_index[i]]
        if known[0] < 0:
            known[:] = mask.shape
        elif tuple(known) != mask.shape:
            raise ValueError(
                f"{describe(i)}: segmentation is {mask.shape[0]} x {mask.shape[1]} (H x W), "
                f"but the image's masks are {known[0]} x {known[1]}; masks are compared "
                "pixel by pixel and must have their image's size"
            )
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if rows.size:
            boxes[i] = (cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)
        masks.append(mask)
    return PackedMasks(masks), boxes


def read_ground_truth(gt, iou_type: str = "bbox") -> CocoGroundTruth:
    """Check a COCO-format ground-truth dict and return it as :class:`CocoGroundTruth`
    (with its masks when ``iou_type`` is ``"segm"``)."""
    iou_type = _check_iou_type(iou_type)
    if not isinstance(gt, Mapping):
        raise TypeError(
            "gt must be a COCO-format dict with 'images', 'annotations' and 'categories', "
            f"got {type(gt).__name__}"
        )
    image_records = _records(gt, "images", "gt")
    image_ids = _sorted_unique_ids(image_records, "image", "gt['images']")
    category_ids = _sorted_unique_ids(_records(gt, "categories", "gt"), "category", "gt['categories']")
    annotations = _records(gt, "annotations", "gt")

    def describe(i: int) -> str:
        return _record_name(annotations, i, "gt['annotations']")

    annotation_ids = _integer_array(_column(annotations, "id", describe), "id", describe)
    if (annotation_ids <= 0).any():
        i = int(np.flatnonzero(annotation_ids <= 0)[0])
        raise ValueError(
            f"{describe(i)}: annotation ids must be positive integers "
            "(pycocotools uses 0 to mean 'not matched')"
        )
    unique, counts = np.unique(annotation_ids, return_counts=True)
    if (counts > 1).any():
        duplicate = unique[np.flatnonzero(counts > 1)[0]]
        first, second = np.flatnonzero(annotation_ids == duplicate)[:2]
        raise ValueError(
            f"{describe(second)}: duplicate annotation id {duplicate} "
            f"(also used by gt['annotations'][{first}])"
        )

    image_index = _positions(
        _integer_array(_column(annotations, "image_id", describe), "image_id", describe),
        image_ids, "image_id", "gt['images']", describe,
    )
    category_index = _positions(
        _integer_array(_column(annotations, "category_id", describe), "category_id", describe),
        category_ids, "category_id", "gt['categories']", describe,
    )
    boxes = _bbox_array(_column(annotations, "bbox", describe), describe)
    areas = _float_array(_column(annotations, "area", describe), "area", describe)
    if (areas < 0).any():
        i = int(np.flatnonzero(areas < 0)[0])
        raise ValueError(f"{describe(i)}: area is {areas[i]}; expected a number >= 0")
    crowd_flags = _column(annotations, "iscrowd", describe)
    is_crowd = np.asarray(crowd_flags) if crowd_flags else np.zeros(0, dtype=bool)
    if is_crowd.ndim != 1 or not np.isin(is_crowd, (0, 1)).all() or is_crowd.dtype.kind not in "biu":
        for i, flag in enumerate(crowd_flags):
            if not (isinstance(flag, (numbers.Integral, np.integer, np.bool_)) and flag in (0, 1)):
                raise ValueError(f"{describe(i)}: iscrowd must be 0 or 1, got {flag!r}")
    masks, sizes = None, _image_sizes(image_records, image_ids)
    if iou_type == "segm":  # fills in the sizes that only the masks give
        masks, _ = _read_masks(annotations, image_index, sizes, describe)
    return CocoGroundTruth(
        image_ids=image_ids,
        category_ids=category_ids,
        annotation_ids=annotation_ids,
        image_index=image_index,
        category_index=category_index,
        boxes=boxes,
        areas=areas,
        is_crowd=is_crowd.astype(bool),
        masks=masks,
        image_sizes=sizes,
    )


# --------------------------------------------------------------------------- detections
def read_detections(dt, gt: CocoGroundTruth, iou_type: str = "bbox") -> CocoDetections:
    """Check a list of COCO result dicts against ``gt`` and return :class:`CocoDetections`
    (with masks when ``iou_type`` is ``"segm"``; ``gt`` must then have been read with it)."""
    iou_type = _check_iou_type(iou_type)
    if (iou_type == "segm") != (gt.masks is not None):
        raise ValueError("read the ground truth and the detections with the same iou_type")
    if isinstance(dt, (str, bytes, Mapping)) or not isinstance(dt, Sequence):
        raise TypeError(
            "dt must be a list of detection dicts (COCO results format: image_id, "
            f"category_id, bbox, score), got {type(dt).__name__}"
        )

    def describe(i: int) -> str:
        record = dt[i]
        if isinstance(record, Mapping) and "image_id" in record:
            return f"dt[{i}] (image_id={record['image_id']})"
        return f"dt[{i}]"

    image_index = _positions(
        _integer_array(_column(dt, "image_id", describe), "image_id", describe),
        gt.image_ids, "image_id", "gt['images']", describe,
    )
    category_index = _positions(
        _integer_array(_column(dt, "category_id", describe), "category_id", describe),
        gt.category_ids, "category_id", "gt['categories']", describe,
    )
    scores = _float_array(_column(dt, "score", describe), "score", describe)
    if iou_type == "bbox":
        boxes = _bbox_array(_column(dt, "bbox", describe), describe)
        return CocoDetections(image_index=image_index, category_index=category_index,
                              boxes=boxes, scores=scores)
    masks, boxes = _read_masks(dt, image_index, gt.image_sizes.copy(), describe)
    return CocoDetections(image_index=image_index, category_index=category_index,
                          boxes=boxes, scores=scores, masks=masks)
