"""From logits to probabilities and losses: softmax, sigmoid, cross-entropy.

Every function here is written to be *read*: a few lines of NumPy each, with the
one trick that makes it numerically stable spelled out.

* softmax: subtract the row maximum before ``exp`` (the result is unchanged,
  because softmax(z) = softmax(z - c) for any constant c, but ``exp`` can no longer
  overflow);
* log-softmax and cross-entropy: the log-sum-exp identity
  ``log sum_j exp(z_j) = m + log sum_j exp(z_j - m)`` with ``m = max_j z_j``, so a
  log-probability is never computed as ``log(0) = -inf``;
* sigmoid: ``1 / (1 + exp(-x))`` for ``x >= 0`` and ``exp(x) / (1 + exp(x))`` for
  ``x < 0``, so ``exp`` only ever sees a non-positive number.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_labels, check_real
from ._checks import as_array, check_axis

__all__ = ["softmax", "log_softmax", "logsumexp", "sigmoid", "cross_entropy", "binary_cross_entropy"]

_REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- checks
def _as_logits(logits, name: str = "logits", *, allow_neg_inf: bool = True) -> np.ndarray:
    """Float array of logits: ints become float64, float32 stays float32."""
    array = as_array(logits, name)
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must hold numbers, got booleans (dtype bool).")
    if array.size == 0:
        raise ValueError(f"{name} is empty.")
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN; logits must be real numbers.")
    if np.isposinf(array).any():
        raise ValueError(f"{name} contains +inf; logits must be finite (-inf is allowed and means probability 0).")
    if not allow_neg_inf and np.isneginf(array).any():
        raise ValueError(f"{name} contains -inf; logits must be finite.")
    return array


def _shifted(logits, axis: int, temperature) -> tuple[np.ndarray, np.dtype]:
    """``(z - max(z)) / T`` along ``axis`` in float64, and the dtype to return.

    The largest entry of each slice becomes 0. The arithmetic is done in float64
    whatever the input's precision: in float16 a small temperature (``T = 1e-8``)
    rounds to 0 and ``0 / 0`` would give NaN. The caller casts the result back.
    """
    z = _as_logits(logits)
    temperature = check_real(temperature, "temperature", low=0, low_open=True)
    if z.ndim == 0:
        raise ValueError("logits must have at least one dimension (one entry per class).")
    axis = check_axis(axis, z.ndim)
    top = np.max(z, axis=axis, keepdims=True)
    if np.isneginf(top).any():
        raise ValueError("a slice of logits is entirely -inf: every class would have probability 0.")
    wide = z.astype(np.float64)
    with np.errstate(over="ignore"):  # (-1e308) - (+1e308) = -inf, which is fine: exp(-inf) = 0
        shifted = (wide - top.astype(np.float64)) / temperature
    return shifted, z.dtype


def _check_reduction(reduction: str) -> str:
    return check_choice(reduction, "reduction", _REDUCTIONS)


def _reduce(losses: np.ndarray, reduction: str):
    if reduction == "mean":
        return float(np.mean(losses))
    if reduction == "sum":
        return float(np.sum(losses))
    return losses


# --------------------------------------------------------------------------- softmax family
def softmax(logits, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Turn logits into probabilities that are positive and sum to 1.

    .. math:: \mathrm{softmax}(z)_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}

    computed as ``exp(s) / sum(exp(s))`` with ``s = (z - max(z)) / T``, which is the
    same number but cannot overflow: the largest exponent is ``exp(0) = 1``.

    Parameters
    ----------
    logits : array-like, shape (..., K)
        Raw class scores. Integer input is converted to float64; float32 stays float32.
        ``-inf`` is allowed (probability 0); NaN and ``+inf`` are refused.
    axis : int, default -1
        The class axis.
    temperature : float > 0, default 1.0
        ``T > 1`` flattens the distribution towards uniform, ``T < 1`` sharpens it
        towards one-hot. The ranking of the classes never changes.

    Returns
    -------
    ndarray, same shape and float dtype as ``logits``
        Probabilities; every slice along ``axis`` sums to 1.

    Raises
    ------
    ValueError
        For NaN or ``+inf`` logits, a slice that is entirely ``-inf``, or a
        non-positive temperature.

    Examples
    --------
    >>> softmax([1000.0, 1001.0, 1002.0]).round(3)   # a naive exp() would overflow
    array([0.09 , 0.245, 0.665])
    """
    shifted, dtype = _shifted(logits, axis, temperature)
    exps = np.exp(shifted)
    return (exps / np.sum(exps, axis=axis, keepdims=True)).astype(dtype)


def logsumexp(logits, axis: int = -1) -> np.ndarray:
    r"""``log(sum(exp(z)))`` along ``axis``, without overflow or underflow.

    Uses :math:`\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}` with :math:`m = \max_j z_j`.

    Parameters
    ----------
    logits : array-like, shape (..., K)
    axis : int, default -1

    Returns
    -------
    ndarray, shape of ``logits`` without ``axis``
    """
    z = _as_logits(logits)
    if z.ndim == 0:
        raise ValueError("logits must have at least one dimension (one entry per class).")
    axis = check_axis(axis, z.ndim)
    top = np.max(z, axis=axis, keepdims=True)
    if np.isneginf(top).any():
        raise ValueError("a slice of logits is entirely -inf: its log-sum-exp is -inf.")
    with np.errstate(over="ignore"):
        total = np.sum(np.exp(z - top), axis=axis, keepdims=True)
    return np.squeeze(top + np.log(total), axis=axis)


def log_softmax(logits, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""The logarithm of :func:`softmax`, computed without ever taking ``log(0)``.

    .. math:: \log \mathrm{softmax}(z)_k = s_k - \log\sum_j e^{s_j},
        \quad s = (z - \max z) / T

    ``np.log(softmax(z))`` gives ``-inf`` as soon as a probability underflows to 0
    (e.g. for ``z = [0, -800]``); this version gives the exact ``-800``.

    Parameters
    ----------
    logits : array-like, shape (..., K)
    axis : int, default -1
    temperature : float > 0, default 1.0

    Returns
    -------
    ndarray, same shape as ``logits``
        Log-probabilities in nats (natural logarithm); all ``<= 0``.
    """
    shifted, dtype = _shifted(logits, axis, temperature)
    return (shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))).astype(dtype)


def sigmoid(x) -> np.ndarray:
    r"""The logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`, stable for large ``|x|``.

    For ``x >= 0`` it computes ``1 / (1 + exp(-x))``; for ``x < 0`` the equal
    ``exp(x) / (1 + exp(x))``. Either way ``exp`` sees a non-positive number and
    cannot overflow. A binary model's single logit ``x`` gives ``P(positive) = sigmoid(x)``,
    and ``sigmoid(x) >= 0.5`` exactly when ``x >= 0``.

    Parameters
    ----------
    x : array-like or float
        Logits. ``+-inf`` give 1 and 0; NaN is refused.

    Returns
    -------
    ndarray (or NumPy float for a scalar input), values in [0, 1]
        Same float dtype as ``x`` (integers give float64).
    """
    z = as_array(x, "x")
    if z.dtype.kind == "b":
        raise TypeError("x must hold numbers (logits), got booleans (dtype bool).")
    if z.dtype.kind in "iu":
        z = z.astype(np.float64)
    if np.isnan(z).any():
        raise ValueError("x contains NaN; the sigmoid needs real numbers.")
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out[()] if out.ndim == 0 else out


# --------------------------------------------------------------------------- losses
def cross_entropy(logits, labels, *, reduction: str = "mean"):
    r"""Softmax cross-entropy between logits and true labels, in nats.

    For one sample with logits :math:`z` and true distribution :math:`p`,

    .. math:: \ell = -\sum_k p_k \log \mathrm{softmax}(z)_k
              = \log\sum_j e^{z_j} - \sum_k p_k z_k ,

    which for an integer label :math:`y` (a one-hot :math:`p`) is
    :math:`\log\sum_j e^{z_j} - z_y`. The right-hand forms use log-sum-exp, so the
    loss stays finite and exact even when a probability underflows to 0. The
    logarithm is natural, so the unit is the **nat** (divide by ``ln 2`` for bits).
    A model that spreads its probability evenly over ``K`` classes scores ``ln K``.

    Equal to ``keras.losses.sparse_categorical_crossentropy(labels, logits,
    from_logits=True)`` (integer labels) and ``keras.losses.categorical_crossentropy(
    labels, logits, from_logits=True)`` (one-hot or soft labels), averaged over the batch.

    Parameters
    ----------
    logits : array-like, shape (N, K)
        Raw scores: one row per sample, one column per class.
    labels : array-like, shape (N,) of int, or shape (N, K) of probabilities
        Either class indices in ``[0, K)``, or one-hot / soft labels whose rows are
        non-negative and sum to 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        ``"mean"`` averages over the batch (what Keras reports as the loss),
        ``"sum"`` adds, ``"none"`` returns one loss per sample.

    Returns
    -------
    float, or ndarray of shape (N,) for ``reduction="none"``
        The loss in nats; 0 only for a perfect, fully confident prediction.

    Raises
    ------
    ValueError
        For empty input, mismatched shapes, labels out of range, or label rows that
        are not probability distributions.
    """
    reduction = _check_reduction(reduction)
    z = _as_logits(logits)
    if z.ndim != 2:
        raise ValueError(
            f"logits must be 2-D (N samples, K classes), got shape {z.shape}; "
            "for a single sample use logits[None, :]."
        )
    n, k = z.shape
    log_probs = log_softmax(z, axis=-1)
    raw_labels = as_array(labels, "labels")
    if raw_labels.ndim == 1:
        y = check_labels(raw_labels, "labels", n_classes=k)
        if len(y) != n:
            raise ValueError(f"logits has {n} rows but labels has {len(y)} entries; they must match.")
        losses = -log_probs[np.arange(n), y]
    elif raw_labels.ndim == 2:
        if raw_labels.shape != z.shape:
            raise ValueError(
                f"one-hot/probability labels must have the same shape as logits {z.shape}, "
                f"got {raw_labels.shape}."
            )
        p = raw_labels.astype(np.float64)
        if not np.isfinite(p).all() or (p < 0).any():
            raise ValueError("probability labels must be finite and non-negative.")
        if not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
            raise ValueError("each row of probability labels must sum to 1 (one-hot or a distribution).")
        # 0 * log(0) counts as 0: a class with no target probability adds nothing
        terms = np.where(p > 0, p * log_probs, 0.0)
        losses = -np.sum(terms, axis=1)
    else:
        raise ValueError(f"labels must be (N,) class indices or (N, K) probabilities, got shape {raw_labels.shape}.")
    return _reduce(losses, reduction)


def binary_cross_entropy(logits, labels, *, reduction: str = "mean"):
    r"""Sigmoid cross-entropy for a single-logit binary model, in nats.

    With :math:`p = \sigma(z)` and a target :math:`y \in [0, 1]`,
    :math:`\ell = -y\log p - (1-y)\log(1-p)`, computed in the stable form
    :math:`\max(z, 0) - z y + \log(1 + e^{-|z|})`.

    Equal to ``keras.losses.binary_crossentropy(labels, logits, from_logits=True)``
    averaged over the batch.

    Parameters
    ----------
    logits : array-like, shape (N,)
        One logit per sample (the positive class, e.g. "dog").
    labels : array-like, shape (N,)
        Targets 0/1 (or soft targets in [0, 1]).
    reduction : {"mean", "sum", "none"}, default "mean"

    Returns
    -------
    float, or ndarray of shape (N,) for ``reduction="none"``
    """
    reduction = _check_reduction(reduction)
    z = _as_logits(logits, allow_neg_inf=False)
    y = as_array(labels, "labels").astype(np.float64)
    if z.ndim != 1 or y.ndim != 1:
        raise ValueError(f"logits and labels must be 1-D (one per sample), got {z.shape} and {y.shape}.")
    if len(z) != len(y):
        raise ValueError(f"logits has {len(z)} entries but labels has {len(y)}; they must match.")
    if not np.isfinite(y).all() or (y < 0).any() or (y > 1).any():
        raise ValueError("labels must lie in [0, 1].")
    z = z.astype(np.float64)
    losses = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _reduce(losses, reduction)
