"""The "Why hasn't my mail arrived?" dialog in the window: opened from an address's context menu, it
asks the controller for the checks, lists each as it ends, shows the verdict in words and offers its
one next step, which the window carries out."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.health import CheckResult, HealthReport, verdict
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.health_dialog import HealthDialog
from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"


def open_check(qtbot: QtBot) -> tuple[MainWindow, FakeController, HealthDialog]:
    fake = FakeController(AppSignals())
    fake.add_address(A1)
    window = shown_window(qtbot, fake)
    menu = window.sidebar.context_menu_for(A1)
    entry = next(a for a in menu.actions() if a.text() == "Why hasn't my mail arrived?…")
    entry.trigger()
    dialog = window.health.dialog
    assert isinstance(dialog, HealthDialog) and dialog.isVisible()
    assert fake.called("check_address") == [(A1,)]
    return window, fake, dialog


def test_checks_appear_as_they_end_then_the_verdict_and_its_action(qtbot: QtBot) -> None:
    window, fake, dialog = open_check(qtbot)
    assert dialog.busy.isVisible() and not dialog.verdict.isVisible()
    fake.signals.health_progress.emit(A1, CheckResult("password", True, "in the keyring", 3))
    fake.signals.health_progress.emit("other@example.com", CheckResult("provider", True, "answers", 9))
    assert [dialog.checks.item(i).text() for i in range(dialog.checks.count())] == [
        "✓  Password: in the keyring"
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
    fake.signals.health_done.emit(A1, report)
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
    fake.signals.health_done.emit(A1, HealthReport(A1, verdict("provider-down", detail="HTTP 502")))
    assert "HTTP 502" in dialog.verdict.text() and dialog.action_button.text() == "Check again"
    dialog.action_button.click()
    assert fake.called("check_address") == [(A1,), (A1,)]
    assert dialog.isVisible() and dialog.busy.isVisible() and dialog.checks.count() == 0
    fake.signals.health_done.emit(A1, HealthReport(A1, verdict("hub-down", detail="retrying")))
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
    assert fake.called("check_address") == [(A1,)]
    assert isinstance(window.health.dialog, HealthDialog) and window.health.dialog.address == A1
