"""Benchmark: helpers.detection.error_breakdown against tidecv (TIDE's own code).

Both compute the six error types' dAP (and the two "special" ones) on the same synthetic
COCO-style set, built as in bench_coco_eval.py, without crowd regions (TIDE handles those
differently), in this one process. The script prints both times, their ratio, and the
largest difference of AP and dAP (TIDE's percentages divided by 100). The definitions
differ in a few documented places (helpers.detection.errors), so small differences are
expected on large random sets; the tests compare the two where the definitions agree.

    python benchmarks/bench_error_breakdown.py               # 500 images, 80 categories
    python benchmarks/bench_error_breakdown.py --images 2000
"""
from __future__ import annotations

import argparse
import time


from benchmarks.bench_coco_eval import make_dataset  # noqa: E402
from helpers.detection import ERROR_TYPES, error_breakdown  # noqa: E402

TIDE_NAMES = {"Cls": "classification", "Loc": "localization", "Both": "both",
              "Dupe": "duplicate", "Bkg": "background", "Miss": "missed"}


def run_tide(gt, dt):
    from tidecv import TIDE, Data

    truth, predictions = Data("gt"), Data("dt")
    for image in gt["images"]:
        truth.add_image(image["id"], str(image["id"]))
    for a in gt["annotations"]:
        truth.add_ground_truth(a["image_id"], a["category_id"], [float(v) for v in a["bbox"]])
    for d in dt:
        predictions.add_detection(d["image_id"], d["category_id"], d["score"],
                                  [float(v) for v in d["bbox"]])
    tide = TIDE(pos_threshold=0.5, background_threshold=0.1, mode=TIDE.BOX)
    run = tide.evaluate(truth, predictions, name="run")
    main = {TIDE_NAMES[k]: v / 100 for k, v in tide.get_main_errors()["run"].items()}
    return run.ap / 100, main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    args = parser.parse_args()
    gt, dt = make_dataset(args.images, seed=0)
    gt["annotations"] = [a for a in gt["annotations"] if not a["iscrowd"]]
    print(f"{len(gt['images'])} images, {len(gt['annotations'])} objects, {len(dt)} detections")

    start = time.perf_counter()
    ours = error_breakdown(gt, dt)
    ours_seconds = time.perf_counter() - start
    start = time.perf_counter()
    tide_ap, tide_main = run_tide(gt, dt)
    tide_seconds = time.perf_counter() - start

    print(f"helpers.detection.error_breakdown: {ours_seconds:8.2f} s")
    print(f"tidecv (evaluate + main errors):   {tide_seconds:8.2f} s")
    print(f"ratio: {tide_seconds / ours_seconds:.1f}x")
    print(f"\n{'':16}{'helpers':>10}{'tidecv':>10}")
    print(f"{'AP50':16}{ours.ap:>10.4f}{tide_ap:>10.4f}")
    for name in ERROR_TYPES:
        print(f"{name:16}{ours.delta_ap[name]:>10.4f}{tide_main[name]:>10.4f}")
    worst = max([abs(ours.ap - tide_ap)]
                + [abs(ours.delta_ap[n] - tide_main[n]) for n in ERROR_TYPES])
    print(f"largest difference: {worst:.4f}")


if __name__ == "__main__":
    main()
