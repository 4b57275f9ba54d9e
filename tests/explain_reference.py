"""Deliberately simple reference implementations of the heatmap methods.

Written to be obviously right rather than fast: one image at a time, one
``tf.GradientTape`` per image, explicit Python loops over channels and patch
positions, ``cv2.resize`` per map. They share no code with ``helpers.explain``; the
tests check that the fast, batched, compiled implementations agree with them.

Every function takes a *feature model*: a plain Keras model ``x -> [A, logits]``
built by the test with public Keras calls (so the reference does not rely on
``helpers.explain``'s way of bypassing the softmax either).
"""
from __future__ import annotations

import cv2
import keras
import numpy as np
import tensorflow as tf


# --------------------------------------------------------------------------- building blocks
def feature_model(model: keras.Model, layer_name: str) -> keras.Model:
    """``x -> [layer output, logits]`` for a flat model whose last layer is a separate
    Activation/Softmax layer (its input is taken as the logits) or a logits layer."""
    last = model.layers[-1]
    is_activation = isinstance(last, (keras.layers.Activation, keras.layers.Softmax))
    logits = last.input if is_activation else last.output
    return keras.Model(model.inputs, [model.get_layer(layer_name).output, logits])


def logits_model(model: keras.Model) -> keras.Model:
    last = model.layers[-1]
    is_activation = isinstance(last, (keras.layers.Activation, keras.layers.Softmax))
    return keras.Model(model.inputs, last.input if is_activation else last.output)


def normalize(m: np.ndarray) -> np.ndarray:
    """Min-max to [0, 1]; a constant map (range <= 1e-6 of its magnitude) gives zeros."""
    m = np.asarray(m, np.float64)
    lo, hi = m.min(), m.max()
    if hi - lo <= 1e-6 * max(abs(hi), abs(lo)):
        return np.zeros_like(m)
    return (m - lo) / (hi - lo)


def resize(m: np.ndarray, height: int, width: int) -> np.ndarray:
    return cv2.resize(np.asarray(m, np.float32), (width, height), interpolation=cv2.INTER_LINEAR)


def pick_target(logits: np.ndarray, target):
    """The class to explain for one image (None: predicted) and its score's sign."""
    if len(logits) == 1:  # a single sigmoid logit: class 1 is +z, class 0 is -z
        t = int(logits[0] > 0) if target is None else int(target)
        return 0, (1.0 if t == 1 else -1.0), t
    t = int(np.argmax(logits)) if target is None else int(target)
    return t, 1.0, t


def probability(logits: np.ndarray, t: int, sigmoid: bool = False) -> float:
    logits = np.asarray(logits, np.float64)
    if len(logits) == 1:
        z = logits[0] if t == 1 else -logits[0]
        return 1.0 / (1.0 + np.exp(-z))
    if sigmoid:
        return 1.0 / (1.0 + np.exp(-logits[t]))
    e = np.exp(logits - logits.max())
    return float(e[t] / e.sum())


def cam_from_weights(activations: np.ndarray, weights, height: int, width: int) -> np.ndarray:
    """ReLU(sum_k w_k A_k), explicit loop over channels, then resize and normalise."""
    cam = np.zeros(activations.shape[:2], np.float64)
    for k in range(activations.shape[-1]):
        cam += float(weights[k]) * activations[:, :, k]
    cam = np.maximum(cam, 0.0)
    return normalize(resize(cam, height, width))


def _targets(targets, n):
    if targets is None or np.ndim(targets) == 0:
        return [targets] * n
    return list(targets)


def _activations_gradients(fmodel, image, target):
    x = tf.constant(image[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        activations, logits = fmodel(x, training=False)
        index, sign, t = pick_target(logits.numpy()[0], target)
        score = sign * logits[0, index]
    grads = tape.gradient(score, activations)
    return activations.numpy()[0].astype(np.float64), grads.numpy()[0].astype(np.float64), t


# --------------------------------------------------------------------------- the methods
def ref_cam(fmodel, kernel: np.ndarray, images, targets=None):
    """CAM: weights = the Dense kernel's column of the target (per channel)."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, logits = fmodel(image[None], training=False)
        activations = activations.numpy()[0]
        index, sign, _ = pick_target(logits.numpy()[0], target)
        weights = [sign * kernel[k, index] for k in range(kernel.shape[0])]
        out.append(cam_from_weights(activations, weights, *image.shape[:2]))
    return np.array(out)


def ref_gradcam(fmodel, images, targets=None):
    """Grad-CAM: weight_k = mean over positions of d score / d A_k."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, grads, _ = _activations_gradients(fmodel, image, target)
        weights = [grads[:, :, k].mean() for k in range(grads.shape[-1])]
        out.append(cam_from_weights(activations, weights, *image.shape[:2]))
    return np.array(out)


def ref_gradcam_plus_plus(fmodel, images, targets=None):
    """Grad-CAM++: alpha = g^2 / (2 g^2 + sum(A_k) g^3), weight_k = sum(alpha relu(g))."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, grads, _ = _activations_gradients(fmodel, image, target)
        weights = []
        for k in range(grads.shape[-1]):
            g = grads[:, :, k]
            denominator = 2 * g ** 2 + activations[:, :, k].sum() * g ** 3
            safe = np.where(denominator != 0, denominator, 1.0)
            alpha = np.where(denominator != 0, g ** 2 / safe, 0.0)
            weights.append(np.sum(alpha * np.maximum(g, 0)))
        out.append(cam_from_weights(activations, weights, *image.shape[:2]))
    return np.array(out)


def ref_scorecam(fmodel, lmodel, images, targets=None, max_channels=None, sigmoid=False):
    """Score-CAM: one forward pass per non-constant channel mask, per image."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, logits = fmodel(image[None], training=False)
        activations = activations.numpy()[0]
        _, _, t = pick_target(logits.numpy()[0], target)
        height, width = image.shape[:2]
        channels = range(activations.shape[-1])
        if max_channels is not None:
            variance = activations.astype(np.float64).var(axis=(0, 1))
            channels = sorted(np.argsort(-variance, kind="stable")[:max_channels])
        weights = np.zeros(activations.shape[-1])
        for k in channels:
            a = activations[:, :, k]
            if a.max() == a.min():
                continue  # constant map: undefined mask, skipped
            up = resize(a, height, width)
            mask = (up - up.min()) / (up.max() - up.min())
            masked = (image * mask[:, :, None]).astype(np.float32)
            weights[k] = probability(lmodel(masked[None], training=False).numpy()[0], t, sigmoid)
        out.append(cam_from_weights(activations, weights, height, width))
    return np.array(out)


def ref_saliency(lmodel, images, targets=None):
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        x = tf.constant(image[None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = lmodel(x, training=False)
            index, sign, _ = pick_target(logits.numpy()[0], target)
            score = sign * logits[0, index]
        g = tape.gradient(score, x).numpy()[0]
        out.append(normalize(np.abs(g).max(axis=-1)))
    return np.array(out)


def ref_smoothgrad(lmodel, images, targets=None, n_samples=5, noise_level=0.2, seed=0):
    """Noise: np.random.default_rng(seed).standard_normal((n_samples, H, W, C)), the same
    draws for every image, scaled by noise_level * (max - min) of the image."""
    noise = np.random.default_rng(seed).standard_normal((n_samples, *images.shape[1:]),
                                                        dtype=np.float32)
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        logits = lmodel(image[None], training=False).numpy()[0]
        index, sign, _ = pick_target(logits, target)
        sigma = noise_level * (image.max() - image.min())
        total = np.zeros(image.shape, np.float64)
        for s in range(n_samples):
            x = tf.constant((image + sigma * noise[s])[None].astype(np.float32))
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = sign * lmodel(x, training=False)[0, index]
            total += tape.gradient(score, x).numpy()[0]
        out.append(normalize(np.abs(total / n_samples).max(axis=-1)))
    return np.array(out)


def ref_occlusion(lmodel, images, targets=None, patch=8, stride=4, baseline=0.0, score="logit",
                  sigmoid=False):
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        height, width = image.shape[:2]
        clean_logits = lmodel(image[None], training=False).numpy()[0]
        index, sign, t = pick_target(clean_logits, target)

        def value(logits):
            return sign * logits[index] if score == "logit" else probability(logits, t, sigmoid)

        clean = value(clean_logits)
        tops = list(range(0, height - patch + 1, stride))
        if tops[-1] + patch < height:
            tops.append(height - patch)
        lefts = list(range(0, width - patch + 1, stride))
        if lefts[-1] + patch < width:
            lefts.append(width - patch)
        total = np.zeros((height, width))
        count = np.zeros((height, width))
        for top in tops:
            for left in lefts:
                occluded = image.copy()
                occluded[top:top + patch, left:left + patch, :] = baseline
                drop = clean - value(lmodel(occluded[None], training=False).numpy()[0])
                total[top:top + patch, left:left + patch] += drop
                count[top:top + patch, left:left + patch] += 1
        out.append(normalize(total / count))
    return np.array(out)


def peak_in_box_rate(maps, boxes):
    """Share of maps whose maximum lies inside its xyxy box (right/bottom edges exclusive).

    ``maps`` float ``(N, H, W)``, ``boxes`` ``(N, 4)`` in pixels.
    """
    flat = maps.reshape(len(maps), -1).argmax(axis=1)
    ys, xs = np.unravel_index(flat, maps.shape[1:])
    inside = (xs >= boxes[:, 0]) & (xs < boxes[:, 2]) & (ys >= boxes[:, 1]) & (ys < boxes[:, 3])
    return inside.mean()
