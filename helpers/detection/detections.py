"""What a detector predicts: :class:`Detections`, the counterpart of the ground truth
:class:`helpers.data.DetectionSet`, in the same words.

=================  ====================================  ================================
                   ground truth (``DetectionSet``)       predictions (``Detections``)
=================  ====================================  ================================
boxes              ``boxes`` (N, M, 4) xyxy, NaN padding  ``boxes`` (N, K, 4), NaN padding
class indices      ``labels`` (N, M), -1 padding          ``labels`` (N, K), -1 padding
per object         ``masks`` (N, M, H, W) or None         ``scores`` (N, K), NaN padding
instance masks     (the same ``masks``)                   ``masks`` (N, K, H, W) or None
objects per image  ``counts`` (N,)                        ``counts`` (N,)
one image          ``objects(i)`` -> (boxes, labels,      ``objects(i)`` -> (boxes,
                   masks)                                 labels, scores)
=================  ====================================  ================================

COCO json in and out (:func:`~helpers.detection.to_coco`,
:func:`~helpers.detection.detections_to_coco`, :func:`~helpers.detection.from_coco`)
are free functions of :mod:`helpers.detection.coco_json`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from .._checks import check_array, check_int, describe
from ..data.padding import check_counts, check_typed_array, pad_objects, real_slots

__all__ = ["Detections"]


@dataclass(frozen=True, eq=False, repr=False)
class Detections:
    """A detector's output for N images: boxes, labels and scores, padded.

    Parameters
    ----------
    boxes : ndarray, float32, shape (N, K, 4)
        ``xyxy`` pixels; NaN beyond ``counts[i]``.
    labels : ndarray, int64, shape (N, K)
        Class index of each detection; -1 in padding.
    scores : ndarray, float32, shape (N, K)
        Confidence in [0, 1], sorted decreasing within each image; NaN in padding.
    counts : ndarray, int64, shape (N,)
        Number of detections per image (0 is allowed).
    masks : ndarray, bool, shape (N, K, H, W), or None
        Optional instance mask of each detection (all False in padding), for mask AP:
        ``coco_evaluate(..., iou_type="segm")`` of ``detections_to_coco(d,
        iou_type="segm")``. Image ``i``'s masks are ``masks[i, :counts[i]]``;
        :meth:`with_masks` adds them to detections that have none.

    Every detector of :mod:`helpers.models` returns this;
    :func:`helpers.detection.detections_to_coco` turns it into COCO results for
    :func:`helpers.detection.coco_evaluate` or pycocotools.
    """

    boxes: np.ndarray
    labels: np.ndarray
    scores: np.ndarray
    counts: np.ndarray
    masks: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.boxes, np.ndarray) or self.boxes.ndim != 3:
            raise TypeError(
                "boxes must be a float32 NumPy array of shape (N, K, 4), got "
                f"{getattr(self.boxes, 'shape', describe(self.boxes))}."
            )
        n, k = self.boxes.shape[:2]
        check_typed_array(self.boxes, "boxes", np.float32, (n, k, 4))
        check_typed_array(self.labels, "labels", np.int64, (n, k))
        check_typed_array(self.scores, "scores", np.float32, (n, k))
        check_counts(self.counts, n, k)
        real = real_slots(self.counts, k)
        boxes = self.boxes[real]
        if not np.isfinite(boxes).all() or not np.isnan(self.boxes[~real]).all():
            raise ValueError("boxes must be finite in the first counts[i] slots and NaN after.")
        if (boxes[:, 2] < boxes[:, 0]).any() or (boxes[:, 3] < boxes[:, 1]).any():
            raise ValueError("boxes must be xyxy with x1 >= x0 and y1 >= y0.")
        scores = self.scores[real]
        if not ((scores >= 0) & (scores <= 1)).all() or not np.isnan(self.scores[~real]).all():
            raise ValueError("scores must lie in [0, 1] in real slots and be NaN in padding.")
        if (self.labels[real] < 0).any() or (self.labels[~real] != -1).any():
            raise ValueError("labels must be >= 0 in real slots and -1 in padding.")
        if self.masks is not None:
            if not isinstance(self.masks, np.ndarray) or self.masks.ndim != 4:
                raise TypeError(
                    "masks must be None or a bool NumPy array of shape (N, K, H, W), got "
                    f"{getattr(self.masks, 'shape', describe(self.masks))}."
                )
            check_typed_array(self.masks, "masks", np.bool_, (n, k) + self.masks.shape[2:])
            if self.masks[~real].any():
                raise ValueError("masks: padding slots (beyond counts[i]) must be all False.")

    def __len__(self) -> int:
        return len(self.counts)

    def with_masks(self, masks) -> "Detections":
        """The same detections with instance masks (N, K, H, W) bool, False in padding
        (e.g. :func:`~helpers.detection.box_masks` of each image's boxes)."""
        return replace(self, masks=masks)

    @classmethod
    def from_lists(cls, boxes, labels, scores, masks=None) -> "Detections":
        """Build from per-image lists: ``boxes[i]`` (K_i, 4), ``labels[i]`` (K_i,) int,
        ``scores[i]`` (K_i,) in [0, 1], and optionally ``masks[i]`` (K_i, H, W) bool;
        each image's detections are sorted by decreasing score (ties keep their order)."""
        named = [("boxes", boxes), ("labels", labels), ("scores", scores)]
        if masks is not None:
            named.append(("masks", masks))
        for name, value in named:
            if isinstance(value, (str, bytes, np.ndarray)) or not isinstance(value, Sequence):
                raise TypeError(f"{name} must be a list with one array per image, got "
                                f"{describe(value)}.")
        if not len(boxes) == len(labels) == len(scores):
            raise ValueError(
                f"boxes, labels and scores must have one entry per image each, got "
                f"{len(boxes)}, {len(labels)} and {len(scores)}."
            )
        b_list, l_list, s_list = [], [], []
        for i, (b, c, s) in enumerate(zip(boxes, labels, scores)):
            b = check_array(b, f"boxes[{i}]", ndim=2, allow_empty=True,
                            shape_hint="(K, 4) xyxy")
            if b.size == 0:
                b = b.reshape(0, 4)
            if b.shape[1] != 4:
                raise ValueError(f"boxes[{i}] must have shape (K, 4) (xyxy), got {b.shape}.")
            c = check_array(c, f"labels[{i}]", ndim=1, dtype=np.int64, allow_empty=True)
            s = check_array(s, f"scores[{i}]", ndim=1, allow_empty=True)
            if not len(b) == len(s) == len(c):
                raise ValueError(
                    f"image {i}: boxes, labels and scores must have the same length, got "
                    f"{len(b)}, {len(c)} and {len(s)}."
                )
            order = np.argsort(-s, kind="stable")
            b_list.append(b[order]), l_list.append(c[order]), s_list.append(s[order])
        mask_list, tail = None, ()
        if masks is not None:
            if len(masks) != len(boxes):
                raise ValueError(f"masks must have one entry per image ({len(boxes)}), got "
                                 f"{len(masks)}.")
            mask_list = []
            for i, (m, s) in enumerate(zip(masks, scores)):
                if not isinstance(m, np.ndarray) or m.dtype != np.bool_ or m.ndim != 3 \
                        or len(m) != len(s):
                    raise TypeError(f"masks[{i}] must be a bool NumPy array (K, H, W) with "
                                    f"K = {len(s)}, got {getattr(m, 'shape', describe(m))}.")
                if tail and m.shape[1:] != tail:
                    raise ValueError(f"masks[{i}] is {m.shape[1:]} (H, W); masks[0] is "
                                     f"{tail}: every mask must have one size.")
                tail = m.shape[1:]
                mask_list.append(m[np.argsort(-np.asarray(s, float), kind="stable")])
        return cls(
            boxes=pad_objects(b_list, np.nan, np.float32, (4,)),
            labels=pad_objects(l_list, -1, np.int64),
            scores=pad_objects(s_list, np.nan, np.float32),
            counts=np.array([len(s) for s in s_list], np.int64),
            masks=None if mask_list is None else pad_objects(mask_list, False, bool, tail),
        )

    def objects(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image ``index``'s detections without padding, best score first.

        Returns
        -------
        boxes : ndarray, float32, shape (K, 4)
        labels : ndarray, int64, shape (K,)
        scores : ndarray, float32, shape (K,)
        """
        index = check_int(index, "index", low=-len(self), high=len(self) - 1)
        k = int(self.counts[index])
        return self.boxes[index, :k], self.labels[index, :k], self.scores[index, :k]

    def __repr__(self) -> str:
        return f"Detections(n={len(self)}, detections={int(self.counts.sum())})"
