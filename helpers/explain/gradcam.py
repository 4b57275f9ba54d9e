r"""Grad-CAM (Selvaraju et al., 2017): channel weights from gradients.

Works on any CNN, whatever its head (Flatten, several Dense layers, a GAP): only the
gradient of the target logit with respect to the chosen layer's maps is needed.
"""
from __future__ import annotations

import tensorflow as tf

from .cam_base import CAMBase


class GradCAM(CAMBase):
    r"""Grad-CAM: the weight of channel k is the spatial mean of its gradient.

    .. math::

        w_k^c = \frac{1}{Z} \sum_{i, j} \frac{\partial y^c}{\partial A_k(i, j)},
        \qquad Z = h \cdot w,

    where :math:`y^c` is the target's logit (before any softmax/sigmoid) and
    :math:`A_k` is channel k of the layer's ``(h, w)`` feature maps. The map is
    :math:`\mathrm{ReLU}(\sum_k w_k^c A_k)`: channels whose increase would raise the
    class score count positively, the ReLU keeps only evidence *for* the class.
    """

    name = "gradcam"

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)``: mean of ``gradients`` (``(N, h, w, K)``) over the h x w positions."""
        return tf.reduce_mean(gradients, axis=(1, 2))


def gradcam(model, images, targets=None, *, layer=None, batch_size=None):
    """Grad-CAM heatmaps.

    Parameters
    ----------
    model : keras.Model
        Any CNN classifier with one image input; a final softmax/sigmoid is bypassed.
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: the predicted class of each image.
    layer : None, str or keras.layers.Layer
        Layer whose maps are weighted; None: the last convolution (:func:`helpers.models.last_conv_layer`).
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), each map in [0, 1]
    """
    return GradCAM.for_model(model, layer)(images, targets, batch_size=batch_size)
