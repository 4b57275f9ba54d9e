"""Exercises for Chapter 1, "Image classification"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Image classification"


def _conv_params() -> FunctionQuestion:
    cases = [Case((3, 1, 32), note="a 3x3 convolution on a grey image"),
             Case((3, 3, 64), note="RGB input"),
             Case((5, 32, 64)),
             Case((1, 64, 10), note="a 1x1 convolution"),
             Case((3, 128, 256)),
             Case((7, 3, 1), note="a single filter")]
    return FunctionQuestion(
        "conv_params(kernel_size, in_channels, out_channels): trainable parameters of a Conv2D with bias",
        "conv_params", cases,
        hint=["One filter is a kernel_size x kernel_size window that spans *all* input channels, plus one bias.",
              "The layer has out_channels such filters."],
        solution='''
            def conv_params(kernel_size, in_channels, out_channels):
                weights_per_filter = kernel_size * kernel_size * in_channels
                # + 1: each filter has one bias
                return (weights_per_filter + 1) * out_channels
        ''',
        why="Each of the out_channels filters has k*k*in_channels weights and one bias; "
            "Keras' `model.summary()` counts the same.",
        mistakes=[
            Mistake("the count is short by exactly one parameter per filter: you forgot the bias "
                    "(each filter adds one learned number to its output).",
                    wrong=lambda k, i, o: k * k * i * o),
            Mistake("a filter spans every input channel, so its weights are kernel_size * kernel_size "
                    "* in_channels; the count must grow with in_channels.",
                    wrong=lambda k, i, o: (k * k + 1) * o),
            Mistake("the kernel is square: it has kernel_size * kernel_size weights per input channel, not kernel_size.",
                    wrong=lambda k, i, o: (k * i + 1) * o),
            Mistake("there is one bias per filter (output channel), not one per input channel.",
                    wrong=lambda k, i, o: (k * k * i + i) * o),
            Mistake("there is one bias per filter (output channel), not one for the whole layer.",
                    wrong=lambda k, i, o: k * k * i * o + 1),
            Mistake("that counts one filter; the layer has out_channels such filters, each with its "
                    "own weights and bias.", wrong=lambda k, i, o: k * k * i + 1),
        ])


def _conv_output_cases() -> list[Case]:
    cases = [Case((28, 3), note="stride 1, 'valid'"),
             Case((28, 3), {"padding": "same"}, note="stride 1, 'same'"),
             Case((32, 3), {"stride": 2}, note="stride 2, 'valid'"),
             Case((32, 3), {"stride": 2, "padding": "same"}, note="stride 2, 'same'"),
             Case((7, 2), {"stride": 2, "padding": "same"}, note="'same' with a size that the stride does not divide"),
             Case((8, 3), {"stride": 2}, note="'valid' where the last window does not fit"),
             Case((224, 7), {"stride": 2, "padding": "same"}, note="the first layer of ResNet"),
             Case((227, 11), {"stride": 4}, note="the first layer of AlexNet"),
             Case((5, 5), note="a kernel as large as the image")]
    rng = np.random.default_rng(1)
    for _ in range(40):
        kernel = int(rng.choice([1, 2, 3, 5, 7]))
        size = int(rng.integers(kernel, 70))
        stride = int(rng.choice([1, 2, 3, 4]))
        padding = str(rng.choice(["valid", "same"]))
        cases.append(Case((size, kernel), {"stride": stride, "padding": padding}))
    return cases


def _conv_output_size() -> FunctionQuestion:
    return FunctionQuestion(
        "conv_output_size(size, kernel_size, stride=1, padding='valid'|'same'): output height of a Conv2D",
        "conv_output_size", _conv_output_cases(),
        hint=["'valid' means no padding: the window must fit entirely inside the image; count the "
              "positions it can start at, every `stride` pixels.",
              "'same' pads just enough that every stride step from the first pixel gets an output: "
              "the answer depends only on size and stride."],
        solution='''
            import math

            def conv_output_size(size, kernel_size, stride=1, padding="valid"):
                if padding == "same":
                    # padded so that every stride step fits
                    return math.ceil(size / stride)
                # "valid": the kernel must fit inside the image
                return (size - kernel_size) // stride + 1
        ''',
        why="These are Keras' rules: 'valid' gives floor((size - k) / stride) + 1, "
            "'same' gives ceil(size / stride), whatever the kernel size.",
        mistakes=[
            Mistake("with padding='same' the output is ceil(size / stride): padding keeps the size "
                    "only when stride is 1.",
                    test=lambda got, exp, case: case.kwargs.get("padding") == "same"
                    and got == case.args[0] and case.kwargs.get("stride", 1) > 1),
            Mistake("'same' rounds *up*: ceil(size / stride). The last, partial step still gets an "
                    "output because the image is padded.",
                    wrong=lambda n, k, stride=1, padding="valid": n // stride if padding == "same"
                    else (n - k) // stride + 1),
            Mistake("you are one short: a kernel of size k fits at (size - k) // stride + 1 positions "
                    "(the + 1 counts the first position).",
                    wrong=lambda n, k, stride=1, padding="valid": -(-n // stride) if padding == "same"
                    else (n - k) // stride),
            Mistake("with padding='same' the formula still applies padding: your result ignores the "
                    "padding and treats 'same' like 'valid'.",
                    wrong=lambda n, k, stride=1, padding="valid": (n - k) // stride + 1),
            Mistake("for 'valid', a last window that does not fit is dropped: round the division down "
                    "(`//`), not up.",
                    wrong=lambda n, k, stride=1, padding="valid": -(-n // stride) if padding == "same"
                    else -(-(n - k) // stride) + 1),
            Mistake("padding kernel_size // 2 on both sides gives 'same' sizes only for an odd kernel; "
                    "Keras' 'same' gives ceil(size / stride) for every kernel size.",
                    wrong=lambda n, k, stride=1, padding="valid": (n - k + 2 * (k // 2)) // stride + 1
                    if padding == "same" else (n - k) // stride + 1),
            Mistake("count the start positions: the first window starts at 0, then one every `stride` "
                    "pixels while it still fits, so (size - kernel_size) // stride + 1; "
                    "(size - kernel_size + 1) // stride is off when stride > 1.",
                    wrong=lambda n, k, stride=1, padding="valid": -(-n // stride) if padding == "same"
                    else (n - k + 1) // stride),
            Mistake("sizes are whole numbers: use floor division `//` (a window that does not fit is "
                    "dropped), not `/`.",
                    wrong=lambda n, k, stride=1, padding="valid": -(-n // stride) if padding == "same"
                    else (n - k) / stride + 1),
        ])


def _cifar_train() -> ValueQuestion:
    return ValueQuestion(
        "the number of training images in CIFAR-10 (a number)", 50000, what="a number",
        hint="CIFAR-10 has 60,000 images in 10 classes, 6,000 per class. A fixed part of them is "
             "kept aside as the test set.",
        solution="answer = 50_000   # 60,000 in total = 50,000 for training + 10,000 for testing",
        why="CIFAR-10's 60,000 images are split into 50,000 training and 10,000 test images "
            "(5,000 and 1,000 per class).",
        mistakes=[
            Mistake("60,000 is the whole data set; part of it is the test set, which must not be trained on.",
                    wrong=60000),
            Mistake("10,000 is the size of the test set. How many are left for training?", wrong=10000),
            Mistake("6,000 is the number of images per class (training and test together).", wrong=6000),
            Mistake("5,000 is the number of training images per class; there are 10 classes.", wrong=5000),
            Mistake("70,000 is MNIST (60,000 training + 10,000 test), not CIFAR-10.", wrong=70000),
            Mistake("give the number of images itself, not in thousands.", wrong=50),
            Mistake("give the number of images, not a fraction of the data set.", wrong=5 / 6),
        ])


def _accuracy_from_logits() -> FunctionQuestion:
    rng = np.random.default_rng(4)
    cases = [
        Case((np.array([[2.0, 0.5, -1.0], [0.1, 0.3, 0.2], [-1.0, -2.0, 3.0], [0.0, 1.0, 0.5]]),
              np.array([0, 2, 2, 1])), note="4 images, 3 classes"),
        Case((rng.normal(size=(20, 10)), rng.integers(0, 10, 20)), note="20 images, 10 classes"),
        Case((np.array([[0.3, -0.2, 1.7, 0.0, 0.4]]), np.array([2])), note="a single image"),
        Case((np.array([[1.5, -0.5], [-0.2, 0.9], [0.3, 0.1]]), np.array([1, 1, 0])), note="2 classes"),
        Case((np.array([[-5.0, -3.0, -4.0], [-2.0, -7.0, -1.0]]), np.array([1, 0])),
             note="all logits negative"),
        Case((np.array([[1000.0, 1001.0], [-1000.0, -999.0]]), np.array([1, 1])), note="huge logits"),
        Case((np.array([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [0.0, 3.0, 3.0]]), np.array([1, 0, 2])),
             note="ties: the first of the tied classes is predicted, as with np.argmax"),
    ]
    return FunctionQuestion(
        "accuracy_from_logits(logits, labels): the fraction of images whose largest logit is the true class",
        "accuracy_from_logits", cases,
        hint=["The predicted class of each image is the column of its largest logit: `np.argmax(..., axis=1)`.",
              "No softmax is needed: it never changes which logit is largest."],
        solution='''
            def accuracy_from_logits(logits, labels):
                # one class per row (ties: the first)
                predicted = np.argmax(logits, axis=1)
                return float(np.mean(predicted == labels))  # a fraction in [0, 1]
        ''',
        why="The prediction is the arg-max of the logits (softmax keeps the order), and accuracy "
            "is the mean of a True/False array.",
        mistakes=[
            Mistake("return a fraction between 0 and 1, not the number of correct images.",
                    wrong=lambda z, y: int(np.sum(np.argmax(z, axis=1) == y))),
            Mistake("return a fraction between 0 and 1, not a percentage.",
                    wrong=lambda z, y: 100 * float(np.mean(np.argmax(z, axis=1) == y))),
            Mistake("with a tie, only the first tied class is the prediction (np.argmax and Keras "
                    "pick the lowest index); a true class that merely ties for the top is not a hit.",
                    wrong=lambda z, y: float(np.mean(z[np.arange(len(y)), y] == z.max(axis=1)))),
            Mistake("a naive softmax overflows on huge logits (exp(1000) = inf, inf/inf = NaN) and the "
                    "arg-max of NaNs is meaningless. Take the arg-max of the logits themselves.",
                    wrong=lambda z, y: float(np.mean(np.argmax(np.exp(z) / np.exp(z).sum(1, keepdims=True),
                                                               axis=1) == y))),
            Mistake("`np.argmax` without `axis` returns one index into the flattened array; take it "
                    "along axis=1, one predicted class per image.",
                    wrong=lambda z, y: float(np.mean(np.argmax(z) == y))),
            Mistake("`argmin` picks the smallest logit; the prediction is the class of the *largest* one.",
                    wrong=lambda z, y: float(np.mean(np.argmin(z, axis=1) == y))),
            Mistake("compare the *index* of the largest logit (`np.argmax`) with the labels, not its value.",
                    wrong=lambda z, y: float(np.mean(z.max(axis=1) == y))),
            Mistake("that is the error rate (the fraction of mistakes); accuracy is the fraction of hits.",
                    wrong=lambda z, y: 1 - float(np.mean(np.argmax(z, axis=1) == y))),
            Mistake("return one number: the mean of the hits, not one True/False per image.",
                    test=lambda got, exp, case: np.ndim(got) == 1 and np.size(got) == len(case.args[1])),
        ],
        error_advice={IndexError: "Is the arg-max taken along axis=1 (over classes, one per image)?",
                      ValueError: "Is the arg-max taken along axis=1 (over classes, one per image)?"})


def build() -> ExerciseSet:
    """The exercise set of Chapter 1."""
    return ExerciseSet("classification", TITLE,
                       [_conv_params(), _conv_output_size(), _cifar_train(), _accuracy_from_logits()],
                       open_questions=["the shapes model with a single block (widths=(8,)): "
                                       "what happens to the accuracy, and why?"])
