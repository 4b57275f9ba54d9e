r"""Finite differences: "nudge the pixels a little and watch the score", done exactly.

The gradient of the target's score :math:`s` says how much :math:`s` changes when the
input moves a tiny step in some direction :math:`d`:

.. math::

    \nabla s(x) \cdot d = \lim_{\varepsilon \to 0}
        \frac{s(x + \varepsilon d) - s(x - \varepsilon d)}{2 \varepsilon}.

:func:`finite_differences` evaluates the right-hand side for a small but finite
:math:`\varepsilon` (a *central difference*), using forward passes only: two per
direction. With :math:`d` one pixel's colour channel it estimates one entry of the
saliency gradient; with :math:`d` a patch of ones, the sum of the gradient over the patch.
It exists to check the gradient against its definition, and to show what that costs.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_array, check_choice, check_real
from .._keras import (check_batch_size, check_finite_weights, check_images, check_model, compiled_logits, logits_net,
                      model_input_shape, model_output_shape)
from .targets import BoundScore, Score, check_scores

SCORES = ("logit", "probability")


def _scores(model, points: np.ndarray, family, params: np.ndarray, score: str,
            batch_size: int):
    """The explained score for each of ``points`` (float64 ``(M,)``)."""
    logits_fn = compiled_logits(model)
    logits = np.concatenate([logits_fn(tf.constant(points[i:i + batch_size])).numpy()
                             for i in range(0, len(points), batch_size)])
    bound = BoundScore(family, tf.constant(params, tf.int32),
                       logits_net(model, None).final_activation)
    logits = tf.constant(logits, tf.float64)
    return (bound.value(logits) if score == "logit" else bound.probability(logits)).numpy()


def finite_differences(model, image, directions, target=None, *, eps=1e-2, score="logit",
                       batch_size=None):
    r"""Central-difference estimates of the target score's slope along each direction.

    .. math::

        D_k = \frac{s(x + \varepsilon d_k) - s(x - \varepsilon d_k)}{2 \varepsilon}
        \;\approx\; \nabla s(x) \cdot d_k

    Parameters
    ----------
    model : keras.Model
    image : float array ``(H, W, C)``
        One image, in the model's input units. The nudged images are not clipped.
    directions : float array ``(D, H, W, C)``
        The directions :math:`d_k`, e.g. one-hot arrays (one pixel's channel) or
        patches of ones.
    target : None, int or a score object
        What is differentiated (:mod:`helpers.explain.targets`): an int, that class's
        logit; None: the class predicted for ``image``; or e.g. ``LogSoftmax(k)``.
    eps : float > 0
        The step :math:`\varepsilon`, in input units. Too large and the step crosses
        the network's kinks (ReLU switching on or off); too small and float32
        rounding in the forward pass dominates the difference.
    score : "logit" or "probability"
        Differentiate the target's logit (as the explanation methods do) or its
        softmax (sigmoid) probability.
    batch_size : int, optional
        Nudged images per forward pass (default 64).

    Returns
    -------
    np.ndarray, float64, ``(D,)``
        In score units per input unit. Cost: ``2 * D`` forward passes, no backward pass.
    """
    check_model(model)
    check_finite_weights(model)
    x, single = check_images(image, model)
    if not single:
        raise ValueError(f"image must be one image (H, W, C), got a batch of shape {x.shape}; "
                         "call finite_differences once per image")
    d = check_array(directions, "directions", ndim=4, shape_hint="(D, H, W, C)")
    if d.shape[1:] != x.shape[1:]:
        raise ValueError(f"directions must have shape (D, {', '.join(map(str, x.shape[1:]))}) "
                         f"to match the image, got {d.shape}")
    if target is not None and not isinstance(target, (int, np.integer, Score)):
        raise TypeError(f"target must be None, an int class index or a score object, got "
                        f"{type(target).__name__}")
    scores = check_scores(target, 1, model_output_shape(model), model_input_shape(model))
    eps = check_real(eps, "eps", low=0.0, low_open=True)
    score = check_choice(score, "score", SCORES)
    batch_size = check_batch_size(batch_size)

    family = scores.family
    t = family.resolve(compiled_logits(model)(tf.constant(x)), tf.constant(scores.params)).numpy()
    step = (eps * d).astype(np.float32)
    plus = _scores(model, x + step, family, np.repeat(t, len(d), axis=0), score, batch_size)
    minus = _scores(model, x - step, family, np.repeat(t, len(d), axis=0), score, batch_size)
    return (plus - minus) / (2.0 * eps)
