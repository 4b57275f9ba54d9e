"""Exercises for Chapter 5, "Gradients as explanations"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Gradients as explanations"


# --------------------------------------------------------------------------- test functions
class _Score:
    """A named scalar function of an array, shown by its formula in the checker's messages."""

    def __init__(self, text, function, gradient=None):
        self.text, self.function, self.gradient = text, function, gradient

    def __call__(self, v):
        return self.function(np.asarray(v, dtype=np.float64))

    def __repr__(self):
        return self.text

    def __deepcopy__(self, memo):
        return self


class _Gradient(_Score):
    """The gradient of a named function: an array like its input."""


_W3 = np.array([0.5, -1.0, 2.0])
_CUBIC = _Score("f(v) = sum(v**3)", lambda v: float(np.sum(v ** 3)))
_MIXED = _Score("f(v) = v[0] * v[1] + sin(v[2])", lambda v: float(v[0] * v[1] + np.sin(v[2])))
_EXP = _Score("f(v) = log(sum(exp(v)))", lambda v: float(np.log(np.sum(np.exp(v)))))

_QUADRATIC_GRAD = _Gradient("grad f(v) = 2 * [0.5, -1, 2] * v  (f(v) = sum([0.5, -1, 2] * v**2))",
                            lambda v: 2 * _W3 * v)
_COS_GRAD = _Gradient("grad f(v) = cos(v)  (f(v) = sum(sin(v)))", lambda v: np.cos(v))
_RELU_GRAD = _Gradient("grad f(v) = (v > 0.5) * 1.0  (f(v) = sum(relu(v - 0.5)))",
                       lambda v: (v > 0.5).astype(np.float64))


# --------------------------------------------------------------------------- 1. central differences
def _forward_difference(f, x, eps):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(len(x)):
        up = x.copy()
        up[i] += eps
        out[i] = (f(up) - f(x)) / eps
    return out


def _half_step(f, x, eps):
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (f(up) - f(down)) / eps
    return out


def _all_at_once(f, x, eps):
    x = np.asarray(x, dtype=float)
    return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))


def _in_place(f, x, eps):
    x = np.asarray(x, dtype=float).copy()
    out = np.zeros_like(x)
    for i in range(len(x)):
        x[i] += eps
        up = f(x)
        x[i] -= 2 * eps                  # never put back
        out[i] = (up - f(x)) / (2 * eps)
    return out


def _integer_copy(f, x, eps):
    x = np.asarray(x)
    out = np.zeros(x.shape)
    for i in range(len(x)):
        up, down = x.copy(), x.copy()    # an int array stays int: += eps is lost
        up[i] += eps
        down[i] -= eps
        out[i] = (f(up) - f(down)) / (2 * eps)
    return out


def _central_difference() -> FunctionQuestion:
    cases = [
        Case((_CUBIC, np.array([1.0, 2.0, -1.0]), 0.1), note="a cubic, eps = 0.1"),
        Case((_MIXED, np.array([0.5, -2.0, 1.0]), 0.05), note="coordinates that interact"),
        Case((_EXP, np.array([0.1, 0.7, -0.3, 1.2]), 0.01), note="four coordinates"),
        Case((_CUBIC, np.array([1, 2, 3]), 0.25), note="an integer array x"),
    ]
    return FunctionQuestion(
        "central_difference(f, x, eps): the central-difference estimate of f's gradient at x "
        "(an array like x)",
        "central_difference", cases, rtol=1e-3, atol=1e-5,
        # about precision: f's float32 round-off (~1e-7 * |f|) is divided by 2 * eps
        # (0.02 here), so a float32 estimate is good to about 1e-5, not to 1e-7
        hint=["For each coordinate i, evaluate f at a copy of x with `eps` added to x[i] only, and "
              "at a copy with `eps` subtracted; the estimate is the difference over `2 * eps`.",
              "Work on float copies: `x.astype(float)` (an integer array would silently drop the "
              "step), and never change x itself."],
        solution='''
            def central_difference(f, x, eps):
                x = np.asarray(x, dtype=float)         # floats: an int array drops the step
                grad = np.zeros_like(x)
                for i in range(x.size):
                    up, down = x.copy(), x.copy()      # fresh copies: x itself never changes
                    up[i] += eps
                    down[i] -= eps
                    grad[i] = (f(up) - f(down)) / (2 * eps)
                return grad
        ''',
        why="Two evaluations of f per coordinate; stepping both ways cancels the error term "
            "proportional to eps. This is the course notes' 'change each pixel a little' made "
            "precise, and on an image it costs 2 forward passes per pixel and channel.",
        mistakes=[
            Mistake("that is a one-sided (forward) difference, (f(x + eps e_i) - f(x)) / eps: its "
                    "error shrinks only like eps. Step both ways and divide by 2 * eps.",
                    wrong=_forward_difference),
            Mistake("the two evaluations are 2 * eps apart: divide their difference by `2 * eps`, "
                    "not `eps`.", wrong=_half_step),
            Mistake("you moved every coordinate at once, which estimates the slope along the "
                    "all-ones direction (the same number in every entry). Nudge one coordinate "
                    "at a time.", wrong=_all_at_once),
            Mistake("x was changed in place and not restored, so each coordinate is measured at a "
                    "shifted point. Nudge fresh copies of x.", wrong=_in_place),
            Mistake("x holds integers here, so its copies are integer arrays and `+= eps` is "
                    "rounded away. Convert first: `x = np.asarray(x, dtype=float)`.",
                    wrong=_integer_copy),
        ])


# --------------------------------------------------------------------------- 2. counting passes
def _passes() -> ValueQuestion:
    return ValueQuestion(
        "forward passes for a central-difference saliency map of one 32 x 32 RGB image (a number)",
        6144, what="a whole number of forward passes",
        hint=["How many numbers does a 32 x 32 RGB image hold? Each one is nudged separately.",
              "A central difference evaluates the network twice per number: once nudged up, once "
              "down. The clean image itself is not needed."],
        solution="answer = 2 * 32 * 32 * 3   # two passes per pixel and colour channel: 6144",
        why="2 x 32 x 32 x 3 = 6144 forward passes, against one forward and one backward pass "
            "for backpropagation: the same gradient, and the cost of finite differences grows "
            "with the number of pixels while backpropagation's does not.",
        mistakes=[
            Mistake("each of the 3 colour channels of a pixel is a separate input: count "
                    "32 x 32 x 3 numbers, not 32 x 32 pixels.", wrong=2048),
            Mistake("a central difference evaluates the network twice per number (up and down), "
                    "and the image has 3 channels.", wrong=1024),
            Mistake("that is one pass per number; a central difference needs two (nudged up and "
                    "nudged down).", wrong=3072),
            Mistake("3072 + 1 is the cost of *one-sided* differences (each nudge compared with the "
                    "clean image); the central difference needs two nudged passes per number.",
                    wrong=3073),
            Mistake("the central difference compares the two nudged images with each other: the "
                    "clean image's pass is not needed.", wrong=6145),
            Mistake("that is backpropagation's cost (one forward and one backward pass); the "
                    "question is about finite differences.", wrong=2),
        ])


# --------------------------------------------------------------------------- 3. Integrated Gradients
def _ig(grad_f, x, baseline, n_steps, alphas):
    x, b = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    mean = np.mean([grad_f(b + a * (x - b)) for a in alphas], axis=0)
    return (x - b) * mean


def _ig_left(grad_f, x, baseline, n_steps):
    return _ig(grad_f, x, baseline, n_steps, np.arange(n_steps) / n_steps)


def _ig_right(grad_f, x, baseline, n_steps):
    return _ig(grad_f, x, baseline, n_steps, (np.arange(n_steps) + 1) / n_steps)


def _ig_both_ends(grad_f, x, baseline, n_steps):
    return _ig(grad_f, x, baseline, n_steps, np.linspace(0.0, 1.0, n_steps))


def _ig_no_difference(grad_f, x, baseline, n_steps):
    x, b = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    return np.mean([grad_f(b + (k + 0.5) / n_steps * (x - b)) for k in range(n_steps)], axis=0)


def _ig_sum(grad_f, x, baseline, n_steps):
    return n_steps * _ig(grad_f, x, baseline, n_steps, (np.arange(n_steps) + 0.5) / n_steps)


def _ig_times_x(grad_f, x, baseline, n_steps):
    x, b = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    mean = np.mean([grad_f(b + (k + 0.5) / n_steps * (x - b)) for k in range(n_steps)], axis=0)
    return x * mean


def _gradient_times_input(grad_f, x, baseline, n_steps):
    x, b = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    return (x - b) * grad_f(x)


def _ig_reversed(grad_f, x, baseline, n_steps):
    return -_ig(grad_f, x, baseline, n_steps, (np.arange(n_steps) + 0.5) / n_steps)


def _integrated_gradients() -> FunctionQuestion:
    x4 = np.array([0.9, 0.2, 0.6, 1.0])
    cases = [
        Case((_QUADRATIC_GRAD, np.array([1.0, 0.5, -0.5]), np.zeros(3), 4),
             note="a quadratic, black baseline, 4 steps"),
        Case((_COS_GRAD, x4, np.zeros(4), 5), note="f = sum(sin(v)), 5 steps"),
        Case((_COS_GRAD, x4, np.full(4, 0.5), 3), note="a grey baseline (0.5), not black"),
        Case((_RELU_GRAD, x4, np.zeros(4), 8), note="a ReLU: the gradient jumps along the path"),
        Case((_RELU_GRAD, np.array([0.55, 0.95]), np.zeros(2), 1), note="a single step"),
    ]
    return FunctionQuestion(
        "integrated_gradients(grad_f, x, baseline, n_steps): IG attributions with the midpoint "
        "rule, alpha_k = (k + 0.5) / n_steps",
        "integrated_gradients", cases,
        hint=["The points of the path are `baseline + alpha * (x - baseline)` for "
              "`alpha = (k + 0.5) / n_steps`, k = 0, ..., n_steps - 1. Average `grad_f` over them.",
              "Multiply the averaged gradient by `x - baseline`, entry by entry. Check: the "
              "attributions should add up to about f(x) - f(baseline) (completeness)."],
        solution='''
            def integrated_gradients(grad_f, x, baseline, n_steps):
                x, baseline = np.asarray(x, float), np.asarray(baseline, float)
                alphas = (np.arange(n_steps) + 0.5) / n_steps        # midpoints of n equal steps
                path = [baseline + a * (x - baseline) for a in alphas]
                mean_gradient = np.mean([grad_f(p) for p in path], axis=0)
                return (x - baseline) * mean_gradient
        ''',
        why="The average gradient along the path, times the distance travelled in each "
            "coordinate: the attributions add up to f(x) - f(baseline), up to the error of the "
            "midpoint rule.",
        mistakes=[
            Mistake("that is gradient times input, (x - baseline) * grad_f(x): the gradient at the "
                    "image only. Average it over the points of the path.",
                    wrong=_gradient_times_input),
            Mistake("multiply the averaged gradient by `x - baseline`: an attribution is a slope "
                    "times a distance.", wrong=_ig_no_difference),
            Mistake("you summed the gradients over the steps; average them (divide by n_steps), "
                    "the integral over alpha in [0, 1] is a mean.", wrong=_ig_sum),
            Mistake("those are the left ends of the intervals, alpha = k / n_steps; use the "
                    "midpoints, (k + 0.5) / n_steps.", wrong=_ig_left),
            Mistake("`np.linspace(0, 1, n_steps)` puts points at both ends of the path, 0 and 1, "
                    "with equal weights; use the midpoints, (k + 0.5) / n_steps.",
                    wrong=_ig_both_ends),
            Mistake("those are the right ends of the intervals, alpha = (k + 1) / n_steps; use "
                    "the midpoints, (k + 0.5) / n_steps.", wrong=_ig_right),
            Mistake("multiply by `x - baseline`, not by `x`: the two differ unless the baseline "
                    "is black.", wrong=_ig_times_x),
            Mistake("the sign is reversed: the path goes from the baseline to x, and the "
                    "distance is `x - baseline`.", wrong=_ig_reversed),
        ])


# --------------------------------------------------------------------------- 4. occlusion
def _occlusion(f, image, patch, baseline, drop=True, copy=True, transpose=False):
    image = np.asarray(image, dtype=float)
    work = image
    clean = f(image)
    rows, cols = image.shape[0] // patch, image.shape[1] // patch
    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            hidden = work.copy() if copy else work
            hidden[r * patch:(r + 1) * patch, c * patch:(c + 1) * patch] = baseline
            out[r, c] = clean - f(hidden) if drop else f(hidden) - clean
    return out.T if transpose else out


def _occ_rise(f, image, patch, baseline=0.0):
    return _occlusion(f, image, patch, baseline, drop=False)


def _occ_cumulative(f, image, patch, baseline=0.0):
    return _occlusion(f, np.array(image, dtype=float), patch, baseline, copy=False)


def _occ_transposed(f, image, patch, baseline=0.0):
    return _occlusion(f, image, patch, baseline, transpose=True)


def _occ_black(f, image, patch, baseline=0.0):
    return _occlusion(f, image, patch, 0.0)


def _occ_score(f, image, patch, baseline=0.0):
    image = np.asarray(image, dtype=float)
    return f(image) - _occlusion(f, image, patch, baseline)


_H_W = np.linspace(-1.0, 1.0, 24).reshape(4, 6)
_LINEAR = _Score("f(img) = sum(w * img), w = np.linspace(-1, 1, 24).reshape(4, 6)",
                 lambda img: float(np.sum(_H_W * img)))
_SQUARE = _Score("f(img) = (mean of the top-left 2 x 2 corner)**2 + mean(img)",
                 lambda img: float(np.mean(img[:2, :2]) ** 2 + np.mean(img)))
_BRIGHT = _Score("f(img) = max(img)", lambda img: float(np.max(img)))


def _occlusion_question() -> FunctionQuestion:
    rng = np.random.default_rng(5)
    img = rng.random((4, 6))
    square = rng.random((4, 4))
    cases = [
        Case((_LINEAR, img, 2), note="a linear score, a 4 x 6 image, 2 x 2 patches"),
        Case((_SQUARE, square, 2), note="a non-linear score on a 4 x 4 image"),
        Case((_LINEAR, img, 2), {"baseline": 0.5}, note="a grey baseline, 0.5"),
        Case((_BRIGHT, img, 2), note="the score is the brightest pixel"),
        Case((_SQUARE, img, 1), note="1 x 1 patches: one per pixel"),
    ]
    return FunctionQuestion(
        "occlusion_map(f, image, patch, baseline=0.0): the score's drop when each patch x patch "
        "block is set to baseline, one number per block",
        "occlusion_map", cases,
        hint=["There are (H // patch) x (W // patch) blocks. For block (r, c), copy the image, set "
              "`hidden[r*patch:(r+1)*patch, c*patch:(c+1)*patch] = baseline`, and score the copy.",
              "The entry is the *drop*, `f(image) - f(hidden)`: positive where hiding the block "
              "lowers the score. Use a fresh copy for every block."],
        solution='''
            def occlusion_map(f, image, patch, baseline=0.0):
                image = np.asarray(image, dtype=float)
                clean = f(image)
                rows, cols = image.shape[0] // patch, image.shape[1] // patch
                drops = np.zeros((rows, cols))
                for r in range(rows):
                    for c in range(cols):
                        hidden = image.copy()            # hide one block at a time
                        hidden[r * patch:(r + 1) * patch, c * patch:(c + 1) * patch] = baseline
                        drops[r, c] = clean - f(hidden)  # how much the score falls
                return drops
        ''',
        why="One forward pass per block (plus the clean one), no gradient: each entry is how much "
            "the score needed that block. Overlapping positions (a stride smaller than the "
            "patch) give a finer map for more passes.",
        mistakes=[
            Mistake("the sign is reversed: record the *drop*, f(image) - f(hidden), so that blocks "
                    "the score needs come out positive.", wrong=_occ_rise),
            Mistake("the blocks accumulate: each block is hidden on an image where the earlier "
                    "ones are still hidden. Start every block from a fresh copy of the image.",
                    wrong=_occ_cumulative),
            Mistake("rows and columns are swapped: entry [r, c] is the block in row r (y) and "
                    "column c (x), as in image[r*patch:..., c*patch:...].", wrong=_occ_transposed),
            Mistake("hidden pixels must take the value `baseline` (here 0.5), not 0.",
                    wrong=_occ_black),
            Mistake("that is the score of the occluded image; the map holds the drop, "
                    "f(image) - f(hidden).", wrong=_occ_score),
            Mistake("return one number per block, an array of shape (H // patch, W // patch), "
                    "not one per pixel.",
                    test=lambda got, exp, case: np.ndim(got) == 2 and np.shape(got) != np.shape(exp)
                    and np.shape(got) == np.shape(case.args[1])),
        ],
        error_advice={IndexError: "The map has (H // patch) x (W // patch) entries: loop over "
                                  "blocks, not pixels."})


# --------------------------------------------------------------------------- 5. completeness
def _completeness() -> ValueQuestion:
    return ValueQuestion(
        "IG attributions (black baseline) sum to 3.1 and the image's logit is 5.0: the black "
        "image's logit (a number)",
        1.9, what="a number (a logit)",
        hint=["Completeness: the attributions add up to y(image) - y(baseline).",
              "Solve 3.1 = 5.0 - y(black) for y(black)."],
        solution="answer = 5.0 - 3.1   # completeness: sum of attributions = y(x) - y(x')",
        why="Completeness says the attributions account for the whole change of the logit from "
            "the baseline to the image: 5.0 - 1.9 = 3.1. (With a finite number of steps this "
            "holds up to the integration error.)",
        mistakes=[
            Mistake("the attributions are the *difference* y(image) - y(baseline), not something "
                    "to add to the image's logit.", wrong=8.1),
            Mistake("the sign is reversed: y(black) = y(image) - sum of attributions.", wrong=-1.9),
            Mistake("3.1 is the sum of the attributions, the change of the logit; the question is "
                    "the baseline's own logit.", wrong=3.1),
            Mistake("a black image's logit is not zero in general (biases, batch normalisation); "
                    "completeness gives it: y(black) = y(image) - sum of attributions.", wrong=0.0),
        ])


def build() -> ExerciseSet:
    """The exercise set of Chapter 5."""
    return ExerciseSet("gradients", TITLE, [_central_difference(), _passes(),
                                            _integrated_gradients(), _occlusion_question(),
                                            _completeness()])
