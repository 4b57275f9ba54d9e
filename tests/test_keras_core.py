"""helpers._keras: the one model core, and its use of Keras' private API pinned to the
Keras versions the course supports."""
from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
import pytest

import helpers._keras as core
from helpers._keras import graph

ROOT = Path(__file__).resolve().parents[1]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:2])


def test_supported_range_is_the_requirements_range_and_holds_the_installed_keras():
    requirement = re.search(r"^keras>=([\d.]+)", (ROOT / "requirements.txt").read_text(), re.M)
    assert requirement, "requirements.txt must give keras a lower bound"
    low, high = core.SUPPORTED_KERAS
    assert _version(requirement.group(1)) == _version(low)
    assert _version(low) <= _version(keras.__version__) < _version(high), (
        f"Keras {keras.__version__} is outside the range {core.SUPPORTED_KERAS} whose private "
        "API helpers._keras.graph uses: check it and widen SUPPORTED_KERAS")


def test_the_private_attributes_exist_in_the_installed_keras():
    inputs = keras.Input((8, 8, 3))
    dense = keras.layers.Dense(2, name="d")
    model = keras.Model(inputs, dense(keras.layers.Flatten()(inputs)))
    # KerasTensor._keras_history.operation: the layer that made a symbolic tensor
    assert hasattr(model.outputs[0], "_keras_history")
    assert model.outputs[0]._keras_history.operation is dense
    assert graph.output_operation(model) is dense
    # Functional._run_through_graph(inputs, operation_fn=...)
    assert callable(getattr(model, "_run_through_graph", None))
    seen = []

    def operation_fn(op):
        seen.append(op.name)
        return op

    x = np.ones((1, 8, 8, 3), np.float32)
    out = graph.run_graph(model, x, operation_fn)
    np.testing.assert_allclose(np.asarray(out), np.asarray(model(x)), rtol=1e-6)
    assert seen[-1] == "d"
    assert [name for _, name in core.PRIVATE_API] == ["_keras_history", "_run_through_graph"]


def test_no_other_module_touches_keras_private_api():
    pattern = re.compile(r"\._keras_history|\._run_through_graph")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "helpers").rglob("*.py")
                 if p.name != "graph.py" and pattern.search(p.read_text())]
    assert offenders == []


def test_one_model_check():
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        core.check_model("model")
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="not built yet"):
        core.check_model(unbuilt)
    assert core.check_model(unbuilt, built=False) is unbuilt
    inputs = keras.Input((4,))
    two = keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])
    with pytest.raises(ValueError, match="1 inputs and 2 outputs; fit need"):
        core.check_model(two, purpose="fit")
    assert core.check_model(two, single=False) is two


def test_batch_default_is_defined_once():
    from helpers.explain import cam_base

    assert core.BATCH_SIZE == 64 and cam_base.DEFAULT_BATCH_SIZE is core.BATCH_SIZE
    definitions = [str(p.relative_to(ROOT)) for p in (ROOT / "helpers").rglob("*.py")
                   if re.search(r"^\s*[A-Z_]*BATCH[A-Z_]* = 64\b", p.read_text(), re.M)]
    assert definitions == ["helpers/_keras/checks.py"]
    assert core.check_batch_size(None) == 64 and core.check_batch_size(3) == 3
    with pytest.raises(ValueError, match="batch_size"):
        core.check_batch_size(0)


def test_explaining_many_models_gives_no_retracing_warning(caplog):
    """Each model gets its own compiled functions; TensorFlow counts traces per code
    object, so without helpers._keras.compiled_function it took them for one function
    retraced over and over and printed a long warning (Chapter 8 showed two)."""
    import logging

    import helpers

    x = np.random.default_rng(0).random((2, 16, 16, 3)).astype("float32")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for _ in range(7):
            model = helpers.models.gap_cnn((16, 16, 3), n_classes=2, widths=(4,))
            helpers.explain.gradcam(model, x)
            helpers.explain.saliency(model, x)
            helpers.explain.scorecam(model, x)
    retracing = [r.getMessage()[:80] for r in caplog.records if "retracing" in r.getMessage()]
    assert retracing == []
