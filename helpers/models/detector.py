"""What every detector of the course shares: :class:`Detector`.

The base owns what does not depend on the method: the checks of the constructor
(class names, input shape, the random source of the weights and of the training order),
the training loop (Adam with a cosine-decaying learning rate, one Keras ``fit`` per
epoch, its wall-clock time in ``train_seconds``, its per-epoch losses in ``history``),
the checks of :meth:`Detector.detect`, and the refusal of a network whose weights are
not finite. A detector supplies three things:

* its network, ``self.model`` (a ``keras.Model``), built by its constructor after
  the base's checks;
* its training data and loss (:meth:`Detector._epochs`, one ``tf.data`` pipeline of
  (input, target) batches per epoch; :meth:`Detector._loss`);
* its decoding of the network's output into :class:`~helpers.detection.Detections`
  (:meth:`Detector._detect`).

:class:`~helpers.models.CenterNet` (one stage) and
:class:`~helpers.models.SlidingWindowDetector` (a fixed grid of windows, each classified)
are the two detectors; both are used the same way::

    detector = CenterNet(train.class_names).fit(train, epochs=12)
    found = detector.detect(test.images, batch_size=64)       # a Detections
    detector.history["loss"], detector.train_seconds
"""
from __future__ import annotations

import time

import numpy as np

from .._checks import (
    check_class_names,
    check_image_shape,
    check_int,
    check_real,
    describe,
)
from ..data.detectionset import DetectionSet
from ..detection.detections import Detections

__all__ = ["Detector", "MAX_IMAGE_SIDE"]

#: Largest image side a detector accepts, in pixels.
MAX_IMAGE_SIDE = 1024


class Detector:
    """Base of the course's detectors (see the module notes).

    Parameters
    ----------
    class_names : sequence of str
        The classes to detect, unique non-empty names (e.g. ``scenes.class_names``).
    image_shape : (H, W, C)
        Input size in pixels, each side at most :data:`MAX_IMAGE_SIDE`.
    seed : int, >= 0
        Weight initialisation and training order.

    Attributes
    ----------
    model : keras.Model
        The network.
    history : dict
        ``{"loss": [...]}``: the mean training loss of each epoch, over every
        :meth:`fit` call so far (a float per epoch).
    train_seconds : float
        Wall-clock seconds spent in :meth:`fit` so far (data preparation included).
    """

    #: Images per forward pass in :meth:`detect` unless told otherwise.
    default_batch_size = 64
    #: Training examples per step in :meth:`fit` unless told otherwise.
    default_fit_batch_size = 32
    #: Peak learning rate of :meth:`fit` unless told otherwise.
    default_learning_rate = 1e-3
    #: What the input shape's height and width must be multiples of.
    side_multiple = 1
    #: Smallest input side in pixels.
    min_side = 16

    def __init__(self, class_names, image_shape, seed: int = 0) -> None:
        self.class_names = check_class_names(class_names)
        self.n_classes = len(self.class_names)
        self.image_shape = check_image_shape(
            image_shape, "image_shape", min_side=self.min_side, max_side=MAX_IMAGE_SIDE,
            multiple_of=self.side_multiple, max_channels=4)
        self.seed = check_int(seed, "seed", low=0)
        self.history: dict[str, list[float]] = {"loss": []}
        self.train_seconds = 0.0

    # ------------------------------------------------------------- what a detector supplies
    def _loss(self):  # pragma: no cover - abstract
        """The training loss, ``loss(y_true, y_pred) -> scalar``."""
        raise NotImplementedError

    def _steps_per_epoch(self, train: DetectionSet, batch_size: int, options: dict) -> int:
        return int(np.ceil(len(train) / batch_size))

    def _epochs(self, train: DetectionSet, epochs: int, batch_size: int, options: dict):
        """Yield one ``tf.data.Dataset`` of (input, target) batches per epoch."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _detect(self, images: np.ndarray, max_detections: int, score_threshold: float,
                batch_size: int, options: dict) -> Detections:  # pragma: no cover
        raise NotImplementedError

    # ------------------------------------------------------------- shared checks
    def check_scenes(self, scenes, name: str = "train") -> DetectionSet:
        """Return ``scenes`` if it is a :class:`DetectionSet` of this detector's classes
        and image shape; raise otherwise."""
        if not isinstance(scenes, DetectionSet):
            raise TypeError(f"{name}: the scenes must be a DetectionSet, got {describe(scenes)}.")
        if scenes.class_names != self.class_names:
            raise ValueError(
                f"{name}'s class_names {scenes.class_names} differ from the detector's "
                f"{self.class_names}."
            )
        if scenes.image_shape != self.image_shape:
            raise ValueError(
                f"{name}'s image shape {scenes.image_shape} differs from the detector's "
                f"input {self.image_shape}."
            )
        return scenes

    def check_images(self, images, name: str = "images") -> np.ndarray:
        """Return ``images`` (N, H, W, C) as float32 in [0, 1] of the detector's shape,
        or raise (a single image (H, W, C) is refused with a hint)."""
        if not isinstance(images, np.ndarray):
            raise TypeError(f"{name} must be a NumPy array (N, H, W, C), got {describe(images)}.")
        if images.ndim == 3:
            raise ValueError(
                f"{name} must be a batch (N, H, W, C); for one image use {name}[None], "
                f"got shape {images.shape}."
            )
        if images.ndim != 4 or tuple(images.shape[1:]) != tuple(self.image_shape):
            raise ValueError(f"{name} must have shape (N, {', '.join(map(str, self.image_shape))}), "
                             f"got {images.shape}.")
        if images.dtype.kind != "f":
            raise TypeError(f"{name} must be float in [0, 1], got dtype {images.dtype}.")
        images = images.astype(np.float32, copy=False)
        if images.size and not (images.min() >= 0 and images.max() <= 1):
            raise ValueError(f"{name} must hold values in [0, 1] (and no NaN).")
        return images

    def check_weights(self) -> None:
        """Raise a ``ValueError`` if any weight of the network is NaN or infinite: such a
        network scores every cell NaN, which would read as "nothing detected"."""
        bad = [w.path if hasattr(w, "path") else w.name for w in self.model.weights
               if not np.isfinite(np.asarray(w)).all()]
        if bad:
            raise ValueError(
                f"the detector's network has NaN or infinite weights ({len(bad)} of "
                f"{len(self.model.weights)} weight arrays, first {bad[0]!r}): its outputs "
                "would be meaningless. Build a new detector (or load finite weights), and "
                "lower learning_rate if training made them."
            )

    # ------------------------------------------------------------- training
    def fit(self, train: DetectionSet, epochs: int, *, batch_size: int | None = None,
            learning_rate: float | None = None, verbose: int = 0, **options) -> "Detector":
        """Train with Adam and a learning rate decaying from ``learning_rate`` to 0 over
        all steps (cosine), one Keras ``fit`` per epoch.

        Parameters
        ----------
        train : DetectionSet
            With the detector's class names and image shape.
        epochs : int, >= 1
        batch_size : int, >= 1, or None
            Training examples per step (the detector's default if None).
        learning_rate : float > 0, or None
            Peak learning rate (the detector's default if None).
        verbose : int in {0, 1, 2}
            Keras' verbosity (0 silent).
        **options
            The detector's own training options (see its ``fit``).

        Returns
        -------
        Detector
            ``self``; ``history["loss"]`` gains one mean loss per epoch and
            ``train_seconds`` the wall-clock time.

        Raises
        ------
        FloatingPointError
            If an epoch's loss is NaN or infinite (the training diverged); the
            message says which epoch and suggests a lower ``learning_rate``.
        """
        import keras

        self.check_scenes(train)
        epochs = check_int(epochs, "epochs", low=1, high=100_000)
        batch_size = check_int(self.default_fit_batch_size if batch_size is None
                               else batch_size, "batch_size", low=1, high=1_000_000)
        learning_rate = check_real(self.default_learning_rate if learning_rate is None
                                   else learning_rate, "learning_rate", low=0.0,
                                   high=10.0, low_open=True)
        verbose = check_int(verbose, "verbose", low=0, high=2)
        options = self._check_fit_options(train, batch_size, **options)
        self.check_weights()
        start = time.perf_counter()
        steps = epochs * self._steps_per_epoch(train, batch_size, options)
        schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
        self.model.compile(optimizer=keras.optimizers.Adam(schedule), loss=self._loss())
        try:
            for epoch, data in enumerate(self._epochs(train, epochs, batch_size, options)):
                loss = float(self.model.fit(data, epochs=1, verbose=verbose,
                                            shuffle=False).history["loss"][0])
                self.history["loss"].append(loss)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"training diverged: the loss is {loss} in epoch {epoch + 1} of "
                        f"{epochs}; the weights are no longer usable. Build a new detector "
                        f"and train it with a lower learning_rate (got {learning_rate})."
                    )
        finally:
            self.train_seconds += time.perf_counter() - start
        return self

    def _check_fit_options(self, train: DetectionSet, batch_size: int, **options) -> dict:
        if options:
            raise TypeError(f"{type(self).__name__}.fit got unexpected keyword argument(s) "
                            f"{sorted(options)}.")
        return {}

    # ------------------------------------------------------------- inference
    def detect(self, images, max_detections: int = 100, score_threshold: float = 0.05, *,
               batch_size: int | None = None, **options) -> Detections:
        """Detections for images (N, H, W, C) float32 in [0, 1].

        Parameters
        ----------
        images : ndarray, float, shape (N, H, W, C)
            The detector's image shape; values in [0, 1].
        max_detections : int, >= 1
            At most this many detections per image (the best scores).
        score_threshold : float in [0, 1]
            Detections scoring below this are dropped.
        batch_size : int, >= 1, or None
            Images per forward pass (the detector's default if None).
        **options
            The detector's own options (see its ``detect``).

        Returns
        -------
        Detections
            One entry per image, scores in [0, 1] sorted decreasing.

        Raises
        ------
        ValueError
            Also when the network's weights are not finite (see :meth:`check_weights`).
        """
        images = self.check_images(images)
        max_detections = check_int(max_detections, "max_detections", low=1, high=100_000)
        score_threshold = check_real(score_threshold, "score_threshold", low=0.0, high=1.0)
        batch_size = check_int(self.default_batch_size if batch_size is None else batch_size,
                               "batch_size", low=1, high=1_000_000)
        options = self._check_detect_options(**options)
        self.check_weights()
        return self._detect(images, max_detections, score_threshold, batch_size, options)

    def _check_detect_options(self, **options) -> dict:
        if options:
            raise TypeError(f"{type(self).__name__}.detect got unexpected keyword argument(s) "
                            f"{sorted(options)}.")
        return {}

    def __repr__(self) -> str:
        n = len(self.history["loss"])
        trained = f"{n} epoch{'' if n == 1 else 's'}, {self.train_seconds:.0f} s"
        return (f"{type(self).__name__}(class_names={self.class_names}, "
                f"image_shape={self.image_shape}, trained {trained})")
