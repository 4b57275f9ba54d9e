"""Looking inside a Keras model: its layers, the last convolution, its output activation.

The one place that answers "which layer?" and "logits or probabilities?" for the
rest of ``helpers`` (explanations, training).
"""
from __future__ import annotations

import keras
from keras import layers

CONV_TYPES = (
    layers.Conv2D,
    layers.SeparableConv2D,
    layers.DepthwiseConv2D,
    layers.Conv2DTranspose,
)
"""Layer types that count as convolutions for :func:`last_conv_layer`."""

# Layers that, placed right after a convolution, keep its feature maps' meaning
# (same shape, one channel per filter): the heatmap is taken after them.
_ELEMENTWISE_TYPES = (
    layers.BatchNormalization,
    layers.Activation,
    layers.ReLU,
    layers.LeakyReLU,
    layers.ELU,
    layers.PReLU,
)

def _check_model(model) -> None:
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    if not model.built:
        raise ValueError(
            f"model {model.name!r} is not built yet; call it on a batch or give it a keras.Input first"
        )


def _output_rank(layer) -> int | None:
    try:
        return len(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def all_layers(model: keras.Model) -> list:
    """Every layer in order, nested models expanded in place (depth first; a nested
    model comes right after its own layers)."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(all_layers(layer))
        found.append(layer)
    return found


def last_conv_layer(model: keras.Model) -> keras.layers.Layer:
    """The layer whose ``(N, h, w, K)`` output a CAM method should weight.

    The last convolution of the model (Conv2D, SeparableConv2D, DepthwiseConv2D or
    Conv2DTranspose; inside nested models too, e.g. a ``keras.applications`` base),
    extended forward to the last activation in the run of BatchNorm and activation
    layers that directly follows it (conv -> BN -> ReLU gives the ReLU): those keep
    one map per filter and the activation's output is what the rest of the network sees.
    A BatchNorm that is not followed by an activation is not included.
    Pooling layers after it are not included (they only coarsen the map).

    Parameters
    ----------
    model : keras.Model
        A built Functional or Sequential model.

    Returns
    -------
    keras.layers.Layer
        The layer (possibly inside a nested model; see :func:`find_layer`).

    Raises
    ------
    ValueError
        If the model has no convolution with a 4-D output.
    """
    _check_model(model)
    flat = all_layers(model)
    conv_index = None
    for i, layer in enumerate(flat):
        if isinstance(layer, CONV_TYPES) and _output_rank(layer) == 4:
            conv_index = i
    if conv_index is None:
        raise ValueError(
            f"model {model.name!r} has no convolutional layer with a 4-D (N, h, w, K) output; "
            "CAM-style heatmaps need one (a model made only of Dense layers has no spatial maps)"
        )
    chosen = flat[conv_index]
    for layer in flat[conv_index + 1:]:
        if not (isinstance(layer, _ELEMENTWISE_TYPES) and _output_rank(layer) == 4):
            break
        if not isinstance(layer, layers.BatchNormalization):
            chosen = layer  # an activation: the maps the rest of the network sees
    return chosen


def find_layer(model: keras.Model, name: str) -> keras.layers.Layer:
    """Find a layer by name, searching nested models too.

    Raises
    ------
    ValueError
        If no layer has that name (the message lists the 4-D layers that do exist).
    """
    _check_model(model)
    if not isinstance(name, str):
        raise TypeError(f"layer name must be a str, got {type(name).__name__}")
    for layer in all_layers(model):
        if layer.name == name:
            return layer
    four_d = [layer.name for layer in all_layers(model) if _output_rank(layer) == 4]
    raise ValueError(
        f"model {model.name!r} has no layer named {name!r}; layers with 4-D outputs are: "
        + (", ".join(four_d[-12:]) if four_d else "(none)")
    )


def output_operation(model: keras.Model):
    """The layer (or op) that produces the model's (first) output.

    For a Functional model this follows the output tensor back to its layer, which
    need not be ``model.layers[-1]``; for a Sequential model it is the last layer.
    """
    if isinstance(model, keras.Sequential):
        return [lay for lay in model.layers if not isinstance(lay, layers.InputLayer)][-1]
    return model.outputs[0]._keras_history.operation


def output_activation(model: keras.Model) -> str:
    """The model's final activation: ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (logits).

    Looks at the layer that produces the output (:func:`output_operation`): a separate
    Activation/Softmax layer, or the ``activation`` of a final Dense layer; a nested
    model is looked into.
    """
    _check_model(model)
    last = output_operation(model)
    if isinstance(last, keras.Model):
        return output_activation(last)
    if isinstance(last, layers.Softmax):
        return "softmax"
    fn = getattr(last, "activation", None)
    if fn is None:
        return "linear"
    name = getattr(fn, "__name__", str(fn))
    if name in ("softmax", "sigmoid", "linear"):
        return name
    raise ValueError(
        f"model {model.name!r} ends in a {name!r} activation; expected softmax, sigmoid or none (logits)"
    )
