r"""The skeleton every CAM method shares.

A CAM method looks at the feature maps :math:`A \in \mathbb{R}^{N \times h \times w \times K}`
of one convolutional layer and gives each of the K channels a weight
:math:`w \in \mathbb{R}^{N \times K}` (per image, for that image's target class). The map is

.. math::

    L_n(i, j) = \mathrm{ReLU}\Big(\sum_k w_{nk}\, A_{nk}(i, j)\Big),

upsampled bilinearly to the input size and min-max scaled to [0, 1] per image
(a constant map gives zeros). CAM, Grad-CAM, Grad-CAM++ and Score-CAM differ **only**
in :meth:`CAMBase.channel_weights`; everything else is here.

For the gradient-based methods the forward pass, the gradient, the weights and the
map are one compiled TensorFlow function per batch (traced once per model, layer and
method; later calls reuse it).
"""
from __future__ import annotations

import weakref

import keras
import numpy as np
import tensorflow as tf

from .._checks import check_int
from ._inputs import (
    check_images,
    check_model,
    check_targets,
    model_input_shape,
    resolve_layer,
)
from ._logits import cached, logits_net, resolve_targets, target_logit
from ._maps import normalize_per_image, upsample

DEFAULT_BATCH_SIZE = 64
"""Images per compiled pass for the gradient-based methods."""


def combine(activations, weights, size):
    r"""The shared skeleton: :math:`\mathrm{ReLU}(\sum_k w_k A_k)`, upsampled and scaled.

    Parameters
    ----------
    activations : tf.Tensor, float32, ``(N, h, w, K)``
        Feature maps A of the chosen layer.
    weights : tf.Tensor, float32, ``(N, K)``
        One weight per image and channel.
    size : (H, W)
        Input image size in pixels.

    Returns
    -------
    tf.Tensor, float32, ``(N, H, W)`` in [0, 1]
    """
    cam = tf.nn.relu(tf.einsum("nhwk,nk->nhw", activations, weights))
    return normalize_per_image(upsample(cam, size))


class CAMBase:
    """Base class: find the layer, run the model, call the weights function, make maps.

    Subclasses set :attr:`name` and implement :meth:`channel_weights`. Use the
    function interface (:func:`helpers.explain.gradcam` etc.), which keeps one instance
    per model and layer so the compiled pass is reused.

    Parameters
    ----------
    model : keras.Model
        One image input, one output of class scores (logits, softmax or sigmoid).
    layer : None, str or keras.layers.Layer
        The convolutional layer whose maps are weighted; None picks
        :func:`helpers.models.last_conv_layer`.
    """

    name = "cam"
    needs_gradients = True

    def __init__(self, model: keras.Model, layer=None):
        check_model(model)
        self.layer = self.resolve_layer(model, layer)
        self.net = logits_net(model, self.layer)
        self._model = weakref.ref(model)
        h, w, c = model_input_shape(model)
        self._signature = [
            tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
            tf.TensorSpec((None,), tf.int32, name="targets"),
        ]
        self._compiled = tf.function(self._batch_maps, input_signature=self._signature,
                                     reduce_retracing=True)

    @classmethod
    def for_model(cls, model: keras.Model, layer=None) -> "CAMBase":
        """The cached instance for ``(model, layer)`` (built on first use)."""
        check_model(model)
        resolved = cls.resolve_layer(model, layer)
        return cached(model, (cls, id(resolved)), lambda: cls(model, resolved))

    @classmethod
    def resolve_layer(cls, model: keras.Model, layer):
        """The layer to explain; subclasses with stricter needs (CAM) override it."""
        return resolve_layer(model, layer)

    # ------------------------------------------------------------------ per method
    def channel_weights(self, activations, gradients, logits, targets):
        """One weight per image and channel, ``(N, K)`` float32 (TensorFlow ops).

        Parameters
        ----------
        activations : tf.Tensor, float32, ``(N, h, w, K)``
            Feature maps A.
        gradients : tf.Tensor, float32, ``(N, h, w, K)`` or None
            :math:`\\partial y^c / \\partial A` for each image's target logit
            :math:`y^c` (None when :attr:`needs_gradients` is False).
        logits : tf.Tensor, float32, ``(N, L)``
        targets : tf.Tensor, int32, ``(N,)``
            Each image's class (already resolved from "predicted").
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ the pass
    def forward(self, images, targets):
        """Feature maps, logits, gradients of the target logit and resolved targets.

        Returns
        -------
        activations : ``(N, h, w, K)``; logits : ``(N, L)``;
        gradients : ``(N, h, w, K)`` or None; targets : int32 ``(N,)``
        """
        if not self.needs_gradients:
            activations, logits = self.net(images)
            return activations, logits, None, resolve_targets(logits, targets)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(images)  # records the pass even when the model is frozen
            activations, logits = self.net(images)
            targets = resolve_targets(logits, targets)
            score = tf.reduce_sum(target_logit(logits, targets))
        # Images do not interact in inference mode, so the gradient of the summed
        # target logits is, image by image, the gradient of that image's logit.
        gradients = tape.gradient(score, activations)
        return activations, logits, gradients, targets

    def _batch_maps(self, images, targets):
        activations, logits, gradients, targets = self.forward(images, targets)
        weights = self.channel_weights(activations, gradients, logits, targets)
        return combine(activations, weights, tf.shape(images)[1:3])

    def _maps(self, x: np.ndarray, t: np.ndarray, batch_size: int, **options) -> np.ndarray:
        out = [self._compiled(tf.constant(x[i:i + batch_size]), tf.constant(t[i:i + batch_size]))
               for i in range(0, len(x), batch_size)]
        return np.concatenate([m.numpy() for m in out]) if len(out) > 1 else out[0].numpy()

    def __call__(self, images, targets=None, *, batch_size: int | None = None, **options):
        """Heatmaps for ``images``.

        Parameters
        ----------
        images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
        targets : None, int or sequence of int
            None: each image's predicted class; int: that class for all images; one per
            image otherwise. For a single sigmoid logit, 1 explains the logit, 0 its negative.
        batch_size : int, optional
            Images per compiled pass (default :data:`DEFAULT_BATCH_SIZE`).

        Returns
        -------
        np.ndarray, float32, ``(N, H, W)`` (or ``(H, W)`` for one image), in [0, 1]
        """
        model = self._model()
        x, single = check_images(images, model)
        t = check_targets(targets, len(x), self.net.n_logits)
        batch_size = self._check_batch_size(batch_size, x)
        maps = self._maps(x, t, batch_size, **options)
        return maps[0] if single else maps

    def _check_batch_size(self, batch_size, x) -> int:
        if batch_size is None:
            return DEFAULT_BATCH_SIZE
        return check_int(batch_size, "batch_size", 1)
