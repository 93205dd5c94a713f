"""The "Why hasn't my mail arrived?" dialog in the window: opened from an address's context menu, it
asks the controller for the checks, lists each as it ends, shows the verdict in words and offers its
one next step, which the window carries out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.events import ConnectionState
from desktop_app.core.health import CheckResult, HealthReport, verdict
from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.health_dialog import HealthDialog
from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
RUN = 1  # the first check a window asks for


def open_check(qtbot: QtBot) -> tuple[MainWindow, FakeController, HealthDialog]:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    window = shown_window(qtbot, fake)
    menu = window.sidebar.context_menu_for(A1)
    entry = next(a for a in menu.actions() if a.text() == "Why hasn't my mail arrived?…")
    entry.trigger()
    dialog = window.health.dialog
    assert isinstance(dialog, HealthDialog) and dialog.isVisible()
    assert fake.called("check_address") == [(A1, window.health.run)]
    return window, fake, dialog


def test_checks_appear_as_they_end_then_the_verdict_and_its_action(qtbot: QtBot) -> None:
    window, fake, dialog = open_check(qtbot)
    assert dialog.busy.isVisible() and not dialog.verdict.isVisible()
    fake.signals.health_progress.emit(A1, RUN, CheckResult("password", True, "in the keyring", 3))
    fake.signals.health_progress.emit("other@example.com", RUN, CheckResult("provider", True, "answers", 9))
    fake.signals.health_progress.emit(
        A1, RUN, CheckResult("probe", True, "delivered through the live connection in 12 ms", 12)
    )
    assert [dialog.checks.item(i).text() for i in range(dialog.checks.count())] == [
        "✓  Password: in the keyring",
        "✓  Delivery probe: delivered through the live connection in 12 ms",
    ]
    report = HealthReport(
        A1,
        verdict("domain-inactive", domain="example.com"),
        (
            CheckResult("password", True, "in the keyring", 3),
            CheckResult("provider", True, "answers", 12),
            CheckResult("domain", False, "example.com not offered any more", 0),
        ),
    )
    fake.signals.health_done.emit(A1, RUN, report)
    assert not dialog.busy.isVisible()
    assert dialog.verdict.isVisible() and "no longer offers the domain example.com" in dialog.verdict.text()
    assert dialog.checks.item(2).text() == "✗  Domain: example.com not offered any more"
    assert dialog.action_button.text() == "New address on another domain…"
    dialog.action_button.click()
    qtbot.waitUntil(lambda: isinstance(window._dialog, NewAddressDialog) and window._dialog.isVisible())
    assert not dialog.isVisible()
    # The same name, on another domain than the one no longer offered.
    new = window._dialog
    assert isinstance(new, NewAddressDialog)
    assert new.custom_choice.isChecked() and new.local_part.text() == "quiet.otter"
    new.set_domains(["example.com", "mail.test"])
    assert new.domain.currentText() == "mail.test"


def test_check_again_and_reconnect(qtbot: QtBot) -> None:
    _window, fake, dialog = open_check(qtbot)
    fake.signals.health_done.emit(A1, RUN, HealthReport(A1, verdict("provider-down", detail="HTTP 502")))
    assert "HTTP 502" in dialog.verdict.text() and dialog.action_button.text() == "Check again"
    dialog.action_button.click()
    assert fake.called("check_address") == [(A1, RUN), (A1, RUN + 1)]
    assert dialog.isVisible() and dialog.busy.isVisible() and dialog.checks.count() == 0
    fake.signals.health_done.emit(A1, RUN + 1, HealthReport(A1, verdict("hub-down", detail="retrying")))
    dialog.action_button.click()
    assert fake.called("retry_now") == [(A1,)]
    qtbot.waitUntil(lambda: not dialog.isVisible())
    QApplication.processEvents()


def test_an_address_without_mail_offers_the_check(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    window = shown_window(qtbot, fake)
    window.select_address(A1)
    link = window.reading.empty_list.check_link
    assert window.reading.empty_list.isVisible() and link.isVisible()
    qtbot.mouseClick(link, Qt.MouseButton.LeftButton, pos=link.rect().center())
    assert fake.called("check_address") == [(A1, window.health.run)]
    assert isinstance(window.health.dialog, HealthDialog) and window.health.dialog.address == A1


def test_a_reopened_dialog_ignores_the_late_lines_of_the_earlier_run(qtbot: QtBot) -> None:
    """Closed and opened again while the first (slow) check still runs: only the second run's lines
    and verdict reach the new dialog."""
    window, fake, first = open_check(qtbot)
    first.reject()
    menu = window.sidebar.context_menu_for(A1)
    next(a for a in menu.actions() if a.text() == "Why hasn't my mail arrived?…").trigger()
    second = window.health.dialog
    assert isinstance(second, HealthDialog) and second is not first and second.isVisible()
    assert fake.called("check_address") == [(A1, RUN), (A1, RUN + 1)]
    fake.signals.health_progress.emit(A1, RUN + 1, CheckResult("password", True, "in the keyring", 2))
    # The first run ends late: its lines and verdict are not the second's.
    fake.signals.health_progress.emit(A1, RUN, CheckResult("provider", False, "no connection", 900))
    fake.signals.health_done.emit(A1, RUN, HealthReport(A1, verdict("provider-down", detail="no connection")))
    assert [second.checks.item(i).text() for i in range(second.checks.count())] == [
        "✓  Password: in the keyring"
    ]
    assert second.busy.isVisible() and not second.verdict.isVisible()
    fake.signals.health_done.emit(A1, RUN + 1, HealthReport(A1, verdict("ok")))
    assert second.verdict.isVisible() and "No problem found" in second.verdict.text()


def test_the_message_list_header_opens_the_health_panel(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, state_kind="retrying", state_text="retrying in 4 s (server error 502)")
    window = shown_window(qtbot, fake)
    window.select_address(A1)
    button = window.reading.health_button
    assert button.isVisible() and button.text() == "Reconnecting"
    assert "Reconnecting (server error 502)" in button.toolTip()
    assert "Why hasn't my mail arrived?" in button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert fake.called("check_address") == [(A1, window.health.run)]
    assert isinstance(window.health.dialog, HealthDialog) and window.health.dialog.address == A1
    # The dot follows the state when it changes.
    fake.signals.connection_changed.emit(A1, ConnectionState("live"))
    assert button.text() == "Live"


def test_all_addresses_shows_no_one_addresses_state_in_the_header(qtbot: QtBot) -> None:
    """The button kept the state of the address shown before ('Live'), and a click did nothing."""
    fake = FakeController(AppSignals())
    fake.add_address(A1, state_kind="live", state_text="live")
    fake.add_address("other.heron@example.com", state_kind="offline", state_text="offline")
    window = shown_window(qtbot, fake)
    window.select_address(A1)
    button = window.reading.health_button
    assert button.isVisible() and button.text() == "Live"
    window.select_address(ALL_ADDRESSES)
    assert not button.isVisible()
    fake.signals.connection_changed.emit(A1, ConnectionState("retrying"))  # a state change meanwhile
    assert not button.isVisible()
    assert window.state_label.text() == "2 addresses · none live"  # the status bar says it for all
    window.select_address(A1)
    assert button.isVisible() and button.text() == "Reconnecting"
