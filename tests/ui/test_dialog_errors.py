"""Errors inside the address dialogs (issue 10): offline, the new-address dialog says the domains
could not be loaded and offers Retry instead of waiting forever on "Loading domains…"; a failed
create or log-in keeps the dialog open with the reason and a Retry button, until the user edits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.ui import texts
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.dialogs import LoginDialog, NewAddressDialog
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.main_window import MainWindow
from tests.core.test_secrets import DictKeyring
from tests.ui.fakes import FakeController
from tests.ui.test_app_glue import settled
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

OFFLINE = "Cannot reach the mail service (connection refused)."


@pytest.fixture
def fake() -> FakeController:
    return FakeController(AppSignals())


def _new_address_dialog(qtbot: QtBot, fake: FakeController) -> tuple[MainWindow, NewAddressDialog]:
    window = shown_window(qtbot, fake)
    window.new_action.trigger()
    dialog = window._dialog
    assert isinstance(dialog, NewAddressDialog)
    qtbot.waitExposed(dialog)
    return window, dialog


def test_offline_the_new_address_dialog_says_why_and_retries(qtbot: QtBot, fake: FakeController) -> None:
    fake.domains_error = OFFLINE
    window, dialog = _new_address_dialog(qtbot, fake)
    assert dialog.domains_error.isVisible()
    assert dialog.domains_error.text() == texts.DOMAINS_FAILED.format(reason=OFFLINE)
    assert dialog.retry_domains_button.isVisible()
    assert dialog.domain.currentText() == texts.DOMAINS_UNAVAILABLE
    assert not dialog.create_button.isEnabled()
    assert dialog.validation.isHidden()  # no "Waiting for the list of domains…" beside the reason
    assert dialog.domains_error.height() >= dialog.domains_error.heightForWidth(
        dialog.domains_error.width()
    )  # the whole reason, not its first lines
    assert OFFLINE not in window.statusBar().currentMessage()  # not hidden behind the dialog

    fake.domains_error = None  # the service is back
    qtbot.mouseClick(dialog.retry_domains_button, Qt.MouseButton.LeftButton)
    assert len(fake.called("request_domains")) == 2
    assert dialog.domains_error.isHidden() and dialog.retry_domains_button.isHidden()
    assert dialog.domain.currentText() == "example.com" and dialog.create_button.isEnabled()
    dialog.reject()


def test_retry_shows_loading_until_the_answer_comes(qtbot: QtBot, fake: FakeController) -> None:
    fake.domains_error = OFFLINE
    _window, dialog = _new_address_dialog(qtbot, fake)
    fake.domains_error, fake.answer_domains = None, False  # the next answer is still on its way
    dialog.retry_domains_button.click()
    assert dialog.domain.currentText() == texts.LOADING_DOMAINS
    assert dialog.domains_error.isHidden() and not dialog.create_button.isEnabled()
    fake.signals.domains_failed.emit("mail.tm", "Timed out.")
    assert dialog.domains_error.text() == texts.DOMAINS_FAILED.format(reason="Timed out.")
    assert dialog.retry_domains_button.isVisible()
    dialog.reject()


def test_a_domains_failure_with_no_dialog_goes_to_the_status_bar(qtbot: QtBot, fake: FakeController) -> None:
    window = shown_window(qtbot, fake)
    fake.signals.domains_failed.emit("mail.tm", OFFLINE)
    assert OFFLINE in window.statusBar().currentMessage()


def test_a_failed_create_stays_in_the_dialog_with_retry(qtbot: QtBot, fake: FakeController) -> None:
    _window, dialog = _new_address_dialog(qtbot, fake)
    dialog.create_button.click()
    fake.signals.address_add_failed.emit(OFFLINE)
    assert dialog.isVisible() and dialog.feedback.text() == OFFLINE
    assert dialog.create_button.text() == texts.RETRY and dialog.create_button.isEnabled()
    dialog.create_button.click()  # the same request again
    first, second = fake.called("create_address")
    assert first == second == (None, "example.com", "", "Gen3rated-Passw0rd-xyz", "mail.tm")
    assert fake.lifetimes == [None, None]

    fake.signals.address_add_failed.emit("This address is already taken. Pick another name.")
    dialog.custom_choice.setChecked(True)
    qtbot.keyClicks(dialog.local_part, "quiet.otter")
    assert dialog.create_button.text() == texts.CREATE_ADDRESS  # edited: not a retry any more
    dialog.reject()


def test_a_failed_log_in_stays_in_the_dialog_with_retry(qtbot: QtBot, fake: FakeController) -> None:
    window = shown_window(qtbot, fake)
    window.login_action.trigger()
    dialog = window._dialog
    assert isinstance(dialog, LoginDialog)
    dialog.address.setText("old.box@example.com")
    dialog.password.setText("secret")
    dialog._ok.click()
    fake.signals.address_add_failed.emit(OFFLINE)
    assert dialog.isVisible() and dialog.feedback.text() == OFFLINE
    assert dialog._ok.text() == texts.RETRY and dialog._ok.isEnabled()
    dialog._ok.click()
    assert len(fake.called("login_address")) == 2
    fake.signals.address_add_failed.emit("Wrong address or password.")
    dialog.password.setText("secret2")
    assert dialog._ok.text() == texts.LOG_IN
    dialog.reject()


@pytest.fixture(name="inbox")
def inbox_fixture() -> Iterator[Inbox]:
    store = Store(None)  # nothing listens on port 9: the request really fails
    inbox = Inbox(
        store, PasswordVault(DictKeyring()), local_provider("http://127.0.0.1:9", "http://127.0.0.1:9")
    )
    yield inbox
    store.close()


async def test_the_real_controller_reports_a_failed_domain_list(qtbot: QtBot, inbox: Inbox) -> None:
    controller = InboxController(inbox, AppSignals())
    failed: list[tuple[str, str]] = []
    loaded: list[tuple[str, list[str]]] = []
    errors: list[str] = []
    controller.signals.domains_failed.connect(lambda *answer: failed.append(answer))
    controller.signals.domains_loaded.connect(lambda *answer: loaded.append(answer))
    controller.signals.error.connect(errors.append)
    try:
        controller.request_domains()
        await settled(controller.tasks)
        assert len(failed) == 1 and failed[0][0] == inbox.provider.id and failed[0][1]
        assert not loaded and not errors
    finally:
        controller.close()
