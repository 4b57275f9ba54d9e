"""Training: one call that feeds a Keras model through a proper input pipeline.

:func:`fit` takes arrays, an :class:`~helpers.data.ImageSet` or a ``tf.data.Dataset``,
builds a ``tf.data`` pipeline (cache -> shuffle -> batch -> augment -> prefetch),
compiles the model when it is not compiled yet (the loss is chosen from the model's
output: logits, softmax or sigmoid), shows one progress line that updates in place,
and returns Keras' ``History``.

On a GPU it turns on XLA compilation; the models built by :mod:`helpers.models` then
also compute in mixed precision (float16 maths, float32 weights and logits), and the
optimizer is wrapped in a loss-scale optimizer so float16 gradients do not underflow.
On a CPU it uses neither: both would only slow training down there.

For several GPUs, :func:`strategy` picks ``tf.distribute.MirroredStrategy`` (build the
model inside ``with strategy.scope():`` and pass ``strategy=`` to :func:`fit`), and
``checkpoint_dir=`` makes a run that was interrupted (a Colab disconnect) resume from
its last finished epoch instead of starting over.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from ._checks import (check_array, check_bool, check_int, check_labels, check_real, check_str,
                      describe)
from ._checks import check_path
from .batchnorm import PreciseBatchNorm, batchnorm_layers
from ._keras import check_model, output_activation

AUTOTUNE = tf.data.AUTOTUNE


# --------------------------------------------------------------------------- input pipeline
def _as_arrays(data, what: str):
    """(images, labels) from an ImageSet or an (x, y) pair, validated."""
    if hasattr(data, "images") and hasattr(data, "labels"):
        x, y = data.images, data.labels
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        raise TypeError(
            f"{what} must be an ImageSet, an (images, labels) pair or a tf.data.Dataset, "
            f"got {describe(data)}"
        )
    if isinstance(x, (str, bytes)) or isinstance(y, (str, bytes)):
        raise TypeError(f"{what}: images and labels must be arrays, got a string")
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{what}: images must be an array of numbers, got dtype {x.dtype}")
    if x.ndim != 4:
        hint = " (for grey images add a channel axis: images[..., None])" if x.ndim == 3 else ""
        raise ValueError(f"{what}: images must be (N, H, W, C), got shape {x.shape}{hint}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{what}: images must be floating point in [0, 1], got dtype {x.dtype} "
            "(divide uint8 images by 255 first)"
        )
    if len(x) == 0:
        raise ValueError(f"{what}: there are no images")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{what}: images contain NaN or infinite values")
    y = check_array(y, f"{what} labels", dtype=None, allow_empty=True)
    if y.ndim == 0:
        raise ValueError(f"{what}: labels must hold one label per image, got a single value")
    if y.shape[0] != x.shape[0]:
        raise ValueError(f"{what}: {x.shape[0]} images but {y.shape[0]} labels")
    return x.astype(np.float32, copy=False), y


def _check_against_model(model: keras.Model, x: np.ndarray, y: np.ndarray, what: str,
                         check_labels_too: bool) -> np.ndarray:
    """Refuse images the model cannot take and labels its default loss cannot use.

    Returns the labels as int64 class indices (when they are checked).
    """
    expected = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if expected is not None and len(expected) == 3:
        mismatch = any(e is not None and e != g for e, g in zip(expected, x.shape[1:]))
        if mismatch:
            want = "x".join("?" if e is None else str(e) for e in expected)
            got = "x".join(str(g) for g in x.shape[1:])
            fix = ("convert grey <-> RGB first (e.g. np.repeat(images, 3, axis=-1))"
                   if expected[:2] == x.shape[1:3] else
                   "resize the images (e.g. tf.image.resize) or build the model with "
                   f"input_shape={tuple(x.shape[1:])}")
            raise ValueError(
                f"{what}: images are {got} (H x W x C) but model {model.name!r} expects {want}; "
                f"{fix}"
            )
    if not check_labels_too:
        return y
    units = model.output_shape[-1]
    n_classes = 2 if units == 1 else units
    name = f"{what} labels"
    if y.ndim == 2 and units > 1 and y.shape[1] == units:
        raise ValueError(
            f"{name} look one-hot (shape {y.shape}); fit's default loss takes class indices: "
            f"pass labels.argmax(axis=1), or compile the model yourself with "
            "keras.losses.CategoricalCrossentropy."
        )
    if units == 1 and y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]  # (N, 1) 0/1 columns are fine for a single output
    labels = check_labels(y, name)
    if labels.max() >= n_classes:
        if units == 1:
            raise ValueError(
                f"{name} hold {labels.max()}, but model {model.name!r} has a single output "
                "(a sigmoid / one logit), which takes labels 0 and 1 only; for more classes "
                "build the model with n_classes = the number of classes."
            )
        raise ValueError(
            f"{name} hold {labels.max()}, but model {model.name!r} has {units} outputs, "
            f"so labels must be 0 to {units - 1}; build the model with "
            f"n_classes={labels.max() + 1} (or more) or fix the labels."
        )
    return labels


def make_dataset(data, *, batch_size: int = 32, shuffle: bool = False, augment: Callable | None = None,
                 seed: int = 0, what: str = "data") -> tf.data.Dataset:
    """Build a batched ``tf.data`` pipeline from arrays, an ImageSet or a Dataset.

    Parameters
    ----------
    data : ImageSet, (images, labels) or tf.data.Dataset
        Images are float32 ``(N, H, W, C)`` in [0, 1]. A Dataset is used as it is
        (it must already yield ``(images, labels)`` batches).
    batch_size : int
        Images per batch.
    shuffle : bool
        Reshuffle every epoch (with a buffer as large as the data set, so it is a
        full shuffle).
    augment : callable, optional
        ``augment(images_batch) -> images_batch``, applied to every training batch
        after batching (e.g. a ``keras.Sequential`` of random layers, called with
        ``training=True``).
    seed : int
        Shuffle seed.

    Returns
    -------
    tf.data.Dataset
        Yields ``(float32 (B, H, W, C), labels (B, ...))``; cached in memory and
        prefetched.
    """
    if isinstance(data, tf.data.Dataset):
        return data.prefetch(AUTOTUNE)
    batch_size = check_int(batch_size, "batch_size", low=1)
    shuffle = check_bool(shuffle, "shuffle")
    seed = check_int(seed, "seed", low=0)
    check_str(what, "what")
    _check_augment(augment)
    x, y = _as_arrays(data, what)
    return _pipeline(x, y, batch_size=batch_size, shuffle=shuffle, augment=augment, seed=seed)


def _check_augment(augment) -> None:
    if augment is not None and not callable(augment):
        raise TypeError(
            f"augment must be a callable (e.g. a keras.Sequential of random layers) or None, "
            f"got {describe(augment)}"
        )


def _pipeline(x: np.ndarray, y: np.ndarray, *, batch_size: int, shuffle: bool, augment,
              seed: int) -> tf.data.Dataset:
    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size)
    if augment is not None:
        ds = ds.map(lambda im, lab: (_call_augment(augment, im), lab), num_parallel_calls=AUTOTUNE)
    return ds.prefetch(AUTOTUNE)


def _call_augment(augment, images):
    if isinstance(augment, keras.layers.Layer):
        return augment(images, training=True)
    return augment(images)


# --------------------------------------------------------------------------- compile
def default_loss(model: keras.Model) -> keras.losses.Loss:
    """The cross-entropy that matches the model's output.

    =====================  ==========================================================
    output                 loss
    =====================  ==========================================================
    logits, N >= 2 units   sparse categorical cross-entropy, ``from_logits=True``
    softmax                sparse categorical cross-entropy, ``from_logits=False``
    logit, 1 unit          binary cross-entropy, ``from_logits=True``
    sigmoid, 1 unit        binary cross-entropy, ``from_logits=False``
    =====================  ==========================================================

    Labels are integer class indices (0/1 for a single unit).
    """
    activation = output_activation(model)
    units = model.output_shape[-1]
    if units == 1:
        return keras.losses.BinaryCrossentropy(from_logits=activation == "linear")
    if activation == "sigmoid":
        raise ValueError(
            f"model {model.name!r} has {units} sigmoid outputs (multi-label); "
            "compile it yourself with the loss you want"
        )
    return keras.losses.SparseCategoricalCrossentropy(from_logits=activation == "linear")


def _default_metrics(model: keras.Model) -> list:
    if model.output_shape[-1] == 1:
        threshold = 0.0 if output_activation(model) == "linear" else 0.5
        return [keras.metrics.BinaryAccuracy(name="accuracy", threshold=threshold)]
    return [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]


def _uses_mixed_precision(model: keras.Model) -> bool:
    return any(getattr(layer, "compute_dtype", "float32") == "float16" for layer in model.layers)


def _has_gpu() -> bool:
    return bool(tf.config.list_physical_devices("GPU"))


def _check_optimizer(optimizer, learning_rate: float):
    """A Keras optimizer: ``None`` -> Adam(learning_rate), a name -> that optimizer."""
    if optimizer is None:
        return keras.optimizers.Adam(learning_rate)
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer
    if isinstance(optimizer, str):
        try:
            return keras.optimizers.get(
                {"class_name": optimizer, "config": {"learning_rate": learning_rate}})
        except ValueError:
            raise ValueError(
                f"optimizer must be the name of a Keras optimizer (e.g. 'adam', 'sgd', "
                f"'rmsprop'), got {optimizer!r}"
            ) from None
    raise TypeError(
        f"optimizer must be None (Adam), a keras.optimizers.Optimizer or its name, "
        f"got {describe(optimizer)}"
    )


def compile_for_training(model: keras.Model, *, learning_rate: float = 1e-3, optimizer=None,
                         loss=None, metrics: Sequence | None = None) -> keras.Model:
    """Compile ``model`` with Adam, :func:`default_loss` and accuracy unless told otherwise.

    On a GPU this turns on XLA (``jit_compile=True``) and, for a mixed-precision model,
    wraps the optimizer in ``keras.optimizers.LossScaleOptimizer``.
    """
    check_model(model, built=False, purpose="fit")
    learning_rate = check_real(learning_rate, "learning_rate", low=0, low_open=True)
    optimizer = _check_optimizer(optimizer, learning_rate)
    if loss is not None and not (isinstance(loss, str) or callable(loss)):
        raise TypeError(
            f"loss must be None (chosen from the model's output), a Keras loss or its name, "
            f"got {describe(loss)}"
        )
    if metrics is not None and (isinstance(metrics, (str, bytes))
                                or not isinstance(metrics, Sequence)):
        raise TypeError(
            f"metrics must be None or a list of Keras metrics or names, e.g. ['accuracy'], "
            f"got {describe(metrics)}"
        )
    if _uses_mixed_precision(model) and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    model.compile(
        optimizer=optimizer,
        loss=loss if loss is not None else default_loss(model),
        metrics=list(metrics) if metrics is not None else _default_metrics(model),
        jit_compile=_has_gpu(),
    )
    return model


# --------------------------------------------------------------------------- progress
class ProgressLine(keras.callbacks.Callback):
    """One line per ``fit`` call, updated in place after every epoch.

    In Jupyter the line is a display that is replaced (so an executed notebook shows
    only the final state); in a terminal each epoch prints a line.
    """

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs
        self._handle = None
        self._start = 0.0

    def on_train_begin(self, logs=None):
        self._start = time.perf_counter()
        try:
            from IPython import get_ipython
            from IPython.display import Pretty, display

            shell = get_ipython()
            if shell is not None and "IPKernelApp" in shell.config:
                self._handle = display(Pretty(self._text(0, {})), display_id=True)
        except ImportError:
            self._handle = None

    def _text(self, epoch: int, logs: dict) -> str:
        parts = [f"epoch {epoch}/{self.epochs}"]
        parts += [f"{k} {v:.4f}" for k, v in logs.items() if k != "learning_rate"]
        parts.append(f"{time.perf_counter() - self._start:.1f} s")
        return " · ".join(parts)

    def on_epoch_end(self, epoch, logs=None):
        text = self._text(epoch + 1, logs or {})
        if self._handle is not None:
            from IPython.display import Pretty

            self._handle.update(Pretty(text))
        else:
            print(text, flush=True)


# --------------------------------------------------------------------------- distribution
def strategy() -> tf.distribute.Strategy:
    """The distribution strategy for this machine.

    ``tf.distribute.MirroredStrategy`` over all GPUs when there are two or more (each
    batch is split between them and the gradients are summed), else TensorFlow's
    default strategy (one device, no change). Build the model inside
    ``with strategy.scope():``, then pass the strategy to :func:`fit`.
    """
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy([gpu.name for gpu in gpus])
    return tf.distribute.get_strategy()


def _check_strategy(strategy_, model: keras.Model):
    """``strategy_`` if it is a Strategy under which all of ``model``'s weights were made."""
    if strategy_ is None:
        return None
    if not isinstance(strategy_, tf.distribute.Strategy):
        raise TypeError(
            f"strategy must be None or a tf.distribute.Strategy (e.g. "
            f"helpers.training.strategy()), got {describe(strategy_)}"
        )
    outside = [w.path for w in model.weights
               if not strategy_.extended.variable_created_in_scope(getattr(w, "value", w))]
    if outside:
        raise ValueError(
            f"strategy: model {model.name!r} was not built under this strategy "
            f"({len(outside)} weights outside it, e.g. {outside[0]!r}); build it inside "
            "`with strategy.scope():` and pass that same strategy"
        )
    return strategy_


# --------------------------------------------------------------------------- fit
class StopOnNonFiniteLoss(keras.callbacks.Callback):
    """Stop training with a ``ValueError`` as soon as a batch's loss is NaN or infinite
    (a diverged run would otherwise "train" on, reporting ``loss nan``)."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(float(loss)):
            self.model.stop_training = True
            raise ValueError(
                f"fit: the loss became {float(loss)} at epoch {self.epoch + 1}, batch "
                f"{batch + 1}: training diverged and the weights are no longer usable. "
                "Lower the learning rate (or check the labels and images for extreme "
                "values) and train again from a fresh model or the last good checkpoint.")


def _check_weights_finite(model: keras.Model) -> None:
    bad = [w.path for w in model.weights
           if not np.all(np.isfinite(keras.ops.convert_to_numpy(w)))]
    if bad:
        raise ValueError(
            f"model {model.name!r} has NaN or infinite weights ({len(bad)} of "
            f"{len(model.weights)}, e.g. {bad[0]!r}); training it would only give loss nan. "
            "Rebuild the model (or load a good checkpoint) before calling fit.")


def _check_checkpoint_dir(checkpoint_dir: str) -> None:
    if os.path.exists(checkpoint_dir) and not os.path.isdir(checkpoint_dir):
        raise ValueError(
            f"checkpoint_dir {checkpoint_dir!r} is a file; give a folder path (it is "
            "created if missing) where fit can keep its backups")


def _check_resume(model: keras.Model, checkpoint_dir: str) -> None:
    """Refuse, before any epoch, a backup in ``checkpoint_dir`` that cannot be restored
    into ``model`` (corrupt, or written by another model)."""
    weights = os.path.join(checkpoint_dir, "latest.weights.h5")
    metadata = os.path.join(checkpoint_dir, "training_metadata.json")
    if not os.path.exists(weights) and not os.path.exists(metadata):
        return
    fix = (f"delete the folder {checkpoint_dir!r} (or pass another checkpoint_dir) to start "
           "afresh")
    problems = []
    for path in (weights, weights + ".bkp"):
        if not os.path.exists(path):
            continue
        try:
            if model.optimizer is not None and not model.optimizer.built:
                model.optimizer.build(model.trainable_variables)
            model.load_weights(path)
            break
        except Exception as error:  # noqa: BLE001 - h5py / Keras errors of all kinds
            problems.append(f"{os.path.basename(path)}: {type(error).__name__}: "
                            f"{str(error).splitlines()[0][:150] if str(error) else ''}")
    else:
        if problems or not os.path.exists(weights):
            raise ValueError(
                f"checkpoint_dir {checkpoint_dir!r} holds a backup that cannot be restored "
                f"into model {model.name!r} (corrupt, or written by another model): "
                f"{'; '.join(problems) or 'the weights file is missing'}; {fix}")
    if os.path.exists(metadata):
        try:
            with open(metadata) as f:
                epoch = json.load(f)["epoch"]
            if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
                raise ValueError(f"epoch {epoch!r}")
        except Exception as error:  # noqa: BLE001
            raise ValueError(
                f"checkpoint_dir {checkpoint_dir!r}: its training_metadata.json is unreadable "
                f"({type(error).__name__}: {error}); {fix}") from None


def _batchnorm_sample(train, train_ds: tf.data.Dataset, seed: int, n: int = 512) -> np.ndarray:
    """Up to ``n`` training images, in a seeded random order, for the BatchNorm statistics."""
    if isinstance(train, tf.data.Dataset):
        batches, count = [], 0
        for images, _ in train_ds:
            batches.append(np.asarray(images))
            count += len(batches[-1])
            if count >= n:
                break
        return np.concatenate(batches)[:n]
    images, _ = _as_arrays(train, "train")
    order = np.random.default_rng(seed).permutation(len(images))[:n]
    return images[np.sort(order)]


def fit(model: keras.Model, train, val=None, *, epochs: int, batch_size: int = 32,
        learning_rate: float = 1e-3, optimizer=None, loss=None, metrics=None,
        augment: Callable | None = None, callbacks: Sequence = (), seed: int = 0,
        progress: bool = True, precise_batchnorm: bool = True, strategy=None,
        checkpoint_dir=None) -> keras.callbacks.History:
    """Train ``model`` and return its Keras ``History``.

    Parameters
    ----------
    model : keras.Model
        Compiled or not. An uncompiled model is compiled with Adam(``learning_rate``),
        the cross-entropy that matches its output (:func:`default_loss`) and accuracy.
        A compiled model keeps its own optimizer, loss and metrics.
    train, val : ImageSet, (images, labels) or tf.data.Dataset
        Images float32 ``(N, H, W, C)`` in [0, 1], of the size and channels the model
        takes; labels int class indices ``(N,)``: ``0 .. n_outputs - 1``, or 0/1 for a
        model with a single output (sigmoid or one logit). ``val`` is optional; it is
        evaluated after every epoch. When ``fit`` chooses the loss (an uncompiled model
        and ``loss=None``), fractional, one-hot, negative and out-of-range labels are
        refused before TensorFlow sees them; with your own loss only the images are
        checked against the model. A Dataset is used as it is (not checked).
    epochs : int
        Passes over the training data (>= 1).
    batch_size : int
        Images per step (ignored for a Dataset, which is already batched).
    augment : callable, optional
        Applied to training batches only (see :func:`make_dataset`).
    callbacks : sequence of keras.callbacks.Callback
        Extra callbacks (e.g. ``keras.callbacks.EarlyStopping``).
    seed : int
        Shuffle seed.
    progress : bool
        Show the one-line progress display.
    precise_batchnorm : bool
        After every epoch (before validation) and at the end, set the BatchNorm
        layers' moving statistics from up to 512 training images
        (:func:`helpers.batchnorm.recalibrate_batchnorm`): short runs otherwise leave
        them near their initial values and inference-mode predictions can collapse.
        This also works under a ``strategy`` (the statistics are written to every
        replica's copy).
    strategy : tf.distribute.Strategy or None
        Train under this strategy (see :func:`strategy`); the model must have been
        built inside its ``scope()``. ``batch_size`` is then the global batch, split
        between the replicas. None: no distribution.
    checkpoint_dir : path or None
        Back up the weights and optimizer state there after every epoch
        (``keras.callbacks.BackupAndRestore``). If a run stops (a disconnect, an
        error), calling ``fit`` again with the same model, arguments and folder
        restores the last backup and continues from the next epoch; the returned
        History then holds only the epochs run in that call. The folder is deleted
        when training completes. None: no checkpoints.

    Returns
    -------
    keras.callbacks.History
        ``history.history`` maps ``"loss"``, ``"accuracy"`` (and ``"val_..."``) to
        one value per epoch.
    """
    check_model(model, built=False, purpose="fit")
    epochs = check_int(epochs, "epochs", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    learning_rate = check_real(learning_rate, "learning_rate", low=0, low_open=True)
    seed = check_int(seed, "seed", low=0)
    progress = check_bool(progress, "progress")
    _check_augment(augment)
    strategy = _check_strategy(strategy, model)
    if checkpoint_dir is not None:
        checkpoint_dir = os.fspath(check_path(checkpoint_dir, "checkpoint_dir"))
        _check_checkpoint_dir(checkpoint_dir)
    if isinstance(callbacks, (str, bytes)) or not isinstance(callbacks, Sequence) or not all(
            isinstance(c, keras.callbacks.Callback) for c in callbacks):
        raise TypeError(
            f"callbacks must be a list of keras.callbacks.Callback, got {describe(callbacks)}"
        )
    compiled = getattr(model, "compiled", False)
    # Labels are checked against the model when fit chooses the loss (default_loss):
    # with your own loss or compiled model, they may legitimately be one-hot or soft.
    own_loss = compiled or loss is not None
    datasets = []
    for what, data in (("train", train), ("val", val)):
        if data is None or isinstance(data, tf.data.Dataset):
            datasets.append(data)
            continue
        x, y = _as_arrays(data, what)
        y = _check_against_model(model, x, y, what, check_labels_too=not own_loss)
        datasets.append((x, y))
    train_data, val_data = datasets
    train_ds = (train_data.prefetch(AUTOTUNE) if isinstance(train_data, tf.data.Dataset) else
                _pipeline(*train_data, batch_size=batch_size, shuffle=True, augment=augment,
                          seed=seed))
    if val_data is None or isinstance(val_data, tf.data.Dataset):
        val_ds = None if val_data is None else val_data.prefetch(AUTOTUNE)
    else:
        val_ds = _pipeline(*val_data, batch_size=max(batch_size, 128), shuffle=False,
                           augment=None, seed=seed)
    if not compiled:
        if (metrics is None and not isinstance(train_data, tf.data.Dataset)
                and train_data[1].ndim == 2 and model.output_shape[-1] > 1):
            # your own loss on one-hot / soft labels: accuracy compares argmaxes
            metrics = [keras.metrics.CategoricalAccuracy(name="accuracy")]
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            compile_for_training(model, learning_rate=learning_rate, optimizer=optimizer,
                                 loss=loss, metrics=metrics)
    if model.built:
        _check_weights_finite(model)
    all_callbacks = list(callbacks) + [StopOnNonFiniteLoss()]
    if checkpoint_dir is not None:
        if model.built:
            _check_resume(model, checkpoint_dir)
        all_callbacks.insert(0, keras.callbacks.BackupAndRestore(checkpoint_dir))
    if check_bool(precise_batchnorm, "precise_batchnorm") and batchnorm_layers(model):
        all_callbacks.append(PreciseBatchNorm(_batchnorm_sample(train, train_ds, seed)))
    if progress:
        all_callbacks.append(ProgressLine(epochs))
    return model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0, shuffle=False,
                     callbacks=all_callbacks)

