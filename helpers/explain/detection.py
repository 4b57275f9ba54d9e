r"""Heatmaps of ONE detection's score, for a dense detector such as
:class:`helpers.models.CenterNet`: a convenience over the score objects.

A classifier has one score per class; a dense detector has one per class *and per
output cell*: the heatmap logit ``y[n, i, j, c]`` is the score of "an object of class
``c`` centred in cell ``(i, j)``". Explaining a detection means explaining that one
number, :class:`~helpers.explain.targets.DetectionCell` ``(i, j, c)`` (or
:class:`~helpers.explain.targets.DetectionBox` ``(box, c)``), with any method::

    helpers.explain.gradcam(model, images, DetectionCell(5, 7, 0), layer="head_features")

:func:`detection_cam` only builds those score objects from arrays of cells and classes
and calls the method: Grad-CAM, HiResCAM and Eigen-CAM are the classifier methods
themselves (Eigen-CAM, class-agnostic, gives the same map for every detection).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_choice
from .eigencam import eigencam
from .gradcam import gradcam
from .hirescam import hirescam
from .targets import DetectionCell

__all__ = ["detection_cam", "DETECTION_CAM_METHODS"]

#: The methods :func:`detection_cam` knows (any method takes a DetectionCell).
DETECTION_CAM_METHODS = ("gradcam", "hirescam", "eigencam")
_FUNCTIONS = {"gradcam": gradcam, "hirescam": hirescam, "eigencam": eigencam}


def detection_cam(model, images, cells, classes, *, layer, method: str = "gradcam",
                  batch_size: int = 32) -> np.ndarray:
    """A CAM-family heatmap of one detection's score per image.

    The same as ``method(model, images, [DetectionCell(row, col, c) ...], layer=layer,
    batch_size=batch_size)``.

    Parameters
    ----------
    model : keras.Model
        One output, ``(N, h, w, L)``: channel ``c`` at cell ``(i, j)`` is the score (a
        logit) of a detection of class ``c`` there (CenterNet's heatmap channels).
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    cells : int array ``(N, 2)`` (or ``(2,)`` for one image)
        Each detection's output cell as ``(row, column)``, ``0 <= row < h``.
    classes : int array ``(N,)`` (or an int for one image)
        Each detection's class channel, ``0 <= class < L``.
    layer : str or keras.layers.Layer
        The convolutional layer whose maps are weighted (4-D output). Required: in a
        detector the last convolution is the 1x1 head, whose map is the score itself.
    method : {"gradcam", "hirescam", "eigencam"}
    batch_size : int, >= 1
        Images per pass.

    Returns
    -------
    numpy.ndarray, float32, ``(N, H, W)`` (or ``(H, W)`` for one image), in [0, 1]
        All zeros where nothing supports the score (a constant map).
    """
    method = check_choice(method, "method", DETECTION_CAM_METHODS)
    cells = check_array(cells, "cells", ndim=(1, 2), dtype=np.int64,
                        shape_hint="(N, 2) as (row, column)")
    classes = check_array(classes, "classes", ndim=(0, 1), dtype=np.int64, shape_hint="(N,)")
    single = cells.ndim == 1
    cells, classes = cells.reshape(-1, 2) if single else cells, classes.reshape(-1)
    if cells.shape[1:] != (2,) or len(classes) != len(cells):
        raise ValueError(f"cells must have shape (N, 2) (one (row, column) per image) and "
                         f"classes shape (N,), got {cells.shape} and {classes.shape}")
    scores = [DetectionCell(int(r), int(c), int(k)) for (r, c), k in zip(cells, classes)]
    return _FUNCTIONS[method](model, images, scores[0] if single else scores, layer=layer,
                              batch_size=batch_size)
