r"""Occlusion (Zeiler and Fergus, 2014): hide a patch, see how much the score drops.

The most direct explanation: slide a grey (or black) square over the image and record
how much the target's score falls with each position hidden. It needs no gradient and
no access to the layers, only forward passes: one per image and patch position.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_int, describe
from .._keras import (compiled_function, 
    cached,
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
from ._progress import Progress
from .cam_base import default_batch_size
from .targets import BoundScore, check_scores

SCORES = ("logit", "probability")


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return check_int(value[0], name, low=1), check_int(value[1], name, low=1)
    v = check_int(value, name, low=1)
    return v, v


def patch_starts(size: int, patch: int, stride: int) -> list[int]:
    """Top (or left) edges of the patch positions along one axis, in pixels.

    Every ``stride`` pixels from 0, plus one flush with the far edge if the stride does
    not land there, so that every pixel is covered at least once.
    """
    starts = list(range(0, size - patch + 1, stride))
    if starts[-1] + patch < size:
        starts.append(size - patch)
    return starts


def _occluded_scores_fn(model, score: str, family):
    def build():
        net = logits_net(model, None)
        h, w, c = model_input_shape(model)

        def occluded_scores(images, image_index, top, left, patch, baseline, params):
            x = tf.gather(images, image_index)
            size = tf.shape(x)
            rows = tf.range(size[1])[None, :, None]
            cols = tf.range(size[2])[None, None, :]
            inside = ((rows >= top[:, None, None]) & (rows < top[:, None, None] + patch[0])
                      & (cols >= left[:, None, None]) & (cols < left[:, None, None] + patch[1]))
            x = tf.where(inside[..., None], baseline, x)
            logits = tf.cast(net(x), tf.float64)  # drops are small differences: keep digits
            bound = BoundScore(family, params, net.final_activation)
            return bound.value(logits) if score == "logit" else bound.probability(logits)

        return compiled_function(occluded_scores, reduce_retracing=True, input_signature=[
            tf.TensorSpec((None, h, w, c), tf.float32), tf.TensorSpec((None,), tf.int32),
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((None,), tf.int32),
            tf.TensorSpec((2,), tf.int32), tf.TensorSpec((c,), tf.float32),
            tf.TensorSpec((None, None), tf.int32)])

    return cached(model, ("occlusion", score, family), build)


def occlusion(model, images, targets=None, *, patch=None, stride=None, baseline=0.0,
              score="logit", batch_size=None, progress=None):
    r"""Occlusion sensitivity maps.

    For each patch position p (a ``patch`` square moved by ``stride``), the pixels under
    the patch are set to ``baseline`` and the drop in the target's score is recorded:

    .. math::

        d_p = s(x) - s(x \text{ with patch } p \text{ occluded}),
        \qquad
        M(i, j) = \frac{\sum_{p \ni (i, j)} d_p}{\#\{p \ni (i, j)\}},

    i.e. each pixel gets the mean drop over the positions that hide it; the map is then
    min-max scaled to [0, 1] per image (the smallest drop, possibly a rise, maps to 0).

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s)
        What is explained (:mod:`helpers.explain.targets`); None: each image's
        predicted class (on the unoccluded image).
    patch : int or (int, int), optional
        Patch size in pixels (default: an eighth of the smaller image side, at least 1).
    stride : int or (int, int), optional
        Step between positions in pixels (default: half the patch, at least 1); at most
        the patch size, so that every pixel is hidden by at least one position.
    baseline : float or sequence of C floats
        The value hidden pixels get, in the model's input units (0 = black for [0, 1]
        images; 0.5 = mid grey).
    score : "logit" or "probability"
        ``"logit"`` (default): the drop in the score's value (a class's logit, before
        softmax/sigmoid; for a single sigmoid logit z, class 0's score is -z).
        ``"probability"``: the drop in its probability (softmax or sigmoid), which
        saturates for confident images.
    batch_size : int, optional
        Occluded images per forward pass (default: 64 at 64x64, 8 at 224x224).
    progress : bool or None
        Progress bar: True, False or None (shown when the run is expected to take > 2 s).

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]

    Notes
    -----
    Cost: one forward pass per image and patch position, e.g. 15 x 15 = 225 for a
    64x64 image with the defaults.
    """
    check_model(model)
    check_finite_weights(model)
    x, single = check_images(images, model)
    net = logits_net(model, None)
    scores = check_scores(targets, len(x), model_output_shape(model), model_input_shape(model))
    n, height, width, channels = x.shape
    if patch is None:
        patch = max(1, min(height, width) // 8)
    ph, pw = _pair(patch, "patch")
    if ph > height or pw > width:
        raise ValueError(f"patch {ph}x{pw} is larger than the {height}x{width} images")
    sh, sw = _pair(stride if stride is not None else (max(1, ph // 2), max(1, pw // 2)), "stride")
    if sh > ph or sw > pw:
        raise ValueError(
            f"stride {sh}x{sw} is larger than patch {ph}x{pw}: the pixels between two patch "
            "positions would never be hidden and would get no score; use stride <= patch"
        )
    if score not in SCORES:
        raise ValueError(f"score must be one of {SCORES}, got {score!r}")
    if isinstance(baseline, (str, bytes)) or (
            np.asarray(baseline).dtype.kind not in "biuf" and not isinstance(baseline, bool)):
        raise TypeError(f"baseline must be a number or {channels} numbers (one per channel) "
                        f"in the model's input units (e.g. 0.5 for mid grey), got "
                        f"{describe(baseline)}")
    base = np.asarray(baseline, dtype=np.float64)
    if base.ndim == 0:
        base = np.full(channels, float(base))
    if base.shape != (channels,) or not np.isfinite(base).all():
        raise ValueError(f"baseline must be a finite number or {channels} numbers (one per channel), "
                         f"got {baseline!r}")
    batch_size = (default_batch_size(height, width) if batch_size is None
                  else check_int(batch_size, "batch_size", low=1))

    tops, lefts = patch_starts(height, ph, sh), patch_starts(width, pw, sw)
    positions = np.array([(r, c) for r in tops for c in lefts], dtype=np.int32)  # (P, 2)
    n_pos = len(positions)
    scores_fn = _occluded_scores_fn(model, score, scores.family)
    images = tf.constant(x)
    patch_t, base_t = tf.constant([ph, pw], tf.int32), tf.constant(base, tf.float32)

    # Scores of the clean images (and the resolved targets).
    logits_fn = compiled_logits(model)
    clean_logits = tf.concat([logits_fn(images[i:i + batch_size]) for i in range(0, n, batch_size)], 0)
    check_finite_logits(clean_logits.numpy())
    t = scores.family.resolve(clean_logits, tf.constant(scores.params)).numpy()
    clean_logits = tf.cast(clean_logits, tf.float64)
    bound = BoundScore(scores.family, t, net.final_activation)
    clean = (bound.value(clean_logits) if score == "logit"
             else bound.probability(clean_logits)).numpy()

    image_index = np.repeat(np.arange(n, dtype=np.int32), n_pos)
    top = np.tile(positions[:, 0], n)
    left = np.tile(positions[:, 1], n)
    occluded = []
    bar = Progress(len(image_index), "occlusion", progress)
    try:
        for s in range(0, len(image_index), batch_size):
            c = slice(s, s + batch_size)
            occluded.append(scores_fn(images, image_index[c], top[c], left[c], patch_t, base_t,
                                      t[image_index[c]]))
            bar.update(len(image_index[c]))
    finally:
        bar.close()
    drops = clean[:, None] - tf.concat(occluded, 0).numpy().reshape(n, n_pos)  # (N, P)

    total = np.zeros((n, height, width), np.float64)
    count = np.zeros((height, width), np.float64)
    for p, (r, c) in enumerate(positions):
        total[:, r:r + ph, c:c + pw] += drops[:, p, None, None]
        count[r:r + ph, c:c + pw] += 1
    maps = normalize_per_image(tf.constant(total / count, tf.float32)).numpy()
    return maps[0] if single else maps
