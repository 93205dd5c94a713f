""" "This computer" in the address dialogs without ``--local`` (issue 12), with real widgets and the
real embedded server the app starts (``desktop_app.app.start_local_server``, in the test's own data
directory): offered, started when chosen (the dialog says so while it starts), the address made on it
and the sidebar's SMTP footer shown; a restart with that address brings it back live with its mail;
a server that cannot start is said in the dialog and nothing else breaks."""

from __future__ import annotations

import asyncio
import functools
import smtplib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.app import start_local_server
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import LOCAL_ID, Provider, custom_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.local_service import LocalService
from desktop_app.core.paths import store_path
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from desktop_app.ui import texts
from desktop_app.ui.address_list import ADDRESS_ROLE, STATE_KIND_ROLE
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.local_smtp import LocalSmtpLine, follow_local_server
from desktop_app.ui.main_window import MainWindow
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.ui.fakes import FakeHtmlView
from tests.ui.notify_fixtures import wait_until
from tests.ui.test_app_glue import settled
from tests.ui.windows import tracked

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@dataclass
class App:
    """One run of the window over a data directory, without ``--local``: the default provider is
    another server on loopback (never the real mail.tm), as a mail.tm user's would be."""

    inbox: Inbox
    local: LocalService
    controller: InboxController
    window: MainWindow

    def new_address(self) -> NewAddressDialog:
        self.window.new_action.trigger()
        dialog = self.window._dialog
        assert isinstance(dialog, NewAddressDialog)
        return dialog

    def footer(self) -> LocalSmtpLine | None:
        line = self.window.sidebar.findChild(LocalSmtpLine)
        return line if line is not None and line.isVisible() else None

    def row(self, address: str) -> dict[str, object]:
        model = self.window.sidebar.model
        for i in range(model.rowCount()):
            index = model.index(i)
            if index.data(ADDRESS_ROLE) == address:
                return {
                    "tooltip": index.data(Qt.ItemDataRole.ToolTipRole),
                    "state": index.data(STATE_KIND_ROLE),
                }
        raise AssertionError(f"{address} is not in the sidebar")

    def listed_subjects(self) -> list[str]:
        model = self.window.model
        return [s.subject for i in range(model.rowCount()) if (s := model.summary_at(i)) is not None]


@asynccontextmanager
async def running_app(data_dir: Path, keyring: DictKeyring, default: Provider) -> AsyncIterator[App]:
    store = Store(store_path(data_dir))
    # SMTP on any free port: 2525 is the machine's, shared with other runs (and the user's app).
    local = LocalService(functools.partial(start_local_server, data_dir, smtp_port=0))
    inbox = Inbox(store, PasswordVault(keyring), default, sync_settings=FAST_SYNC, local=local)
    signals = AppSignals()
    controller = InboxController(inbox, signals)
    window = tracked(MainWindow(controller, signals, html_view_factory=FakeHtmlView))
    follow_local_server(window, local, signals.status.emit)  # as app.start wires it
    window.allow_close()
    window.show()
    await inbox.start()  # as app.start does once the window shows
    signals.addresses_changed.emit()
    try:
        yield App(inbox, local, controller, window)
    finally:
        controller.close()
        await controller.tasks.close(1.0)
        assert await inbox.aclose(2.0)
        await local.stop()
        store.close()


@pytest.fixture(name="elsewhere")
async def elsewhere_fixture() -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(rate_limit=None, domains=("elsewhere.test",)) as server:
        yield server


def _choose(dialog: NewAddressDialog, text: str) -> None:
    index = dialog.picker.combo.findText(text)
    assert index >= 0, text
    dialog.picker.combo.setCurrentIndex(index)


def _domains(dialog: NewAddressDialog) -> list[str]:
    return [dialog.domain.itemText(i) for i in range(dialog.domain.count())]


def _send(smtp: tuple[str, int], to: str, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "app@example.com", to, subject
    message.set_content("hello")
    with smtplib.SMTP(*smtp, timeout=10) as client:
        client.send_message(message)


async def test_this_computer_is_offered_started_when_chosen_and_the_address_made_there(
    qtbot: QtBot, tmp_path: Path, elsewhere: LocalMailServer
) -> None:
    async with running_app(tmp_path, DictKeyring(), custom_provider(elsewhere.api_url)) as app:
        assert app.footer() is None and app.local.running is None  # nothing on it yet: not started
        dialog = app.new_address()
        await wait_until(lambda: _domains(dialog) == ["elsewhere.test"])
        combo = dialog.picker.combo
        index = combo.findText("This computer")
        assert index >= 0 and combo.itemData(index, Qt.ItemDataRole.ToolTipRole) == texts.THIS_COMPUTER_TIP
        _choose(dialog, "This computer")
        # While it starts, the dialog says so and nothing can be created yet.
        assert _domains(dialog) == [texts.STARTING_LOCAL] and not dialog.create_button.isEnabled()
        await wait_until(lambda: _domains(dialog) == ["temp-inbox.test"])
        assert dialog.windowTitle() == "New address on This computer" and dialog.create_button.isEnabled()
        dialog.custom_choice.setChecked(True)
        dialog.local_part.setText("made.here")
        password = dialog.password.text()
        dialog.create_button.click()
        await settled(app.controller.tasks)
        assert not dialog.isVisible()

        running = app.local.running
        assert running is not None
        async with httpx.AsyncClient() as http:  # on that server, with the dialog's password
            answer = await http.post(
                f"{running.api_url}/token",
                json={"address": "made.here@temp-inbox.test", "password": password},
            )
        assert answer.status_code == 200
        assert elsewhere.store.account_by_address("made.here@temp-inbox.test") is None
        app.window.refresh_addresses()
        assert "on This computer" in str(app.row("made.here@temp-inbox.test")["tooltip"])
        footer = app.footer()
        assert footer is not None  # the sidebar's SMTP footer, now that the server runs
        assert footer.hint.label.text() == texts.LOCAL_SMTP_LINE.format(smtp=running.smtp)
        # Its empty list offers the SMTP too; the other provider's address's does not.
        await wait_until(lambda: app.window.current_address() == "made.here@temp-inbox.test")
        hint = app.window.empty_list.smtp
        assert hint.isVisible() and hint.label.text() == texts.LOCAL_SMTP_EMPTY.format(smtp=running.smtp)


async def test_a_restart_brings_the_address_on_this_computer_back_live_with_its_mail(
    qtbot: QtBot, tmp_path: Path, elsewhere: LocalMailServer
) -> None:
    keyring = DictKeyring()
    default = custom_provider(elsewhere.api_url)
    async with running_app(tmp_path, keyring, default) as first:
        local = next(p for p in first.inbox.providers_for_new_addresses() if p.id == LOCAL_ID)
        record = await first.inbox.create_address("kept.here", provider=local)
        smtp = first.inbox.local_smtp
        assert smtp is not None
        await wait_until(lambda: first.inbox.is_live(record.address))
        first.window.refresh_addresses()
        first.window.select_address(record.address)
        await asyncio.to_thread(_send, smtp, record.address, "Sent before the restart")
        await wait_until(lambda: "Sent before the restart" in first.listed_subjects())

    async with running_app(tmp_path, keyring, default) as second:  # still no --local
        await wait_until(lambda: second.row(record.address)["state"] == "live")
        assert second.footer() is not None
        second.window.select_address(record.address)
        assert second.listed_subjects() == ["Sent before the restart"]  # its mail is kept
        smtp = second.inbox.local_smtp
        assert smtp is not None
        await asyncio.to_thread(_send, smtp, record.address, "Sent after the restart")
        await wait_until(lambda: second.listed_subjects()[:1] == ["Sent after the restart"])


async def test_a_server_that_cannot_start_is_said_in_the_dialog_and_nothing_else_breaks(
    qtbot: QtBot, tmp_path: Path, elsewhere: LocalMailServer
) -> None:
    folder = tmp_path / "local-server"
    folder.write_text("a file where its data folder would be")
    async with running_app(tmp_path, DictKeyring(), custom_provider(elsewhere.api_url)) as app:
        dialog = app.new_address()
        _choose(dialog, "This computer")
        await wait_until(lambda: dialog.domains_error.isVisible())
        said = dialog.domains_error.text()
        assert "could not start" in said and str(folder) in said and "Traceback" not in said
        assert dialog.retry_domains_button.isVisible() and not dialog.create_button.isEnabled()
        assert app.footer() is None
        # The other provider still works in the same dialog.
        elsewhere_name = elsewhere.api_url.removeprefix("http://")
        _choose(dialog, elsewhere_name)
        await wait_until(lambda: _domains(dialog) == ["elsewhere.test"])
        assert not dialog.domains_error.isVisible() and dialog.create_button.isEnabled()
        # Fixed meanwhile: Retry starts it.
        _choose(dialog, "This computer")
        await wait_until(lambda: dialog.domains_error.isVisible())
        folder.unlink()
        dialog.retry_domains_button.click()
        await wait_until(lambda: _domains(dialog) == ["temp-inbox.test"])
        assert not dialog.domains_error.isVisible() and app.footer() is not None
        # And an address on the other provider is made as before.
        _choose(dialog, elsewhere_name)
        await wait_until(lambda: _domains(dialog) == ["elsewhere.test"])
        dialog.create_button.click()
        await settled(app.controller.tasks)
        assert not dialog.isVisible()
        assert [r.provider_id for r in app.inbox.addresses()] == [custom_provider(elsewhere.api_url).id]
