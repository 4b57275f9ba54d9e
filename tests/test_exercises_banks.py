"""Banks of wrong answers that learners really write, one bank per exercise (Chapters 1-4).

Every wrong answer in a bank must be rejected, with a message specific to that mistake
(never the generic "different values"), and without giving the right answer away.
Every right form (lists, arrays, NumPy scalars, SciPy/vectorised/looped versions) must
be accepted. The rule for several-part answers is the same for numbers and choices:
a tuple, a list or a 1-D array of the right length; a one-part answer is one value.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sps
import sklearn.metrics as skm

from helpers.exercises import CORRECT, INCORRECT, load
from helpers.exercises import FunctionQuestion, ValueQuestion
from helpers.exercises.display import fmt
from helpers.exercises.metrics import RANDOM_TOLERANCE
from exercise_support import first_wrong_answer

GENERIC = ("different values", "a different answer")


def _q(slug, number):
    return getattr(load(slug), f"q{number}")


# --------------------------------------------------------------------------- wrong forms, Ch. 1
def _same_pad_half_kernel(n, k, stride=1, padding="valid"):
    pad = k // 2 if padding == "same" else 0            # PyTorch habit: right for odd k only
    return (n - k + 2 * pad) // stride + 1


CLASSIFICATION = {
    1: [(lambda k, i, o: k * k * i * o, "forgot the bias"),
        (lambda k, i, o: (k * k + 1) * o, "spans every input channel"),
        (lambda k, i, o: (k * i + 1) * o, "kernel is square"),
        (lambda k, i, o: (k * k * i + i) * o, "one bias per filter"),
        (lambda k, i, o: k * k * i + 1, "out_channels such filters"),
        (lambda k, i, o: k * k * i * o + 1, "one bias per filter"),
        (lambda k, i, o: [(k * k * i + 1) * o], "expected one number"),
        (lambda k, i, o: str((k * k * i + 1) * o), "expected a number"),
        (320, "expected a function")],
    2: [(lambda n, k, stride=1, padding="valid": n if padding == "same" else (n - k) // stride + 1,
         "only when stride is 1"),
        (lambda n, k, stride=1, padding="valid": n // stride if padding == "same"
         else (n - k) // stride + 1, "rounds *up*"),
        (lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
         else (n - k) // stride, "one short"),
        (lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
         else (n - k) / stride + 1, "floor division"),
        (lambda n, k, stride=1, padding="valid": (n - k) // stride + 1, "ignores the padding"),
        (lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
         else math.ceil((n - k) / stride) + 1, "does not fit is dropped"),
        (_same_pad_half_kernel, "odd kernel"),
        (lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
         else (n - k + 1) // stride, "start positions")],
    3: [(60000, "whole data set"), (10000, "test set"), (6000, "per class"),
        (5000, "per class"), (70000, "MNIST"), (50, "not in thousands"),
        (5 / 6, "not a fraction"), ("50000", "got the string"), (True, "truth value"),
        ([50000], "expected one number")],
    4: [(lambda z, y: int(np.sum(z.argmax(axis=1) == y)), "not the number of correct"),
        (lambda z, y: 100 * np.mean(z.argmax(axis=1) == y), "not a percentage"),
        (lambda z, y: np.mean(z[np.arange(len(y)), y] == z.max(axis=1)), "with a tie"),
        (lambda z, y: np.mean((np.exp(z) / np.exp(z).sum(1, keepdims=True)).argmax(axis=1) == y),
         "naive softmax overflows"),
        (lambda z, y: np.mean(z.argmax(axis=0) == y), "axis=1"),
        (lambda z, y: np.mean(z.argmin(axis=1) == y), "smallest logit"),
        (lambda z, y: np.mean(z.max(axis=1) == y), "*index* of the largest"),
        (lambda z, y: z.argmax(axis=1) == y, "one number"),
        (lambda z, y: 1 - np.mean(z.argmax(axis=1) == y), "error rate"),
        (lambda z, y: np.mean(np.argmax(z) == y), "without `axis`"),
        (0.75, "expected a function")],
}

CLASSIFICATION_RIGHT = {
    1: [lambda k, i, o: np.int64(k * k * i * o + o), lambda k, i, o: float((k * k * i + 1) * o)],
    2: [lambda n, k, stride=1, padding="valid": -(-n // stride) if padding == "same"
        else (n - k) // stride + 1,
        lambda n, k, stride=1, padding="valid": int(np.ceil(n / stride)) if padding == "same"
        else math.floor((n - k) / stride) + 1,
        lambda n, k, stride=1, padding="valid": (n + stride - 1) // stride if padding.lower() == "same"
        else len(range(0, n - k + 1, stride))],
    3: [50000, 50_000.0, np.int64(50000), np.array(50000)],
    4: [lambda z, y: np.mean(np.argmax(z, axis=1) == y),
        lambda z, y: np.mean(sps.softmax(z, axis=1).argmax(axis=1) == y),
        lambda z, y: sum(int(np.argmax(row) == t) for row, t in zip(z, y)) / len(y)],
}


# --------------------------------------------------------------------------- wrong forms, Ch. 2
def _shifted_softmax(shift):
    def softmax(z):
        e = np.exp(z - shift(z))
        return e / e.sum(axis=1, keepdims=True)
    return softmax


def _shifted_ce(shift):
    def cross_entropy(z, y):
        c = shift(z)
        lse = c[:, 0] + np.log(np.exp(z - c).sum(axis=1))
        return np.mean(lse - z[np.arange(len(y)), y])
    return cross_entropy


def _stable_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _lse(z):
    return sps.logsumexp(z, axis=1)


ROW_MAX = lambda z: z.max(axis=1, keepdims=True)           # noqa: E731
ROW_MEAN = lambda z: z.mean(axis=1, keepdims=True)         # noqa: E731
FIRST = lambda z: z[:, :1]                                 # noqa: E731
ROW_MIN = lambda z: z.min(axis=1, keepdims=True)           # noqa: E731

LOGITS = {
    1: [(lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), "exp(1000) overflows"),
        (_shifted_softmax(lambda z: z.max()), "each row's own maximum"),
        (_shifted_softmax(ROW_MEAN), "row's mean"),
        (_shifted_softmax(FIRST), "first logit"),
        (_shifted_softmax(ROW_MIN), "*maximum*"),
        (lambda z: np.exp(z - ROW_MAX(z)) / np.exp(z - ROW_MAX(z)).sum(axis=0, keepdims=True),
         "not over the columns"),
        (lambda z: np.exp(z - ROW_MAX(z)) / np.exp(z - ROW_MAX(z)).sum(), "not the whole array"),
        (lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1), "keepdims=True"),
        (lambda z: _stable_softmax(np.clip(z, -500, 500)), "clipping"),
        (lambda z: _stable_softmax(np.clip(z, -700, 700)), "clipping"),
        (lambda z: _stable_softmax(z)[:, 0], "input's shape"),
        (lambda z: z - _lse(z)[:, None], "*log* of the softmax"),
        (lambda z: sps.softmax(z), "the whole array"),
        (_shifted_softmax(lambda z: z.max(axis=0, keepdims=True)), "not each column's"),
        (_stable_softmax(np.array([[1.0, 2.0]])), "expected a function")],
    2: [(lambda z: z > 0, "use >=, not >"),
        (lambda z: z >= 0.5, "On the logit scale it is 0"),
        (lambda z: z < 0, "cat rule"),
        (lambda z: 1 / (1 + np.exp(-z)) > 0.5, "use >=, not >"),
        (lambda z: np.where(z >= 0, "dog", "cat"), "not class names"),
        (lambda z: sps.expit(z), "not scores"),
        (lambda z: np.sign(z), "not scores"),
        (lambda z: np.round(sps.expit(z)), "use >=, not >"),
        (lambda z: bool(np.all(z >= 0)), "same shape")],
    3: [(1.0, "log10"), (math.log2(10), "log2(10)"), (0.1, "probability of the true class"),
        (-math.log(10), "never negative"), (0.0, "not 0"), (0.9, "*other* classes"),
        (10, "number of classes"), ("2.3", "got the string"), ([math.log(10)], "expected one number"),
        (2.2, "close, but not within the tolerance")],
    4: [(lambda z, y: np.mean(-np.log((np.exp(z) / np.exp(z).sum(1, keepdims=True))[np.arange(len(y)), y])),
         "log-sum-exp"),
        (lambda z, y: np.sum(_lse(z) - z[np.arange(len(y)), y]), "*mean*"),
        (lambda z, y: -np.mean(_lse(z) - z[np.arange(len(y)), y]), "check the sign"),
        (lambda z, y: np.mean(_lse(z) - z[np.arange(len(y)), y]) / np.log(10), "not log10"),
        (lambda z, y: np.mean(_lse(z) - z[np.arange(len(y)), y]) / np.log(2), "not log2"),
        (lambda z, y: np.mean(_lse(z) - z.max(axis=1)), "*true* label"),
        (_shifted_ce(ROW_MEAN), "wrong constant"),
        (_shifted_ce(FIRST), "wrong constant"),
        (lambda z, y: np.mean(-np.log(_stable_softmax(z)[np.arange(len(y)), y])),
         "rounded to 0 before its log"),
        (lambda z, y: _lse(z) - z[np.arange(len(y)), y], "not one loss per image"),
        (lambda z, y: np.mean(_lse(z)[:, None] - z[:, y]), "pair each row with its own label"),
        (lambda z, y: np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]),
         "log(sum(exp(z))) overflows")],
    5: [("b", "any real number"), ("c", "differentiable"), ("d", "does depend on the image"),
        ("z", "not one of the choices"), (["b"], "plain string"), (("b",), "plain string"),
        (np.array(["b"]), "plain string"), (2, "not one of the choices"), ("b)", "not one of the choices")],
}

LOGITS_RIGHT = {
    1: [lambda z: sps.softmax(z, axis=1), lambda z: np.exp(z - sps.logsumexp(z, axis=1, keepdims=True)),
        lambda z: np.array([np.exp(r - r.max()) / np.exp(r - r.max()).sum() for r in z]),
        lambda z: _stable_softmax(z).astype(np.float32)],
    2: [lambda z: z >= 0, lambda z: sps.expit(z) >= 0.5, lambda z: [v >= 0 for v in z],
        lambda z: np.greater_equal(z, 0.0)],
    3: [math.log(10), 2.3, 2.30, np.float32(2.3026), np.log(10)],
    4: [lambda z, y: np.mean(sps.logsumexp(z, axis=1) - z[np.arange(len(y)), y]),
        lambda z, y: -np.mean(sps.log_softmax(z, axis=1)[np.arange(len(y)), y]),
        lambda z, y: float(np.mean([sps.logsumexp(r) - r[t] for r, t in zip(z, y)]))],
    5: ["a", "A", " a ", np.str_("a")],
}


# --------------------------------------------------------------------------- wrong forms, Ch. 3
def _counts(y_true, y_pred, positive=1):
    tp = np.sum((y_pred == positive) & (y_true == positive))
    return tp, np.sum((y_pred == positive) & (y_true != positive)), np.sum((y_pred != positive) & (y_true == positive))


def _pr_with(zero_value, positive=1):
    def precision_recall(y_true, y_pred):
        tp, fp, fn = _counts(y_true, y_pred, positive)
        return (tp / (tp + fp) if tp + fp else zero_value), (tp / (tp + fn) if tp + fn else zero_value)
    return precision_recall


def _f1_nan_for_unpredicted(y_true, y_pred):
    scores = []
    for c in np.union1d(y_true, y_pred):
        tp, fp, fn = _counts(y_true, y_pred, c)
        p, r = tp / (tp + fp), tp / (tp + fn)
        scores.append(2 * p * r / (p + r))
    return float(np.mean(scores))


def _f1_per_class(y_true, y_pred):
    return skm.f1_score(y_true, y_pred, average=None, labels=np.union1d(y_true, y_pred))


METRICS = {
    1: [(0.75, "that is the recall"), (0.98, "that is the accuracy"), (90, "not a percentage"),
        (90.0, "not a percentage"), (2 * 45 / (2 * 45 + 5 + 15), "that is F1"), (0.1, "not* spam"),
        (0.05, "share of *all* mails"), (0.045, "divide by the flagged"), (0.89, "close, but not"), ([0.9], "expected one number"),
        ("0.9", "got the string")],
    2: [(lambda t, p: _pr_with(0.0)(t, p)[::-1], "swapped"),
        (lambda t, p: (np.sum((p == 1) & (t == 1)) / np.sum(p == 1), np.sum((p == 1) & (t == 1)) / np.sum(t == 1)),
         "Return 0"),
        (lambda t, p: (int(np.sum((p == 1) & (t == 1))) / int(np.sum(p == 1)),
                       int(np.sum((p == 1) & (t == 1))) / int(np.sum(t == 1))), "ZeroDivisionError"),
        (_pr_with(1.0), "not 1"),
        (_pr_with(0.0, positive=0), "class 1"),
        (lambda t, p: _pr_with(0.0)(t, p) + (0.0,), "expected 2 values"),
        (lambda t, p: {"precision": _pr_with(0.0)(t, p)[0]}, "expected 2 values"),
        (lambda t, p: _pr_with(0.0)(t, p)[0], "expected 2 values"),
        (lambda t, p: tuple(100 * v for v in _pr_with(0.0)(t, p)), "not percentages")],
    3: [((0.0, 0.99), "order is (accuracy, recall)"), ((99, 0), "not percentages"),
        ((0.99, 1.0), "finds none"), ((0.99, 0.01), "finds none"), ((0.01, 0.0), "all 990 healthy"),
        ((0.99, float("nan")), "10 sick patients"), (0.99, "expected 2 values"),
        ((0.99,), "expected 2 values"), ((0.99, 0.0, 0.0), "expected 2 values")],
    4: [(lambda a, b: float(np.mean(a == b)), "*micro* average"),
        (lambda a, b: skm.f1_score(a, b, average="micro"), "*micro* average"),
        (lambda a, b: skm.f1_score(a, b, average="weighted"), "*weighted* average"),
        (lambda a, b: skm.f1_score(a, b, average="macro", labels=np.unique(a)), "appear only in y_pred"),
        (_f1_nan_for_unpredicted, "never predicted"),
        (_f1_per_class, "one number"),
        (lambda a, b: skm.f1_score(a, b), "raised an exception"),
        (lambda a, b: skm.f1_score(a, b, average="macro", labels=np.unique(b)), "appear only in y_true")],
    5: [(("recall", "precision"), "swapped"), (("recall", "recall"), "for spam"),
        (("precision", "precision"), "for cancer"), (("precision", "accuracy"), "not one of the choices"),
        ("precision", "2 choices in a tuple"), (("precision",), "exactly 2 choices"),
        (["recall", "precision"], "swapped"), (np.array(["recall", "precision"]), "swapped")],
    6: [((0.5, 0.5), "AP is not 0.5"), ((0.05, 0.05), "does not depend on the class balance"),
        ((0.05, 0.5), "order is (ROC AUC, AP)"), ((50, 5), "not percentages"),
        ((0.5, 0.95), "1 minus the share"), ((0.5, 0.2), "AP is too far"), ((0.5, 0.0), "AP is too far"),
        ((0.3, 0.05), "ROC AUC is too far"), ((0.0, 0.05), "not 0 or 1"), ((1.0, 0.05), "not 0 or 1"),
        (0.5, "expected 2 values"), (("0.5", "0.05"), "got the string")],
}

METRICS_RIGHT = {
    1: [0.9, 45 / 50, np.float32(0.9), np.float64(0.9), 9 / 10],
    2: [_pr_with(0.0), lambda t, p: list(_pr_with(0.0)(t, p)), lambda t, p: np.array(_pr_with(0.0)(t, p)),
        lambda t, p: (skm.precision_score(t, p, zero_division=0), skm.recall_score(t, p, zero_division=0))],
    3: [(0.99, 0.0), [0.99, 0], np.array([0.99, 0.0]), (np.float32(0.99), np.int64(0)), (990 / 1000, 0 / 10)],
    4: [lambda a, b: skm.f1_score(a, b, average="macro"),
        lambda a, b: float(np.mean(skm.f1_score(a, b, average=None, labels=np.union1d(a, b))))],
    5: [("precision", "recall"), ["precision", "recall"], np.array(["precision", "recall"]),
        (" Precision", "RECALL ")],
    6: [(0.5, 0.05), [0.5, 0.05], np.array([0.5, 0.05]), (0.52, 0.06), (0.45, 0.035)],
}


# --------------------------------------------------------------------------- wrong forms, Ch. 4
def _peak_yx(h):
    return np.unravel_index(np.argmax(h), h.shape)


TANKS = {
    1: [(1.0, "researchers' photos"), (0.0, "not always wrong"), (50, "not a percentage"),
        (0.25, "two of the four"), (0.75, "not three"), ("0.5", "expected a number"),
        ([0.5], "expected one number"), (True, "truth value")],
    2: [(lambda t, p, g: np.full(len(np.unique(g)), np.mean(t == p)), "overall accuracy"),
        (lambda t, p, g: np.array([np.sum((t == p)[g == k]) for k in np.unique(g)]), "*number* of correct"),
        (lambda t, p, g: np.array([np.mean((t == p)[t == k]) for k in np.unique(g)]), "true class"),
        (lambda t, p, g: np.mean(t == p), "one accuracy for each group"),
        (lambda t, p, g: np.array([100 * np.mean((t == p)[g == k]) for k in np.unique(g)]),
         "not percentages")],
    3: [(lambda h, m: m.mean(), "share of the *image*"), (lambda h, m: h[m].sum(), "total mass"),
        (lambda h, m: h[m].mean(), "average heat"), (lambda h, m: h[~m].sum() / h.sum(), "*outside*"),
        (lambda h, m: h[m].sum() / h.sum(), "0 / 0 = NaN"),
        (lambda h, m: 100 * h[m].sum() / h.sum() if h.sum() else 0.0, "not a percentage")],
    4: [(lambda h, b: bool(h.max() > 0 and b[0] <= _peak_yx(h)[0] < b[2] and b[1] <= _peak_yx(h)[1] < b[3]),
         "x and y are swapped"),
        (lambda h, b: int(h.max() > 0 and b[0] <= _peak_yx(h)[1] < b[2] and b[1] <= _peak_yx(h)[0] < b[3]),
         "expected True or False"),
        (lambda h, b: bool(h.max() > 0 and b[0] <= _peak_yx(h)[1] <= b[2] and b[1] <= _peak_yx(h)[0] <= b[3]),
         "exclusive"),
        (lambda h, b: bool(b[0] <= _peak_yx(h)[1] < b[2] and b[1] <= _peak_yx(h)[0] < b[3]),
         "all-zero map has no peak")],
    5: [("a", "same correlation"), ("b", "grey levels"), ("c", "shares their bias"),
        ("e", "not one of the choices"), (["b"], "plain string")],
}

TANKS_RIGHT = {
    1: [0.5, 1 / 2, np.float32(0.5)],
    2: [lambda t, p, g: [float(np.mean((t == p)[g == k])) for k in np.unique(g)]],
    3: [lambda h, m: float((h * m).sum() / h.sum()) if h.sum() > 0 else 0.0],
    4: [lambda h, b: bool(h.max() > 0 and b[1] <= h.argmax() // h.shape[1] < b[3]
                          and b[0] <= h.argmax() % h.shape[1] < b[2])],
    5: ["d", " D "],
}

BANKS = {"classification": (CLASSIFICATION, CLASSIFICATION_RIGHT), "logits": (LOGITS, LOGITS_RIGHT),
         "metrics": (METRICS, METRICS_RIGHT), "tanks": (TANKS, TANKS_RIGHT)}
WRONG = [(slug, n, answer, message) for slug, (bank, _) in BANKS.items()
         for n, entries in bank.items() for answer, message in entries]
RIGHT = [(slug, n, answer) for slug, (_, right) in BANKS.items()
         for n, answers in right.items() for answer in answers]


def _ids(entry):
    return f"{entry[0]}-q{entry[1]}"


# --------------------------------------------------------------------------- the tests
def test_every_question_of_every_chapter_has_a_bank_and_right_forms():
    for slug, (bank, right) in BANKS.items():
        numbers = set(range(1, len(load(slug)) + 1))
        assert set(bank) == numbers and set(right) == numbers, slug
        assert all(len(entries) >= 4 for entries in bank.values()), slug


def _no_leak(question, answer, text):
    """The feedback does not give the expected answer away."""
    if not isinstance(question, ValueQuestion):
        return True            # a function's expected *output* on a shown input is fair feedback
    expected = question.expected
    parts = expected if isinstance(expected, tuple) else (expected,)
    given = " ".join(fmt(a).lower() for a in (answer if isinstance(answer, (tuple, list)) else (answer,)))
    lowered = text.lower()
    for part in parts:
        if isinstance(part, str):
            if question.choices is not None:
                # a choice may be named only together with all the others
                quoted = [f"'{c.lower()}'" in lowered for c in question.choices]
                if quoted[question.choices.index(part)] and not all(quoted) \
                        and f"'{part.lower()}'" not in given:
                    return False
            continue
        for form in {fmt(part), f"{part:g}"}:
            if form.lower() in lowered and form.lower() not in given:
                return False
    return True


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("slug, number, answer, message", WRONG, ids=[_ids(e) for e in WRONG])
def test_each_wrong_answer_is_rejected_with_its_own_message(slug, number, answer, message):
    question = _q(slug, number)
    first_wrong_answer(question, answer)
    result = question.check(answer)
    text = str(result)
    assert result.status == INCORRECT and not result, text
    assert message in text, text
    assert not any(generic in result.message for generic in GENERIC), text
    assert _no_leak(question, answer, text), text


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("slug, number, answer", RIGHT, ids=[_ids(e) for e in RIGHT])
def test_each_right_form_is_accepted(slug, number, answer):
    result = _q(slug, number).check(answer)
    assert result.status == CORRECT, str(result)


def test_the_answer_format_line_never_reads_as_an_answer():
    """Under a wrong choice the feedback shows the *format* of an answer: it names every
    choice, or the range of choices, never one choice that could be read as the answer."""
    for slug in BANKS:
        for question in load(slug):
            if isinstance(question, ValueQuestion) and question.choices is not None:
                named = [f"'{c}'" in question.what for c in question.choices]
                as_range = f"'{question.choices[0]}' to '{question.choices[-1]}'" in question.what
                assert all(named) or as_range, (slug, question.what)
                text = str(question.check(question.choices[0] + "?"))
                assert "answer format:" in text and "expected:" not in text, text


def test_several_part_answers_follow_one_rule_for_numbers_and_choices():
    spam_cancer, sick, why = _q("metrics", 5), _q("metrics", 3), _q("logits", 5)
    for form in (tuple, list, np.array):
        assert spam_cancer.check(form(["precision", "recall"]))
        assert sick.check(form([0.99, 0.0]))
    for form in (tuple, list, np.array):      # a one-part answer is one value, in any container refused
        assert "plain string" in str(why.check(form(["b"])))
        assert "expected one number" in str(_q("metrics", 1).check(form([0.9])))


@pytest.mark.parametrize("n", [10_000, 20_000])
def test_honest_simulations_of_the_random_scorer_are_accepted(n):
    """The question asks for the values a random scorer gives: a simulation of the size the
    hint names (10,000 samples or more) must pass, whatever its seed."""
    question = _q("metrics", 6)
    accepted = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        y = (rng.random(n) < 0.05).astype(int)
        scores = rng.random(n)
        answer = (skm.roc_auc_score(y, scores), skm.average_precision_score(y, scores))
        accepted += bool(question.check(answer))
    assert accepted == 40
    assert RANDOM_TOLERANCE[0] <= 0.1 and RANDOM_TOLERANCE[1] <= 0.025   # still tells 0.05 from 0.1


def test_softmax_and_cross_entropy_checkers_test_logits_far_apart():
    """A shift by the row mean or the first logit is exact on small logits; only logits
    far apart in one row expose it, so the checkers must contain such a case."""
    for number in (1, 4):
        question = _q("logits", number)
        assert any(np.ptp(case.args[0], axis=1).max() >= 1500 for case in question.cases)
    assert not _q("logits", 1).check(_shifted_softmax(ROW_MEAN))
    assert _q("logits", 1).check(_shifted_softmax(ROW_MAX))
    assert not _q("logits", 4).check(_shifted_ce(ROW_MEAN))
    assert _q("logits", 4).check(_shifted_ce(ROW_MAX))


def test_exercise_function_names_do_not_shadow_the_chapter_imports():
    """Chapter 2 imports softmax and cross_entropy from helpers.metrics; its exercises ask
    for functions with other names, so re-running an earlier cell still works."""
    names = {q.function_name for q in load("logits") if isinstance(q, FunctionQuestion)}
    assert not names & {"softmax", "sigmoid", "cross_entropy"}


def test_shown_solutions_fit_the_page():
    """A solution is printed in the chapter when the reader asks for it: 79 characters."""
    for slug in BANKS:
        for question in load(slug):
            long = [line for line in question.solution_code.splitlines() if len(line) > 79]
            assert not long, (slug, question.name, long)
