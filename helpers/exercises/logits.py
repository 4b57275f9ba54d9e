"""Exercises for Chapter 2, "Logits and softmax"."""
from __future__ import annotations

import math

import numpy as np

from .answers import decimals
from .questions import Case, ChoiceQuestion, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Logits and softmax"


# ---- typical wrong implementations, recognised by the checker
def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _global_max_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def _shifted_softmax(shift):
    def softmax(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=1, keepdims=True)
    return softmax


_BAD_SHIFTS = (lambda z: z.mean(axis=1, keepdims=True), lambda z: z[:, :1],
               lambda z: z.min(axis=1, keepdims=True))


def _clipped_softmax(z):
    return _shifted_softmax(lambda c: c.max(axis=1, keepdims=True))(np.clip(z, -500, 500))


def _log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _softmax_over_columns(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_over_everything(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


FAR_APART = "logits 2000 apart in one row"
_SHIFT_ADVICE = ("subtracting a row's mean, its first logit or its minimum is mathematically fine but "
                 "not stable: with logits 0 and 2000 in one row, a shift by anything but the row's "
                 "*maximum* leaves an exponent of 1000 or more, and exp() overflows to inf. Subtract "
                 "`z.max(axis=1, keepdims=True)`, so that every exponent is <= 0.")


def _blows_up_far_apart(got, expected, case) -> bool:
    """The answer is NaN/inf on logits far apart, where the right answer is finite."""
    return (case is not None and np.ptp(case.args[0], axis=1).max() >= 800
            and np.isfinite(expected).all() and not np.isfinite(np.asarray(got, dtype=float)).all())


def _softmax() -> FunctionQuestion:
    rng = np.random.default_rng(2)
    cases = [
        Case((np.array([[1.0, 2.0, 3.0]]),), note="one image, three classes"),
        Case((np.array([[0.0, 0.0, 0.0, 0.0]]),), note="equal logits"),
        Case((rng.normal(size=(5, 4)),), note="5 images, 4 classes"),
        Case((np.array([[1000.0, 1001.0, 1002.0]]),), note="huge logits"),
        Case((np.array([[-1000.0, -1001.0, -1002.0]]),), note="very negative logits"),
        Case((np.array([[800.0, 0.0], [0.0, -800.0]]),), note="rows on very different scales"),
        Case((np.array([[0.0, 2000.0], [-2000.0, 0.0]]),), note=FAR_APART),
        Case((np.array([[3.5]]),), note="a single class"),
        Case((np.array([[2.0, 1.0], [1.0, 2.0], [0.5, 0.5]]),), note="three images, two classes"),
    ]
    return FunctionQuestion(
        "my_softmax(z): probabilities from a (N, K) array of logits, stable for huge and tiny logits",
        "my_softmax", cases,
        hint=["Each row of z is one image's logits; each row of the result must be positive and sum to 1.",
              "softmax(z) = softmax(z - c) for any constant c per row. Which c keeps exp() from overflowing?",
              "Use `z.max(axis=1, keepdims=True)` and `.sum(axis=1, keepdims=True)` so the shapes broadcast."],
        solution='''
            def my_softmax(z):
                # the largest logit of each row becomes 0, so exp() is at most 1
                shifted = z - z.max(axis=1, keepdims=True)
                exps = np.exp(shifted)
                return exps / exps.sum(axis=1, keepdims=True)
        ''',
        why="Subtracting each row's maximum changes nothing mathematically but keeps every exponent "
            "<= 0, so exp() can neither overflow to inf nor make every term underflow to 0.",
        mistakes=[
            Mistake("your softmax returns NaN: exp(1000) overflows to inf (float64 stops near e^709) "
                    "and inf / inf is NaN; for very negative logits every exp() is 0 and 0 / 0 is NaN. "
                    "Subtract each row's maximum before exp().", wrong=_naive_softmax),
            Mistake("subtract each row's own maximum (`z.max(axis=1, keepdims=True)`), not the maximum "
                    "of the whole array: a row far below the global maximum still underflows to 0 / 0.",
                    wrong=_global_max_softmax),
            *[Mistake(_SHIFT_ADVICE, wrong=_shifted_softmax(shift)) for shift in _BAD_SHIFTS],
            Mistake("clipping the logits changes them: logits 1000, 1001 and 1002 clipped to the same "
                    "value get equal probabilities. Shift each row by its maximum instead; that changes "
                    "nothing mathematically.", wrong=_clipped_softmax),
            Mistake("that is the *log* of the softmax (log-probabilities, all <= 0); exponentiate it, "
                    "or compute the probabilities directly.", wrong=_log_softmax),
            Mistake("subtract each row's maximum (`axis=1`), not each column's (`axis=0`): the shift "
                    "must be the same for all the logits of one image.",
                    wrong=_shifted_softmax(lambda z: z.max(axis=0, keepdims=True))),
            Mistake("each *row* (one image) must sum to 1: normalise with `.sum(axis=1, keepdims=True)`, "
                    "not over the columns.", wrong=_softmax_over_columns),
            Mistake("each *row* must sum to 1, not the whole array: sum along axis=1 with keepdims=True.",
                    wrong=_softmax_over_everything),
            Mistake("each *row* must sum to 1, not the whole array: normalise along axis=1 (for "
                    "`scipy.special.softmax`, pass `axis=1`).",
                    test=lambda got, exp, case: np.shape(got) == np.shape(exp) and len(exp) > 1
                    and np.isclose(np.sum(got), 1.0)),
            Mistake(_SHIFT_ADVICE, test=_blows_up_far_apart),
            Mistake("return an array of the input's shape (N, K): one row of probabilities per image.",
                    test=lambda got, exp, case: np.shape(got) != np.shape(exp)),
            Mistake("the rows of the result do not sum to 1.",
                    test=lambda got, exp, case: np.shape(got) == np.shape(exp)
                    and not np.allclose(np.sum(got, axis=-1), 1.0)),
        ],
        error_advice={ValueError: "Shapes that do not broadcast? Keep the summed axis with keepdims=True."})


def _is_dog() -> FunctionQuestion:
    cases = [
        Case((np.array([2.3, -1.7, 0.4, -0.2]),), note="a few logits"),
        Case((np.array([0.0]),), note="a logit of exactly 0, i.e. a score of exactly 0.5"),
        Case((np.array([0.3, 0.6, -0.4]),), note="logits between -0.5 and 0.5"),
        Case((np.array([-1e-9, 1e-9]),), note="logits just either side of 0"),
        Case((np.array([800.0, -800.0, 40.0, -40.0]),), note="huge logits"),
    ]
    return FunctionQuestion(
        "is_dog(logits): True where a sigmoid model scores 'dog' (score >= 0.5), from the logits alone",
        "is_dog", cases,
        hint=["The score is sigmoid(logit). For which logit is sigmoid exactly 0.5?",
              "sigmoid increases, so score >= 0.5 exactly when the logit is >= that value."],
        solution='''
            def is_dog(logits):
                return logits >= 0      # sigmoid(0) = 0.5 and sigmoid is increasing
        ''',
        why="sigmoid(0) = 0.5 and the sigmoid is increasing, so 'score >= 0.5' and 'logit >= 0' "
            "are the same decision: no exp() needed.",
        mistakes=[
            Mistake("a logit of exactly 0 gives a score of exactly 0.5, and the rule is score >= 0.5: "
                    "use >=, not >.", wrong=lambda z: z > 0),
            Mistake("0.5 is the threshold on the *score* (a probability). On the logit scale it is 0, "
                    "because sigmoid(0) = 0.5.", wrong=lambda z: z >= 0.5),
            Mistake("that is the cat rule: 'dog' is the positive class, scores >= 0.5.",
                    wrong=lambda z: z < 0),
            Mistake("return True/False for each logit (a boolean array), not class names or scores.",
                    test=lambda got, exp, case: np.asarray(got).dtype.kind in "USO"),
            Mistake("return True/False for each logit (a boolean array), not scores or signs: compare "
                    "each logit with the threshold.",
                    test=lambda got, exp, case: np.asarray(got).dtype.kind in "fiu"
                    and not np.isin(np.asarray(got), (0, 1)).all()),
            Mistake("return one True/False per logit: an array of the same shape as `logits`.",
                    test=lambda got, exp, case: np.shape(got) != np.shape(exp)),
        ])


def _chance_loss() -> ValueQuestion:
    return ValueQuestion(
        "the cross-entropy (nats) of a 10-class model whose logits are all equal (a number)",
        math.log(10), **decimals(2), what="a number (2 decimals are enough)",
        hint=["Equal logits give equal probabilities: what is the probability of the true class?",
              "Cross-entropy is minus the natural logarithm of the true class's probability."],
        solution="# p(true class) = 1/10, and -ln(1/10) = ln 10 = 2.3026 nats\nanswer = np.log(10)",
        why="Equal logits give p = 1/10 for every class, and -ln(1/10) = ln 10 = 2.303 nats. "
            "A fresh model's loss near ln K means it has not learned anything yet.",
        mistakes=[
            Mistake("that is log10(10). Cross-entropy in Keras (and here) uses the natural logarithm: "
                    "nats, not decimal digits.", wrong=1.0),
            Mistake("that is log2(10): the loss in bits. Keras uses the natural logarithm (nats).",
                    wrong=math.log2(10)),
            Mistake("0.1 is the probability of the true class; the loss is minus its logarithm.", wrong=0.1),
            Mistake("cross-entropy is *minus* the log-probability, so it is never negative.",
                    wrong=-math.log(10)),
            Mistake("with equal logits no class is certain, so the loss is not 0.", wrong=0.0),
            Mistake("0.9 is the probability of the *other* classes together; the loss is minus the "
                    "logarithm of the true class's probability.", wrong=0.9),
            Mistake("10 is the number of classes; the loss is minus the natural logarithm of the true "
                    "class's probability.", wrong=10),
            Mistake("close, but not within the tolerance: keep at least two correct decimals "
                    "(the natural logarithm of the true class's probability).",
                    test=lambda got, exp, case: not isinstance(got, str)
                    and abs(float(got) - exp) <= 0.1 * exp),
        ])


def _naive_cross_entropy(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return np.mean(-np.log(p[np.arange(len(y)), y]))


def _stable_ce_per_sample(z, y):
    m = z.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.exp(z - m).sum(axis=1)) - z[np.arange(len(y)), y]


def _lse(z):
    m = z.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.exp(z - m).sum(axis=1))


def _shifted_cross_entropy(shift):
    def cross_entropy(z, y):
        c = shift(z)
        return np.mean(c[:, 0] + np.log(np.exp(z - c).sum(axis=1)) - z[np.arange(len(y)), y])
    return cross_entropy


def _cross_entropy() -> FunctionQuestion:
    rng = np.random.default_rng(3)
    cases = [
        Case((np.array([[2.0, 1.0, 0.1]]), np.array([0])), note="one image"),
        Case((np.zeros((4, 10)), np.array([0, 3, 7, 9])), note="equal logits: the loss is ln 10"),
        Case((rng.normal(size=(6, 5)) * 2, rng.integers(0, 5, 6)), note="6 images, 5 classes"),
        Case((np.array([[0.0, 800.0]]), np.array([1])), note="confident and right, with a large logit"),
        Case((np.array([[0.0, 800.0]]), np.array([0])), note="a confident mistake: the true class's softmax underflows to 0"),
        Case((np.array([[1000.0, 1001.0, 1002.0]]), np.array([2])), note="huge logits"),
        Case((np.array([[50.0, 0.0, 0.0], [0.0, 50.0, 0.0]]), np.array([0, 1])), note="confident and right"),
        Case((np.array([[0.0, 2000.0], [2000.0, 0.0]]), np.array([0, 0])), note=FAR_APART),
    ]
    return FunctionQuestion(
        "my_cross_entropy(logits, labels): mean softmax cross-entropy in nats, computed stably from logits",
        "my_cross_entropy", cases,
        hint=["Per image: loss = -log softmax(z)[y] = log(sum_j exp(z_j)) - z_y. Then average over images.",
              "Compute log(sum(exp(z))) as m + log(sum(exp(z - m))) with m the row maximum (log-sum-exp).",
              "The true class's logit of each row: `logits[np.arange(len(labels)), labels]`."],
        solution='''
            def my_cross_entropy(logits, labels):
                m = logits.max(axis=1, keepdims=True)
                log_sum_exp = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
                true_logit = logits[np.arange(len(labels)), labels]
                return np.mean(log_sum_exp - true_logit)     # -log softmax(z)[y], averaged
        ''',
        why="-log softmax(z)_y = logsumexp(z) - z_y: with log-sum-exp there is never a log(0), "
            "which is why Keras wants from_logits=True.",
        mistakes=[
            Mistake("log(sum(exp(z))) overflows: exp(800) is already inf in float64. Shift first: "
                    "log(sum(exp(z))) = m + log(sum(exp(z - m))) with m the row maximum.",
                    wrong=lambda z, y: np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])),
            *[Mistake("your log-sum-exp is shifted by the wrong constant: " + _SHIFT_ADVICE,
                      wrong=_shifted_cross_entropy(shift)) for shift in _BAD_SHIFTS],
            Mistake("log(softmax(z)) breaks when a probability underflows to 0 (log 0 = -inf) or "
                    "exp() overflows (NaN). Use log-sum-exp: loss = logsumexp(z) - z[y].",
                    wrong=_naive_cross_entropy),
            Mistake("return one number, the mean over the batch, not one loss per image.",
                    test=lambda got, exp, case: np.ndim(got) == 1 and np.size(got) == len(case.args[1])),
            Mistake("`logits[:, labels]` picks every label's column for every image (an N x N array); "
                    "pair each row with its own label: `logits[np.arange(len(labels)), labels]`.",
                    wrong=lambda z, y: np.mean(_lse(z)[:, None] - z[:, y])),
            Mistake("the loss is the *mean* over the batch, not the sum.",
                    wrong=lambda z, y: np.sum(_stable_ce_per_sample(z, y))),
            Mistake("cross-entropy is minus the log-probability, so it is never negative: check the sign.",
                    wrong=lambda z, y: -np.mean(_stable_ce_per_sample(z, y))),
            Mistake("use the natural logarithm (nats), as Keras does, not log10.",
                    wrong=lambda z, y: np.mean(_stable_ce_per_sample(z, y)) / np.log(10)),
            Mistake("use the natural logarithm (nats), as Keras does, not log2.",
                    wrong=lambda z, y: np.mean(_stable_ce_per_sample(z, y)) / np.log(2)),
            Mistake("the loss uses the probability of the *true* label y, not of the predicted class.",
                    wrong=lambda z, y: _cross_entropy_of(z, z.argmax(axis=1))),
            Mistake("the result is inf or NaN where the right answer is finite: an exp() overflowed, or "
                    "a probability rounded to 0 before its log was taken. Use log-sum-exp, shifted by "
                    "the row maximum: loss = m + log(sum(exp(z - m))) - z[y].",
                    test=lambda got, exp, case: np.isfinite(exp) and not np.isfinite(got)),
        ])


def _cross_entropy_of(z, y):
    return np.mean(_stable_ce_per_sample(z, y))


def _why_logits() -> ChoiceQuestion:
    return ChoiceQuestion(
        "why do the gradient-based explanation methods of Part II differentiate a class's "
        "logit rather than its softmax probability?",
        {
            "a": "A class's probability also moves with the other classes' logits, and "
                 "flattens near 0 and 1.",
            "b": "Logits are always positive, so their gradients are easier to read and to "
                 "compare across classes.",
            "c": "Softmax has no derivative once the logits are large, so a probability has "
                 "no gradient there.",
            "d": "A class's probability does not change when the input image changes by a "
                 "small amount.",
        },
        "a",
        wrong={
            "b": "logits can be any real number, negative ones included; that is why softmax "
                 "exponentiates them.",
            "c": "softmax is smooth and differentiable everywhere (training relies on it); "
                 "the trouble is what its gradient looks like, not whether it exists.",
            "d": "a probability does depend on the image; the point is what *else* it depends"
                 " on and how flat it gets near 0 and 1.",
        },
        hint=["Think about what else a class's softmax probability depends on, and about the "
              "slope of softmax when the model is already very sure."],
        why="A probability mixes in every other class's logit and flattens out near 0 and 1, "
            "where its gradient all but vanishes; the logit keeps the evidence for one class,"
            " unsquashed.")


def build() -> ExerciseSet:
    """The exercise set of Chapter 2."""
    return ExerciseSet("logits", TITLE, [_softmax(), _is_dog(), _chance_loss(), _cross_entropy(), _why_logits()])
