"""Exercises for Lab C, "ImageNet's VGG16, Grad-CAM and CAM"."""
from __future__ import annotations

from .questions import ChoiceQuestion, ExerciseSet, Mistake, ValueQuestion

TITLE = "ImageNet's VGG16, Grad-CAM and CAM"


def _gap_gradient() -> ValueQuestion:
    return ValueQuestion(
        "a GAP head averages a 7x7 map A^k, and the dense layer gives it the weight w = 0.7 for "
        "class c: the gradient of the class score y^c with respect to ONE pixel of A^k (a number)",
        0.7 / 49, what="a number",
        hint=["y^c = sum_k w_k * (1/Z) * sum_ij A^k_ij: how many pixels Z does the average divide "
              "by?",
              "Differentiate with respect to one A^k_ij: everything else is a constant."],
        solution="answer = 0.7 / (7 * 7)   # w divided by the number of pixels averaged",
        why="w / Z, the same for every pixel of the map: averaged over the pixels it gives "
            "Grad-CAM's weight w / Z, proportional to CAM's w, hence the same map after scaling.",
        mistakes=[
            Mistake("the average divides by the number of pixels: the gradient is w / Z, not w.",
                    wrong=0.7),
            Mistake("multiply? The average *divides* the sum by Z = 49.", wrong=0.7 * 49),
            Mistake("Z counts the pixels of the 7x7 map, 49, not its side.", wrong=0.7 / 7),
            Mistake("the dense weight w multiplies the average: the gradient is w / Z.",
                    wrong=1 / 49),
        ])


def _french_horn_label() -> ValueQuestion:
    return ValueQuestion(
        "the label that helpers.data.imagenette() gives the French horn photos when all ten "
        "classes are loaded (a number; see IMAGENETTE_CLASSES)",
        5, fact=True, what="a whole number",
        hint=["Labels follow the order of IMAGENETTE_CLASSES (sorted by WordNet id).",
              "Count from 0: tench, English springer, cassette player, chain saw, church, ..."],
        solution="from helpers.data import IMAGENETTE_CLASSES\n"
                 "answer = [name for _, name, _ in IMAGENETTE_CLASSES].index('French horn')",
        why="5: the sixth class. To read an ImageNet network's output use "
            "extras['imagenet_index'] (566 for the French horn), not the label.",
        mistakes=[
            Mistake("labels count from 0: French horn is the sixth class, label 5.", wrong=6),
            Mistake("566 is the French horn's index among ImageNet's 1,000 classes "
                    "(extras['imagenet_index']); the loader's labels are 0 to 9.", wrong=566),
            Mistake("513 is ImageNet's cornet, not a label of the loader.", wrong=513),
        ])


def _which_head() -> ChoiceQuestion:
    return ChoiceQuestion(
        "on which network can plain CAM be computed?",
        {
            "a": "conv base → GAP → Dense, as in `vgg16(head='gap')`",
            "b": "conv base → Flatten → Dense 256 → Dense, as in `vgg16(head='flatten')`",
            "c": "conv base → Flatten → Dense 4096 → Dense 4096 → Dense 1000 (ImageNet's VGG16)",
            "d": "conv base → GAP → Dense 256 → ReLU → Dense (a custom head)",
        },
        "a",
        wrong={
            "b": "head='flatten' is the classic VGG head (Flatten -> Dense 256): Grad-CAM "
                 "works on it, CAM does not.",
            "c": "a flattened head mixes every pixel of every map with its own weight: there "
                 "is no single weight per map for CAM to use.",
            "d": "a ReLU between two dense layers makes the score a non-linear function of "
                 "the averages: no one weight per map exists.",
        },
        hint=["CAM needs the class score to be a weighted sum of the last maps' averages.",
              "Which head has exactly one dense layer right after the Global Average Pooling?"],
        why="Only GAP followed by a single dense layer makes each class score a weighted sum "
            "of the map averages; CAM's weights are that dense layer's weights.")


def _map_size() -> ValueQuestion:
    return ValueQuestion(
        "VGG16's convolutional base on 160x160 photos: the side of block5_conv3's maps, in "
        "pixels (a number)",
        10, what="a whole number",
        hint=["VGG16 has five blocks, each ending in a 2x2 max pooling.",
              "block5_conv3 comes *before* the fifth pooling: count four halvings."],
        solution="answer = 160 // 2 ** 4   # four poolings before block5_conv3",
        why="10 x 10 maps: CAM and Grad-CAM maps at this layer are upsampled from a 10 x 10 grid "
            "(14 x 14 at 224 px).",
        mistakes=[
            Mistake("block5_conv3 comes before block5_pool: only four poolings are applied, "
                    "160 / 16.", wrong=5),
            Mistake("14 is the side for 224-pixel inputs; here the photos are 160 pixels.",
                    wrong=14),
            Mistake("7 is the side after the fifth pooling for 224-pixel inputs.", wrong=7),
            Mistake("each pooling *halves* the side: 160 / 2 / 2 / 2 / 2.", wrong=40),
        ])


def build() -> ExerciseSet:
    """The exercise set of Lab C."""
    return ExerciseSet("lab_cam", TITLE,
                       [_gap_gradient(), _french_horn_label(), _which_head(), _map_size()])
