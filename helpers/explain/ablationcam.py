r"""Ablation-CAM (Desai and Ramaswamy, 2020): how much the score drops without a channel.

Gradient-free like Score-CAM, but instead of masking the *input* with a channel's map,
it switches the channel itself off (all its activations set to 0) and runs the rest of
the network: a channel whose removal costs the target logit a lot is important. One
forward pass per (image, channel), batched and chunked like Score-CAM.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .cam_base import ForwardPassCAM


class AblationCAM(ForwardPassCAM):
    r"""Ablation-CAM channel weights: the relative drop of the target logit.

    With :math:`y^c` the target's logit and :math:`y^c_k` the same logit when channel
    k of the layer is set to 0 at every position (the layers after it see the edited
    maps),

    .. math::

        w_k^c = \frac{y^c - y^c_k}{y^c},

    as in the paper and pytorch-grad-cam's ``AblationCAM``. Deliberate differences:

    * channels that are already 0 everywhere are not run (zeroing them changes nothing:
      their weight is exactly 0);
    * the ablated value is always 0, as in the paper (pytorch-grad-cam uses
      ``min - 1e7`` when the layer's outputs can be negative);
    * if :math:`y^c = 0` the ratio is undefined: every weight is 0 and the map is zeros
      (never NaN).

    Note that dividing by :math:`y^c` flips every weight when the target's logit is
    negative (as in the paper): for a class the model does not predict, the map shows
    the channels whose removal *raises* its score.
    """

    name = "ablationcam"
    title = "Ablation-CAM"

    def select_pairs(self, activations):
        """Channels that are not all zero (ablating a zero channel changes nothing)."""
        return np.any(activations != 0, axis=(1, 2))

    def pair_scores(self, images, activations, image_index, channel_index, score):
        """The explained score with channel ``channel_index[b]`` zeroed, ``(B,)``."""
        k = tf.shape(activations)[-1]
        keep = 1.0 - tf.one_hot(channel_index, k, dtype=tf.float32)[:, None, None, :]
        _, logits = self.net(tf.gather(images, image_index), edit=lambda maps: maps * keep)
        return score.value(logits)

    def weights_from_scores(self, scores, keep, outputs, score):
        """``(y - y_k) / y`` where the pair was run, 0 elsewhere (and where y = 0)."""
        y = score.value(tf.constant(outputs, tf.float64)).numpy()
        drop = np.where(keep, y[:, None] - scores.astype(np.float64), 0.0)
        safe = np.where(y != 0, y, 1.0)[:, None]
        return np.where(y[:, None] != 0, drop / safe, 0.0).astype(np.float32)


def ablationcam(model, images, targets=None, *, layer=None, batch_size=None, progress=None):
    """Ablation-CAM heatmaps.

    Parameters
    ----------
    model : keras.Model
        Any CNN classifier with one image input; logits, softmax or sigmoid output
        (the logit is explained).
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: the predicted class of each image.
    layer : None, str or keras.layers.Layer
        Layer whose channels are ablated; None: the last convolution.
    batch_size : int, optional
        Ablated passes per forward pass (default as Score-CAM: 64 at 64x64, 8 at 224x224).
    progress : bool or None
        Show a progress bar: True, False, or None (when the run is expected to take > 2 s).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), each map in [0, 1]

    Notes
    -----
    Cost: one full forward pass per image and non-zero channel (the layers before the
    ablated one are recomputed each time, as in pytorch-grad-cam; a functional model's
    graph cannot in general be cut at an arbitrary layer).
    """
    return AblationCAM.for_model(model, layer)(images, targets, batch_size=batch_size,
                                               progress=progress)
