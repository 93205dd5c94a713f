"""Tab goes through the window as it reads, top to bottom: the addresses, the header's state and Copy
address, the search, the list, then the open message. It used to go from the list into the message
and only then up to the buttons and the search above the list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1, A2 = "quiet.otter@example.com", "other.heron@example.com"


def _window(qtbot: QtBot) -> MainWindow:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.add_address(A2)
    fake.messages[A1] = [make_summary(1), make_summary(2, seen=True)]
    fake._sort(A1)
    window = shown_window(qtbot, fake, activate=True)
    window.select_address(A1)
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    qtbot.waitUntil(lambda: window.pane.message is not None)
    return window


def _walk(qtbot: QtBot, window: MainWindow, start: QWidget, key: Qt.Key, steps: int) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    reached = [start]
    for _ in range(steps):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key)
        reached.append(QApplication.focusWidget())
    return reached


def test_tab_goes_down_the_window_and_shift_tab_back(qtbot: QtBot) -> None:
    window = _window(qtbot)
    browser = window.reading
    above_the_list = [browser.health_button, window.copy_button, window.search, window.list_view]
    reached = _walk(qtbot, window, window.sidebar.view, Qt.Key.Key_Tab, 5)
    assert reached[:5] == [window.sidebar.view, *above_the_list]
    assert window.pane.isAncestorOf(reached[5])  # then the open message's first control
    back = _walk(qtbot, window, window.list_view, Qt.Key.Key_Backtab, 4)
    assert back == [
        window.list_view,
        window.search,
        window.copy_button,
        browser.health_button,
        window.sidebar.view,
    ]
