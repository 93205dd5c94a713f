"""Copying to the clipboard, and clearing it later only if it still holds what we put there."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui.clipboard import clipboard_text, copy_text


def test_copy_puts_text_on_the_clipboard(qtbot: QtBot) -> None:
    copy_text("me@tmp.test")
    assert clipboard_text() == "me@tmp.test"


def test_clear_after_clears_our_own_text(qtbot: QtBot) -> None:
    copy_text("482913", clear_after=0.05)
    assert clipboard_text() == "482913"
    qtbot.waitUntil(lambda: clipboard_text() == "", timeout=3000)


def test_clear_after_leaves_what_the_user_copied_since(qtbot: QtBot) -> None:
    copy_text("482913", clear_after=0.05)
    QGuiApplication.clipboard().setText("the user's own text")
    fired: list[bool] = []
    QTimer.singleShot(150, lambda: fired.append(True))  # fires after our clear timer had its turn
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    assert clipboard_text() == "the user's own text"


def test_an_older_timer_does_not_clear_a_newer_copy_of_the_same_text(qtbot: QtBot) -> None:
    copy_text("482913", clear_after=0.05)
    copy_text("482913", clear_after=0.3)
    fired: list[bool] = []
    QTimer.singleShot(120, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    assert clipboard_text() == "482913"  # the first timer saw a newer copy and let it be
    qtbot.waitUntil(lambda: clipboard_text() == "", timeout=3000)
