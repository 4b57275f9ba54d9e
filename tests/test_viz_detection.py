"""draw_boxes (pixel edges, true/false positives), detection PR curves, error bars."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from helpers import viz  # noqa: E402
from helpers.detection import coco_evaluate, error_breakdown  # noqa: E402
from helpers.viz.boxes import BOX_COLOURS  # noqa: E402


def rectangles(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def edges(patch):
    x, y = patch.get_xy()
    return x, y, x + patch.get_width(), y + patch.get_height()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- draw_boxes
def test_box_outline_runs_along_the_pixel_edges_it_covers():
    image = np.zeros((4, 6))
    ax = viz.draw_boxes(image, [[0, 0, 2, 2], [3, 1, 6, 4]])
    left, right, bottom, top = ax.images[0].get_extent()
    pixel = (right - left) / 6  # one pixel, in data units, as imshow lays it out
    first, second = sorted(rectangles(ax), key=lambda p: p.get_xy()[0])
    # [0, 0, 2, 2] covers pixels 0 and 1: from the left edge of pixel 0 to the left edge of pixel 2
    assert edges(first) == pytest.approx((left, top, left + 2 * pixel, top + 2 * pixel))
    # [3, 1, 6, 4] reaches the right and bottom borders of the image
    assert edges(second) == pytest.approx((left + 3 * pixel, top + pixel, right, bottom))


def test_rendered_outline_sits_on_the_boundary_of_the_covered_pixels():
    image = np.zeros((8, 8, 3))
    image[2:5, 3:7] = 1.0  # a white block: pixels x 3..6, y 2..4, i.e. box [3, 2, 7, 5]
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    ax.set_position([0, 0, 1, 1])
    viz.draw_boxes(image, [[3, 2, 7, 5]], ax=ax, show_legend=False, linewidth=1.0)
    fig.canvas.draw()
    rendered = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    scale = 400 / 8  # screen pixels per image pixel
    blue = np.array([int(BOX_COLOURS["prediction"][i:i + 2], 16) for i in (1, 3, 5)])
    is_blue = np.abs(rendered - blue).sum(axis=-1) < 60
    columns = np.flatnonzero(is_blue[int(3.5 * scale)])  # a row through the block
    assert columns.min() == pytest.approx(3 * scale, abs=2)
    assert columns.max() == pytest.approx(7 * scale, abs=2)


def test_true_and_false_positives_are_coloured_and_labelled():
    image = np.zeros((32, 32, 3), np.uint8)
    gt = [[2, 2, 12, 12], [20, 20, 30, 30]]
    predictions = [[2, 2, 12, 12], [2, 2, 12, 13], [2, 2, 12, 30], [14, 0, 18, 4]]
    ax = viz.draw_boxes(image, predictions, scores=[0.9, 0.8, 0.7, 0.6], gt_boxes=gt)
    drawn = rectangles(ax)
    solid = [p for p in drawn if p.get_linestyle() == "-"]
    dashed = [p for p in drawn if p.get_linestyle() == "--"]
    assert len(dashed) == 2 and len(solid) == 4
    colour_at = {edges(p): to_hex(p.get_edgecolor()) for p in solid}
    assert colour_at[(1.5, 1.5, 11.5, 11.5)] == BOX_COLOURS["true positive"].lower()
    assert colour_at[(1.5, 1.5, 11.5, 12.5)] == BOX_COLOURS["false positive"].lower()
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["0.60 IoU 0.00 bkg", "0.70 IoU 0.36 loc", "0.80 IoU 0.91 dup", "0.90 IoU 1.00"]


def test_classes_decide_the_match_when_both_label_sets_are_given():
    image = np.zeros((16, 16))
    ax = viz.draw_boxes(image, [[0, 0, 8, 8]], labels=[1], scores=[0.5],
                        class_names=["circle", "square"], gt_boxes=[[0, 0, 8, 8]], gt_labels=[0])
    texts = [t.get_text() for t in ax.texts]
    assert "square 0.50 IoU 0.00 cls" in texts  # IoU against objects of its own class: none
    assert "circle" in texts  # the ground truth's caption


def test_without_ground_truth_boxes_are_plain_predictions():
    ax = viz.draw_boxes(np.zeros((10, 10)), [[1, 1, 5, 5]], labels=[0], scores=[0.25],
                        class_names=["ring"])
    (patch,) = rectangles(ax)
    assert to_hex(patch.get_edgecolor()) == BOX_COLOURS["prediction"].lower()
    assert [t.get_text() for t in ax.texts] == ["ring 0.25"]


def test_no_boxes_and_no_objects_give_an_image_with_nothing_on_it():
    ax = viz.draw_boxes(np.zeros((10, 10)), np.zeros((0, 4)), gt_boxes=np.zeros((0, 4)))
    assert rectangles(ax) == [] and list(ax.texts) == []
    ax = viz.draw_boxes(np.zeros((10, 10)), [[0, 0, 3, 3]], gt_boxes=np.zeros((0, 4)))
    assert [t.get_text() for t in ax.texts] == ["IoU 0.00 bkg"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"boxes": [1, 2, 3, 4]}, ValueError, r"boxes must have shape \(N, 4\)"),
    ({"boxes": [[4, 0, 2, 2]]}, ValueError, "negative width"),
    ({"labels": [0, 1]}, ValueError, r"labels must have shape \(1,\)"),
    ({"labels": [0.5]}, ValueError, "labels must hold whole numbers"),
    ({"labels": [-1]}, ValueError, "class indices >= 0"),
    ({"scores": [0.1, 0.2]}, ValueError, r"scores must have shape \(1,\)"),
    ({"scores": ["high"]}, TypeError, "scores must hold numbers"),
    ({"labels": [3], "class_names": ["a"]}, ValueError, "class index 3 has no name"),
    ({"class_names": "abc"}, TypeError, "class_names must be a sequence"),
    ({"gt_labels": [0]}, ValueError, "gt_labels was given without gt_boxes"),
    ({"gt_boxes": [[0, 0, 1]]}, ValueError, "gt_boxes must have shape"),
    ({"gt_boxes": [[0, 0, 1, 1]], "iou_threshold": 0}, ValueError, "iou_threshold"),
    ({"image": np.zeros((4, 4, 2))}, ValueError, "image must be"),
])
def test_draw_boxes_bad_input(kwargs, error, match):
    arguments = {"image": np.zeros((8, 8)), "boxes": [[0, 0, 2, 2]]}
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        viz.draw_boxes(**arguments)


# ------------------------------------------------------------- draw_boxes: label placement
NAMES = ["circle", "square", "triangle"]


def label_extents(fig, ax):
    """Each label's drawn extent and the Axes', in display pixels, after a draw."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts], ax.get_window_extent(renderer)


def overlapping_pairs(extents):
    return [(i, j) for i in range(len(extents)) for j in range(i)
            if min(extents[i].x1, extents[j].x1) > max(extents[i].x0, extents[j].x0)
            and min(extents[i].y1, extents[j].y1) > max(extents[i].y0, extents[j].y0)]


def outside(extents, area):
    return [k for k, e in enumerate(extents)
            if e.x0 < area.x0 or e.x1 > area.x1 or e.y0 < area.y0 or e.y1 > area.y1]


def crowded_scene():
    """Six boxes at nearly the same place, four boxes touching the image's edges (and
    two corners), all matched against ground truth that is labelled too."""
    near = [[20, 20, 40, 40], [21, 20, 41, 40], [20, 21, 40, 41], [22, 22, 42, 42],
            [19, 19, 39, 39], [20, 20, 41, 41]]
    edges_ = [[0, 0, 12, 10], [52, 54, 64, 64], [50, 0, 64, 12], [0, 52, 14, 64]]
    boxes = np.array(near + edges_, float)
    labels = np.arange(len(boxes)) % 3
    scores = np.linspace(0.95, 0.3, len(boxes))
    gt = [0, 6, 7, 8, 9]
    return boxes, labels, scores, boxes[gt], labels[gt]


@pytest.mark.parametrize("figsize, fontsize", [((4, 4.2), 8), ((2.4, 2.4), 6), ((6, 6), 11)])
def test_crowded_labels_neither_overlap_nor_leave_the_image(figsize, fontsize):
    boxes, labels, scores, gt, gt_labels = crowded_scene()
    fig, ax = plt.subplots(figsize=figsize)
    viz.draw_boxes(np.zeros((64, 64, 3)), boxes, labels, scores, NAMES, ax=ax,
                   gt_boxes=gt, gt_labels=gt_labels, fontsize=fontsize)
    extents, area = label_extents(fig, ax)
    assert len(extents) == len(boxes) + len(gt)
    assert overlapping_pairs(extents) == []
    assert outside(extents, area) == []


def test_labels_are_placed_again_when_the_layout_changes():
    # a grid of panels, then tight_layout and a smaller figure: the labels are measured
    # at each draw, not once when draw_boxes is called
    boxes, labels, scores, gt, gt_labels = crowded_scene()
    fig, axes = plt.subplots(2, 3, figsize=(9, 6))
    for ax in axes.flat:
        viz.draw_boxes(np.zeros((64, 64, 3)), boxes[:6], labels[:6], scores[:6], NAMES,
                       ax=ax, gt_boxes=gt[:1], gt_labels=gt_labels[:1], show_legend=False,
                       fontsize=7, title="crowded")
    plt.tight_layout()
    for size in ((9, 6), (6, 4)):
        fig.set_size_inches(*size)
        for ax in axes.flat:
            extents, area = label_extents(fig, ax)
            assert overlapping_pairs(extents) == [] and outside(extents, area) == []


def test_two_objects_of_one_class_side_by_side_get_two_readable_labels():
    # What a reader saw as "trtriangle": the captions of two ground-truth triangles a
    # few pixels apart, drawn one over the other. Before the labels were placed, these
    # two overlapped, and the prediction's label and one caption ran past the image's
    # edges (clipped).
    gt = [[30, 40, 50, 60], [33, 42, 53, 62], [50, 10, 64, 30]]
    fig, ax = plt.subplots(figsize=(3, 3.2))
    viz.draw_boxes(np.zeros((64, 64, 3)), [[33, 42, 53, 62]], [2], [0.9], NAMES, ax=ax,
                   gt_boxes=gt, gt_labels=[2, 2, 2], fontsize=9)
    extents, area = label_extents(fig, ax)
    assert sorted(t.get_text() for t in ax.texts) == [
        "triangle", "triangle", "triangle", "triangle 0.90 IoU 1.00"]
    assert overlapping_pairs(extents) == []
    assert outside(extents, area) == []


def test_a_free_label_sits_above_the_top_left_corner_of_its_box():
    fig, ax = plt.subplots(figsize=(4, 4))
    viz.draw_boxes(np.zeros((64, 64)), [[20, 30, 40, 50]], [0], [0.5], NAMES, ax=ax,
                   gt_boxes=[[20, 30, 40, 50]], gt_labels=[0], show_legend=False)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box_edges = [p for p in rectangles(ax) if p.get_linestyle() == "-"][0]
    box = box_edges.get_window_extent(renderer)
    prediction, truth = sorted(ax.texts, key=lambda t: len(t.get_text()), reverse=True)
    above = prediction.get_window_extent(renderer)
    below = truth.get_window_extent(renderer)
    # above the top edge (display y grows upwards), left-aligned with the box
    assert above.y0 >= box.y1 - box_edges.get_linewidth() and above.x0 == pytest.approx(
        box.x0 + box_edges.get_linewidth() / 2, abs=2)
    assert below.y1 <= box.y0 + box_edges.get_linewidth()  # the ground truth's: below


def test_labels_of_two_calls_on_one_axes_avoid_each_other():
    fig, ax = plt.subplots(figsize=(3, 3))
    viz.draw_boxes(np.zeros((32, 32)), [[8, 8, 20, 20]], [0], [0.9], NAMES, ax=ax,
                   show_legend=False)
    viz.draw_boxes(np.zeros((32, 32)), [[8, 8, 20, 20]], [1], [0.8], NAMES, ax=ax,
                   show_legend=False)
    extents, area = label_extents(fig, ax)
    assert len(extents) == 2
    assert overlapping_pairs(extents) == [] and outside(extents, area) == []


def test_saved_with_a_tight_box_the_labels_stay_placed(tmp_path):
    # the notebook's inline figures are saved with bbox_inches="tight", at another dpi
    boxes, labels, scores, gt, gt_labels = crowded_scene()
    fig, ax = plt.subplots(figsize=(3, 3))
    viz.draw_boxes(np.zeros((64, 64, 3)), boxes, labels, scores, NAMES, ax=ax,
                   gt_boxes=gt, gt_labels=gt_labels, fontsize=6)
    fig.savefig(tmp_path / "boxes.png", bbox_inches="tight", dpi=150)
    renderer = fig.canvas.get_renderer()
    extents = [t.get_window_extent(renderer) for t in ax.texts]
    area = ax.get_window_extent(renderer)
    assert overlapping_pairs(extents) == [] and outside(extents, area) == []


# --------------------------------------------------------------------------- PR curves
def two_class_case():
    rng = np.random.default_rng(3)
    annotations, detections = [], []
    for image in range(1, 9):
        for category in (1, 2):
            x, y = rng.uniform(0, 50, 2)
            annotations.append({"id": len(annotations) + 1, "image_id": image, "category_id": category,
                                "bbox": [x, y, 20, 20], "area": 400.0, "iscrowd": 0})
            shift = rng.normal(0, 3, 2)
            detections.append({"image_id": image, "category_id": category,
                               "bbox": [x + shift[0], y + shift[1], 20, 20], "score": float(rng.random())})
            detections.append({"image_id": image, "category_id": category,
                               "bbox": [*rng.uniform(0, 50, 2), 15, 15], "score": float(rng.random())})
    gt = {"images": [{"id": i} for i in range(1, 9)], "categories": [{"id": 1}, {"id": 2}, {"id": 3}],
          "annotations": annotations}
    return gt, detections


def test_pr_curves_per_class_are_coco_precision_with_ap_in_the_legend():
    gt, dt = two_class_case()
    result = coco_evaluate(gt, dt)
    ax = viz.plot_detection_pr(result, iou=0.5, class_names={1: "circle", 2: "square", 3: "ring"})
    assert len(ax.lines) == 2  # class 3 has no ground truth: undefined, left out
    for k, line in enumerate(ax.lines):
        np.testing.assert_array_equal(line.get_ydata(), result.precision[0, :, k, 0, -1])
        np.testing.assert_array_equal(line.get_xdata(), result.recall_thresholds)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    ap = [np.mean(result.precision[0, :, k, 0, -1]) for k in range(2)]
    assert labels == [f"circle (AP = {ap[0]:.3f})", f"square (AP = {ap[1]:.3f})"]
    assert np.mean(ap) == pytest.approx(result.stats[1])


def test_pr_curves_per_iou_threshold_average_to_coco_ap50_and_ap75():
    gt, dt = two_class_case()
    result = coco_evaluate(gt, dt)
    ax = viz.plot_detection_pr(result, by="iou")
    assert len(ax.lines) == 10
    assert np.mean(ax.lines[0].get_ydata()) == pytest.approx(result.stats[1])
    assert np.mean(ax.lines[5].get_ydata()) == pytest.approx(result.stats[2])
    areas = [np.mean(line.get_ydata()) for line in ax.lines]
    assert np.mean(areas) == pytest.approx(result.stats[0])
    one = viz.plot_detection_pr(result, by="iou", category=2)
    np.testing.assert_array_equal(one.lines[3].get_ydata(), result.precision[3, :, 1, 0, -1])


@pytest.mark.parametrize("kwargs, error, match", [
    ({"by": "category"}, ValueError, "by must be one of 'class', 'iou'"),
    ({"iou": 0.52}, ValueError, "iou=0.52 is not one of the evaluated IoU thresholds"),
    ({"category": 1}, ValueError, "category is for by='iou'"),
    ({"by": "iou", "category": 7}, ValueError, "category=7 is not a category id"),
    ({"area": "tiny"}, ValueError, "area must be one of"),
    ({"max_dets": 5}, ValueError, "max_dets must be one of"),
    ({"class_names": {1: "a"}}, ValueError, r"no name for category id\(s\) \[2, 3\]"),
    ({"class_names": ["a"]}, ValueError, "class_names has 1 names for 3 categories"),
])
def test_pr_curves_bad_input(kwargs, error, match):
    gt, dt = two_class_case()
    with pytest.raises(error, match=match):
        viz.plot_detection_pr(coco_evaluate(gt, dt), **kwargs)


def test_pr_curves_need_an_evaluation_result():
    with pytest.raises(TypeError, match="result must be a CocoEvalResult"):
        viz.plot_detection_pr({"precision": []})


def test_pr_curves_without_any_ground_truth_in_the_area():
    gt, dt = two_class_case()
    with pytest.raises(ValueError, match="no category has ground truth in area 'large'"):
        viz.plot_detection_pr(coco_evaluate(gt, dt), area="large")


# --------------------------------------------------------------------------- error bars
def test_error_breakdown_bars_are_the_dap_with_counts_in_the_labels():
    gt, dt = two_class_case()
    breakdown = error_breakdown(gt, dt)
    ax = viz.plot_error_breakdown(breakdown)
    widths = [bar.get_width() for bar in ax.patches]
    expected = [breakdown.delta_ap[n] for n in
                ("classification", "localization", "both", "duplicate", "background", "missed")]
    expected += [breakdown.special_delta_ap["false_positives"],
                 breakdown.special_delta_ap["false_negatives"]]
    assert widths == pytest.approx(expected)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert f"background ({breakdown.counts['background']})" in labels
    assert "false positives" in labels
    assert len(viz.plot_error_breakdown(breakdown, special=False).patches) == 6


def test_error_breakdown_bars_need_a_breakdown():
    with pytest.raises(TypeError, match="breakdown must be an ErrorBreakdown"):
        viz.plot_error_breakdown({"ap": 0.5})
