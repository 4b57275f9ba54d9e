"""Batched, compiled forward passes that turn images into target probabilities.

The logits come from :func:`helpers._keras.compiled_logits` (one compiled pass
per chunk, final softmax/sigmoid bypassed without touching the model) and go back to
probabilities with :func:`helpers._keras.target_probability`, so a model that
ends in a softmax, a sigmoid or plain logits is handled the same way as in
:mod:`helpers.explain`.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._keras import (check_batch_size, check_finite_logits, check_images, check_model,
                      check_targets, compiled_logits, logits_net, n_logits, resolve_targets,
                      target_probability)
from ._inputs import check_maps, check_same_size


def check_inputs(model, images, maps, targets, batch_size, **map_checks):
    """Validate ``(model, images, maps, targets, batch_size)`` for a model-based score.

    Returns ``(model, x float32 (N, H, W, C), m float64 (N, H, W), t int32 (N,), batch)``;
    ``t`` holds -1 where the predicted class is to be used.
    """
    model = check_model(model)
    x, _ = check_images(images, model)
    m, _ = check_maps(maps, **map_checks)
    check_same_size(m, x)
    t = check_targets(targets, len(x), n_logits(model))
    batch = check_batch_size(batch_size)
    return model, x, m, t, batch


def logits_of(model, batches) -> np.ndarray:
    """Logits ``(total, L)`` float32 of an iterable of image chunks, one compiled pass each.

    Raises ValueError (:func:`helpers._keras.check_finite_logits`) when any logit is NaN
    or infinite (a model with NaN weights, a diverged training): a score of such a
    model would be NaN, or a good-looking 0.
    """
    run = compiled_logits(model)
    logits = np.concatenate([run(tf.constant(chunk, tf.float32)).numpy() for chunk in batches])
    check_finite_logits(logits)
    return logits


def probabilities(model, logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Target probability ``(M,)`` float64 of logits ``(M, L)`` for targets ``(M,)``."""
    kind = logits_net(model).final_activation
    p = target_probability(tf.constant(logits), tf.constant(targets, tf.int32), kind)
    return p.numpy().astype(np.float64)


def predicted(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Targets ``(N,)`` int32 with -1 replaced by the class predicted from ``logits``."""
    return resolve_targets(tf.constant(logits), tf.constant(targets, tf.int32)).numpy()
