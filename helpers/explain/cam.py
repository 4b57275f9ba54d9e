r"""CAM (Zhou et al., 2016): class activation maps of a GAP network.

CAM needs a specific head: the last feature maps :math:`A_k`, then global average
pooling :math:`F_k = \frac{1}{Z}\sum_{i,j} A_k(i,j)`, then one Dense layer
:math:`y^c = \sum_k w_k^c F_k + b^c`. Then

.. math::

    y^c = \frac{1}{Z} \sum_{i, j} \underbrace{\sum_k w_k^c A_k(i, j)}_{M^c(i, j)} + b^c,

so :math:`M^c(i, j)` says how much position (i, j) adds to the class score: the map is
the Dense kernel's column for the class applied to the maps. Models with another head
(Flatten, several Dense layers) have no such map: use Grad-CAM there.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
import tensorflow as tf

from .._keras import (innermost_operation, input_operation, logits_activation,
                      nested_output, resolve_layer)
from .cam_base import CAMBase

_PASS_THROUGH = (keras.layers.Dropout, keras.layers.GaussianNoise, keras.layers.GaussianDropout,
                 keras.layers.AlphaDropout, keras.layers.Identity)


@dataclass(frozen=True)
class GapHead:
    """The parts of a CAM-ready model: feature layer -> GAP -> Dense (logits)."""

    feature_layer: keras.layers.Layer
    gap: keras.layers.Layer
    dense: keras.layers.Dense


def _previous(model: keras.Model, op):
    """The op whose output feeds ``op`` inside ``model`` (None at the model's input)."""
    return input_operation(model, op)


def _describe(op) -> str:
    if op is None:
        return "the model input"
    if isinstance(op, str):
        return op
    return f"{type(op).__name__} {op.name!r}"


def gap_head(model: keras.Model) -> GapHead:
    """Find the feature layer -> GlobalAveragePooling2D -> Dense head that CAM needs.

    A final softmax/sigmoid (separate layer or in the Dense) and Dropout layers between
    the GAP and the Dense are allowed. A nested base (e.g. VGG16) whose output feeds the
    GAP is looked into: the feature layer is the base's last layer.

    Raises
    ------
    ValueError
        If the model's head is anything else, saying what was found.
    """
    level, op = nested_output(model)  # a nested head model: look inside it
    if logits_activation(op)[1] == "identity":
        op = _previous(level, op)
    dense = op
    seen = [_describe(dense)]

    def fail(expected, found):
        path = " <- ".join(seen) or "its last layer"
        raise ValueError(
            f"CAM needs a model whose head is: last conv feature maps -> GlobalAveragePooling2D "
            f"-> one Dense layer of logits (Zhou et al., 2016). Reading model {model.name!r} from "
            f"its output back ({path}), {expected} was expected but {found} was found. "
            "Use gradcam (or gradcam_plus_plus, scorecam): they work with any head."
        )

    if not isinstance(dense, keras.layers.Dense) or len(dense.kernel.shape) != 2:
        seen.pop()
        fail("a Dense layer of logits", _describe(dense))
    op = _previous(level, dense)
    while isinstance(op, _PASS_THROUGH):
        seen.append(_describe(op))
        op = _previous(level, op)
    if not isinstance(op, keras.layers.GlobalAveragePooling2D) or op.keepdims:
        fail("a GlobalAveragePooling2D layer before the Dense", _describe(op))
    gap = op
    seen.append(_describe(gap))
    feature = _previous(level, gap)
    if feature is None or isinstance(feature, str):
        fail("feature maps feeding the GlobalAveragePooling2D", _describe(feature))
    return GapHead(feature_layer=innermost_operation(feature), gap=gap, dense=dense)


class CAM(CAMBase):
    r"""CAM: the weights are the final Dense layer's kernel column for the target.

    .. math::

        w_k^c = W_{k c}

    for the Dense kernel :math:`W` (K x classes). For a single sigmoid logit
    :math:`z`, class 1 uses :math:`W_{k0}` and class 0 uses :math:`-W_{k0}` (it
    explains :math:`-z`). No gradient through the network is needed (only the score's
    slope with respect to the logits, one-hot for a class logit); the bias does not
    change the map. Another score object S gives :math:`w_k = \sum_c W_{kc}\,
    \partial S / \partial z_c`, CAM's map of S (the GAP head is linear).
    """

    name = "cam"
    needs_gradients = False

    def __init__(self, model: keras.Model, layer=None):
        self.head = gap_head(model)
        super().__init__(model, layer)

    @classmethod
    def resolve_layer(cls, model: keras.Model, layer):
        """The maps that the GAP layer averages; a different ``layer`` is an error."""
        feature = gap_head(model).feature_layer
        if layer is None:
            return feature
        chosen = resolve_layer(model, layer)
        if chosen is not feature:
            raise ValueError(
                f"CAM weights the feature maps that the GlobalAveragePooling2D layer averages, "
                f"i.e. the output of layer {feature.name!r}; got layer {chosen.name!r}. "
                "Leave layer=None, or use gradcam to explain another layer."
            )
        return chosen

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)``: :math:`W\\,\\partial S/\\partial z`, the Dense kernel ``(K, L)`` times
        the score's gradient with respect to the logits z ``(N, L)``.

        For a class logit that gradient is one-hot, so the weights are the kernel's
        column for the class (exactly); for the logit gap ``LogSoftmax(k)`` they are
        :math:`W_{:k} - \\sum_j p_j W_{:j}`.
        """
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(outputs)
            total = tf.reduce_sum(score.value(outputs))
        slope = tape.gradient(total, outputs)
        kernel = tf.cast(self.head.dense.kernel, tf.float32)
        return tf.matmul(slope, kernel, transpose_b=True)


def cam(model, images, targets=None, *, layer=None, batch_size=None):
    """CAM heatmaps (for a GAP -> Dense model).

    Parameters
    ----------
    model : keras.Model
        Last conv maps -> GlobalAveragePooling2D -> Dense (optionally softmax/sigmoid).
        Any other head raises a ValueError (use :func:`helpers.explain.gradcam`).
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: the predicted class of each image.
    layer : None, str or keras.layers.Layer
        Must be (and defaults to) the layer whose maps the GAP averages.
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), each map in [0, 1]
    """
    return CAM.for_model(model, layer)(images, targets, batch_size=batch_size)
