r"""Score-CAM (Wang et al., 2020) and Faster Score-CAM: gradient-free channel weights.

Each channel's map, stretched to the image and scaled to [0, 1], is used as a soft
mask on the input; the channel's weight is how confident the model stays in the
target class when it sees only the masked image. The cost is one forward pass per
(image, channel): the masked inputs are built chunk by chunk inside one compiled
function (upsample, scale, multiply and forward never leave TensorFlow), so memory
stays at ``batch_size`` masked images whatever the number of channels.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_int
from .._keras import logits_net
from ._maps import upsample
from .cam_base import PIXEL_BUDGET, ForwardPassCAM, default_batch_size  # noqa: F401 (re-exported)

def select_channels(activations: np.ndarray, max_channels: int | None = None) -> np.ndarray:
    """Which (image, channel) pairs need a forward pass.

    Parameters
    ----------
    activations : np.ndarray, float32, ``(N, h, w, K)``
    max_channels : int or None
        Faster Score-CAM: keep, per image, only the ``max_channels`` channels whose maps
        have the largest spatial variance (ties: lower channel index first).

    Returns
    -------
    np.ndarray, bool, ``(N, K)``
        True for channels to score. Constant maps are always False: their [0, 1]
        normalisation is undefined (0 / 0), and the authors' implementation skips them;
        their weight is 0.
    """
    lo = activations.min(axis=(1, 2))
    hi = activations.max(axis=(1, 2))
    keep = hi > lo
    if max_channels is not None and max_channels < activations.shape[-1]:
        variance = activations.astype(np.float64).var(axis=(1, 2))
        top = np.argsort(-variance, axis=1, kind="stable")[:, :max_channels]
        chosen = np.zeros_like(keep)
        np.put_along_axis(chosen, top, True, axis=1)
        keep &= chosen
    return keep


class ScoreCAM(ForwardPassCAM):
    r"""Score-CAM channel weights: the target's probability on channel-masked inputs.

    For image :math:`X` and channel k, with :math:`U_k` the bilinear upsampling of
    :math:`A_k` to the image size,

    .. math::

        M_k = \frac{U_k - \min U_k}{\max U_k - \min U_k}, \qquad
        w_k^c = \mathrm{softmax}\big(f(X \odot M_k)\big)_c,

    where :math:`f` gives the logits and :math:`\odot` multiplies every colour channel
    by the mask. For another score object, the weight is that score's probability
    (``LogSoftmax(k)``: :math:`p_k` too; a detection cell: the sigmoid of its logit). As in the authors' implementation, the weight is the plain softmax
    probability (no baseline subtracted) and constant channels are skipped (weight 0).
    For a single sigmoid logit z the probability is :math:`\sigma(z)` for class 1 and
    :math:`\sigma(-z)` for class 0; for a multi-label sigmoid model, :math:`\sigma(z_c)`.
    The map is then :math:`\mathrm{ReLU}(\sum_k w_k^c A_k)` as for every CAM.

    Faster Score-CAM (``max_channels=m``) scores only the m channels of largest spatial
    variance per image; the others get weight 0.
    """

    name = "scorecam"
    title = "Score-CAM"
    options = ("max_channels", "progress")

    def __init__(self, model, layer=None):
        super().__init__(model, layer)
        self._logits_only = logits_net(model, None)

    def select_pairs(self, activations, max_channels=None):
        """Non-constant channels (the ``max_channels`` of largest variance, if given)."""
        if max_channels is not None:
            max_channels = check_int(max_channels, "max_channels", low=1)
        return select_channels(activations, max_channels)

    def prepare(self, activations):
        """``(N, K, h, w)``: one 2-D map per (image, channel), ready to gather."""
        return tf.transpose(activations, (0, 3, 1, 2))

    def pair_scores(self, images, activations, image_index, channel_index, score):
        """The score's probability for one chunk of (image, channel) pairs, ``(B,)``.

        Only the chunk's B maps are upsampled, scaled, applied and run.
        """
        maps = tf.gather_nd(activations, tf.stack([image_index, channel_index], axis=1))
        up = upsample(maps, tf.shape(images)[1:3])  # (B, H, W)
        lo = tf.reduce_min(up, axis=(1, 2), keepdims=True)
        hi = tf.reduce_max(up, axis=(1, 2), keepdims=True)
        masks = tf.math.divide_no_nan(up - lo, hi - lo)
        masked = tf.gather(images, image_index) * masks[..., None]
        return score.probability(self._logits_only(masked))


def scorecam(model, images, targets=None, *, layer=None, batch_size=None, max_channels=None,
             progress=None):
    """Score-CAM heatmaps (Faster Score-CAM with ``max_channels``).

    Parameters
    ----------
    model : keras.Model
        Any CNN classifier with one image input; logits, softmax or sigmoid output.
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: the predicted class of each image.
    layer : None, str or keras.layers.Layer
        Layer whose channels become masks; None: the last convolution.
    batch_size : int, optional
        Masked images per forward pass (default :func:`default_batch_size`: 64 at 64x64,
        8 at 224x224). Memory grows with it; speed barely does beyond a few images.
    max_channels : int, optional
        Faster Score-CAM: score only this many highest-variance channels per image
        (must be >= 1; more than the layer has means all).
    progress : bool or None
        Show a progress bar: True, False, or None (when the run is expected to take > 2 s).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), each map in [0, 1]

    Notes
    -----
    Cost: one forward pass per image and non-constant scored channel (e.g. 512 passes
    of VGG16 for one image at ``block5_conv3``).
    """
    return ScoreCAM.for_model(model, layer)(images, targets, batch_size=batch_size,
                                            max_channels=max_channels, progress=progress)
