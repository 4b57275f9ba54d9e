"""Benchmark: the one-stage detector (CenterNet-style) against the sliding-window
detector, trained and scored on the same detection scenes, over several training runs.

Chapter 10's cpu profile by default: 1,500 training scenes
(``detection_scenes(1500, seed=100)``), 10 epochs of ``helpers.models.CenterNet`` and 2 of
``helpers.models.SlidingWindowDetector``, scored on the 300 held-out scenes
(``seed=200``). Run k (k = 0, 1, ...) calls ``helpers.seed_everything(k)`` before
building each detector with ``seed=k`` (weights, sampling, shuffling, augmentation).

For each detector and run: wall-clock training time (target building / window sampling
included), inference milliseconds per image (batched, on ``--timing-images`` held-out
images, after one warm-up call, median of ``--repeats`` calls, the two detectors
alternating), and COCO AP@[.5:.95], AP50 and AP75 by ``helpers.detection.coco_evaluate``
(identical to pycocotools). AP is not a mean of per-image values, so the difference
between the detectors gets a *paired image bootstrap*: ``--resamples`` times, draw the
held-out scenes with replacement, score both detectors on the same draw, and take the
2.5 and 97.5 percentiles of the AP (and AP50) differences. That interval is over the
choice of held-out scenes, within one run; the spread over runs is printed beside it.
The script prints the load average before and after: times are comparable only as far
as the machine's load is steady.

    python -m benchmarks.bench_detectors                # Chapter 10's cpu profile, 3 runs
    python -m benchmarks.bench_detectors --train 400 --test 60 --centernet-epochs 4 \\
        --window-epochs 1 --runs 1 --resamples 100      # quick
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import helpers
from helpers.compare import Interval
from helpers.data import detection_scenes
from helpers.detection import coco_evaluate, detections_to_coco, to_coco
from helpers.models import CenterNet, SlidingWindowDetector

NAMES = ("one-stage (CenterNet-style)", "sliding window")


def seconds(detector, images) -> float:
    start = time.perf_counter()
    detector.detect(images)
    return time.perf_counter() - start


def by_image(records, n_images: int) -> list[list[dict]]:
    """COCO records (annotations or detections) grouped by image, 0-based."""
    groups = [[] for _ in range(n_images)]
    for record in records:
        groups[record["image_id"] - 1].append(record)
    return groups


def resample(gt: dict, gt_groups, dt_groups_list, rows: np.ndarray):
    """COCO ground truth and each detector's results for the scenes ``rows`` (with
    repeats): the j-th drawn scene becomes image j + 1."""
    images, annotations = [], []
    dts = [[] for _ in dt_groups_list]
    for j, i in enumerate(rows):
        images.append({"id": j + 1})
        for a in gt_groups[i]:
            annotations.append({**a, "id": len(annotations) + 1, "image_id": j + 1})
        for dt, groups in zip(dts, dt_groups_list):
            dt.extend({**d, "image_id": j + 1} for d in groups[i])
    sample = {"images": images, "annotations": annotations,
              "categories": gt["categories"]}
    return sample, dts


def paired_ap_difference(gt, dt_a, dt_b, n_images, resamples, level=0.95,
                         random_state=0):
    """Intervals of AP(a) - AP(b) and AP50(a) - AP50(b) over resampled images."""
    gt_groups = by_image(gt["annotations"], n_images)
    groups = [by_image(dt_a, n_images), by_image(dt_b, n_images)]
    rng = np.random.default_rng(random_state)
    diffs = np.empty((resamples, 2))
    for r in range(resamples):
        rows = rng.integers(0, n_images, size=n_images)
        sample, (a, b) = resample(gt, gt_groups, groups, rows)
        sa = coco_evaluate(sample, a).stats
        sb = coco_evaluate(sample, b).stats
        diffs[r] = sa[:2] - sb[:2]
    full = coco_evaluate(gt, dt_a).stats[:2] - coco_evaluate(gt, dt_b).stats[:2]
    tail = (1 - level) / 2
    out = []
    for k in range(2):
        low, high = np.quantile(diffs[:, k], [tail, 1 - tail])
        out.append(Interval(float(full[k]), float(low), float(high), level, n_images))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=1500, help="training scenes")
    parser.add_argument("--test", type=int, default=300, help="held-out scenes")
    parser.add_argument("--centernet-epochs", type=int, default=10)
    parser.add_argument("--window-epochs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3,
                        help="training runs (k = 0 .. runs-1)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timing-images", type=int, default=64,
                        help="held-out images per timed detect() call")
    parser.add_argument("--resamples", type=int, default=500,
                        help="bootstrap resamples of the held-out scenes per run")
    args = parser.parse_args()

    train = detection_scenes(args.train, seed=100)
    test = detection_scenes(args.test, seed=200)
    gt = to_coco(test)
    timed = test.images[:args.timing_images]
    print(f"scenes: {len(train)} train ({train.n_objects} objects), {len(test)} held out "
          f"({test.n_objects} objects); load average before: {os.getloadavg()[0]:.1f}",
          flush=True)

    rows = []          # (run, name, epochs, train s, ms, AP, AP50, AP75, params)
    intervals = []     # (AP interval, AP50 interval) per run
    for k in range(args.runs):
        detectors = {}
        for name, cls, epochs in ((NAMES[0], CenterNet, args.centernet_epochs),
                                  (NAMES[1], SlidingWindowDetector, args.window_epochs)):
            helpers.seed_everything(k)
            detectors[name] = (cls(train.class_names, seed=k).fit(train, epochs=epochs),
                               epochs)
        for detector, _ in detectors.values():
            detector.detect(timed[:8])  # warm-up: tracing
        times = {name: [] for name in detectors}
        for _ in range(args.repeats):  # alternate the two
            for name, (detector, _) in detectors.items():
                times[name].append(seconds(detector, timed))
        results = {}
        for name, (detector, epochs) in detectors.items():
            results[name] = detections_to_coco(detector.detect(test.images))
            stats = coco_evaluate(gt, results[name]).stats
            ms = 1000 * float(np.median(times[name])) / len(timed)
            rows.append((k, name, epochs, detector.train_seconds, ms, *stats[:3],
                         detector.model.count_params()))
            print(f"run {k} {name}: trained {epochs} epochs in "
                  f"{detector.train_seconds:.1f} s; {ms:.2f} ms/image; AP {stats[0]:.3f}, "
                  f"AP50 {stats[1]:.3f}, AP75 {stats[2]:.3f}", flush=True)
        start = time.perf_counter()
        ap, ap50 = paired_ap_difference(gt, results[NAMES[0]], results[NAMES[1]],
                                        len(test), args.resamples)
        intervals.append((ap, ap50))
        print(f"run {k} one-stage - sliding window, paired image bootstrap "
              f"({args.resamples} resamples, {time.perf_counter() - start:.0f} s): "
              f"AP {ap}; AP50 {ap50}", flush=True)

    print(f"load average after: {os.getloadavg()[0]:.1f}\n")
    print("| run | detector | epochs | training (s) | ms / image | AP | AP50 | AP75 | "
          "parameters |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for k, name, epochs, sec, ms, ap, ap50, ap75, params in rows:
        print(f"| {k} | {name} | {epochs} | {sec:.0f} | {ms:.2f} | {ap:.3f} | {ap50:.3f} | "
              f"{ap75:.3f} | {params:,} |")
    print()
    for name in NAMES:
        mine = np.array([r[3:8] for r in rows if r[1] == name])
        print(f"{name}: AP {mine[:, 2].min():.3f}-{mine[:, 2].max():.3f}, AP50 "
              f"{mine[:, 3].min():.3f}-{mine[:, 3].max():.3f}, AP75 "
              f"{mine[:, 4].min():.3f}-{mine[:, 4].max():.3f}, "
              f"{mine[:, 1].min():.2f}-{mine[:, 1].max():.2f} ms/image, "
              f"{mine[:, 0].min():.0f}-{mine[:, 0].max():.0f} s of training")
    ratios = [b[4] / a[4] for a, b in zip(rows[0::2], rows[1::2])]
    print(f"inference ratio, sliding window / one-stage, per run: "
          f"{', '.join(f'{r:.0f}x' for r in ratios)}")
    for k, (ap, ap50) in enumerate(intervals):
        print(f"run {k} one-stage - sliding window: AP {ap}; AP50 {ap50}")


if __name__ == "__main__":
    main()
