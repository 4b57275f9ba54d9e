"""Exercises for Lab B, "Score-CAM on CIFAR-10"."""
from __future__ import annotations

from .questions import ExerciseSet, Mistake, ValueQuestion

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


def _average_drop() -> ValueQuestion:
    return ValueQuestion(
        "the model gives its class probability Y = (0.8, 0.5) on two photos and O = (0.2, 0.6) "
        "on the same photos multiplied by their maps: the average drop, in percent (a number)",
        37.5, what="a percentage such as 12.5",
        hint=["For each photo the drop is max(0, Y - O) / Y: a photo whose probability rises "
              "counts as no drop, not as a negative one.",
              "Average the two drops, then multiply by 100."],
        solution="Y, O = np.array([0.8, 0.5]), np.array([0.2, 0.6])\n"
                 "answer = 100 * np.mean(np.maximum(0, Y - O) / Y)",
        why="(0.75 + 0) / 2 = 37.5 %: the first map loses three quarters of the evidence, the "
            "second loses none (the probability even rises, which the increase in confidence "
            "counts separately).",
        mistakes=[
            Mistake("a rise in probability must not cancel a drop elsewhere: clip each drop at 0 "
                    "(max(0, Y - O)) before averaging.", wrong=27.5),
            Mistake("give a percentage: multiply the mean by 100.", wrong=0.375),
            Mistake("divide by Y, the probability on the original photo, not by O.", wrong=150.0),
            Mistake("that is the sum of the drops; the average drop is their mean.", wrong=75.0),
            Mistake("average the drop of each photo (each divided by its own Y), not the mean "
                    "drop over the mean Y.", wrong=100 * 0.25 / 0.65),
        ])


def _top_channels() -> ValueQuestion:
    return ValueQuestion(
        "Faster Score-CAM with max_channels=2; the last layer's 5 channels have variances "
        "(0.2, 0.9, 0.05, 0.5, 0.7): which channels are scored? (their 0-based indices, "
        "in increasing order, e.g. [0, 3])",
        (1, 4), what="two channel indices such as [0, 3]",
        hint=["Faster Score-CAM keeps the channels whose maps vary most over the image: a flat "
              "map masks everything alike and says little.",
              "Find the two largest variances; Python counts from 0."],
        solution="answer = sorted(np.argsort([0.2, 0.9, 0.05, 0.5, 0.7])[-2:])",
        why="Channels 1 (0.9) and 4 (0.7): the flattest maps (channels 2 and 0) would mask the "
            "photo almost uniformly and add nearly nothing to the heatmap.",
        mistakes=[
            Mistake("those are the two *smallest* variances; keep the channels whose maps vary "
                    "most.", wrong=(0, 2)),
            Mistake("the first two channels are not the highest-variance ones: sort by variance.",
                    wrong=(0, 1)),
            Mistake("indices count from 0 in Python (and in the channel axis): you counted from 1.",
                    wrong=(2, 5)),
            Mistake("give the indices of the channels, not their variances.", wrong=(0.7, 0.9)),
        ])


def _why_64() -> ValueQuestion:
    return ValueQuestion(
        "multiple choice 'a'-'d': why does the lab enlarge CIFAR-10's 32x32 photos to 64x64? "
        "(a) to add detail the network can use; (b) the notes' network takes 64x64 inputs and its "
        "four 2x2 poolings then leave 4x4 maps instead of 2x2; (c) GPUs cannot train on 32x32 "
        "images; (d) Score-CAM only works on square inputs of 64 pixels",
        "b", choices=("a", "b", "c", "d"), what="a letter such as 'a'",
        hint=["Interpolation cannot invent pixels the camera did not record.",
              "What size is the last convolution's output for a 32x32 input after four poolings?"],
        solution='answer = "b"',
        why="Enlarging adds no information, but it doubles the side of every feature map: the "
            "heatmaps are upsampled from a 4x4 grid instead of a 2x2 one.",
        mistakes=[
            Mistake("bilinear enlarging only interpolates between the existing pixels: no new "
                    "detail appears.", wrong="a"),
            Mistake("a GPU trains on images of any size; 32x32 is in fact faster.", wrong="c"),
            Mistake("Score-CAM works at any input size: it upsamples each map to the input.",
                    wrong="d"),
        ])


def build() -> ExerciseSet:
    """The exercise set of Lab B."""
    return ExerciseSet("lab_scorecam", TITLE,
                       [_passes(), _average_drop(), _top_channels(), _why_64()])
