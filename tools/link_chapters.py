"""Turn plain mentions of existing chapters into links, in every chapter's prose.

"see Chapter 6" becomes "see [Chapter 6](06_cam_gradcam.ipynb)"; "Chapters 3 and 11"
becomes "Chapters [3](03_metrics.ipynb) and [11](11_iou_nms.ipynb)". A chapter's
mentions of itself, mentions of chapters that do not exist yet, text inside `code`
spans and text that is already a link are left alone. ``tests/test_book.py`` asks for
these links (the build then checks that they resolve); after adding a chapter, run::

    python tools/link_chapters.py
    python tools/colab_copies.py
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from notebooks import BOOK, chapter_files

MENTION = re.compile(r"\b(Chapters?) (\d+(?:(?:, | and | to |-|–)\d+)*)")
PROTECTED = re.compile(r"`[^`]*`|\[[^\]]*\]\([^)]*\)")   # code spans and existing links


def link_mentions(text: str, files: dict[int, str], own: int | None) -> str:
    """``text`` with every mention of an existing chapter (not ``own``) linked."""
    def link_numbers(match: re.Match) -> str:
        word, numbers = match.group(1), match.group(2)
        if not any(int(n) in files and int(n) != own for n in re.findall(r"\d+", numbers)):
            return match.group(0)
        if word == "Chapter":                                   # "Chapter 6" -> one link
            n = int(numbers)
            return f"[Chapter {n}]({files[n]})"

        def one(number: re.Match) -> str:                       # "Chapters 3 and 11"
            n = int(number.group(0))
            return f"[{n}]({files[n]})" if n in files and n != own else number.group(0)
        return word + " " + re.sub(r"\d+", one, numbers)

    pieces, last = [], 0
    for protected in PROTECTED.finditer(text):
        pieces.append(MENTION.sub(link_numbers, text[last:protected.start()]))
        pieces.append(protected.group(0))
        last = protected.end()
    pieces.append(MENTION.sub(link_numbers, text[last:]))
    return "".join(pieces)


def main(book: Path = BOOK) -> int:
    files = chapter_files(book)
    pages = [(number, book / name) for number, name in files.items()]
    pages += [(None, path) for path in sorted(book.glob("lab_*.ipynb"))]   # the labs too
    changed = 0
    for number, path in pages:
        nb = nbformat.read(path, as_version=4)
        touched = False
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            lines = cell.source.split("\n")
            new = [line if line.startswith("#") else link_mentions(line, files, number)
                   for line in lines]                           # headings stay plain
            if new != lines:
                cell.source = "\n".join(new)
                touched = True
        if touched:
            nbformat.write(nb, path)
            changed += 1
    print(f"chapter links: {changed} notebook(s) updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
