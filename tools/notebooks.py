"""What the tools share: where the book's notebooks are, the book's configuration, and
the install cell every chapter starts with.

The scripts in ``tools/`` import this module as a sibling (``from notebooks import
...``): run as ``python tools/x.py``, Python puts ``tools/`` on the path itself; the
tests (``pythonpath`` in ``pyproject.toml``) and the book build (``local_extensions``
in ``_config.yml``) do the same. No tool edits ``sys.path``, and no tool imports a
tool that imports it back: ``colab_copies`` and ``link_chapters`` use this module,
``sync_repository_url`` uses this module and ``colab_copies``, ``book_extras`` (the
Sphinx extension) uses ``colab_copies``.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
INSTALL_HEADER = "# Colab only: install the course's `helpers` package"


def config(root: Path = ROOT) -> dict:
    """The book's ``_config.yml`` as a dict."""
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def repository_url(root: Path = ROOT) -> str:
    """``repository.url`` of ``_config.yml``: the one place the address is written."""
    return config(root)["repository"]["url"]


def repository_branch(root: Path = ROOT) -> str:
    """``repository.branch`` of ``_config.yml`` (``"main"`` when absent)."""
    return config(root)["repository"].get("branch", "main")


def github_parts(conf: dict) -> tuple[str, str, str]:
    """(organisation, repository, branch) from ``_config.yml``."""
    url = conf["repository"]["url"].rstrip("/")
    org, repo = url.split("/")[-2:]
    return org, repo, conf["repository"].get("branch", "main")


def chapter_files(book: Path = BOOK) -> dict[int, str]:
    """{6: "06_cam_gradcam.ipynb", ...} for the chapter notebooks that exist (labs
    excluded)."""
    return {int(p.name[:2]): p.name for p in sorted(book.glob("[0-9][0-9]_*.ipynb"))}


def install_cell_source(url: str, branch: str) -> str:
    """The first code cell of every chapter (each line within 79 characters)."""
    return (
        f"{INSTALL_HEADER} (does\n"
        "# nothing elsewhere). Before TensorFlow loads, hide its C++ start-up log;\n"
        "# level 3 also hides the harmless 'cuInit' error of a machine without an\n"
        "# NVIDIA GPU (book/running.md says which lines cannot be hidden).\n"
        "import glob, os, subprocess, sys\n"
        'no_gpu = not glob.glob("/dev/nvidia[0-9]*")\n'
        'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3" if no_gpu else "2")\n'
        f'REPOSITORY = "{url.rstrip("/")}"\n'
        'if "google.colab" in sys.modules:\n'
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q",\n'
        f'                    f"git+{{REPOSITORY}}@{branch}"], check=True)'
    )


def install_cell(nb) -> nbformat.NotebookNode:
    """The notebook's first code cell (the Colab install cell)."""
    return next(cell for cell in nb.cells if cell.cell_type == "code")
