"""Write the repository URL of _config.yml into every chapter's Colab install cell.

The URL lives in ONE place, ``repository.url`` in ``_config.yml``. Each chapter's first
code cell installs ``helpers`` from it in Colab; this script rewrites that cell after
the URL changes (``tests/test_book.py`` checks that they agree)::

    python tools/sync_repository_url.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALL_URL = re.compile(r'"git\+[^"]*"')


def repository_url(root: Path = ROOT) -> str:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"]


def install_cell(nb) -> nbformat.NotebookNode:
    """The notebook's first code cell (the Colab install cell)."""
    return next(cell for cell in nb.cells if cell.cell_type == "code")


def main() -> int:
    url = repository_url()
    changed = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cell = install_cell(nb)
        if not INSTALL_URL.search(cell.source):
            print(f"{path.name}: first code cell has no \"git+...\" install URL", file=sys.stderr)
            return 1
        new = INSTALL_URL.sub(f'"git+{url}"', cell.source)
        if new != cell.source:
            cell.source = new
            nbformat.write(nb, path)
            changed += 1
    print(f"repository URL {url}: updated {changed} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
