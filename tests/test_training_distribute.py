"""fit under tf.distribute (two logical CPU devices) and resuming from checkpoints."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.training import fit, strategy

ROOT = Path(__file__).resolve().parents[1]


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 8, 8, 1), dtype=np.float32)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype(np.int64)
    return x, y


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(4, 3, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.ReLU(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2),
    ])


# The logical devices must be declared before TensorFlow initialises its devices,
# which this pytest process has already done: the distributed run is a subprocess.
_DISTRIBUTED = textwrap.dedent("""
    import json, numpy as np, tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    from helpers.batchnorm import batchnorm_layers
    from helpers.training import fit
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(devices)
    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1), dtype=np.float32)
    y = (x[:, :4].mean(axis=(1, 2, 3)) > x[:, 4:].mean(axis=(1, 2, 3))).astype(np.int64)
    with strategy.scope():
        model = keras.Sequential([
            keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, padding="same"),
            keras.layers.BatchNormalization(), keras.layers.ReLU(),
            keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    bn = batchnorm_layers(model)[0]
    history = fit(model, (x, y), (x, y), epochs=2, batch_size=16, progress=False,
                  strategy=strategy)
    replicas = [np.asarray(v) for v in bn.moving_mean.value.values]
    print(json.dumps({
        "replicas": strategy.num_replicas_in_sync,
        "kind": type(model.weights[0].value).__name__,
        "epochs": len(history.history["loss"]),
        "loss": history.history["loss"],
        "steps": int(model.optimizer.iterations.numpy()),
        "moving_mean_moved": float(np.abs(replicas[0]).max()),
        "replicas_agree": float(np.abs(replicas[0] - replicas[1]).max()),
    }))
""")


def test_fit_runs_under_mirrored_strategy_on_two_logical_devices():
    import json

    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3",
               CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", _DISTRIBUTED], capture_output=True,
                          text=True, env=env, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["replicas"] == 2
    assert result["kind"] == "MirroredVariable"
    assert result["epochs"] == 2
    assert all(np.isfinite(result["loss"]))
    # 64 images, global batch 16 -> 4 steps per epoch (each split over 2 replicas)
    assert result["steps"] == 8
    # PreciseBatchNorm wrote real statistics, the same on both replicas
    assert result["moving_mean_moved"] > 1e-3
    assert result["replicas_agree"] < 1e-6


def test_strategy_is_the_default_one_without_several_gpus():
    picked = strategy()
    assert isinstance(picked, tf.distribute.Strategy)
    assert picked.num_replicas_in_sync == 1
    assert not isinstance(picked, tf.distribute.MirroredStrategy)


def test_fit_refuses_a_model_built_outside_the_strategy_scope():
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0"])
    with pytest.raises(ValueError, match="strategy.*not built under this strategy.*scope"):
        fit(_model(), _data(), epochs=1, strategy=mirrored, progress=False)


def test_fit_refuses_a_strategy_of_the_wrong_type():
    with pytest.raises(TypeError, match="strategy must be None or a tf.distribute.Strategy"):
        fit(_model(), _data(), epochs=1, strategy="mirrored", progress=False)


@pytest.mark.parametrize("bad, error", [("", ValueError), (3, TypeError)])
def test_fit_refuses_a_bad_checkpoint_dir(bad, error):
    with pytest.raises(error, match="checkpoint_dir"):
        fit(_model(), _data(), epochs=1, checkpoint_dir=bad, progress=False)


class _Disconnect(keras.callbacks.Callback):
    """Stops training when epoch ``at`` begins, as a dropped Colab session would."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt("disconnected")


def test_fit_resumes_from_the_last_finished_epoch(tmp_path):
    x, y = _data()
    folder = tmp_path / "checkpoints"
    model = _model()
    with pytest.raises(KeyboardInterrupt):
        fit(model, (x, y), epochs=3, batch_size=16, checkpoint_dir=folder,
            callbacks=[_Disconnect(at=1)], progress=False)
    assert (folder / "latest.weights.h5").is_file()
    saved = [np.asarray(w).copy() for w in model.weights]

    # a new session: a fresh model object, same architecture, same call
    again = _model()
    seen = []

    class Epochs(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if not seen:  # the backup is restored before the first epoch begins
                seen.append([np.asarray(w).copy() for w in self.model.weights])
            seen.append(epoch)

    history = fit(again, (x, y), epochs=3, batch_size=16, checkpoint_dir=folder,
                  callbacks=[Epochs()], progress=False)
    assert seen[1:] == [1, 2]  # epoch 0 was not run again
    assert len(history.history["loss"]) == 2
    for restored, before in zip(seen[0], saved):
        np.testing.assert_array_equal(restored, before)
    # the optimizer state came back too: 1 epoch before + 2 now, 4 steps each
    assert int(again.optimizer.iterations.numpy()) == 12
    assert not folder.exists()  # removed once training completed

