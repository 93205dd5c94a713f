"""Fixtures shared by the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.sealed_helpers import Tracker
from tests.ui.windows import delete_windows


@pytest.fixture(autouse=True)
def _delete_windows() -> Iterator[None]:
    """Windows made with ``shown_window`` are deleted at once after each test."""
    yield
    delete_windows()


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    """A local server that counts accepted TCP connections (not only HTTP requests)."""
    server = Tracker()
    yield server
    server.close()
