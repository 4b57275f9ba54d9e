"""Finding layers in a Keras model: every layer, a layer by name or path, the last
convolution (the CAM methods' default), the layer a CAM method weights.
"""
from __future__ import annotations

import keras
from keras import layers

from .checks import check_model

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
    check_model(model, single=False)
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
    check_model(model, single=False)
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


def output_shape_of(layer) -> tuple | None:
    """The layer's output shape, or None when it has no single output."""
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def resolve_layer(model: keras.Model, layer=None):
    """The layer whose ``(N, h, w, K)`` output a CAM method weights.

    Parameters
    ----------
    model : keras.Model
    layer : None, str or keras.layers.Layer
        None: :func:`helpers.models.last_conv_layer` (the last convolution, or the
        activation right after it; separable and depthwise convolutions count).
        A name: searched in nested models too (e.g. ``"block5_conv3"`` inside ``"vgg16"``);
        where names repeat, a path such as ``"vgg16/block5_conv3"``
        (:func:`helpers.models.find_layer` gives the rule).

    Raises
    ------
    ValueError
        No such layer, a layer whose output is not 4-D, or no convolution at all.
    """
    if layer is None:
        chosen = last_conv_layer(model)
    elif isinstance(layer, str):
        chosen = find_layer(model, layer)
    elif isinstance(layer, keras.layers.Layer):
        if not any(lay is layer for lay in all_layers(model)):
            raise ValueError(f"layer {layer.name!r} is not part of model {model.name!r}")
        chosen = layer
    else:
        raise TypeError(f"layer must be None, a layer name or a keras layer, got {type(layer).__name__}")
    if isinstance(chosen, keras.layers.InputLayer):
        names = layer_ids(model, only_4d=True)
        raise ValueError(
            f"layer {chosen.name!r} is an input layer (it holds the images, not feature maps); "
            f"pick a layer with 4-D outputs: {', '.join(names[-15:]) if names else '(none)'}"
        )
    shape = output_shape_of(chosen)
    if shape is None:
        raise ValueError(
            f"layer {chosen.name!r} has no single output (is it used more than once?); pick another layer"
        )
    if len(shape) != 4:
        names = layer_ids(model, only_4d=True)
        raise ValueError(
            f"layer {chosen.name!r} outputs shape {shape}, not 4-D feature maps (N, h, w, K); "
            f"CAM methods need a convolutional layer. Layers with 4-D outputs: "
            f"{', '.join(names[-15:]) if names else '(none)'}"
        )
    return chosen
