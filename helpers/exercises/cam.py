"""Exercises for Chapter 6, "CAM and Grad-CAM"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "CAM and Grad-CAM"


def _maps(seed, h, w, k):
    """Non-negative feature maps (after a ReLU), ``(h, w, k)``."""
    return np.maximum(np.random.default_rng(seed).normal(size=(h, w, k)), 0.0)


# --------------------------------------------------------------------------- 1. CAM by hand
def _cam_map() -> FunctionQuestion:
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(5, 3))             # K = 5 channels, 3 classes: not square
    one_hot = np.zeros((4, 2))
    one_hot[0, 1] = 2.0
    cases = [
        Case((_maps(2, 3, 4, 5), kernel, 0), note="3x4 maps, 5 channels, 3 classes, class 0"),
        Case((_maps(3, 3, 4, 5), kernel, 2), note="the same shapes, class 2"),
        Case((_maps(4, 2, 2, 4), one_hot, 1), note="only channel 0 counts for class 1, weight 2"),
        Case((_maps(5, 4, 4, 5), -np.abs(kernel), 1),
             note="every weight negative: the map is negative everywhere"),
    ]
    return FunctionQuestion(
        "cam_map(A, W, c): the class-c map M(i, j) = sum_k W[k, c] A[i, j, k] of maps A (h, w, K) "
        "and Dense kernel W (K, classes), before any ReLU or scaling",
        "cam_map", cases,
        hint=["The Dense kernel has one row per channel and one column per class: the weights of "
              "class c are the column `W[:, c]`, one per channel.",
              "Multiply every channel by its weight and add over the channel axis (the last one): "
              "`A @ W[:, c]` does both."],
        solution='''
            def cam_map(A, W, c):
                return A @ W[:, c]        # (h, w, K) @ (K,) -> (h, w): sum over channels
        ''',
        why="This is the class's contribution at each position: its mean over the positions plus "
            "the Dense bias is the logit, because averaging commutes with the weighted sum. "
            "The ReLU and the min-max scaling come after, only to draw it.",
        mistakes=[
            Mistake("that adds up the maps of all the classes; keep only column c of the kernel.",
                    wrong=lambda A, W, c: (A @ W).sum(axis=-1)),
            Mistake("that is the plain mean of the channels: every channel must be weighted by its "
                    "kernel entry for class c.", wrong=lambda A, W, c: A.mean(axis=-1)),
            Mistake("the map is not clipped here: negative values (evidence *against* the class) "
                    "are part of M, and the mean of M plus the bias must give the logit.",
                    wrong=lambda A, W, c: np.maximum(A @ W[:, c], 0.0)),
            Mistake("do not divide by h * w: that is the *logit's* average over positions (and "
                    "Grad-CAM's scale). M itself is the plain weighted sum.",
                    wrong=lambda A, W, c: A @ W[:, c] / (A.shape[0] * A.shape[1])),
            Mistake("return the map, shape (h, w), not a single number: sum over the channels "
                    "only, not over the positions too.",
                    test=lambda got, exp, case: np.ndim(got) == 0),
        ],
        error_advice={ValueError: "The kernel is (K, classes): the weights of class c are the "
                                  "column `W[:, c]`, whose length K matches the channels of A."})


# --------------------------------------------------------------------------- 2. Grad-CAM weights
def _gradcam_weights() -> FunctionQuestion:
    rng = np.random.default_rng(7)
    mixed = rng.normal(size=(4, 4, 3))
    mixed[:2, :, 0] = 1.0
    mixed[2:, :, 0] = -1.5                       # channel 0: opposite signs, negative mean
    cases = [
        Case((rng.normal(size=(3, 5, 4)),), note="gradients of 3x5 maps, 4 channels"),
        Case((np.full((7, 7, 2), 0.25),), note="a GAP network: the same gradient everywhere"),
        Case((mixed,), note="channel 0 is positive at the top, negative at the bottom"),
        Case((rng.normal(size=(2, 6, 6)),), note="2x6 maps, 6 channels: h, w and K differ"),
    ]
    return FunctionQuestion(
        "gradcam_weights(G): Grad-CAM's channel weights (K,) from the gradients G (h, w, K) of the "
        "target logit with respect to the maps",
        "gradcam_weights", cases,
        hint=["Grad-CAM gives each channel one number: the gradient averaged over the h x w "
              "positions.",
              "The positions are the first two axes: `G.mean(axis=(0, 1))`."],
        solution='''
            def gradcam_weights(G):
                return G.mean(axis=(0, 1))    # average over the h x w positions, per channel
        ''',
        why="Averaging over the positions is what makes Grad-CAM one weight per channel, and what "
            "makes it CAM divided by h * w on a GAP network (where every position has the same "
            "gradient W[k, c] / (h * w)). It is also what lets opposite gradients cancel.",
        mistakes=[
            Mistake("that is the *sum* over the positions, h * w times Grad-CAM's weights: it "
                    "draws the same map after scaling, but the weight is an average.",
                    wrong=lambda G: G.sum(axis=(0, 1))),
            Mistake("you averaged over the channels (the last axis), giving one number per "
                    "position; average over the positions, axes 0 and 1.",
                    wrong=lambda G: G.mean(axis=-1)),
            Mistake("average the gradients themselves, not their absolute values: a negative "
                    "gradient means the channel counts against the class there.",
                    wrong=lambda G: np.abs(G).mean(axis=(0, 1))),
            Mistake("Grad-CAM does not clip the weights: a channel with a negative mean gradient "
                    "gets a negative weight (the ReLU comes after the weighted sum of the maps).",
                    wrong=lambda G: np.maximum(G.mean(axis=(0, 1)), 0.0)),
            Mistake("that averages only the positive gradients: Grad-CAM++ and LayerCAM clip the "
                    "gradient, Grad-CAM does not.", wrong=lambda G: np.maximum(G, 0).mean(axis=(0, 1))),
            Mistake("you averaged over one spatial axis only; average over both, `axis=(0, 1)`.",
                    test=lambda got, exp, case: np.ndim(got) == 2),
            Mistake("that is one number for everything: keep one weight per channel, "
                    "`axis=(0, 1)`.", test=lambda got, exp, case: np.ndim(got) == 0),
        ])


# --------------------------------------------------------------------------- 3. the constant
def _gap_constant() -> ValueQuestion:
    return ValueQuestion(
        "a GAP network whose last maps are 7 x 7 (ResNet-50 at 224 x 224): Grad-CAM's raw map "
        "(before ReLU and scaling) equals CAM's raw map times what? (a number)",
        1 / 49, what="a number",
        hint=["With a GAP head the logit is sum_k W[k, c] * (1 / (h w)) * sum_ij A_k(i, j) + b. "
              "Differentiate it with respect to one A_k(i, j).",
              "Every position has the gradient W[k, c] / (h w); its average over the positions is "
              "the same number. Compare with CAM's weight W[k, c]."],
        solution="answer = 1 / 49   # the gradient W[k, c] / (7 * 7) at every position",
        why="The gradient of the logit with respect to A_k(i, j) is W[k, c] / 49 at every "
            "position, so Grad-CAM's weights are CAM's divided by 49 and so is the raw map. After "
            "the ReLU (the factor is positive) and the min-max scaling the two maps are identical.",
        mistakes=[
            Mistake("it is the other way round: the GAP *divides* the sum by h * w, so Grad-CAM's "
                    "weight is CAM's divided by 49, not multiplied.", wrong=49.0),
            Mistake("the GAP averages over all 7 x 7 = 49 positions, not over 7.", wrong=1 / 7),
            Mistake("the GAP averages over all 7 x 7 = 49 positions, and it divides.", wrong=7.0),
            Mistake("after scaling to [0, 1] the maps are equal, but the raw maps differ by a "
                    "constant factor: the gradient of an average carries the 1 / (h w).", wrong=1.0),
            Mistake("ResNet-50's 2048 channels do not enter the factor: each channel's weight is "
                    "scaled by the same 1 / (h w).", wrong=1 / 2048),
        ])


# --------------------------------------------------------------------------- 4. HiResCAM
def _hirescam_map() -> FunctionQuestion:
    rng = np.random.default_rng(11)
    opposite = np.zeros((2, 4, 1))
    opposite[:, :2, 0], opposite[:, 2:, 0] = 1.0, -0.5
    cases = [
        Case((_maps(12, 3, 4, 5), rng.normal(size=(3, 4, 5))), note="3x4 maps, 5 channels"),
        Case((np.ones((2, 4, 1)), opposite),
             note="one channel, active everywhere; its gradient is +1 on the left, -0.5 on the right"),
        Case((_maps(13, 5, 5, 3), np.full((5, 5, 3), 0.1)), note="the same gradient everywhere (a GAP head)"),
        Case((_maps(14, 2, 6, 4), -np.abs(rng.normal(size=(2, 6, 4)))),
             note="every gradient negative: nothing speaks for the class"),
    ]
    return FunctionQuestion(
        "hirescam_map(A, G): the HiResCAM map (h, w) = ReLU of the sum over channels of "
        "gradient x activation, position by position (before upsampling and scaling)",
        "hirescam_map", cases,
        hint=["HiResCAM multiplies the maps by the gradients element-wise (no averaging), then "
              "adds over the channels, the last axis.",
              "Keep only the positive part of the sum, with `np.maximum(..., 0)`, as for every CAM."],
        solution='''
            def hirescam_map(A, G):
                return np.maximum((G * A).sum(axis=-1), 0.0)   # per position, then ReLU
        ''',
        why="Each position keeps its own gradient, so the map is, to first order, what each "
            "position adds to the logit: a region whose gradient is negative cannot borrow the "
            "positive average of another region, as it does in Grad-CAM.",
        mistakes=[
            Mistake("that is Grad-CAM: the gradients are averaged over the positions first. "
                    "HiResCAM multiplies each position's gradient by its activation.",
                    wrong=lambda A, G: np.maximum(A @ G.mean(axis=(0, 1)), 0.0)),
            Mistake("keep only the positive part of the sum (ReLU): negative values are evidence "
                    "against the class.", wrong=lambda A, G: (G * A).sum(axis=-1)),
            Mistake("the ReLU comes *after* the sum over channels: clipping each product first "
                    "(or each gradient, which is LayerCAM) drops the channels that count against "
                    "the class.", wrong=lambda A, G: np.maximum(G * A, 0.0).sum(axis=-1)),
            Mistake("the absolute value turns evidence against the class into evidence for it; "
                    "use the ReLU.", wrong=lambda A, G: np.abs((G * A).sum(axis=-1))),
            Mistake("sum over the channels, the last axis, to get an (h, w) map.",
                    test=lambda got, exp, case: np.ndim(got) == 2 and np.shape(got) != np.shape(exp)),
        ])


# --------------------------------------------------------------------------- 5. which head
def _which_head() -> ChoiceQuestion:
    return ChoiceQuestion(
        "four trained classifiers share the same convolutional body and differ in the head. "
        "Which one can plain CAM explain as it is, without retraining?",
        {
            "a": "conv maps → Flatten → Dense (logits)",
            "b": "conv maps → GlobalAveragePooling2D → Dense → softmax",
            "c": "conv maps → GlobalAveragePooling2D → Dense 128 + ReLU → Dense (logits)",
            "d": "conv maps → GlobalMaxPooling2D → Dense (logits)",
        },
        "b",
        wrong={
            "a": "with Flatten the Dense layer has one weight per position *and* channel, so "
                 "there is no single weight per channel to read off: Grad-CAM works, CAM does"
                 " not.",
            "c": "a hidden Dense layer with a ReLU sits between the GAP and the logits: the "
                 "logit is no longer linear in the pooled features, so no kernel column gives"
                 " the weights.",
            "d": "global *max* pooling keeps one position per channel: the logit is not an "
                 "average over positions, and CAM's derivation does not hold.",
        },
        hint=["CAM reads its weights off the last layer: that only works when the logit is a "
              "weighted sum of the channels' spatial averages.",
              "Check each head: is there exactly one linear layer between the average pooling"
              " and the logits, and is the pooling an average?"],
        why="conv -> GAP -> one Dense (a softmax on top is fine) makes each logit a weighted "
            "sum of the channels' averages, which is what CAM needs. The other heads either "
            "have no average pooling or put a non-linearity between it and the logits: use "
            "Grad-CAM there, or retrain a GAP head.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 6."""
    return ExerciseSet("cam", TITLE, [_cam_map(), _gradcam_weights(), _gap_constant(),
                                      _hirescam_map(), _which_head()])
