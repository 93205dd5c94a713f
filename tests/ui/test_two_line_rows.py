"""Two-line message rows beside the message (issue 10): the sender (bold when unread) with the time on
the right, then the subject and the muted preview; the stacked layout keeps its columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.core.store.cache import MessageSort
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_list import (
    COL_ATTACHMENT,
    COL_FROM,
    COL_SUBJECT,
    COL_TIME,
    RowLines,
    TwoLineDelegate,
)
from desktop_app.ui.window_state import restore_window_state, save_window_state
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
LONG_SUBJECT = "Your verification code for Example Cloud"


def _window(qtbot: QtBot, settings: QSettings | None = None) -> MainWindow:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.messages[A1] = [
        make_summary(0, subject="Welcome", seen=True),
        make_summary(1, subject="Invoice", attachments=True, seen=True),
        make_summary(2, subject=LONG_SUBJECT, name="Example Cloud", intro="Use code 482913"),
    ]
    fake._sort(A1)

    def prepare(window: MainWindow) -> None:
        window.resize(1100, 700)
        window.pane.setMinimumHeight(100)
        if settings is not None:
            restore_window_state(window, settings)
            window.reading_layout.remember_in(settings)

    return shown_window(qtbot, fake, before_show=prepare)


def _side_by_side(qtbot: QtBot, window: MainWindow) -> None:
    window.reading_layout.set_side_by_side(True)
    # The list 340 px wide, the message the rest (asking for more than there is scaled both down,
    # to whatever the list's minimum width allowed).
    total = sum(window.reading.sizes())
    window.reading.setSizes([340, total - 340])
    qtbot.waitUntil(lambda: 300 < window.list_view.viewport().width() <= 360)


def _row(window: MainWindow, subject: str) -> int:
    model = window.model
    return next(r for r in range(model.rowCount()) if model.summary_at(r).subject == subject)  # type: ignore[union-attr]


def _lines(window: MainWindow, row: int) -> RowLines:
    view = window.list_view
    delegate = view.itemDelegateForColumn(COL_SUBJECT)
    assert isinstance(delegate, TwoLineDelegate)
    index = window.model.index(row, COL_SUBJECT)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    option.font = view.font()
    delegate.initStyleOption(option, index)
    return delegate.lines(option, index)


def test_beside_the_message_rows_are_two_lines_and_the_subject_is_whole(qtbot: QtBot) -> None:
    window = _window(qtbot)
    view, header = window.list_view, window.list_view.header()
    one_line = view.visualRect(window.model.index(0, 0)).height()
    _side_by_side(qtbot, window)
    assert view.two_line
    assert [header.isSectionHidden(c) for c in (COL_FROM, COL_SUBJECT, COL_ATTACHMENT, COL_TIME)] == [
        True,
        False,
        True,
        True,
    ]
    line = view.fontMetrics().height()
    qtbot.waitUntil(lambda: view.visualRect(window.model.index(0, COL_SUBJECT)).height() >= 2 * line)
    assert view.visualRect(window.model.index(0, COL_SUBJECT)).height() > one_line
    lines = _lines(window, _row(window, LONG_SUBJECT))
    assert lines.subject == LONG_SUBJECT  # the whole subject, not "Your verificatio…"
    assert lines.sender == "Example Cloud"
    assert lines.time == window.model.index(_row(window, LONG_SUBJECT), COL_TIME).data()
    assert lines.subject_rect.top() > lines.sender_rect.top()  # second line
    assert lines.time_rect.right() > lines.sender_rect.right()  # time on the right of line 1
    assert lines.preview.startswith(" — Use")


def test_unread_sender_is_bold_and_the_paperclip_sits_before_the_time(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _side_by_side(qtbot, window)
    unread = _lines(window, _row(window, LONG_SUBJECT))
    read = _lines(window, _row(window, "Welcome"))
    clipped = _lines(window, _row(window, "Invoice"))
    assert unread.sender_bold and not read.sender_bold
    assert read.clip_rect is None and unread.clip_rect is None
    assert clipped.clip_rect is not None
    assert clipped.sender_rect.right() < clipped.clip_rect.left()
    assert clipped.clip_rect.right() < clipped.time_rect.left()


def test_back_above_the_message_the_columns_return_with_their_widths(qtbot: QtBot) -> None:
    window = _window(qtbot)
    header = window.list_view.header()
    header.resizeSection(COL_FROM, 211)
    _side_by_side(qtbot, window)
    window.reading_layout.set_side_by_side(False)
    assert not window.list_view.two_line
    assert not any(header.isSectionHidden(c) for c in range(4))
    assert header.sectionSize(COL_FROM) == 211
    assert not isinstance(window.list_view.itemDelegateForColumn(COL_SUBJECT), TwoLineDelegate)


def test_a_restart_in_the_stacked_layout_shows_columns_after_two_line_rows_were_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = _window(qtbot, settings)
    first.reading_layout.action.trigger()  # side by side, kept in the settings
    assert first.list_view.two_line
    save_window_state(first, settings)  # the header's blob has From and Received hidden
    settings.setValue("view/side_by_side", False)
    first.close()
    second = _window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert not second.list_view.two_line
    assert not any(second.list_view.header().isSectionHidden(c) for c in range(4))
    third_settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    third_settings.setValue("view/side_by_side", True)
    third = _window(qtbot, third_settings)
    assert third.list_view.two_line and third.list_view.header().isSectionHidden(COL_FROM)


def test_the_header_menu_sorts_by_the_hidden_columns(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _side_by_side(qtbot, window)
    actions = {a.text(): a for a in window.list_view.header().actions()}
    actions["Sort by sender"].trigger()
    assert window.model.sort_order == (MessageSort.SENDER, True)
    actions["Sort by time, newest first"].trigger()
    assert window.model.sort_order == (MessageSort.RECEIVED, False)
    assert window.list_view.header().sortIndicatorSection() == COL_TIME


def test_j_and_k_still_step_through_two_line_rows(qtbot: QtBot) -> None:
    window = _window(qtbot)
    _side_by_side(qtbot, window)
    view = window.list_view
    view.setFocus()
    view.setCurrentIndex(window.model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert view.currentIndex().row() == 0
