r"""What an explanation explains: the score, as an object (pytorch-grad-cam's "targets").

Every method (gradients, SmoothGrad, Integrated Gradients, the CAM family, Score-CAM,
Ablation-CAM, Eigen-CAM, occlusion) explains one number per image read from the
model's output, and takes it as ``targets=``:

=====================  ==================================================================
``ClassLogit(k)``      the logit :math:`z_k` of class k (the default: an ``int``, an int
                       array (one per image) or None, the predicted class, mean this)
``LogSoftmax(k)``      the logit gap :math:`z_k - \log\sum_j e^{z_j} = \log p_k`: its
                       gradient is that of :math:`\log p_k`, i.e. class k *against* the
                       others (:math:`\nabla z_k - \sum_j p_j \nabla z_j`)
``DetectionCell(row,   a dense detector's score of class channel c at output cell
col, c)``              (row, col): ``outputs[n, row, col, c]`` (CenterNet's heatmap logit)
``DetectionBox(box,    the same score at the output cell holding the centre of the box
c)``                   ``(x1, y1, x2, y2)`` (pixels): "explain this detection"
=====================  ==================================================================

``targets`` is one score object (applied to every image), or a list of them, one per
image, all of one family (``DetectionBox`` is in ``DetectionCell``'s family). Each
score says which model outputs it needs and refuses the others with a clear error
(a ``ClassLogit`` needs class scores ``(N, L)``, a ``DetectionCell`` dense maps
``(N, h, w, L)``).

A score family reads, from the outputs (final softmax/sigmoid bypassed) and an int32
parameter array ``params`` ``(N, P)``:

* :meth:`Score.value`: the explained number ``(N,)``, in logit units (what gradients
  differentiate, Ablation-CAM ablates and occlusion's ``score="logit"`` drops);
* :meth:`Score.probability`: the same score as a probability ``(N,)`` (what Score-CAM
  weights by and occlusion's ``score="probability"`` drops): softmax (sigmoid) of the
  class, :math:`p_k` for the logit gap, the sigmoid of a detection's logit.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import check_array, check_int, describe, is_int
from .._keras import check_targets, resolve_targets, target_logit, target_probability

__all__ = ["Score", "ClassLogit", "LogSoftmax", "DetectionCell", "DetectionBox",
           "ScoreBatch", "BoundScore", "check_scores"]


class Score:
    """Base of the score objects: one number per image, read from the model's outputs.

    A subclass gives :meth:`params` (its int parameters for one image) and, as class
    methods on TensorFlow tensors, :meth:`value` and :meth:`probability` (and
    :meth:`resolve` where a parameter means "predicted"). :attr:`family` is the class
    whose methods compute it (scores of one family can share one batch).
    """

    family: type | None = None
    n_params = 1
    needs = "outputs"

    def params(self, output_shape: tuple, input_shape: tuple) -> tuple[int, ...]:
        """The int parameters for one image, checked against the model's output shape
        ``(None, ...)`` and input shape ``(H, W, C)``."""
        raise NotImplementedError

    @classmethod
    def resolve(cls, outputs, params):
        """``params`` ``(N, P)`` with any "predicted" placeholder replaced (from ``outputs``)."""
        return params

    @classmethod
    def value(cls, outputs, params):
        """The explained number per image, ``(N,)`` float (logit units)."""
        raise NotImplementedError

    @classmethod
    def probability(cls, outputs, params, final_activation: str):
        """The score as a probability, ``(N,)`` float in [0, 1]."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other) -> bool:
        return type(self) is type(other) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))


def _classifier_shape(score: Score, output_shape: tuple) -> int:
    if len(output_shape) != 2:
        raise ValueError(
            f"{type(score).__name__} explains a class score and needs a classifier's output "
            f"(N, n_classes); the model outputs {output_shape}. For a dense detector's maps "
            "(N, h, w, L) use DetectionCell(row, col, channel) or DetectionBox(box, channel)")
    return int(output_shape[-1])


class ClassLogit(Score):
    r"""The logit :math:`z_k` of class ``k`` (the default score).

    Parameters
    ----------
    k : int or None
        Class index, ``0 <= k < L``; for a single sigmoid logit z, 1 means z and 0
        means -z (class 0's logit). None: each image's predicted class.

    ``value``: :math:`z_k`; ``probability``: softmax :math:`p_k` (sigmoid of
    :math:`\pm z`; for a multi-label sigmoid model :math:`\sigma(z_k)`).
    """

    def __init__(self, k=None):
        if k is not None and not is_int(k):
            raise TypeError(f"{type(self).__name__}: k must be None or an int class index, "
                            f"got {describe(k)}")
        self.k = None if k is None else int(k)

    def params(self, output_shape, input_shape):
        n_classes = _classifier_shape(self, output_shape)
        return (int(check_targets(self.k, 1, n_classes)[0]),)

    @classmethod
    def resolve(cls, outputs, params):
        return resolve_targets(outputs, params[:, 0])[:, None]

    @classmethod
    def value(cls, outputs, params):
        return target_logit(outputs, params[:, 0])

    @classmethod
    def probability(cls, outputs, params, final_activation):
        return target_probability(outputs, params[:, 0], final_activation)


class LogSoftmax(ClassLogit):
    r"""The logit gap of class ``k``: :math:`z_k - \log \sum_j e^{z_j} = \log p_k`.

    Its gradient, :math:`\nabla z_k - \sum_j p_j \nabla z_j`, explains what sets
    class k apart from the others (a feature shared by all classes cancels), where
    :class:`ClassLogit` explains what raises :math:`z_k` alone. For a single sigmoid
    logit z it is :math:`\log \sigma(\pm z)`. ``probability``: :math:`p_k`.

    Parameters
    ----------
    k : int or None
        As :class:`ClassLogit`.
    """

    @classmethod
    def value(cls, outputs, params):
        if outputs.shape[-1] == 1:
            return tf.math.log_sigmoid(target_logit(outputs, params[:, 0]))
        return target_logit(tf.nn.log_softmax(outputs, axis=-1), params[:, 0])

    @classmethod
    def probability(cls, outputs, params, final_activation):
        return tf.exp(cls.value(outputs, params))


class DetectionCell(Score):
    r"""One detection's score in a dense detector: ``outputs[n, row, col, channel]``.

    For :class:`helpers.models.CenterNet` the first ``n_classes`` channels are the
    class heatmaps' logits (the score that an object of that class is centred in the
    cell). ``probability``: its sigmoid (CenterNet's detection score).

    Parameters
    ----------
    row, col : int
        Output cell, ``0 <= row < h``, ``0 <= col < w``.
    channel : int
        ``0 <= channel < L``.
    """

    n_params = 3

    def __init__(self, row, col, channel):
        for name, v in (("row", row), ("col", col), ("channel", channel)):
            if not is_int(v):
                raise TypeError(f"{type(self).__name__}: {name} must be an int, got "
                                f"{describe(v)}")
        self.row, self.col, self.channel = int(row), int(col), int(channel)

    @staticmethod
    def _grid(score, output_shape):
        if len(output_shape) != 4:
            raise ValueError(
                f"{type(score).__name__} explains one cell of a dense detector's maps and needs "
                f"an output (N, h, w, L); the model outputs {output_shape} (a classifier: use "
                "ClassLogit(k) or an int)")
        return [int(d) for d in output_shape[1:]]

    def params(self, output_shape, input_shape):
        h, w, n = self._grid(self, output_shape)
        check_int(self.row, "DetectionCell row", low=0, high=h - 1)
        check_int(self.col, "DetectionCell col", low=0, high=w - 1)
        check_int(self.channel, "DetectionCell channel", low=0, high=n - 1)
        return self.row, self.col, self.channel

    @classmethod
    def value(cls, outputs, params):
        n = tf.range(tf.shape(outputs)[0], dtype=params.dtype)[:, None]
        return tf.gather_nd(outputs, tf.concat([n, params], axis=1))

    @classmethod
    def probability(cls, outputs, params, final_activation):
        return tf.sigmoid(cls.value(outputs, params))


DetectionCell.family = DetectionCell


class DetectionBox(DetectionCell):
    """A detection's score given by its box: :class:`DetectionCell` at the output cell
    that holds the box's centre (``row = floor(cy * h / H)``, ``col = floor(cx * w / W)``).

    Parameters
    ----------
    box : 4 floats
        ``(x1, y1, x2, y2)`` in input pixels; the centre must lie inside the image.
    channel : int
        The class channel, ``0 <= channel < L``.
    """

    def __init__(self, box, channel):
        b = check_array(box, "DetectionBox box", ndim=1, shape_hint="(x1, y1, x2, y2)")
        if b.shape != (4,):
            raise ValueError(f"DetectionBox box must be 4 numbers (x1, y1, x2, y2), got "
                             f"shape {b.shape}")
        if not (b[2] >= b[0] and b[3] >= b[1]):
            raise ValueError(f"DetectionBox box must have x2 >= x1 and y2 >= y1, got "
                             f"{tuple(float(v) for v in b)}")
        if not is_int(channel):
            raise TypeError(f"DetectionBox: channel must be an int, got {describe(channel)}")
        self.box, self.channel = tuple(float(v) for v in b), int(channel)

    def params(self, output_shape, input_shape):
        h, w, n = self._grid(self, output_shape)
        height, width = input_shape[0], input_shape[1]
        cx, cy = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        if not (0 <= cx < width and 0 <= cy < height):
            raise ValueError(f"DetectionBox box {self.box} has its centre ({cx}, {cy}) outside "
                             f"the {height}x{width} image")
        check_int(self.channel, "DetectionBox channel", low=0, high=n - 1)
        return int(cy * h // height), int(cx * w // width), self.channel


class ScoreBatch:
    """Checked scores for N images: one family, int32 parameters ``(N, P)``.

    Attributes
    ----------
    family : type
        The :class:`Score` subclass that computes them.
    params : np.ndarray, int32, ``(N, P)``
    """

    def __init__(self, family, params: np.ndarray):
        self.family, self.params = family, params

    def __len__(self) -> int:
        return len(self.params)


def check_scores(targets, n_images: int, output_shape: tuple, input_shape: tuple) -> ScoreBatch:
    """``targets`` as a :class:`ScoreBatch`.

    Parameters
    ----------
    targets : None, int, int array ``(N,)``, a :class:`Score` or a list of N of them
        None / ints: :class:`ClassLogit` (the predicted class for None).
    n_images : int
    output_shape, input_shape : tuple
        The model's output shape (batch axis included) and input shape ``(H, W, C)``.
    """
    if isinstance(targets, Score):
        scores = [targets] * n_images
    elif isinstance(targets, (list, tuple)) and any(isinstance(t, Score) for t in targets):
        scores = list(targets)
        if not all(isinstance(t, Score) for t in scores):
            raise TypeError("targets must be all score objects or all ints, got a mix of "
                            f"{sorted({type(t).__name__ for t in scores})}")
        if len(scores) != n_images:
            raise ValueError(f"got {len(scores)} targets for {n_images} image(s); give one "
                             "score per image, or one score object for all")
    else:
        if len(output_shape) != 2:
            _classifier_shape(ClassLogit(), output_shape)
        t = check_targets(targets, n_images, int(output_shape[-1]))
        return ScoreBatch(ClassLogit, t[:, None].astype(np.int32))
    families = {_family(s) for s in scores}
    if len(families) > 1:
        raise TypeError(
            "targets must be scores of one family per call, got "
            + ", ".join(sorted(f.__name__ for f in families)) + "; explain them in separate calls")
    params = np.array([s.params(output_shape, input_shape) for s in scores], np.int32)
    return ScoreBatch(families.pop(), params.reshape(n_images, -1))


def _family(score: Score) -> type:
    return score.family if score.family is not None else type(score)


class BoundScore:
    """A score family with its parameters for a batch, as the methods use it.

    Parameters
    ----------
    family : type
        A :class:`Score` subclass.
    params : int32 ``(N, P)`` (tf.Tensor or np.ndarray), already resolved
    final_activation : str
        ``"softmax"``, ``"sigmoid"`` or ``"linear"``: what the logits net bypassed.
    """

    def __init__(self, family, params, final_activation: str):
        self.family, self.params, self.final_activation = family, params, final_activation

    def value(self, outputs):
        """``(N,)``: the explained number of each image from ``outputs`` (logit units)."""
        return self.family.value(outputs, self.params)

    def probability(self, outputs):
        """``(N,)``: the score as a probability."""
        return self.family.probability(outputs, self.params, self.final_activation)

    def take(self, index) -> "BoundScore":
        """The scores of images ``index`` (e.g. one per (image, channel) pair)."""
        return BoundScore(self.family, tf.gather(self.params, index), self.final_activation)
