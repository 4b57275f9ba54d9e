"""Containers for detection data: :class:`DetectionSet` (ground truth) and
:class:`Detections` (what a detector predicts).

An image holds any number of objects, so per-object arrays are *padded*: each image
has ``M`` slots (``M`` = the largest object count in the set) and ``counts[i]`` says
how many of them are real. Padding is NaN for boxes and scores, -1 for labels and
``False`` for masks, so a padded slot can never be mistaken for an object::

    scenes = helpers.data.detection_scenes(200, seed=0)
    scenes.boxes.shape            # (200, M, 4) float32 xyxy pixels, NaN padding
    boxes, labels, masks = scenes.objects(0)   # image 0's objects, padding dropped

Boxes are float ``xyxy`` pixels with exclusive right/bottom edges, the box
vocabulary of :mod:`helpers.detection`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np

from .._checks import check_array, check_class_names, check_int, first_positions

__all__ = ["DetectionSet", "Detections", "pad_objects"]


def _check_typed(array, name: str, dtype, shape: tuple) -> None:
    if not isinstance(array, np.ndarray) or array.dtype != dtype:
        found = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise TypeError(f"{name} must be a {np.dtype(dtype).name} NumPy array, got {found}.")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}.")


def _check_counts(counts, n_images: int, n_slots: int) -> None:
    _check_typed(counts, "counts", np.int64, (n_images,))
    if n_images and (counts.min() < 0 or counts.max() > n_slots):
        raise ValueError(
            f"counts must lie in [0, {n_slots}] (the number of object slots), "
            f"found min {counts.min()} and max {counts.max()}."
        )


def _check_boxes(boxes, counts, height: int, width: int, name: str = "boxes") -> np.ndarray:
    """Check padded xyxy boxes (N, M, 4); return the (N, M) mask of real slots."""
    real = np.arange(boxes.shape[1])[np.newaxis, :] < counts[:, np.newaxis]
    filled = boxes[real]
    if np.isnan(filled).any():
        raise ValueError(
            f"{name}: the first counts[i] slots of image i must be real boxes, found NaN "
            f"in real slot(s) at flat position(s) {first_positions(np.isnan(filled).any(1))}."
        )
    if not np.isnan(boxes[~real]).all():
        raise ValueError(f"{name}: padding slots (beyond counts[i]) must be all NaN.")
    x0, y0, x1, y1 = filled.T if filled.size else np.zeros((4, 0))
    bad = (x0 < 0) | (y0 < 0) | (x1 > width) | (y1 > height) | (x1 <= x0) | (y1 <= y0)
    if bad.any():
        raise ValueError(
            f"each of {name} must satisfy 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H "
            f"(W = {width}, H = {height}); first bad box: {filled[bad][0].tolist()}."
        )
    return real


def pad_objects(per_image: Sequence[np.ndarray], fill, dtype, tail: tuple = ()) -> np.ndarray:
    """Stack ragged per-image arrays into one padded array.

    Parameters
    ----------
    per_image : sequence of N arrays, shapes (K_i, *tail)
    fill : scalar
        Value of the padding slots (NaN for boxes and scores, -1 for labels).
    dtype : NumPy dtype
    tail : tuple of int
        Shape of one object's entry, e.g. ``(4,)`` for boxes, ``()`` for labels.

    Returns
    -------
    ndarray, shape (N, max K_i, *tail)
    """
    n_slots = max((len(a) for a in per_image), default=0)
    out = np.full((len(per_image), n_slots, *tail), fill, dtype)
    for i, values in enumerate(per_image):
        out[i, : len(values)] = values
    return out


@dataclass(frozen=True, eq=False, repr=False)
class DetectionSet:
    """Images with any number of labelled objects each: boxes, classes and masks.

    Parameters
    ----------
    images : ndarray, float32, shape (N, H, W, 3 or 1)
        Pixel values in [0, 1].
    boxes : ndarray, float32, shape (N, M, 4)
        Each object's box, ``xyxy`` pixels with exclusive right/bottom edges; the
        slots beyond ``counts[i]`` are NaN.
    labels : ndarray, int64, shape (N, M)
        Each object's class index in ``[0, len(class_names))``; -1 in padding.
    counts : ndarray, int64, shape (N,)
        Number of objects in each image (0 is allowed: an image of background).
    class_names : tuple of str
    masks : ndarray, bool, shape (N, M, H, W), or None
        ``True`` on each object's visible pixels; ``False`` in padding.
    extras : mapping of str to object
        Arrays whose first dimension is N are per image (``take`` selects their
        rows); anything else is per set. Stored read-only.
    """

    images: np.ndarray
    boxes: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    class_names: tuple[str, ...]
    masks: np.ndarray | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        images = self.images
        if not isinstance(images, np.ndarray) or images.dtype != np.float32:
            found = images.dtype if isinstance(images, np.ndarray) else type(images).__name__
            raise TypeError(f"images must be a float32 NumPy array, got {found}.")
        if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.shape[0] == 0:
            raise ValueError(
                f"images must have shape (N, H, W, C) with N >= 1 and C = 1 or 3, "
                f"got {images.shape}."
            )
        if not (float(images.min()) >= 0.0 and float(images.max()) <= 1.0):
            raise ValueError("pixel values must lie in [0, 1] (and not be NaN).")
        n, height, width, _ = images.shape
        object.__setattr__(self, "class_names", check_class_names(self.class_names))
        if not isinstance(self.boxes, np.ndarray) or self.boxes.ndim != 3:
            raise TypeError(
                "boxes must be a float32 NumPy array of shape (N, M, 4), got "
                f"{getattr(self.boxes, 'shape', type(self.boxes).__name__)}."
            )
        n_slots = self.boxes.shape[1]
        _check_typed(self.boxes, "boxes", np.float32, (n, n_slots, 4))
        _check_counts(self.counts, n, n_slots)
        real = _check_boxes(self.boxes, self.counts, height, width)
        _check_typed(self.labels, "labels", np.int64, (n, n_slots))
        if (self.labels[~real] != -1).any():
            raise ValueError("labels: padding slots (beyond counts[i]) must be -1.")
        found = self.labels[real]
        if found.size and (found.min() < 0 or found.max() >= len(self.class_names)):
            raise ValueError(
                f"labels must lie in [0, {len(self.class_names) - 1}] for "
                f"{len(self.class_names)} class names, found {found.min()}..{found.max()}."
            )
        if self.masks is not None:
            _check_typed(self.masks, "masks", np.bool_, (n, n_slots, height, width))
            if self.masks[~real].any():
                raise ValueError("masks: padding slots (beyond counts[i]) must be all False.")
        if not isinstance(self.extras, Mapping):
            raise TypeError(f"extras must be a mapping, got {type(self.extras).__name__}.")
        for key, value in self.extras.items():
            if not isinstance(key, str):
                raise TypeError(f"extras keys must be str, got {key!r}.")
            if isinstance(value, np.ndarray) and (value.ndim == 0 or len(value) != n):
                raise ValueError(
                    f"extras[{key!r}] is an array, so it must hold one row per image "
                    f"(first dimension {n}), got shape {value.shape}."
                )
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    # ---------------------------------------------------------------- access
    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape of one image, ``(H, W, C)``."""
        return tuple(self.images.shape[1:])

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_objects(self) -> int:
        """Total number of objects over all images."""
        return int(self.counts.sum())

    def objects(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Image ``index``'s objects without padding.

        Returns
        -------
        boxes : ndarray, float32, shape (K, 4)
        labels : ndarray, int64, shape (K,)
        masks : ndarray, bool, shape (K, H, W), or None if the set has no masks
        """
        index = check_int(index, "index", low=-len(self), high=len(self) - 1)
        k = int(self.counts[index])
        masks = None if self.masks is None else self.masks[index, :k]
        return self.boxes[index, :k], self.labels[index, :k], masks

    def object_table(self) -> dict[str, np.ndarray]:
        """All objects as flat columns: ``image`` (int64), ``box`` (K, 4), ``label``,
        ``area`` (mask pixels, or box area without masks), in image order."""
        real = np.arange(self.boxes.shape[1])[np.newaxis, :] < self.counts[:, np.newaxis]
        image = np.nonzero(real)[0].astype(np.int64)
        boxes = self.boxes[real]
        if self.masks is not None:
            area = self.masks[real].sum(axis=(1, 2)).astype(np.float64)
        else:
            area = ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])).astype(np.float64)
        return {"image": image, "box": boxes, "label": self.labels[real], "area": area}

    def take(self, indices) -> "DetectionSet":
        """A new set with the selected images (int positions or a boolean mask).

        Padding is trimmed to the largest count among the selected images.
        """
        index = np.asarray(indices)
        if index.dtype == np.bool_:
            if index.shape != (len(self),):
                raise ValueError(
                    f"a boolean selection must have shape ({len(self)},), got {index.shape}."
                )
            index = np.flatnonzero(index)
        if index.ndim != 1 or not (np.issubdtype(index.dtype, np.integer) or index.size == 0):
            raise TypeError(
                "indices must be a 1-D sequence of integers or a boolean mask, got "
                f"an array of dtype {index.dtype} and shape {index.shape}."
            )
        if index.size == 0:
            raise ValueError("take() needs at least one index: a DetectionSet cannot be empty.")
        index = index.astype(np.int64)
        if index.min() < -len(self) or index.max() >= len(self):
            raise IndexError(
                f"indices must lie in [0, {len(self) - 1}], found {index.min()}..{index.max()}."
            )
        slots = int(self.counts[index].max())
        extras = {
            key: value[index] if isinstance(value, np.ndarray) else value
            for key, value in self.extras.items()
        }
        return DetectionSet(
            images=self.images[index],
            boxes=self.boxes[index, :slots],
            labels=self.labels[index, :slots],
            counts=self.counts[index],
            class_names=self.class_names,
            masks=None if self.masks is None else self.masks[index, :slots],
            extras=extras,
        )

    def __repr__(self) -> str:
        per_class = np.bincount(self.labels[self.labels >= 0], minlength=self.n_classes)
        classes = ", ".join(f"{n!r}: {c}" for n, c in zip(self.class_names, per_class))
        return (
            f"DetectionSet(n={len(self)}, image_shape={self.image_shape}, "
            f"objects={self.n_objects} {{{classes}}}, "
            f"masks={'yes' if self.masks is not None else 'no'})"
        )


@dataclass(frozen=True, eq=False, repr=False)
class Detections:
    """A detector's output for N images: boxes, scores and classes, padded.

    Parameters
    ----------
    boxes : ndarray, float32, shape (N, K, 4)
        ``xyxy`` pixels; NaN beyond ``counts[i]``.
    scores : ndarray, float32, shape (N, K)
        Confidence in [0, 1], sorted decreasing within each image; NaN in padding.
    classes : ndarray, int64, shape (N, K)
        Class index; -1 in padding.
    counts : ndarray, int64, shape (N,)
        Number of detections per image (0 is allowed).

    Every detector of :mod:`helpers.models` returns this; :meth:`to_coco` turns it
    into COCO results for :func:`helpers.detection.coco_evaluate` or pycocotools.
    """

    boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.boxes, np.ndarray) or self.boxes.ndim != 3:
            raise TypeError(
                "boxes must be a float32 NumPy array of shape (N, K, 4), got "
                f"{getattr(self.boxes, 'shape', type(self.boxes).__name__)}."
            )
        n, k = self.boxes.shape[:2]
        _check_typed(self.boxes, "boxes", np.float32, (n, k, 4))
        _check_typed(self.scores, "scores", np.float32, (n, k))
        _check_typed(self.classes, "classes", np.int64, (n, k))
        _check_counts(self.counts, n, k)
        real = np.arange(k)[np.newaxis, :] < self.counts[:, np.newaxis]
        boxes = self.boxes[real]
        if not np.isfinite(boxes).all() or not np.isnan(self.boxes[~real]).all():
            raise ValueError("boxes must be finite in the first counts[i] slots and NaN after.")
        if (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
            raise ValueError("boxes must be xyxy with x1 >= x0 and y1 >= y0.")
        scores = self.scores[real]
        if not ((scores >= 0) & (scores <= 1)).all() or not np.isnan(self.scores[~real]).all():
            raise ValueError("scores must lie in [0, 1] in real slots and be NaN in padding.")
        if (self.classes[real] < 0).any() or (self.classes[~real] != -1).any():
            raise ValueError("classes must be >= 0 in real slots and -1 in padding.")

    def __len__(self) -> int:
        return len(self.counts)

    @classmethod
    def from_lists(cls, boxes, scores, classes) -> "Detections":
        """Build from per-image lists: ``boxes[i]`` (K_i, 4), ``scores[i]`` (K_i,),
        ``classes[i]`` (K_i,); each image's detections are sorted by decreasing score."""
        for name, value in (("boxes", boxes), ("scores", scores), ("classes", classes)):
            if isinstance(value, (str, bytes, np.ndarray)) or not isinstance(value, Sequence):
                raise TypeError(f"{name} must be a list with one array per image, got "
                                f"{type(value).__name__}.")
        if not len(boxes) == len(scores) == len(classes):
            raise ValueError(
                f"boxes, scores and classes must have one entry per image each, got "
                f"{len(boxes)}, {len(scores)} and {len(classes)}."
            )
        b_list, s_list, c_list = [], [], []
        for i, (b, s, c) in enumerate(zip(boxes, scores, classes)):
            b = check_array(b, f"boxes[{i}]", ndim=2, allow_empty=True).reshape(-1, 4)
            s = check_array(s, f"scores[{i}]", ndim=1, allow_empty=True)
            c = check_array(c, f"classes[{i}]", ndim=1, dtype=np.int64, allow_empty=True)
            if not len(b) == len(s) == len(c):
                raise ValueError(
                    f"image {i}: boxes, scores and classes must have the same length, got "
                    f"{len(b)}, {len(s)} and {len(c)}."
                )
            order = np.argsort(-s, kind="stable")
            b_list.append(b[order]), s_list.append(s[order]), c_list.append(c[order])
        return cls(
            boxes=pad_objects(b_list, np.nan, np.float32, (4,)),
            scores=pad_objects(s_list, np.nan, np.float32),
            classes=pad_objects(c_list, -1, np.int64),
            counts=np.array([len(s) for s in s_list], np.int64),
        )

    def image(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image ``index``'s ``(boxes (K, 4), scores (K,), classes (K,))``, unpadded."""
        index = check_int(index, "index", low=-len(self), high=len(self) - 1)
        k = int(self.counts[index])
        return self.boxes[index, :k], self.scores[index, :k], self.classes[index, :k]

    def to_coco(self, image_ids=None, category_ids=None) -> list[dict]:
        """COCO results (a list of dicts); see :func:`helpers.data.detections_to_coco`."""
        from .coco_json import detections_to_coco

        return detections_to_coco(self, image_ids=image_ids, category_ids=category_ids)

    def __repr__(self) -> str:
        return f"Detections(n={len(self)}, detections={int(self.counts.sum())})"
