"""Side-by-side speed of helpers.evaluation's model-based scores and their forward-pass floor.

Cases (the DESIGN.md "Speed" target: within 1.25x of the floor):

* ``average_drop``: 64 images and their maps, the Score-CAM notes' VGG-like net at 64x64, 10 classes:
  2 x 64 forward images (the images and the images times their maps).
* ``deletion`` / ``insertion``: 16 images, ``steps=16``: 16 x 17 = 272 forward images
  (insertion with its default blurred fill).
* ``road``: 16 images, smooth CAM-like maps (blurred noise), ROAD's 9 percentiles
  (10 ... 90 % removed, most relevant first): 16 + 16 x 9 = 160 forward images; its
  floor is the same number of forward passes on the unchanged images (the imputation,
  one sparse solve per image and percentile, is part of what is timed for helpers).
  The script also times the imputations alone.

Contenders:

* ``helpers``: the score with its defaults (batch of 64 images per compiled pass),
  including input checks, pixel ranking, building the perturbed images chunk by chunk
  and the probabilities;
* ``floor``: the bare compiled forward passes over the same images
  (``helpers._keras.compiled_logits``), in chunks of the same batch size, the
  perturbed images prepared beforehand and not timed. No implementation can do less.

Time: both run in this one process on the same model and images, after one untimed
warm-up call each, interleaved (floor, helpers, floor, helpers, ...) ``--repeats``
times; the median is reported. The machine may be shared: interleaving keeps the
ratio fair when the absolute times drift.

Usage::

    python benchmarks/bench_evaluation.py
    python benchmarks/bench_evaluation.py --cases deletion --repeats 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = ("average_drop", "deletion", "insertion", "road")


def _perturbed(case, x, m, steps):
    """The images the score feeds to the model, built beforehand for the floor."""
    import numpy as np

    from helpers.evaluation.perturbation import fill_images, pixel_order

    if case == "average_drop":
        return np.concatenate([x, x * m[..., None].astype("float32")])
    if case == "road":
        return np.concatenate([x] + [x] * 9)          # unchanged images, same count
    n, h, w = m.shape
    rank = pixel_order(m)
    base = fill_images(x, "blur" if case == "insertion" else "zeros")
    counts = (np.arange(steps + 1) * h * w) // steps
    out = []
    for i in range(n):
        for k in counts:
            changed = (rank[i] < k)[..., None]
            out.append(np.where(changed, x[i], base[i]) if case == "insertion"
                       else np.where(changed, base[i], x[i]))
    return np.stack(out)


def run(case, repeats, steps=16):
    import numpy as np
    import tensorflow as tf

    import helpers
    from helpers import evaluation, models
    from helpers._keras import compiled_logits

    helpers.seed_everything(0)
    model = models.vgg_like((64, 64, 3), 10)
    n = 64 if case == "average_drop" else 16
    rng = np.random.default_rng(0)
    x = rng.random((n, 64, 64, 3), dtype=np.float32)
    m = rng.random((n, 64, 64))
    if case == "road":
        import cv2
        m = np.stack([cv2.GaussianBlur(v, (0, 0), 6) for v in m])
    batch = 64
    fed = _perturbed(case, x, m, steps)
    logits = compiled_logits(model)

    def floor():
        for start in range(0, len(fed), batch):
            logits(tf.constant(fed[start:start + batch])).numpy()

    def ours():
        if case == "average_drop":
            evaluation.average_drop(model, x, m)
        elif case == "road":
            evaluation.road(model, x, m)
        else:
            getattr(evaluation, case)(model, x, m, steps=steps)

    floor(), ours()                         # warm-up: tracing, oneDNN primitives
    times = {"floor": [], "helpers": []}
    for _ in range(repeats):
        for name, fn in (("floor", floor), ("helpers", ours)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    if case == "road":
        from helpers.evaluation.imputation import impute
        from helpers.evaluation.road import PERCENTILES, removal_ranks
        rank, counts = removal_ranks(m, np.array(PERCENTILES, float), "most", 0)
        alone = []
        for _ in range(repeats):
            start = time.perf_counter()
            for i in range(n):
                for c in counts:
                    impute(x[i], rank[i] < c, 0.01, np.random.default_rng(0))
            alone.append(time.perf_counter() - start)
        alone = statistics.median(alone)
        # TensorFlow keeps both cores busy on the floor, so the imputations cannot
        # hide behind it: floor + imputations is what one run must at least cost.
        print(f"{case:>13}: the {n * len(counts)} imputations alone: {alone:.3f} s | "
              f"floor + imputations {med['floor'] + alone:.3f} s "
              f"({(med['floor'] + alone) / med['floor']:.2f}x the floor)", flush=True)
    print(f"{case:>13}: {len(fed)} forward images | floor {med['floor']:.3f} s | "
          f"helpers {med['helpers']:.3f} s | helpers / floor {med['helpers'] / med['floor']:.2f}",
          flush=True)
    return med


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for case in args.cases:
        run(case, args.repeats)


if __name__ == "__main__":
    main()
