"""Benchmark: the one-stage detector (CenterNet-style) against the two-stage R-CNN-style
pipeline, trained and scored on the same detection scenes, in one process.

For each detector: wall-clock training time (target building / window sampling
included), inference milliseconds per image (batched, on ``--timing-images`` held-out
images, after one warm-up call, median of ``--repeats`` runs), and COCO AP@[.5:.95],
AP50 and AP75 on held-out scenes, scored by helpers.detection.coco_evaluate (identical
to pycocotools). The two detectors train one
after the other, so their times are comparable only as far as the machine's load is
steady: the script prints the load average before and after.

    python benchmarks/bench_detectors.py                       # the cpu-profile settings
    python benchmarks/bench_detectors.py --train 600 --centernet-epochs 4 --rcnn-epochs 2
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


from helpers.data import detection_scenes  # noqa: E402
from helpers.detection import coco_evaluate, detections_to_coco, to_coco  # noqa: E402
from helpers.models import SlidingWindowDetector, CenterNet  # noqa: E402


def ms_per_image(detector, images, repeats: int) -> float:
    detector.detect(images[:8])  # warm-up: tracing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        detector.detect(images)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times)) / len(images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=2000, help="training scenes")
    parser.add_argument("--test", type=int, default=300, help="held-out scenes")
    parser.add_argument("--centernet-epochs", type=int, default=12)
    parser.add_argument("--rcnn-epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timing-images", type=int, default=64,
                        help="held-out images per timed detect() call")
    args = parser.parse_args()

    train = detection_scenes(args.train, seed=100)
    test = detection_scenes(args.test, seed=200)
    gt = to_coco(test)
    print(f"scenes: {len(train)} train ({train.n_objects} objects), {len(test)} held out "
          f"({test.n_objects} objects); load average before: {os.getloadavg()[0]:.1f}")

    rows = []
    for name, detector, epochs in (
        ("one-stage (CenterNet-style)", CenterNet(train.class_names, seed=0),
         args.centernet_epochs),
        ("two-stage (R-CNN-style)", SlidingWindowDetector(train.class_names, seed=0), args.rcnn_epochs),
    ):
        detector.fit(train, epochs=epochs)
        result = coco_evaluate(gt, detections_to_coco(detector.detect(test.images)))
        ms = ms_per_image(detector, test.images[:args.timing_images], args.repeats)
        params = detector.model.count_params()
        rows.append((name, epochs, detector.train_seconds, ms, *result.stats[:3], params))
        print(f"{name}: trained {epochs} epochs in {detector.train_seconds:.1f} s; "
              f"{ms:.2f} ms/image; AP {result.stats[0]:.3f}, AP50 {result.stats[1]:.3f}, "
              f"AP75 {result.stats[2]:.3f}", flush=True)

    print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    print("| detector | epochs | training (s) | ms / image | AP | AP50 | AP75 | parameters |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, epochs, seconds, ms, ap, ap50, ap75, params in rows:
        print(f"| {name} | {epochs} | {seconds:.0f} | {ms:.2f} | {ap:.3f} | {ap50:.3f} | "
              f"{ap75:.3f} | {params:,} |")
    print(f"\ninference ratio, two-stage / one-stage: {rows[1][3] / rows[0][3]:.1f}x")


if __name__ == "__main__":
    main()
