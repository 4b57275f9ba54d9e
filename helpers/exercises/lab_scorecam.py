"""Exercises for Lab B, "Score-CAM on CIFAR-10"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Score-CAM on CIFAR-10"


def _passes() -> ValueQuestion:
    return ValueQuestion(
        "Score-CAM on 8 photos, at a last convolution with 64 channels (none of them "
        "constant): how many forward passes of masked photos? (a number)",
        512, what="a whole number",
        hint=["Each photo is shown once through each of its channel's maps.",
              "Count the masked photos: channels per photo, times photos."],
        solution="answer = 8 * 64   # one masked photo per channel, for each photo",
        why="512 passes against 8 forward-and-backward passes for Grad-CAM: the cost grows with "
            "the channels, which is why Faster Score-CAM scores only a few of them.",
        mistakes=[
            Mistake("64 is the count for *one* photo; each of the 8 photos has its own 64 masked "
                    "copies.", wrong=64),
            Mistake("photos and channels multiply, they do not add: every photo is masked by every "
                    "channel.", wrong=72),
            Mistake("that is Faster Score-CAM with 16 channels (8 x 16); plain Score-CAM scores all "
                    "64.", wrong=128),
            Mistake("8 is one pass per photo, Grad-CAM's count; Score-CAM needs one per channel.",
                    wrong=8),
        ])


def _drop_unclipped(Y, O):
    Y, O = np.asarray(Y, float), np.asarray(O, float)
    return 100 * np.mean((Y - O) / Y)


def _drop_fraction(Y, O):
    Y, O = np.asarray(Y, float), np.asarray(O, float)
    return np.mean(np.maximum(0, Y - O) / Y)


def _drop_over_O(Y, O):
    Y, O = np.asarray(Y, float), np.asarray(O, float)
    return 100 * np.mean(np.maximum(0, Y - O) / O)


def _drop_sum(Y, O):
    Y, O = np.asarray(Y, float), np.asarray(O, float)
    return 100 * np.sum(np.maximum(0, Y - O) / Y)


def _drop_of_means(Y, O):
    Y, O = np.asarray(Y, float), np.asarray(O, float)
    return 100 * max(0.0, np.mean(Y) - np.mean(O)) / np.mean(Y)


def _average_drop() -> FunctionQuestion:
    cases = [
        Case((np.array([0.8, 0.5]), np.array([0.2, 0.6])),
             note="the example: Y = (0.8, 0.5), O = (0.2, 0.6), i.e. 37.5"),
        Case((np.array([0.9, 0.6, 0.3]), np.array([0.45, 0.3, 0.3])), note="three photos"),
        Case((np.array([0.4, 0.7]), np.array([0.5, 0.9])),
             note="every probability rises: no drop at all"),
        Case((np.array([0.9]), np.array([0.0])), note="one photo whose probability falls to 0"),
        Case((np.array([0.2, 0.95, 0.6, 0.5]), np.array([0.1, 0.95, 0.9, 0.05])),
             note="photos of very different confidence"),
    ]
    return FunctionQuestion(
        "avg_drop(Y, O): the average drop in percent, from the class probabilities Y on the "
        "photos and O on the same photos multiplied by their maps (arrays of the same length)",
        "avg_drop", cases,
        hint=["For each photo the drop is max(0, Y - O) / Y: a photo whose probability rises "
              "counts as no drop, not as a negative one.",
              "Average the drops of the photos, then multiply by 100: for the example, "
              "(0.75 + 0) / 2 * 100."],
        solution='''
            def avg_drop(Y, O):
                Y, O = np.asarray(Y, float), np.asarray(O, float)
                return 100 * np.mean(np.maximum(0, Y - O) / Y)   # clipped, per photo
        ''',
        why="On the example, (0.75 + 0) / 2 = 37.5 %: the first map loses three quarters of the "
            "evidence, the second loses none (the probability even rises, which the increase in "
            "confidence counts separately).",
        mistakes=[
            Mistake("a rise in probability must not cancel a drop elsewhere: clip each drop at 0 "
                    "(max(0, Y - O)) before averaging.", wrong=_drop_unclipped),
            Mistake("give a percentage: multiply the mean by 100.", wrong=_drop_fraction),
            Mistake("divide by Y, the probability on the original photo, not by O.",
                    wrong=_drop_over_O),
            Mistake("that is the sum of the drops; the average drop is their mean.",
                    wrong=_drop_sum),
            Mistake("average the drop of each photo (each divided by its own Y), not the drop "
                    "of the mean probabilities.", wrong=_drop_of_means),
        ])


def _top_smallest(maps, k):
    return np.sort(np.argsort(maps.var(axis=(0, 1)), kind="stable")[:k])


def _top_first_k(maps, k):
    return np.arange(k)


def _top_from_one(maps, k):
    return np.sort(np.argsort(-maps.var(axis=(0, 1)), kind="stable")[:k]) + 1


def _top_wrong_axis(maps, k):
    return np.sort(np.argsort(-maps.var(axis=-1).ravel(), kind="stable")[:k])


def _top_by_mean(maps, k):
    return np.sort(np.argsort(-maps.mean(axis=(0, 1)), kind="stable")[:k])


def _top_channels() -> FunctionQuestion:
    rng = np.random.default_rng(3)
    spread = np.sqrt(np.array([0.2, 0.9, 0.05, 0.5, 0.7]))
    example = np.stack([spread, -spread], axis=0)[:, None, :]          # (2, 1, 5)
    base = rng.random((4, 4, 6))
    bright_flat = np.concatenate([9.0 + 0.01 * base[..., :1], base[..., 1:3]], axis=-1)
    spike_or_half = np.zeros((4, 4, 3))
    spike_or_half[1, 2, 0] = 1.0                      # variance 0.059, range 1
    spike_or_half[:, :2, 1] = 0.6                     # variance 0.09, range 0.6
    spike_or_half[..., 2] = 0.3 + 0.01 * base[..., 0]
    cases = [
        Case((example, 2), note="the example: variances (0.2, 0.9, 0.05, 0.5, 0.7), k = 2"),
        Case((base * np.array([1.0, 5.0, 0.1, 3.0, 2.0, 0.5]), 3),
             note="six channels of very different spread, k = 3"),
        Case((bright_flat, 1), note="a bright but flat channel and two dim, varied ones"),
        Case((spike_or_half, 1),
             note="one hot pixel (a large range, a small variance) against a half-and-half map"),
        Case((rng.random((5, 5, 8)), 8), note="keep all eight"),
    ]
    return FunctionQuestion(
        "top_channels(maps, k): the 0-based indices, in increasing order, of the k channels "
        "of maps (h, w, K) that Faster Score-CAM scores (the largest spatial variance)",
        "top_channels", cases,
        hint=["Faster Score-CAM keeps the channels whose maps vary most over the image: a flat "
              "map masks everything alike and says little. `maps.var(axis=(0, 1))` gives one "
              "variance per channel.",
              "`np.argsort(-variance)[:k]` gives the k largest; sort those indices."],
        solution='''
            def top_channels(maps, k):
                variance = maps.var(axis=(0, 1))             # one number per channel
                return np.sort(np.argsort(-variance)[:k])    # the k largest, by index
        ''',
        why="On the example, channels 1 (0.9) and 4 (0.7): the flattest maps (channels 2 and 0) "
            "would mask the photo almost uniformly and add nearly nothing to the heatmap.",
        mistakes=[
            Mistake("those are the channels of *smallest* variance: `np.argsort` sorts in "
                    "increasing order.", wrong=_top_smallest),
            Mistake("the first k channels are not the highest-variance ones: sort by variance.",
                    wrong=_top_first_k),
            Mistake("indices count from 0 in Python (and in the channel axis): you counted "
                    "from 1.", wrong=_top_from_one),
            Mistake("the variance must be taken over each channel's pixels, `axis=(0, 1)`, not "
                    "over the channels at each pixel.", wrong=_top_wrong_axis),
            Mistake("a bright channel is not a varied one: rank by the variance over the "
                    "pixels, not by the mean.", wrong=_top_by_mean),
        ])


def _why_64() -> ChoiceQuestion:
    return ChoiceQuestion(
        "why does the lab enlarge CIFAR-10's 32 x 32 photos to 64 x 64?",
        {
            "a": "To add detail: the enlarged photos show the network finer structure to "
                 "learn from.",
            "b": "Because GPUs train far less efficiently on images as small as 32 x 32 "
                 "pixels.",
            "c": "Because Score-CAM only works on square inputs with a side of 64 pixels.",
            "d": "So that after the four 2 x 2 poolings the last maps are 4 x 4, not 2 x 2.",
        },
        "d",
        wrong={
            "a": "bilinear enlarging only interpolates between the existing pixels: no new "
                 "detail appears.",
            "b": "a GPU trains on images of any size; 32x32 is in fact faster.",
            "c": "Score-CAM works at any input size: it upsamples each map to the input.",
        },
        hint=["Interpolation cannot invent pixels the camera did not record.",
              "What size is the last convolution's output for a 32x32 input after four "
              "poolings?"],
        why="Enlarging adds no information, but it doubles the side of every feature map: the"
            " heatmaps are upsampled from a 4x4 grid instead of a 2x2 one.")


def build() -> ExerciseSet:
    """The exercise set of Lab B."""
    return ExerciseSet("lab_scorecam", TITLE,
                       [_passes(), _average_drop(), _top_channels(), _why_64()])
