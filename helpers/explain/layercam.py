r"""LayerCAM (Jiang et al., 2021): positive gradients as per-position weights.

Meant for shallow layers too, where Grad-CAM's averaged weights give coarse or noisy
maps: each position keeps its own (positive) gradient, so maps of several layers can be
compared or fused.
"""
from __future__ import annotations

import tensorflow as tf

from .cam_base import CAMBase


class LayerCAM(CAMBase):
    r"""LayerCAM: the weight of channel k at (i, j) is its positive gradient there.

    .. math::

        w_k^c(i, j) = \mathrm{ReLU}\Big(\frac{\partial y^c}{\partial A_k(i, j)}\Big),
        \qquad
        L^c(i, j) = \mathrm{ReLU}\Big(\sum_k w_k^c(i, j)\, A_k(i, j)\Big),

    as pytorch-grad-cam's ``LayerCAM`` and tf-keras-vis's ``Layercam``.
    """

    name = "layercam"

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, h, w, K)``: the positive part of the gradients."""
        return tf.nn.relu(gradients)


def layercam(model, images, targets=None, *, layer=None, batch_size=None):
    """LayerCAM heatmaps.

    Parameters and returns as :func:`helpers.explain.gradcam`.
    """
    return LayerCAM.for_model(model, layer)(images, targets, batch_size=batch_size)
