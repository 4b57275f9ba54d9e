r"""Heatmaps of ONE detection's score, for a dense detector such as
:class:`helpers.models.CenterNet`.

A classifier has one score per class; a dense detector has one per class *and per
output cell*: the heatmap logit ``y[n, i, j, c]`` is the score of "an object of class
``c`` centred in cell ``(i, j)``". Explaining a detection means explaining that one
number. With :math:`A` the feature maps of a convolutional layer (``(h', w', K)``) and
:math:`S = y_{ijc}` the detection's score:

* ``"gradcam"``: Grad-CAM on :math:`S`: :math:`w_k = \operatorname{mean}_{uv}
  \partial S / \partial A_k(u, v)`, map :math:`\mathrm{ReLU}(\sum_k w_k A_k)`;
* ``"hirescam"``: HiResCAM on :math:`S`: the gradient times the activation, position by
  position, :math:`\mathrm{ReLU}(\sum_k \partial S / \partial A_k(u, v)\, A_k(u, v))`,
  which keeps *where* the gradient flows (the detection's receptive field);
* ``"eigencam"``: Eigen-CAM, the first principal component of :math:`A`: it needs no
  target, so it is the same map for every detection of the image.

Maps are combined, upsampled and scaled to [0, 1] exactly as the classifier methods do
(:func:`helpers.explain.cam_base.combine`).
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .._checks import check_array, check_choice, check_int
from .._keras import check_images, check_model, logits_net, resolve_layer
from .cam_base import combine
from .eigencam import principal_direction

__all__ = ["detection_cam", "DETECTION_CAM_METHODS"]

#: The methods :func:`detection_cam` knows.
DETECTION_CAM_METHODS = ("gradcam", "hirescam", "eigencam")


def _dense_output_shape(model: keras.Model) -> tuple[int, int, int]:
    shape = model.output_shape
    if isinstance(shape, list) or len(shape) != 4:
        raise ValueError(
            f"model must have one output of shape (N, h, w, L) (a dense detector's maps), "
            f"got output shape {shape}"
        )
    return shape[1], shape[2], shape[3]


def detection_cam(model, images, cells, classes, *, layer, method: str = "gradcam",
                  batch_size: int = 32) -> np.ndarray:
    """A CAM-family heatmap of one detection's score per image.

    Parameters
    ----------
    model : keras.Model
        One output, ``(N, h, w, L)``: channel ``c`` at cell ``(i, j)`` is the score (a
        logit) of a detection of class ``c`` there (CenterNet's heatmap channels).
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
        As the model expects them ([0, 1] for the course's models).
    cells : int array ``(N, 2)`` (or ``(2,)`` for one image)
        Each detection's output cell as ``(row, column)``, ``0 <= row < h``.
    classes : int array ``(N,)`` (or an int for one image)
        Each detection's class, ``0 <= class < L``.
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
    check_model(model)
    grid_h, grid_w, n_out = _dense_output_shape(model)
    method = check_choice(method, "method", DETECTION_CAM_METHODS)
    batch_size = check_int(batch_size, "batch_size", low=1)
    x, single = check_images(images, model)
    n = len(x)
    cells = check_array(cells, "cells", ndim=(1, 2), dtype=np.int64,
                        shape_hint="(N, 2) as (row, column)")
    classes = check_array(classes, "classes", ndim=(0, 1), dtype=np.int64, shape_hint="(N,)")
    if single:
        cells, classes = cells.reshape(1, -1), classes.reshape(1)
    if cells.shape != (n, 2):
        raise ValueError(f"cells must have shape ({n}, 2) (one (row, column) per image), "
                         f"got {cells.shape}")
    if classes.shape != (n,):
        raise ValueError(f"classes must have shape ({n},) (one per image), got {classes.shape}")
    for name, values, high in (("cells[:, 0] (row)", cells[:, 0], grid_h),
                               ("cells[:, 1] (column)", cells[:, 1], grid_w),
                               ("classes", classes, n_out)):
        bad = (values < 0) | (values >= high)
        if bad.any():
            raise ValueError(f"{name} must lie in [0, {high - 1}], got {values[bad][0]} "
                             f"at position {int(np.argmax(bad))}")
    chosen = resolve_layer(model, layer)
    out = []
    for start in range(0, n, batch_size):
        stop = start + batch_size
        out.append(_maps(model, chosen, tf.constant(x[start:stop]), cells[start:stop],
                         classes[start:stop], method).numpy())
    maps = np.concatenate(out) if len(out) > 1 else out[0]
    return maps[0] if single else maps


def _maps(model, layer, images, cells, classes, method):
    index = np.concatenate([np.arange(len(cells))[:, None], cells, classes[:, None]], axis=1)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(images)
        activations, outputs = logits_net(model, layer)(images)
        # images do not interact in inference mode: d(sum of scores)/dA is per image
        total = tf.reduce_sum(tf.gather_nd(outputs, tf.constant(index, tf.int32)))
    size = tf.shape(images)[1:3]
    if method == "eigencam":
        weights = tf.cast(principal_direction(activations), tf.float32)
        centred = activations - tf.reduce_mean(activations, axis=(1, 2), keepdims=True)
        return combine(centred, weights, size)
    gradients = tape.gradient(total, activations)
    if method == "gradcam":
        return combine(activations, tf.reduce_mean(gradients, axis=(1, 2)), size)
    return combine(activations, gradients, size)  # hirescam: per position and channel
