"""Process-wide environment that must be set before Qt (and QtWebEngine) is imported."""

from __future__ import annotations

import os


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# Chromium renders in software (--disable-gpu), so Qt needs no OpenGL to show its frames: Qt Quick's
# software scene graph draws the web view, and without an xcb GL integration Mesa (llvmpipe and its
# LLVM, about 60 MB resident) is never loaded. A value the user set is kept.
SOFTWARE_RENDERING_ENV = {"QT_QUICK_BACKEND": "software", "QT_XCB_GL_INTEGRATION": "none"}


def prepare_qt_environment() -> None:
    """Chromium's sandbox is one of the layers that protect against hostile mail, so it stays on;
    only a root process (where Chromium refuses to start with it) runs without it. One renderer
    process serves every sealed page: each message is its own site (a random token as its host), and
    without the limit each message started a renderer of its own (+85 MB while the old one lingered)."""
    for key, value in SOFTWARE_RENDERING_ENV.items():
        os.environ.setdefault(key, value)
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    wanted = ["--disable-gpu", "--renderer-process-limit=1"]
    if running_as_root():
        wanted.append("--no-sandbox")
    for flag in wanted:
        if flag not in flags:
            flags.append(flag)
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(flags)
