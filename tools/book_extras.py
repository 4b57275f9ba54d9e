"""Sphinx extension of the book (listed under sphinx.local_extensions in _config.yml).

1. Bibliography labels that match the citations. The text cites author-year
   ("[Branwen, 2011]", sphinxcontrib-bibtex's ``author_year`` reference style), so the
   reference list uses the same labels instead of pybtex's "alpha" ones ("[Bra11]"):
   the pybtex style ``author_year_alpha`` (alpha's sorting and formatting, which gives
   web sources their URL, with author-year labels) is registered here and selected by
   ``bibtex_default_style``.
2. Execution times. When the build finishes, ``reports/execution.json`` in the
   output lists each executed chapter's run time in seconds and whether it succeeded
   (the tests print it; README.md quotes it).
3. A page without console errors. Jupyter Book 1 registers sphinx-thebe's inline
   ``const THEBE_JS_URL = ...`` script twice, which every page reports as "Identifier
   'THEBE_JS_URL' has already been declared"; identical scripts are kept once. The
   theme's colour mode defaults to "auto" (an empty default logs "invalid theme mode").
4. Downloads that read cleanly. When the build finishes, each chapter's ``.ipynb``
   download (``_sources/book/NN_*.ipynb``) is replaced by its Colab copy
   (tools/colab_copies.py): citations as text, working links, the install cell.
5. Strict claims. Every chapter that the build executes checks its text's claims
   with ``helpers.claim``; in the build they are strict (``HELPERS_CLAIMS=strict``,
   set here before any kernel starts and inherited by the kernels), so a claim that
   does not hold fails the build with the chapter's name. A reader's copy reports
   instead (helpers/claims.py).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from pybtex.plugin import register_plugin
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.labels import BaseLabelStyle

from colab_copies import author_year, colab_copy, labels
from notebooks import ROOT, config


class AuthorYearLabels(BaseLabelStyle):
    """"Branwen, 2011", "Davis and Goadrich, 2006", "Selvaraju et al., 2017"; a, b, ...
    appended when two entries would get the same label."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        plain = [author_year(entry, key=getattr(entry, "key", "")) for entry in entries]
        counts, seen = Counter(plain), Counter()
        for label in plain:
            if counts[label] > 1:
                seen[label] += 1
                yield f"{label}{chr(ord('a') + seen[label] - 1)}"
            else:
                yield label


class AuthorYearAlpha(AlphaStyle):
    default_label_style = "author_year"


def _write_execution_times(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import json

    from myst_nb.sphinx_ import NbMetadataCollector

    times = {}
    for docname in sorted(app.env.found_docs):
        data = NbMetadataCollector.get_exec_data(app.env, docname)
        if data:
            times[docname] = {"seconds": data.get("runtime"), "method": data.get("method"),
                              "succeeded": data.get("succeeded")}
    reports = Path(app.outdir) / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "execution.json").write_text(json.dumps(times, indent=1), encoding="utf-8")


def _replace_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import nbformat

    conf, known = config(ROOT), labels(ROOT)
    sources = Path(app.outdir) / "_sources" / "book"
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        target = sources / path.name
        if target.exists():
            nb = nbformat.read(path, as_version=4)
            target.write_text(nbformat.writes(colab_copy(nb, path.name, conf, known)) + "\n",
                              encoding="utf-8")


def _page_context(app, pagename, templatename, context, doctree):
    """Drop repeated, identical <script> entries (the duplicated thebe configuration), and
    give the theme's colour mode a valid default."""
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {}) or {}
        # an inline script's filename is None or "" (both occur): the same script
        key = (getattr(script, "filename", str(script)) or "", repr(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    import os

    os.environ.setdefault("HELPERS_CLAIMS", "strict")     # 5: kernels inherit it
    app.connect("html-page-context", _page_context, priority=999)   # after the others
    register_plugin("pybtex.style.labels", "author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "author_year_alpha", AuthorYearAlpha)
    app.connect("build-finished", _replace_downloads)
    app.connect("build-finished", _write_execution_times)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
