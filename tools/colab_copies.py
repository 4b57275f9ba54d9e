"""Write the Colab copies of the chapters: colab/book/NN_*.ipynb.

The book's notebooks are MyST: they cite with {cite}`key`, which Jupyter Book renders
but Colab shows raw. A Colab reader gets a copy made for reading outside the book:

* every {cite}`a,b` becomes "(Author, 2011; Other et al., 2016)", the same author-year
  labels as the book, each linked to the entry's URL when references.bib has one;
* links to other chapters (``05_x.ipynb``) open those chapters' Colab copies, and links
  to the book's pages (``running.md``) open the published book;
* a first line says which chapter of which book this is, with a link to it;
* the cells that check the text's claims (hidden in the book) get a first comment
  that says what they do: in a reader's run ``helpers.claim`` prints a note where the
  run differs from the text, and never raises (helpers/claims.py);
* the install cell installs ``helpers`` from the branch in ``_config.yml``, the branch
  whose Colab copy the launch button opens (``repository.branch``).

The launch buttons point at these copies because ``repository.path_to_book`` is
``colab``. The copies are committed (Colab opens files from GitHub); after changing a
chapter, run::

    python tools/colab_copies.py

``tests/test_book.py`` fails, with that command, when a copy is missing or stale. The
book build (``_ext/book_extras.py``) also serves these copies as the pages' .ipynb
downloads.
"""
from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import nbformat

from notebooks import ROOT, config, github_parts, install_cell, install_cell_source

COPIES = "colab"                       # repository.path_to_book in _config.yml
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
# the first line of a claim-checking cell (hidden in the book) in a reader's copy
CHECK_NOTE = ("# Checks the text above against your run: where your numbers differ,\n"
              "# it prints a note (helpers.claim) and the notebook goes on.\n")
LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+?)\.(ipynb|md)(#[^)]*)?\)")


def site_url(conf: dict) -> str:
    """Where the deploy workflow publishes the book (GitHub Pages of the repository)."""
    base = conf.get("html", {}).get("baseurl", "")
    if base:
        return base.rstrip("/")
    org, repo, _ = github_parts(conf)
    return f"https://{org.lower()}.github.io/{repo}"


def colab_url(conf: dict, notebook: str) -> str:
    """The Colab address of a chapter's copy, e.g. notebook ``"book/04_tank_story.ipynb"``."""
    org, repo, branch = github_parts(conf)
    return f"https://colab.research.google.com/github/{org}/{repo}/blob/{branch}/{COPIES}/{notebook}"


def author_year(entry, key: str = "") -> str:
    """The book's label of a pybtex entry: "Branwen, 2011", "Selvaraju et al., 2017"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
    if "others" in last:                      # BibTeX's "and others": et al.
        last = last[:1] + ["", ""]
    if len(last) == 1:
        who = last[0]
    elif len(last) == 2:
        who = f"{last[0]} and {last[1]}"
    elif last:
        who = f"{last[0]} et al."
    else:
        who = entry.fields.get("title", key)
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


def entry_url(entry) -> str:
    """The entry's web address: its url, else its arXiv page, else its DOI."""
    if entry.fields.get("url"):
        return entry.fields["url"]
    if entry.fields.get("eprint"):
        return f"https://arxiv.org/abs/{entry.fields['eprint']}"
    if entry.fields.get("doi"):
        return f"https://doi.org/{entry.fields['doi']}"
    return ""


def labels(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    """{key: ("Branwen, 2011", url or "")}: the book's author-year labels."""
    from pybtex.database import parse_file

    entries = parse_file(str(root / "references.bib")).entries
    return {key: (author_year(entry, key), entry_url(entry)) for key, entry in entries.items()}


def citations_as_text(text: str, labels: dict) -> str:
    """Replace each {cite}`a,b` with "([Author, 2011](url); ...)"."""
    def one(match):
        parts = []
        for key in (k.strip() for k in match.group(1).split(",")):
            if key not in labels:
                raise KeyError(f"{{cite}} of unknown key {key!r}: add it to references.bib")
            label, url = labels[key]
            parts.append(f"[{label}]({url})" if url else label)
        return "(" + "; ".join(parts) + ")"
    return CITE.sub(one, text)


def links_outside_the_book(text: str, conf: dict, chapter_dir: str = "book") -> str:
    """Chapter links open the chapter's Colab copy; page links open the published book."""
    def one(match):
        target, ext, anchor = match.group(1), match.group(2), match.group(3) or ""
        path = f"{chapter_dir}/{target}" if "/" not in target else target
        if ext == "ipynb":
            return f"]({colab_url(conf, path + '.ipynb')})"
        return f"]({site_url(conf)}/{path}.html{anchor})"
    return LINK.sub(one, text)


def colab_copy(nb, name: str, conf: dict, labels: dict):
    """The Colab copy of notebook ``nb`` (file name ``name``); ``nb`` is not changed."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = links_outside_the_book(citations_as_text(cell.source, labels), conf)
    title = out.cells[0].source.splitlines()[0].lstrip("# ").strip()
    page = f"{site_url(conf)}/book/{Path(name).stem}.html"
    note = nbformat.v4.new_markdown_cell(
        f"*This is the Colab copy of \"{title}\", a chapter of the book "
        f"[{conf['title']}]({site_url(conf)}), where you can also [read it]({page}) "
        "with its figures. Run the cells from the top: the first one installs the "
        "course's `helpers` package.*")
    note.metadata["tags"] = ["colab-note"]
    out.cells.insert(1, note)
    cell = install_cell(out)
    org, repo, branch = github_parts(conf)
    cell.source = install_cell_source(conf["repository"]["url"], branch)
    for cell in out.cells:
        if cell.cell_type == "code" and "remove-cell" in cell.metadata.get("tags", []):
            cell.source = CHECK_NOTE + cell.source     # the book hides it; Colab shows it
    for cell in out.cells:                        # ids must stay unique and stable
        cell.pop("id", None)
    out.nbformat, out.nbformat_minor = 4, 4
    return out


def expected_copies(root: Path = ROOT) -> dict[Path, str]:
    """{path of the copy: its text} for every chapter in book/."""
    conf, known = config(root), labels(root)
    copies = {}
    for path in sorted((root / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = nbformat.writes(colab_copy(nb, path.name, conf, known)) + "\n"
        copies[root / COPIES / "book" / path.name] = text
    return copies


def main() -> int:
    copies = expected_copies()
    written = 0
    for path, text in copies.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written += 1
    stale = [p for p in (ROOT / COPIES / "book").glob("*.ipynb") if p not in copies]
    for path in stale:
        path.unlink()
    print(f"Colab copies in {COPIES}/book: {written} written, {len(stale)} removed, "
          f"{len(copies) - written} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
