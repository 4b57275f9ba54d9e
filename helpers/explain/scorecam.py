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
from ._logits import logits_net, target_probability
from ._maps import upsample
from ._progress import Progress
from .cam_base import CAMBase, combine

PIXEL_BUDGET = 8 * 224 * 224
"""Default Score-CAM chunk: masked images per forward pass = ``PIXEL_BUDGET / (H * W)``,
clipped to [8, 64]: 64 for 64x64 inputs, 8 for 224x224. VGG16's activations for one
224x224 image take about 100 MB, so 8 keep the peak memory modest; on a CPU larger
chunks of 224x224 images are not faster (measured: 4, 8, 16 and 32 per pass all take
0.13-0.17 s per image), while for small images bigger chunks amortise the per-call cost."""


def default_batch_size(height: int, width: int) -> int:
    """Masked images per forward pass used when ``batch_size=None``."""
    return int(np.clip(PIXEL_BUDGET // max(1, height * width), 8, 64))


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


class ScoreCAM(CAMBase):
    r"""Score-CAM channel weights: the target's probability on channel-masked inputs.

    For image :math:`X` and channel k, with :math:`U_k` the bilinear upsampling of
    :math:`A_k` to the image size,

    .. math::

        M_k = \frac{U_k - \min U_k}{\max U_k - \min U_k}, \qquad
        w_k^c = \mathrm{softmax}\big(f(X \odot M_k)\big)_c,

    where :math:`f` gives the logits and :math:`\odot` multiplies every colour channel
    by the mask. As in the authors' implementation, the weight is the plain softmax
    probability (no baseline subtracted) and constant channels are skipped (weight 0).
    For a single sigmoid logit z the probability is :math:`\sigma(z)` for class 1 and
    :math:`\sigma(-z)` for class 0; for a multi-label sigmoid model, :math:`\sigma(z_c)`.
    The map is then :math:`\mathrm{ReLU}(\sum_k w_k^c A_k)` as for every CAM.

    Faster Score-CAM (``max_channels=m``) scores only the m channels of largest spatial
    variance per image; the others get weight 0.
    """

    name = "scorecam"
    needs_gradients = False

    def __init__(self, model, layer=None):
        super().__init__(model, layer)
        self._logits_only = logits_net(model, None)
        h, w, c = self._signature[0].shape[1:]
        k = self.layer.output.shape[-1]
        fh, fw = self.layer.output.shape[1:3]
        self._score_chunk = tf.function(
            self._masked_scores,
            input_signature=[
                tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
                tf.TensorSpec((None, k, fh, fw), tf.float32, name="channel_maps"),
                tf.TensorSpec((None,), tf.int32, name="image_index"),
                tf.TensorSpec((None,), tf.int32, name="channel_index"),
                tf.TensorSpec((None,), tf.int32, name="targets"),
            ],
            reduce_retracing=True,
        )
        self._forward = tf.function(self.forward, input_signature=self._signature,
                                    reduce_retracing=True)
        self._combine = tf.function(combine, reduce_retracing=True)

    # ------------------------------------------------------------------ the masked passes
    def _masked_scores(self, images, channel_maps, image_index, channel_index, targets):
        """Target probabilities for one chunk of (image, channel) pairs, ``(B,)``.

        ``images`` ``(N, H, W, C)`` and ``channel_maps`` ``(N, K, h, w)`` stay whole on
        the device; only the chunk's B pairs are upsampled, scaled, applied and run.
        """
        maps = tf.gather_nd(channel_maps, tf.stack([image_index, channel_index], axis=1))
        up = upsample(maps, tf.shape(images)[1:3])  # (B, H, W)
        lo = tf.reduce_min(up, axis=(1, 2), keepdims=True)
        hi = tf.reduce_max(up, axis=(1, 2), keepdims=True)
        masks = tf.math.divide_no_nan(up - lo, hi - lo)
        masked = tf.gather(images, image_index) * masks[..., None]
        logits = self._logits_only(masked)
        return target_probability(logits, targets, self._logits_only.final_activation)

    def channel_weights(self, images, activations, targets, *, batch_size=None,
                        max_channels=None, progress=None):
        """``(N, K)`` target probabilities on masked inputs (0 for skipped channels).

        Parameters
        ----------
        images : tf.Tensor, float32, ``(N, H, W, C)``
        activations : tf.Tensor, float32, ``(N, h, w, K)``
        targets : tf.Tensor, int32, ``(N,)`` (resolved classes)
        batch_size : int
            Masked images per forward pass.
        max_channels : int or None
            Faster Score-CAM (see :func:`select_channels`).
        progress : bool or None
            Progress bar: always, never, or (None) when the run is expected to exceed 2 s.
        """
        n, k = activations.shape[0], activations.shape[-1]
        keep = select_channels(activations.numpy(), max_channels)
        image_index, channel_index = (i.astype(np.int32) for i in np.nonzero(keep))
        pair_targets = targets.numpy()[image_index]
        channel_maps = tf.transpose(activations, (0, 3, 1, 2))
        scores = []
        bar = Progress(len(image_index), f"Score-CAM ({self.layer.name})", progress)
        try:
            for start in range(0, len(image_index), batch_size):
                chunk = slice(start, start + batch_size)
                scores.append(self._score_chunk(images, channel_maps, image_index[chunk],
                                                channel_index[chunk], pair_targets[chunk]))
                bar.update(len(image_index[chunk]))
        finally:
            bar.close()
        weights = np.zeros((n, k), np.float32)
        if scores:
            weights[image_index, channel_index] = tf.concat(scores, axis=0).numpy()
        return tf.constant(weights)

    # ------------------------------------------------------------------ the driver
    def _check_batch_size(self, batch_size, x) -> int:
        if batch_size is None:
            return default_batch_size(x.shape[1], x.shape[2])
        return check_int(batch_size, "batch_size", 1)

    def _maps(self, x, t, batch_size, max_channels=None, progress=None):
        if max_channels is not None:
            max_channels = check_int(max_channels, "max_channels", 1)
        out = []
        # Images are taken batch_size at a time (the feature maps of a chunk are small;
        # the masked inputs are built inside the chunk loop of channel_weights).
        for i in range(0, len(x), batch_size):
            images = tf.constant(x[i:i + batch_size])
            activations, _, _, targets = self._forward(images, tf.constant(t[i:i + batch_size]))
            weights = self.channel_weights(images, activations, targets, batch_size=batch_size,
                                           max_channels=max_channels, progress=progress)
            out.append(self._combine(activations, weights, tf.shape(images)[1:3]).numpy())
        return np.concatenate(out)


def scorecam(model, images, targets=None, *, layer=None, batch_size=None, max_channels=None,
             progress=None):
    """Score-CAM heatmaps (Faster Score-CAM with ``max_channels``).

    Parameters
    ----------
    model : keras.Model
        Any CNN classifier with one image input; logits, softmax or sigmoid output.
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int or sequence of int
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
