"""The labs (book/lab_*.ipynb), run end to end offline in the test profile.

The book's build does not execute the labs (they download real data sets and train on
a GPU; see _config.yml). Here each lab runs as Colab runs it: a copy of the notebook in
a fresh temporary folder outside the repository, ``helpers`` importable, and the data
sets replaced by small archives in the real formats through ``HELPERS_FIXTURES``
(honoured only with ``HELPERS_PROFILE=test``; the archives are still verified).
Every hidden ``remove-cell`` check of the lab runs too.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from lab_fixtures import cats_vs_dogs_zip, cifar10_tgz, fixture_folder, imagenette_tgz

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "book").glob("lab_*.ipynb"))
BUDGET = 300  # seconds on a loaded shared machine; about 60 s on an idle one


def _fixtures(folder: Path) -> Path:
    folder.mkdir()
    archives = [cifar10_tgz(folder / "cifar-10-python.tar.gz"),
                cats_vs_dogs_zip(folder / "kagglecatsanddogs_5340.zip"),
                imagenette_tgz(folder / "imagenette2-160.tgz", per_class=(6, 3))]
    return fixture_folder(folder, archives)


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_lab_runs_offline_on_fixture_data(path, tmp_path, monkeypatch):
    fixtures = _fixtures(tmp_path / "fixtures")
    work = tmp_path / "colab"
    work.mkdir()
    monkeypatch.setenv("HELPERS_PROFILE", "test")
    monkeypatch.setenv("HELPERS_FIXTURES", str(fixtures))
    monkeypatch.setenv("HELPERS_DATA", str(tmp_path / "never_used"))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=BUDGET, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    seconds = time.perf_counter() - start
    assert seconds < BUDGET, f"{path.name} took {seconds:.0f} s"
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert not errors
    # nothing downloaded for real, nothing written into the repository
    assert not (tmp_path / "never_used").exists()
    assert (fixtures / "cache").is_dir()
    assert not (ROOT / "book" / "checkpoints").exists()


def test_the_build_executes_every_chapter_but_not_the_labs():
    """_config.yml's execute.exclude_patterns, matched as myst-nb matches them
    (PurePosixPath.match on the notebook's path), catch the labs and nothing else."""
    from pathlib import PurePosixPath

    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    patterns = config["execute"]["exclude_patterns"]
    excluded = {p.name for p in (ROOT / "book").glob("*.ipynb")
                if any(PurePosixPath(p.as_posix()).match(pattern) for pattern in patterns)}
    assert LABS and excluded == {p.name for p in LABS}
