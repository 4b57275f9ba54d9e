"""A sliding-window classifier with R-CNN's other steps (Girshick, Donahue, Darrell and
Malik, "Rich feature hierarchies for accurate object detection and semantic
segmentation", CVPR 2014).

What it is: R-CNN's first stage is a *sparse* set of proposals (selective search);
here that stage is a fixed grid of windows that filters nothing, so every window is
classified in full: a sliding-window classifier like OverFeat. Viola and Jones's
detector also slides windows, but its cascade throws most of them away in cheap early
stages (the role proposals play in R-CNN); this one classifies every window in full.
It is therefore not a two-stage detector in R-CNN's sense; it keeps R-CNN's four other
steps:

1. **Windows instead of proposals.** Square windows of a few sizes
   (:data:`WINDOW_SIZES`, each 1.5 times the previous) at a step of a third of
   their size, the same for every image (:func:`sliding_windows`). They reach every
   object the sizes can cover, at a high price in windows per image, and none is
   removed before the classifier.
2. **Warped crops.** Each window, enlarged by a context margin (R-CNN added 16 pixels
   of context around its 227-pixel crops; here each side grows by 1/8 of the window), is
   cut out and *warped* (resized, ignoring aspect ratio) to a fixed ``crop x crop``
   input with ``tf.image.crop_and_resize``, in batches.
3. **CNN classifier with a background class.** A small CNN scores each crop over
   ``n_classes + 1`` classes, class 0 being background. Training windows with IoU >= 0.5
   with an object take its class, those with IoU < 0.3 are background, the rest are
   not used; each batch samples a quarter positives (R-CNN's 32 positive, 96
   background per 128). The two thresholds mix R-CNN's two rules: its CNN fine-tuning
   took IoU >= 0.5 as positive and the rest as background, its SVMs took only the
   ground-truth boxes as positive and IoU < 0.3 as negative.
4. **Box regression.** The same network predicts, per class, R-CNN's correction of the
   window ``P`` towards the object ``G`` (:func:`encode_boxes`)::

       t_x = (G_x - P_x) / P_w      t_y = (G_y - P_y) / P_h
       t_w = log(G_w / P_w)         t_h = log(G_h / P_h)

   (centres x, y, widths w, heights h), divided by (0.1, 0.1, 0.2, 0.2) so the four
   numbers have similar spread (py-faster-rcnn's configuration; Fast R-CNN
   standardised the targets by their mean and standard deviation instead). R-CNN
   fitted a ridge regression on pool5 features; here a linear head of the CNN learns it, trained
   jointly with a smooth-L1 loss on positive windows only.
5. **Per-class NMS.** For each class, windows scoring above ``score_threshold`` are
   decoded to boxes and suppressed greedily with :func:`helpers.detection.nms`.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_bool, check_int, check_real
from ..data.detectionset import DetectionSet
from ..detection import iou, nms
from ..detection.detections import Detections
from .detector import MAX_IMAGE_SIDE, Detector

__all__ = [
    "SlidingWindowDetector",
    "sliding_windows",
    "encode_boxes",
    "decode_boxes",
    "build_window_classifier",
    "WINDOW_SIZES",
    "BOX_DELTA_SCALE",
]

#: Window sides in pixels for 64 x 64 images (scaled with the image size).
WINDOW_SIZES = (8.0, 12.0, 18.0, 27.0, 40.0)
#: Regression targets are divided by these (py-faster-rcnn's BBOX_NORMALIZE_STDS).
BOX_DELTA_SCALE = np.array([0.1, 0.1, 0.2, 0.2])
#: Most windows per image a detector accepts.
MAX_WINDOWS = 50_000
#: Most bytes of warped crops :meth:`SlidingWindowDetector.detect` puts through the network at once.
MAX_CROP_BYTES = 2 * 2**30
_POSITIVE_IOU = 0.5
_NEGATIVE_IOU = 0.3


# --------------------------------------------------------------------------- proposals
def sliding_windows(image_size=(64, 64), sizes=WINDOW_SIZES, step: float = 1 / 3):
    """Square sliding windows covering an image, the region proposals of :class:`SlidingWindowDetector`.

    Parameters
    ----------
    image_size : (int, int)
        (H, W) in pixels.
    sizes : sequence of float
        Window sides in pixels, each at most min(H, W).
    step : float in (0, 1]
        Step between windows as a fraction of the window side (at least 1 pixel).

    Returns
    -------
    ndarray, float32, shape (P, 4)
        ``xyxy`` windows, smallest size first, each inside the image; the last window
        of each row/column touches the image's right/bottom edge.
    """
    if isinstance(image_size, (str, bytes)) or not hasattr(image_size, "__len__") \
            or len(image_size) != 2:
        raise TypeError(f"image_size must be a pair (H, W) of ints, got {image_size!r}")
    height = check_int(image_size[0], "image_size[0]", low=1, high=MAX_IMAGE_SIDE)
    width = check_int(image_size[1], "image_size[1]", low=1, high=MAX_IMAGE_SIDE)
    sizes = check_array(sizes, "sizes", ndim=1)
    step = check_real(step, "step", low=0.0, high=1.0, low_open=True)
    if (sizes <= 0).any() or sizes.max() > min(height, width):
        raise ValueError(
            f"sizes must lie in (0, {min(height, width)}] pixels, got {sizes.tolist()}"
        )
    n_windows = _count_windows((height, width), sizes, step)
    if n_windows > MAX_WINDOWS:
        raise ValueError(
            f"sizes {sizes.tolist()} at step={step} make {n_windows} windows per image "
            f"(at most {MAX_WINDOWS}): use a larger step or fewer sizes."
        )
    windows = []
    for side in sizes:
        stride = max(1.0, round(side * step))
        xs = _starts(width, side, stride)
        ys = _starts(height, side, stride)
        x0, y0 = np.meshgrid(xs, ys)
        x0, y0 = x0.ravel(), y0.ravel()
        windows.append(np.stack([x0, y0, x0 + side, y0 + side], axis=1))
    return np.concatenate(windows).astype(np.float32)


def _count_windows(image_size, sizes, step: float) -> int:
    """How many windows :func:`sliding_windows` makes, without making them."""
    height, width = image_size
    total = 0
    for side in sizes:
        stride = max(1.0, round(float(side) * step))
        total += (int(np.ceil((height - side) / stride - 1e-9)) + 1) \
            * (int(np.ceil((width - side) / stride - 1e-9)) + 1)
    return total


def _starts(length: int, side: float, stride: float) -> np.ndarray:
    starts = np.arange(0.0, length - side + 1e-6, stride)
    if starts[-1] < length - side - 1e-6:
        starts = np.append(starts, length - side)
    return starts


# --------------------------------------------------------------------------- box regression
def encode_boxes(proposals, targets) -> np.ndarray:
    """R-CNN's regression targets from proposals ``P`` to boxes ``G`` (both (K, 4) xyxy).

    Returns
    -------
    ndarray, float32, shape (K, 4)
        ``(t_x, t_y, t_w, t_h) / (0.1, 0.1, 0.2, 0.2)`` (see the module notes).
    """
    p = _positive_boxes(proposals, "proposals")
    g = _positive_boxes(targets, "targets")
    if p.shape != g.shape:
        raise ValueError(
            f"proposals and targets must have the same shape, got {p.shape} and {g.shape}"
        )
    pw, ph = p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]
    gw, gh = g[:, 2] - g[:, 0], g[:, 3] - g[:, 1]
    deltas = np.stack([
        ((g[:, 0] + g[:, 2]) - (p[:, 0] + p[:, 2])) / 2 / pw,
        ((g[:, 1] + g[:, 3]) - (p[:, 1] + p[:, 3])) / 2 / ph,
        np.log(gw / pw),
        np.log(gh / ph),
    ], axis=1)
    return (deltas / BOX_DELTA_SCALE).astype(np.float32)


def decode_boxes(proposals, deltas) -> np.ndarray:
    """Apply regression outputs ``deltas`` (K, 4) to ``proposals`` (K, 4) xyxy: the inverse
    of :func:`encode_boxes`. Returns float32 (K, 4) xyxy boxes (not clipped).

    ``t_w`` and ``t_h`` are clipped at log(1000 / 16), as in Fast R-CNN, so a wild
    output cannot overflow.
    """
    p = _positive_boxes(proposals, "proposals")
    d = check_array(deltas, "deltas", ndim=2, allow_empty=True) * BOX_DELTA_SCALE
    if d.shape != p.shape:
        raise ValueError(f"deltas must have the shape of proposals {p.shape}, got {d.shape}")
    pw, ph = p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]
    cx = (p[:, 0] + p[:, 2]) / 2 + d[:, 0] * pw
    cy = (p[:, 1] + p[:, 3]) / 2 + d[:, 1] * ph
    limit = np.log(1000.0 / 16)
    w = pw * np.exp(np.minimum(d[:, 2], limit))
    h = ph * np.exp(np.minimum(d[:, 3], limit))
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)


def _positive_boxes(boxes, name: str) -> np.ndarray:
    boxes = check_array(boxes, name, ndim=2, allow_empty=True, shape_hint="(K, 4) xyxy")
    if boxes.shape[1:] != (4,):
        raise ValueError(f"{name} must have shape (K, 4) (xyxy), got {boxes.shape}")
    if ((boxes[:, 2] <= boxes[:, 0]) | (boxes[:, 3] <= boxes[:, 1])).any():
        raise ValueError(f"{name} must have positive widths and heights (x1 > x0, y1 > y0)")
    return boxes


# --------------------------------------------------------------------------- the CNN
def build_window_classifier(crop: int = 16, n_classes: int = 3, width: int = 16, seed: int = 0,
                          *, channels: int = 3):
    """The per-crop CNN: 4 conv layers (2 with stride 2), global average pooling, a dense
    layer, then ``n_classes + 1`` class logits (0 = background) and ``4 * n_classes``
    box-regression outputs (4 per class), concatenated.

    Returns
    -------
    keras.Model
        Input (N, crop, crop, channels) in [0, 1]; output (N, 5 * n_classes + 1).
    """
    import keras
    from keras import layers

    crop = check_int(crop, "crop", low=8, high=128)
    n_classes = check_int(n_classes, "n_classes", low=1)
    width = check_int(width, "width", low=4, high=512)
    check_int(seed, "seed", low=0)
    channels = check_int(channels, "channels", low=1, high=4)
    init = keras.initializers.HeNormal(seed=seed)

    def conv(x, filters, stride=1):
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                          kernel_initializer=init)(x)
        x = layers.BatchNormalization()(x)
        return layers.ReLU()(x)

    inputs = keras.Input((crop, crop, channels), name="crop")
    x = layers.Rescaling(2.0, offset=-1.0)(inputs)
    x = conv(x, width)
    x = conv(x, 2 * width, 2)
    x = conv(x, 2 * width)
    x = conv(x, 4 * width, 2)
    x = conv(x, 4 * width)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(8 * width, activation="relu", kernel_initializer=init)(x)
    logits = layers.Dense(n_classes + 1, name="class_logits")(x)
    deltas = layers.Dense(4 * n_classes, kernel_initializer=keras.initializers.RandomNormal(
        stddev=0.001, seed=seed), name="box_deltas")(x)
    outputs = layers.Concatenate(dtype="float32")([logits, deltas])
    return keras.Model(inputs, outputs, name="window_classifier")


def _window_loss(n_classes: int, box_weight: float = 1.0):
    """Cross-entropy over n_classes + 1 plus smooth L1 on the true class's 4 deltas
    (positives only, averaged over them). ``y_true`` = (class, 4 deltas)."""
    import tensorflow as tf

    def loss(y_true, y_pred):
        label = tf.cast(y_true[:, 0], tf.int32)
        ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=label, logits=y_pred[:, :n_classes + 1]))
        deltas = tf.reshape(y_pred[:, n_classes + 1:], (-1, n_classes, 4))
        positive = label > 0
        chosen = tf.gather(deltas, tf.maximum(label - 1, 0), batch_dims=1)
        diff = tf.abs(chosen - y_true[:, 1:])
        smooth = tf.where(diff < 1.0, 0.5 * diff**2, diff - 0.5)
        weight = tf.cast(positive, tf.float32)
        box = tf.reduce_sum(tf.reduce_sum(smooth, -1) * weight) / tf.maximum(
            tf.reduce_sum(weight), 1.0)
        return ce + box_weight * box

    return loss


# --------------------------------------------------------------------------- the detector
class SlidingWindowDetector(Detector):
    """Build, train and run the sliding-window detector: R-CNN's crops, background class,
    box regression and NMS on a fixed grid of windows (a :class:`Detector`; see the
    module notes).

    Parameters
    ----------
    class_names : sequence of str
        The classes to detect, unique.
    image_shape : (H, W, C)
        Input size in pixels, sides from 16 to 1024.
    crop : int, 8 to 128
        Side of the warped crops, in pixels.
    width : int, 4 to 512
        Channels of the classifier's first layer.
    window_sizes : sequence of float or None
        Window sides in pixels; default :data:`WINDOW_SIZES` scaled by
        ``min(H, W) / 64``.
    window_step : float in (0, 1]
        Step between windows as a fraction of their side (see :func:`sliding_windows`).
    context : float in [0, 1]
        Each side of a window grows by ``context`` times its size before cropping.
    seed : int
        Weight initialisation, window sampling and shuffling.

    Examples
    --------
    >>> detector = SlidingWindowDetector(train.class_names).fit(train, epochs=4)
    >>> detections = detector.detect(test.images)      # a Detections, like CenterNet's
    """

    default_batch_size = 8
    default_fit_batch_size = 128
    default_learning_rate = 2e-3

    def __init__(self, class_names, image_shape=(64, 64, 3), crop: int = 16, width: int = 16,
                 window_sizes=None, window_step: float = 1 / 3, context: float = 0.125,
                 seed: int = 0):
        super().__init__(class_names, image_shape, seed)
        self.context = check_real(context, "context", low=0.0, high=1.0)
        self.crop = check_int(crop, "crop", low=8, high=128)
        self.width = check_int(width, "width", low=4, high=512)
        height, width_px = self.image_shape[:2]
        if window_sizes is None:
            window_sizes = np.array(WINDOW_SIZES) * min(height, width_px) / 64
        window_sizes = check_array(window_sizes, "window_sizes", ndim=1)
        if (window_sizes <= 0).any() or window_sizes.max() > min(height, width_px):
            raise ValueError(
                f"window_sizes must lie in (0, {min(height, width_px)}] pixels (the image's "
                f"shorter side), got {window_sizes.tolist()}."
            )
        window_step = check_real(window_step, "window_step", low=0.0, high=1.0,
                                 low_open=True)
        n_windows = _count_windows(self.image_shape[:2], window_sizes, window_step)
        if n_windows > MAX_WINDOWS:
            raise ValueError(
                f"window_sizes {window_sizes.tolist()} at window_step={window_step} make "
                f"{n_windows} windows per image (at most {MAX_WINDOWS}): use a larger "
                "window_step or fewer window sizes."
            )
        self.windows = sliding_windows(self.image_shape[:2], window_sizes, window_step)
        self.model = build_window_classifier(self.crop, self.n_classes, self.width, self.seed,
                                           channels=self.image_shape[2])

    @property
    def n_windows(self) -> int:
        """Proposals per image."""
        return len(self.windows)

    def _crop_boxes(self, windows: np.ndarray) -> np.ndarray:
        """Windows grown by the context margin, as crop_and_resize's normalised (y0, x0, y1, x1)."""
        height, width = self.image_shape[:2]
        side = windows[:, 2:] - windows[:, :2]
        grown = np.concatenate([windows[:, :2] - self.context * side,
                                windows[:, 2:] + self.context * side], axis=1)
        # crop_and_resize maps 0..1 to the first..last pixel *centre* (index 0..H-1): a
        # window [x0, x1) covers the centres x0 .. x1 - 1 in index coordinates
        x0, y0 = grown[:, 0] / (width - 1), grown[:, 1] / (height - 1)
        x1, y1 = (grown[:, 2] - 1) / (width - 1), (grown[:, 3] - 1) / (height - 1)
        return np.stack([y0, x0, y1, x1], axis=1).astype(np.float32)

    def training_windows(self, scenes: DetectionSet, per_image: int = 32,
                         positive_fraction: float = 0.25, seed: int = 0):
        """Sample labelled windows: ``(image index (K,), window (K, 4), label (K,),
        deltas (K, 4))``; label 0 is background (IoU < 0.3 with every object),
        positives have IoU >= 0.5 with the object they take their class and deltas from.
        Every object also contributes its own box, jittered, as a positive (so that small
        objects, whose best window may fall short of IoU 0.5, are learnt); it counts
        towards ``per_image``, and an image with more objects than ``per_image`` gives
        one window per object.
        """
        self.check_scenes(scenes, "scenes")
        per_image = check_int(per_image, "per_image", low=4, high=MAX_WINDOWS)
        positive_fraction = check_real(positive_fraction, "positive_fraction",
                                       low=0.0, high=1.0)
        rng = np.random.default_rng(check_int(seed, "seed", low=0))
        n_pos = int(round(per_image * positive_fraction))
        index, windows, labels, deltas = [], [], [], []
        for i in range(len(scenes)):
            boxes, classes, _ = scenes.objects(i)
            if len(boxes):
                overlap = iou(self.windows, boxes)  # (P, K)
                best = overlap.argmax(axis=1)
                best_iou = overlap.max(axis=1)
            else:
                best = np.zeros(len(self.windows), int)
                best_iou = np.zeros(len(self.windows))
            positive = np.flatnonzero(best_iou >= _POSITIVE_IOU)
            negative = np.flatnonzero(best_iou < _NEGATIVE_IOU)
            budget = max(per_image - len(boxes), 0)  # the objects' own boxes come on top
            take_pos = rng.choice(positive, min(n_pos, len(positive), budget), replace=False)
            take_neg = rng.choice(negative, min(budget - len(take_pos), len(negative)),
                                  replace=False)
            chosen = np.concatenate([take_pos, take_neg]).astype(int)
            w = np.concatenate([self.windows[chosen], _jitter(rng, boxes)]).astype(np.float32)
            lab = np.concatenate([
                classes[best[take_pos]] + 1 if len(boxes) else np.zeros(0, int),
                np.zeros(len(take_neg), int), classes + 1,
            ])
            target = np.concatenate([
                boxes[best[take_pos]] if len(boxes) else np.zeros((len(take_pos), 4)),
                np.tile([0, 0, 1, 1], (len(take_neg), 1)), boxes,
            ])
            d = np.zeros((len(w), 4), np.float32)
            pos = lab > 0
            d[pos] = encode_boxes(w[pos], target[pos])
            index.append(np.full(len(w), i)), windows.append(w)
            labels.append(lab), deltas.append(d)
        return (np.concatenate(index).astype(np.int32), np.concatenate(windows),
                np.concatenate(labels).astype(np.int64), np.concatenate(deltas))

    def fit(self, train: DetectionSet, epochs: int, *, per_image: int = 48,
            batch_size: int | None = None, learning_rate: float | None = None,
            verbose: int = 0) -> "SlidingWindowDetector":
        """Train the classifier and box regressor on sampled, warped windows (see
        :meth:`Detector.fit`).

        Parameters
        ----------
        train : DetectionSet
        epochs : int, >= 1
            Passes over the sampled windows (a fresh sample each epoch).
        per_image : int, >= 4
            Windows sampled per image and epoch, the objects' own boxes included (a
            quarter positives, when there are).
        batch_size : int
            Crops per step (default 128).
        learning_rate : float
            Peak of a cosine-decaying Adam learning rate (default 2e-3).
        verbose : int

        Returns
        -------
        SlidingWindowDetector
            ``self``; ``history["loss"]`` and ``train_seconds`` (sampling and cropping
            included) grow.
        """
        return super().fit(train, epochs, batch_size=batch_size,
                           learning_rate=learning_rate, verbose=verbose, per_image=per_image)

    def _check_fit_options(self, train, batch_size, *, per_image=48) -> dict:
        return {"per_image": check_int(per_image, "per_image", low=4, high=MAX_WINDOWS)}

    def _loss(self):
        return _window_loss(self.n_classes)

    def _steps_per_epoch(self, train, batch_size, options) -> int:
        per_image = max(options["per_image"], int(train.counts.max()))
        return int(np.ceil(len(train) * per_image / batch_size))

    def _epochs(self, train, epochs, batch_size, options):
        import tensorflow as tf

        images = tf.constant(train.images)
        crop_size = (self.crop, self.crop)

        def warp(image_index, boxes, targets):
            return tf.image.crop_and_resize(images, boxes, image_index, crop_size), targets

        for epoch in range(epochs):
            index, windows, labels, deltas = self.training_windows(
                train, options["per_image"], seed=self.seed * 1000 + epoch)
            crop_boxes = self._crop_boxes(windows)
            targets = np.concatenate([labels[:, None], deltas], axis=1).astype(np.float32)
            yield (
                tf.data.Dataset.from_tensor_slices((index, crop_boxes, targets))
                .shuffle(len(index), seed=self.seed + epoch)
                .batch(batch_size)
                .map(warp, num_parallel_calls=tf.data.AUTOTUNE)
                .prefetch(tf.data.AUTOTUNE)
            )

    def _scores(self, images: np.ndarray, batch_size: int):
        """Class probabilities (N, P, C + 1) and deltas (N, P, C, 4) for every window."""
        import tensorflow as tf

        if not hasattr(self, "_compiled"):
            crop = self.crop

            @tf.function(reduce_retracing=True)
            def run(batch, boxes):
                n = tf.shape(batch)[0]
                p = tf.shape(boxes)[0]
                all_boxes = tf.tile(boxes, [n, 1])
                owner = tf.repeat(tf.range(n), p)
                crops = tf.image.crop_and_resize(batch, all_boxes, owner, (crop, crop))
                out = self.model(crops, training=False)
                return tf.reshape(out, (n, p, -1))

            self._compiled = run
        boxes = tf.constant(self._crop_boxes(self.windows))
        outputs = np.concatenate([
            self._compiled(tf.constant(images[i:i + batch_size]), boxes).numpy()
            for i in range(0, len(images), batch_size)
        ])
        logits = outputs[..., :self.n_classes + 1]
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        deltas = outputs[..., self.n_classes + 1:].reshape(*outputs.shape[:2], self.n_classes, 4)
        return probs, deltas

    def detect(self, images, max_detections: int = 100, score_threshold: float = 0.05, *,
               nms_threshold: float = 0.4, suppress: bool = True,
               batch_size: int | None = None) -> Detections:
        """Detections for images (N, H, W, C) float32 in [0, 1] (see :meth:`Detector.detect`).

        Parameters
        ----------
        max_detections : int
            At most this many per image (best scores, after NMS).
        score_threshold : float in [0, 1]
            A window is a candidate for class c if P(c | crop) >= this.
        nms_threshold : float in [0, 1]
            Per-class greedy NMS IoU threshold.
        suppress : bool
            False returns the candidates *before* NMS (the raw output, for Chapter 11).
        batch_size : int or None
            Images whose windows go through the CNN together (windows x images crops;
            default 8).

        Returns
        -------
        Detections
            Boxes are the regressed windows, clipped to the image.
        """
        return super().detect(images, max_detections, score_threshold, batch_size=batch_size,
                              nms_threshold=nms_threshold, suppress=suppress)

    def _check_detect_options(self, *, nms_threshold=0.4, suppress=True) -> dict:
        return {"nms_threshold": check_real(nms_threshold, "nms_threshold", low=0.0, high=1.0),
                "suppress": check_bool(suppress, "suppress")}

    def _detect(self, images, max_detections, score_threshold, batch_size, options):
        crop_bytes = self.n_windows * self.crop**2 * self.image_shape[2] * 4
        if batch_size * crop_bytes > MAX_CROP_BYTES:
            raise ValueError(
                f"batch_size={batch_size} would warp {batch_size * self.n_windows} crops at "
                f"once ({batch_size * crop_bytes / 2**30:.1f} GiB); use batch_size <= "
                f"{max(MAX_CROP_BYTES // crop_bytes, 1)}."
            )
        if len(images) == 0:
            return Detections.from_lists([], [], [])
        nms_threshold, suppress = options["nms_threshold"], options["suppress"]
        probs, deltas = self._scores(images, batch_size)
        height, width = self.image_shape[:2]
        all_boxes, all_labels, all_scores = [], [], []
        for i in range(len(images)):
            boxes, scores, labels = [], [], []
            for c in range(self.n_classes):
                score = probs[i, :, c + 1]
                candidates = np.flatnonzero(score >= score_threshold)
                if candidates.size == 0:
                    continue
                box = decode_boxes(self.windows[candidates], deltas[i, candidates, c])
                box = np.clip(box, 0, [width, height, width, height])
                ok = (box[:, 2] > box[:, 0]) & (box[:, 3] > box[:, 1])
                box, s = box[ok], score[candidates][ok]
                if suppress and len(box):
                    keep = nms(box, s, nms_threshold)
                    box, s = box[keep], s[keep]
                boxes.append(box), scores.append(s), labels.append(np.full(len(s), c))
            boxes = np.concatenate(boxes) if boxes else np.zeros((0, 4), np.float32)
            scores = np.concatenate(scores) if scores else np.zeros(0, np.float32)
            labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
            best = np.argsort(-scores, kind="stable")[:max_detections]
            all_boxes.append(boxes[best]), all_labels.append(labels[best])
            all_scores.append(scores[best])
        return Detections.from_lists(all_boxes, all_labels, all_scores)


def _jitter(rng, boxes: np.ndarray) -> np.ndarray:
    """Each ground-truth box shifted and scaled a little (IoU stays high), as extra positives."""
    if len(boxes) == 0:
        return np.zeros((0, 4), np.float32)
    side = boxes[:, 2:] - boxes[:, :2]
    shift = rng.uniform(-0.1, 0.1, (len(boxes), 2)) * side
    scale = np.exp(rng.uniform(-0.1, 0.1, (len(boxes), 2)))
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2 + shift
    half = side * scale / 2
    return np.concatenate([centre - half, centre + half], axis=1)
