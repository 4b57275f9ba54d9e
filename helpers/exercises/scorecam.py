"""Exercises for Chapter 7, "Score-CAM and gradient-free maps"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Score-CAM and gradient-free maps"


# --------------------------------------------------------------------------- 1. the bill
def _forward_passes() -> ValueQuestion:
    return ValueQuestion(
        "masked forward passes of Score-CAM for 10 images at a 512-channel layer, 12 channels "
        "constant in every image (an int)",
        5000, what="a whole number",
        hint=["Score-CAM runs the model once per image *and* per channel whose map it uses as a "
              "mask.",
              "A channel that is constant over an image gives no mask (its min-max scaling is "
              "0 / 0) and is skipped, in that image."],
        solution="answer = 10 * (512 - 12)   # 500 useful channels, for each of the 10 images",
        why="Each image needs its own masked copies: 500 usable channels times 10 images. That "
            "is 5,000 passes of the whole network where Grad-CAM needs 10 forward and 10 "
            "backward passes, which is why Score-CAM is slow on wide layers.",
        mistakes=[
            Mistake("the constant channels give no mask and are skipped: 12 fewer passes per "
                    "image.", wrong=5120),
            Mistake("that is the count for one image; each of the 10 images needs its own masked "
                    "copies.", wrong=500),
            Mistake("that is one image with every channel; count each image, and skip the "
                    "constant channels.", wrong=512),
            Mistake("the 12 constant channels are skipped in *every* image, so 12 passes fewer "
                    "per image, not 12 in all.", wrong=5108),
            Mistake("the question counts only the masked passes, not the 10 passes that compute "
                    "the feature maps.", wrong=5010),
        ])


# --------------------------------------------------------------------------- 2. the masks
def _global_range(U):
    return (U - U.min()) / (U.max() - U.min())


def _max_only(U):
    return U / U.max(axis=(0, 1))


def _channel_axis(U):
    lo, hi = U.min(axis=-1, keepdims=True), U.max(axis=-1, keepdims=True)
    return (U - lo) / (hi - lo)


def _no_constant_guard(U):
    lo, hi = U.min(axis=(0, 1)), U.max(axis=(0, 1))
    return (U - lo) / (hi - lo)


def _normalize_masks() -> FunctionQuestion:
    rng = np.random.default_rng(7)
    ramp = np.linspace(0.0, 2.0, 16).reshape(4, 4)
    two = np.stack([ramp, 10.0 + 3.0 * ramp], axis=-1)
    with_constant = np.stack([ramp, np.full((4, 4), 0.7), -ramp], axis=-1)
    cases = [
        Case((two,), note="two channels with different offsets and ranges"),
        Case((rng.random((5, 6, 4)),), note="four random 5x6 channels"),
        Case((with_constant,), note="the middle channel is constant"),
        Case((np.stack([ramp, 5 * ramp], axis=-1) - 3.0,), note="negative values"),
        Case((rng.random((3, 3, 1)) * 0.01 + 4,), note="one channel with a small range"),
    ]
    return FunctionQuestion(
        "normalize_masks(U): scale each channel of U (H, W, K) to [0, 1] over its own pixels; "
        "a constant channel becomes all zeros",
        "normalize_masks", cases,
        hint=["Each channel k is one mask: its minimum and maximum are taken over the H x W "
              "pixels, `axis=(0, 1)`, one number per channel.",
              "Where max == min the channel is constant and 0 / 0 is undefined: return zeros "
              "there (`np.where`), or skip it as Score-CAM does."],
        solution='''
            def normalize_masks(U):
                lo = U.min(axis=(0, 1))                  # one minimum per channel
                span = U.max(axis=(0, 1)) - lo           # one range per channel
                safe = np.where(span > 0, span, 1.0)     # no 0 / 0
                return np.where(span > 0, (U - lo) / safe, 0.0)
        ''',
        why="Each mask keeps its own shape but spans [0, 1]: its hottest pixel lets the image "
            "through unchanged, its coldest blocks it. A constant channel says nothing about "
            "*where*, so it gets no mask.",
        mistakes=[
            Mistake("you scaled all channels together, with one minimum and one maximum for the "
                    "whole array. Each channel is its own mask: take min and max over "
                    "`axis=(0, 1)`.", wrong=_global_range),
            Mistake("dividing by the maximum alone does not bring the minimum to 0 (and breaks "
                    "on negative values): subtract each channel's minimum first.",
                    wrong=_max_only),
            Mistake("you took min and max over the channel axis (-1), across channels at each "
                    "pixel. A mask is one channel over all pixels: `axis=(0, 1)`.",
                    wrong=_channel_axis),
            Mistake("a constant channel gives 0 / 0 = NaN: return zeros for it.",
                    test=lambda got, exp, case: np.isnan(np.asarray(got, float)).any()),
        ],
        error_advice={ZeroDivisionError: "A constant channel has max == min: return zeros for it."})


# --------------------------------------------------------------------------- 3. the weights
def _stable_softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _over_channels(z, target):
    return _stable_softmax(z[:, target], axis=0)


def _raw_logit(z, target):
    return z[:, target]


def _softmax_of_softmax(z, target):
    return _stable_softmax(_stable_softmax(z, axis=1), axis=1)[:, target]


def _sigmoid_of_logit(z, target):
    return 1 / (1 + np.exp(-z[:, target]))


def _unstable(z, target):
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True))[:, target]


def _scorecam_weights() -> FunctionQuestion:
    rng = np.random.default_rng(3)
    cases = [
        Case((np.array([[2.0, 0.0], [0.0, 1.0], [-1.0, 3.0]]), 0),
             note="3 channels, 2 classes, target 0"),
        Case((rng.normal(size=(5, 3)) * 3, 2), note="5 channels, 3 classes, target 2"),
        Case((np.array([[1000.0, 998.0, 0.0], [-5.0, 1001.0, 2.0]]), 1),
             note="huge logits: exp(1000) overflows"),
        Case((np.array([[2000.0, 0.0, -1000.0], [0.0, -2000.0, 5.0]]), 0),
             note="logits 3,000 apart: only subtracting the row's maximum is safe"),
        Case((rng.normal(size=(4, 10)), 7), note="10 classes, target 7"),
    ]
    return FunctionQuestion(
        "scorecam_weights(z, target): the Score-CAM weight of each channel from z (K, C), the "
        "logits of the K masked images, as the authors define it",
        "scorecam_weights", cases,
        hint=["Row k of z holds the C class logits of the image masked by channel k. The weight "
              "is the probability the model gives the target class on that masked image.",
              "Take a softmax of each *row* (over the classes, `axis=1`), subtracting the row's "
              "maximum first so exp() cannot overflow; then keep column `target`."],
        solution='''
            def scorecam_weights(z, target):
                z = z - z.max(axis=1, keepdims=True)    # stable: the largest is 0
                p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
                return p[:, target]                     # P(target | masked image k)
        ''',
        why="Each channel is scored by how sure the model stays of the class when it sees only "
            "what that channel highlights: a probability between 0 and 1, computed for each "
            "masked image separately.",
        mistakes=[
            Mistake("that is a softmax over the *channels* of the target's logits "
                    "(pytorch-grad-cam's rule: its weights sum to 1 over channels). The "
                    "authors take a softmax over the classes of each masked image: `axis=1`.",
                    wrong=_over_channels),
            Mistake("those are the raw logits; the weight is a probability: softmax over the "
                    "classes first.", wrong=_raw_logit),
            Mistake("you applied the softmax twice (what tf-keras-vis does on a model that "
                    "already ends in a softmax): once turns logits into probabilities.",
                    wrong=_softmax_of_softmax),
            Mistake("a sigmoid of the target's logit ignores the other classes; the softmax "
                    "compares the target with all of them.", wrong=_sigmoid_of_logit),
            Mistake("exp() of a large number overflows to inf, and inf / inf is NaN: subtract "
                    "each row's *maximum* (not its mean or first value) before exponentiating.",
                    test=lambda got, exp, case: not np.isfinite(np.asarray(got, float)).all()),
        ])


# --------------------------------------------------------------------------- 4. Faster Score-CAM
def _ascending(A, m):
    return np.argsort(A.var(axis=(0, 1)), kind="stable")[:m]


def _wrong_axis(A, m):
    return np.argsort(-A.var(axis=-1).ravel(), kind="stable")[:m]


def _by_mean(A, m):
    return np.argsort(-A.mean(axis=(0, 1)), kind="stable")[:m]


def _one_too_many(A, m):
    return np.argsort(-A.var(axis=(0, 1)), kind="stable")[:m + 1]


def _top_channels() -> FunctionQuestion:
    rng = np.random.default_rng(11)
    base = rng.random((4, 4, 6))
    scaled = base * np.array([1.0, 5.0, 0.1, 3.0, 2.0, 0.5])
    bright_flat = np.stack([np.full((4, 4), 9.0) + 0.01 * base[..., 0], base[..., 1]], axis=-1)
    cases = [
        Case((scaled, 3), note="six channels with very different spreads, keep 3"),
        Case((rng.random((5, 5, 8)), 2), note="eight random channels, keep 2"),
        Case((bright_flat, 1), note="a bright but flat channel and a dim, varied one"),
        Case((scaled, 6), note="keep all six"),
    ]
    return FunctionQuestion(
        "top_channels(A, m): indices of the m channels of A (h, w, K) with the largest "
        "spatial variance, largest first",
        "top_channels", cases,
        hint=["A channel's spatial variance is the variance of its h x w values: "
              "`A.var(axis=(0, 1))`, one number per channel.",
              "`np.argsort` sorts in increasing order: sort the negated variances (or reverse) "
              "and keep the first m."],
        solution='''
            def top_channels(A, m):
                spread = A.var(axis=(0, 1))             # one variance per channel
                return np.argsort(-spread)[:m]          # largest first
        ''',
        why="A channel that is nearly flat makes a nearly uniform mask, which tells the model "
            "little about *where*; the channels that vary most carry most of the map. Scoring "
            "only those trades a little agreement for a lot of time.",
        mistakes=[
            Mistake("those are the m channels with the *smallest* variance: `np.argsort` sorts "
                    "in increasing order.", wrong=_ascending),
            Mistake("the variance must be taken over each channel's pixels, `axis=(0, 1)`, "
                    "not over the channels at each pixel.", wrong=_wrong_axis),
            Mistake("a bright channel is not a varied one: rank by the variance over the "
                    "pixels, not by the mean.", wrong=_by_mean),
            Mistake("that keeps m + 1 channels: slice `[:m]`.", wrong=_one_too_many),
        ])


# --------------------------------------------------------------------------- 5. softmax twice
def _softmax_twice_bound() -> ValueQuestion:
    return ValueQuestion(
        "a two-class model ends in a softmax and the weights are softmax(probabilities): the "
        "largest weight any channel can get (3 decimals)",
        float(np.e / (1 + np.e)), what="a number between 0 and 1",
        hint=["The model's two probabilities (p, 1 - p) lie in [0, 1]. The weight of the target "
              "is softmax((p, 1 - p))[0] = exp(p) / (exp(p) + exp(1 - p)).",
              "It grows with p: evaluate it at the most confident masked image, p = 1."],
        solution="answer = np.exp(1) / (np.exp(1) + np.exp(0))   # p = 1: e / (e + 1)",
        why="Even a masked image on which the model is certain gets weight 0.731, and one on "
            "which it is certain of the *other* class still gets 0.269: the second softmax "
            "squeezes every weight into [0.269, 0.731], so all channels count almost alike.",
        mistakes=[
            Mistake("that would be the weight with one softmax; applied to probabilities, the "
                    "second softmax can no longer reach 1.", wrong=1.0),
            Mistake("that is the *smallest* weight (p = 0): the largest is at p = 1.",
                    wrong=float(1 / (1 + np.e))),
            Mistake("that is the weight of an undecided image (p = 0.5); the largest is at "
                    "p = 1.", wrong=0.5),
        ])


def build() -> ExerciseSet:
    """The exercise set of Chapter 7."""
    return ExerciseSet("scorecam", TITLE, [_forward_passes(), _normalize_masks(),
                                           _scorecam_weights(), _top_channels(),
                                           _softmax_twice_bound()])
