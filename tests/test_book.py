"""The book: its configuration, its notebooks' conventions, and the executed build.

The executed build (tests/book_build.py) is the one run of the chapters in the default
test command; tests/test_browser.py opens the same build in Chromium.
"""
from __future__ import annotations

import os
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml

from book_build import build, executed_notebooks, failing_notebooks, failure_report
from colab_copies import COPIES, colab_url, expected_copies, labels
from notebooks import install_cell, install_cell_source, repository_branch, repository_url

ROOT = Path(__file__).resolve().parents[1]

PAGE_WIDTH = 79            # characters of code that fit the book's page without scrolling
# Seconds per chapter in the test profile: the budget is 60 s on an idle 2-core machine;
# this limit only catches a runaway chapter on a loaded one (README.md has the figures).
CHAPTER_BUDGET = 300

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


def _toc_files():
    files = [TOC["root"]]
    for part in TOC["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_config_has_what_the_book_needs():
    assert CONFIG["execute"]["raise_on_error"] is True
    assert CONFIG["execute"]["timeout"] > 0
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    assert CONFIG["bibtex_bibfiles"] == ["references.bib"]


def test_every_toc_entry_exists_and_every_chapter_is_listed():
    for entry in _toc_files():
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry!r}, which does not exist"
    listed = set(_toc_files())
    for nb in NOTEBOOKS:
        assert f"book/{nb.stem}" in listed, f"{nb.name} is not in _toc.yml"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    missing = [i for i, cell in enumerate(raw["cells"]) if "id" not in cell]
    assert not missing, f"{path.name}: cells without an id (nbformat 4.5): {missing}"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name}: commit notebooks without outputs"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(r"# (\d+|Lab [A-Z])\. ", first.source), \
        f"{path.name}: the first cell must be the '# N. Title' heading"
    assert "**What you will learn.**" in first.source
    headings = [line for c in nb.cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("# ")]
    assert len(headings) == 1, f"{path.name}: one '#' title per chapter, found {headings}"
    profile_cell = next(c for c in nb.cells if "helpers.profile()" in c.source)
    # TensorFlow's C++ start-up log (printed when the profile looks for a GPU) is noise in the book
    assert "remove-stderr" in profile_cell.metadata.get("tags", []), f"{path.name}: tag the profile cell"
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Summary" in sources and "## Exercises" in sources


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_install_cell_is_the_configured_one(path):
    """Every chapter's first code cell: quiet TensorFlow before it loads, and in Colab
    install helpers from the configured repository *and branch*."""
    nb = nbformat.read(path, as_version=4)
    cell = install_cell(nb)
    assert cell.source == install_cell_source(repository_url(ROOT), repository_branch(ROOT)), \
        f"{path.name}: run `python tools/sync_repository_url.py` (after changing _config.yml)"
    assert 'if "google.colab" in sys.modules:' in cell.source  # installs nothing elsewhere
    first_import = min(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                       and re.search(r"^\s*(import|from) (helpers|keras|tensorflow)", c.source, re.M))
    assert nb.cells.index(cell) < first_import     # the log level is set before TF loads
    saved = os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
    try:
        exec(compile(cell.source, "install cell", "exec"), {})   # outside Colab: no install
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] in ("2", "3")
    finally:
        os.environ.pop("TF_CPP_MIN_LOG_LEVEL", None)
        if saved is not None:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = saved


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    """No code line is cut off at the book's page width (79 characters)."""
    nb = nbformat.read(path, as_version=4)
    long = [(i, line) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > PAGE_WIDTH]
    assert not long, f"{path.name}: {len(long)} code line(s) over {PAGE_WIDTH} characters:\n" + \
        "\n".join(f"  cell {i}: ({len(line)}) {line}" for i, line in long[:20])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_mentions_of_existing_chapters_are_links(path):
    """"Chapter 6" is a link once book/06_*.ipynb exists (the build then checks the link)."""
    chapters = {int(p.name[:2]) for p in NOTEBOOKS if p.name[:2].isdigit()}
    own = int(path.name[:2]) if path.name[:2].isdigit() else None
    nb = nbformat.read(path, as_version=4)
    plain = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"\[[^\]]*\]\([^)]*\)", "", cell.source)        # drop existing links
        for match in re.finditer(r"Chapters? \d+(?:(?:, | and | to |-|–)\d+)*", text):
            numbers = set(map(int, re.findall(r"\d+", match.group(0))))
            if (numbers & chapters) - {own}:
                plain.append(match.group(0))
    assert not plain, (f"{path.name}: link these to their chapters, e.g. "
                       f"[Chapter N](NN_name.ipynb): {sorted(set(plain))}")


def test_colab_copies_are_up_to_date():
    """colab/book/ holds the chapters' Colab copies, current with book/ and _config.yml."""
    fix = "run `python tools/colab_copies.py` and commit colab/book/"
    for path, text in expected_copies(ROOT).items():
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: {fix}"
        assert path.read_text(encoding="utf-8") == text, f"{path.relative_to(ROOT)} is stale: {fix}"
    extra = {p.name for p in (ROOT / COPIES / "book").glob("*.ipynb")} - {p.name for p in NOTEBOOKS}
    assert not extra, f"Colab copies without a chapter: {extra}: {fix}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_colab_copy_reads_cleanly_outside_the_book(path):
    copy = nbformat.read(ROOT / COPIES / "book" / path.name, as_version=4)
    nbformat.validate(copy)
    text = "\n".join(c.source for c in copy.cells if c.cell_type == "markdown")
    assert not re.search(r"\{[a-z:]+\}`", text), "a MyST role is left"
    assert re.search(r"\]\((?!https?://)[^)]*\.(ipynb|md)", text) is None, "a relative link is left"
    original = nbformat.read(path, as_version=4)
    keys = [k.strip() for c in original.cells if c.cell_type == "markdown"
            for group in re.findall(r"\{cite\}`([^`]+)`", c.source) for k in group.split(",")]
    known = labels(ROOT)
    for key in keys:                                         # each citation: "(Author, year)"
        assert known[key][0] in text, f"{key}: {known[key][0]!r} missing"
    assert install_cell(copy).source == install_cell(original).source
    assert f"@{repository_branch(ROOT)}" in install_cell(copy).source
    assert CONFIG["repository"]["path_to_book"] == COPIES   # the launch button opens the copy
    assert colab_url(CONFIG, f"book/{path.name}").endswith(
        f"/blob/{repository_branch(ROOT)}/{COPIES}/book/{path.name}")


def test_packaging_uses_the_current_license_form():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"                  # an SPDX expression
    assert all((ROOT / f).exists() for f in project["project"]["license-files"])
    requires = " ".join(project["build-system"]["requires"])
    version = re.search(r"setuptools>=(\d+)", requires)
    assert version and int(version.group(1)) >= 77
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "build/" in ignored and "_build/" in ignored


def test_local_readers_get_jupyterlab():
    """README and book/running.md say `jupyter lab book/`: requirements.txt installs it."""
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^jupyterlab\b", requirements, re.M)
    assert "jupyter lab book/" in (ROOT / "book" / "running.md").read_text(encoding="utf-8")
    lab = shutil.which("jupyter-lab")
    assert lab, "JupyterLab is missing: pip install -r requirements.txt"
    result = subprocess.run([lab, "--version"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and re.match(r"\d+\.", result.stdout.strip())


def test_the_executed_build_succeeds(executed_site):
    """``jupyter-book build . -W -n --keep-going`` with every chapter executed (profile
    ``test``): a failing cell or a hidden guard fails it, naming the chapter."""
    assert executed_site.returncode == 0, failure_report(executed_site)
    html = executed_site.html
    assert (html / "index.html").exists()
    for entry in _toc_files():
        assert (html / f"{entry}.html").exists(), f"{entry}.html was not built"
    times = executed_site.execution
    print("\nchapter execution times (profile test):")
    for docname, data in sorted(times.items()):
        print(f"  {docname:32s} {data['seconds']:7.1f} s")
    for nb in executed_notebooks(ROOT):
        docname = f"book/{nb.stem}"
        assert docname in times and times[docname]["succeeded"], f"{nb.name} was not executed"
        assert times[docname]["seconds"] < CHAPTER_BUDGET, \
            f"{nb.name} took {times[docname]['seconds']:.0f} s in the test profile"
        page = (html / f"{docname}.html").read_text(encoding="utf-8")
        figures = re.findall(r'<img[^>]+src="\.\./_images/', page)
        assert figures, f"{nb.name}: an executed chapter shows its figures (none found)"



def test_no_figure_has_titles_that_run_into_each_other(executed_site):
    """Every figure the chapters draw is checked as it is drawn (helpers.viz.layout,
    switched on by the build's HELPERS_FIGURE_LOG): no title overlaps another title or
    another panel's axis labels."""
    assert executed_site.returncode == 0, failure_report(executed_site)
    collisions = [e for e in executed_site.figure_collisions if e["collisions"]]
    assert not collisions, "figures whose titles collide:\n" + "\n".join(
        f"  {entry['source']}: " + "; ".join(entry["collisions"]) for entry in collisions)


def test_no_figure_has_text_the_page_shrinks_below_a_readable_size(executed_site):
    """Every figure the chapters draw is checked as it is drawn: once fitted to the
    column (helpers.viz.layout.COLUMN_PX, checked in Chromium by tests/test_browser.py),
    no title, label, tick label, legend or note is smaller than MIN_TEXT_PX."""
    assert executed_site.returncode == 0, failure_report(executed_site)
    small = [e for e in executed_site.figure_collisions if e.get("small_text")]
    assert not small, "figures with text too small to read on the page:\n" + "\n".join(
        f"  {entry['source']}: " + "; ".join(entry["small_text"]) for entry in small)

def test_a_failing_hidden_guard_fails_the_build_and_names_the_notebook(tmp_path):
    source = tmp_path / "mini"
    (source / "book").mkdir(parents=True)
    (source / "_config.yml").write_text(yaml.safe_dump({
        "title": "mini", "execute": {"execute_notebooks": "force", "raise_on_error": True,
                                     "timeout": 120}}), encoding="utf-8")
    (source / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "book/index", "chapters": [{"file": "book/broken"}]}),
        encoding="utf-8")
    (source / "book" / "index.md").write_text("# Mini\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    guard = nbformat.v4.new_code_cell(
        'import helpers\nhelpers.claim("the claimed number", 1 + 1, "==", 3)')
    guard.metadata["tags"] = ["remove-cell"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell("x = 1"),
                guard]
    nbformat.write(nb, source / "book" / "broken.ipynb")
    result = build(source, tmp_path / "out", timeout=600)
    assert result.returncode != 0
    assert failing_notebooks(result.log) == ["broken.ipynb"], result.log[-3000:]
    report = failure_report(result)
    assert report.startswith("executing broken.ipynb failed"), report[:500]
    assert "the claimed number" in report, report[-3000:]
    assert "ClaimError" in report, report[-3000:]


def test_the_books_extension_makes_every_build_strict(monkeypatch):
    """`jupyter-book build .` (the deploy workflow, a reader's build) checks claims
    strictly: the book's Sphinx extension sets HELPERS_CLAIMS before kernels start."""
    from unittest import mock

    import book_extras

    monkeypatch.delenv("HELPERS_CLAIMS", raising=False)
    book_extras.setup(mock.MagicMock())
    assert os.environ["HELPERS_CLAIMS"] == "strict"


def test_every_exercise_set_is_used_by_a_chapter():
    import helpers.exercises

    sources = {p.name: p.read_text(encoding="utf-8") for p in NOTEBOOKS}
    for slug in helpers.exercises.chapters():
        call = f'helpers.exercises.load(\\"{slug}\\")'
        assert any(call in text for text in sources.values()), f"no chapter loads exercise set {slug!r}"
