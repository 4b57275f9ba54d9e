"""helpers.claim: strict in the build and tests, a one-sentence note in a reader's run;
the margin log; no reader's copy of a chapter can raise on a claim."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest

import helpers
from helpers.claims import ClaimError, claim, optional_import

import claim_margins

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def strict(monkeypatch):
    monkeypatch.setenv("HELPERS_CLAIMS", "strict")


@pytest.fixture
def report(monkeypatch):
    monkeypatch.setenv("HELPERS_CLAIMS", "report")


# --------------------------------------------------------------------------- semantics
@pytest.mark.parametrize("value, op, bound, expected", [
    (0.95, ">=", 0.9, True), (0.9, ">=", 0.9, True), (0.89, ">=", 0.9, False),
    (0.9, ">", 0.9, False), (0.1, "<", 0.2, True), (0.2, "<=", 0.2, True),
    (0.3, "<", 0.2, False), (0.5, "between", (0.35, 0.65), True),
    (0.65, "between", (0.35, 0.65), True), (0.7, "between", (0.35, 0.65), False),
    (12, "==", 12, True), (11, "==", 12, False), ([1, 2], "==", [1, 2], True),
    ({36_928}, "==", {36_928}, True), (np.array([1, 2]), "==", np.array([1, 2]), True),
    (np.array([1, 2]), "==", np.array([1, 3]), False), (3, "!=", 4, True),
    (np.float32(0.95), ">", 0.9, True), (np.array(0.95), ">", 0.9, True),
])
def test_a_claim_holds_as_its_operator_says(report, value, op, bound, expected, capsys):
    assert claim("x", value, op, bound) is expected
    printed = capsys.readouterr().out
    assert (printed == "") is expected


def test_strict_mode_raises_with_what_the_text_says_and_the_run_gave(strict):
    assert claim("held-out accuracy", 0.97, ">=", 0.9) is True
    with pytest.raises(ClaimError, match=r"held-out accuracy: the text says at least 0\.9, "
                                         r"this run gave 0\.84"):
        claim("held-out accuracy", 0.84, ">=", 0.9)
    assert issubclass(ClaimError, AssertionError)      # a failing chapter cell, as before
    with pytest.raises(ClaimError, match="between 0.35 and 0.65"):
        claim("field accuracy", 0.8, "between", (0.35, 0.65))
    with pytest.raises(ClaimError, match="the text says true"):
        claim("Eigen-CAM is class-agnostic", False)


def test_report_mode_prints_one_sentence_and_never_raises(report, capsys):
    assert claim("held-out accuracy", 0.84, ">=", 0.9) is False
    out = capsys.readouterr().out.strip()
    assert "\n" not in out
    assert "held-out accuracy is at least 0.9" in out and "your run gave 0.84" in out


def test_a_condition_that_fails_is_reported_by_its_name(report, capsys):
    assert claim("Eigen-CAM is class-agnostic", False) is False
    out = capsys.readouterr().out
    assert 'claim "Eigen-CAM is class-agnostic" does not hold in your run' in out


def test_the_default_is_a_readers_run(monkeypatch, capsys):
    monkeypatch.delenv("HELPERS_CLAIMS", raising=False)
    assert claim("x", 1, "<", 0) is False
    assert "your run gave 1" in capsys.readouterr().out


def test_nan_never_satisfies_a_numeric_claim(strict):
    for op, bound in ((">", 0.0), ("<", 1.0), ("between", (0, 1))):
        with pytest.raises(ClaimError, match="nan"):
            claim("score", float("nan"), op, bound)


@pytest.mark.parametrize("args, error, match", [
    (("", 1, ">", 0), TypeError, "what must be a non-empty str"),
    ((3, 1, ">", 0), TypeError, "what must be a non-empty str"),
    (("x", 1, "=>", 0), ValueError, "op must be one of"),
    (("x", 1, None, 0), ValueError, "bound is given without op"),
    (("x", "0.9", ">", 0.5), TypeError, "value must be a real number"),
    (("x", True, ">", 0.5), TypeError, "value must be a real number"),
    (("x", 0.9, ">", "0.5"), TypeError, "bound must be a real number"),
    (("x", np.array([0.9, 0.8]), ">", 0.5), TypeError, "value must be a real number"),
    (("x", 0.5, "between", 0.3), TypeError, r"bound must be \(low, high\)"),
    (("x", 0.5, "between", (0.6, 0.3)), ValueError, "low <= high"),
])
def test_bad_input_is_refused_clearly(strict, args, error, match):
    with pytest.raises(error, match=match):
        claim(*args)


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv("HELPERS_CLAIMS", "loud")
    with pytest.raises(ValueError, match="HELPERS_CLAIMS must be one of"):
        claim("x", 1, ">", 0)


def test_the_log_records_value_bound_and_margin(report, monkeypatch, tmp_path, capsys):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv("HELPERS_CLAIMS_LOG", str(log))
    claim("accuracy", 0.95, ">=", 0.9)
    claim("gap", 0.3, "<", 0.2)
    claim("share", 0.4, "between", (0.35, 0.65))
    claim("agnostic", True)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [r["what"] for r in records] == ["accuracy", "gap", "share", "agnostic"]
    assert records[0]["margin"] == pytest.approx(0.05) and records[0]["held"]
    assert records[1]["margin"] == pytest.approx(-0.1) and not records[1]["held"]
    assert records[2]["margin"] == pytest.approx(0.05)
    assert records[3]["margin"] is None and records[3]["held"]


def test_optional_import(strict, monkeypatch, capsys):
    assert optional_import("json") is json
    with pytest.raises(ImportError):
        optional_import("no_such_reference_library")
    monkeypatch.setenv("HELPERS_CLAIMS", "report")
    assert optional_import("no_such_reference_library") is None
    assert "cross-check against it is skipped" in capsys.readouterr().out


def test_helpers_exports_claim():
    assert helpers.claim is claim


# --------------------------------------------------------------------------- the chapters
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))
COPIES = sorted((ROOT / "colab" / "book").glob("*.ipynb"))


def _raising_statements(source: str) -> list[str]:
    """The statements of a code cell that raise on a claim: assert, np.testing.assert_*."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            found.append(ast.get_source_segment(source, node))
        elif isinstance(node, ast.Call) and "assert_" in ast.unparse(node.func):
            found.append(ast.get_source_segment(source, node))
    return found


def test_the_detector_finds_bare_asserts():
    assert _raising_statements("x = 1\nassert x > 0, x\n") == ["assert x > 0, x"]
    assert _raising_statements("np.testing.assert_allclose(a, b)") == [
        "np.testing.assert_allclose(a, b)"]
    assert _raising_statements("helpers.claim('x', x, '>', 0)") == []


@pytest.mark.parametrize("path", CHAPTERS + COPIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_readers_copy_can_raise_on_a_claim(path):
    """Chapters and their Colab copies (the downloads) check claims with helpers.claim
    only: in a reader's run it prints a note, never an AssertionError."""
    nb = nbformat.read(path, as_version=4)
    bare = {i: _raising_statements(cell.source) for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and "____" not in cell.source}
    bare = {i: found for i, found in bare.items() if found}
    assert not bare, f"{path.name}: use helpers.claim instead of {bare}"


def test_every_copy_has_a_copy_per_chapter():
    assert [p.name for p in COPIES] == [p.name for p in CHAPTERS]


@pytest.mark.parametrize("path", COPIES, ids=lambda p: p.name)
def test_a_copy_explains_its_claim_cells(path):
    nb = nbformat.read(path, as_version=4)
    checks = [c for c in nb.cells if c.cell_type == "code"
              and "remove-cell" in c.metadata.get("tags", [])]
    assert checks, "every chapter and lab checks its claims"
    assert all(c.source.startswith("# Checks the text above against your run")
               for c in checks)


# --------------------------------------------------------------------------- the tool
def test_the_margin_tool_sets_the_training_run():
    source = "P = helpers.profile()\nhelpers.seed_everything(0)\n"
    assert "helpers.seed_everything(3)" in claim_margins.with_run(source, 3)
    with pytest.raises(ValueError, match="one helpers.seed_everything"):
        claim_margins.with_run("x = 1", 3)
    assert [p.name[:2] for p in claim_margins.chapters(["7", "12"])] == ["07", "12"]
    with pytest.raises(SystemExit, match="no single chapter"):
        claim_margins.chapters(["99"])


def test_the_margin_tool_reports_each_claims_values_over_runs(tmp_path):
    """Two runs of a small notebook: the value moves with the run, and the report shows
    the range, the bound and the smallest margin (the second claim fails in run 1)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import random, helpers\nhelpers.seed_everything(0)\nrun = random.random()"),
        nbformat.v4.new_code_cell(
        "helpers.claim('fixed', 0.5, '>', 0.4)\n"
        "helpers.claim('moves', run, '<', 0.5)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "07_tiny.ipynb"
    nbformat.write(nb, path)
    import random
    values = []
    for run in (0, 1):
        random.seed(run)
        values.append(random.random())
    results = [claim_margins.execute(path, run, "test", "default") for run in (0, 1)]
    assert [len(r["claims"]) for r in results] == [2, 2]
    assert [r["claims"][1]["value"] for r in results] == pytest.approx(values)
    text = claim_margins.report(results)
    assert "ok 2/2 fixed" in text
    held = sum(v < 0.5 for v in values)
    assert f"NO {held}/2 moves" in text
    assert "smallest relative margin per chapter" in text
