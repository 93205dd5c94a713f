"""The window's state displays: readable empty states with their actions, and local mode's SMTP line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.local_smtp import show_local_smtp
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
SMTP = "127.0.0.1:34031"


def test_no_address_offers_a_new_one_in_the_list_area(qtbot) -> None:
    fake = FakeController(AppSignals())
    window = shown_window(qtbot, fake)
    state = window.empty_list
    assert state.isVisible() and state.title.isEnabled() and state.body.isEnabled()
    assert state.title.text() == "No address selected"
    assert state.new_button.isVisible() and not state.copy_button.isVisible()
    qtbot.mouseClick(state.new_button, Qt.MouseButton.LeftButton)
    assert isinstance(window._dialog, NewAddressDialog)
    window._dialog.reject()


def test_an_address_without_mail_offers_copy_and_in_local_mode_the_smtp_address(qtbot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live", provider_id="local")
    window = shown_window(qtbot, fake)
    state = window.empty_list
    assert A1 in state.body.text()
    assert state.copy_button.isVisible() and not state.smtp.isVisible()  # not local mode
    qtbot.mouseClick(state.copy_button, Qt.MouseButton.LeftButton)
    assert fake.called("copy_to_clipboard")[-1][0] == A1

    show_local_smtp(window, SMTP)
    assert state.smtp.isVisible()
    assert SMTP in state.smtp.label.text()
    qtbot.mouseClick(state.smtp.copy_button, Qt.MouseButton.LeftButton)
    assert fake.called("copy_to_clipboard")[-1][0] == SMTP


def test_the_smtp_hint_is_offered_only_for_addresses_on_the_local_server(qtbot) -> None:
    """Beside a mail.tm address, the server on this computer runs: its SMTP takes no mail for that one."""
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live", provider_id="mail.tm")
    window = shown_window(qtbot, fake)
    show_local_smtp(window, SMTP)
    state = window.empty_list
    window.select_address(A1)
    assert state.isVisible() and state.copy_button.isVisible() and not state.smtp.isVisible()
    local = "kept.here@temp-inbox.test"
    fake.add_address(local, "", state_kind="live", state_text="live", provider_id="local")
    window.select_address(local)
    assert state.smtp.isVisible() and SMTP in state.smtp.label.text()
    window.select_address(A1)
    assert state.isVisible() and not state.smtp.isVisible()


def test_the_smtp_line_stays_visible_with_and_without_mail_and_addresses(qtbot) -> None:
    fake = FakeController(AppSignals())
    window = shown_window(qtbot, fake)
    line = show_local_smtp(window, SMTP)
    assert line.isVisible()
    assert line.hint.label.text() == f"Local mail server — send to {SMTP}"
    fake.add_address(A1, "Shop", state_kind="live", state_text="live", provider_id="local")
    fake.messages[A1] = [make_summary(i) for i in range(3)]
    fake._sort(A1)
    window.refresh_addresses()
    window.signals.messages_changed.emit(A1)
    qtbot.waitUntil(lambda: window.list_view.isVisible(), timeout=30_000)
    assert line.isVisible() and not window.empty_list.isVisible()
    qtbot.mouseClick(line.hint.copy_button, Qt.MouseButton.LeftButton)
    assert fake.called("copy_to_clipboard")[-1][0] == SMTP


def test_a_search_without_matches_offers_no_unrelated_actions(qtbot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live", provider_id="local")
    fake.messages[A1] = [make_summary(1, subject="Welcome")]
    window = shown_window(qtbot, fake)
    show_local_smtp(window, SMTP)
    window.search.setText("zzz")
    qtbot.waitUntil(lambda: window.empty_list.isVisible(), timeout=30_000)
    state = window.empty_list
    assert "zzz" in state.body.text()
    assert not state.new_button.isVisible() and not state.smtp.isVisible()


def test_all_addresses_offers_the_smtp_hint_only_when_one_of_them_is_on_the_local_server(qtbot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live", provider_id="mail.tm")
    fake.add_address("b@example.com", "", state_kind="live", state_text="live", provider_id="mail.gw")
    window = shown_window(qtbot, fake)
    show_local_smtp(window, SMTP)
    state = window.empty_list
    assert window.select_address(ALL_ADDRESSES)
    assert state.isVisible() and not state.smtp.isVisible()  # none of their mail goes through it
    assert SMTP not in state.text()
    fake.add_address(
        "kept.here@temp-inbox.test", "", state_kind="live", state_text="live", provider_id="local"
    )
    window.refresh_addresses()
    assert window.select_address("kept.here@temp-inbox.test")
    assert window.select_address(ALL_ADDRESSES)
    assert state.isVisible() and state.smtp.isVisible() and SMTP in state.text()
