"""Checking what the user passed: the model, the images, the class targets.

Every function of ``helpers`` that runs a model starts here, so that a wrong argument
fails at once with a message saying what was wrong and what was expected, instead of
deep inside TensorFlow. Nothing is silently coerced: integer images, NaNs or a target
that does not exist are errors, not something quietly "fixed".
"""
from __future__ import annotations

import numbers

import keras
import numpy as np

from .._checks import check_int, describe

BATCH_SIZE = 64
"""Images per compiled pass: the default ``batch_size`` of every model-based function
(explanations and evaluation scores); the memory bound of one pass."""

PREDICTED = -1
"""Sentinel in a checked target array: "use the class the model predicts"."""


# --------------------------------------------------------------------------- model
def check_model(model, *, built: bool = True, single: bool = True,
                purpose: str = "the explanation methods") -> keras.Model:
    """The one model check: a (built) Keras model with one input and one output.

    Parameters
    ----------
    model : object
        What the user passed.
    built : bool
        Require the model to be built (its input shape known). ``False`` lets an
        unbuilt model through (training builds it on the first batch).
    single : bool
        Require exactly one input and one output (checked once the model is built).
    purpose : str
        Who needs it, for the message (``"the explanation methods"``, ``"fit"``).

    Returns
    -------
    keras.Model
        ``model`` itself.

    Raises
    ------
    TypeError
        If ``model`` is not a ``keras.Model``.
    ValueError
        If it is not built (with ``built``), or has several inputs or outputs.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {describe(model)}")
    if not model.built:
        if built:
            raise ValueError(
                f"model {model.name!r} is not built yet; give it a keras.Input or call it on "
                "a batch first")
        return model
    if single:
        try:
            n_inputs, n_outputs = len(model.inputs), len(model.outputs)
        except (AttributeError, ValueError):
            n_inputs = n_outputs = 1  # a Sequential built by calling it: one in, one out
        if n_inputs != 1 or n_outputs != 1:
            raise ValueError(
                f"model {model.name!r} has {n_inputs} inputs and {n_outputs} outputs; "
                f"{purpose} need one image input and one output")
    return model


def model_input_shape(model: keras.Model) -> tuple:
    """``(H, W, C)`` the model expects (``None`` for a free size)."""
    try:
        shape = tuple(model.inputs[0].shape)
    except (AttributeError, ValueError, IndexError, TypeError):
        shape = tuple(model.input_shape)
    if len(shape) != 4:
        raise ValueError(
            f"model {model.name!r} takes inputs of shape {shape}; images (N, H, W, C) "
            "are expected")
    return shape[1:]


def model_output_shape(model: keras.Model) -> tuple:
    """The shape of the model's (one) output, batch axis included (``(None, L)`` for a
    classifier, ``(None, h, w, L)`` for a dense detector)."""
    try:
        if model.outputs:
            return tuple(model.outputs[0].shape)
    except (AttributeError, ValueError):
        pass
    shape = model.output_shape
    if isinstance(shape, list):
        shape = shape[0]
    return tuple(shape)


def n_logits(model: keras.Model) -> int:
    """Number of class scores the model outputs (1 for a single sigmoid logit)."""
    shape = model_output_shape(model)
    if len(shape) != 2 or shape[-1] is None:
        raise ValueError(
            f"model {model.name!r} outputs shape {shape}; expected (N, n_classes) class scores")
    return int(shape[-1])


def check_batch_size(batch_size, default: int = BATCH_SIZE) -> int:
    """``batch_size`` checked (an int >= 1), or ``default`` for None."""
    return default if batch_size is None else check_int(batch_size, "batch_size", low=1)


# --------------------------------------------------------------------------- images
def check_images(images, model: keras.Model) -> tuple[np.ndarray, bool]:
    """Validate images for ``model``.

    Parameters
    ----------
    images : array-like, float, ``(N, H, W, C)`` or a single ``(H, W, C)``
        Pixels as the model expects them (the course's models take [0, 1]).
    model : keras.Model

    Returns
    -------
    x : np.ndarray, float32, ``(N, H, W, C)``
    single : bool
        True when one ``(H, W, C)`` image was given (the result is then unbatched).

    Raises
    ------
    TypeError
        Non-float pixels (e.g. uint8: divide by 255 first).
    ValueError
        Wrong rank, channel count or size, non-finite pixels, an empty batch.
    """
    if hasattr(images, "numpy") and not isinstance(images, np.ndarray):
        images = images.numpy()
    x = np.asarray(images)
    if x.dtype == object or not np.issubdtype(x.dtype, np.floating):
        hint = " (e.g. uint8 pixels: use images.astype('float32') / 255)" if np.issubdtype(
            x.dtype, np.integer) else ""
        raise TypeError(f"images must be floating point, got dtype {x.dtype}{hint}")
    single = x.ndim == 3
    if single:
        x = x[None]
    expected = model_input_shape(model)
    if x.ndim != 4:
        raise ValueError(
            f"images must be a batch (N, H, W, C) or one image (H, W, C), got shape "
            f"{np.shape(images)}")
    if len(x) == 0:
        raise ValueError("images is an empty batch (N = 0); pass at least one image")
    h, w, c = expected
    if c is not None and x.shape[-1] != c:
        raise ValueError(
            f"images have {x.shape[-1]} channels but model {model.name!r} expects {c} "
            f"(input shape {expected})")
    if (h is not None and x.shape[1] != h) or (w is not None and x.shape[2] != w):
        raise ValueError(
            f"images are {x.shape[1]}x{x.shape[2]} but model {model.name!r} expects {h}x{w}")
    if not np.isfinite(x).all():
        bad = int(np.count_nonzero(~np.isfinite(x).reshape(len(x), -1).all(axis=1)))
        raise ValueError(f"images contain NaN or infinite pixels ({bad} image(s) affected)")
    return np.ascontiguousarray(x, dtype=np.float32), single


# --------------------------------------------------------------------------- targets
def check_targets(targets, n_images: int, n_classes: int) -> np.ndarray:
    """Turn class ``targets`` into one class index per image.

    Parameters
    ----------
    targets : None, int or sequence of int
        None: the class each image is predicted as; an int: that class for every image;
        a sequence: one class per image. For a single-logit (sigmoid) model the classes
        are 0 and 1.
    n_images : int
    n_classes : int
        Number of logits; 1 means a single sigmoid logit with classes {0, 1}.

    Returns
    -------
    np.ndarray, int32, ``(n_images,)``
        Class indices, :data:`PREDICTED` (-1) where the predicted class is to be used.
    """
    if targets is None:
        return np.full(n_images, PREDICTED, dtype=np.int32)
    if isinstance(targets, (bool, np.bool_)):
        raise TypeError("targets must be None, an int or a sequence of ints, got a bool")
    n_valid = 2 if n_classes == 1 else n_classes
    what = ("classes 0 and 1 (a single sigmoid logit)" if n_classes == 1
            else f"0..{n_classes - 1}")
    if isinstance(targets, numbers.Integral) or (
            isinstance(targets, np.ndarray) and targets.ndim == 0):
        t = np.asarray(targets)
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"targets must be integer class indices, got {targets!r}")
        t = np.full(n_images, int(t), dtype=np.int64)
    else:
        if hasattr(targets, "numpy") and not isinstance(targets, np.ndarray):
            targets = targets.numpy()
        t = np.asarray(targets)
        if t.dtype == object or t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
            raise TypeError(
                f"targets must be None, an int or a sequence of ints, got dtype {t.dtype}")
        if t.ndim != 1:
            raise ValueError(f"targets must be an int or a 1-D sequence, got shape {t.shape}")
        if len(t) != n_images:
            raise ValueError(
                f"got {len(t)} targets for {n_images} image(s); give one per image, "
                "a single int for all, or None for the predicted classes")
    bad = (t < 0) | (t >= n_valid)
    if bad.any():
        raise ValueError(f"target {int(t[bad][0])} is out of range: the model has {what}")
    return t.astype(np.int32)
