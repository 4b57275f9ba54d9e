"""The :class:`ImageSet`: one small container for every data set in the course.

Every loader in :mod:`helpers.data` returns an ``ImageSet`` (or a ``(train, test)``
pair of them), so the chapters handle digits, procedural shapes, tank scenes and
real photos the same way::

    train, test = helpers.data.digits()
    train.images.shape          # (1347, 8, 8, 1), float32 in [0, 1]
    train.labels[:5]            # int64 class indices
    train.class_names           # ('0', '1', ..., '9')

Sets with ground truth for *where* the object is (shapes, tank scenes) also carry
``boxes`` and ``masks``: that is what lets the course measure where a heatmap looks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np

from .._checks import check_bool, check_class_names, check_labels, describe
from ._checks import check_fraction, make_rng

__all__ = ["ImageSet"]


class _IndexOutOfRange(IndexError, ValueError):
    """An index past the end: an ``IndexError`` that ``except ValueError`` also catches."""


@dataclass(frozen=True, eq=False, repr=False)
class ImageSet:
    """Images with integer labels, optional object boxes and masks, and extras.

    Parameters
    ----------
    images : ndarray, float32, shape (N, H, W, C)
        Pixel values in [0, 1]. ``C`` is 1 (grey) or 3 (RGB).
    labels : ndarray, int64, shape (N,)
        Class index of each image, in ``[0, len(class_names))``.
    class_names : tuple of str
        Name of each class; ``class_names[label]`` names an image's class.
        A list is accepted and stored as a tuple.
    boxes : ndarray, float32, shape (N, 4), or None
        One box per image around its object, ``(x0, y0, x1, y1)`` in pixels, with
        *exclusive* right and bottom edges: a single pixel at column 3, row 5 has
        the box ``[3, 5, 4, 6]``. A row of NaN means "no object in this image".
        ``None`` when the set has no boxes at all. This is the box vocabulary of
        :mod:`helpers.detection`: ``iou``, ``box_area`` and ``box_convert`` take
        these rows as they are (a NaN row has area 0 and IoU 0 with every box).
    masks : ndarray, bool, shape (N, H, W), or None
        ``True`` on the object's pixels; all ``False`` for an image without an
        object. ``None`` when the set has no masks.
    extras : mapping of str to object
        Anything else a set carries. A NumPy array whose first dimension is N is
        *per image* (``take`` and ``split`` select its rows, e.g. the tank scenes'
        ``sky_masks``); any other value (e.g. a tuple of names) is *per set* and
        is passed on unchanged. Stored as a read-only mapping.

    Raises
    ------
    TypeError
        If an array is not a NumPy array of the expected dtype.
    ValueError
        If shapes or lengths disagree, pixels leave [0, 1], a label is out of
        range, a box is malformed, or the class names are empty or repeated.

    Notes
    -----
    The dataclass is frozen (its attributes cannot be re-assigned) but the arrays
    are not copied: an ``ImageSet`` is a cheap view of the arrays you give it.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    boxes: np.ndarray | None = None
    masks: np.ndarray | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ checks
    def __post_init__(self) -> None:
        self._check_images()
        n_images, height, width, _ = self.images.shape
        self._check_class_names()
        self._check_labels(n_images)
        if self.boxes is not None:
            self._check_boxes(n_images, height, width)
        if self.masks is not None:
            self._check_masks(n_images, height, width)
        self._check_extras(n_images)

    def _check_images(self) -> None:
        images = self.images
        if not isinstance(images, np.ndarray):
            raise TypeError(f"images must be a NumPy array, got {describe(images)}.")
        if images.dtype != np.float32:
            raise TypeError(
                f"images must be float32, got {images.dtype}; "
                "convert with images.astype(np.float32) (and divide uint8 pixels by 255)."
            )
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                f"images must have shape (N, H, W, C) with C = 1 or 3, got {images.shape}."
            )
        if images.shape[0] == 0:
            raise ValueError(
                "images must hold at least one image (an ImageSet cannot be empty), got N = 0."
            )
        low, high = float(images.min()), float(images.max())
        if not (low >= 0.0 and high <= 1.0):  # also catches NaN
            raise ValueError(
                f"images must hold pixel values in [0, 1], found min {low:g} and max {high:g}"
                " (divide uint8 pixels by 255; NaN is refused)."
            )

    def _check_class_names(self) -> None:
        object.__setattr__(self, "class_names", check_class_names(self.class_names))

    def _check_labels(self, n_images: int) -> None:
        labels = self.labels
        if not isinstance(labels, np.ndarray) or labels.dtype != np.int64:
            found = labels.dtype if isinstance(labels, np.ndarray) else type(labels).__name__
            raise TypeError(
                f"labels must be an int64 NumPy array, got {found}; "
                "convert with np.asarray(labels, dtype=np.int64)."
            )
        if labels.shape != (n_images,):
            raise ValueError(
                f"labels must have shape ({n_images},) to match the {n_images} images, "
                f"got {labels.shape}."
            )
        check_labels(labels, "labels", n_classes=len(self.class_names))

    def _check_boxes(self, n_images: int, height: int, width: int) -> None:
        boxes = self.boxes
        if not isinstance(boxes, np.ndarray) or boxes.dtype != np.float32:
            found = boxes.dtype if isinstance(boxes, np.ndarray) else type(boxes).__name__
            raise TypeError(f"boxes must be a float32 NumPy array or None, got {found}.")
        if boxes.shape != (n_images, 4):
            raise ValueError(
                f"boxes must have shape ({n_images}, 4) (x0, y0, x1, y1 per image), "
                f"got {boxes.shape}."
            )
        empty = np.isnan(boxes)
        partly_nan = empty.any(axis=1) & ~empty.all(axis=1)
        if partly_nan.any():
            raise ValueError(
                "a box row must be all numbers or all NaN (no object); "
                f"rows {np.flatnonzero(partly_nan)[:5].tolist()} are partly NaN."
            )
        filled = boxes[~empty.all(axis=1)]
        x0, y0, x1, y1 = filled.T
        bad = (x0 < 0) | (y0 < 0) | (x1 > width) | (y1 > height) | (x1 <= x0) | (y1 <= y0)
        if bad.any():
            raise ValueError(
                "each box must satisfy 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H "
                f"(W = {width}, H = {height}); first bad box: {filled[bad][0].tolist()}."
            )

    def _check_masks(self, n_images: int, height: int, width: int) -> None:
        masks = self.masks
        if not isinstance(masks, np.ndarray) or masks.dtype != np.bool_:
            found = masks.dtype if isinstance(masks, np.ndarray) else type(masks).__name__
            raise TypeError(f"masks must be a bool NumPy array or None, got {found}.")
        if masks.shape != (n_images, height, width):
            raise ValueError(
                f"masks must have shape ({n_images}, {height}, {width}) to match the "
                f"images, got {masks.shape}."
            )

    def _check_extras(self, n_images: int) -> None:
        if not isinstance(self.extras, Mapping):
            raise TypeError(f"extras must be a mapping, got {type(self.extras).__name__}.")
        for key, value in self.extras.items():
            if not isinstance(key, str):
                raise TypeError(f"extras keys must be str, got {key!r}.")
            if isinstance(value, np.ndarray) and (value.ndim == 0 or len(value) != n_images):
                raise ValueError(
                    f"extras[{key!r}] is an array, so it must hold one row per image "
                    f"(first dimension {n_images}), got shape {value.shape}. "
                    "Store per-set values as tuples or numbers instead."
                )
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    # ------------------------------------------------------------- properties
    def __len__(self) -> int:
        return len(self.labels)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """Shape of one image, ``(H, W, C)``."""
        return tuple(self.images.shape[1:])

    @property
    def n_classes(self) -> int:
        """Number of classes, ``len(class_names)``."""
        return len(self.class_names)

    def class_counts(self) -> dict[str, int]:
        """Number of images per class, as ``{class name: count}`` in class order."""
        counts = np.bincount(self.labels, minlength=self.n_classes)
        return {name: int(count) for name, count in zip(self.class_names, counts)}

    # ------------------------------------------------------------- selection
    def take(self, indices: Sequence[int] | np.ndarray) -> "ImageSet":
        """A new ImageSet holding the selected images (and their boxes, masks, extras).

        Parameters
        ----------
        indices : array-like of int, shape (M,), or of bool, shape (N,)
            Positions to keep (repeats allowed, order kept), or a boolean mask.

        Returns
        -------
        ImageSet
            With M images; per-set extras are passed on unchanged.
        """
        if isinstance(indices, (str, bytes)):
            raise TypeError(
                f"indices must be integers or a boolean mask, got the string {indices!r}."
            )
        index = np.asarray(indices)
        if index.dtype == np.bool_:
            if index.shape != (len(self),):
                raise ValueError(
                    f"indices as a boolean mask must have shape ({len(self)},), one per image, "
                    f"got {index.shape}."
                )
            index = np.flatnonzero(index)
        elif index.size == 0:
            index = index.astype(np.int64)
        if index.ndim != 1 or not np.issubdtype(index.dtype, np.integer):
            raise TypeError(
                "indices must be a 1-D sequence of integers or a boolean mask, "
                f"got an array of dtype {index.dtype} and shape {index.shape}."
            )
        if index.size == 0:
            raise ValueError("indices is empty: take() needs at least one index "
                             "(an ImageSet cannot be empty).")
        if index.min() < -len(self) or index.max() >= len(self):
            raise _IndexOutOfRange(
                f"indices must lie in [0, {len(self) - 1}], found {index.min()}..{index.max()}."
            )

        def select(array):
            return None if array is None else array[index]

        extras = {
            key: value[index] if isinstance(value, np.ndarray) else value
            for key, value in self.extras.items()
        }
        return ImageSet(
            images=self.images[index],
            labels=self.labels[index],
            class_names=self.class_names,
            boxes=select(self.boxes),
            masks=select(self.masks),
            extras=extras,
        )

    def split(
        self, fraction: float, seed: int = 0, stratify: bool = True
    ) -> tuple["ImageSet", "ImageSet"]:
        """Split at random into two sets, the second holding ``fraction`` of the images.

        Parameters
        ----------
        fraction : float in (0, 1)
            Share of the images that go to the second set (e.g. 0.25 for a test set).
        seed : int
            Seed of the shuffle: the same seed gives the same split.
        stratify : bool
            If True, each class is split in the same proportion, so both sets keep
            the class balance of the whole.

        Returns
        -------
        (ImageSet, ImageSet)
            ``(rest, part)`` with ``round(fraction * N)`` images in ``part``
            (per class, when stratified). Both are shuffled.
        """
        fraction = check_fraction(fraction, "fraction")
        rng = make_rng(seed)
        stratify = check_bool(stratify, "stratify")
        groups = [np.flatnonzero(self.labels == c) for c in range(self.n_classes)]
        if not stratify:
            groups = [np.arange(len(self))]
        part, rest = [], []
        for group in groups:
            if group.size == 0:
                continue
            shuffled = rng.permutation(group)
            n_part = int(round(fraction * group.size))
            part.append(shuffled[:n_part])
            rest.append(shuffled[n_part:])
        part, rest = np.concatenate(part), np.concatenate(rest)
        if part.size == 0 or rest.size == 0:
            raise ValueError(
                f"fraction {fraction} of {len(self)} images leaves one side empty; "
                "use a fraction further from 0 and 1 or a larger set."
            )
        return self.take(rng.permutation(rest)), self.take(rng.permutation(part))

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        counts = ", ".join(f"{name!r}: {count}" for name, count in self.class_counts().items())
        parts = [
            f"n={len(self)}",
            f"image_shape={self.image_shape}",
            f"classes={{{counts}}}",
        ]
        if self.boxes is not None:
            n_objects = int((~np.isnan(self.boxes).any(axis=1)).sum())
            parts.append(f"boxes={n_objects} objects")
        if self.masks is not None:
            parts.append("masks=yes")
        if self.extras:
            parts.append(f"extras={sorted(self.extras)}")
        return f"ImageSet({', '.join(parts)})"
