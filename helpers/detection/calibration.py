"""Are a detector's scores probabilities? The reliability of detection scores.

A detection's score is *calibrated* if, among detections scoring about ``s``, a fraction
``s`` are true positives. :func:`reliability` measures it: the detections are matched to
the ground truth as COCO matches them at one IoU threshold (per image and class, best
score first, each object taken once), and grouped into equal-width score bins; each bin
reports its detections' mean score and the fraction that are true positives. Average
precision cannot show this: it depends only on the *order* of the scores, so any
increasing function of them gives the same AP.

The expected calibration error (ECE) is the bin-size-weighted mean gap
``sum_b n_b / n * |fraction_b - mean_score_b|`` (Naeini et al. 2015; Kuppers et al.
2020 apply it to detection, there with box position as well).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_int, check_real, describe
from ..data.detectionset import DetectionSet
from .coco import COCO_AREA_RANGES, match_detections
from .coco_inputs import read_detections, read_ground_truth
from .coco_json import detections_to_coco, to_coco
from .coco_matching import MATCHED
from .detections import Detections

__all__ = ["Reliability", "reliability"]


@dataclass(frozen=True, eq=False)
class Reliability:
    """What :func:`reliability` returns; B score bins, D detections.

    Attributes
    ----------
    bin_edges : ndarray, shape (B + 1,)
        ``0, 1/B, ..., 1``; bin ``b`` holds scores in ``[edge_b, edge_b+1)``, the last
        bin also 1.
    counts : ndarray, int64, shape (B,)
        Detections per bin.
    mean_score : ndarray, shape (B,)
        Mean score of each bin's detections; -1 for an empty bin.
    fraction_true : ndarray, shape (B,)
        Fraction of each bin's detections that are true positives; -1 for an empty bin.
    ece : float
        Expected calibration error, in [0, 1].
    scores : ndarray, shape (D,)
        Every detection's score, and ``is_true`` (D,) bool, whether it is a true positive.
    iou_threshold : float
    """

    bin_edges: np.ndarray
    counts: np.ndarray
    mean_score: np.ndarray
    fraction_true: np.ndarray
    ece: float
    scores: np.ndarray
    is_true: np.ndarray
    iou_threshold: float

    def __repr__(self) -> str:
        return (f"Reliability(detections={len(self.scores)}, bins={len(self.counts)}, "
                f"ece={self.ece:.3f}, iou_threshold={self.iou_threshold})")


def reliability(detections, truth, bins: int = 10, iou_threshold: float = 0.5) -> Reliability:
    """Fraction of true positives per score bin (a reliability diagram's numbers).

    Parameters
    ----------
    detections : Detections
        A detector's output on the images of ``truth`` (same number of images).
    truth : DetectionSet
        The ground truth.
    bins : int >= 1
        Equal-width score bins over [0, 1]. Default 10.
    iou_threshold : float in (0, 1]
        IoU needed for a true positive. Default 0.5.

    Returns
    -------
    Reliability
        ``.mean_score``, ``.fraction_true``, ``.counts`` per bin, ``.ece``.

    Raises
    ------
    TypeError, ValueError
        For arguments of the wrong type, a different number of images, or no
        detections at all (nothing to bin).

    Examples
    --------
    >>> from helpers.data import detection_scenes
    >>> scenes = detection_scenes(2, seed=0)
    >>> hits = Detections.from_lists(
    ...     [scenes.objects(i)[0] for i in range(2)], [scenes.objects(i)[1] for i in
    ...     range(2)], [np.full(scenes.counts[i], 0.95) for i in range(2)])
    >>> r = reliability(hits, scenes)
    >>> float(r.fraction_true[-1]), round(r.ece, 2)     # all true, all scored 0.95
    (1.0, 0.05)
    """
    if not isinstance(detections, Detections):
        raise TypeError(f"detections must be a Detections, got {describe(detections)}.")
    if not isinstance(truth, DetectionSet):
        raise TypeError(f"truth must be a DetectionSet, got {describe(truth)}.")
    if len(detections) != len(truth):
        raise ValueError(f"detections cover {len(detections)} images and truth "
                         f"{len(truth)}; they must be the same images.")
    bins = check_int(bins, "bins", low=1)
    iou_threshold = check_real(iou_threshold, "iou_threshold", low=0.0, high=1.0,
                               low_open=True)
    n_detections = int(detections.counts.sum())
    if n_detections == 0:
        raise ValueError("detections holds no detection; a reliability diagram needs at "
                         "least one.")
    if int(detections.labels.max()) >= truth.n_classes:
        raise ValueError(f"detections has class {int(detections.labels.max())}, but truth "
                         f"has {truth.n_classes} classes.")
    gt = read_ground_truth(to_coco(truth))
    dets = read_detections(detections_to_coco(detections), gt)
    max_det = int(detections.counts.max())  # every detection takes part
    matching = match_detections(gt, dets, np.array([iou_threshold]),
                                np.array([COCO_AREA_RANGES["all"]]), max_det)
    is_true = np.zeros(n_detections, bool)
    is_true[matching.det_order] = matching.outcome[0, 0] == MATCHED
    scores = dets.scores
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.minimum((scores * bins).astype(np.int64), bins - 1)
    counts = np.bincount(which, minlength=bins)
    filled = counts > 0
    mean_score = np.full(bins, -1.0)
    fraction = np.full(bins, -1.0)
    mean_score[filled] = np.bincount(which, scores, bins)[filled] / counts[filled]
    fraction[filled] = np.bincount(which, is_true, bins)[filled] / counts[filled]
    ece = float(np.sum(counts[filled] / n_detections
                       * np.abs(fraction[filled] - mean_score[filled])))
    return Reliability(bin_edges=edges, counts=counts, mean_score=mean_score,
                       fraction_true=fraction, ece=ece, scores=scores, is_true=is_true,
                       iou_threshold=iou_threshold)
