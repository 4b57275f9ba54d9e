"""helpers.exercises: the machinery, and every question of every chapter set.

For every question: the solution that ``solution()`` shows passes, the placeholder
says "not attempted yet", and typical wrong answers fail with the right message.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
import sklearn.metrics as skm

import helpers
from helpers.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, load
from helpers.exercises import FunctionQuestion, Result
from exercise_support import (assert_value_mistakes_are_recognised, first_wrong_answer,
                              solution_answer)

SLUGS = ("classification", "logits", "metrics")   # the sets whose wrong answers are below
# every set, every question: the generic checks (each chapter's own wrong answers are in
# tests/test_exercises_<slug>.py)
ALL_QUESTIONS = [(slug, i) for slug in helpers.exercises.chapters()
                 for i in range(1, len(load(slug)) + 1)]


# --------------------------------------------------------------------------- loading
@pytest.mark.parametrize("slug", helpers.exercises.chapters())
def test_every_set_has_at_least_four_questions(slug):
    ex = load(slug)
    assert ex.slug == slug and len(ex.title) > 5 and len(ex) >= 4
    assert ex.q1 is ex.questions[0] and load(slug) is not ex
    if not slug.startswith("lab_"):          # a chapter also asks for a function to write
        assert any(isinstance(q, FunctionQuestion) for q in ex), f"{slug}: no function"


def test_load_gives_each_chapter_its_set():
    assert set(SLUGS) <= set(helpers.exercises.chapters())  # later chapters test their own sets
    sizes = {slug: len(load(slug)) for slug in SLUGS}
    assert sizes["classification"] == 4
    assert 4 <= sizes["logits"] <= 6 and 4 <= sizes["metrics"] <= 6
    ex = load("logits")
    assert ex.q1 is ex.questions[0] and ex.q1.name == "Question 1"
    assert "ex.q1" in str(ex) and "ex.q1" in ex._repr_markdown_()
    assert load("logits") is not ex     # a fresh set each time


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(ValueError, match="known chapters: 'classification'"):
        load("gradcam")


def test_placeholder_is_exported_and_printable():
    assert helpers.exercises.____ is ____
    assert repr(____) == "____"
    assert helpers.exercises.is_placeholder(...) and not helpers.exercises.is_placeholder(None)


# --------------------------------------------------------------------------- every question
@pytest.mark.parametrize("slug, number", ALL_QUESTIONS)
def test_the_shown_solution_passes(slug, number):
    question = getattr(load(slug), f"q{number}")
    result = question.check(solution_answer(question))
    assert result, str(result)
    assert result.status == CORRECT and str(result).startswith("Correct (Question")
    assert len(question.why) > 20


@pytest.mark.parametrize("slug, number", ALL_QUESTIONS)
def test_placeholder_means_not_attempted(slug, number):
    question = getattr(load(slug), f"q{number}")
    for blank in (____, ...):
        result = question.check(blank)
        assert not result and result.status == NOT_ATTEMPTED
        assert "Not attempted yet" in str(result) and "____" in str(result)
    assert question.check().status == NOT_ATTEMPTED          # check() with no answer
    if isinstance(question, FunctionQuestion):
        stub = lambda *args, **kwargs: ____                   # noqa: E731 - a blank function body
        assert question.check(stub).status == NOT_ATTEMPTED
    else:
        assert question.check((____, ____)).status == NOT_ATTEMPTED


@pytest.mark.parametrize("slug, number", ALL_QUESTIONS)
def test_hint_and_solution_render(slug, number):
    question = getattr(load(slug), f"q{number}")
    hint, solution = question.hint(), question.solution()
    total = len(question.hints)
    assert str(hint).startswith(f"Hint 1 of {total}") and f"({question.name})" in str(hint)
    assert "<div" in hint._repr_html_() and "**Hint 1 of" in hint._repr_markdown_()
    assert str(solution).startswith(f"Solution ({question.name})")
    assert "```python" in solution._repr_markdown_() and "<pre" in solution._repr_html_()
    assert question.hint(1).text == question.hints[0]
    with pytest.raises(ValueError, match="hint"):
        question.hint(len(question.hints) + 1)


@pytest.mark.parametrize("slug, number", ALL_QUESTIONS)
def test_hint_gives_one_hint_per_call_and_marks_the_last(slug, number):
    question = getattr(load(slug), f"q{number}")
    total = len(question.hints)
    shown = [question.hint() for _ in range(total + 1)]
    assert [h.text for h in shown[:total]] == list(question.hints)   # one per call, in order
    assert [h.number for h in shown] == list(range(1, total + 1)) + [total]
    for h in shown[:-1]:
        assert sum(text in str(h) for text in question.hints) == 1   # never two at once
    if total > 1:
        assert "the last: close to the answer" in str(shown[total - 1])
        assert "the last" not in shown[0].heading and "again gives the next" in str(shown[0])
    assert "solution()" in str(shown[-1]) and "no more hints" in str(shown[-1])
    assert question.hint(1).number == 1 and question.hint().number == total   # hint(n) stays


# --------------------------------------------------------------------------- wrong answers
def _naive_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _tp_fp_fn(y_true, y_pred):
    tp = np.sum((y_pred == 1) & (y_true == 1))
    return tp, np.sum((y_pred == 1) & (y_true == 0)), np.sum((y_pred == 0) & (y_true == 1))


def _swapped_pr(y_true, y_pred):
    tp, fp, fn = _tp_fp_fn(y_true, y_pred)
    return (tp / (tp + fn) if tp + fn else 0.0), (tp / (tp + fp) if tp + fp else 0.0)


def _nan_pr(y_true, y_pred):
    tp, fp, fn = _tp_fp_fn(y_true, y_pred)
    return tp / (tp + fp), tp / (tp + fn)


def _python_pr(y_true, y_pred):
    tp, fp, fn = (int(v) for v in _tp_fp_fn(y_true, y_pred))
    return tp / (tp + fp), tp / (tp + fn)


def _naive_ce(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return np.mean(-np.log(p[np.arange(len(y)), y]))


def _stable_ce(z, y, reduce=np.mean):
    m = z.max(axis=1, keepdims=True)
    return reduce(m[:, 0] + np.log(np.exp(z - m).sum(axis=1)) - z[np.arange(len(y)), y])


WRONG = [
    # chapter 1
    ("classification", 1, lambda k, i, o: k * k * i * o, "forgot the bias"),
    ("classification", 1, lambda k, i, o: (k * k + 1) * o, "spans every input channel"),
    ("classification", 1, lambda k, i, o: (k * i + 1) * o, "kernel is square"),
    ("classification", 2, lambda n, k, stride=1, padding="valid": n if padding == "same" else (n - k) // stride + 1,
     "only when stride is 1"),
    ("classification", 2, lambda n, k, stride=1, padding="valid": n // stride if padding == "same"
     else (n - k) // stride + 1, "rounds *up*"),
    ("classification", 2, lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
     else (n - k) // stride, "one short"),
    ("classification", 2, lambda n, k, stride=1, padding="valid": math.ceil(n / stride) if padding == "same"
     else (n - k) / stride + 1, "floor division"),
    ("classification", 3, 60000, "whole data set"),
    ("classification", 3, 10000, "test set"),
    ("classification", 3, "50000", "got the string"),
    ("classification", 4, lambda z, y: int(np.sum(z.argmax(axis=1) == y)), "not the number of correct"),
    ("classification", 4, lambda z, y: 100 * np.mean(z.argmax(axis=1) == y), "not a percentage"),
    ("classification", 4, lambda z, y: np.mean(z[np.arange(len(y)), y] == z.max(axis=1)), "with a tie"),
    ("classification", 4, lambda z, y: np.mean(_naive_softmax(z).argmax(axis=1) == y), "naive softmax overflows"),
    ("classification", 4, lambda z, y: np.mean(z.argmax(axis=0) == y), "raised an exception"),
    ("classification", 4, 0.75, "expected a function"),
    # chapter 2
    ("logits", 1, _naive_softmax, "exp(1000) overflows"),
    ("logits", 1, lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum(axis=1, keepdims=True),
     "each row's own maximum"),
    ("logits", 1, lambda z: np.exp(z - z.max(1, keepdims=True)) / np.exp(z - z.max(1, keepdims=True)).sum(0, keepdims=True),
     "not over the columns"),
    ("logits", 1, lambda z: np.exp(z - z.max(axis=1)) / np.exp(z - z.max(axis=1)).sum(axis=1), "keepdims=True"),
    ("logits", 2, lambda z: z > 0, "use >=, not >"),
    ("logits", 2, lambda z: z >= 0.5, "On the logit scale it is 0"),
    ("logits", 2, lambda z: 1 / (1 + np.exp(-z)) > 0.5, "use >=, not >"),
    ("logits", 3, 1.0, "log10"),
    ("logits", 3, 0.1, "probability of the true class"),
    ("logits", 3, -math.log(10), "never negative"),
    ("logits", 4, _naive_ce, "log-sum-exp"),
    ("logits", 4, lambda z, y: _stable_ce(z, y, reduce=np.sum), "*mean*"),
    ("logits", 4, lambda z, y: -_stable_ce(z, y), "check the sign"),
    ("logits", 4, lambda z, y: _stable_ce(z, y) / np.log(10), "not log10"),
    ("logits", 4, lambda z, y: _stable_ce(z, z.argmax(axis=1)), "*true* label"),
    ("logits", 5, "b", "any real number"),
    ("logits", 5, "c", "differentiable"),
    ("logits", 5, "z", "not one of the choices"),
    # chapter 3
    ("metrics", 1, 0.75, "that is the recall"),
    ("metrics", 1, 0.98, "that is the accuracy"),
    ("metrics", 1, 90, "not a percentage"),
    ("metrics", 2, _swapped_pr, "precision and recall are swapped"),
    ("metrics", 2, _nan_pr, "Return 0"),
    ("metrics", 2, _python_pr, "ZeroDivisionError"),
    ("metrics", 3, (0.99, 1.0), "finds none"),
    ("metrics", 3, (99, 0), "not percentages"),
    ("metrics", 3, (0.01, 0.0), "all 990 healthy"),
    ("metrics", 4, lambda a, b: float(np.mean(a == b)), "*micro* average"),
    ("metrics", 4, lambda a, b: skm.f1_score(a, b, average="micro"), "*micro* average"),
    ("metrics", 4, lambda a, b: skm.f1_score(a, b, average="weighted"), "*weighted* average"),
    ("metrics", 4, lambda a, b: skm.f1_score(a, b, average="macro", labels=np.unique(a)), "appear only in y_pred"),
    ("metrics", 5, ("recall", "precision"), "swapped"),
    ("metrics", 5, ("precision", "accuracy"), "not one of the choices"),
    ("metrics", 6, (0.5, 0.5), "AP is not 0.5"),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("slug, number, answer, message", WRONG)
def test_typical_wrong_answers_get_the_right_message(slug, number, answer, message):
    question = getattr(load(slug), f"q{number}")
    first_wrong_answer(question, answer)
    result = question.check(answer)
    assert not result and result.status == INCORRECT
    assert message in str(result), str(result)
    assert str(result).startswith(f"Incorrect (Question {number})")


def test_every_question_has_a_tested_wrong_answer():
    tested = {(slug, number) for slug, number, _, _ in WRONG}
    assert tested == {(slug, n) for slug, n in ALL_QUESTIONS if slug in SLUGS}


def test_every_known_mistake_is_reachable_in_the_table_or_by_value():
    for slug in SLUGS:
        assert_value_mistakes_are_recognised(load(slug))


# --------------------------------------------------------------------------- machinery
def test_results_render_as_text_html_and_markdown():
    ex = load("classification")
    good, bad, blank = ex.q3.check(50000), ex.q3.check(60000), ex.q3.check(____)
    assert bool(good) and not bad and not blank
    assert good.correct and not bad.correct
    assert str(good) == repr(good)
    for result, label, colour in ((good, "Correct", "#1b7f3b"), (bad, "Incorrect", "#c62828"),
                                  (blank, "Not attempted yet", "#1565c0")):
        assert label in result._repr_html_() and colour in result._repr_html_()
        assert f"**{label}**" in result._repr_markdown_()
    assert re.search(r"<code style='[^']*'>____</code>", blank._repr_html_())  # backticks: code
    # dark mode: code spans and the details table inherit the page's text colour
    assert "<code>" not in bad._repr_html_() and "color:#555" not in bad._repr_html_()
    assert all("color:inherit" in span for span in re.findall(r"<code style='[^']*'>",
                                                                 blank._repr_html_()))
    assert "your answer" in bad._repr_html_() and "60000" in bad._repr_markdown_()
    assert "<pre style='margin:0;white-space:pre-wrap;color:inherit" in bad._repr_html_()


def test_html_escapes_the_readers_input():
    result = load("classification").q3.check("<script>alert(1)</script>")
    assert "<script>" not in result._repr_html_()


def test_a_function_that_raises_is_reported_with_its_input_and_exception():
    def broken(logits, labels):
        raise RuntimeError("oops")

    result = load("classification").q4.check(broken)
    assert not result
    text = str(result)
    assert "raised an exception" in text and "RuntimeError: oops" in text
    assert "accuracy_from_logits(np.array(" in text and "expected" in text


def test_the_readers_function_cannot_corrupt_the_test_inputs():
    ex = load("logits")

    def mutating_softmax(z):
        z -= z.max(axis=1, keepdims=True)           # in place, on the checker's copy
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    assert ex.q1.check(mutating_softmax)
    assert ex.q1.check(ex.q1.reference)             # inputs unchanged for the next check


def test_list_answers_and_numpy_scalars_are_accepted():
    ex = load("metrics")
    assert ex.q3.check([0.99, 0.0])
    assert ex.q3.check((np.float32(0.99), np.int64(0)))
    assert ex.q1.check(np.float64(0.9))
    assert load("logits").q5.check(" A ")


def test_the_reference_of_a_function_question_is_the_shown_solution():
    for slug in SLUGS:
        for question in load(slug):
            if isinstance(question, FunctionQuestion):
                shown = solution_answer(question)
                for case in question.cases:
                    a = shown(*case.args, **case.kwargs)
                    b = question.reference(*case.args, **case.kwargs)
                    np.testing.assert_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def test_result_is_a_plain_value_object():
    result = Result(CORRECT, "fine", (("a", "1"),), "Question 9")
    assert result and result.label == "Correct" and "a: 1" in str(result)


def test_a_function_still_using_the_blank_is_not_attempted():
    ex = load("logits")

    def half_done(z):
        return np.exp(z) / ____            # arithmetic with the blank: TypeError

    assert ex.q1.check(half_done).status == NOT_ATTEMPTED
    namespace = {}
    exec("def softmax(z):\n    return ____\n", namespace)   # ____ never imported: NameError
    result = ex.q1.check(namespace["softmax"])
    assert result.status == NOT_ATTEMPTED and "still contains the blank" in str(result)


# --------------------------------------------------------------------------- multiple choice
def _choice_questions():
    from helpers.exercises import ChoiceQuestion, chapters
    return [(slug, q) for slug in chapters() for q in load(slug)
            if isinstance(q, ChoiceQuestion)]


def test_every_multiple_choice_question_is_a_choice_question():
    for slug in helpers.exercises.chapters():
        for q in load(slug):
            assert "multiple choice" not in q.prompt or hasattr(q, "options"), (slug, q.name)


def test_multiple_choice_options_are_alike_and_answers_spread_over_the_letters():
    questions = _choice_questions()
    assert len(questions) >= 8
    answers = [q.expected for _, q in questions]
    assert set(answers) == {"a", "b", "c", "d"}
    assert max(answers.count(letter) for letter in "abcd") <= 3
    for slug, q in questions:
        lengths = {k: len(v) for k, v in q.options.items()}
        right, others = lengths[q.expected], [n for k, n in lengths.items() if k != q.expected]
        assert right <= max(others), (slug, lengths)           # never the longest option
        assert max(lengths.values()) <= 2 * min(lengths.values()), (slug, lengths)


def test_a_wrong_letter_is_explained_only_after_a_second_wrong_answer():
    for slug, q in _choice_questions():
        wrong = [k for k in q.options if k != q.expected]
        first = q.check(wrong[0])
        assert not first and f"not ({wrong[0]})" in first.message
        assert not any(m.message in str(first) for m in q.mistakes) and q.why not in str(first)
        second = q.check(wrong[1])
        assert not second and any(m.message in second.message for m in q.mistakes)
        assert q.check(q.expected) and q.why in str(q.check(q.expected))
        # an answer outside the letters is a form problem, told at once, never counted
        fresh = getattr(load(slug), q.name.replace("Question ", "q"))
        assert "not one of the choices" in str(fresh.check("z")) and fresh.wrong_answers == 0


# --------------------------------------------------------------------------- the notebooks
def _exercise_markdown(slug):
    """The markdown of the exercise section of the notebook that loads ``slug``."""
    import json
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "book").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = ["".join(c["source"]) for c in cells]
        if any(f'helpers.exercises.load("{slug}")' in s for s in sources):
            start = max(i for i, s in enumerate(sources) if "## Exercises" in s)
            return [s for c, s in zip(cells[start + 1:], sources[start + 1:])
                    if c["cell_type"] == "markdown"]
    raise AssertionError(f"no notebook loads {slug!r}")


def _flat(text):
    return " ".join(text.split())


def test_every_option_is_written_in_full_in_the_notebook():
    for slug, q in _choice_questions():
        page = _flat(" ".join(_exercise_markdown(slug)))
        for letter, option in q.options.items():
            assert _flat(f"**{letter}** {option}") in page, (slug, letter)


@pytest.mark.parametrize("slug", ["lab_pets", "lab_scorecam", "lab_cam"])
def test_each_lab_question_is_written_in_full_in_the_notebook(slug):
    """The labs are published unexecuted: each question's numbers and options are on the
    page, not only in the ``ex`` listing."""
    cells = {int(s[2]): _flat(s) for s in _exercise_markdown(slug) if re.match(r"\*\*\d\.", s)}
    ex = load(slug)
    assert set(cells) == set(range(1, len(ex) + 1))
    for number, question in enumerate(ex, 1):
        text = cells[number]
        assert len(text.split()) >= 15 and ("?" in text or "Write" in text), text
        if isinstance(question, FunctionQuestion):
            assert f"`{question.function_name}(" in text
        numbers = re.findall(r"\d+(?:\.\d+)?", question.prompt.split("(")[0])
        assert all(n in text.replace(",", "") for n in numbers), (number, numbers)
