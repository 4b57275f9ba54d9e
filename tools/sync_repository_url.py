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

import sys

import nbformat

import colab_copies
from notebooks import (BOOK, INSTALL_HEADER, install_cell, install_cell_source,
                       repository_branch, repository_url)


def main() -> int:
    source = install_cell_source(repository_url(), repository_branch())
    changed = 0
    for path in sorted(BOOK.glob("*.ipynb")):
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
    return colab_copies.main()


if __name__ == "__main__":
    sys.exit(main())
