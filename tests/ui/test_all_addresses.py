""" "All addresses": the sidebar entry (from two addresses on, unread added up), every address's mail in
one list newest first with each row naming its address as painted, live mail of any address, search,
and every action (open, j/k, Delete, Mark unread, a notification's Open) going to the row's address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.core.events import ConnectionState
from desktop_app.ui import texts
from desktop_app.ui.address_list import ALL_ROLE, UNREAD_ROLE
from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_list import COL_ADDRESS, COL_FROM
from desktop_app.ui.window_state import restore_window_state, save_window_state
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SHOP, WORK, NEWS = "quiet.otter@example.com", "brisk.heron@mail.test", "calm.lynx@example.com"


@pytest.fixture
def fake(qtbot: QtBot) -> FakeController:
    return FakeController(AppSignals())


@pytest.fixture
def window(qtbot: QtBot, fake: FakeController) -> Iterator[MainWindow]:
    fake.add_address(SHOP, "Shopping", unread=2, state_kind="live", state_text="live")
    fake.add_address(WORK, "", unread=1, state_kind="live", state_text="live")
    fake.add_address(NEWS, "", state_kind="retrying", state_text="retrying in 4 s")
    fake.messages[SHOP] = [make_summary(1, subject="Receipt"), make_summary(4, subject="Your code 123")]
    fake.messages[WORK] = [make_summary(3, subject="Standup notes", name="Boss")]
    fake.messages[NEWS] = [make_summary(2, subject="Weekly digest", seen=True)]
    for address in fake.messages:
        fake._sort(address)
    yield shown_window(qtbot, fake, activate=True)


def _show_all(window: MainWindow) -> None:
    assert window.select_address(ALL_ADDRESSES)
    assert window.shows_all() and window.model.all_addresses


def _listed(window: MainWindow) -> list[tuple[str, str]]:
    """(subject, the address text the row paints) for every row, top to bottom."""
    model = window.model
    return [
        (model.summary_at(row).subject, window.list_view.shown_address(row))  # type: ignore[union-attr]
        for row in range(model.rowCount())
    ]


def _select(window: MainWindow, subject: str) -> None:
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.summary_at(r).subject == subject)  # type: ignore[union-attr]
    window.list_view.setCurrentIndex(model.index(row, 0))


def test_the_entry_heads_the_sidebar_from_two_addresses_with_unread_added_up(
    qtbot: QtBot, fake: FakeController
) -> None:
    fake.add_address(SHOP, "Shopping", unread=2)
    window = shown_window(qtbot, fake)
    sidebar = window.sidebar.model
    assert sidebar.rowCount() == 1 and sidebar.address_at(0) == SHOP  # one address: no entry

    fake.add_address(WORK, "", unread=5)
    assert sidebar.rowCount() == 3
    assert sidebar.index(0).data() == texts.ALL_ADDRESSES
    assert sidebar.index(0).data(UNREAD_ROLE) == 7
    assert sidebar.index(0).data(Qt.ItemDataRole.AccessibleTextRole) == (
        "All addresses, 2 addresses · none live, 7 unread"
    )
    assert window.current_address() == SHOP  # the entry appearing above it kept the selection
    assert sidebar.index(window.sidebar.view.currentIndex().row()).data() == "Shopping"

    window.select_address(ALL_ADDRESSES)
    fake.infos.pop()  # the second address is deleted while "All addresses" is shown
    fake.signals.addresses_changed.emit()
    assert sidebar.rowCount() == 1 and sidebar.index(0).data(ALL_ROLE) is None
    assert window.current_address() == SHOP and window.model.address == SHOP
    assert window.windowTitle().startswith("Shopping")


def test_every_address_newest_first_each_row_naming_its_address(window: MainWindow) -> None:
    _show_all(window)
    assert _listed(window) == [
        ("Your code 123", "Shopping"),
        ("Standup notes", "brisk.heron"),
        ("Weekly digest", "calm.lynx"),
        ("Receipt", "Shopping"),
    ]
    header = window.list_view.header()
    assert not header.isSectionHidden(COL_ADDRESS) and header.visualIndex(COL_ADDRESS) == 0
    assert window.model.headerData(COL_ADDRESS, Qt.Orientation.Horizontal) == "Address"
    assert window.address_title.text() == "All addresses · 4 messages, 3 unread"
    assert window.windowTitle() == "All addresses — Temp Inbox"
    assert window.state_label.text() == "3 addresses · 2 live"
    assert not window.copy_button.isVisible() and not window.copy_action.isEnabled()
    tooltip = window.model.index(1, COL_ADDRESS).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == WORK  # the whole address, where the column names it short

    window.select_address(WORK)  # one address again: no Address column
    assert header.isSectionHidden(COL_ADDRESS) and window.list_view.shown_address(0) == ""
    assert window.address_title.text() == WORK


def test_two_line_rows_name_the_address_before_the_time(qtbot: QtBot, window: MainWindow) -> None:
    _show_all(window)
    window.list_view.set_two_line(True)
    assert window.list_view.header().isSectionHidden(COL_ADDRESS)  # the row paints it instead
    assert [address for _subject, address in _listed(window)] == [
        "Shopping",
        "brisk.heron",
        "calm.lynx",
        "Shopping",
    ]
    delegate = window.list_view.itemDelegateForColumn(1)
    index = window.model.index(1, 1)
    option = QStyleOptionViewItem()
    option.initFrom(window.list_view)
    option.rect = window.list_view.visualRect(index)
    option.font = window.list_view.font()
    delegate.initStyleOption(option, index)
    lines = delegate.lines(option, index)  # type: ignore[attr-defined]
    assert lines.address_rect is not None
    # Between the sender and the time, on the first line, overlapping neither.
    assert lines.sender_rect.right() < lines.address_rect.left() < lines.time_rect.left()


def test_new_mail_to_any_address_goes_on_top(window: MainWindow, fake: FakeController) -> None:
    _show_all(window)
    _select(window, "Standup notes")
    fake.deliver(NEWS, make_summary(9, subject="Breaking"))
    assert _listed(window)[0] == ("Breaking", "calm.lynx")
    assert window.model.rowCount() == 5
    assert window.address_title.text().startswith("All addresses · 5 messages")
    assert window.current_message_id() == make_summary(3).id  # the selection stayed on its message


def test_search_filters_the_list_across_addresses(
    qtbot: QtBot, window: MainWindow, fake: FakeController
) -> None:
    _show_all(window)
    window.search.setText("code")
    qtbot.waitUntil(lambda: window.model.search == "code")
    assert _listed(window) == [("Your code 123", "Shopping")]
    # The count is of the matches; the unread count (of all mail) would read as theirs.
    assert window.address_title.text() == "All addresses · 1 message matches"
    window.search.setText("boss")  # the sender's name, in another address
    qtbot.waitUntil(lambda: window.model.search == "boss")
    assert _listed(window) == [("Standup notes", "brisk.heron")]
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # Enter: to the list, its first row opened
    assert fake.called("open_message")[-1] == (WORK, make_summary(3).id)
    window.search.setText("nothing like it")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert "Nothing found" in window.empty_list.text()
    assert window.address_title.text() == "All addresses · 0 messages match"
    window.search.clear()
    qtbot.waitUntil(lambda: window.address_title.text() == "All addresses · 4 messages, 3 unread")


def test_open_keys_delete_and_mark_unread_go_to_the_rows_address(
    qtbot: QtBot, window: MainWindow, fake: FakeController
) -> None:
    _show_all(window)
    window.list_view.setFocus()
    _select(window, "Your code 123")
    assert fake.called("open_message")[-1] == (SHOP, make_summary(4).id)
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    assert fake.called("open_message")[-1] == (WORK, make_summary(3).id)
    assert window.pane.address == WORK and window.pane.message is not None
    window.reading.mark_current_unread()
    assert fake.called("set_seen")[-1] == (WORK, make_summary(3).id, False)
    qtbot.keyClick(window.list_view, Qt.Key.Key_J)
    assert fake.called("open_message")[-1] == (NEWS, make_summary(2).id)
    qtbot.keyClick(window.list_view, Qt.Key.Key_Delete)
    assert fake.called("delete_message")[-1] == (NEWS, make_summary(2).id)
    assert [subject for subject, _ in _listed(window)] == ["Your code 123", "Standup notes", "Receipt"]
    qtbot.keyClick(window.list_view, Qt.Key.Key_K)
    assert fake.called("open_message")[-1] == (WORK, make_summary(3).id)
    assert fake.called("select_address")[-1] == (SHOP,)  # the app's current address stayed put


def test_a_notification_opens_its_message_in_all_addresses_or_its_address(
    window: MainWindow, fake: FakeController
) -> None:
    _show_all(window)
    fake.signals.show_message_requested.emit(WORK, make_summary(3).id)
    assert window.shows_all()  # the user chose to see everything: it stays so
    assert window.current_message_id() == make_summary(3).id
    assert fake.called("open_message")[-1] == (WORK, make_summary(3).id)

    window.select_address(SHOP)
    fake.signals.show_message_requested.emit(NEWS, make_summary(2).id)
    assert window.current_address() == NEWS and window.current_message_id() == make_summary(2).id


def test_no_mail_anywhere_says_so(qtbot: QtBot, fake: FakeController) -> None:
    fake.add_address(SHOP)
    fake.add_address(WORK)
    window = shown_window(qtbot, fake)
    _show_all(window)
    assert window.empty_list.isVisible()
    assert window.empty_list.text() == f"{texts.NO_MAIL_TITLE}\n{texts.NO_MAIL_ANYWHERE_BODY}"
    assert not window.empty_list.copy_button.isVisible()
    assert window.address_title.text() == "All addresses · 0 messages"


def test_the_trays_all_addresses_entry_shows_the_list(window: MainWindow, fake: FakeController) -> None:
    window.select_address(WORK)
    fake.signals.show_address_requested.emit(ALL_ADDRESSES)  # what the tray's entry asks (app.py)
    assert window.shows_all() and window.model.rowCount() == 4


def test_the_address_column_fits_its_names_unless_the_user_sized_it(
    qtbot: QtBot, fake: FakeController
) -> None:
    long_one = "newsletters.lynx.weekly@example.com"
    fake.add_address(SHOP, "Shopping")
    fake.add_address(long_one)
    fake.messages[long_one] = [make_summary(1, subject="Digest")]
    window = shown_window(qtbot, fake)
    header = window.list_view.header()
    header.resizeSection(COL_ADDRESS, 130)  # the column as it comes: too narrow for this name
    _show_all(window)
    assert _listed(window) == [("Digest", "newsletters.lynx.weekly")]  # whole, not "newsletters.ly…"
    window.select_address(SHOP)
    header.resizeSection(COL_ADDRESS, 60)  # dragged narrower by the user: left so
    _show_all(window)
    assert header.sectionSize(COL_ADDRESS) == 60 and _listed(window)[0][1].endswith("…")


def test_a_deleted_addresss_mail_leaves_the_list_and_the_pane(
    window: MainWindow, fake: FakeController
) -> None:
    _show_all(window)
    _select(window, "Standup notes")
    assert window.pane.message is not None and window.pane.address == WORK
    fake.infos = [info for info in fake.infos if info.address != WORK]  # deleted (cache too)
    del fake.messages[WORK]
    fake.signals.addresses_changed.emit()
    assert window.shows_all()  # still two addresses
    assert [subject for subject, _ in _listed(window)] == ["Your code 123", "Weekly digest", "Receipt"]
    assert window.pane.message is None


def test_sorting_by_sender_sorts_across_addresses(window: MainWindow) -> None:
    _show_all(window)
    window.list_view.header().setSortIndicator(COL_FROM, Qt.SortOrder.AscendingOrder)
    assert _listed(window) == [  # Boss before Example Shop; within a sender, newest first
        ("Standup notes", "brisk.heron"),
        ("Your code 123", "Shopping"),
        ("Weekly digest", "calm.lynx"),
        ("Receipt", "Shopping"),
    ]


def test_a_layout_saved_in_all_addresses_restores_without_the_column_elsewhere(
    qtbot: QtBot, window: MainWindow, fake: FakeController, tmp_path: Path
) -> None:
    _show_all(window)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    save_window_state(window, settings)
    window.close()
    again = shown_window(qtbot, fake, before_show=lambda w: restore_window_state(w, settings))
    header = again.list_view.header()
    assert again.current_address() == SHOP and header.isSectionHidden(COL_ADDRESS)
    _show_all(again)
    assert not header.isSectionHidden(COL_ADDRESS) and header.visualIndex(COL_ADDRESS) == 0


def test_all_addresses_leaves_no_dead_state_button_in_the_header(qtbot: QtBot, fake: FakeController) -> None:
    """Reproduced: "Connecting" on an address stayed in the header on All addresses, and a click on it
    did nothing (there is no one address to check); the status bar has the summary."""
    fake.add_address(SHOP, "Shopping", state_kind="connecting", state_text="connecting")
    fake.add_address(WORK, "", state_kind="live", state_text="live")
    window = shown_window(qtbot, fake, activate=True)
    window.select_address(SHOP)
    button = window.reading.health_button
    assert button.isVisible() and button.text() == "Connecting"
    _show_all(window)
    assert not button.isVisible()
    assert window.state_label.text() == "2 addresses · 1 live"
    fake.signals.connection_changed.emit(SHOP, ConnectionState("live"))  # the address it showed goes live
    assert not button.isVisible() and window.state_label.text() == "2 addresses · all live"
    window.select_address(SHOP)
    assert button.isVisible() and button.text() == "Live"


def test_a_fitted_address_column_is_fitted_again_after_a_restart(
    qtbot: QtBot, fake: FakeController, tmp_path: Path
) -> None:
    """Seen after a restart: the column stayed as wide as a long name long deleted (220 px at an
    800 px window, the subject squeezed to 'Y…'): the restored width counted as the user's."""
    long_one = "newsletters.and.offers.from.everywhere@example.com"
    fake.add_address(SHOP, "Shopping")
    fake.add_address(long_one)
    fake.add_address(WORK)
    fake.messages[long_one] = [make_summary(1, subject="Digest")]
    window = shown_window(qtbot, fake)
    header = window.list_view.header()
    _show_all(window)
    wide = header.sectionSize(COL_ADDRESS)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    save_window_state(window, settings)
    window.close()
    fake.infos = [info for info in fake.infos if info.address != long_one]  # deleted meanwhile
    fake.messages.pop(long_one)
    again = shown_window(qtbot, fake, before_show=lambda w: restore_window_state(w, settings))
    header = again.list_view.header()
    _show_all(again)
    assert header.sectionSize(COL_ADDRESS) < wide - 40, (wide, header.sectionSize(COL_ADDRESS))
    # A width the user dragged to is still theirs after a restart.
    again.select_address(SHOP)
    header.resizeSection(COL_ADDRESS, 60)
    save_window_state(again, settings)
    again.close()
    third = shown_window(qtbot, fake, before_show=lambda w: restore_window_state(w, settings))
    _show_all(third)
    assert third.list_view.header().sectionSize(COL_ADDRESS) == 60
