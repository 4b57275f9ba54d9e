r"""The skeleton every CAM method shares.

A CAM method looks at the feature maps :math:`A \in \mathbb{R}^{N \times h \times w \times K}`
of one convolutional layer and gives each of the K channels a weight
:math:`w \in \mathbb{R}^{N \times K}` (per image, for that image's target class). The map is

.. math::

    L_n(i, j) = \mathrm{ReLU}\Big(\sum_k w_{nk}\, A_{nk}(i, j)\Big),

upsampled bilinearly to the input size and min-max scaled to [0, 1] per image
(a constant map gives zeros). The methods differ **only** in
:meth:`CAMBase.channel_weights`; everything else is here. Most weights are one number
per channel, ``(N, K)``; HiResCAM and LayerCAM give one per position and channel,
``(N, h, w, K)``, and :func:`combine` handles both.

Two ways to compute the weights:

* **gradient methods** (Grad-CAM, Grad-CAM++, HiResCAM, XGrad-CAM, LayerCAM, CAM, Eigen-CAM)
  get the maps, the logits and the gradient of the target logit in one compiled pass
  (:class:`CAMBase`);
* **forward-pass methods** (Score-CAM, Ablation-CAM) score (image, channel) pairs with
  extra forward passes, chunk by chunk (:class:`ForwardPassCAM`): they only say which
  pairs to score, how to score one chunk, and how scores become weights.

For the gradient-based methods the forward pass, the gradient, the weights and the
map are one compiled TensorFlow function per batch (traced once per model, layer and
method; later calls reuse it).
"""
from __future__ import annotations

import weakref

import keras
import numpy as np
import tensorflow as tf

from .._checks import check_int
from .._keras import (
    BATCH_SIZE,
    cached,
    check_finite_logits,
    check_images,
    check_model,
    check_targets,
    logits_net,
    model_input_shape,
    n_logits,
    resolve_layer,
    resolve_targets,
    target_logit,
)
from ._maps import normalize_per_image, upsample
from ._progress import Progress

DEFAULT_BATCH_SIZE = BATCH_SIZE
"""Images per compiled pass for the gradient-based methods (:data:`helpers._keras.BATCH_SIZE`)."""


def combine(activations, weights, size):
    r"""The shared skeleton: :math:`\mathrm{ReLU}(\sum_k w_k A_k)`, upsampled and scaled.

    Parameters
    ----------
    activations : tf.Tensor, float32, ``(N, h, w, K)``
        Feature maps A of the chosen layer.
    weights : tf.Tensor, float32, ``(N, K)`` or ``(N, h, w, K)``
        One weight per image and channel (CAM, Grad-CAM, ...), or one per image,
        position and channel (HiResCAM, LayerCAM):
        :math:`\mathrm{ReLU}(\sum_k w_k(i, j) A_k(i, j))`.
    size : (H, W)
        Input image size in pixels.

    Returns
    -------
    tf.Tensor, float32, ``(N, H, W)`` in [0, 1]
    """
    if weights.shape.rank == 4:
        cam = tf.nn.relu(tf.reduce_sum(weights * activations, axis=-1))
    elif weights.shape.rank == 2:
        cam = tf.nn.relu(tf.einsum("nhwk,nk->nhw", activations, weights))
    else:
        raise ValueError(f"weights must be (N, K) or (N, h, w, K), got rank {weights.shape.rank}")
    return normalize_per_image(upsample(cam, size))


class CAMBase:
    """Base class: find the layer, run the model, call the weights function, make maps.

    Subclasses set :attr:`name` and implement :meth:`channel_weights`. Use the
    function interface (:func:`helpers.explain.gradcam` etc.), which keeps one instance
    per model and layer so the compiled pass is reused.

    Parameters
    ----------
    model : keras.Model
        One image input, one output of class scores (logits, softmax or sigmoid).
    layer : None, str or keras.layers.Layer
        The convolutional layer whose maps are weighted; None picks
        :func:`helpers.models.last_conv_layer`.
    """

    name = "cam"
    needs_gradients = True
    options: tuple = ()
    """Names of the method's own keyword options (besides ``batch_size``)."""

    def __init__(self, model: keras.Model, layer=None):
        check_model(model)
        self.layer = self.resolve_layer(model, layer)
        self.net = logits_net(model, self.layer)
        self._model = weakref.ref(model)
        h, w, c = model_input_shape(model)
        self._signature = [
            tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
            tf.TensorSpec((None,), tf.int32, name="targets"),
        ]
        self._compiled = tf.function(self._batch_maps, input_signature=self._signature,
                                     reduce_retracing=True)

    @classmethod
    def for_model(cls, model: keras.Model, layer=None) -> "CAMBase":
        """The cached instance for ``(model, layer)`` (built on first use)."""
        check_model(model)
        resolved = cls.resolve_layer(model, layer)
        return cached(model, (cls, id(resolved)), lambda: cls(model, resolved))

    @classmethod
    def resolve_layer(cls, model: keras.Model, layer):
        """The layer to explain; subclasses with stricter needs (CAM) override it."""
        return resolve_layer(model, layer)

    # ------------------------------------------------------------------ per method
    def channel_weights(self, activations, gradients, logits, targets):
        """One weight per image and channel, ``(N, K)`` float32 (TensorFlow ops).

        Parameters
        ----------
        activations : tf.Tensor, float32, ``(N, h, w, K)``
            Feature maps A.
        gradients : tf.Tensor, float32, ``(N, h, w, K)`` or None
            :math:`\\partial y^c / \\partial A` for each image's target logit
            :math:`y^c` (None when :attr:`needs_gradients` is False).
        logits : tf.Tensor, float32, ``(N, L)``
        targets : tf.Tensor, int32, ``(N,)``
            Each image's class (already resolved from "predicted").
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ the pass
    def forward(self, images, targets):
        """Feature maps, logits, gradients of the target logit and resolved targets.

        Returns
        -------
        activations : ``(N, h, w, K)``; logits : ``(N, L)``;
        gradients : ``(N, h, w, K)`` or None; targets : int32 ``(N,)``
        """
        if not self.needs_gradients:
            activations, logits = self.net(images)
            return activations, logits, None, resolve_targets(logits, targets)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(images)  # records the pass even when the model is frozen
            activations, logits = self.net(images)
            targets = resolve_targets(logits, targets)
            score = tf.reduce_sum(target_logit(logits, targets))
        # Images do not interact in inference mode, so the gradient of the summed
        # target logits is, image by image, the gradient of that image's logit.
        gradients = tape.gradient(score, activations)
        return activations, logits, gradients, targets

    def _batch_maps(self, images, targets):
        activations, logits, gradients, targets = self.forward(images, targets)
        weights = self.channel_weights(activations, gradients, logits, targets)
        maps = combine(activations, weights, tf.shape(images)[1:3])
        return maps, tf.reduce_all(tf.math.is_finite(logits))

    def _maps(self, x: np.ndarray, t: np.ndarray, batch_size: int) -> np.ndarray:
        out = []
        for i in range(0, len(x), batch_size):
            maps, finite = self._compiled(tf.constant(x[i:i + batch_size]),
                                          tf.constant(t[i:i + batch_size]))
            check_finite_logits(bool(finite))
            out.append(maps.numpy())
        return np.concatenate(out) if len(out) > 1 else out[0]

    def __call__(self, images, targets=None, *, batch_size: int | None = None, **options):
        """Heatmaps for ``images``.

        Parameters
        ----------
        images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
        targets : None, int or sequence of int
            None: each image's predicted class; int: that class for all images; one per
            image otherwise. For a single sigmoid logit, 1 explains the logit, 0 its negative.
        batch_size : int, optional
            Images per compiled pass (default :data:`DEFAULT_BATCH_SIZE`).
        **options
            Method-specific options (e.g. Score-CAM's ``max_channels``); an option the
            method does not know is a TypeError.

        Returns
        -------
        np.ndarray, float32, ``(N, H, W)`` (or ``(H, W)`` for one image), in [0, 1]

        Raises
        ------
        ValueError
            If the model's outputs are not finite (e.g. training diverged).
        """
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            known = ", ".join(("batch_size",) + self.options)
            raise TypeError(f"{self.name} got unknown option(s) {', '.join(unknown)}; "
                            f"its options are: {known}")
        model = self._model()
        x, single = check_images(images, model)
        t = check_targets(targets, len(x), n_logits(model))
        batch_size = self._check_batch_size(batch_size, x)
        maps = self._maps(x, t, batch_size, **options)
        return maps[0] if single else maps

    def _check_batch_size(self, batch_size, x) -> int:
        if batch_size is None:
            return DEFAULT_BATCH_SIZE
        return check_int(batch_size, "batch_size", low=1)


class ForwardPassCAM(CAMBase):
    """Base of the gradient-free methods whose weights need extra forward passes.

    Score-CAM and Ablation-CAM score (image, channel) pairs: one forward pass of the
    model per pair, on a masked image (Score-CAM) or with one channel of the layer zeroed
    (Ablation-CAM). This class runs the plain pass (maps, logits, targets), asks the
    subclass which pairs to score (:meth:`select_pairs`), scores them chunk by chunk in
    one compiled function (:meth:`pair_scores`, ``batch_size`` pairs per forward pass,
    so memory is bounded by the chunk, never by the number of channels), and turns the
    scores into ``(N, K)`` weights (:meth:`weights_from_scores`); :func:`combine` then
    makes the maps as for every CAM.
    """

    needs_gradients = False
    options = ("progress",)
    title = "forward-pass CAM"

    def __init__(self, model, layer=None):
        super().__init__(model, layer)
        h, w, c = self._signature[0].shape[1:]
        self._score_chunk = tf.function(
            self.pair_scores,
            input_signature=[
                tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
                tf.TensorSpec((None, None, None, None), tf.float32, name="activations"),
                tf.TensorSpec((None,), tf.int32, name="image_index"),
                tf.TensorSpec((None,), tf.int32, name="channel_index"),
                tf.TensorSpec((None,), tf.int32, name="targets"),
            ],
            reduce_retracing=True,
        )
        self._forward = tf.function(self.forward, input_signature=self._signature,
                                    reduce_retracing=True)
        self._combine = tf.function(combine, reduce_retracing=True)

    # ------------------------------------------------------------------ per method
    def select_pairs(self, activations: np.ndarray, **options) -> np.ndarray:
        """Which (image, channel) pairs to score: bool ``(N, K)`` (the others weigh 0)."""
        raise NotImplementedError

    def prepare(self, activations):
        """The activations as :meth:`pair_scores` wants them (once per image batch)."""
        return activations

    def pair_scores(self, images, activations, image_index, channel_index, targets):
        """Scores of one chunk of B pairs, ``(B,)`` float32 (TensorFlow ops).

        ``images`` ``(N, H, W, C)`` and ``activations`` (as :meth:`prepare` gives them)
        are the whole image batch; ``image_index``, ``channel_index`` and ``targets``
        (int32 ``(B,)``) name the chunk's pairs.
        """
        raise NotImplementedError

    def weights_from_scores(self, scores, keep, logits, targets):
        """``(N, K)`` weights from the pair scores (``(N, K)``, 0 where ``keep`` is False)."""
        return scores

    # ------------------------------------------------------------------ the driver
    def channel_weights(self, images, activations, logits, targets, *, batch_size,
                        progress=None, **options):
        """``(N, K)`` weights for one image batch (numpy float32 in a tf.Tensor)."""
        n, k = activations.shape[0], activations.shape[-1]
        keep = self.select_pairs(activations.numpy(), **options)
        image_index, channel_index = (i.astype(np.int32) for i in np.nonzero(keep))
        pair_targets = targets.numpy()[image_index]
        prepared = self.prepare(activations)
        scores = []
        bar = Progress(len(image_index), f"{self.title} ({self.layer.name})", progress)
        try:
            for start in range(0, len(image_index), batch_size):
                chunk = slice(start, start + batch_size)
                scores.append(self._score_chunk(images, prepared, image_index[chunk],
                                                channel_index[chunk], pair_targets[chunk]))
                bar.update(len(image_index[chunk]))
        finally:
            bar.close()
        pair = np.zeros((n, k), np.float32)
        if scores:
            pair[image_index, channel_index] = tf.concat(scores, axis=0).numpy()
        return tf.constant(self.weights_from_scores(pair, keep, logits.numpy(), targets.numpy()),
                           tf.float32)

    def _check_batch_size(self, batch_size, x) -> int:
        if batch_size is None:
            return default_batch_size(x.shape[1], x.shape[2])
        return check_int(batch_size, "batch_size", low=1)

    def _maps(self, x, t, batch_size, progress=None, **options):
        out = []
        # Images are taken batch_size at a time (the feature maps of a chunk are small;
        # the edited inputs are built inside the chunk loop of channel_weights).
        for i in range(0, len(x), batch_size):
            images = tf.constant(x[i:i + batch_size])
            activations, logits, _, targets = self._forward(images,
                                                            tf.constant(t[i:i + batch_size]))
            check_finite_logits(logits.numpy())
            weights = self.channel_weights(images, activations, logits, targets,
                                           batch_size=batch_size, progress=progress, **options)
            out.append(self._combine(activations, weights, tf.shape(images)[1:3]).numpy())
        return np.concatenate(out)


PIXEL_BUDGET = 8 * 224 * 224
"""Default chunk of the forward-pass methods: images per forward pass =
``PIXEL_BUDGET / (H * W)``, clipped to [8, 64]: 64 for 64x64 inputs, 8 for 224x224.
VGG16's activations for one 224x224 image take about 100 MB, so 8 keep the peak memory
modest; on a CPU larger chunks of 224x224 images are not faster (measured: 4, 8, 16 and
32 per pass all take 0.13-0.17 s per image), while for small images bigger chunks
amortise the per-call cost."""


def default_batch_size(height: int, width: int) -> int:
    """Images per forward pass used by the forward-pass methods when ``batch_size=None``."""
    return int(np.clip(PIXEL_BUDGET // max(1, height * width), 8, 64))
