"""Process-wide environment that must be set before Qt (and QtWebEngine) is imported."""

from __future__ import annotations

import os


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def prepare_qt_environment() -> None:
    """Chromium's sandbox is one of the layers that protect against hostile mail, so it stays on;
    only a root process (where Chromium refuses to start with it) runs without it."""
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    wanted = ["--disable-gpu"]
    if running_as_root():
        wanted.append("--no-sandbox")
    for flag in wanted:
        if flag not in flags:
            flags.append(flag)
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags)
