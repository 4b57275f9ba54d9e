"""Benchmark: the one-stage detector's two heatmap rules, trained and scored on the
same detection scenes over several training runs.

``helpers.models.CenterNet(heatmap_rule=...)``: ``"per_axis"`` (the course's default,
per-axis sigma = side / 6) against ``"centernet"`` ("Objects as Points": isotropic
sigma = (2r + 1) / 6 with CornerNet's radius r at IoU 0.7). Everything else is
Chapter 10's cpu profile: 1,500 training scenes (``detection_scenes(1500, seed=100)``),
10 epochs, COCO AP and AP50 on the 300 held-out scenes (``seed=200``), scored by
``helpers.detection.coco_evaluate``. Run k (k = 0, 1, 2) calls
``helpers.seed_everything(k)`` and builds both detectors with ``seed=k`` (weights,
shuffling, augmentation); the two rules alternate within each run, so they see about
the same load on the machine.

    python benchmarks/bench_centernet_rules.py                  # Chapter 10's cpu profile
    python benchmarks/bench_centernet_rules.py --train 400 --epochs 4 --test 60 --runs 1
"""
from __future__ import annotations

import argparse
import os

import numpy as np


import helpers  # noqa: E402
from helpers.data import detection_scenes  # noqa: E402
from helpers.detection import coco_evaluate, detections_to_coco, to_coco  # noqa: E402
from helpers.models import CenterNet  # noqa: E402
from helpers.models.centernet import HEATMAP_RULES, centernet_radius  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=1500, help="training scenes")
    parser.add_argument("--test", type=int, default=300, help="held-out scenes")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3, help="training runs (k = 0 .. runs-1)")
    args = parser.parse_args()

    train = detection_scenes(args.train, seed=100)
    test = detection_scenes(args.test, seed=200)
    gt = to_coco(test)
    real = ~np.isnan(train.boxes[..., 0])  # slots holding an object
    sides = (train.boxes[..., 2:] - train.boxes[..., :2])[real]
    radii = np.array([centernet_radius(h / 4, w / 4) for w, h in sides])
    print(f"scenes: {len(train)} train ({train.n_objects} objects), {len(test)} held out "
          f"({test.n_objects} objects); CenterNet radii of the training objects (cells): "
          f"{ {int(r): int((radii == r).sum()) for r in np.unique(radii)} }; "
          f"load average before: {os.getloadavg()[0]:.1f}", flush=True)

    results = {rule: [] for rule in HEATMAP_RULES}
    for k in range(args.runs):
        for rule in HEATMAP_RULES:
            helpers.seed_everything(k)
            detector = CenterNet(train.class_names, seed=k, heatmap_rule=rule)
            detector.fit(train, epochs=args.epochs)
            stats = coco_evaluate(gt, detections_to_coco(detector.detect(test.images))).stats
            results[rule].append((stats[0], stats[1], detector.train_seconds))
            print(f"run {k} {rule:9}: AP {stats[0]:.3f}  AP50 {stats[1]:.3f}  AP75 "
                  f"{stats[2]:.3f}  ({detector.train_seconds:.0f} s of training)", flush=True)

    print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    print("| heatmap_rule | " + " | ".join(f"run {k} AP / AP50" for k in range(args.runs))
          + " | AP range | AP50 range |")
    print("| --- " * (args.runs + 3) + "|")
    for rule, rows in results.items():
        ap, ap50 = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
        cells = " | ".join(f"{a:.3f} / {b:.3f}" for a, b, _ in rows)
        print(f"| {rule} | {cells} | {ap.min():.3f}-{ap.max():.3f} | "
              f"{ap50.min():.3f}-{ap50.max():.3f} |")
    a, b = (np.array([r[:2] for r in results[rule]]) for rule in HEATMAP_RULES)
    print(f"\n{HEATMAP_RULES[0]} - {HEATMAP_RULES[1]} per run: "
          f"AP {np.round(a[:, 0] - b[:, 0], 3).tolist()}, "
          f"AP50 {np.round(a[:, 1] - b[:, 1], 3).tolist()}")


if __name__ == "__main__":
    main()
