"""Stopping the helper processes that test sessions start (Xvfb, dbus-daemon, dunst, the app)."""

from __future__ import annotations

import subprocess
from typing import Any


def stop_process(proc: subprocess.Popen[Any], timeout: float = 5) -> None:
    """Terminate politely, then kill; always reap, so no zombie or stray daemon outlives the test."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
