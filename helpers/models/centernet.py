"""A tiny one-stage, anchor-free detector in the manner of CenterNet (Zhou, Wang and
Krahenbuhl, "Objects as Points", 2019).

The network looks at the image once and outputs, on a grid ``stride`` times coarser
than the image (16 x 16 cells for a 64 x 64 image):

* one *centre heatmap* per class: a logit whose sigmoid ranks how strongly the cell
  looks like the centre of an object of that class (a ranking score trained with a
  focal loss on Gaussian bumps, not a calibrated probability);
* the box *size* at that cell: ``log(w / stride)`` and ``log(h / stride)``;
* the sub-cell *offset* of the centre: ``cx / stride - floor(cx / stride)`` (and y).

Training targets (:func:`centernet_targets`) put a Gaussian bump on each object's
centre cell in its class's heatmap (peak exactly 1), and the size and offset at that
cell only. Two rules shape the bump (``heatmap_rule``, see
:mod:`helpers.models.centre_heatmaps`): ``"per_axis"`` (the default, sigma = side / 6
per axis, TTFNet's shape) and ``"centernet"`` ("Objects as Points": isotropic,
sigma = (2r + 1) / 6 with CornerNet's radius r). The loss (:func:`centernet_loss`) is
CenterNet's penalty-reduced focal loss on the heatmaps (a variant of the focal loss,
from CornerNet: Law and Deng, 2018) plus L1 losses on size and offset at the centre
cells.

Decoding (:meth:`CenterNet.detect`, :func:`decode_centernet`) keeps the cells that are
the maximum of their 3 x 3 neighbourhood (a max-pool replaces NMS), takes the best
``max_detections`` of them over all classes, and turns each into a box
``(cx - w/2, cy - h/2, cx + w/2, cy + h/2)``, with the heatmap's sigmoid as score.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_bool, check_choice, check_image_shape, check_int, check_real
from ..data.detectionset import DetectionSet
from ..detection.detections import Detections
from .centre_heatmaps import HEATMAP_RULES, centernet_radius, centre_bump, gaussian_radius
from .detector import MAX_IMAGE_SIDE, Detector

__all__ = [
    "CenterNet",
    "build_centernet",
    "centernet_targets",
    "centernet_loss",
    "decode_centernet",
    "CENTERNET_STRIDE",
    "HEATMAP_RULES",
    "gaussian_radius",
    "centernet_radius",
]

#: Image pixels per output cell.
CENTERNET_STRIDE = 4


# --------------------------------------------------------------------------- model
def build_centernet(input_shape=(64, 64, 3), n_classes: int = 3, width: int = 32, seed: int = 0):
    """The network: a small conv backbone (stride 8), an upsampling neck back to stride 4
    with a skip connection, one shared 3 x 3 head layer and a 1 x 1 output per task.

    Parameters
    ----------
    input_shape : (H, W, C)
        H and W multiples of 8.
    n_classes : int, >= 1
    width : int, >= 4
        Channels of the first block; deeper blocks have 2x and 4x as many.
    seed : int
        Seed of the weight initialisation.

    Returns
    -------
    keras.Model
        Input float32 (N, H, W, C) in [0, 1]; output float32 (N, H/4, W/4, n_classes + 4):
        heatmap logits, ``log w``, ``log h`` (in cells) and the centre offsets x, y.
    """
    import keras
    from keras import layers

    height, width_px, channels = _check_input_shape(input_shape)
    n_classes = check_int(n_classes, "n_classes", low=1)
    width = check_int(width, "width", low=4, high=512)
    check_int(seed, "seed", low=0)
    init = keras.initializers.HeNormal(seed=seed)

    def conv(x, filters, stride=1, name=None):
        x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                          kernel_initializer=init, name=name)(x)
        x = layers.BatchNormalization(name=None if name is None else name + "_bn")(x)
        return layers.ReLU(name=None if name is None else name + "_relu")(x)

    inputs = keras.Input((height, width_px, channels), name="image")
    x = layers.Rescaling(2.0, offset=-1.0, name="centre_pixels")(inputs)
    x = conv(x, width, 2)  # 1/2
    x = conv(x, width)
    x = conv(x, 2 * width, 2)  # 1/4
    skip = conv(x, 2 * width)
    x = conv(skip, 4 * width, 2)  # 1/8
    x = conv(x, 4 * width)
    x = conv(x, 4 * width, name="backbone_out")
    x = layers.UpSampling2D(2, interpolation="bilinear", name="neck_up")(x)  # 1/4
    x = layers.Concatenate(name="neck_skip")([x, skip])
    x = layers.Conv2D(2 * width, 1, use_bias=False, kernel_initializer=init, name="neck_mix")(x)
    x = layers.BatchNormalization(name="neck_mix_bn")(x)
    x = layers.ReLU(name="neck_mix_relu")(x)
    x = conv(x, 2 * width, name="head_features")

    def head(x, n_out, name, bias=0.0):
        return layers.Conv2D(n_out, 1, kernel_initializer=keras.initializers.RandomNormal(
            stddev=0.01, seed=seed), bias_initializer=keras.initializers.Constant(bias),
            name=name)(x)

    # heatmap bias: sigmoid(-2.19) = 0.1, CenterNet's start for a rare-positive map
    heat = head(x, n_classes, "heatmap", bias=-2.19)
    size = head(x, 2, "size", bias=1.0)
    offset = head(x, 2, "offset", bias=0.5)
    outputs = layers.Concatenate(name="centernet_out", dtype="float32")([heat, size, offset])
    return keras.Model(inputs, outputs, name="centernet")


def _check_input_shape(input_shape) -> tuple[int, int, int]:
    return check_image_shape(input_shape, min_side=16, max_side=MAX_IMAGE_SIDE, multiple_of=8)


def _check_size(image_size, low: int = 1) -> tuple[int, int]:
    if isinstance(image_size, (str, bytes)) or not hasattr(image_size, "__len__") \
            or len(image_size) != 2:
        raise TypeError(f"image_size must be a pair (H, W) of ints, got {image_size!r}")
    return tuple(check_int(v, f"image_size[{i}]", low=low, high=MAX_IMAGE_SIDE)
                 for i, v in enumerate(image_size))


# --------------------------------------------------------------------------- targets
def centernet_targets(boxes, labels, counts, image_size, n_classes: int,
                      stride: int = CENTERNET_STRIDE, *,
                      heatmap_rule: str = "per_axis") -> np.ndarray:
    """Training targets for N images, packed in one array.

    Parameters
    ----------
    boxes : ndarray, shape (N, M, 4)
        ``xyxy`` pixels, NaN padding (as in :class:`~helpers.data.DetectionSet`).
    labels : ndarray, int, shape (N, M)
    counts : ndarray, int, shape (N,)
    image_size : (int, int)
        (H, W) of the images.
    n_classes : int
    stride : int
    heatmap_rule : "per_axis" or "centernet"
        The bump around each centre cell, in output cells (see
        :mod:`helpers.models.centre_heatmaps`). ``"per_axis"``: per-axis sigma =
        box side / (6 stride), at least 0.5 cell, over the whole grid.
        ``"centernet"``: isotropic sigma = (2r + 1) / 6 cut to the (2r + 1)^2 cells
        around the centre, r = max(0, int(gaussian_radius(ceil(h), ceil(w), 0.7)))
        with h, w the sides in cells (r = 0, a single cell, when both sides are at
        most 12 cells).

    Returns
    -------
    ndarray, float32, shape (N, H/stride, W/stride, n_classes + 5)
        Channels: the heatmaps (Gaussian bumps with peak 1 at each centre cell;
        where bumps of one class overlap the larger value wins), ``log(w / stride)``,
        ``log(h / stride)``, offset x, offset y, and a 0/1 flag marking centre cells.
    """
    boxes = np.asarray(boxes, np.float64)
    labels = np.asarray(labels)
    counts = np.asarray(counts)
    n_classes = check_int(n_classes, "n_classes", low=1)
    stride = check_int(stride, "stride", low=1)
    heatmap_rule = check_choice(heatmap_rule, "heatmap_rule", HEATMAP_RULES)
    if boxes.ndim != 3 or boxes.shape[2] != 4 or labels.shape != boxes.shape[:2] \
            or counts.shape != boxes.shape[:1]:
        raise ValueError(
            "boxes (N, M, 4), labels (N, M) and counts (N,) must agree, got "
            f"{boxes.shape}, {labels.shape} and {counts.shape}"
        )
    height, width = _check_size(image_size, low=stride)
    grid_h, grid_w = height // stride, width // stride
    out = np.zeros((len(boxes), grid_h, grid_w, n_classes + 5), np.float32)
    for i in range(len(boxes)):
        for box, label in zip(boxes[i, : counts[i]], labels[i, : counts[i]]):
            if not 0 <= label < n_classes:
                raise ValueError(f"labels must lie in [0, {n_classes - 1}], got {label}")
            x0, y0, x1, y1 = box / stride
            if not (x1 > x0 and y1 > y0):  # also catches NaN in a counted slot
                raise ValueError(
                    f"boxes[{i}] holds {box.tolist()}: each counted box must be "
                    "(x0, y0, x1, y1) with x1 > x0 and y1 > y0"
                )
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            if not (0 <= cx <= grid_w and 0 <= cy <= grid_h):
                raise ValueError(
                    f"boxes[{i}] holds {box.tolist()}: its centre lies outside the "
                    f"{width} x {height} image, so no heatmap cell can mark it"
                )
            col = min(int(cx), grid_w - 1)
            row = min(int(cy), grid_h - 1)
            # the bump is centred on the centre *cell* so its peak is exactly 1
            bump = centre_bump(heatmap_rule, x1 - x0, y1 - y0, row, col, (grid_h, grid_w))
            np.maximum(out[i, :, :, label], bump, out=out[i, :, :, label])
            out[i, row, col, n_classes:n_classes + 5] = (
                np.log(x1 - x0), np.log(y1 - y0), cx - col, cy - row, 1.0
            )
    return out


def centernet_loss(n_classes: int, size_weight: float = 1.0, offset_weight: float = 1.0):
    """The training loss: CenterNet's focal loss on heatmaps + L1 on size and offset.

    Focal loss (alpha = 2, beta = 4), with p = sigmoid(logit) and y the target map::

        -(1 - p)^2 log p                 at centre cells (y == 1)
        -(1 - y)^4 p^2 log(1 - p)        elsewhere (less penalty near a centre)

    summed and divided by the number of objects (at least 1). Size (log w, log h in
    cells) and offset are L1 losses averaged over the centre cells.

    Returns
    -------
    callable ``loss(y_true, y_pred) -> scalar``
        ``y_true`` as :func:`centernet_targets` packs it, ``y_pred`` the model output.
    """
    import tensorflow as tf

    n_classes = check_int(n_classes, "n_classes", low=1)
    size_weight = check_real(size_weight, "size_weight", low=0.0)
    offset_weight = check_real(offset_weight, "offset_weight", low=0.0)

    def loss(y_true, y_pred):
        y_true = tf.cast(y_true, tf.float32)
        y_pred = tf.cast(y_pred, tf.float32)
        target = y_true[..., :n_classes]
        logits = y_pred[..., :n_classes]
        centre = y_true[..., -1]
        n_objects = tf.maximum(tf.reduce_sum(centre), 1.0)
        log_p = tf.math.log_sigmoid(logits)
        log_not_p = tf.math.log_sigmoid(-logits)
        p = tf.sigmoid(logits)
        positive = tf.cast(target >= 1.0 - 1e-6, tf.float32)
        focal = -positive * (1 - p) ** 2 * log_p \
            - (1 - positive) * (1 - target) ** 4 * p**2 * log_not_p
        heat_loss = tf.reduce_sum(focal) / n_objects
        l1 = tf.abs(y_pred[..., n_classes:] - y_true[..., n_classes:n_classes + 4])
        size_loss = tf.reduce_sum(tf.reduce_sum(l1[..., :2], -1) * centre) / n_objects
        offset_loss = tf.reduce_sum(tf.reduce_sum(l1[..., 2:], -1) * centre) / n_objects
        return heat_loss + size_weight * size_loss + offset_weight * offset_loss

    return loss


# --------------------------------------------------------------------------- decoding
def decode_centernet(outputs, n_classes: int, image_size, stride: int = CENTERNET_STRIDE,
                     max_detections: int = 100, score_threshold: float = 0.05,
                     peaks: bool = True) -> Detections:
    """Boxes, scores and classes from raw network outputs, for a batch.

    Parameters
    ----------
    outputs : array, float, shape (N, h, w, n_classes + 4)
        Heatmap logits, log w, log h (cells), offset x, offset y.
    n_classes : int
    image_size : (int, int)
        (H, W) of the input images; boxes are clipped to it.
    stride : int
    max_detections : int, >= 1
        At most this many detections per image (the best scores over all classes).
    score_threshold : float in [0, 1]
        Detections scoring below this are dropped.
    peaks : bool
        True: keep only cells that are the maximum of their 3 x 3 neighbourhood in
        their class's heatmap (CenterNet's replacement for NMS). False: keep every
        cell (the "raw" output, full of duplicates, for studying NMS).

    Returns
    -------
    Detections
        Scores are the heatmap's sigmoid, sorted decreasing per image.
    """
    import tensorflow as tf

    n_classes = check_int(n_classes, "n_classes", low=1)
    stride = check_int(stride, "stride", low=1)
    max_detections = check_int(max_detections, "max_detections", low=1)
    score_threshold = check_real(score_threshold, "score_threshold", low=0.0, high=1.0)
    peaks = check_bool(peaks, "peaks")
    outputs = np.asarray(outputs, np.float32)
    if outputs.ndim != 4 or outputs.shape[-1] != n_classes + 4:
        raise ValueError(
            f"outputs must have shape (N, h, w, n_classes + 4 = {n_classes + 4}), "
            f"got {outputs.shape}"
        )
    if not np.isfinite(outputs).all():
        raise ValueError(
            "outputs contain NaN or infinite values (a network with non-finite weights?); "
            "every score would be NaN and read as 'nothing detected'."
        )
    height, width = _check_size(image_size)
    n, grid_h, grid_w, _ = outputs.shape
    heat = tf.sigmoid(outputs[..., :n_classes])
    if peaks:
        pooled = tf.nn.max_pool2d(heat, 3, 1, "SAME")
        heat = tf.where(heat >= pooled, heat, tf.zeros_like(heat))
    flat = tf.reshape(heat, (n, grid_h * grid_w * n_classes))
    k = min(max_detections, grid_h * grid_w * n_classes)
    scores, index = tf.math.top_k(flat, k=k)
    scores, index = scores.numpy(), index.numpy()
    cell, classes = np.divmod(index, n_classes)
    rows, cols = np.divmod(cell, grid_w)
    values = outputs[np.arange(n)[:, None], rows, cols, n_classes:]  # (N, k, 4)
    cx = (cols + values[..., 2]) * stride
    cy = (rows + values[..., 3]) * stride
    w = np.exp(np.clip(values[..., 0], -10, 10)) * stride
    h = np.exp(np.clip(values[..., 1], -10, 10)) * stride
    boxes = np.stack([
        np.clip(cx - w / 2, 0, width), np.clip(cy - h / 2, 0, height),
        np.clip(cx + w / 2, 0, width), np.clip(cy + h / 2, 0, height),
    ], axis=-1).astype(np.float32)
    keep = scores >= score_threshold  # top_k sorts, so kept ones come first
    counts = keep.sum(axis=1).astype(np.int64)
    boxes[~keep] = np.nan
    return Detections(
        boxes=boxes,
        labels=np.where(keep, classes, -1).astype(np.int64),
        scores=np.where(keep, scores, np.nan).astype(np.float32),
        counts=counts,
    )


# --------------------------------------------------------------------------- the detector
class CenterNet(Detector):
    """Build, train and run the tiny one-stage detector (a :class:`Detector`).

    Parameters
    ----------
    class_names : sequence of str
        The classes to detect (e.g. ``scenes.class_names``), unique.
    image_shape : (H, W, C)
        Input size; H and W multiples of 8, from 16 to 1024.
    width : int
        Channels of the first block (see :func:`build_centernet`).
    seed : int
        Weight initialisation, shuffling and augmentation.
    heatmap_rule : "per_axis" or "centernet"
        The Gaussian bump of the heatmap targets (see
        :mod:`helpers.models.centre_heatmaps`): ``"per_axis"`` (default), per-axis
        sigma = side / 6 as in TTFNet (Liu et al. 2020) without its 0.54 shrink;
        ``"centernet"``, "Objects as Points"' isotropic sigma = (2r + 1) / 6 with
        CornerNet's radius r at IoU 0.7 (Law and Deng 2018); r = 0 (a one-cell
        target) when both sides are at most 48 pixels. Measured on Chapter 10's
        cpu-profile scenes over 3 training runs
        (``benchmarks/bench_centernet_rules.py``): ``"per_axis"`` AP 0.548-0.585,
        AP50 0.815-0.833; ``"centernet"`` AP 0.517-0.521, AP50 0.750-0.758.

    Measured (``python -m benchmarks.bench_detectors``; 2 CPU cores shared with other
    jobs): Chapter 10's cpu settings, 1,500 training scenes and 10 epochs (55-70 s of
    training), then on 300 held-out scenes (799 objects) COCO AP 0.580-0.588, AP50
    0.844-0.851 over 3 training runs, 1.3-3.4 ms per image. An earlier version of the
    scenes gave AP 0.70, AP50 0.93 after 12 epochs on 2,000 scenes, and AP 0.76 after 21.

    Examples
    --------
    >>> train = helpers.data.detection_scenes(2000, seed=0)
    >>> detector = CenterNet(train.class_names).fit(train, epochs=12)
    >>> detections = detector.detect(test.images)        # a Detections
    >>> coco_evaluate(to_coco(test), detections_to_coco(detections)).stats[1]   # AP50
    """

    stride = CENTERNET_STRIDE
    side_multiple = 8
    default_batch_size = 128
    default_fit_batch_size = 32
    default_learning_rate = 3e-3

    def __init__(self, class_names, image_shape=(64, 64, 3), width: int = 32, seed: int = 0,
                 *, heatmap_rule: str = "per_axis"):
        super().__init__(class_names, image_shape, seed)
        self.width = check_int(width, "width", low=4, high=512)
        self.heatmap_rule = check_choice(heatmap_rule, "heatmap_rule", HEATMAP_RULES)
        self.model = build_centernet(self.image_shape, self.n_classes, self.width, self.seed)

    def targets(self, scenes: DetectionSet) -> np.ndarray:
        """:func:`centernet_targets` for a :class:`DetectionSet`."""
        self.check_scenes(scenes, "scenes")
        return centernet_targets(scenes.boxes, scenes.labels, scenes.counts,
                                 scenes.image_shape[:2], self.n_classes, self.stride,
                                 heatmap_rule=self.heatmap_rule)

    def fit(self, train: DetectionSet, epochs: int, *, batch_size: int | None = None,
            learning_rate: float | None = None, augment: bool = True,
            verbose: int = 0) -> "CenterNet":
        """Train (see :meth:`Detector.fit`): Adam, cosine-decaying learning rate,
        batched with tf.data.

        Parameters
        ----------
        train : DetectionSet
            With the same class names and image shape as the detector.
        epochs : int, >= 1
        batch_size : int, >= 1
            Images per step (default 32).
        learning_rate : float, > 0
            Peak learning rate (default 3e-3; cosine decay to 0 over all steps).
        augment : bool
            Random flips (left-right, up-down) and transposition of each image and
            its targets: the 8 symmetries of the square, which change no class of
            the scenes (without it the detector overfits 2000 scenes in ~12 epochs).
        verbose : int
            Keras' verbosity (0 silent).

        Returns
        -------
        CenterNet
            ``self``; ``history["loss"]`` and ``train_seconds`` (target building
            included) grow.
        """
        return super().fit(train, epochs, batch_size=batch_size,
                           learning_rate=learning_rate, verbose=verbose, augment=augment)

    def _check_fit_options(self, train, batch_size, *, augment=True) -> dict:
        return {"augment": check_bool(augment, "augment")}

    def _loss(self):
        return centernet_loss(self.n_classes)

    def _epochs(self, train, epochs, batch_size, options):
        import tensorflow as tf

        data = tf.data.Dataset.from_tensor_slices((train.images, self.targets(train))).shuffle(
            len(train), seed=self.seed, reshuffle_each_iteration=True)
        if options["augment"]:
            data = data.map(_symmetry(self.n_classes, self.seed),
                            num_parallel_calls=tf.data.AUTOTUNE)
        data = data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
        for _ in range(epochs):  # one pipeline: each pass reshuffles and re-augments
            yield data

    def predict_maps(self, images, batch_size: int | None = None) -> np.ndarray:
        """Raw outputs (N, H/4, W/4, n_classes + 4) for images (N, H, W, C) in [0, 1]."""
        images = self.check_images(images)
        batch_size = check_int(self.default_batch_size if batch_size is None else batch_size,
                               "batch_size", low=1, high=1_000_000)
        return self._maps(images, batch_size)

    def _maps(self, images: np.ndarray, batch_size: int) -> np.ndarray:
        if not len(images):
            return np.zeros((0, *self.model.output_shape[1:]), np.float32)
        return np.concatenate([
            self._forward(images[i:i + batch_size]) for i in range(0, len(images), batch_size)
        ])

    def _forward(self, batch):
        if not hasattr(self, "_compiled_forward"):
            import tensorflow as tf

            self._compiled_forward = tf.function(
                lambda x: self.model(x, training=False), reduce_retracing=True)
        return self._compiled_forward(batch).numpy()

    def detect(self, images, max_detections: int = 100, score_threshold: float = 0.05, *,
               peaks: bool = True, batch_size: int | None = None) -> Detections:
        """Detections for images (N, H, W, C) float32 in [0, 1] (see :meth:`Detector.detect`
        and :func:`decode_centernet`).

        Parameters
        ----------
        peaks : bool
            True: keep only the cells that are the maximum of their 3 x 3
            neighbourhood; False: the raw output (duplicates included, for NMS).
        batch_size : int or None
            Images per forward pass (default 128).
        """
        return super().detect(images, max_detections, score_threshold,
                              batch_size=batch_size, peaks=peaks)

    def _check_detect_options(self, *, peaks=True) -> dict:
        return {"peaks": check_bool(peaks, "peaks")}

    def _detect(self, images, max_detections, score_threshold, batch_size, options):
        maps = self._maps(images, batch_size)
        return decode_centernet(maps, self.n_classes, self.image_shape[:2], self.stride,
                                max_detections, score_threshold, options["peaks"])


def _symmetry(n_classes: int, seed: int):
    """A tf.data map: a random flip / transposition of one image and its packed targets.

    Flipping left-right mirrors the maps and turns a centre offset ``o`` into ``1 - o``
    (cell ``c`` becomes ``cells - 1 - c``); transposing swaps x with y, so ``log w``
    with ``log h`` and the two offsets.
    """
    import tensorflow as tf

    c = n_classes
    generator = tf.random.Generator.from_seed(seed)

    def apply(image, target):
        flips = generator.uniform((3,)) < 0.5
        channels = tf.unstack(target, axis=-1)

        def flip(image, channels, axis, offset):
            image = tf.reverse(image, [axis])
            channels = [tf.reverse(ch, [axis]) for ch in channels]
            channels[offset] = channels[-1] * (1.0 - channels[offset]) \
                + (1.0 - channels[-1]) * channels[offset]
            return image, channels

        image, channels = tf.cond(flips[0], lambda: flip(image, channels, 1, c + 2),
                                  lambda: (image, channels))
        image, channels = tf.cond(flips[1], lambda: flip(image, channels, 0, c + 3),
                                  lambda: (image, channels))

        def transpose(image, channels):
            image = tf.transpose(image, [1, 0, 2])
            channels = [tf.transpose(ch) for ch in channels]
            channels[c], channels[c + 1] = channels[c + 1], channels[c]
            channels[c + 2], channels[c + 3] = channels[c + 3], channels[c + 2]
            return image, channels

        image, channels = tf.cond(flips[2], lambda: transpose(image, channels),
                                  lambda: (image, channels))
        return image, tf.stack(channels, axis=-1)

    return apply
