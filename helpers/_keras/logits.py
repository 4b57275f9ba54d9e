"""One forward pass that returns a layer's feature maps *and* the logits.

Explanations differentiate (or score) the target's **logit**, the number before the
final softmax/sigmoid: a saturated softmax has gradients near zero, and a probability
mixes in every other class. Readers' models often end in a softmax or sigmoid
(a separate ``Activation``/``Softmax`` layer, or ``activation=`` on the last Dense);
:class:`LogitsNet` runs the user's model layer by layer, reusing its layers and
variables, and

* skips the final activation (a final Dense with ``activation="softmax"`` is run
  as ``x @ kernel + bias`` with the same variables),
* picks up the output of the chosen layer on the way, even inside a nested model
  (a ``keras.applications`` base inside a bigger model),
* calls every layer with ``training=False`` (dropout off, BatchNorm frozen).

Nothing of the user's model is modified: no clone, no weight copy, no attribute set,
so its predictions are unchanged and later training is seen by the next explanation.

The net is built once per (model, layer) and cached (weakly: dropping the model frees
it), together with the compiled functions that use it (:func:`cached`).
"""
from __future__ import annotations

import weakref

import keras
import numpy as np
import tensorflow as tf

from .checks import check_model, model_input_shape, model_output_shape
from .graph import compiled_function, output_operation, run_graph

_CACHE: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


DIVERGED = (
    "the model's outputs are not finite; did training diverge? (NaN or infinite weights "
    "give NaN logits: check np.isfinite on model.get_weights(), then retrain with a lower "
    "learning rate or from the last good checkpoint)"
)


def check_finite_logits(finite) -> None:
    """Raise ``ValueError(DIVERGED)`` unless ``finite`` (a bool, or an array of logits) is
    all-finite: explanations of a diverged model would be NaN maps, never returned."""
    ok = bool(finite) if isinstance(finite, (bool, np.bool_)) else bool(
        np.isfinite(np.asarray(finite)).all())
    if not ok:
        raise ValueError(DIVERGED)


def check_finite_weights(model: keras.Model) -> None:
    """Raise a ValueError naming the first NaN or infinite weight of ``model``.

    A NaN weight need not make the outputs NaN (a ReLU turns NaN into 0 in TensorFlow),
    so the outputs' check (:func:`check_finite_logits`) is not enough: explanations of
    such a model would be all-zero maps that look like an answer. Costs one reduction
    per variable (about 50 ms for VGG16's 138 M weights on a CPU).
    """
    for w in model.weights:
        if w.dtype in ("float16", "float32", "float64", "bfloat16") and not bool(
                tf.reduce_all(tf.math.is_finite(w.value if hasattr(w, "value") else w))):
            raise ValueError(
                f"model {model.name!r} has NaN or infinite weights (e.g. {w.path!r}), so "
                "the model's outputs are not finite; did training diverge? (its "
                "explanations would mean nothing: retrain with a lower learning rate or from "
                "the last good checkpoint)")


def cached(model: keras.Model, key, build):
    """``build()`` once per ``(model, key)``; the cache entry dies with the model."""
    per_model = _CACHE.setdefault(model, {})
    if key not in per_model:
        per_model[key] = build()
    return per_model[key]


# --------------------------------------------------------------------------- graph walking
def _layers_of(model: keras.Model) -> list:
    return [lay for lay in model.layers if not isinstance(lay, keras.layers.InputLayer)]


def _is_sequential(model) -> bool:
    return isinstance(model, keras.Sequential)


PROBABILITY_ACTIVATIONS = ("softmax", "sigmoid")
"""Final activations that turn logits into probabilities (what explanations bypass)."""


def activation_name(fn) -> str | None:
    """The name of a Keras activation function (``"relu"``), None for None."""
    return getattr(fn, "__name__", None) if fn is not None else None


def final_activation(op) -> tuple[str, str | None]:
    """What the operation ``op`` applies last, and how to get the logits before it.

    Parameters
    ----------
    op : keras.layers.Layer, keras.Model or keras Operation
        Usually :func:`output_operation` of a model.

    Returns
    -------
    kind : str
        ``"softmax"``, ``"sigmoid"``, ``"linear"`` (nothing: logits), or the name of
        another activation (``"tanh"``, ``"relu"``, ...).
    how : str or None
        How to bypass a softmax/sigmoid: ``"identity"`` (a separate ``Softmax`` or
        ``Activation`` layer, or ``keras.ops.softmax``/``sigmoid`` in a functional
        graph: skip it), ``"dense"`` (a ``Dense`` with ``activation=``: run it without
        its activation), ``"nested"`` (``op`` is a model: look inside), ``"inside"``
        (another layer type applies it internally: cannot be bypassed) or None
        (nothing to bypass). A final ``Lambda`` layer is probed
        (:func:`lambda_activation`).
    """
    if isinstance(op, keras.layers.Softmax):
        return "softmax", "identity"
    if isinstance(op, keras.layers.Activation):
        name = activation_name(op.activation)
        return name, ("identity" if name in PROBABILITY_ACTIVATIONS else None)
    if isinstance(op, keras.layers.Lambda):
        return lambda_activation(op)
    if isinstance(op, keras.Model):
        kind, how = final_activation(output_operation(op))
        return kind, ("nested" if how in ("identity", "dense", "nested") else how)
    if not isinstance(op, keras.layers.Layer):  # keras.ops.softmax / sigmoid in a functional graph
        name = type(op).__name__.lower()
        return (name, "identity") if name in PROBABILITY_ACTIVATIONS else ("linear", None)
    name = activation_name(getattr(op, "activation", None))
    if name in PROBABILITY_ACTIVATIONS:
        return name, ("dense" if isinstance(op, keras.layers.Dense) else "inside")
    if name is None or name == "linear":
        return "linear", None
    return name, None


_LAMBDA_KINDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def lambda_activation(layer: keras.layers.Lambda) -> tuple[str, str | None]:
    """What a ``Lambda`` layer at the end of a model does, found by probing it.

    Its function is run (once, cached per layer) on 4 rows of standard-normal values
    times 4, shaped as its input. Exactly a softmax (or a sigmoid) of its input, to
    1e-6: ``("softmax", "identity")`` (``("sigmoid", "identity")``), bypassed like a
    ``Softmax`` layer. Other outputs all in [0, 1]: ``("lambda", "inside")``,
    probabilities that cannot be turned back into logits (refused by the explanations
    and by :func:`output_activation`). Anything else: ``("linear", None)``, read as
    logits. A function that cannot be probed: ``("lambda", "inside")``.
    """
    if layer in _LAMBDA_KINDS:
        return _LAMBDA_KINDS[layer]
    kind = ("lambda", "inside")
    try:
        shape = tuple(layer.input.shape)[1:]
        if shape and all(d is not None for d in shape):
            with tf.init_scope():
                x = 4.0 * np.random.default_rng(0).standard_normal((4, *shape)).astype(
                    np.float32)
                y = np.asarray(keras.ops.convert_to_numpy(layer(x)), np.float64)
            if y.shape == x.shape:
                soft = np.exp(x - x.max(axis=-1, keepdims=True))
                soft /= soft.sum(axis=-1, keepdims=True)
                if np.allclose(y, soft, rtol=0, atol=1e-6):
                    kind = ("softmax", "identity")
                elif np.allclose(y, 1 / (1 + np.exp(-x.astype(np.float64))), rtol=0, atol=1e-6):
                    kind = ("sigmoid", "identity")
            if kind[0] == "lambda" and not (np.isfinite(y).all() and y.min() >= 0
                                            and y.max() <= 1):
                kind = ("linear", None)
    except Exception:  # noqa: BLE001 - any failure of the user's function: cannot tell
        kind = ("lambda", "inside")
    _LAMBDA_KINDS[layer] = kind
    return kind


def output_activation(model: keras.Model) -> str:
    """The model's final activation: ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (logits).

    The one answer for all of ``helpers`` (the loss :func:`helpers.training.fit` picks,
    the logits the explanations use): see :func:`final_activation` for what is
    recognised (a separate ``Softmax``/``Activation`` layer, the ``activation`` of the
    final layer, ``keras.ops.softmax``/``sigmoid`` in a functional graph, a nested model).

    Raises
    ------
    ValueError
        If the model ends in another activation (e.g. tanh): neither logits nor
        probabilities.
    """
    check_model(model, single=False)
    kind = final_activation(output_operation(model))[0]
    if kind in PROBABILITY_ACTIVATIONS + ("linear",):
        return kind
    if kind == "lambda":
        raise ValueError(
            f"model {model.name!r} ends in a Lambda layer whose outputs look like "
            "probabilities but are not exactly a softmax or sigmoid of its inputs; use "
            "keras.layers.Softmax() or Activation('sigmoid') as the output layer")
    raise ValueError(
        f"model {model.name!r} ends in a {kind!r} activation; expected softmax, sigmoid or "
        "none (logits)"
    )


def logits_activation(op) -> tuple[str, str | None]:
    """:func:`final_activation` reduced to ``"softmax"``, ``"sigmoid"`` or ``"linear"``,
    refusing what cannot be bypassed (a ``ValueError`` that says how to rebuild)."""
    kind, how = final_activation(op)
    last = op
    while isinstance(last, keras.Model):
        last = output_operation(last)
    if how == "inside" and kind == "lambda":
        raise ValueError(
            f"the model's last layer {last.name!r} is a Lambda layer whose outputs look like "
            "probabilities (all in [0, 1]) but are not exactly a softmax or sigmoid of its "
            "inputs (or it could not be probed); the explanations need the logits before "
            "it. Rebuild the model with keras.layers.Softmax() or "
            "keras.layers.Activation('sigmoid') as its output layer.")
    if how == "inside":
        raise ValueError(
            f"the model's last layer {last.name!r} ({type(last).__name__}) applies a {kind} "
            "itself; only a final Dense (or a separate Activation/Softmax layer) can be "
            "bypassed to get logits. Rebuild the model with a separate "
            "keras.layers.Activation for the output."
        )
    return (kind if kind in PROBABILITY_ACTIVATIONS else "linear"), how


def _dense_without_activation(layer: keras.layers.Dense, x):
    """``x @ kernel + bias`` with the layer's own variables (its activation skipped)."""
    x = tf.cast(x, layer.compute_dtype)
    y = tf.matmul(x, tf.cast(layer.kernel, layer.compute_dtype))
    if layer.use_bias:
        y = y + tf.cast(layer.bias, layer.compute_dtype)
    return y


@tf.custom_gradient
def _guided(y):
    r"""Identity forward; backward keeps only positive gradients (guided backpropagation).

    Placed right after an op that ends in a ReLU: the ReLU's own backward pass already
    multiplies by :math:`[z > 0]`, so together the gradient reaching the ReLU's input is
    :math:`[z > 0]\,\mathrm{ReLU}(g)`: Springenberg et al.'s rule, applied only inside
    this pass (the user's layers are untouched).
    """
    return tf.identity(y), lambda g: tf.nn.relu(g)


def _ends_in_relu(op) -> bool:
    """Whether ``op``'s output is a plain ReLU of something (its gradient gate is [z > 0])."""
    if isinstance(op, keras.layers.ReLU):
        cfg = op.get_config()
        return (cfg.get("max_value") is None and not cfg.get("negative_slope")
                and not cfg.get("threshold"))
    if isinstance(op, keras.Model):
        return False
    if not isinstance(op, keras.layers.Layer):
        return type(op).__name__.lower() == "relu"  # keras.ops.relu in a functional graph
    return activation_name(getattr(op, "activation", None)) == "relu"


def _contains(model: keras.Model, layer) -> bool:
    for lay in model.layers:
        if lay is layer or (isinstance(lay, keras.Model) and _contains(lay, layer)):
            return True
    return False


class _Run:
    """One pass through a (possibly nested) model, collecting one layer's output."""

    def __init__(self, target_layer, edit=None, guided: bool = False):
        self.target = target_layer
        self.captured = None
        self.edit = edit
        self.guided = guided

    def model(self, model: keras.Model, x, bypass_output: bool):
        if _is_sequential(model):
            layers = _layers_of(model)
            for i, lay in enumerate(layers):
                x = self.op(lay, (x,), {}, bypass_output and i == len(layers) - 1)
            return x
        out_op = output_operation(model)

        def operation_fn(op):
            return lambda *args, **kwargs: self.op(op, args, kwargs, bypass_output and op is out_op)

        return run_graph(model, x, operation_fn)

    def op(self, op, args, kwargs, bypass: bool):
        how = logits_activation(op)[1] if bypass else None
        if how == "identity":
            y = args[0]
        elif how == "dense":
            y = _dense_without_activation(op, args[0])
        elif isinstance(op, keras.Model) and (how == "nested" or (
                self.target is not None and _contains(op, self.target))):
            y = self.model(op, args[0], bypass_output=how == "nested")
        elif isinstance(op, keras.layers.Layer):
            y = op(*args, **{**kwargs, "training": False})
        else:
            y = op(*args, **kwargs)
        if self.guided and _ends_in_relu(op):
            y = _guided(y)
        if op is self.target:
            # Hand the float32 maps on downstream, so that gradients taken with respect
            # to them flow (under mixed precision the layer outputs float16; the round
            # trip float16 -> float32 -> float16 is exact).
            self.captured = tf.cast(y, tf.float32)
            if self.edit is not None:  # e.g. Ablation-CAM zeroing one channel per image
                y = tf.cast(self.edit(self.captured), y.dtype)
            else:
                y = tf.cast(self.captured, y.dtype)
        return y


class LogitsNet:
    """``x -> (feature maps of `layer`, logits)`` for a user's model, softmax/sigmoid bypassed.

    Parameters
    ----------
    model : keras.Model
        Functional or Sequential, possibly with nested models; one input, one output.
    layer : keras.layers.Layer or None
        The layer whose output to return with the logits (None: logits only).

    Attributes
    ----------
    final_activation : str
        ``"softmax"``, ``"sigmoid"`` or ``"linear"`` (the model already outputs logits):
        what was bypassed. Score-CAM and occlusion use it to turn logits back into
        probabilities.
    n_logits : int
        Number of logits (1 for a single sigmoid output).
    guided : bool
        Guided backpropagation: gradients through every ReLU (layer activations,
        ``ReLU``/``Activation("relu")`` layers, ``keras.ops.relu``) keep only their
        positive part (see :func:`_guided`). The forward values are unchanged.
    """

    def __init__(self, model: keras.Model, layer=None, guided: bool = False):
        self._model = weakref.ref(model)
        self.layer = layer
        self.guided = guided
        self.model_name = model.name
        self.final_activation = logits_activation(output_operation(model))[0]
        self.output_shape = model_output_shape(model)
        self.n_logits = int(self.output_shape[-1])

    # Plain Python graph walking: traced as is inside the compiled passes, never rewritten
    # by autograph (which turns Python conditionals on layers into graph conditionals and
    # fails on some models).
    @tf.autograph.experimental.do_not_convert
    def __call__(self, x, edit=None):
        """Run the model on ``x``.

        Parameters
        ----------
        x : tf.Tensor, float32, ``(N, H, W, C)``
        edit : callable, optional
            ``(N, h, w, K) float32 -> (N, h, w, K)``: replaces the layer's maps by
            ``edit(maps)`` for the rest of the pass (the returned activations are the
            unedited ones). Ablation-CAM uses it to zero one channel per image.

        Returns
        -------
        activations : tf.Tensor, float32, ``(N, h, w, K)``
            Only when the net was built with a layer.
        logits : tf.Tensor, float32, ``(N, n_logits)``
        """
        model = self._model()
        if model is None:
            raise RuntimeError(f"model {self.model_name!r} no longer exists")
        run = _Run(self.layer, edit=edit, guided=self.guided)
        logits = tf.cast(run.model(model, x, bypass_output=True), tf.float32)
        if self.layer is None:
            return logits
        if run.captured is None:
            raise ValueError(
                f"layer {self.layer.name!r} was not reached when running model {self.model_name!r}"
            )
        return run.captured, logits


def logits_net(model: keras.Model, layer=None, guided: bool = False) -> LogitsNet:
    """The cached :class:`LogitsNet` for ``(model, layer, guided)``."""
    return cached(model, ("logits_net", id(layer), guided),
                  lambda: LogitsNet(model, layer, guided))


def compiled_logits(model: keras.Model):
    """Compiled ``images (N, H, W, C) float32 -> logits (N, L) float32``, cached per model."""
    def build():
        h, w, c = model_input_shape(model)
        return compiled_function(logits_net(model, None).__call__, reduce_retracing=True,
                                 input_signature=[tf.TensorSpec((None, h, w, c), tf.float32)])

    return cached(model, "compiled_logits", build)


# --------------------------------------------------------------------------- targets and scores
def resolve_targets(logits, targets):
    """Replace the "predicted" sentinel (-1) by the predicted class.

    Parameters
    ----------
    logits : tf.Tensor, float32, ``(N, L)``
    targets : tf.Tensor, int32, ``(N,)``, -1 meaning "predicted"

    Returns
    -------
    tf.Tensor, int32, ``(N,)``
        For a single logit (L = 1) the predicted class is 1 when the logit is > 0.
    """
    if logits.shape[-1] == 1:
        predicted = tf.cast(logits[:, 0] > 0, tf.int32)
    else:
        predicted = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return tf.where(targets < 0, predicted, targets)


def target_logit(logits, targets):
    """The logit each explanation is about, ``(N,)`` float32.

    Multi-class: ``logits[n, targets[n]]``. A single sigmoid logit z explains class 1
    as z and class 0 as -z (since sigmoid(-z) = 1 - sigmoid(z) is class 0's probability).
    """
    if logits.shape[-1] == 1:
        sign = tf.cast(2 * targets - 1, logits.dtype)
        return sign * logits[:, 0]
    return tf.gather(logits, targets, axis=1, batch_dims=1)


def target_probability(logits, targets, final_activation: str):
    """The probability of each target, ``(N,)`` float32.

    One logit: sigmoid(+-z). Several logits: softmax over them, unless the model ends
    in a sigmoid (multi-label), then the sigmoid of the target's logit.
    """
    if logits.shape[-1] == 1 or final_activation == "sigmoid":
        return tf.sigmoid(target_logit(logits, targets))
    return tf.gather(tf.nn.softmax(logits, axis=-1), targets, axis=1, batch_dims=1)
