"""Fixtures shared by test modules: the ONE executed build of the book."""
from __future__ import annotations

import pytest

from book_build import build


@pytest.fixture(scope="session")
def executed_site():
    """The book built once per test session, every chapter executed (profile ``test``)."""
    return build()
