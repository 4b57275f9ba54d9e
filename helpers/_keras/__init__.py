"""The model-side core of ``helpers``: the one place that checks a model and images,
finds layers, strips the final activation (the logits model), holds the batch default
and every use of Keras' private API.

Shared internal of the package (like :mod:`helpers._checks`): the subpackages import
its public names from ``helpers._keras`` (never from its submodules).

==============================  ===========================================================
:func:`check_model`             the one model check (a built ``keras.Model``, one input and
                                one output)
:func:`check_images`            images for a model: float32 ``(N, H, W, C)``, finite
:func:`check_targets`           class targets: None / int / one per image -> int32 ``(N,)``
:func:`check_batch_size`        ``batch_size`` or the default :data:`BATCH_SIZE` (64)
:func:`model_input_shape`       ``(H, W, C)``; :func:`model_output_shape`, :func:`n_logits`
:func:`all_layers` ...          :func:`find_layer`, :func:`last_conv_layer`,
                                :func:`resolve_layer` (the layer a CAM method weights)
:func:`final_activation`        what the model applies last; :func:`output_activation`
:func:`logits_net`              ``x -> (maps of a layer, logits)``, softmax/sigmoid bypassed;
                                :func:`compiled_logits`
:func:`resolve_targets`         -1 -> the predicted class; :func:`target_logit`,
                                :func:`target_probability`
:func:`check_finite_logits`     refuse a diverged (NaN) model; :func:`check_finite_weights`
:func:`output_operation`        (private Keras API, :mod:`.graph`): :func:`input_operation`,
                                :func:`run_graph`, :data:`SUPPORTED_KERAS`
==============================  ===========================================================
"""
from __future__ import annotations

from .checks import (
    BATCH_SIZE,
    PREDICTED,
    check_batch_size,
    check_images,
    check_model,
    check_targets,
    model_input_shape,
    model_output_shape,
    n_logits,
)
from .graph import (
    PRIVATE_API,
    SUPPORTED_KERAS,
    compiled_function,
    innermost_operation,
    input_operation,
    nested_output,
    output_operation,
    producer,
    run_graph,
)
from .layers import (
    CONV_TYPES,
    all_layers,
    find_layer,
    last_conv_layer,
    layer_ids,
    layer_paths,
    output_shape_of,
    resolve_layer,
)
from .logits import (
    DIVERGED,
    PROBABILITY_ACTIVATIONS,
    LogitsNet,
    activation_name,
    cached,
    check_finite_logits,
    check_finite_weights,
    compiled_logits,
    final_activation,
    lambda_activation,
    logits_activation,
    logits_net,
    output_activation,
    resolve_targets,
    target_logit,
    target_probability,
)

__all__ = [
    "BATCH_SIZE", "PREDICTED", "check_batch_size", "check_images", "check_model",
    "check_targets", "model_input_shape", "model_output_shape", "n_logits",
    "PRIVATE_API", "SUPPORTED_KERAS", "input_operation", "output_operation", "producer",
    "nested_output", "innermost_operation", "compiled_function",
    "run_graph",
    "CONV_TYPES", "all_layers", "find_layer", "last_conv_layer", "layer_ids", "layer_paths",
    "output_shape_of", "resolve_layer",
    "DIVERGED", "PROBABILITY_ACTIVATIONS", "LogitsNet", "activation_name", "cached",
    "check_finite_logits", "check_finite_weights", "compiled_logits", "final_activation", "lambda_activation",
    "logits_activation", "logits_net", "output_activation", "resolve_targets",
    "target_logit", "target_probability",
]
