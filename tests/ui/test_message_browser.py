"""The reading area on its own (issue 10: message browsing moved out of main_window.py): a
MessageBrowser with no window around it lists an address's mail, opens the selected message in its
pane, filters by search and asks the window to show its status, so the window only composes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QSplitter
from pytestqt.qtbot import QtBot

from desktop_app.ui import main_window, texts
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.message_browser import MessageBrowser
from tests.ui.fakes import FakeController, FakeHtmlView, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"


@pytest.fixture
def fake() -> FakeController:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    fake.messages[A1] = [make_summary(i, subject=f"Code {i}") for i in range(3)]
    fake._sort(A1)
    return fake


@pytest.fixture
def browser(qtbot: QtBot, fake: FakeController) -> Iterator[MessageBrowser]:
    browser = MessageBrowser(fake, fake.signals, FakeHtmlView)
    browser.resize(800, 700)
    browser.show()
    qtbot.waitExposed(browser)
    yield browser
    browser.close()
    browser.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_browser_alone_lists_opens_and_searches(
    qtbot: QtBot, browser: MessageBrowser, fake: FakeController
) -> None:
    browser.show_address(None)
    assert browser.empty_list.isVisible() and not browser.search.isEnabled()
    browser.show_address(A1)
    assert browser.model.rowCount() == 3 and browser.list_view.isVisible() and browser.search.isEnabled()
    browser.list_view.setCurrentIndex(browser.model.index(0, 0))
    assert fake.called("open_message") == [(A1, "m000002")]
    assert browser.pane.message is not None and browser.pane.message.id == "m000002"
    assert browser.current_message_id() == "m000002"

    browser.search.setText("Code 1")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)  # applies at once, without the debounce
    assert browser.model.rowCount() == 1 and browser.model.search == "Code 1"
    assert browser.list_view.hasFocus()


def test_a_browser_alone_says_deleting_through_its_status_signal(
    browser: MessageBrowser, fake: FakeController
) -> None:
    browser.show_address(A1)
    browser.list_view.setCurrentIndex(browser.model.index(1, 0))
    said: list[str] = []
    browser.status.connect(said.append)
    browser.delete_current_message()
    assert fake.called("delete_message") == [(A1, "m000001")]
    assert said == [texts.DELETING_MESSAGE.format(subject="Code 1")]
    assert browser.model.rowCount() == 2


def test_the_window_composes_the_browser(qtbot: QtBot, fake: FakeController) -> None:
    window = shown_window(qtbot, fake)
    assert isinstance(window.reading, MessageBrowser) and isinstance(window.reading, QSplitter)
    assert window.reading.parent() is window.main_splitter
    assert window.model is window.reading.model and window.pane is window.reading.pane
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    window.delete_action.trigger()
    assert window.statusBar().currentMessage() == texts.DELETING_MESSAGE.format(subject="Code 2")


def test_main_window_stays_small() -> None:
    lines = Path(main_window.__file__).read_text(encoding="utf-8").count("\n")
    assert lines < 500, f"main_window.py has {lines} lines: browsing belongs in message_browser.py"


def test_clearing_a_search_opens_again_the_message_it_hid(
    qtbot: QtBot, browser: MessageBrowser, fake: FakeController
) -> None:
    browser.show_address(A1)
    browser.list_view.setCurrentIndex(browser.model.index(0, 0))
    assert browser.pane.message is not None and browser.pane.message.id == "m000002"
    browser.search.setText("Code 1")  # typed: applied after the debounce, nothing else selected
    qtbot.waitUntil(lambda: browser.model.search == "Code 1")
    assert browser.pane.message is None and browser.current_message_id() is None  # filtered out
    qtbot.keyClick(browser.search, Qt.Key.Key_Escape)
    assert browser.search.text() == "" and browser.model.rowCount() == 3
    assert browser.current_message_id() == "m000002"
    assert browser.pane.message is not None and browser.pane.message.id == "m000002"


def test_escape_clears_a_search_that_found_nothing_wherever_the_focus_is(
    qtbot: QtBot, browser: MessageBrowser
) -> None:
    browser.show_address(A1)
    browser.search.setText("no such mail")
    qtbot.keyClick(browser.search, Qt.Key.Key_Return)
    assert browser.model.rowCount() == 0 and browser.empty_list.isVisible()
    browser.empty_list.setFocus()
    qtbot.keyClick(browser.empty_list, Qt.Key.Key_Escape)
    assert browser.search.text() == "" and browser.model.rowCount() == 3


def test_the_stacked_list_shows_ten_rows_at_the_default_size(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    fake.messages[A1] = [make_summary(i) for i in range(40)]
    fake._sort(A1)
    window = shown_window(qtbot, fake)
    window.reading.show_address(A1)
    rows = window.list_view.viewport().height() / window.list_view.sizeHintForRow(0)
    assert rows >= 10, f"{rows:.1f} rows visible"
    assert window.pane.height() >= 380  # and the message below keeps most of the height
