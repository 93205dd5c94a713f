"""Test-wide set-up. Environment that Qt reads at import time is set here, before anything imports Qt."""

from __future__ import annotations

import os

# Unit and widget tests draw off screen; end-to-end tests start their own X server and session.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Never touch a real keyring by accident: tests that want one pin it explicitly.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from desktop_app.desktop.platform_env import prepare_qt_environment

prepare_qt_environment()

import PySide6.QtWebEngineWidgets  # noqa: E402, F401  (QtWebEngine must be imported before QApplication)

from desktop_app.ui.mail_scheme import register_mail_scheme  # noqa: E402

register_mail_scheme()  # custom URL schemes must be declared before the QApplication exists


import gc  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _web_views_go_before_the_profile() -> Iterator[None]:
    """QtWebEngine crashes at exit when a page outlives its profile, and Python's shutdown order is
    arbitrary: delete every widget and page while the application still exists."""
    yield
    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWebEngineCore import QWebEnginePage
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    for obj in gc.get_objects():
        if isinstance(obj, QWebEnginePage) and shiboken6.isValid(obj):
            obj.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    from desktop_app.ui.sealed_profile import existing_sealed_profile

    profile = existing_sealed_profile()
    if profile is not None:
        profile.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


@pytest.fixture(scope="session", autouse=True)
def _garbage_is_collected_on_the_main_thread() -> Iterator[None]:
    """Automatic GC would run in whatever thread allocates (a test server's worker thread) and destroy
    cyclic QObjects there, leaving their timers registered with the GUI thread: a later event loop
    then fires a freed timer and the process segfaults. See desktop_app/ui/gc_guard.py."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


@pytest.fixture(autouse=True)
def _collect_due_garbage() -> Iterator[None]:
    yield
    from desktop_app.ui.gc_guard import collect_due_generation

    collect_due_generation()
