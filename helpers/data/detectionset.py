"""The container of detection ground truth: :class:`DetectionSet` (images with any
number of labelled objects each). What a detector predicts is its counterpart
:class:`helpers.detection.Detections`, with the same names (``boxes``, ``labels``,
``counts``, ``objects(i)``).

An image holds any number of objects, so per-object arrays are *padded*
(:mod:`helpers.data.padding`): each image has ``M`` slots (``M`` = the largest object
count in the set) and ``counts[i]`` says how many of them are real. Padding is NaN for
boxes, -1 for labels and ``False`` for masks, so a padded slot can never be mistaken
for an object::

    scenes = helpers.data.detection_scenes(200, seed=0)
    scenes.boxes.shape            # (200, M, 4) float32 xyxy pixels, NaN padding
    boxes, labels, masks = scenes.objects(0)   # image 0's objects, padding dropped

Boxes are float ``xyxy`` pixels with exclusive right/bottom edges, the box
vocabulary of :mod:`helpers.detection`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .._checks import check_class_names, check_int, first_positions
from .padding import check_counts, check_typed_array, pad_objects, real_slots

__all__ = ["DetectionSet", "pad_objects"]


def _check_boxes(boxes, counts, height: int, width: int, name: str = "boxes") -> np.ndarray:
    """Check padded xyxy boxes (N, M, 4); return the (N, M) mask of real slots."""
    real = real_slots(counts, boxes.shape[1])
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
        check_typed_array(self.boxes, "boxes", np.float32, (n, n_slots, 4))
        check_counts(self.counts, n, n_slots)
        real = _check_boxes(self.boxes, self.counts, height, width)
        check_typed_array(self.labels, "labels", np.int64, (n, n_slots))
        if (self.labels[~real] != -1).any():
            raise ValueError("labels: padding slots (beyond counts[i]) must be -1.")
        found = self.labels[real]
        if found.size and (found.min() < 0 or found.max() >= len(self.class_names)):
            raise ValueError(
                f"labels must lie in [0, {len(self.class_names) - 1}] for "
                f"{len(self.class_names)} class names, found {found.min()}..{found.max()}."
            )
        if self.masks is not None:
            check_typed_array(self.masks, "masks", np.bool_, (n, n_slots, height, width))
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
        real = real_slots(self.counts, self.boxes.shape[1])
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
