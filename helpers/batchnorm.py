r"""Precise BatchNorm statistics: the moving averages replaced by the real ones.

A ``BatchNormalization`` layer normalises with the current batch's mean and variance
while training, and with *moving averages* of them at inference. Keras updates those
averages by 1 % per step (``momentum=0.99``), starting from mean 0 and variance 1.
After a short run, a few dozen steps as in most chapters of this course, they are
still mostly their starting values. When the real activations have a variance of
0.001 (the Score-CAM notes' VGG-like network on 64x64 images, with Keras' default initialisation)
the layer then divides by :math:`\sqrt{0.75}` instead of :math:`\sqrt{0.001}`, every
prediction collapses to the same output, and a model with 93 % training accuracy
scores exactly 50 % on validation.

:func:`recalibrate_batchnorm` fixes that at the root: it runs the model over a sample of
training images and sets each layer's moving mean and variance to the average of the
batch statistics it sees ("precise BN", Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm").
:func:`helpers.training.fit` does it after every epoch, before the validation pass.
Dropout is switched off during the recalibration, so the statistics are those of the
activations the layer will see at inference.
"""
from __future__ import annotations

import keras
import numpy as np

from ._checks import check_array, check_int
from ._keras import all_layers, check_model

__all__ = ["batchnorm_layers", "recalibrate_batchnorm", "PreciseBatchNorm"]

_NOISE_ATTRIBUTES = {  # layers active only in training, and the attribute that switches them off
    keras.layers.Dropout: "rate",
    keras.layers.SpatialDropout1D: "rate",
    keras.layers.SpatialDropout2D: "rate",
    keras.layers.SpatialDropout3D: "rate",
    keras.layers.GaussianDropout: "rate",
    keras.layers.AlphaDropout: "rate",
    keras.layers.GaussianNoise: "stddev",
}


def batchnorm_layers(model: keras.Model) -> list:
    """The trainable ``BatchNormalization`` layers of ``model`` (nested models included).

    Frozen layers (``trainable=False``, e.g. in a frozen pretrained base) are left out:
    Keras runs them in inference mode and never updates their statistics.
    """
    check_model(model, built=False, single=False)
    return [layer for layer in all_layers(model)
            if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable]


def recalibrate_batchnorm(model: keras.Model, images, *, batch_size: int = 128,
                          max_images: int = 512) -> int:
    """Set every trainable BatchNorm layer's moving statistics from ``images``.

    Parameters
    ----------
    model : keras.Model
        A built model; its weights other than the moving statistics are not touched.
    images : float array ``(N, H, W, C)``
        Training images as the model takes them. At most ``max_images`` are used
        (the first ones: pass them shuffled).
    batch_size : int
        Images per forward pass (>= 2: a batch variance needs two samples).
    max_images : int
        How many images to use (>= 1).

    Returns
    -------
    int
        The number of layers recalibrated (0 when the model has no trainable BatchNorm).

    Notes
    -----
    Each layer's moving mean becomes the mean of the per-batch means over equal-sized
    batches, and its moving variance the mean of the per-batch variances (Keras' own
    batch statistics). The model runs in training mode with every dropout and noise
    layer switched off, so downstream layers see what they see at inference, up to the
    batch-versus-population difference of the normalisation (small for batches of 100+).
    """
    layers = batchnorm_layers(model)
    batch_size = check_int(batch_size, "batch_size", low=2)
    max_images = check_int(max_images, "max_images", low=1)
    x = check_array(images, "images", ndim=4, dtype=np.float32, shape_hint="(N, H, W, C)")
    if not layers:
        return 0
    x = x[:max_images]
    per_batch = min(batch_size, len(x))
    n_batches = max(1, len(x) // per_batch)
    noise = [(layer, attr, getattr(layer, attr)) for layer in all_layers(model)
             for kind, attr in _NOISE_ATTRIBUTES.items() if isinstance(layer, kind)]
    momenta = [layer.momentum for layer in layers]
    try:
        for layer, attr, _ in noise:
            setattr(layer, attr, 0.0)
        for i in range(n_batches):
            for layer in layers:  # cumulative average: new = old * i/(i+1) + batch/(i+1)
                layer.momentum = i / (i + 1)
            model(x[i * per_batch:(i + 1) * per_batch], training=True)
    finally:
        for layer, momentum in zip(layers, momenta):
            layer.momentum = momentum
        for layer, attr, value in noise:
            setattr(layer, attr, value)
    return len(layers)


class PreciseBatchNorm(keras.callbacks.Callback):
    """Recalibrate BatchNorm statistics after each epoch, before validation.

    Used by :func:`helpers.training.fit`. Keras runs the validation pass (and its
    ``on_test_begin``) before ``on_epoch_end``, so the recalibration happens in
    ``on_test_begin`` when the weights changed since the last one, and once more at
    the end of training.

    Parameters
    ----------
    images : float array ``(N, H, W, C)``
        A sample of training images (shuffled; at most ``max_images`` are used).
    """

    def __init__(self, images, *, batch_size: int = 128, max_images: int = 512):
        super().__init__()
        self.images = check_array(images, "images", ndim=4, dtype=np.float32,
                                  shape_hint="(N, H, W, C)")
        self.batch_size = check_int(batch_size, "batch_size", low=2)
        self.max_images = check_int(max_images, "max_images", low=1)
        self._stale = False

    def _recalibrate(self):
        if self._stale:
            recalibrate_batchnorm(self.model, self.images, batch_size=self.batch_size,
                                  max_images=self.max_images)
            self._stale = False

    def on_train_batch_end(self, batch, logs=None):
        self._stale = True

    def on_test_begin(self, logs=None):
        self._recalibrate()

    def on_train_end(self, logs=None):
        self._recalibrate()
