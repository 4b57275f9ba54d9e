"""Every use of Keras' private API in ``helpers``, in one place.

Two internals are needed, both present in every Keras 3 release (pinned by
``tests/test_keras_core.py`` against the range in :data:`SUPPORTED_KERAS`):

* ``KerasTensor._keras_history``: the operation that produced a symbolic tensor (to
  walk a functional graph backwards from its output);
* ``Functional._run_through_graph``: run a functional model op by op with a callback
  per op (to skip the final softmax and capture one layer's maps on the way, without
  cloning or modifying the user's model).

Nothing else in ``helpers`` touches a Keras attribute that starts with an underscore.
"""
from __future__ import annotations

import keras
from keras import layers

SUPPORTED_KERAS = ("3.0", "4")
"""Keras versions the private API below is known to exist in: ``>= 3.0, < 4``
(the lower bound is ``requirements.txt``'s)."""

PRIVATE_API = (
    ("keras.KerasTensor", "_keras_history"),
    ("keras.Model (Functional)", "_run_through_graph"),
)
"""``(owner, attribute)`` of each private Keras name used here (tested to exist)."""


def producer(tensor):
    """The operation (layer or op) that produced the symbolic ``tensor``."""
    return tensor._keras_history.operation


def output_operation(model: keras.Model):
    """The layer (or op) that produces the model's (first) output.

    For a Functional model this follows the output tensor back to its layer, which
    need not be ``model.layers[-1]``; for a Sequential model it is the last layer.
    """
    if isinstance(model, keras.Sequential):
        return [lay for lay in model.layers if not isinstance(lay, layers.InputLayer)][-1]
    return producer(model.outputs[0])


def nested_output(model: keras.Model):
    """``(level, op)``: the operation producing ``model``'s output, looking inside nested
    models. While that operation is itself a model (a base such as VGG16 used as a
    layer), descend into it; ``level`` is the innermost model, ``op`` its output layer.
    """
    level, op = model, output_operation(model)
    while isinstance(op, keras.Model):
        level, op = op, output_operation(op)
    return level, op


def innermost_operation(op):
    """``op`` itself, or, when ``op`` is a nested model, the layer producing its output
    (descending through every level of nesting)."""
    return nested_output(op)[1] if isinstance(op, keras.Model) else op


def input_operation(model: keras.Model, op):
    """The operation whose output feeds ``op`` inside ``model``.

    Returns None when ``op`` reads the model's input, the string ``"several inputs"``
    when it has more than one input tensor.
    """
    if isinstance(model, keras.Sequential):
        flat = [lay for lay in model.layers if not isinstance(lay, layers.InputLayer)]
        i = next(i for i, lay in enumerate(flat) if lay is op)
        return flat[i - 1] if i > 0 else None
    inp = op.input
    if isinstance(inp, (list, tuple)):
        return "several inputs"
    prev = producer(inp)
    return None if isinstance(prev, layers.InputLayer) else prev


def run_graph(model: keras.Model, x, operation_fn):
    """Run functional ``model`` on ``x``, calling ``operation_fn(op)(*args, **kwargs)``
    in place of each op; returns the (first) output."""
    outputs = model._run_through_graph([x], operation_fn=operation_fn)
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


class _OwnKey:
    """A callable that TensorFlow counts apart from every other function.

    ``tf.function`` counts traces per *code object*, so functions built from one
    lambda for many models (a new model, layer or score each) look like one function
    retraced, and TensorFlow prints a long "retracing" warning although every trace
    is needed. An object without ``__code__`` is its own key.
    """

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, *args):
        return self._fn(*args)


def compiled_function(fn, **options):
    """``tf.function(fn, **options)``, traced and counted on its own (see :class:`_OwnKey`)."""
    import tensorflow as tf

    return tf.function(_OwnKey(fn), **options)

