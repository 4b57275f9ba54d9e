"""Fixtures shared by test modules: the ONE executed build of the book."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from book_build import Build, build

REUSE = "HELPERS_REUSE_BUILD"


class _EarlyBuild(threading.Thread):
    """The executed build, started as soon as the tests are collected.

    The unit tests alone keep about 1.1 of the 2 cores busy; the chapters' kernels fill
    the rest, so the build runs beside them instead of after them. It gets a copy of
    the environment as it is now: tests that monkeypatch ``os.environ`` later do not
    reach the kernels. A daemon thread, so that Ctrl-C does not wait for it.
    """

    def __init__(self):
        super().__init__(name="book-build", daemon=True)
        self.env = dict(os.environ)
        self.result = self.error = None

    def run(self):
        try:
            self.result = build(env=self.env)
        except BaseException as error:          # re-raised in the fixture, in the test
            self.error = error


_early: list[_EarlyBuild] = []


def _reads_the_build(item) -> bool:
    return "executed_site" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(session, config, items):
    """The tests that read the executed build run last, when it is ready."""
    items.sort(key=_reads_the_build)            # stable: the order is otherwise kept


def pytest_collection_finish(session):
    """Start the executed build now if a collected test needs it (and none is reused)."""
    if os.environ.get(REUSE):
        return
    if any(_reads_the_build(item) for item in session.items):
        _early.append(_EarlyBuild())
        _early[0].start()


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
    if _early:
        _early[0].join()
        if _early[0].error is not None:
            raise _early[0].error
        return _early[0].result
    return build()
