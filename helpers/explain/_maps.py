"""Turning raw scores into heatmaps: bilinear upsampling and per-image min-max scaling.

Both are TensorFlow ops so that they run inside the compiled passes.
"""
from __future__ import annotations

import tensorflow as tf

CONSTANT_RTOL = 1e-6
"""A map whose range (max - min) is at most this fraction of its largest magnitude is
treated as constant and returned as zeros (dividing by a range that is only rounding
noise would turn that noise into a full-contrast picture)."""


def upsample(maps, size):
    """Bilinear upsampling of a batch of 2-D maps.

    Parameters
    ----------
    maps : tf.Tensor, float32, ``(N, h, w)``
    size : (H, W)
        Output size in pixels (the input image size).

    Returns
    -------
    tf.Tensor, float32, ``(N, H, W)``
        Half-pixel-centred bilinear interpolation, as ``cv2.resize(..., INTER_LINEAR)``
        and PyTorch's ``interpolate(mode="bilinear", align_corners=False)``.
    """
    return tf.image.resize(maps[..., None], size, method="bilinear")[..., 0]


def normalize_per_image(maps):
    """Min-max scale each map to [0, 1]; a constant map becomes all zeros (never NaN).

    Parameters
    ----------
    maps : tf.Tensor, float32, ``(N, H, W)``

    Returns
    -------
    tf.Tensor, float32, ``(N, H, W)``
        ``(m - min m) / (max m - min m)`` per image, or zeros where the map is constant
        (see :data:`CONSTANT_RTOL`).
    """
    lo = tf.reduce_min(maps, axis=(1, 2), keepdims=True)
    hi = tf.reduce_max(maps, axis=(1, 2), keepdims=True)
    span = hi - lo
    constant = span <= CONSTANT_RTOL * tf.maximum(tf.abs(hi), tf.abs(lo))
    safe_span = tf.where(constant, tf.ones_like(span), span)
    return tf.where(constant, tf.zeros_like(maps), (maps - lo) / safe_span)
