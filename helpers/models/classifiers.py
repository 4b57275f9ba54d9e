"""Image classifiers for the course.

* :func:`gap_cnn`: conv blocks -> GlobalAveragePooling -> one Dense layer of logits.
  The architecture CAM needs (Zhou et al., 2016).
* :func:`vgg_like`: the VGG-16-like network of the Score-CAM experiment of the Score-CAM notes
  (four blocks of three 64-filter convolutions, a 512-128-64 dense head).
* :func:`vgg16`: Keras' VGG16 as a nested base with a new head, for transfer learning.

All builders take images as float32 ``(H, W, C)`` in [0, 1]. When a GPU is visible the
layers compute in ``mixed_float16`` while the last Dense layer (and any final activation)
stays float32, so logits are never half precision; on a CPU everything is float32.
"""
from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from .._checks import (check_bool, check_choice, check_image_shape, check_int,
                       check_real, check_str, describe)

#: Largest image side and number of classes the builders accept (a typo guard:
#: 10**6 classes would ask Keras for a multi-gigabyte Dense layer).
_MAX_SIDE = 4096
_MAX_CLASSES = 100_000


# --------------------------------------------------------------------------- checks
def _check_input_shape(input_shape) -> tuple[int, int, int]:
    return check_image_shape(input_shape, max_side=_MAX_SIDE)


def _check_n_classes(n_classes) -> int:
    return check_int(n_classes, "n_classes", low=1, high=_MAX_CLASSES,
                     note=" (1 means a single sigmoid logit)")


def _check_activation(activation):
    return check_choice(activation, "activation", (None, "softmax", "sigmoid"))


def _compute_policy():
    """``"mixed_float16"`` when a GPU is visible, else ``"float32"``."""
    import tensorflow as tf

    return "mixed_float16" if tf.config.list_physical_devices("GPU") else "float32"


def _head(x, n_classes: int, activation, name: str = "logits"):
    """The final Dense layer (float32 logits) and an optional separate activation layer."""
    x = layers.Dense(n_classes, dtype="float32", name=name)(x)
    if activation is not None:
        x = layers.Activation(activation, dtype="float32", name=activation)(x)
    return x


# --------------------------------------------------------------------------- builders
def gap_cnn(
    input_shape: Sequence[int],
    n_classes: int,
    widths: Sequence[int] = (32, 64, 128),
    convs_per_block: int = 2,
    dropout: float = 0.0,
    activation: str | None = None,
    name: str = "gap_cnn",
) -> keras.Model:
    """A small CNN whose head is GlobalAveragePooling then one Dense layer: CAM-ready.

    Each block is ``convs_per_block`` x (3x3 Conv -> BatchNorm -> ReLU), followed by a
    2x2 max-pool except after the last block, so the last feature maps are
    ``H / 2**(len(widths)-1)`` pixels on a side. BatchNorm uses momentum 0.9 (Keras'
    default is 0.99) so that its running statistics, which the model uses at test
    time, settle within the few hundred steps of a short course run.

    Parameters
    ----------
    input_shape : (H, W, C)
        Image size in pixels and channels; images are float32 in [0, 1].
    n_classes : int
        Number of logits. 1 gives a single logit for a sigmoid (binary) output.
    widths : sequence of int
        Filters per block.
    convs_per_block : int
        Convolutions per block.
    dropout : float
        Dropout rate before the Dense layer (0 disables it).
    activation : None, "softmax" or "sigmoid"
        None (the default) outputs logits; otherwise a separate final activation layer
        is added (explanation methods bypass it automatically).
    name : str
        The model's name.

    Returns
    -------
    keras.Model
        Output ``(N, n_classes)``: float32 logits (or probabilities with ``activation``).
        The last ReLU is named ``"features"``: the ``(N, h, w, widths[-1])`` maps that
        CAM weights.
    """
    shape = _check_input_shape(input_shape)
    n_classes = _check_n_classes(n_classes)
    _check_activation(activation)
    check_str(name, "name", allow_empty=False)
    if isinstance(widths, (str, bytes)) or not isinstance(widths, Sequence):
        raise TypeError(f"widths must be a sequence of ints, e.g. (32, 64), got {describe(widths)}")
    if not widths:
        raise ValueError("widths is empty; expected filters per block, e.g. (32, 64, 128)")
    widths = tuple(check_int(w, f"widths[{i}]", low=1, high=4096) for i, w in enumerate(widths))
    convs_per_block = check_int(convs_per_block, "convs_per_block", low=1, high=16)
    dropout = check_real(dropout, "dropout", low=0, high=1, high_open=True)
    if min(shape[:2]) < 2 ** (len(widths) - 1):
        raise ValueError(
            f"input_shape {shape[0]}x{shape[1]} is too small for {len(widths)} blocks "
            f"(each block but the last halves the size); use fewer widths or larger images"
        )

    policy = _compute_policy()
    inputs = keras.Input(shape, name="image")
    x = inputs
    for b, width in enumerate(widths, start=1):
        for c in range(1, convs_per_block + 1):
            last = b == len(widths) and c == convs_per_block
            x = layers.Conv2D(width, 3, padding="same", use_bias=False,
                              dtype=policy, name=f"block{b}_conv{c}")(x)
            x = layers.BatchNormalization(momentum=0.9, dtype=policy, name=f"block{b}_bn{c}")(x)
            x = layers.ReLU(dtype=policy, name="features" if last else f"block{b}_relu{c}")(x)
        if b < len(widths):
            x = layers.MaxPooling2D(2, dtype=policy, name=f"block{b}_pool")(x)
    x = layers.GlobalAveragePooling2D(dtype=policy, name="gap")(x)
    if dropout:
        x = layers.Dropout(dropout, dtype=policy, name="dropout")(x)
    outputs = _head(x, n_classes, activation)
    return keras.Model(inputs, outputs, name=name)


def vgg_like(input_shape: Sequence[int], n_classes: int, dropout: tuple[float, float] = (0.25, 0.5),
             name: str = "vgg_like") -> keras.Sequential:
    """The VGG-16-like network of the Score-CAM experiment (the Score-CAM notes), layer for layer.

    Four blocks of [3 x (3x3 Conv, 64 filters, ReLU) -> BatchNorm -> 2x2 MaxPool ->
    Dropout], then Flatten -> Dense 512 -> ReLU -> Dropout -> Dense 128 -> ReLU ->
    Dropout -> Dense 64 -> ReLU -> Dropout -> Dense ``n_classes`` -> softmax.
    With a 64x64x3 input and 27 classes its layer sequence and parameter counts equal
    the notes' summary (1,792 for the first convolution, 36,928 for each other one,
    256 per BatchNorm, 524,800 / 65,664 / 8,256 / 1,755 for the dense layers).

    Parameters
    ----------
    input_shape : (H, W, C)
        Height and width must be multiples of 16 (four 2x2 poolings).
    n_classes : int
        Number of classes (>= 2: the output is a softmax).
    dropout : (float, float)
        Dropout rates after the conv blocks and in the dense head. The notes' summary
        does not give them; 0.25 and 0.5 are the usual VGG-style choices.

    Returns
    -------
    keras.Sequential
        Output ``(N, n_classes)`` probabilities. The Dense layer before the final
        softmax gives the logits, which the explanation methods use.
    """
    shape = _check_input_shape(input_shape)
    n_classes = _check_n_classes(n_classes)
    check_str(name, "name", allow_empty=False)
    if isinstance(dropout, (str, bytes)) or not isinstance(dropout, Sequence) or len(dropout) != 2:
        raise TypeError(f"dropout must be a pair of rates (conv, dense), got {describe(dropout)}")
    dropout = (check_real(dropout[0], "dropout[0] (conv)", low=0, high=1, high_open=True),
               check_real(dropout[1], "dropout[1] (dense)", low=0, high=1, high_open=True))
    if n_classes < 2:
        raise ValueError(f"vgg_like ends in a softmax and needs n_classes >= 2, got {n_classes}")
    if shape[0] % 16 or shape[1] % 16:
        raise ValueError(f"vgg_like needs input_shape height and width divisible by 16 (four 2x2 "
                         f"poolings), got {shape[:2]}")
    conv_drop, dense_drop = dropout
    policy = _compute_policy()
    stack: list[layers.Layer] = [keras.Input(shape, name="image")]
    for _ in range(4):
        stack += [layers.Conv2D(64, 3, padding="same", activation="relu", dtype=policy)
                  for _ in range(3)]
        stack += [layers.BatchNormalization(dtype=policy), layers.MaxPooling2D(2, dtype=policy),
                  layers.Dropout(conv_drop, dtype=policy)]
    stack.append(layers.Flatten(dtype=policy))
    for units in (512, 128, 64):
        stack += [layers.Dense(units, dtype=policy), layers.Activation("relu", dtype=policy),
                  layers.Dropout(dense_drop, dtype=policy)]
    stack += [layers.Dense(n_classes, dtype="float32"),
              layers.Activation("softmax", dtype="float32")]
    return keras.Sequential(stack, name=name)


class VGGPreprocess(layers.Layer):
    """Turn [0, 1] RGB images into what Keras' ImageNet VGG16 expects.

    VGG16's weights were trained on 0-255 BGR images with the ImageNet channel means
    (B 103.939, G 116.779, R 123.68) subtracted ("caffe" preprocessing).
    """

    MEAN_BGR = (103.939, 116.779, 123.68)

    def call(self, x):
        bgr = keras.ops.flip(x * 255.0, axis=-1)
        return bgr - keras.ops.convert_to_tensor(self.MEAN_BGR, dtype=bgr.dtype)


def vgg16(input_shape: Sequence[int] = (224, 224, 3), n_classes: int = 2, weights: str | None = None,
          head: str = "gap", trainable_base: bool = False, activation: str | None = None,
          name: str = "vgg16_transfer") -> keras.Model:
    """Keras' VGG16 convolutional base (nested) with a new classification head.

    Parameters
    ----------
    input_shape : (H, W, 3)
        At least 32x32. Images are float32 RGB in [0, 1]; the model converts them
        to VGG16's "caffe" input itself (:class:`VGGPreprocess`).
    n_classes : int
        Number of logits (1 for a single sigmoid logit, as in the Cats-vs-Dogs Grad-CAM notes).
    weights : None or "imagenet"
        ``"imagenet"`` downloads Keras' pre-trained weights (about 58 MB, needs the
        internet; used in the labs). None gives random weights.
    head : "gap" or "flatten"
        ``"gap"``: GlobalAveragePooling -> Dense logits (CAM works on it);
        ``"flatten"``: Flatten -> Dense 256 -> ReLU -> Dropout 0.5 -> Dense logits
        (the classic VGG head: Grad-CAM works on it, CAM does not).
    trainable_base : bool
        Whether the VGG16 base is trained too (fine-tuning) or frozen.
    activation : None, "softmax" or "sigmoid"
        Optional final activation layer.

    Returns
    -------
    keras.Model
        The base is the nested model ``"vgg16"``; its last conv layer is ``"block5_conv3"``.
    """
    shape = _check_input_shape(input_shape)
    n_classes = _check_n_classes(n_classes)
    _check_activation(activation)
    check_choice(weights, "weights", (None, "imagenet"))
    check_choice(head, "head", ("gap", "flatten"))
    trainable_base = check_bool(trainable_base, "trainable_base")  # "no" must not unfreeze
    check_str(name, "name", allow_empty=False)
    if shape[2] != 3 or min(shape[:2]) < 32:
        raise ValueError(f"vgg16 needs RGB images of at least 32x32, got input_shape={shape}")
    base = keras.applications.VGG16(include_top=False, weights=weights, input_shape=shape)
    base.trainable = trainable_base
    inputs = keras.Input(shape, name="image")
    x = VGGPreprocess(name="vgg_preprocess")(inputs)
    x = base(x)
    if head == "gap":
        x = layers.GlobalAveragePooling2D(name="gap")(x)
    else:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(256, activation="relu", name="fc")(x)
        x = layers.Dropout(0.5, name="fc_dropout")(x)
    outputs = _head(x, n_classes, activation)
    return keras.Model(inputs, outputs, name=name)
