"""Exercises for Chapter 3, "Measuring a classifier"."""
from __future__ import annotations

import numpy as np

from .questions import Case, ExerciseSet, FunctionQuestion, Mistake, ValueQuestion

TITLE = "Measuring a classifier"


def _spam_precision() -> ValueQuestion:
    # 1,000 mails, 60 spam; the filter flags 50, of which 45 are spam
    tp, fp, fn, tn = 45, 5, 15, 935
    return ValueQuestion(
        "precision of the 'spam' class: 1,000 mails, 60 spam, 50 flagged of which 45 spam (a number)",
        tp / (tp + fp), what="a number between 0 and 1",
        hint=["Precision asks: of the mails the filter *flagged* as spam, what fraction really is spam?",
              "Flagged = TP + FP."],
        solution="answer = 45 / (45 + 5)   # TP / (TP + FP): of 50 flagged mails, 45 are spam",
        why="Precision = TP / (TP + FP) = 45 / 50 = 0.9: one flagged mail in ten was a real mail "
            "sent to the spam folder.",
        mistakes=[
            Mistake("that is the recall, TP / (TP + FN) = 45 / 60: the share of the spam that was caught. "
                    "Precision divides by what was *flagged*.", wrong=tp / (tp + fn)),
            Mistake("that is the accuracy, (TP + TN) / all: dominated by the 935 easy real mails.",
                    wrong=(tp + tn) / (tp + fp + fn + tn)),
            Mistake("that is F1, the harmonic mean of precision and recall.",
                    wrong=2 * tp / (2 * tp + fp + fn)),
            Mistake("that is the fraction of flagged mails that were *not* spam (FP / (TP + FP)), one "
                    "minus the precision.", wrong=fp / (tp + fp)),
            Mistake("give a fraction between 0 and 1, not a percentage.", wrong=90.0),
            Mistake("that is the share of *all* mails that were flagged; precision divides by the "
                    "flagged mails only.", wrong=50 / 1000),
            Mistake("divide by the flagged mails, not by all 1,000 mails.", wrong=45 / 1000),
        ])


def _precision_recall_swapped(y_true, y_pred):
    p, r = _reference_pr(y_true, y_pred)
    return r, p


def _reference_pr(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    fp = np.sum((y_pred == 1) & (y_true == 0))
    fn = np.sum((y_pred == 0) & (y_true == 1))
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def _two(got) -> bool:
    try:
        return len(got) == 2
    except TypeError:
        return False


def _has_nan(got, expected, case):
    return any(np.isnan(np.asarray(v, dtype=float)).any() for v in got)


def _precision_recall() -> FunctionQuestion:
    rng = np.random.default_rng(5)
    y_true = (rng.random(40) < 0.3).astype(int)
    y_pred = np.where(rng.random(40) < 0.7, y_true, 1 - y_true)
    cases = [
        Case((np.array([1, 1, 0, 0, 1, 0]), np.array([1, 0, 1, 0, 1, 0])), note="6 samples"),
        Case((np.array([1, 0, 1, 1, 0, 0, 0, 0]), np.array([1, 1, 1, 0, 0, 0, 0, 1])), note="8 samples"),
        Case((y_true, y_pred), note="40 samples"),
        Case((np.array([1, 0, 1, 0]), np.array([0, 0, 0, 0])), note="the model never predicts 1"),
        Case((np.array([0, 0, 0]), np.array([0, 1, 0])), note="no positive sample in y_true"),
        Case((np.array([1, 1]), np.array([1, 1])), note="perfect"),
    ]
    return FunctionQuestion(
        "precision_recall(y_true, y_pred): (precision, recall) of class 1 for 0/1 arrays, 0 where undefined",
        "precision_recall", cases,
        hint=["Count TP = predicted 1 and truly 1, FP = predicted 1 but truly 0, FN = predicted 0 but truly 1.",
              "Precision = TP / (TP + FP), recall = TP / (TP + FN). When a denominator is 0, return 0, "
              "as scikit-learn does by default."],
        solution='''
            def precision_recall(y_true, y_pred):
                tp = np.sum((y_pred == 1) & (y_true == 1))
                fp = np.sum((y_pred == 1) & (y_true == 0))
                fn = np.sum((y_pred == 0) & (y_true == 1))
                precision = tp / (tp + fp) if tp + fp > 0 else 0.0   # never predicted 1
                recall = tp / (tp + fn) if tp + fn > 0 else 0.0      # no 1 in y_true
                return precision, recall
        ''',
        why="Precision divides by what was predicted positive, recall by what is positive; "
            "0 for 0/0 is scikit-learn's zero_division default.",
        mistakes=[
            Mistake("precision and recall are swapped: precision divides by what was *predicted* "
                    "positive (TP + FP), recall by what *is* positive (TP + FN).",
                    wrong=_precision_recall_swapped),
            Mistake("when the model never predicts 1, TP + FP = 0 and precision is 0/0. Return 0 "
                    "there, scikit-learn's default (zero_division); likewise recall when y_true has no 1.",
                    test=_has_nan),
            Mistake("where a ratio is 0/0, return 0 (scikit-learn's default), not 1.",
                    test=lambda got, exp, case: _two(got) and any(
                        e == 0 and g == 1 for g, e in zip(np.asarray(got, float), exp))),
            Mistake("give fractions between 0 and 1, not percentages.",
                    test=lambda got, exp, case: _two(got) and max(np.asarray(got, float)) > 1),
            Mistake("these are the precision and recall of class 0; the question asks about class 1.",
                    wrong=lambda t, p: _reference_pr(1 - t, 1 - p)),
        ],
        error_advice={ZeroDivisionError: "What should precision be when the model never predicts 1 "
                                         "(TP + FP = 0)? scikit-learn returns 0."})


def _accuracy_trap() -> ValueQuestion:
    return ValueQuestion(
        "(accuracy, recall of 'sick') for 'always healthy' on 990 healthy and 10 sick patients (a tuple)",
        (0.99, 0.0), what="a tuple (accuracy, recall)",
        hint=["The model is right on every healthy patient and wrong on every sick one.",
              "Recall of 'sick' = sick patients found / sick patients."],
        solution="answer = (990 / 1000, 0 / 10)   # accuracy 0.99, recall 0.0",
        why="Accuracy 0.99 looks excellent, yet the model finds none of the 10 sick patients: "
            "on imbalanced data, accuracy hides the rare class.",
        mistakes=[
            Mistake("the order is (accuracy, recall).", wrong=(0.0, 0.99)),
            Mistake("give fractions between 0 and 1, not percentages.", wrong=(99.0, 0.0)),
            Mistake("recall counts how many of the 10 *sick* patients are found; 'always healthy' finds none.",
                    test=lambda got, exp, case: _two(got) and np.isclose(float(got[0]), exp[0], rtol=1e-3)
                    and np.isfinite(float(got[1])) and not np.isclose(float(got[1]), exp[1], atol=1e-6)),
            Mistake("recall of 'sick' is defined here: there are 10 sick patients, so it is a number "
                    "of them found divided by 10.",
                    test=lambda got, exp, case: _two(got) and np.isnan(float(got[1]))),
            Mistake("accuracy counts every correct answer, and all 990 healthy patients are answered correctly.",
                    test=lambda got, exp, case: isinstance(got, (tuple, list)) and len(got) == 2
                    and np.isclose(float(got[0]), 0.01)),
        ])


def _f1_per_class(y_true, y_pred, classes):
    scores = []
    for c in classes:
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        scores.append(2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn else 0.0)
    return np.array(scores)


def _micro_f1(y_true, y_pred):
    return float(np.mean(y_true == y_pred))


def _weighted_f1(y_true, y_pred):
    classes = np.union1d(y_true, y_pred)
    support = np.array([np.sum(y_true == c) for c in classes])
    return float(np.average(_f1_per_class(y_true, y_pred, classes), weights=support))


def _macro_f1_true_only(y_true, y_pred):
    return float(np.mean(_f1_per_class(y_true, y_pred, np.unique(y_true))))


def _f1_of_macro_pr(y_true, y_pred):
    classes = np.union1d(y_true, y_pred)
    p = np.mean([np.sum((y_pred == c) & (y_true == c)) / max(np.sum(y_pred == c), 1) for c in classes])
    r = np.mean([np.sum((y_pred == c) & (y_true == c)) / max(np.sum(y_true == c), 1) for c in classes])
    return float(2 * p * r / (p + r)) if p + r else 0.0


def _macro_f1() -> FunctionQuestion:
    cases = [
        Case((np.array([0, 0, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 2, 0])), note="3 balanced classes"),
        Case((np.array([0] * 8 + [1, 1, 2, 2]), np.array([0] * 7 + [1, 1, 0, 2, 2])),
             note="a large class 0 and two small ones"),
        Case((np.array([0, 0, 0, 1, 1, 2]), np.array([0, 0, 0, 0, 0, 0])), note="classes never predicted"),
        Case((np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1])), note="class 2 is predicted but absent from y_true"),
        Case((np.array([1, 1, 1]), np.array([1, 1, 1])), note="one class only"),
    ]
    return FunctionQuestion(
        "macro_f1(y_true, y_pred): F1 per class, averaged with equal weight over the classes in either array",
        "macro_f1", cases,
        hint=["Loop over `np.union1d(y_true, y_pred)`; for each class c count TP, FP and FN one-vs-rest.",
              "F1 of a class = 2 TP / (2 TP + FP + FN); then take the plain mean of the per-class F1s."],
        solution='''
            def macro_f1(y_true, y_pred):
                scores = []
                # every class seen in either array
                for c in np.union1d(y_true, y_pred):
                    tp = np.sum((y_pred == c) & (y_true == c))
                    fp = np.sum((y_pred == c) & (y_true != c))
                    fn = np.sum((y_pred != c) & (y_true == c))
                    # never 0/0: class c occurs somewhere
                    scores.append(2 * tp / (2 * tp + fp + fn))
                return float(np.mean(scores))   # every class weighs the same
        ''',
        why="Macro averaging gives every class the same weight, so a small class the model "
            "ignores pulls the score down; this is scikit-learn's f1_score(average='macro').",
        mistakes=[
            Mistake("that is the *micro* average: pooling TP, FP and FN over all classes, which for "
                    "single-label data equals accuracy. Macro computes F1 per class, then averages.",
                    wrong=_micro_f1),
            Mistake("that is the *weighted* average (by class size). Macro gives every class the same weight.",
                    wrong=_weighted_f1),
            Mistake("also count the classes that appear only in y_pred (a class predicted but never "
                    "true has F1 = 0), as scikit-learn does.", wrong=_macro_f1_true_only),
            Mistake("also count the classes that appear only in y_true (a class never predicted has "
                    "F1 = 0): loop over `np.union1d(y_true, y_pred)`.",
                    wrong=lambda t, p: float(np.mean(_f1_per_class(t, p, np.unique(p))))),
            Mistake("the F1 of the macro precision and macro recall is not the macro F1: compute F1 "
                    "for each class first, then average.", wrong=_f1_of_macro_pr),
            Mistake("a class that is never predicted has precision 0/0: its F1 is 0 (as in "
                    "scikit-learn); write F1 as 2 TP / (2 TP + FP + FN), which is never 0/0 here.",
                    test=lambda got, exp, case: np.isnan(np.asarray(got, dtype=float)).any()),
            Mistake("return one number, the mean of the per-class F1 scores.",
                    test=lambda got, exp, case: np.ndim(got) == 1),
        ])


def _spam_and_cancer() -> ValueQuestion:
    return ValueQuestion(
        "('precision' or 'recall', 'precision' or 'recall'): the metric to keep high for spam, then for cancer",
        ("precision", "recall"), choices=("precision", "recall"),
        what="a tuple of two strings, each 'precision' or 'recall'",
        hint=["For each task, which error is worse: a false positive or a false negative?",
              "Precision falls with false positives; recall falls with false negatives."],
        solution='answer = ("precision", "recall")',
        why="A spam false positive hides a real mail (keep the spam class's precision high); a "
            "missed cancer is a false negative (keep recall high).",
        mistakes=[
            Mistake("swapped. In spam filtering the costly error is a real mail flagged as spam, a "
                    "false positive, which lowers precision; in cancer screening it is a missed "
                    "patient, a false negative, which lowers recall.", wrong=("recall", "precision")),
            Mistake("for spam, think again about the costly error: a real mail in the spam folder is a "
                    "false positive.", wrong=("recall", "recall")),
            Mistake("for cancer, think again: a sick patient sent home is a false negative.",
                    wrong=("precision", "precision")),
        ])


RANDOM_TOLERANCE = (0.06, 0.02)   # (ROC AUC, AP): what a 10,000-sample simulation achieves


def _near(value, target, tolerance) -> bool:
    return abs(float(value) - target) <= tolerance


def _two_numbers(got) -> bool:
    try:
        return len(got) == 2 and all(np.isfinite(float(v)) for v in got)
    except (TypeError, ValueError):
        return False


def _random_mistake(auc_test, ap_test):
    """A test on a (roc_auc, ap) answer: auc_test(auc) and ap_test(ap) both hold."""
    return lambda got, exp, case: _two_numbers(got) and auc_test(float(got[0])) and ap_test(float(got[1]))


def _random_scorer() -> ValueQuestion:
    auc_tol, ap_tol = RANDOM_TOLERANCE
    auc_ok = lambda v: _near(v, 0.5, auc_tol)          # noqa: E731
    ap_ok = lambda v: _near(v, 0.05, ap_tol)           # noqa: E731
    return ValueQuestion(
        "(ROC AUC, average precision) of a scorer that ranks at random, with 5 % positives (a tuple, "
        "to within 0.06 and 0.02)",
        (0.5, 0.05), atol=RANDOM_TOLERANCE, rtol=0,
        what="a tuple (auc, ap) of two numbers between 0 and 1",
        hint=["A random ranking puts positives and negatives in any order with equal chance.",
              "On the PR curve, a random ranking's precision at every threshold is about the share of positives.",
              "Simulating? Use 10,000 samples or more: with fewer, one run's AUC and AP wander further "
              "from the values a random scorer tends to than the checker accepts."],
        solution="answer = (0.5, 0.05)   # AUC: the diagonal; AP: the fraction of positives",
        why="The ROC AUC of a random ranking is 0.5 whatever the class balance, but its AP is the "
            "positive fraction, 0.05: that is why PR curves tell more on heavily imbalanced data. "
            "A simulation gives numbers near these, closer the more samples it uses.",
        mistakes=[
            Mistake("give fractions between 0 and 1, not percentages.",
                    test=_random_mistake(lambda v: v > 1, lambda v: True)),
            Mistake("give fractions between 0 and 1, not percentages.",
                    test=_random_mistake(lambda v: True, lambda v: v > 1)),
            Mistake("the order is (ROC AUC, AP).",
                    test=_random_mistake(lambda v: _near(v, 0.05, ap_tol), lambda v: _near(v, 0.5, auc_tol))),
            Mistake("your ROC AUC is right, but a random ranking's AP is not 0.5: its precision is about "
                    "the share of positives at every threshold.",
                    test=_random_mistake(auc_ok, lambda v: _near(v, 0.5, auc_tol))),
            Mistake("your ROC AUC is right, but a random ranking's AP is not 1 minus the share of positives: "
                    "precision counts the *positives* among the flagged samples.",
                    test=_random_mistake(auc_ok, lambda v: _near(v, 0.95, ap_tol))),
            Mistake("a random ranking's ROC AUC does not depend on the class balance: it is the area under "
                    "the diagonal of the ROC plot.",
                    test=_random_mistake(lambda v: _near(v, 0.05, ap_tol), ap_ok)),
            Mistake("your AP is right; the ROC AUC of a random ranking is the area under the diagonal, "
                    "not 0 or 1.",
                    test=_random_mistake(lambda v: v < 0.2 or v > 0.8, ap_ok)),
            Mistake("your ROC AUC is right, but your AP is too far from the share of positives; if it "
                    "comes from a simulation, use 10,000 samples or more.",
                    test=_random_mistake(auc_ok, lambda v: not ap_ok(v))),
            Mistake("your AP is right, but your ROC AUC is too far from the diagonal's area; if it comes "
                    "from a simulation, use 10,000 samples or more.",
                    test=_random_mistake(lambda v: not auc_ok(v), ap_ok)),
        ])


def build() -> ExerciseSet:
    """The exercise set of Chapter 3."""
    return ExerciseSet("metrics", TITLE, [_spam_precision(), _precision_recall(), _accuracy_trap(),
                                          _macro_f1(), _spam_and_cancer(), _random_scorer()])
