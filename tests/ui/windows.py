"""Main windows for widget tests: built on the fake controller, shown, and deleted right after the test
(the autouse fixture in ``tests/ui/conftest.py``). A widget tree left to Python's garbage collector can
be collected in the middle of another test's event loop and crash the process."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController, FakeHtmlView

_made: list[MainWindow] = []


def shown_window(
    qtbot: QtBot,
    fake: FakeController,
    *,
    before_show: Callable[[MainWindow], None] | None = None,
    activate: bool = False,
) -> MainWindow:
    window = MainWindow(fake, fake.signals, html_view_factory=FakeHtmlView)
    _made.append(window)
    # Closing must not ask "Quit?" (it would block); the tray/ask behaviour has its own test.
    window.allow_close()
    if before_show is not None:
        before_show(window)
    window.show()
    qtbot.waitExposed(window)
    if activate:
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def delete_windows() -> None:
    while _made:
        window = _made.pop()
        window.allow_close()
        window.close()
        window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def tracked(window: MainWindow) -> MainWindow:
    """A window made on another controller (a real one), deleted after the test like the others."""
    _made.append(window)
    return window
