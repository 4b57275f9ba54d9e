"""Side-by-side speed and memory of helpers.explain, tf-keras-vis and the bare forward passes.

Cases (the DESIGN.md "Speed" targets):

* ``gradcam``: Grad-CAM on a batch of 64 images, seed 001's VGG-like net at 64x64.
* ``scorecam-seed001``: Score-CAM on seed 001's net (vgg_like((64, 64, 3), 10)), 8 images,
  its last conv layer (64 channels); plus Faster Score-CAM (``max_channels=16``).
* ``scorecam-vgg16``: Score-CAM on keras.applications.VGG16(weights=None), 224x224,
  1 image, block5_conv3 (512 channels).
* ``ablationcam``: Ablation-CAM on seed 001's net, 8 images at 64x64, its last conv layer,
  against its floor: the bare compiled forward passes of the model over the same number
  of inputs (one per image and non-zero channel, in helpers' chunks; the inputs are
  gathered beforehand and not timed). Ablation-CAM runs the whole model per pair with
  one channel zeroed, so it cannot do less.
* ``gradient-methods``: every compiled gradient method on seed 001's net, a batch of 64
  images at 64x64, against Grad-CAM on the same batch (CAM variants) or against
  saliency (the input-gradient methods; Integrated Gradients with ``n_steps`` points
  against ``n_steps`` saliency passes).

Contenders:

* ``helpers``: helpers.explain with its defaults;
* ``tf-keras-vis``: tf_keras_vis.gradcam.Gradcam / tf_keras_vis.scorecam.Scorecam;
* ``floor`` (Score-CAM only): the bare compiled forward passes over the same masked
  images, one per (image, non-constant channel), in chunks of helpers' batch size; the
  masked images are prepared beforehand and not timed. Exact Score-CAM cannot do less.

Time: all contenders run in this one process on the same model and images, after one
untimed warm-up call each (tracing, oneDNN primitive creation), interleaved
(floor, helpers, tf-keras-vis, floor, helpers, ...) ``--repeats`` times; the median is
reported. The machine may be shared: interleaving makes the ratios fair even when the
absolute times drift.

Peak memory: each contender runs once more in a fresh subprocess (``--child``) that
builds the model and images, reads its resident set size (VmRSS in /proc/self/status),
resets the high-water mark (writing "5" to /proc/self/clear_refs), runs the contender
once (tracing included), and reports VmHWM - baseline: the extra resident memory the
contender needed at its peak. Before the baseline, ``malloc_trim(0)`` returns to the OS
the memory freed while the model was built, which a contender could otherwise reuse
without it showing, and the child runs with ``TF_ENABLE_ONEDNN_OPTS=0``: oneDNN's CPU
allocator keeps a pool (about 1.3 GB after building VGG16) that TensorFlow tensors reuse
unseen while numpy arrays cannot, which would flatter the TensorFlow-side contenders.
Nothing runs the model in the child before the baseline (the targets come from the
parent process).

Usage::

    python benchmarks/bench_explain.py                 # all cases (VGG16 takes minutes)
    python benchmarks/bench_explain.py --cases gradcam scorecam-seed001 --repeats 5
    python benchmarks/bench_explain.py --no-memory
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = ("gradcam", "scorecam-seed001", "scorecam-vgg16", "ablationcam", "gradient-methods")
IG_STEPS = 8


# --------------------------------------------------------------------------- setups
def _quiet():
    import warnings

    import absl.logging
    import keras

    absl.logging.set_verbosity(absl.logging.ERROR)
    warnings.filterwarnings("ignore")
    keras.config.disable_interactive_logging()  # tf-keras-vis calls model.predict with a progress bar


def build(case: str):
    """The case's model, images (float32) and layer name; no forward pass yet."""
    _quiet()
    import keras
    import numpy as np

    from helpers import models

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    if case in ("gradcam", "gradient-methods"):
        model = models.vgg_like((64, 64, 3), 10)
        images = rng.random((64, 64, 64, 3), dtype=np.float32)
    elif case == "ablationcam":
        model = models.vgg_like((64, 64, 3), 10)
        images = rng.random((8, 64, 64, 3), dtype=np.float32)
    elif case == "scorecam-seed001":
        model = models.vgg_like((64, 64, 3), 10)
        images = rng.random((8, 64, 64, 3), dtype=np.float32)
    elif case == "scorecam-vgg16":
        model = keras.applications.VGG16(weights=None)  # flat, 224x224, 1000 classes, softmax
        images = rng.random((1, 224, 224, 3), dtype=np.float32) * 255.0
    else:
        raise ValueError(case)
    return model, images, models.last_conv_layer(model).name


def setup(case: str, targets=None) -> dict:
    """Model, images, layer and the contenders (callables) for one case.

    With ``targets`` given (the memory children) nothing runs the model here, so the
    baseline taken afterwards holds no activation memory of an earlier pass.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import explain
    from helpers._keras import compiled_logits
    from helpers.explain.scorecam import ScoreCAM, default_batch_size, select_channels

    model, images, layer = build(case)
    if targets is None:
        targets = model.predict(images, verbose=0).argmax(axis=1).tolist()
    if case in ("ablationcam", "gradient-methods"):
        return _setup_new(case, model, images, layer, targets)
    # tf-keras-vis 0.8.7 reads model.output_names, which a Keras 3 Sequential lacks:
    # it gets a functional view of the same layers.
    functional = keras.Model(model.inputs, model.outputs)

    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.scorecam import Scorecam
    from tf_keras_vis.utils.model_modifiers import ReplaceToLinear
    from tf_keras_vis.utils.scores import CategoricalScore

    score = CategoricalScore(targets)
    contenders = {}
    info = {"case": case, "images": list(images.shape), "layer": layer, "targets": targets}
    if case == "gradcam":
        tkv = Gradcam(functional, model_modifier=ReplaceToLinear(), clone=True)
        contenders["helpers"] = lambda: explain.gradcam(model, images, targets, layer=layer,
                                                        batch_size=64)
        contenders["tf-keras-vis"] = lambda: tkv(score, images, penultimate_layer=layer)
        return {"contenders": contenders, "info": info}

    tkv = Scorecam(functional)
    batch_size = default_batch_size(*images.shape[1:3])
    logits = compiled_logits(model)
    state = {}

    def activations():
        if "activations" not in state:
            method = ScoreCAM.for_model(model, layer)
            state["activations"] = method._forward(
                tf.constant(images), tf.constant(np.int32(targets)))[0].numpy()
        return state["activations"]

    def chunks(max_channels=None):
        pairs = np.argwhere(select_channels(activations(), max_channels))
        return [pairs[i:i + batch_size] for i in range(0, len(pairs), batch_size)]

    def masked_chunk(chunk):
        a = activations()
        maps = tf.constant(np.stack([a[n, :, :, k] for n, k in chunk]))
        up = tf.image.resize(maps[..., None], images.shape[1:3])
        lo = tf.reduce_min(up, axis=(1, 2, 3), keepdims=True)
        hi = tf.reduce_max(up, axis=(1, 2, 3), keepdims=True)
        return (tf.gather(images, chunk[:, 0]) * (up - lo) / (hi - lo)).numpy()

    def prepared(key, max_channels=None):  # masked images made once, outside the timing
        if key not in state:
            state[key] = [masked_chunk(c) for c in chunks(max_channels)]
        return state[key]

    def floor():
        for x in prepared("masked"):
            logits(tf.constant(x)).numpy()

    def floor_streaming():  # memory run: activations, then each masked chunk just in time
        for c in chunks():
            logits(tf.constant(masked_chunk(c))).numpy()

    contenders["floor"] = floor
    contenders["floor_streaming"] = floor_streaming
    contenders["helpers"] = lambda: explain.scorecam(model, images, targets, layer=layer,
                                                     progress=False)
    contenders["tf-keras-vis"] = lambda: tkv(score, images, penultimate_layer=layer)
    # cheap warm-ups that trace / build the same functions (a full VGG16 run is minutes)
    warmups = {
        "floor": lambda: logits(tf.constant(prepared("masked")[0])).numpy(),
        "helpers": lambda: explain.scorecam(model, images, targets, layer=layer,
                                            max_channels=batch_size, progress=False),
        "tf-keras-vis": lambda: tkv(score, images, penultimate_layer=layer, max_N=batch_size),
    }
    info["batch_size"] = batch_size
    if case == "scorecam-seed001":
        k = 16

        def floor_faster():
            for x in prepared("masked_fast", k):
                logits(tf.constant(x)).numpy()

        contenders["floor (max_channels=16)"] = floor_faster
        warmups["floor (max_channels=16)"] = lambda: prepared("masked_fast", k)
        contenders["helpers (max_channels=16)"] = lambda: explain.scorecam(
            model, images, targets, layer=layer, max_channels=k, progress=False)
        contenders["tf-keras-vis (max_N=16)"] = lambda: tkv(score, images, penultimate_layer=layer,
                                                           max_N=k)

    def describe():
        a = activations()
        info.update(channels=int(a.shape[-1]), non_constant_pairs=int(select_channels(a).sum()))
        if case == "scorecam-seed001":
            info["faster_pairs"] = int(select_channels(a, 16).sum())
        return info

    return {"contenders": contenders, "info": info, "warmups": warmups, "describe": describe}


def _setup_new(case, model, images, layer, targets):
    """Contenders of the cases without a tf-keras-vis counterpart, each with the name of
    the contender its time is divided by (``info["reference"]``)."""
    import numpy as np
    import tensorflow as tf

    from helpers import explain
    from helpers._keras import compiled_logits

    info = {"case": case, "images": list(images.shape), "layer": layer, "targets": targets}
    contenders = {}
    if case == "gradient-methods":
        cams = ("gradcam", "hirescam", "xgradcam", "layercam", "gradcam_plus_plus", "eigencam")
        for name in cams:
            contenders[name] = (lambda name=name: explain.explain(name, model, images, targets,
                                                                  layer=layer, batch_size=64))
        contenders["saliency"] = lambda: explain.saliency(model, images, targets, batch_size=64)
        contenders["guided_backprop"] = lambda: explain.guided_backprop(model, images, targets,
                                                                        batch_size=64)
        contenders["guided_gradcam"] = lambda: explain.guided_gradcam(model, images, targets,
                                                                      layer=layer, batch_size=64)

        def saliency_n():
            for _ in range(IG_STEPS):
                explain.saliency(model, images, targets, batch_size=64)

        contenders[f"saliency x {IG_STEPS}"] = saliency_n
        contenders[f"integrated_gradients (n_steps={IG_STEPS})"] = (
            lambda: explain.integrated_gradients(model, images, targets, n_steps=IG_STEPS,
                                                 batch_size=64))
        info["reference"] = {**{name: "gradcam" for name in cams},
                             "saliency": "gradcam", "guided_backprop": "saliency",
                             "guided_gradcam": "gradcam",
                             f"integrated_gradients (n_steps={IG_STEPS})":
                                 f"saliency x {IG_STEPS}"}
        return {"contenders": contenders, "info": info}

    method = explain.AblationCAM.for_model(model, layer)
    batch_size = explain.cam_base.default_batch_size(*images.shape[1:3])
    logits = compiled_logits(model)
    state = {}

    def chunks():
        if "chunks" not in state:
            a = method._forward(tf.constant(images), tf.constant(np.int32(targets)))[0].numpy()
            pairs = np.argwhere(method.select_pairs(a))
            state["pairs"] = len(pairs)
            state["chunks"] = [images[pairs[i:i + batch_size, 0]]
                               for i in range(0, len(pairs), batch_size)]
        return state["chunks"]

    def floor():
        for x in chunks():
            logits(tf.constant(x)).numpy()

    contenders["floor"] = floor
    contenders["helpers"] = lambda: explain.ablationcam(model, images, targets, layer=layer,
                                                        progress=False)
    info["batch_size"] = batch_size
    info["reference"] = {"helpers": "floor"}

    def describe():
        chunks()
        info["pairs"] = state["pairs"]
        return info

    return {"contenders": contenders, "info": info, "describe": describe}


# --------------------------------------------------------------------------- memory (child)
def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])  # kB
    raise RuntimeError(field)


def child(case: str, contender: str, targets: str) -> None:
    import ctypes
    import gc

    run = setup(case, json.loads(targets))["contenders"]
    name = "floor_streaming" if contender == "floor" and "floor_streaming" in run else contender
    # Give memory freed while building the model (e.g. initialiser temporaries) back to
    # the OS, so that the contender cannot reuse it unseen below the baseline.
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    baseline = _status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current RSS
    t0 = time.perf_counter()
    run[name]()
    seconds = time.perf_counter() - t0
    print(json.dumps({"peak_mb": (_status("VmHWM") - baseline) / 1024,
                      "baseline_mb": baseline / 1024, "cold_seconds": seconds}))


def peak_memory(case: str, contender: str, targets: list) -> dict:
    # oneDNN's CPU allocator keeps a pool (about 1.3 GB after building VGG16 with random
    # initialisers) that later TensorFlow allocations reuse without the RSS growing,
    # while numpy arrays cannot: it would hide the TensorFlow contenders' memory. The
    # memory children therefore run with the plain allocator (TF_ENABLE_ONEDNN_OPTS=0).
    env = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "0"}
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", case, contender,
                          json.dumps(targets)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- timing
def time_case(case: str, repeats: int) -> tuple[dict, dict]:
    run = setup(case)
    contenders = {k: v for k, v in run["contenders"].items() if k != "floor_streaming"}
    for name, fn in contenders.items():  # warm-up: tracing and first-call costs
        run.get("warmups", {}).get(name, fn)()
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    info = run["describe"]() if "describe" in run else run["info"]
    return {name: statistics.median(t) for name, t in times.items()}, info


def report(case, medians, info, memory):
    if "reference" in info:
        reference = info.pop("reference")
        print(f"\n== {case}: {info}")
        print(f"{'contender':40s} {'median s':>9s} {'ratio':>7s}  {'against':24s} {'peak MB':>8s}")
        for name, t in medians.items():
            against = reference.get(name)
            ratio = t / medians[against] if against else float("nan")
            mem = memory.get(name)
            print(f"{name:40s} {t:9.3f} {ratio:7.2f}  {against or '':24s} "
                  f"{mem['peak_mb'] if mem else float('nan'):8.0f}")
        return
    print(f"\n== {case}: {info}")
    print(f"{'contender':28s} {'median s':>9s} {'x floor':>8s} {'x tf-keras-vis':>15s} "
          f"{'peak MB':>9s} {'baseline MB':>12s}")
    for name, t in medians.items():
        suffix = name[name.index(" "):] if " " in name else ""
        tkv_name = {"": "tf-keras-vis", " (max_channels=16)": "tf-keras-vis (max_N=16)",
                    " (max_N=16)": "tf-keras-vis (max_N=16)"}[suffix]
        floor = medians.get("floor" + {" (max_N=16)": " (max_channels=16)"}.get(suffix, suffix))
        tkv = medians.get(tkv_name)
        mem = memory.get(name)
        print(f"{name:28s} {t:9.3f} {t / floor if floor else float('nan'):8.2f} "
              f"{t / tkv if tkv else float('nan'):15.2f} "
              f"{mem['peak_mb'] if mem else float('nan'):9.0f} "
              f"{mem['baseline_mb'] if mem else float('nan'):12.0f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repeats per contender (default 5; 1 for VGG16)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    parser.add_argument("--memory-only", action="store_true", help="skip the timing")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    for case in args.cases:
        repeats = args.repeats or (1 if case == "scorecam-vgg16" else 5)
        if args.memory_only:
            model, images, _ = build(case)
            targets = model.predict(images, verbose=0).argmax(axis=1).tolist()
            medians, info = {}, {"case": case, "targets": targets}
        else:
            medians, info = time_case(case, repeats)
            targets = info["targets"]
        memory = {}
        if not args.no_memory:
            names = {"gradcam": ("helpers", "tf-keras-vis"), "ablationcam": ("floor", "helpers"),
                     "gradient-methods": ()}.get(case, ("floor", "helpers", "tf-keras-vis"))
            for name in names:
                memory[name] = peak_memory(case, name, targets)
            if args.memory_only:
                medians = {name: float("nan") for name in names}
        report(case, medians, info, memory)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
