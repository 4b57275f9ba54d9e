"""Benchmark: helpers.detection.coco_evaluate against pycocotools on a COCO-val-sized set.

Builds a synthetic data set shaped like COCO val2017 (5,000 images, 80 categories,
~36k ground-truth boxes with COCO's spread of sizes and ~1% crowd regions, ~240k
detections: jittered true positives, duplicates and false positives with a realistic
score distribution), evaluates it with both implementations in this one process, and
prints both times, their ratio and whether the arrays are identical.

    python benchmarks/bench_coco_eval.py                # full size (pycocotools takes minutes)
    python benchmarks/bench_coco_eval.py --images 500   # a quick run
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import sys
import time

import numpy as np


from helpers.detection import coco_evaluate  # noqa: E402

# COCO's 80 category ids: 1..90 with ten gaps.
COCO_CATEGORY_IDS = [i for i in range(1, 91) if i not in {12, 26, 29, 30, 45, 66, 68, 69, 71, 83}]


def _clip_box(x, y, w, h, width, height):
    x1, y1 = np.clip(x, 0, width), np.clip(y, 0, height)
    x2, y2 = np.clip(x + w, 0, width), np.clip(y + h, 0, height)
    return x1, y1, x2 - x1, y2 - y1


def make_dataset(n_images: int, seed: int = 0) -> tuple[dict, list]:
    """A synthetic COCO-style (gt, dt) pair with ~7.3 objects and ~48 detections per image."""
    rng = np.random.default_rng(seed)
    widths = rng.integers(320, 641, n_images).astype(float)
    heights = rng.integers(240, 641, n_images).astype(float)
    image_ids = np.sort(rng.choice(600_000, n_images, replace=False)) + 1

    # Category frequencies fall off like COCO's (person is ~30% of all objects).
    popularity = 1.0 / np.arange(1, 81) ** 1.1
    popularity[0] = popularity[1:].sum() * 0.45
    popularity /= popularity.sum()

    # Ground truth: per-image counts with a long tail, sizes log-normal in sqrt(area).
    n_objects = rng.negative_binomial(1.5, 1.5 / (1.5 + 7.3), n_images)
    gt_image = np.repeat(np.arange(n_images), n_objects)
    n_gt = len(gt_image)
    gt_category = rng.choice(80, n_gt, p=popularity)
    side = np.exp(rng.normal(np.log(45), 1.05, n_gt))
    aspect = np.exp(rng.normal(0, 0.5, n_gt))
    w, h = side * np.sqrt(aspect), side / np.sqrt(aspect)
    x = rng.random(n_gt) * (widths[gt_image] - w * 0.5)
    y = rng.random(n_gt) * (heights[gt_image] - h * 0.5)
    x, y, w, h = _clip_box(x, y, w, h, widths[gt_image], heights[gt_image])
    w, h = np.maximum(w, 1.0), np.maximum(h, 1.0)
    crowd = rng.random(n_gt) < 0.01
    w[crowd], h[crowd] = w[crowd] * 3, h[crowd] * 3
    x, y, w, h = _clip_box(x, y, w, h, widths[gt_image], heights[gt_image])
    area = w * h * rng.uniform(0.45, 0.95, n_gt)  # a mask's area is smaller than its box's
    gt_boxes = np.round(np.stack([x, y, w, h], 1), 2)

    # Detections: jittered true positives, some duplicates, and false positives.
    found = (~crowd) & (rng.random(n_gt) < 0.85)
    n_copies = found.astype(int) + (found & (rng.random(n_gt) < 0.35))
    source = np.repeat(np.arange(n_gt), n_copies)
    jitter = rng.normal(0, 0.07, (len(source), 4)) * np.repeat(gt_boxes[source, 2:], 2, axis=1)
    tp_boxes = gt_boxes[source] + jitter
    tp_scores = rng.beta(4, 1.6, len(source))
    tp_category = gt_category[source].copy()
    confused = rng.random(len(source)) < 0.05
    tp_category[confused] = rng.choice(80, confused.sum(), p=popularity)

    n_fp = int(48 * n_images) - len(source)
    fp_image = rng.integers(0, n_images, n_fp)
    fp_side = np.exp(rng.normal(np.log(50), 1.0, n_fp))
    fp_aspect = np.exp(rng.normal(0, 0.6, n_fp))
    fp_w, fp_h = fp_side * np.sqrt(fp_aspect), fp_side / np.sqrt(fp_aspect)
    fp_x = rng.random(n_fp) * widths[fp_image]
    fp_y = rng.random(n_fp) * heights[fp_image]
    fp_boxes = np.stack(_clip_box(fp_x, fp_y, fp_w, fp_h, widths[fp_image], heights[fp_image]), 1)
    fp_scores = rng.beta(1.0, 6.0, n_fp)
    fp_category = rng.choice(80, n_fp, p=popularity)

    det_image = np.concatenate([gt_image[source], fp_image])
    det_boxes = np.concatenate([tp_boxes, fp_boxes])
    det_boxes[:, 2:] = np.maximum(det_boxes[:, 2:], 0.0)
    det_boxes = np.round(det_boxes, 2)
    det_scores = np.round(np.concatenate([tp_scores, fp_scores]), 3)  # results files round scores: ties
    det_category = np.concatenate([tp_category, fp_category])
    shuffle = rng.permutation(len(det_image))

    cat_ids = np.array(COCO_CATEGORY_IDS)
    gt = {
        "images": [
            {"id": int(i), "width": int(wd), "height": int(ht)} for i, wd, ht in zip(image_ids, widths, heights)
        ],
        "categories": [{"id": int(c), "name": f"class{c}"} for c in cat_ids],
        "annotations": [
            {
                "id": n + 1,
                "image_id": int(image_ids[gt_image[n]]),
                "category_id": int(cat_ids[gt_category[n]]),
                "bbox": gt_boxes[n].tolist(),
                "area": float(area[n]),
                "iscrowd": int(crowd[n]),
            }
            for n in range(n_gt)
        ],
    }
    dt = [
        {
            "image_id": int(image_ids[det_image[n]]),
            "category_id": int(cat_ids[det_category[n]]),
            "bbox": det_boxes[n].tolist(),
            "score": float(det_scores[n]),
        }
        for n in shuffle
    ]
    return gt, dt


def run_pycocotools(gt: dict, dt: list):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dt)
        evaluation = COCOeval(coco_gt, coco_dt, "bbox")
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return evaluation


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=5000, help="number of images (default 5000, COCO val)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    gt, dt = make_dataset(args.images, args.seed)
    print(
        f"data: {len(gt['images'])} images, {len(gt['categories'])} categories, "
        f"{len(gt['annotations'])} ground truths ({sum(a['iscrowd'] for a in gt['annotations'])} crowd), "
        f"{len(dt)} detections  (built in {time.perf_counter() - t0:.1f} s)"
    )
    # pycocotools writes into the dicts it is given, so it gets its own copy.
    gt_copy, dt_copy = copy.deepcopy(gt), copy.deepcopy(dt)

    t0 = time.perf_counter()
    ours = coco_evaluate(gt, dt)
    ours_time = time.perf_counter() - t0
    print(f"helpers.detection.coco_evaluate: {ours_time:8.2f} s")

    t0 = time.perf_counter()
    theirs = run_pycocotools(gt_copy, dt_copy)
    theirs_time = time.perf_counter() - t0
    print(f"pycocotools COCOeval:            {theirs_time:8.2f} s")
    print(f"speed-up: {theirs_time / ours_time:.1f}x")

    same = {
        "precision": np.array_equal(ours.precision, theirs.eval["precision"]),
        "recall": np.array_equal(ours.recall, theirs.eval["recall"]),
        "scores": np.array_equal(ours.scores, theirs.eval["scores"]),
        "stats": np.array_equal(ours.stats, np.asarray(theirs.stats)),
    }
    print("identical arrays: " + ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in same.items()))
    print(ours.summary())
    if not all(same.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
