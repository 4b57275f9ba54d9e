r"""What an explanation costs: passes through the network, counted, and seconds, timed.

Methods differ enormously in cost: a saliency map needs one forward and one backward
pass per image, SmoothGrad one of each per noisy copy, occlusion one forward pass per
patch position. :class:`PassCounter` *counts* them instead of trusting a formula: an
identity layer placed in front of the model adds up the images that go forward through
it, and the images whose gradient comes back through it. :func:`measure_cost` runs a
method on a counting copy of the model, then times it on the model itself.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .._checks import check_int
from .._keras import check_images, check_model, model_input_shape


class PassCounter(keras.layers.Layer):
    """An identity layer that counts the images passing through it, both ways.

    ``forward`` adds up the batch sizes of the calls (images sent forward);
    ``backward`` the batch sizes of the gradients that flow back through it (images
    whose input gradient was computed). Both are int64 variables; the output is the
    input, unchanged, and so is its gradient.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("dtype", "float32")   # pass images on untouched, whatever the policy
        super().__init__(**kwargs)
        self.forward = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                       trainable=False, name="forward")
        self.backward = self.add_weight(shape=(), dtype="int64", initializer="zeros",
                                        trainable=False, name="backward")

    def call(self, inputs, training=None):
        self.forward.assign_add(tf.cast(tf.shape(inputs)[0], tf.int64))
        backward = self.backward

        @tf.custom_gradient
        def identity(x):
            def gradient(upstream):
                backward.assign_add(tf.cast(tf.shape(upstream)[0], tf.int64))
                return tf.identity(upstream)
            return tf.identity(x), gradient

        return identity(inputs)

    def compute_output_spec(self, inputs, training=None):
        return keras.KerasTensor(inputs.shape, inputs.dtype)

    def reset(self) -> None:
        """Set both counts back to zero."""
        self.forward.assign(0)
        self.backward.assign(0)

    @property
    def counts(self) -> tuple[int, int]:
        """``(forward, backward)``: images counted so far."""
        return int(self.forward.numpy()), int(self.backward.numpy())


def counting_model(model) -> tuple[keras.Model, PassCounter]:
    """``model`` behind a :class:`PassCounter`: same outputs, same weights (shared).

    Returns
    -------
    counted : keras.Model
        ``Sequential([Input, PassCounter, model])``, a new one per call (explanation
        methods compile their passes for it afresh).
    counter : PassCounter
    """
    check_model(model)
    counter = PassCounter(name="pass_counter")
    counted = keras.Sequential([keras.Input(model_input_shape(model)), counter, model],
                               name=f"{model.name}_counted")
    return counted, counter


@dataclass(frozen=True)
class Cost:
    """The cost of explaining one image, on average over a batch.

    Attributes
    ----------
    forward : float
        Images sent forward through the network, per explained image.
    backward : float
        Input gradients computed (backward passes), per explained image.
    seconds : float
        Wall-clock seconds per explained image: the fastest of the timed runs, after
        one untimed run (which traces and compiles).
    """

    forward: float
    backward: float
    seconds: float


def measure_cost(method, model, images, *, repeats=3, **options) -> Cost:
    """Count the passes an explanation method makes, and time it.

    Parameters
    ----------
    method : callable
        ``method(model, images, **options)``, e.g. ``helpers.explain.smoothgrad``.
    model : keras.Model
    images : float array ``(N, H, W, C)``
    repeats : int >= 1
        Timed runs; the fastest counts (the others absorb the machine's noise).
    **options
        Passed to the method (e.g. ``n_samples=25``).

    Returns
    -------
    Cost
        Counts from one run on :func:`counting_model`; time from runs on ``model``.
    """
    if not callable(method):
        raise TypeError(f"method must be a function such as helpers.explain.saliency, "
                        f"got {type(method).__name__}")
    check_model(model)
    x, single = check_images(images, model)
    if single:
        raise ValueError(f"images must be a batch (N, H, W, C), got one image of shape {x.shape[1:]}")
    repeats = check_int(repeats, "repeats", low=1)
    n = len(x)

    counted, counter = counting_model(model)
    counter.reset()
    method(counted, x, **options)
    forward, backward = counter.counts

    method(model, x, **options)  # untimed: tracing and compiling
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        method(model, x, **options)
        times.append(time.perf_counter() - start)
    return Cost(forward / n, backward / n, float(np.min(times)) / n)
