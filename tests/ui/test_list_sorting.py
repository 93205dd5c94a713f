"""The message list sorts by a click on From, Subject or Received (the store sorts, newest first within
ties), shows the indicator, keeps the open message selected, and remembers the order (settings.ini)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtWidgets import QStyleOptionHeader
from pytestqt.qtbot import QtBot

from desktop_app.core.store.cache import MessageSort
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_list import COL_ATTACHMENT, COL_FROM, COL_SUBJECT, COL_TIME
from desktop_app.ui.window_state import restore_window_state, save_window_state
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
SUBJECTS = ["delta", "Alpha", "charlie", "bravo"]  # message 0 … 3; 3 is the newest


def _window(qtbot: QtBot, settings: QSettings | None = None) -> tuple[MainWindow, FakeController]:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.messages[A1] = [make_summary(i, subject=s, name=s[::-1]) for i, s in enumerate(SUBJECTS)]
    fake._sort(A1)

    def prepare(window: MainWindow) -> None:
        if settings is not None:
            restore_window_state(window, settings)

    return shown_window(qtbot, fake, before_show=prepare), fake


def subjects(window: MainWindow) -> list[str]:
    model = window.model
    return [s.subject for r in range(model.rowCount()) if (s := model.summary_at(r)) is not None]


def click_header(qtbot: QtBot, window: MainWindow, column: int) -> None:
    header = window.list_view.header()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_a_header_click_sorts_by_that_column_and_shows_the_indicator(qtbot: QtBot) -> None:
    window, _fake = _window(qtbot)
    header = window.list_view.header()
    assert header.isSortIndicatorShown()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COL_TIME,
        Qt.SortOrder.DescendingOrder,
    )
    assert subjects(window) == ["bravo", "charlie", "Alpha", "delta"]
    click_header(qtbot, window, COL_SUBJECT)
    assert header.sortIndicatorSection() == COL_SUBJECT
    order = header.sortIndicatorOrder()
    expected = ["Alpha", "bravo", "charlie", "delta"]
    assert subjects(window) == (expected if order == Qt.SortOrder.AscendingOrder else expected[::-1])
    click_header(qtbot, window, COL_SUBJECT)  # the second click turns it round
    assert subjects(window) == (expected[::-1] if order == Qt.SortOrder.AscendingOrder else expected)
    click_header(qtbot, window, COL_FROM)  # by name: "ahplA", "ovarb", "eilrahc", "atled"
    assert window.model.sort_order[0] is MessageSort.SENDER
    assert sorted(subjects(window), key=lambda s: s[::-1].lower()) in (
        subjects(window),
        subjects(window)[::-1],
    )


def test_the_paperclip_column_does_not_sort_or_take_the_indicator(qtbot: QtBot) -> None:
    window, _fake = _window(qtbot)
    click_header(qtbot, window, COL_ATTACHMENT)
    header = window.list_view.header()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COL_TIME,
        Qt.SortOrder.DescendingOrder,
    )
    assert subjects(window) == ["bravo", "charlie", "Alpha", "delta"]


def test_sorting_keeps_the_open_message_and_new_mail_goes_where_the_order_says(qtbot: QtBot) -> None:
    window, fake = _window(qtbot)
    window.list_view.setCurrentIndex(window.model.index(window.model.row_of("m000002"), 0))  # charlie
    window.list_view.sortByColumn(COL_SUBJECT, Qt.SortOrder.AscendingOrder)
    assert subjects(window) == ["Alpha", "bravo", "charlie", "delta"]
    assert window.current_message_id() == "m000002"
    assert not fake.called("open_message")[1:]  # the pane was not cleared and reloaded
    fake.deliver(A1, make_summary(9, subject="azure"))
    assert subjects(window) == ["Alpha", "azure", "bravo", "charlie", "delta"]
    assert window.current_message_id() == "m000002"


def test_the_sort_order_is_restored_after_a_restart(qtbot: QtBot, tmp_path: Path) -> None:
    first, _fake = _window(qtbot)
    first.list_view.sortByColumn(COL_SUBJECT, Qt.SortOrder.DescendingOrder)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    save_window_state(first, settings)
    first.close()
    second, _fake = _window(qtbot, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    header = second.list_view.header()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COL_SUBJECT,
        Qt.SortOrder.DescendingOrder,
    )
    assert subjects(second) == ["delta", "charlie", "bravo", "Alpha"]


def _arrow_rows(window: MainWindow, column: int = COL_TIME, title: str = "Received") -> list[int]:
    """How many pixels each row of the section paints right of its title (the sort arrow), top to
    bottom, blank rows left out."""
    header = window.list_view.header()
    title_end = header.fontMetrics().horizontalAdvance(title) + 8  # the style's margin, and some
    left = header.sectionViewportPosition(column) + title_end
    right = header.sectionViewportPosition(column) + header.sectionSize(column) - 2  # not the edge
    image = header.viewport().grab(QRect(left, 2, right - left, header.height() - 4)).toImage()
    background = image.pixelColor(0, 0).lightness()
    rows = [
        sum(abs(image.pixelColor(x, y).lightness() - background) > 60 for x in range(image.width()))
        for y in range(image.height())
    ]
    return [count for count in rows if count]


def test_the_sort_arrow_points_down_for_newest_first_and_up_for_oldest_first(qtbot: QtBot) -> None:
    window, _fake = _window(qtbot)
    header = window.list_view.header()
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    rows = _arrow_rows(window)
    assert len(rows) >= 3 and rows[0] > rows[-1], rows  # wide at the top: a down arrow
    header.setSortIndicator(COL_TIME, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: subjects(window) == ["delta", "Alpha", "charlie", "bravo"])
    rows = _arrow_rows(window)
    assert len(rows) >= 3 and rows[0] < rows[-1], rows  # an up arrow over the oldest first
    # The header Qt's tree view would have made: columns can still be dragged into another order.
    assert header.sectionsMovable()


def _shown_title(window: MainWindow, column: int) -> str:
    option = QStyleOptionHeader()
    window.list_view.header().initStyleOptionForIndex(option, column)  # what paintSection draws
    return option.text


def test_two_line_rows_name_the_order_of_the_hidden_column_they_sort_by(qtbot: QtBot) -> None:
    """Their one header read "Subject" with no arrow while the list was sorted by time."""
    window, _fake = _window(qtbot)
    window.list_view.set_two_line(True)
    header = window.list_view.header()
    assert _shown_title(window, COL_SUBJECT) == "Newest first"
    rows = _arrow_rows(window, COL_SUBJECT, "Newest first")
    assert len(rows) >= 3 and rows[0] > rows[-1], rows  # and its down arrow
    header.setSortIndicator(COL_TIME, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: subjects(window) == ["delta", "Alpha", "charlie", "bravo"])
    assert _shown_title(window, COL_SUBJECT) == "Oldest first"
    rows = _arrow_rows(window, COL_SUBJECT, "Oldest first")
    assert len(rows) >= 3 and rows[0] < rows[-1], rows
    header.setSortIndicator(COL_FROM, Qt.SortOrder.AscendingOrder)
    assert _shown_title(window, COL_SUBJECT) == "Sender, A to Z"
    click_header(qtbot, window, COL_SUBJECT)  # the section itself: by subject, named so again
    assert header.sortIndicatorSection() == COL_SUBJECT and _shown_title(window, COL_SUBJECT) == "Subject"
    window.list_view.set_two_line(False)  # columns: each keeps its own title
    header.setSortIndicator(COL_TIME, Qt.SortOrder.DescendingOrder)
    assert _shown_title(window, COL_SUBJECT) == "Subject" and _shown_title(window, COL_TIME) == "Received"
