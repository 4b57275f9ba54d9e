"""Exercises for Chapter 10, "Detection concepts"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Detection concepts"


# --------------------------------------------------------------------------- 1. COCO's categories
def _coco_categories() -> ValueQuestion:
    return ValueQuestion(
        "how many object categories does a COCO (2014/2017) detector detect? (an integer)",
        80, fact=True, what="a whole number",
        hint=["The COCO paper lists more object types than the detection annotations cover.",
              "Count the categories in the `categories` list of instances_val2017.json, the file "
              "detectors are scored on."],
        solution="answer = 80   # 80 categories have box annotations; the paper lists 91 types",
        why="The COCO paper names 91 object types, but 11 of them (such as 'hat', 'shoe', 'plate') "
            "were never annotated with boxes: the detection data and every COCO AP are over 80 "
            "categories. Their ids run up to 90 with gaps, which is why code must map ids to "
            "contiguous class indices instead of assuming 0..79.",
        mistakes=[
            Mistake("91 is the number of object types in the COCO paper; only 80 of them have box "
                    "annotations, and detectors are trained and scored on those 80.", wrong=91),
            Mistake("90 is the largest category *id*: the ids run from 1 to 90 with gaps, so the "
                    "largest id is not the number of categories.", wrong=90),
            Mistake("20 is PASCAL VOC's number of classes, not COCO's.", wrong=20),
            Mistake("8 is the number of labelled KITTI object types, not COCO's.", wrong=8),
        ])


# --------------------------------------------------------------------------- 2. counting windows
def _window_count() -> ValueQuestion:
    return ValueQuestion(
        "how many 16x16 sliding windows, at a step of 8 pixels, fit inside a 64x64 image? (an integer)",
        49, what="a whole number",
        hint=["Along one axis, the first window starts at 0 and the last one must end at 64 or "
              "before: it starts at 64 - 16 = 48.",
              "Starts 0, 8, ..., 48 along x, the same along y: count them, then multiply."],
        solution="answer = ((64 - 16) // 8 + 1) ** 2   # 7 starts per axis, 7 x 7 windows",
        why="(64 - 16) / 8 + 1 = 7 windows per row and per column, 49 in all, for ONE window size. "
            "Every extra size adds its own grid, and a sliding-window detector runs its classifier "
            "on each window: this count is paid on every image.",
        mistakes=[
            Mistake("64 / 8 = 8 starts per axis would let the last windows stick out of the image: "
                    "the last start is 64 - 16 = 48, so there are 7 per axis.", wrong=64),
            Mistake("(64 - 16) / 8 = 6 forgets the window that starts at 0: there are 7 starts per "
                    "axis (0, 8, ..., 48), so 7 x 7.", wrong=36),
            Mistake("16 windows would tile the image without overlap (a step of 16): with a step of "
                    "8 the windows overlap by half.", wrong=16),
            Mistake("7 is the count along one axis only: windows slide along x *and* y.", wrong=7),
        ])


# --------------------------------------------------------------------------- 3. R-CNN's deltas
def _deltas_corners(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    pw, ph = p[2] - p[0], p[3] - p[1]
    return np.array([(g[0] - p[0]) / pw, (g[1] - p[1]) / ph,
                     np.log((g[2] - g[0]) / pw), np.log((g[3] - g[1]) / ph)])


def _deltas_unscaled(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    pw, ph = p[2] - p[0], p[3] - p[1]
    return np.array([(g[0] + g[2] - p[0] - p[2]) / 2, (g[1] + g[3] - p[1] - p[3]) / 2,
                     np.log((g[2] - g[0]) / pw), np.log((g[3] - g[1]) / ph)])


def _deltas_no_log(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    pw, ph = p[2] - p[0], p[3] - p[1]
    return np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / pw, (g[1] + g[3] - p[1] - p[3]) / 2 / ph,
                     (g[2] - g[0]) / pw, (g[3] - g[1]) / ph])


def _deltas_by_target(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    gw, gh = g[2] - g[0], g[3] - g[1]
    return np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / gw, (g[1] + g[3] - p[1] - p[3]) / 2 / gh,
                     np.log(gw / (p[2] - p[0])), np.log(gh / (p[3] - p[1]))])


def _deltas_scaled(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    pw, ph = p[2] - p[0], p[3] - p[1]
    raw = np.array([(g[0] + g[2] - p[0] - p[2]) / 2 / pw, (g[1] + g[3] - p[1] - p[3]) / 2 / ph,
                    np.log((g[2] - g[0]) / pw), np.log((g[3] - g[1]) / ph)])
    return raw / np.array([0.1, 0.1, 0.2, 0.2])


def _deltas_reversed(proposal, box):
    p, g = np.asarray(proposal, float), np.asarray(box, float)
    pw, ph = p[2] - p[0], p[3] - p[1]
    return np.array([(p[0] + p[2] - g[0] - g[2]) / 2 / pw, (p[1] + p[3] - g[1] - g[3]) / 2 / ph,
                     np.log(pw / (g[2] - g[0])), np.log(ph / (g[3] - g[1]))])


def _rcnn_deltas() -> FunctionQuestion:
    cases = [
        Case((np.array([10.0, 10.0, 30.0, 30.0]), np.array([10.0, 10.0, 30.0, 30.0])),
             note="the window is exactly the object: nothing to correct"),
        Case((np.array([10.0, 10.0, 30.0, 30.0]), np.array([14.0, 10.0, 34.0, 30.0])),
             note="the object is 4 px to the right"),
        Case((np.array([10.0, 10.0, 30.0, 30.0]), np.array([5.0, 15.0, 45.0, 25.0])),
             note="same centre, twice as wide, half as high"),
        Case((np.array([0.0, 8.0, 16.0, 40.0]), np.array([2.0, 4.0, 20.0, 30.0])),
             note="a tall window, an object shifted and resized"),
        Case((np.array([8.0, 8.0, 12.0, 12.0]), np.array([7.0, 9.0, 12.0, 14.0])),
             note="a 4-pixel window"),
    ]
    return FunctionQuestion(
        "rcnn_deltas(proposal, box): R-CNN's regression target (t_x, t_y, t_w, t_h) from a window "
        "to an object, both xyxy arrays of 4 numbers",
        "rcnn_deltas", cases,
        hint=["Turn both boxes into centre x, centre y, width, height first: "
              "cx = (x1 + x2) / 2, w = x2 - x1.",
              "t_x = (G_x - P_x) / P_w and t_y likewise, with P the proposal and G the object; "
              "t_w = log(G_w / P_w) and t_h likewise."],
        solution='''
            def rcnn_deltas(proposal, box):
                px, py = (proposal[0] + proposal[2]) / 2, (proposal[1] + proposal[3]) / 2
                pw, ph = proposal[2] - proposal[0], proposal[3] - proposal[1]
                gx, gy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                gw, gh = box[2] - box[0], box[3] - box[1]
                return np.array([(gx - px) / pw, (gy - py) / ph,   # shift, in window widths
                                 np.log(gw / pw), np.log(gh / ph)])  # scale, as a log ratio
        ''',
        why="Dividing the shift by the window's size and taking the log of the size ratio make the "
            "target the same for a small and a large window with the same relative error, so one "
            "regressor serves all window sizes; the log also makes 'twice as wide' and 'half as "
            "wide' symmetric (+log 2 and -log 2).",
        mistakes=[
            Mistake("the shift is between the *centres* of the two boxes, not between their top-left "
                    "corners: a box that grows around the same centre has t_x = 0.", wrong=_deltas_corners),
            Mistake("divide the centre shift by the window's width (and height): in pixels, the "
                    "target would depend on the window's size.", wrong=_deltas_unscaled),
            Mistake("t_w and t_h are the *log* of the size ratio: log(G_w / P_w), which is 0 when "
                    "the sizes agree.", wrong=_deltas_no_log),
            Mistake("divide by the *proposal's* width and height (P_w, P_h), not the object's: at "
                    "test time the object is unknown, only the window is.", wrong=_deltas_by_target),
            Mistake("those are the deltas divided by (0.1, 0.1, 0.2, 0.2), the normalisation Fast "
                    "R-CNN applies before training (helpers.models.sliding_window.encode_boxes does too); "
                    "the question asks for R-CNN's raw t_x, t_y, t_w, t_h.", wrong=_deltas_scaled),
            Mistake("the target goes from the proposal P to the object G: G minus P and G / P, not "
                    "the other way round.", wrong=_deltas_reversed),
        ],
        error_advice={ZeroDivisionError: "Widths and heights of real boxes are positive: compute "
                      "them as x2 - x1 and y2 - y1."})


# --------------------------------------------------------------------------- 4. centres to boxes
def _boxes_full_size(centres, sizes):
    return np.concatenate([centres - sizes, centres + sizes], axis=1)


def _boxes_xywh(centres, sizes):
    return np.concatenate([centres - sizes / 2, sizes], axis=1)


def _boxes_yx(centres, sizes):
    corners = np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1)
    return corners[:, [1, 0, 3, 2]]


def _boxes_transposed(centres, sizes):
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=1).T


def _boxes_interleaved(centres, sizes):
    return np.stack([centres - sizes / 2, centres + sizes / 2], axis=2).reshape(len(centres), 4)


def _centres_to_boxes() -> FunctionQuestion:
    cases = [
        Case((np.array([[20.0, 30.0]]), np.array([[10.0, 6.0]])), note="one object"),
        Case((np.array([[8.0, 8.0], [40.0, 20.0], [33.5, 50.25]]),
              np.array([[4.0, 4.0], [12.0, 30.0], [7.0, 9.5]])), note="three objects"),
        Case((np.array([[32.0, 10.0], [5.0, 60.0]]), np.array([[20.0, 8.0], [10.0, 4.0]])),
             note="wide and flat objects"),
        Case((np.zeros((0, 2)), np.zeros((0, 2))), note="no detections: shape (0, 2) in, (0, 4) out"),
    ]
    return FunctionQuestion(
        "centres_to_boxes(centres, sizes): boxes (N, 4) xyxy from centres (N, 2) as (cx, cy) and "
        "sizes (N, 2) as (w, h)",
        "centres_to_boxes", cases,
        hint=["A box of width w centred at cx runs from cx - w/2 to cx + w/2; likewise along y.",
              "`np.concatenate([a, b], axis=1)` puts two (N, 2) arrays side by side as (N, 4)."],
        solution='''
            def centres_to_boxes(centres, sizes):
                half = sizes / 2
                return np.concatenate([centres - half,            # x1, y1
                                       centres + half], axis=1)   # x2, y2
        ''',
        why="This is the last step of a one-stage, anchor-free detector: the centre comes from the "
            "heatmap's peak (plus the sub-cell offset), the size from the size head at that cell, "
            "and the box is their sum and difference, for all detections at once.",
        mistakes=[
            Mistake("the box extends *half* its width on each side of the centre: cx - w/2 to "
                    "cx + w/2.", wrong=_boxes_full_size),
            Mistake("that is (x1, y1, w, h), COCO's json format; the course's boxes are xyxy: "
                    "the corners (x1, y1, x2, y2).", wrong=_boxes_xywh),
            Mistake("x and y are swapped: the order is (x1, y1, x2, y2), x the column first.",
                    wrong=_boxes_yx),
            Mistake("the result must be one row per box, shape (N, 4): join the arrays along "
                    "axis 1, not axis 0.", wrong=_boxes_transposed),
            Mistake("the four numbers come out interleaved as (x1, x2, y1, y2): concatenate the "
                    "(N, 2) corners, do not stack them.", wrong=_boxes_interleaved),
        ])


# --------------------------------------------------------------------------- 5. the lecture notes' table
def _what_the_measurement_says() -> ChoiceQuestion:
    return ChoiceQuestion(
        "this chapter and its benchmark measured a sliding-window detector with R-CNN's other "
        "steps that is slower *and* less accurate than a CenterNet-style detector. What does that say about the lecture "
        "notes' \"two-stage: slower, more accurate\"?",
        {
            "a": "The claim is wrong: two-stage detectors are slower and also less accurate.",
            "b": "The claim is confirmed: the R-CNN-like detector measured here is the slower "
                 "one.",
            "c": "Nothing: the timing must be wrong, as Faster R-CNN is only a few times "
                 "slower.",
            "d": "It shows why per-region CNNs are slow, not how good Faster R-CNN is on "
                 "COCO.",
        },
        "d",
        wrong={
            "a": "one counter-example on toy scenes does not refute a claim about other "
                 "detectors on other data: neither detector here is Faster R-CNN, YOLO or "
                 "SSD.",
            "b": "the measurement did find the sliding-window detector slower, but *less* "
                 "accurate: it cannot confirm the 'more accurate' half.",
            "c": "the slowness is measured, and its cause is visible: the classifier runs "
                 "once per window. That is a statement about this pipeline, not a wrong "
                 "measurement.",
        },
        hint=["A measurement speaks for the detectors, data and training budget it used, and "
              "for nothing else.",
              "Was this chapter's sliding-window detector Faster R-CNN? Was the data COCO?"],
        why="The measurement concerns two small detectors trained for about the same time on "
            "small synthetic objects. It shows where R-CNN's cost comes from (one classifier "
            "run per region), but cannot confirm or refute a claim about Faster R-CNN-type "
            "detectors on COCO, where proposals come from a network sharing one backbone "
            "pass.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 10."""
    return ExerciseSet("detection", TITLE, [_coco_categories(), _window_count(), _rcnn_deltas(),
                                            _centres_to_boxes(), _what_the_measurement_says()])
