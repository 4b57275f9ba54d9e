r"""Grad-CAM++ (Chattopadhay et al., 2018): pixel-wise weighted positive gradients.

Grad-CAM averages the gradient over all positions, so a class present several times,
or a large object covering many weak positions, is under-weighted. Grad-CAM++ weights
each position's positive gradient by a coefficient :math:`\alpha` that, for a network
that is piecewise linear in A (ReLU networks), has a closed form.
"""
from __future__ import annotations

import tensorflow as tf

from .cam_base import CAMBase


class GradCAMPlusPlus(CAMBase):
    r"""Grad-CAM++ channel weights.

    Write :math:`g = \partial y^c / \partial A_k(i, j)` for the target logit
    :math:`y^c`. The paper explains :math:`Y^c = \exp(y^c)`; then, because the higher
    derivatives of :math:`y^c` vanish for a piecewise-linear network,

    .. math::

        \frac{\partial Y^c}{\partial A} = Y^c g, \quad
        \frac{\partial^2 Y^c}{\partial A^2} = Y^c g^2, \quad
        \frac{\partial^3 Y^c}{\partial A^3} = Y^c g^3,

    and the coefficients are (the :math:`Y^c` factors cancel)

    .. math::

        \alpha_k(i, j) = \frac{g^2}{2 g^2 + \sum_{a, b} A_k(a, b)\, g^3},
        \qquad
        w_k^c = \sum_{i, j} \alpha_k(i, j)\, \mathrm{ReLU}(g),

    with :math:`\alpha = 0` where the denominator is 0. The paper's weight uses
    :math:`\mathrm{ReLU}(Y^c g)`; the positive per-image factor :math:`Y^c = e^{y^c}`
    (which can overflow) is dropped because it scales the whole map and disappears
    in the min-max normalisation.
    """

    name = "gradcam_plus_plus"

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)`` from ``activations`` and ``gradients`` (both ``(N, h, w, K)``)."""
        g2 = tf.square(gradients)
        g3 = g2 * gradients
        sum_a = tf.reduce_sum(activations, axis=(1, 2), keepdims=True)
        alpha = tf.math.divide_no_nan(g2, 2.0 * g2 + sum_a * g3)
        return tf.reduce_sum(alpha * tf.nn.relu(gradients), axis=(1, 2))


def gradcam_plus_plus(model, images, targets=None, *, layer=None, batch_size=None):
    """Grad-CAM++ heatmaps.

    Parameters and returns as :func:`helpers.explain.gradcam`.
    """
    return GradCAMPlusPlus.for_model(model, layer)(images, targets, batch_size=batch_size)
