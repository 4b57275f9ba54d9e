"""Average drop and increase in confidence (Chattopadhay et al., 2018).

Both ask the model itself: keep only what the map highlights (the image multiplied
by the map) and see how sure the model still is of its class. :func:`confidence` is
not a score: it returns the two probabilities both scores are built from.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._forward import check_inputs, logits_of, predicted, probabilities
from .result import Scores


@dataclass(frozen=True)
class Confidence:
    """The target's probability on each image and on the image times its map.

    Attributes
    ----------
    original : np.ndarray, float64, ``(N,)``
        Y: probability of the target on the image.
    explained : np.ndarray, float64, ``(N,)``
        O: probability of the target on ``image * map``.
    targets : np.ndarray, int32, ``(N,)``
        The classes scored (the predicted class where ``targets=None``).
    """

    original: np.ndarray
    explained: np.ndarray
    targets: np.ndarray

    @property
    def drops(self) -> np.ndarray:
        """``max(0, Y - O) / Y`` per image, in [0, 1]; 0 where Y = 0 (nothing to lose)."""
        lost = np.maximum(self.original - self.explained, 0.0)
        return np.where(self.original > 0, lost / np.where(self.original > 0, self.original, 1),
                        0.0)

    @property
    def increases(self) -> np.ndarray:
        """True where O > Y (strictly: equal confidence is no increase), ``(N,)`` bool."""
        return self.explained > self.original


def confidence(model, images, maps, targets=None, *, batch_size=None) -> Confidence:
    """The target's probability on the images and on ``images * maps[..., None]``.

    Parameters
    ----------
    model : keras.Model
        Softmax, sigmoid or logits output: the probability is the softmax (sigmoid for
        a single logit or a multi-label sigmoid head) of the logits, as in
        :mod:`helpers.explain`.
    images : array-like, float, ``(N, H, W, C)`` or one ``(H, W, C)``
    maps : array-like, float in [0, 1], ``(N, H, W)`` or one ``(H, W)``
        One map per image, at the image's size (booleans and integers 0/1 are masks
        that keep or black out a pixel).
    targets : None, int or sequence of int
        None: the class predicted on the original image.
    batch_size : int or None
        Images per compiled forward pass (default 64): memory is bounded by it.

    Returns
    -------
    Confidence
    """
    model, x, m, t, batch = check_inputs(model, images, maps, targets, batch_size, unit=True)
    n = len(x)

    def chunks():
        for start in range(0, n, batch):
            yield x[start:start + batch]
        for start in range(0, n, batch):
            yield x[start:start + batch] * m[start:start + batch, :, :, None].astype(np.float32)

    logits = logits_of(model, chunks())
    t = predicted(logits[:n], t)
    p = probabilities(model, logits, np.concatenate([t, t]))
    return Confidence(original=p[:n], explained=p[n:], targets=t)


def average_drop(model, images, maps, targets=None, *, batch_size=None) -> Scores:
    """Average drop in percent: how much confidence is lost on what the map keeps.

    A reader's meaning: multiply each image by its heatmap, so that only what the map
    highlights stays visible, and ask the model again. With Y the probability of the
    class on the image and O on the masked image, the average drop is
    ``100 * mean(max(0, Y - O) / Y)``: 0 % when the map keeps everything the model
    needs, near 100 % when it keeps nothing useful. Lower is better. It rewards maps
    that cover a lot (an all-ones map scores 0 %), so read it beside the map's area
    and beside the baselines (:func:`center_maps`, :func:`random_maps`).

    Parameters
    ----------
    model, images, maps, targets, batch_size
        As for :func:`confidence`. Maps must lie in [0, 1].

    Returns
    -------
    Scores
        ``.values`` ``(N,)``: each image's drop ``100 * max(0, Y - O) / Y`` in [0, 100];
        ``.mean`` the average drop. An image whose probability Y is exactly 0 (a float
        underflow: nothing to lose) is invalid (value 0, excluded from the mean); an
        all-zero map leaves a black image and is scored like any other.

    Raises
    ------
    ValueError
        Besides bad arguments: a model whose logits are NaN or infinite (NaN weights).
    """
    kept = confidence(model, images, maps, targets, batch_size=batch_size)
    return Scores(values=100.0 * kept.drops, valid=kept.original > 0)


def increase_in_confidence(model, images, maps, targets=None, *, batch_size=None) -> Scores:
    """Percent of images whose class probability *rises* when only the map is kept.

    A reader's meaning: the same masked images as :func:`average_drop`, counted the
    other way: on how many images does hiding what the map leaves out make the model
    *more* sure of its class (O > Y, strictly)? Higher is better: the map kept the
    evidence and dropped the distractions.

    Parameters as for :func:`average_drop`.

    Returns
    -------
    Scores
        ``.values`` ``(N,)``: 100.0 where O > Y, 0.0 otherwise (so that ``.mean`` is the
        percentage, in [0, 100]); every image is valid.
    """
    kept = confidence(model, images, maps, targets, batch_size=batch_size)
    return Scores(values=100.0 * kept.increases, valid=np.ones(len(kept.original), bool))
