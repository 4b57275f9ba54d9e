r"""Guided backpropagation (Springenberg et al., 2015) and Guided Grad-CAM (Selvaraju et al., 2017).

Guided backpropagation is the input gradient with one change: at every ReLU, only
*positive* gradients pass backwards (on top of the usual "only where the ReLU was
active"). The maps look sharp, like edges of the image, but they hardly depend on the
class or even on the weights (Adebayo et al., 2018): Chapter 8 measures that. Guided
Grad-CAM multiplies them by Grad-CAM's class-specific map.

The rule applies only inside the explanation's own pass: the user's model (its layers,
activations and predictions) is not changed.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .gradcam import gradcam
from .gradients import gradient_map, input_gradients, prepare
from ._maps import normalize_per_image


def guided_backprop_attributions(model, images, targets=None, *, batch_size=None):
    r"""Raw guided-backpropagation gradients, ``(N, H, W, C)`` (not scaled).

    The gradient of the target's logit with respect to the image, where the backward
    pass through every ReLU :math:`a = \max(z, 0)` is

    .. math::

        \frac{\partial}{\partial z} \leftarrow
        [z > 0]\; \mathrm{ReLU}\Big(\frac{\partial}{\partial a}\Big)

    instead of :math:`[z > 0]\, \partial / \partial a`. As Captum's ``GuidedBackprop``,
    but Captum changes only ``nn.ReLU`` modules; Keras puts most ReLUs inside layers
    (``Conv2D(..., activation="relu")``), so here every plain ReLU counts: a layer's
    ``activation="relu"``, ``keras.layers.ReLU()`` (without max value, slope or
    threshold), ``Activation("relu")`` and ``keras.ops.relu`` in a functional graph.

    Parameters and returns as :func:`integrated_gradients_attributions` (no baseline).
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    grads = input_gradients(model, x, scores, batch_size, guided=True)
    return grads[0] if single else grads


def guided_backprop(model, images, targets=None, *, batch_size=None):
    r"""Guided backpropagation heatmaps: :math:`\max_c |g_c|` of the guided gradient,
    min-max scaled per image (as :func:`helpers.explain.saliency` for the plain gradient).

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: each image's predicted class.
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]
    """
    grads = guided_backprop_attributions(model, images, targets, batch_size=batch_size)
    g = grads[None] if grads.ndim == 3 else grads
    maps = gradient_map(tf.constant(g)).numpy()
    return maps[0] if grads.ndim == 3 else maps


def guided_gradcam(model, images, targets=None, *, layer=None, batch_size=None):
    r"""Guided Grad-CAM heatmaps: guided backpropagation times the Grad-CAM map.

    .. math::

        M(i, j) = L^c_{\text{Grad-CAM}}(i, j)\, \max_c |g_c(i, j)|,

    with :math:`L_{\text{Grad-CAM}}` the upsampled Grad-CAM map in [0, 1]
    (:func:`helpers.explain.gradcam`) and :math:`g` the guided-backpropagation gradient;
    min-max scaled per image. Selvaraju et al. multiply the Grad-CAM map into all
    colour channels of :math:`g`; since the map is >= 0, taking :math:`\max_c |\cdot|`
    afterwards gives the same heatmap as here.

    Parameters
    ----------
    model, images, targets
        As :func:`guided_backprop`.
    layer : None, str or keras.layers.Layer
        Grad-CAM's layer (None: the last convolution).
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    cam = gradcam(model, x, targets, layer=layer, batch_size=batch_size)
    grads = input_gradients(model, x, scores, batch_size, guided=True)
    raw = cam * np.abs(grads).max(axis=-1)
    maps = normalize_per_image(tf.constant(raw, tf.float32)).numpy()
    return maps[0] if single else maps
