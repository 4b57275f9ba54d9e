"""Exercises for Lab A, "Cats vs Dogs: VGG16, Grad-CAM and its mistakes"."""
from __future__ import annotations

from .questions import ExerciseSet, Mistake, ValueQuestion

TITLE = "Cats vs Dogs: VGG16, Grad-CAM and its mistakes"


def _threshold_logit() -> ValueQuestion:
    return ValueQuestion(
        "the model outputs sigmoid(z) and calls a photo 'dog' when the score is >= 0.5: above "
        "which value of the logit z is a photo called 'dog'? (a number)",
        0.0, what="a number",
        hint=["Solve sigmoid(z) = 0.5 for z.",
              "sigmoid(z) = 1 / (1 + exp(-z)); when is exp(-z) equal to 1?"],
        solution="answer = 0.0   # sigmoid(0) = 1 / (1 + 1) = 0.5",
        why="z = 0: a positive logit means 'dog', a negative one 'cat'. That is why Grad-CAM "
            "explains 'cat' with -z: it is the logit of the other class.",
        mistakes=[
            Mistake("0.5 is the threshold on the *score* sigmoid(z); the logit z is 0 there.",
                    wrong=0.5),
            Mistake("sigmoid(1) is about 0.73, not 0.5: solve sigmoid(z) = 0.5.", wrong=1.0),
            Mistake("sigmoid(-1) is about 0.27; the score reaches 0.5 at z = 0.", wrong=-1.0),
        ])


def _mistakes() -> ValueQuestion:
    return ValueQuestion(
        "the notes' 95.05 % test accuracy on their 4,000 test photos: how many photos were "
        "misclassified? (a whole number)",
        198, what="a whole number",
        hint=["The error rate is 100 % - 95.05 %.", "Multiply the error rate by 4,000."],
        solution="answer = round(4000 * (1 - 0.9505))",
        why="198 photos: a small set to look at one by one, which is what the notes did.",
        mistakes=[
            Mistake("that is the number of photos classified *correctly*; the mistakes are the "
                    "rest.", wrong=3802),
            Mistake("give a number of photos, not the error rate.", wrong=0.0495),
            Mistake("4.95 is the error rate in percent; multiply the rate by the 4,000 photos.",
                    wrong=4.95),
            Mistake("the notes tested on 4,000 photos, not 17,000 (that was training).",
                    wrong=841.5),
        ])


def _photos_per_epoch() -> ValueQuestion:
    return ValueQuestion(
        "the notes trained with batch_size 20 and 80 steps per epoch: how many (augmented) "
        "photos did one epoch show the network? (a whole number)",
        1600, what="a whole number",
        hint=["One step is one batch.", "Steps times photos per batch."],
        solution="answer = 80 * 20",
        why="1,600 photos per epoch, under a tenth of the 17,000 training photos: the notes' "
            "'250 epochs' are about 23 passes over the training set.",
        mistakes=[
            Mistake("steps and batch size multiply: each of the 80 steps shows 20 photos.",
                    wrong=100),
            Mistake("17,000 is the size of the training set; with 80 steps of 20 an epoch shows "
                    "fewer photos.", wrong=17000),
            Mistake("80 is the number of steps (batches), not of photos.", wrong=80),
        ])


def _rotation_factor() -> ValueQuestion:
    return ValueQuestion(
        "ImageDataGenerator(rotation_range=40) turns photos by up to 40 degrees; the factor "
        "of keras.layers.RandomRotation for the same range (a number)",
        40 / 360, what="a number",
        hint=["RandomRotation's factor is a fraction of a full turn (2 pi).",
              "What fraction of 360 degrees is 40 degrees?"],
        solution="answer = 40 / 360",
        why="0.111: RandomRotation(0.111) turns by up to +-40 degrees. A factor of 40 would "
            "spin photos by up to 40 full turns, i.e. any angle.",
        mistakes=[
            Mistake("the factor is a fraction of a full turn, not degrees: 40 would mean up to "
                    "40 turns.", wrong=40.0),
            Mistake("a full turn is 360 degrees (2 pi), not 180.", wrong=40 / 180),
            Mistake("that is 40 degrees in radians; the factor is a fraction of 2 pi.",
                    wrong=0.6981317),
            Mistake("0.4 would be 144 degrees; divide 40 by 360.", wrong=0.4),
        ])


def build() -> ExerciseSet:
    """The exercise set of Lab A."""
    return ExerciseSet("lab_pets", TITLE, [_threshold_logit(), _mistakes(),
                                           _photos_per_epoch(), _rotation_factor()])
