r"""Integrated Gradients (Sundararajan et al., 2017): gradients summed along a path.

A gradient only says what happens for a tiny change; a saturated network has near-zero
gradients on the very features it uses. Integrated Gradients adds up the gradients
along the straight line from a *baseline* (default: a black image) to the image, so
that the attributions add up to the change of the target's logit between the two
(*completeness*).
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_choice, check_int
from .._keras import compiled_function, cached, check_finite_logits, compiled_logits, logits_net, model_input_shape
from ._maps import normalize_per_image
from .gradients import MAX_BYTES, prepare, target_gradients

RULES = ("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right",
         "riemann_middle")
"""Integration rules (Captum's names; Captum's default is ``"gausslegendre"``)."""


def path_points(n_steps: int, method: str = "gausslegendre") -> tuple[np.ndarray, np.ndarray]:
    r"""Points :math:`\alpha_s \in [0, 1]` and weights :math:`\omega_s` of the integral.

    :math:`\int_0^1 f(\alpha)\,d\alpha \approx \sum_s \omega_s f(\alpha_s)`, with the same
    points and weights as Captum's ``approximation_methods``:

    * ``"gausslegendre"``: Gauss-Legendre nodes mapped from [-1, 1] to [0, 1]
      (exact for polynomials of degree < 2n; the fastest for smooth networks);
    * ``"riemann_left"`` / ``"riemann_right"`` / ``"riemann_middle"``:
      :math:`\alpha_s = s/n`, :math:`(s+1)/n`, :math:`(s+\frac12)/n`, weights 1/n;
    * ``"riemann_trapezoid"``: :math:`\alpha_s = s/(n-1)`, end weights halved
      (needs n >= 2).

    Returns
    -------
    alphas, weights : np.ndarray, float64, ``(n_steps,)``
    """
    n = n_steps
    if method == "gausslegendre":
        nodes, w = np.polynomial.legendre.leggauss(n)
        return 0.5 * (nodes + 1.0), 0.5 * w
    if method == "riemann_trapezoid":
        if n < 2:
            raise ValueError("n_steps must be an int >= 2 for method='riemann_trapezoid', got 1")
        w = np.full(n, 1.0 / (n - 1))
        w[[0, -1]] /= 2
        return np.linspace(0.0, 1.0, n), w
    offset = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}[method]
    return (np.arange(n) + offset) / n, np.full(n, 1.0 / n)


def _path_gradients_fn(model, family):
    """Compiled: weighted gradients at path points, summed per image ``(N, H, W, C)``."""
    def build():
        net = logits_net(model, None)
        h, w, c = model_input_shape(model)

        def path_gradients(images, baselines, image_index, alphas, weights, params):
            x = tf.gather(images, image_index)
            x0 = tf.gather(baselines, image_index)
            points = x0 + alphas[:, None, None, None] * (x - x0)
            grads, _, finite = target_gradients(net, points, params, family)
            summed = tf.math.unsorted_segment_sum(weights[:, None, None, None] * grads,
                                                  image_index, tf.shape(images)[0])
            return summed, finite

        spec = tf.TensorSpec((None, h, w, c), tf.float32)
        vec = tf.TensorSpec((None,), tf.float32)
        return compiled_function(path_gradients, reduce_retracing=True, input_signature=[
            spec, spec, tf.TensorSpec((None,), tf.int32), vec, vec,
            tf.TensorSpec((None, None), tf.int32)])

    return cached(model, ("path_gradients", family), build)


def _check_baseline(baseline, x: np.ndarray) -> np.ndarray:
    """The baseline as float32 ``(N, H, W, C)``: a number, one value per colour
    channel ``(C,)``, one image ``(H, W, C)`` or one per image ``(N, H, W, C)``."""
    if hasattr(baseline, "numpy") and not isinstance(baseline, np.ndarray):
        baseline = baseline.numpy()
    b = np.asarray(baseline)
    if b.dtype == object or b.dtype == bool or not np.issubdtype(b.dtype, np.number):
        raise TypeError(f"baseline must be a number or a float array, got {type(baseline).__name__}"
                        f" of dtype {b.dtype}")
    n, h, w, c = x.shape
    shapes = {(): "a number", (c,): "one value per channel", (h, w, c): "one image",
              (n, h, w, c): "one image per image"}
    if b.shape not in shapes:
        raise ValueError(f"baseline must be a number, {c} values (one per channel), one "
                         f"({h}, {w}, {c}) image or ({n}, {h}, {w}, {c}) images; "
                         f"got shape {b.shape}")
    if not np.isfinite(b).all():
        raise ValueError("baseline contains NaN or infinite values")
    return np.ascontiguousarray(np.broadcast_to(b.astype(np.float32), x.shape))


def integrated_gradients_attributions(model, images, targets=None, *, baseline=0.0,
                                      n_steps=50, method="gausslegendre", batch_size=None):
    r"""Raw Integrated Gradients attributions (not scaled), one per pixel and channel.

    .. math::

        \mathrm{IG}_i(x) = (x_i - x'_i) \int_0^1
            \frac{\partial y^t}{\partial x_i}\Big|_{x' + \alpha (x - x')} d\alpha
        \approx (x_i - x'_i) \sum_s \omega_s
            \frac{\partial y^t}{\partial x_i}\Big|_{x' + \alpha_s (x - x')}

    for the target's logit :math:`y^t` and the baseline :math:`x'`
    (:func:`path_points` gives :math:`\alpha_s, \omega_s`). Completeness:
    :math:`\sum_i \mathrm{IG}_i(x) \approx y^t(x) - y^t(x')`, up to the quadrature
    error (it shrinks as ``n_steps`` grows; see the tests for the tolerance measured).

    Parameters
    ----------
    model : keras.Model
    images : float array ``(N, H, W, C)`` or one image ``(H, W, C)``
    targets : None, int, int sequence or score object(s) (:mod:`helpers.explain.targets`)
        None: each image's predicted class (on the image, not the baseline).
    baseline : float or array
        :math:`x'`: a number (default 0: a black image for [0, 1] inputs), one value per
        colour channel ``(C,)``, one image ``(H, W, C)`` or one per image.
    n_steps : int
        Points on the path (Captum's default: 50).
    method : str
        Integration rule, one of :data:`RULES`.
    batch_size : int, optional
        Path points per compiled pass (default 64): memory is bounded by it, whatever
        ``n_steps`` and the number of images.

    Returns
    -------
    np.ndarray, float32, ``(N, H, W, C)`` (``(H, W, C)`` for one image), in logit units
    """
    x, scores, single, batch_size = prepare(model, images, targets, batch_size)
    n_steps = check_int(n_steps, "n_steps", low=1)
    method = check_choice(method, "method", RULES)
    base = _check_baseline(baseline, x)
    if len(x) * n_steps * 16 > MAX_BYTES:
        raise ValueError(
            f"n_steps={n_steps} for {len(x)} image(s) is {len(x) * n_steps} path points, more "
            f"than the {MAX_BYTES // 16} this function indexes at once; use fewer steps "
            "(50-300 are plenty) or fewer images per call")
    alphas, weights = path_points(n_steps, method)
    logits = compiled_logits(model)(tf.constant(x))
    check_finite_logits(logits.numpy())
    params = scores.family.resolve(logits, tf.constant(scores.params)).numpy()

    n = len(x)
    image_index = np.repeat(np.arange(n, dtype=np.int32), n_steps)
    pair_alpha = np.tile(alphas, n).astype(np.float32)
    pair_weight = np.tile(weights, n).astype(np.float32)
    fn = _path_gradients_fn(model, scores.family)
    images_t, base_t = tf.constant(x), tf.constant(base)
    total = np.zeros(x.shape, np.float64)
    for s in range(0, len(image_index), batch_size):
        c = slice(s, s + batch_size)
        summed, finite = fn(images_t, base_t, image_index[c], pair_alpha[c], pair_weight[c],
                            params[image_index[c]])
        check_finite_logits(bool(finite))
        total += summed.numpy()
    attributions = ((x.astype(np.float64) - base) * total).astype(np.float32)
    return attributions[0] if single else attributions


def integrated_gradients(model, images, targets=None, *, baseline=0.0, n_steps=50,
                         method="gausslegendre", batch_size=None):
    r"""Integrated Gradients heatmaps.

    The map is :math:`|\sum_c \mathrm{IG}_c(i, j)|` (the attributions of a pixel's
    colour channels add up, then the absolute value, as Captum's ``visualize_image_attr``
    with ``sign="absolute_value"``), min-max scaled to [0, 1] per image. For the raw,
    signed attributions use :func:`integrated_gradients_attributions`.

    Parameters and defaults as :func:`integrated_gradients_attributions`.

    Returns
    -------
    np.ndarray, float32, ``(N, H, W)`` (``(H, W)`` for one image), in [0, 1]
    """
    attributions = integrated_gradients_attributions(
        model, images, targets, baseline=baseline, n_steps=n_steps, method=method,
        batch_size=batch_size)
    a = attributions[None] if attributions.ndim == 3 else attributions
    maps = normalize_per_image(tf.constant(np.abs(a.sum(axis=-1)), tf.float32)).numpy()
    return maps[0] if attributions.ndim == 3 else maps
