"""Instance masks for COCO's ``segm`` evaluation: run-length encoding and mask IoU.

COCO stores a mask as a *run-length encoding* (RLE) of the mask read column by column
(Fortran order): ``{"counts": [...], "size": [H, W]}``, the counts alternating runs of 0
and 1 and starting with the zeros (a first run of length 0 if the first pixel is set).
pycocotools writes ``counts`` either as that list (*uncompressed* RLE) or as a string
(*compressed* RLE, each count a variable-length group of 5-bit characters, stored as the
difference from the count two places earlier). Both are read here, in plain NumPy.

The IoU of two masks is computed as pycocotools' ``maskUtils.iou`` does: intersection
and union counted in pixels (whole numbers, so the float division gives the same bits),
0 where the masks do not intersect, and for a crowd region the detection's own area in
place of the union. Polygons are not read (rasterising them exactly as pycocotools does
is its own algorithm): turn them into RLE with ``pycocotools.mask.frPyObjects`` first.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .._checks import check_array, describe, is_int

__all__ = ["mask_to_rle", "rle_to_mask", "decode_segmentation", "PackedMasks",
           "mask_pair_iou"]

#: Pairs whose intersections are counted at once (memory: pairs x bytes per mask).
_CHUNK = 4096


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


def _counts_from_string(text: str, where: str) -> np.ndarray:
    """The run lengths of a compressed RLE string (pycocotools' ``rleFrString``)."""
    codes = np.frombuffer(text.encode("ascii", errors="replace"), np.uint8).astype(np.int64)
    codes = codes - 48
    if ((codes < 0) | (codes > 63)).any():
        raise ValueError(f"{where}: counts is not a COCO compressed RLE string (characters "
                         "outside '0'..'o').")
    counts, value, shift = [], 0, 0
    for code in codes.tolist():
        value |= (code & 0x1F) << shift
        shift += 5
        if code & 0x20:  # more groups follow
            continue
        if code & 0x10:  # sign bit of the last group
            value -= 1 << shift
        if len(counts) > 2:
            value += counts[-2]
        counts.append(value)
        value, shift = 0, 0
    if shift:
        raise ValueError(f"{where}: the compressed RLE string in counts ends in the middle "
                         "of a number (truncated?).")
    return np.array(counts, np.int64)


def rle_to_mask(rle, where: str = "rle") -> np.ndarray:
    """The bool mask (H, W) of a COCO RLE, uncompressed (list counts) or compressed
    (string counts); the inverse of :func:`mask_to_rle`."""
    if not isinstance(rle, Mapping) or "counts" not in rle or "size" not in rle:
        raise TypeError(f"{where} must be a dict with 'counts' and 'size', got {rle!r:.80}.")
    size = rle["size"]
    if isinstance(size, (str, bytes)) or not isinstance(size, (Sequence, np.ndarray)) \
            or len(size) != 2 or not all(is_int(v) and v >= 0 for v in size):
        raise ValueError(f"{where}['size'] must be [H, W], two whole numbers >= 0, got {size!r}.")
    height, width = (int(v) for v in size)
    counts = rle["counts"]
    if isinstance(counts, bytes):
        counts = counts.decode("ascii", errors="replace")
    if isinstance(counts, str):
        runs = _counts_from_string(counts, where)
    else:
        runs = check_array(counts, f"{where}['counts']", ndim=1, dtype=np.int64,
                           allow_empty=True)
    if (runs < 0).any() or runs.sum() != height * width:
        raise ValueError(
            f"{where}['counts'] must be non-negative run lengths summing to H * W = "
            f"{height * width}, got a sum of {int(runs.sum())}."
        )
    values = np.arange(len(runs)) % 2 == 1
    return np.repeat(values, runs).reshape((height, width), order="F")


def decode_segmentation(segmentation, where: str) -> np.ndarray:
    """A record's ``segmentation`` as a bool mask (H, W).

    Accepted: a COCO RLE dict (list or string ``counts``) or a 2-D bool array.
    Polygons (a list of coordinate lists) are refused with a ``ValueError``.
    """
    if isinstance(segmentation, np.ndarray):
        if segmentation.dtype != np.bool_ or segmentation.ndim != 2:
            raise TypeError(f"{where}: segmentation as an array must be a 2-D bool mask "
                            f"(H, W), got {segmentation.dtype} {segmentation.shape}.")
        return segmentation
    if isinstance(segmentation, Mapping):
        return rle_to_mask(segmentation, f"{where}: segmentation")
    if isinstance(segmentation, (list, tuple)):
        raise ValueError(
            f"{where}: segmentation is a polygon; only RLE (a dict with 'counts' and "
            "'size') or a bool mask is read here. Convert polygons with "
            "pycocotools.mask.frPyObjects(polygon, H, W)."
        )
    raise TypeError(f"{where}: segmentation must be a COCO RLE dict or a 2-D bool mask, got "
                    f"{describe(segmentation)}.")


class PackedMasks:
    """Masks of possibly different sizes as rows of packed bits, with their areas.

    Rows are zero-padded to the longest mask; since only masks of the same image
    (hence the same size, which the readers check) are ever compared, the padding
    never meets a set bit.

    Attributes
    ----------
    bits : ndarray, uint8, shape (G, B)
        ``np.packbits`` of each mask read in Fortran order.
    areas : ndarray, int64, shape (G,)
        Pixels set in each mask.
    sizes : ndarray, int64, shape (G, 2)
        ``(H, W)`` of each mask.
    """

    def __init__(self, masks: Sequence[np.ndarray]):
        n_bytes = max((-(-m.size // 8) for m in masks), default=0)
        self.bits = np.zeros((len(masks), n_bytes), np.uint8)
        for row, mask in zip(self.bits, masks):
            packed = np.packbits(mask.ravel(order="F"))
            row[:len(packed)] = packed
        self.areas = np.array([int(np.count_nonzero(m)) for m in masks], np.int64)
        self.sizes = np.array([m.shape for m in masks], np.int64).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self.areas)

    def take(self, index: np.ndarray) -> "PackedMasks":
        """The masks at ``index`` (an int array), in that order."""
        out = PackedMasks.__new__(PackedMasks)
        out.bits, out.areas, out.sizes = self.bits[index], self.areas[index], self.sizes[index]
        return out


def mask_pair_iou(det: PackedMasks, gt: PackedMasks, pair_det: np.ndarray,
                  pair_gt: np.ndarray, gt_is_crowd: np.ndarray) -> np.ndarray:
    """IoU of mask ``det[pair_det[p]]`` with mask ``gt[pair_gt[p]]``, as pycocotools
    computes it.

    Parameters
    ----------
    det, gt : PackedMasks
        D and G masks; each pair compared must have one size.
    pair_det, pair_gt : ndarray, int, shape (P,)
        Rows of ``det`` and ``gt`` to compare.
    gt_is_crowd : ndarray, bool, shape (G,)
        A crowd region divides the intersection by the detection's area only.

    Returns
    -------
    ndarray, float64, shape (P,)
        ``intersection / union`` in pixels; 0 where the masks do not intersect.
    """
    intersection = np.zeros(len(pair_det), np.int64)
    for start in range(0, len(pair_det), _CHUNK):
        rows = slice(start, start + _CHUNK)
        both = np.bitwise_and(det.bits[pair_det[rows]], gt.bits[pair_gt[rows]])
        intersection[rows] = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
    det_area, gt_area = det.areas[pair_det], gt.areas[pair_gt]
    union = np.where(gt_is_crowd[pair_gt], det_area, det_area + gt_area - intersection)
    iou = np.zeros(len(pair_det), np.float64)
    hit = intersection > 0
    iou[hit] = intersection[hit] / union[hit]
    return iou
