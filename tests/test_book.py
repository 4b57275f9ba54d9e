"""The book: its configuration, its notebooks' conventions, and a full build."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from sync_repository_url import INSTALL_URL, install_cell, repository_url  # noqa: E402

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
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{path.name}: commit notebooks without outputs"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(r"# \d+\. ", first.source), \
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
def test_colab_install_cell_uses_the_configured_repository(path):
    nb = nbformat.read(path, as_version=4)
    cell = install_cell(nb)
    urls = INSTALL_URL.findall(cell.source)
    assert urls == [f'"git+{repository_url(ROOT)}"'], \
        f"{path.name}: run `python tools/sync_repository_url.py` after changing _config.yml"
    assert 'if "google.colab" in sys.modules:' in cell.source  # does nothing outside Colab


def test_build_the_book_with_warnings_as_errors(tmp_path):
    """``jupyter-book build . -W -n --keep-going`` with execution off (nbval runs the notebooks)."""
    config = dict(CONFIG)
    config["execute"] = dict(CONFIG["execute"], execute_notebooks="off")
    config_path = tmp_path / "_config.yml"
    config_path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp_path / "out"
    jb = shutil.which("jupyter-book") or "jupyter-book"
    result = subprocess.run(
        [jb, "build", str(ROOT), "-W", "-n", "--keep-going", "--all",
         "--config", str(config_path), "--path-output", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    html = out / "_build" / "html"
    assert (html / "index.html").exists()
    for entry in _toc_files():
        assert (html / f"{entry}.html").exists(), f"{entry}.html was not built"
    chapter = (html / "book" / "01_classification.html").read_text(encoding="utf-8")
    assert "colab.research.google.com" in chapter  # the launch button


def test_every_exercise_set_is_used_by_a_chapter():
    import helpers.exercises

    sources = {p.name: p.read_text(encoding="utf-8") for p in NOTEBOOKS}
    for slug in helpers.exercises.chapters():
        call = f'helpers.exercises.load(\\"{slug}\\")'
        assert any(call in text for text in sources.values()), f"no chapter loads exercise set {slug!r}"
