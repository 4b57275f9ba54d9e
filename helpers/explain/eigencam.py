r"""Eigen-CAM (Muhammad and Yeasin, 2020): the first principal component of the maps.

No gradient and no class: the layer's maps, seen as h*w points in K dimensions, are
projected on their direction of largest variance. The result is the same whatever
``targets`` says (it is class-agnostic: any score object, a detection's too); ``targets``
is still checked against the model. It is a CAM like the others: its weights are
:math:`v_1` and its activations transform (:meth:`EigenCAM.transform_activations`)
centres the maps.
"""
from __future__ import annotations

import tensorflow as tf

from .cam_base import CAMBase


def principal_direction(activations):
    """``(N, K)`` float64: each image's first principal direction :math:`v_1`, sign fixed
    as :class:`EigenCAM` explains, from feature maps ``activations`` ``(N, h, w, K)``."""
    a = tf.cast(activations, tf.float64)
    n, k = tf.shape(a)[0], tf.shape(a)[3]
    rows = tf.reshape(a, (n, -1, k))
    centred = rows - tf.reduce_mean(rows, axis=1, keepdims=True)
    _, _, v = tf.linalg.svd(centred)  # v: (N, K, min(hw, K)), columns = directions
    first = v[:, :, 0]
    total = tf.reduce_sum(first, axis=1, keepdims=True)
    biggest = tf.gather(first, tf.argmax(tf.abs(first), axis=1), axis=1, batch_dims=1)
    sign = tf.where(total != 0, tf.sign(total), tf.sign(biggest)[:, None])
    return first * tf.where(sign == 0, tf.ones_like(sign), sign)


class EigenCAM(CAMBase):
    r"""Eigen-CAM: project the centred maps on their first principal component.

    Write :math:`A` as an :math:`(hw) \times K` matrix (one row per position), and
    :math:`\tilde A = A - \bar A` with the channel means over positions subtracted (as
    pytorch-grad-cam does: without centring the projection is dominated by the mean).
    With :math:`v_1` the first right singular vector of :math:`\tilde A`,

    .. math::

        L(i, j) = \mathrm{ReLU}\Big(\sum_k v_{1k}\, \tilde A_k(i, j)\Big).

    The sign of a singular vector is arbitrary (pytorch-grad-cam keeps whatever the SVD
    returns). Here it is fixed: :math:`\sum_k v_{1k} \ge 0`, which is the same as
    asking the projection to correlate non-negatively with the channel-sum map
    :math:`\sum_k A_k` (their covariance is :math:`\sigma_1^2 \sum_k v_{1k}`), so the
    map points where the layer is *more* active. If the sum is exactly 0, the loading
    of largest magnitude is made positive. The SVD is taken in float64.
    """

    name = "eigencam"
    needs_gradients = False

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)``: the first principal direction :math:`v_1` of each image's maps."""
        return principal_direction(activations)

    def transform_activations(self, activations):
        """The centred maps :math:`\\tilde A`: each channel's mean over positions removed."""
        return centre(activations)


def centre(activations):
    """``(N, h, w, K)``: each channel's mean over the h x w positions subtracted."""
    return activations - tf.reduce_mean(activations, axis=(1, 2), keepdims=True)


def eigencam(model, images, targets=None, *, layer=None, batch_size=None):
    """Eigen-CAM heatmaps (class-agnostic: ``targets`` does not change them).

    Parameters and returns as :func:`helpers.explain.gradcam`.
    """
    return EigenCAM.for_model(model, layer)(images, targets, batch_size=batch_size)
