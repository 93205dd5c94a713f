"""Fixtures shared by the UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ui.sealed_helpers import Tracker


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    """A local server that counts accepted TCP connections (not only HTTP requests)."""
    server = Tracker()
    yield server
    server.close()
