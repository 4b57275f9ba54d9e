r"""Gradient maps: vanilla saliency (Simonyan et al., 2014) and SmoothGrad (Smilkov et al., 2017).

Saliency asks: which pixels, nudged a little, change the class score most? It is the
gradient of the target's logit with respect to the input image, one number per pixel
and colour channel, shown as its absolute value (the largest over the colour channels).
"""
from __future__ import annotations

import numbers

import numpy as np
import tensorflow as tf

from .._checks import check_int
from .._keras import (compiled_function, 
    cached,
    check_batch_size,
    check_finite_logits,
    check_finite_weights,
    check_images,
    check_model,
    compiled_logits,
    logits_net,
    model_input_shape,
    model_output_shape,
)
from ._maps import normalize_per_image
from .targets import ScoreBatch, check_scores


MAX_BYTES = 2**31
"""The largest helper array an explanation allocates at once (2 GiB): bigger requests
(e.g. a huge ``n_samples``) are a ValueError, not a MemoryError."""


def _signature(model):
    h, w, c = model_input_shape(model)
    return [tf.TensorSpec((None, h, w, c), tf.float32, name="images"),
            tf.TensorSpec((None, None), tf.int32, name="params")]


def target_gradients(net, images, params, family):
    """The shared gradient pass: ``d score / d images`` for a batch.

    Parameters
    ----------
    net : LogitsNet
        Plain, or ``guided=True`` for guided backpropagation.
    images : tf.Tensor, float32, ``(B, H, W, C)``
    params : tf.Tensor, int32, ``(B, P)``
        The score's parameters (:mod:`helpers.explain.targets`; -1: predicted class).
    family : type
        The score family (``ClassLogit``, ``LogSoftmax``, ``DetectionCell``, ...).

    Returns
    -------
    gradients : float32 ``(B, H, W, C)``; params : int32 ``(B, P)`` (resolved);
    finite : bool scalar (all outputs finite)
    """
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(images)
        outputs = net(images)
        params = family.resolve(outputs, params)
        score = tf.reduce_sum(family.value(outputs, params))
    # Images do not interact in inference mode: the gradient of the summed scores is,
    # image by image, the gradient of that image's own score.
    return tape.gradient(score, images), params, tf.reduce_all(tf.math.is_finite(outputs))


def input_gradients_fn(model, family, guided: bool = False):
    """Compiled ``(images, params) -> (gradients, resolved params, finite)``.

    See :func:`target_gradients`; images float32 ``(N, H, W, C)``, params int32
    ``(N, P)``. ``guided=True``: guided backpropagation's gradients. Cached per model
    and score family.
    """
    def build():
        net = logits_net(model, None, guided)
        return compiled_function(lambda images, params: target_gradients(net, images, params, family),
                           input_signature=_signature(model), reduce_retracing=True)

    return cached(model, ("input_gradients", guided, family), build)


def input_gradients(model, x: np.ndarray, scores: ScoreBatch, batch_size: int,
                    guided: bool = False) -> np.ndarray:
    """Gradients of each image's score, batch by batch: float32 ``(N, H, W, C)``.

    Raises ValueError if the model's outputs are not finite.
    """
    grads_fn = input_gradients_fn(model, scores.family, guided)
    out = []
    for i in range(0, len(x), batch_size):
        grads, _, finite = grads_fn(tf.constant(x[i:i + batch_size]),
                                    tf.constant(scores.params[i:i + batch_size]))
        check_finite_logits(bool(finite))
        out.append(grads.numpy())
    return np.concatenate(out) if len(out) > 1 else out[0]


def gradient_map(gradients):
    r"""From input gradients to a heatmap: :math:`\max_c |g_c|`, min-max scaled per image.

    Parameters
    ----------
    gradients : tf.Tensor, float32, ``(N, H, W, C)``

    Returns
    -------
    tf.Tensor, float32, ``(N, H, W)`` in [0, 1]
    """
    return normalize_per_image(tf.reduce_max(tf.abs(gradients), axis=-1))


def prepare(model, images, targets, batch_size):
    """Checked ``(x float32 (N, H, W, C), scores ScoreBatch, single, batch_size)``."""
    check_model(model)
    check_finite_weights(model)
    x, single = check_images(images, model)
    scores = check_scores(targets, len(x), model_output_shape(model), model_input_shape(model))
    return x, scores, single, check_batch_size(batch_size)


def saliency_attributions(model, images, targets=None, *, batch_size=None):
    r"""The raw input gradient behind a saliency map: signed, unscaled, every channel.

    .. math::

        g_{ijc} = \frac{\partial y^t}{\partial x_{ijc}}

    for the target's logit :math:`y^t`; :func:`saliency` is :math:`\max_c |g_{ijc}|`,
    min-max scaled. In logit units per input unit: :math:`y^t(x + \delta) \approx
    y^t(x) + \sum_{ijc} g_{ijc} \delta_{ijc}` for a small change :math:`\delta`.

    Parameters
    ----------
    model, images, targets, batch_size
        As for :func:`saliency`.

    Returns
    -------
    np.ndarray, float32, ``(N, H, W, C)`` (``(H, W, C)`` for one image)
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    grads = input_gradients(model, x, scores, batch_size)
    return grads[0] if single else grads


def saliency(model, images, targets=None, *, batch_size=None):
    r"""Vanilla gradient saliency maps.

    .. math::

        S(i, j) = \max_{c} \left| \frac{\partial y^t}{\partial x_{ijc}} \right|

    for the target's logit :math:`y^t` (a final softmax/sigmoid is bypassed), then
    min-max scaled to [0, 1] per image.

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: each image's predicted class.
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    maps = gradient_map(tf.constant(input_gradients(model, x, scores, batch_size))).numpy()
    return maps[0] if single else maps


def smoothgrad_noise(shape, n_samples: int, seed: int) -> np.ndarray:
    """The standard-normal draws SmoothGrad adds: float32 ``(n_samples, H, W, C)``.

    The same draws are used for every image (so an image's map does not depend on the
    batch it came in): ``np.random.default_rng(seed).standard_normal((n_samples, H, W, C))``.
    """
    return np.random.default_rng(seed).standard_normal((n_samples, *shape), dtype=np.float32)


def smoothgrad(model, images, targets=None, *, n_samples=25, noise_level=0.15, seed=0,
               batch_size=None):
    r"""SmoothGrad: the input gradient averaged over noisy copies of the image.

    .. math::

        \bar g = \frac{1}{n} \sum_{s=1}^{n} \frac{\partial y^t}{\partial x}\Big|_{x + \sigma \epsilon_s},
        \qquad \epsilon_s \sim \mathcal N(0, I), \quad
        \sigma = \text{noise\_level} \cdot (\max x - \min x),

    then :math:`\max_c |\bar g_c|`, min-max scaled per image (as :func:`saliency`).
    The target class is fixed on the clean image (None: its predicted class).

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
    n_samples : int
        Noisy copies per image (the paper uses 50; 25 is already smooth).
    noise_level : float
        Noise standard deviation as a fraction of each image's pixel range
        (max - min); the paper finds 0.1-0.2 best. 0 gives :func:`saliency`.
    seed : int
        Seed of the noise (see :func:`smoothgrad_noise`): same seed, same maps.
    batch_size : int, optional
        Images per compiled pass (default 64).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    n_samples = check_int(n_samples, "n_samples", low=1)
    if isinstance(noise_level, bool) or not isinstance(noise_level, numbers.Real) or not (
            0.0 <= noise_level < np.inf):
        raise ValueError(f"noise_level must be a finite number >= 0 (a fraction of the pixel range), "
                         f"got {noise_level!r}")
    seed = check_int(seed, "seed", low=0)
    if n_samples * x[0].size * 4 > MAX_BYTES:
        raise ValueError(
            f"n_samples={n_samples} noisy copies of a {'x'.join(map(str, x.shape[1:]))} image "
            f"need {n_samples * x[0].size * 4 / 2**30:.1f} GiB of noise; at most "
            f"{MAX_BYTES // (x[0].size * 4)} fit in {MAX_BYTES / 2**30:.0f} GiB (25-50 are "
            "plenty)")
    noise = smoothgrad_noise(x.shape[1:], n_samples, seed)
    grads_fn = input_gradients_fn(model, scores.family)
    logits_fn = compiled_logits(model)
    out = []
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        clean_logits = logits_fn(tf.constant(xb))
        check_finite_logits(clean_logits.numpy())
        params_b = scores.family.resolve(clean_logits, tf.constant(scores.params[i:i + batch_size]))
        sigma = noise_level * (xb.max(axis=(1, 2, 3)) - xb.min(axis=(1, 2, 3)))
        total = tf.zeros(xb.shape, tf.float32)
        for s in range(n_samples):
            noisy = xb + sigma[:, None, None, None] * noise[s]
            grads, _, finite = grads_fn(tf.constant(noisy, tf.float32), params_b)
            check_finite_logits(bool(finite))
            total += grads
        out.append(gradient_map(total / n_samples).numpy())
    maps = np.concatenate(out)
    return maps[0] if single else maps
