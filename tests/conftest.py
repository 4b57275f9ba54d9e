"""Fixtures shared by test modules: the ONE executed build of the book."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from book_build import Build, build

REUSE = "HELPERS_REUSE_BUILD"


@pytest.fixture(scope="session")
def executed_site():
    """The book built once per test session, every chapter executed (profile ``test``).

    During development, ``HELPERS_REUSE_BUILD=_build/test`` reuses the site that an earlier
    run built there instead of building again (e.g. to rerun tests/test_browser.py alone).
    """
    reused = os.environ.get(REUSE)
    if reused:
        html = Path(reused).resolve() / "_build" / "html"
        if not (html / "index.html").exists():
            pytest.fail(f"{REUSE}={reused}: no built site at {html}")
        return Build(0, f"(reused the build in {reused})", html)
    return build()
