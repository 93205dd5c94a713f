"""The real app process refusing to start: a plain message and exit code 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.paths import STORE_FILENAME

pytestmark = pytest.mark.e2e


def test_an_unreadable_cache_is_reported_plainly(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / STORE_FILENAME).write_bytes(b"not a database " * 100)
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), "--background", "--local"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 1
    assert "temp-inbox: The local mail cache cannot be read or written." in result.stderr
    assert "Traceback" not in result.stderr
    # The cache is opened before the local server: nothing was started that would need stopping.
    assert not (data / "local-server").exists()
