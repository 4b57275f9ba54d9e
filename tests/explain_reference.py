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


def ref_scorecam(fmodel, lmodel, images, targets=None, max_channels=None, sigmoid=False,
                 baseline=None):
    """Score-CAM: one forward pass per non-constant channel mask, per image.

    ``baseline`` (None or images ``(N, H, W, C)``): Wang et al. (2020), Definition 2,
    the channel-wise increase of confidence C(A_k) = f(X o H_k) - f(X_b), with f the
    target's probability, as the weight of every scored channel.
    """
    out = []
    for n, (image, target) in enumerate(zip(images, _targets(targets, len(images)))):
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
            if baseline is not None:
                x_b = np.asarray(baseline[n], np.float32)[None]
                weights[k] -= probability(lmodel(x_b, training=False).numpy()[0], t, sigmoid)
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


# --------------------------------------------------------------------------- the rest of the family
def cam_from_position_weights(activations, weights, height, width):
    """ReLU(sum_k w_k(i, j) A_k(i, j)) with a loop over channels, then resize and normalise."""
    cam = np.zeros(activations.shape[:2], np.float64)
    for k in range(activations.shape[-1]):
        cam += weights[:, :, k] * activations[:, :, k]
    return normalize(resize(np.maximum(cam, 0.0), height, width))


def ref_hirescam(fmodel, images, targets=None):
    """HiResCAM: sum_k (d score / d A_k) * A_k at each position."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, grads, _ = _activations_gradients(fmodel, image, target)
        out.append(cam_from_position_weights(activations, grads, *image.shape[:2]))
    return np.array(out)


def ref_layercam(fmodel, images, targets=None):
    """LayerCAM: sum_k relu(d score / d A_k) * A_k at each position."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, grads, _ = _activations_gradients(fmodel, image, target)
        out.append(cam_from_position_weights(activations, np.maximum(grads, 0.0),
                                             *image.shape[:2]))
    return np.array(out)


def ref_xgradcam(fmodel, images, targets=None):
    """XGrad-CAM: weight_k = sum(A_k * g_k) / sum(A_k) (0 when sum(A_k) == 0)."""
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, grads, _ = _activations_gradients(fmodel, image, target)
        weights = []
        for k in range(grads.shape[-1]):
            total = activations[:, :, k].sum()
            weighted = (activations[:, :, k] * grads[:, :, k]).sum()
            weights.append(0.0 if total == 0 else weighted / total)
        out.append(cam_from_weights(activations, weights, *image.shape[:2]))
    return np.array(out)


def ref_eigencam(fmodel, images):
    """Eigen-CAM as pytorch-grad-cam's get_2d_projection (centred, numpy SVD), with the
    sign of the first right singular vector chosen so that its loadings sum to >= 0."""
    out = []
    for image in images:
        activations = fmodel(image[None], training=False)[0].numpy()[0].astype(np.float64)
        h, w, k = activations.shape
        rows = activations.reshape(h * w, k)
        rows = rows - rows.mean(axis=0)
        _, _, vt = np.linalg.svd(rows, full_matrices=True)
        v = vt[0]
        if v.sum() < 0 or (v.sum() == 0 and v[np.argmax(np.abs(v))] < 0):
            v = -v
        projection = (rows @ v).reshape(h, w)
        out.append(normalize(resize(np.maximum(projection, 0.0), *image.shape[:2])))
    return np.array(out)


def tail_layers(model: keras.Model, layer_name: str) -> list:
    """The layers after ``layer_name`` in a flat chain model, the final
    Activation/Softmax (if any) left out: applied in order they give the logits."""
    layers = [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]
    index = [lay.name for lay in layers].index(layer_name)
    tail = layers[index + 1:]
    if isinstance(tail[-1], (keras.layers.Activation, keras.layers.Softmax)):
        tail = tail[:-1]
    return tail


def ref_ablationcam(fmodel, tail, images, targets=None):
    """Ablation-CAM: every channel set to 0 in turn (all of them, even all-zero ones),
    the rest of the network run eagerly, weight_k = (y - y_k) / y."""
    def run_tail(a):
        x = tf.constant(a[None].astype(np.float32))
        for lay in tail:
            x = lay(x, training=False)
        return x.numpy()[0].astype(np.float64)

    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        activations, logits = fmodel(image[None], training=False)
        activations = activations.numpy()[0]
        index, sign, _ = pick_target(logits.numpy()[0], target)
        y = sign * run_tail(activations)[index]
        weights = np.zeros(activations.shape[-1])
        for k in range(activations.shape[-1]):
            ablated = activations.copy()
            ablated[:, :, k] = 0.0
            y_k = sign * run_tail(ablated)[index]
            weights[k] = 0.0 if y == 0 else (y - y_k) / y
        out.append(cam_from_weights(activations, weights, *image.shape[:2]))
    return np.array(out)


def ref_integrated_gradients(lmodel, images, targets=None, baseline=0.0, n_steps=50):
    """Raw IG attributions with Gauss-Legendre points, one GradientTape per point."""
    nodes, w = np.polynomial.legendre.leggauss(n_steps)
    alphas, weights = 0.5 * (nodes + 1), 0.5 * w
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        base = np.broadcast_to(np.asarray(baseline, np.float32), image.shape)
        index, sign, _ = pick_target(lmodel(image[None], training=False).numpy()[0], target)
        total = np.zeros(image.shape, np.float64)
        for alpha, weight in zip(alphas, weights):
            x = tf.constant((base + alpha * (image - base))[None].astype(np.float32))
            with tf.GradientTape() as tape:
                tape.watch(x)
                score = sign * lmodel(x, training=False)[0, index]
            total += weight * tape.gradient(score, x).numpy()[0]
        out.append((image - base) * total)
    return np.array(out)


def ig_map(attributions):
    return np.array([normalize(np.abs(a.sum(axis=-1))) for a in attributions])


@tf.custom_gradient
def guided_relu(z):
    """ReLU whose backward pass lets through only positive gradients where z > 0."""
    def backward(g):
        return g * tf.cast(z > 0, g.dtype) * tf.cast(g > 0, g.dtype)

    return tf.nn.relu(z), backward


def guided_model(model: keras.Model) -> keras.Model:
    """A copy of a flat model with every ReLU (activations and ReLU layers) replaced by
    :func:`guided_relu` (the copy is modified, never ``model``)."""
    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.ReLU) or (
                isinstance(layer, keras.layers.Activation) and config["activation"] == "relu"):
            return keras.layers.Activation(guided_relu, name=layer.name)
        if config.get("activation") == "relu":
            config["activation"] = guided_relu
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def ref_guided_backprop_gradients(model, images, targets=None):
    """Guided gradients (N, H, W, C) of the target logit, through a guided copy."""
    lmodel = logits_model(guided_model(model))
    out = []
    for image, target in zip(images, _targets(targets, len(images))):
        x = tf.constant(image[None])
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = lmodel(x, training=False)
            index, sign, _ = pick_target(logits.numpy()[0], target)
            score = sign * logits[0, index]
        out.append(tape.gradient(score, x).numpy()[0])
    return np.array(out)


def ref_guided_backprop(model, images, targets=None):
    grads = ref_guided_backprop_gradients(model, images, targets)
    return np.array([normalize(np.abs(g).max(axis=-1)) for g in grads])


def ref_guided_gradcam(model, layer_name, images, targets=None):
    cams = ref_gradcam(feature_model(model, layer_name), images, targets)
    grads = ref_guided_backprop_gradients(model, images, targets)
    return np.array([normalize(c * np.abs(g).max(axis=-1)) for c, g in zip(cams, grads)])
