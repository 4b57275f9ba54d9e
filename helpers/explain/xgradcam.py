r"""XGrad-CAM (Fu et al., 2020): gradients averaged with the activations as weights.

Derived from two axioms (sensitivity and conservation), XGrad-CAM weights each
position's gradient by that position's share of the channel's total activation,
instead of Grad-CAM's uniform average.
"""
from __future__ import annotations

import tensorflow as tf

from .cam_base import CAMBase


class XGradCAM(CAMBase):
    r"""XGrad-CAM channel weights.

    .. math::

        w_k^c = \sum_{i, j} \frac{A_k(i, j)}{\sum_{a, b} A_k(a, b)}\,
                \frac{\partial y^c}{\partial A_k(i, j)}.

    pytorch-grad-cam adds 1e-7 to the denominator; here a channel whose activations
    sum to exactly 0 gets weight 0 instead (for ReLU maps that channel is all zero and
    adds nothing either way; elsewhere the difference is a relative 1e-7).
    """

    name = "xgradcam"

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)`` from ``activations`` and ``gradients`` (both ``(N, h, w, K)``)."""
        total = tf.reduce_sum(activations, axis=(1, 2))
        return tf.math.divide_no_nan(tf.reduce_sum(gradients * activations, axis=(1, 2)), total)


def xgradcam(model, images, targets=None, *, layer=None, batch_size=None):
    """XGrad-CAM heatmaps.

    Parameters and returns as :func:`helpers.explain.gradcam`.
    """
    return XGradCAM.for_model(model, layer)(images, targets, batch_size=batch_size)
