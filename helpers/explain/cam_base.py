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
  get the maps, the outputs and the gradient of the explained score in one compiled
  pass (:class:`CAMBase`);
* **forward-pass methods** (Score-CAM, Ablation-CAM) score (image, channel) pairs with
  extra forward passes, chunk by chunk (:class:`ForwardPassCAM`): they only say which
  pairs to score, how to score one chunk, and how scores become weights.

What is explained is a score object (:mod:`helpers.explain.targets`: a class logit by
default, the logit gap, a detection cell's score), the same for every method: the
gradient methods differentiate ``score.value(outputs)``, the forward-pass methods read
it (Score-CAM its probability). For the gradient-based methods the forward pass, the
gradient, the weights and the map are one compiled TensorFlow function per batch
(traced once per model, layer, method and score family; later calls reuse it).
"""
from __future__ import annotations

import weakref

import keras
import numpy as np
import tensorflow as tf

from .._keras import (
    BATCH_SIZE,
    cached,
    compiled_function,
    check_batch_size,
    check_finite_logits,
    check_finite_weights,
    check_images,
    check_model,
    logits_net,
    model_input_shape,
    model_output_shape,
    resolve_layer,
)
from ._maps import normalize_per_image, upsample
from ._progress import Progress
from .targets import BoundScore, ClassLogit, ScoreBatch, check_scores

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

    Subclasses set :attr:`name` and implement :meth:`channel_weights` (and, for
    Eigen-CAM, :meth:`transform_activations`). Use the function interface
    (:func:`helpers.explain.gradcam` etc.), which keeps one instance per model and
    layer so the compiled pass is reused.

    Parameters
    ----------
    model : keras.Model
        One image input and one output: class scores (logits, softmax or sigmoid) or a
        dense detector's maps ``(N, h, w, L)`` (explained through a detection score).
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
            tf.TensorSpec((None, None), tf.int32, name="params"),
        ]
        self._compiled = {}

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
    def channel_weights(self, activations, gradients, outputs, score):
        """The weights, ``(N, K)`` or ``(N, h, w, K)`` float32 (TensorFlow ops).

        Parameters
        ----------
        activations : tf.Tensor, float32, ``(N, h, w, K)``
            Feature maps A.
        gradients : tf.Tensor, float32, ``(N, h, w, K)`` or None
            :math:`\\partial S / \\partial A` of each image's explained score S
            (None when :attr:`needs_gradients` is False).
        outputs : tf.Tensor, float32, ``(N, L)`` (or ``(N, h', w', L)``)
            The model's outputs, final softmax/sigmoid bypassed (the logits).
        score : helpers.explain.targets.BoundScore
            The explained score (``score.value(outputs)`` is S, ``(N,)``), its
            "predicted" placeholders already resolved.
        """
        raise NotImplementedError

    def transform_activations(self, activations):
        """The maps the weights multiply, ``(N, h, w, K)`` (identity; Eigen-CAM centres)."""
        return activations

    # ------------------------------------------------------------------ the pass
    def forward(self, images, params, family=None):
        """Feature maps, outputs, gradients of the explained score and its parameters.

        ``images`` float32 ``(N, H, W, C)``; ``params`` int32 ``(N, P)`` of the score
        ``family``; ``family=None`` means :class:`~helpers.explain.targets.ClassLogit`,
        whose ``params`` may then be class indices ``(N,)`` (-1: predicted).

        Returns
        -------
        activations : ``(N, h, w, K)``; outputs : ``(N, L)`` (or ``(N, h', w', L)``);
        gradients : ``(N, h, w, K)`` or None; params : int32 ``(N, P)``, resolved
        """
        if family is None:
            family = ClassLogit
            if params.shape.rank == 1:
                params = params[:, None]
        if not self.needs_gradients:
            activations, outputs = self.net(images)
            return activations, outputs, None, family.resolve(outputs, params)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(images)  # records the pass even when the model is frozen
            activations, outputs = self.net(images)
            params = family.resolve(outputs, params)
            total = tf.reduce_sum(family.value(outputs, params))
        # Images do not interact in inference mode, so the gradient of the summed scores
        # is, image by image, the gradient of that image's own score.
        gradients = tape.gradient(total, activations)
        return activations, outputs, gradients, params

    def bound(self, family, params) -> BoundScore:
        """The score as :meth:`channel_weights` receives it."""
        return BoundScore(family, params, self.net.final_activation)

    def _batch_maps(self, images, params, family):
        activations, outputs, gradients, params = self.forward(images, params, family)
        weights = self.channel_weights(activations, gradients, outputs,
                                       self.bound(family, params))
        maps = combine(self.transform_activations(activations), tf.cast(weights, tf.float32),
                       tf.shape(images)[1:3])
        return maps, all_finite(outputs, activations)

    def _compiled_for(self, family):
        if family not in self._compiled:
            self._compiled[family] = compiled_function(
                lambda images, params: self._batch_maps(images, params, family),
                input_signature=self._signature, reduce_retracing=True)
        return self._compiled[family]

    def _maps(self, x: np.ndarray, scores: ScoreBatch, batch_size: int) -> np.ndarray:
        run = self._compiled_for(scores.family)
        out = []
        for i in range(0, len(x), batch_size):
            maps, finite = run(tf.constant(x[i:i + batch_size]),
                               tf.constant(scores.params[i:i + batch_size]))
            check_finite_logits(bool(finite))
            out.append(maps.numpy())
        return np.concatenate(out) if len(out) > 1 else out[0]

    def __call__(self, images, targets=None, *, batch_size: int | None = None, **options):
        """Heatmaps for ``images``.

        Parameters
        ----------
        images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
        targets : None, int, int sequence, a score object or one score object per image
            What is explained (:mod:`helpers.explain.targets`): None, each image's
            predicted class; an int, that class's logit for all images (for a single
            sigmoid logit, 1 explains the logit and 0 its negative); or a score such as
            ``LogSoftmax(k)`` or ``DetectionCell(row, col, c)``.
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
            If the model's outputs or the layer's maps are not finite (e.g. NaN weights,
            training diverged), or a score does not fit the model's output.
        """
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            known = ", ".join(("batch_size",) + self.options)
            raise TypeError(f"{self.name} got unknown option(s) {', '.join(unknown)}; "
                            f"its options are: {known}")
        model = self._model()
        check_finite_weights(model)
        x, single = check_images(images, model)
        scores = check_scores(targets, len(x), model_output_shape(model),
                              model_input_shape(model))
        batch_size = self._check_batch_size(batch_size, x)
        maps = self._maps(x, scores, batch_size, **options)
        return maps[0] if single else maps

    def _check_batch_size(self, batch_size, x) -> int:
        return check_batch_size(batch_size)


def all_finite(*tensors):
    """True (a bool tensor) when every value of every tensor is finite."""
    return tf.reduce_all([tf.reduce_all(tf.math.is_finite(t)) for t in tensors])


class ForwardPassCAM(CAMBase):
    """Base of the gradient-free methods whose weights need extra forward passes.

    Score-CAM and Ablation-CAM score (image, channel) pairs: one forward pass of the
    model per pair, on a masked image (Score-CAM) or with one channel of the layer zeroed
    (Ablation-CAM). This class runs the plain pass (maps, outputs, scores), asks the
    subclass which pairs to score (:meth:`select_pairs`), scores them chunk by chunk in
    one compiled function (:meth:`pair_scores`, ``batch_size`` pairs per forward pass,
    so memory is bounded by the chunk, never by the number of channels), and turns the
    scores into ``(N, K)`` weights (:meth:`weights_from_scores`); :func:`combine` then
    makes the maps as for every CAM.

    :meth:`channel_weights` has the base class's signature; the image batch and the
    call's options (``batch_size``, ``progress``, the method's own) are those of the
    call in progress (:attr:`run`).
    """

    needs_gradients = False
    options = ("progress",)
    title = "forward-pass CAM"

    def __init__(self, model, layer=None):
        super().__init__(model, layer)
        self._score_chunks = {}
        self._forwards = {}
        self._combine = compiled_function(combine, reduce_retracing=True)
        self.run: dict = {}
        """The call in progress: ``images`` (tf.Tensor ``(N, H, W, C)``, one batch),
        ``batch`` (the batch's slice of the call's images), ``batch_size``, ``progress``
        and the method's ``options`` (as :meth:`check_options` returned them)."""

    # ------------------------------------------------------------------ per method
    def select_pairs(self, activations: np.ndarray, **options) -> np.ndarray:
        """Which (image, channel) pairs to score: bool ``(N, K)`` (the others weigh 0)."""
        raise NotImplementedError

    def prepare(self, activations):
        """The activations as :meth:`pair_scores` wants them (once per image batch)."""
        return activations

    def pair_scores(self, images, activations, image_index, channel_index, score):
        """Scores of one chunk of B pairs, ``(B,)`` float32 (TensorFlow ops).

        ``images`` ``(N, H, W, C)`` and ``activations`` (as :meth:`prepare` gives them)
        are the whole image batch; ``image_index`` and ``channel_index`` (int32 ``(B,)``)
        name the chunk's pairs and ``score`` (a BoundScore) is each pair's image's score.
        """
        raise NotImplementedError

    def weights_from_scores(self, scores, keep, outputs, score):
        """``(N, K)`` weights from the pair scores (``(N, K)``, 0 where ``keep`` is False);
        ``outputs`` (numpy) and ``score`` are the plain pass's."""
        return scores

    # ------------------------------------------------------------------ the driver
    def _chunk_fn(self, family):
        if family not in self._score_chunks:
            h, w, c = self._signature[0].shape[1:]

            def chunk(images, activations, image_index, channel_index, params):
                return self.pair_scores(images, activations, image_index, channel_index,
                                        self.bound(family, params))

            self._score_chunks[family] = compiled_function(chunk, reduce_retracing=True, input_signature=[
                tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
                tf.TensorSpec((None, None, None, None), tf.float32, name="activations"),
                tf.TensorSpec((None,), tf.int32, name="image_index"),
                tf.TensorSpec((None,), tf.int32, name="channel_index"),
                tf.TensorSpec((None, None), tf.int32, name="params")])
        return self._score_chunks[family]

    def channel_weights(self, activations, gradients, outputs, score):
        """``(N, K)`` weights for one image batch (numpy float32 in a tf.Tensor)."""
        images, batch_size = self.run["images"], self.run["batch_size"]
        n, k = activations.shape[0], activations.shape[-1]
        keep = self.select_pairs(activations.numpy(), **self.run["options"])
        image_index, channel_index = (i.astype(np.int32) for i in np.nonzero(keep))
        pair_params = np.asarray(score.params)[image_index]
        prepared = self.prepare(activations)
        run_chunk = self._chunk_fn(score.family)
        scores = []
        bar = Progress(len(image_index), f"{self.title} ({self.layer.name})",
                       self.run["progress"])
        try:
            for start in range(0, len(image_index), batch_size):
                chunk = slice(start, start + batch_size)
                scores.append(run_chunk(images, prepared, image_index[chunk],
                                        channel_index[chunk], pair_params[chunk]))
                bar.update(len(image_index[chunk]))
        finally:
            bar.close()
        pair = np.zeros((n, k), np.float32)
        if scores:
            pair[image_index, channel_index] = tf.concat(scores, axis=0).numpy()
        return tf.constant(self.weights_from_scores(pair, keep, outputs.numpy(), score),
                           tf.float32)

    def _check_batch_size(self, batch_size, x) -> int:
        return check_batch_size(batch_size, default=default_batch_size(x.shape[1], x.shape[2]))

    def check_options(self, x: np.ndarray, **options) -> dict:
        """The method's options, checked against all the images ``x`` ``(N, H, W, C)``
        before any batch runs (e.g. one baseline image per image); returned as used."""
        return options

    def _maps(self, x, scores, batch_size, progress=None, **options):
        options = self.check_options(x, **options)
        if scores.family not in self._forwards:
            family = scores.family
            self._forwards[family] = compiled_function(
                lambda images, params: self.forward(images, params, family),
                input_signature=self._signature, reduce_retracing=True)
        forward = self._forwards[scores.family]
        out = []
        # Images are taken batch_size at a time (the feature maps of a chunk are small;
        # the edited inputs are built inside the chunk loop of channel_weights).
        for i in range(0, len(x), batch_size):
            images = tf.constant(x[i:i + batch_size])
            activations, outputs, _, params = forward(
                images, tf.constant(scores.params[i:i + batch_size]))
            check_finite_logits(bool(all_finite(outputs, activations)))
            self.run = dict(images=images, batch_size=batch_size, progress=progress,
                            options=options, batch=slice(i, i + len(images)))
            try:
                weights = self.channel_weights(activations, None, outputs,
                                               self.bound(scores.family, params.numpy()))
            finally:
                self.run = {}
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
