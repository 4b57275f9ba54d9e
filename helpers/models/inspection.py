"""Looking inside a Keras model: its layers, the last convolution, its output activation.

The public face of the model core :mod:`helpers._keras` (where the code lives, with
every use of Keras' private API): the answers to "which layer?" and "logits or
probabilities?" for the rest of ``helpers`` (explanations, training) and the chapters.
"""
from __future__ import annotations

from .._keras import (
    CONV_TYPES,
    PROBABILITY_ACTIVATIONS,
    all_layers,
    final_activation,
    find_layer,
    input_operation,
    last_conv_layer,
    layer_ids,
    layer_paths,
    output_activation,
    output_operation,
)

__all__ = [
    "CONV_TYPES",
    "PROBABILITY_ACTIVATIONS",
    "all_layers",
    "final_activation",
    "find_layer",
    "input_operation",
    "last_conv_layer",
    "layer_ids",
    "layer_paths",
    "output_activation",
    "output_operation",
]
