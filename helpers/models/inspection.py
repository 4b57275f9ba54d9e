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


def layer_paths(model: keras.Model) -> list[tuple[str, keras.layers.Layer]]:
    """``(path, layer)`` for every layer, in :func:`all_layers` order.

    The path of a layer inside nested models is the nested models' names and its own,
    joined by ``/`` (``"vgg16/block5_conv3"``); a top-level layer's path is its name.
    The outer model's own name is not part of the path.
    """
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend((f"{layer.name}/{path}", inner) for path, inner in layer_paths(layer))
        found.append((layer.name, layer))
    return found


def layer_ids(model: keras.Model, only_4d: bool = False) -> list[str]:
    """Names that :func:`find_layer` accepts, one per layer: the plain name when it is
    unique, the path otherwise. Input layers are left out (they hold the images, not
    feature maps); ``only_4d`` keeps layers with a 4-D ``(N, h, w, K)`` output."""
    paths = [(p, lay) for p, lay in layer_paths(model)
             if not isinstance(lay, layers.InputLayer)]
    owners: dict[str, set] = {}
    for _, lay in layer_paths(model):
        owners.setdefault(lay.name, set()).add(id(lay))
    ids, seen = [], set()
    for path, lay in paths:
        if id(lay) in seen or (only_4d and _output_rank(lay) != 4):
            continue
        seen.add(id(lay))
        ids.append(lay.name if len(owners[lay.name]) == 1 else path)
    return ids


def find_layer(model: keras.Model, name: str) -> keras.layers.Layer:
    """Find a layer by name or path, searching nested models too.

    The rule when names repeat (two nested models may each have a layer ``"conv"``;
    Keras only keeps names unique within one model): a plain name must designate
    exactly one layer (a shared layer reached twice is one layer). If several layers
    carry it, that is an error listing their paths, and the path is what to pass:
    ``"a/conv"`` is layer ``conv`` inside nested model ``a`` (see :func:`layer_paths`).
    A path always designates one layer, and so does every name listed by the
    "no layer named" message (:func:`layer_ids`).

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If no layer has that name or path (the message lists the 4-D layers that do),
        or if the name is ambiguous (the message lists the paths to use).
    """
    _check_model(model)
    if not isinstance(name, str):
        raise TypeError(f"layer name must be a str, got {type(name).__name__}")
    paths = layer_paths(model)
    by_path = [lay for path, lay in paths if path == name]
    if by_path:
        return by_path[0]
    matches = {}
    for path, lay in paths:
        if lay.name == name:
            matches.setdefault(id(lay), (path, lay))
    if len(matches) == 1:
        return next(iter(matches.values()))[1]
    if len(matches) > 1:
        raise ValueError(
            f"model {model.name!r} has {len(matches)} layers named {name!r} (in nested models); "
            "say which one by its path: " + ", ".join(repr(p) for p, _ in matches.values())
        )
    four_d = layer_ids(model, only_4d=True)
    raise ValueError(
        f"model {model.name!r} has no layer named {name!r}; layers with 4-D (N, h, w, K) "
        f"outputs are: {', '.join(four_d[-15:]) if four_d else '(none)'}"
    )


def output_operation(model: keras.Model):
    """The layer (or op) that produces the model's (first) output.

    For a Functional model this follows the output tensor back to its layer, which
    need not be ``model.layers[-1]``; for a Sequential model it is the last layer.
    """
    if isinstance(model, keras.Sequential):
        return [lay for lay in model.layers if not isinstance(lay, layers.InputLayer)][-1]
    return model.outputs[0]._keras_history.operation


PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")
"""Final activations that turn logits into probabilities (what explanations bypass)."""


def _activation_name(fn) -> str | None:
    return getattr(fn, "__name__", None) if fn is not None else None


def final_activation(op) -> tuple[str, str | None]:
    """What the operation ``op`` applies last, and how to get the logits before it.

    Parameters
    ----------
    op : keras.layers.Layer, keras.Model or keras Operation
        Usually :func:`output_operation` of a model.

    Returns
    -------
    kind : str
        ``"softmax"``, ``"sigmoid"``, ``"linear"`` (nothing: logits), or the name of
        another activation (``"tanh"``, ``"relu"``, ...).
    how : str or None
        How to bypass a softmax/sigmoid: ``"identity"`` (a separate ``Softmax`` or
        ``Activation`` layer, or ``keras.ops.softmax``/``sigmoid`` in a functional
        graph: skip it), ``"dense"`` (a ``Dense`` with ``activation=``: run it without
        its activation), ``"nested"`` (``op`` is a model: look inside), ``"inside"``
        (another layer type applies it internally: cannot be bypassed) or None
        (nothing to bypass).
    """
    if isinstance(op, layers.Softmax):
        return "softmax", "identity"
    if isinstance(op, layers.Activation):
        name = _activation_name(op.activation)
        return name, ("identity" if name in PROBABILITY_ACTIVATIONS else None)
    if isinstance(op, keras.Model):
        kind, how = final_activation(output_operation(op))
        return kind, ("nested" if how in ("identity", "dense", "nested") else how)
    if not isinstance(op, layers.Layer):  # keras.ops.softmax / sigmoid in a functional graph
        name = type(op).__name__.lower()
        return (name, "identity") if name in PROBABILITY_ACTIVATIONS else ("linear", None)
    name = _activation_name(getattr(op, "activation", None))
    if name in PROBABILITY_ACTIVATIONS:
        return name, ("dense" if isinstance(op, layers.Dense) else "inside")
    if name is None or name == "linear":
        return "linear", None
    return name, None


def output_activation(model: keras.Model) -> str:
    """The model's final activation: ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (logits).

    The one answer for all of ``helpers`` (the loss :func:`helpers.training.fit` picks,
    the logits the explanations use): see :func:`final_activation` for what is
    recognised (a separate ``Softmax``/``Activation`` layer, the ``activation`` of the
    final layer, ``keras.ops.softmax``/``sigmoid`` in a functional graph, a nested model).

    Raises
    ------
    ValueError
        If the model ends in another activation (e.g. tanh): neither logits nor
        probabilities.
    """
    _check_model(model)
    kind = final_activation(output_operation(model))[0]
    if kind in PROBABILITY_ACTIVATIONS + ("linear",):
        return kind
    raise ValueError(
        f"model {model.name!r} ends in a {kind!r} activation; expected softmax, sigmoid or "
        "none (logits)"
    )


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
    prev = inp._keras_history.operation
    return None if isinstance(prev, layers.InputLayer) else prev
