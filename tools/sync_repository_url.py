"""Write the install cell of every chapter from _config.yml, then the Colab copies.

The repository's address and branch live in ONE place, ``repository.url`` and
``repository.branch`` in ``_config.yml``. Each chapter's first code cell is the same
install cell (:func:`install_cell_source`): before TensorFlow loads it quiets
TensorFlow's C++ start-up log, and in Colab it installs ``helpers`` from that
repository and branch, the branch whose Colab copy the launch button opened. After
changing the address or the branch (or adding a chapter), run::

    python tools/sync_repository_url.py

It rewrites the install cells, then the Colab copies (``tools/colab_copies.py``).
``tests/test_book.py`` checks that every chapter agrees.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALL_URL = re.compile(r'"git\+[^"]*"')
INSTALL_HEADER = "# Colab only: install the course's `helpers` package"


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def repository_branch(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"].get("branch", "main")


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


def main() -> int:
    source = install_cell_source(repository_url(), repository_branch())
    changed = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cell = install_cell(nb)
        if not cell.source.startswith(INSTALL_HEADER):
            print(f"{path.name}: the first code cell is not the install cell "
                  f"(it must start with {INSTALL_HEADER!r})", file=sys.stderr)
            return 1
        if cell.source != source:
            cell.source = source
            nbformat.write(nb, path)
            changed += 1
    print(f"install cell ({repository_url()} @ {repository_branch()}): "
          f"updated {changed} notebook(s)")
    sys.path.insert(0, str(ROOT / "tools"))
    import colab_copies

    return colab_copies.main()


if __name__ == "__main__":
    sys.exit(main())
