r"""Score-CAM (Wang et al., 2020) and Faster Score-CAM: gradient-free channel weights.

Each channel's map, stretched to the image and scaled to [0, 1], is used as a soft
mask on the input; the channel's weight is how confident the model stays in the
target class when it sees only the masked image (the authors' code), or how much more
confident than on a baseline image (``baseline=``: the paper's Definition 2). The cost is one forward pass per
(image, channel): the masked inputs are built chunk by chunk inside one compiled
function (upsample, scale, multiply and forward never leave TensorFlow), so memory
stays at ``batch_size`` masked images whatever the number of channels.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_int, describe
from .._keras import logits_net
from ._maps import upsample
from .integrated_gradients import _check_baseline
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
        w_k^c = \mathrm{softmax}\big(f(X \odot M_k)\big)_c
                \; \big[ - \mathrm{softmax}\big(f(X_b)\big)_c \big],

    where :math:`f` gives the logits and :math:`\odot` multiplies every colour channel
    by the mask. Without a baseline (``baseline=None``, the default) the weight is the
    plain softmax probability, as in the authors' implementation: every weight is in
    (0, 1). With ``baseline=`` the probability of the baseline image :math:`X_b` is
    subtracted, the "channel-wise increase of confidence"
    :math:`C(A^k) = f(X \circ H^k) - f(X_b)` of the paper's Definition 2 (Wang et al.,
    2020), with :math:`f` the same probability: a weight is then in (-1, 1), and a
    channel whose masked image says less for the class than the baseline counts against
    it. (With two softmax classes the two classes' weights then sum to 0, so one class's
    map is the ReLU of minus the other's sum.)

    For another score object, the weight is that score's probability
    (``LogSoftmax(k)``: :math:`p_k` too; a detection cell: the sigmoid of its logit).
    Constant channels are skipped (weight 0), as in the authors' implementation.
    For a single sigmoid logit z the probability is :math:`\sigma(z)` for class 1 and
    :math:`\sigma(-z)` for class 0; for a multi-label sigmoid model, :math:`\sigma(z_c)`.
    The map is then :math:`\mathrm{ReLU}(\sum_k w_k^c A_k)` as for every CAM.

    Faster Score-CAM (``max_channels=m``) scores only the m channels of largest spatial
    variance per image; the others get weight 0.
    """

    name = "scorecam"
    title = "Score-CAM"
    options = ("max_channels", "baseline", "progress")

    def __init__(self, model, layer=None):
        super().__init__(model, layer)
        self._logits_only = logits_net(model, None)

    def select_pairs(self, activations, max_channels=None, baseline=None):
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

    def weights_from_scores(self, scores, keep, outputs, score):
        """The probabilities, minus the baseline image's where a baseline is given."""
        baseline = self.run["options"].get("baseline")
        if baseline is None:
            return scores
        batch = tf.constant(baseline[self.run["batch"]])  # this batch's baselines
        base = score.probability(self._logits_only(batch)).numpy()
        return np.where(keep, scores - base[:, None], 0.0).astype(np.float32)

    def check_options(self, x, max_channels=None, baseline=None, **options):
        """``baseline`` as one float32 image per image of ``x`` (or None)."""
        if baseline is not None:
            baseline = check_scorecam_baseline(baseline, x)
        return dict(options, max_channels=max_channels, baseline=baseline)


def check_scorecam_baseline(baseline, x: np.ndarray) -> np.ndarray:
    """Score-CAM's ``baseline`` as float32 images ``(N, H, W, C)`` like ``x``.

    ``"black"`` (zeros: the image seen through an all-zero mask), a number (a constant
    image), one value per colour channel ``(C,)``, one image ``(H, W, C)`` or one per
    image ``(N, H, W, C)``.
    """
    if isinstance(baseline, str):
        if baseline != "black":
            raise ValueError(f"baseline must be None, 'black', a number or an array of "
                             f"images, got the string {baseline!r}")
        baseline = 0.0
    elif isinstance(baseline, bool):
        raise TypeError(f"baseline must be None, 'black', a number or an array of images, "
                        f"got {describe(baseline)}")
    return _check_baseline(baseline, x)


def scorecam(model, images, targets=None, *, layer=None, batch_size=None, max_channels=None,
             baseline=None, progress=None):
    """Score-CAM heatmaps (Faster Score-CAM with ``max_channels``; the paper's
    baseline-subtracted weights with ``baseline``).

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
    baseline : None, "black", float or float array
        None (default): the weight is the probability on the masked image (the authors'
        code). Otherwise the image :math:`X_b` whose probability is subtracted from
        every weight (the paper's Definition 2): ``"black"`` (zeros, what an all-zero
        mask leaves), a number (a constant image, in the model's input units), one
        value per colour channel ``(C,)``, one image ``(H, W, C)`` or one per image
        ``(N, H, W, C)``. Costs one more forward pass per image.
    progress : bool or None
        Show a progress bar: True, False, or None (when the run is expected to take > 2 s).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), each map in [0, 1]

    Notes
    -----
    Cost: one forward pass per image and non-constant scored channel (e.g. 512 passes
    of VGG16 for one image at ``block5_conv3``), plus one per image for a baseline.
    """
    return ScoreCAM.for_model(model, layer)(images, targets, batch_size=batch_size,
                                            max_channels=max_channels, baseline=baseline,
                                            progress=progress)
