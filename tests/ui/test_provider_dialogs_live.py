"""The address dialogs' mail-service picker against two real embedded servers (issue 12): each
provider's own domains, a late answer from the one no longer chosen, "Other server…" refused and
accepted, and the address made (or logged in to) on the server chosen, as that server sees it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import Provider, custom_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from desktop_app.ui import texts
from desktop_app.ui.address_list import ADDRESS_ROLE, PROVIDER_ROLE
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.dialogs import LoginDialog, NewAddressDialog
from desktop_app.ui.inbox_controller import InboxController
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
class Rig:
    alpha: LocalMailServer  # the default provider
    beta: LocalMailServer
    alpha_provider: Provider
    inbox: Inbox
    controller: InboxController
    window: MainWindow
    domains_answers: list[tuple[str, list[str]]]

    def beta_provider(self) -> Provider:
        return custom_provider(self.beta.api_url)

    def new_address(self) -> NewAddressDialog:
        self.window.new_action.trigger()
        dialog = self.window._dialog
        assert isinstance(dialog, NewAddressDialog)
        return dialog

    def login(self) -> LoginDialog:
        self.window.login_action.trigger()
        dialog = self.window._dialog
        assert isinstance(dialog, LoginDialog)
        return dialog


@pytest.fixture(name="rig")
async def rig_fixture(qtbot: QtBot) -> AsyncIterator[Rig]:
    async with (
        LocalMailServer(rate_limit=None, domains=("alpha.test",)) as alpha,
        LocalMailServer(rate_limit=None, domains=("beta.test",)) as beta,
    ):
        store = Store(None)
        provider = custom_provider(alpha.api_url)
        inbox = Inbox(store, PasswordVault(DictKeyring()), provider, sync_settings=FAST_SYNC)
        signals = AppSignals()
        controller = InboxController(inbox, signals)
        answers: list[tuple[str, list[str]]] = []
        signals.domains_loaded.connect(lambda provider_id, domains: answers.append((provider_id, domains)))
        window = tracked(MainWindow(controller, signals, html_view_factory=FakeHtmlView))
        window.allow_close()
        window.show()
        try:
            yield Rig(alpha, beta, provider, inbox, controller, window, answers)
        finally:
            controller.close()
            await controller.tasks.close(1.0)
            assert await inbox.aclose(2.0)
            store.close()


def _choose(dialog: NewAddressDialog | LoginDialog, text: str) -> None:
    index = dialog.picker.combo.findText(text)
    assert index >= 0, text
    dialog.picker.combo.setCurrentIndex(index)


def _domains(dialog: NewAddressDialog) -> list[str]:
    return [dialog.domain.itemText(i) for i in range(dialog.domain.count())]


async def test_each_provider_shows_its_own_servers_domains(rig: Rig) -> None:
    beta = await rig.inbox.add_provider(rig.beta.api_url)
    dialog = rig.new_address()
    assert dialog.picker.combo.currentText() == rig.alpha_provider.name  # the default provider
    await wait_until(lambda: _domains(dialog) == ["alpha.test"])
    _choose(dialog, beta.name)
    assert _domains(dialog) == [texts.LOADING_DOMAINS] and not dialog.create_button.isEnabled()
    await wait_until(lambda: _domains(dialog) == ["beta.test"])
    assert dialog.create_button.isEnabled()
    _choose(dialog, rig.alpha_provider.name)
    await wait_until(lambda: _domains(dialog) == ["alpha.test"])


async def test_a_slow_providers_late_answer_is_ignored(rig: Rig) -> None:
    beta = await rig.inbox.add_provider(rig.beta.api_url)
    rig.alpha.faults.delay(1.0)  # the default provider is slow to answer
    dialog = rig.new_address()
    _choose(dialog, beta.name)  # the user does not wait for it
    await wait_until(lambda: _domains(dialog) == ["beta.test"])
    await wait_until(lambda: any(pid == rig.alpha_provider.id for pid, _ in rig.domains_answers))
    assert (rig.alpha_provider.id, ["alpha.test"]) in rig.domains_answers  # it did answer, late
    assert _domains(dialog) == ["beta.test"] and dialog.windowTitle() == f"New address on {beta.name}"
    assert dialog.create_button.isEnabled()


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("nothing", "nothing answered there"),  # nothing listens on the port
        ("not-an-api", "with no list of domains"),  # a web server, not a mail.tm API
    ],
)
async def test_other_server_is_refused_when_it_does_not_answer_as_one(
    rig: Rig, where: str, said: str
) -> None:
    url = "http://127.0.0.1:9" if where == "nothing" else f"{rig.alpha.api_url}/not-the-api"
    dialog = rig.new_address()
    _choose(dialog, texts.OTHER_SERVER)
    picker = dialog.picker
    picker.api_url.setText(url)
    picker.check_button.click()
    assert (
        picker.status.text() == texts.CHECKING_SERVER.format(url=url) and not picker.check_button.isEnabled()
    )
    await settled(rig.controller.tasks)
    assert said in picker.status.text() and url in picker.status.text()
    assert "Traceback" not in picker.status.text()
    assert picker.status.isVisible() and picker.check_button.isEnabled() and dialog.isVisible()
    assert picker.choosing_other() and not dialog.create_button.isEnabled()
    assert rig.inbox.find_provider(url) is None  # not kept, not listed
    assert picker.combo.findData(custom_provider(url).id) < 0


async def test_other_server_that_answers_is_kept_selected_and_its_domains_shown(rig: Rig) -> None:
    dialog = rig.new_address()
    _choose(dialog, texts.OTHER_SERVER)
    dialog.picker.api_url.setText(rig.beta.api_url)
    dialog.picker.check_button.click()
    await settled(rig.controller.tasks)
    beta = rig.beta_provider()
    assert dialog.picker.current_id() == beta.id and dialog.picker.combo.currentText() == beta.name
    assert rig.inbox.find_provider(rig.beta.api_url) == beta  # kept
    await wait_until(lambda: _domains(dialog) == ["beta.test"])
    dialog.reject()
    assert beta.name in [p.name for p in rig.controller.providers()]  # the next dialog lists it


async def test_other_server_keeps_the_smtp_typed_for_test_mail_or_says_what_is_wrong(rig: Rig) -> None:
    dialog = rig.new_address()
    _choose(dialog, texts.OTHER_SERVER)
    picker = dialog.picker
    picker.api_url.setText(rig.beta.api_url)
    picker.smtp.setText("127.0.0.1")  # no port
    picker.check_button.click()
    await settled(rig.controller.tasks)
    assert "'127.0.0.1' is not an SMTP endpoint: give host:port" in picker.status.text()
    assert picker.status.isVisible() and picker.choosing_other()
    assert rig.inbox.find_provider(rig.beta.api_url) is None  # nothing kept
    picker.smtp.setText(f"127.0.0.1:{rig.beta.smtp_port}")
    picker.check_button.click()
    await settled(rig.controller.tasks)
    kept = rig.inbox.find_provider(rig.beta.api_url)
    assert kept is not None and kept.smtp == ("127.0.0.1", rig.beta.smtp_port)
    assert picker.current_id() == kept.id
    dialog.reject()


async def test_the_address_is_made_on_the_server_chosen_and_named_in_the_sidebar(rig: Rig) -> None:
    first = await rig.inbox.create_address("first.one", label="On alpha")  # the default provider
    beta = await rig.inbox.add_provider(rig.beta.api_url, name="Beta")
    rig.window.refresh_addresses()
    dialog = rig.new_address()
    _choose(dialog, "Beta")
    await wait_until(lambda: _domains(dialog) == ["beta.test"])
    dialog.custom_choice.setChecked(True)
    dialog.local_part.setText("pick.me")
    dialog.create_button.click()
    await settled(rig.controller.tasks)
    assert not dialog.isVisible()
    assert rig.beta.store.account_by_address("pick.me@beta.test") is not None  # on the server chosen
    assert rig.alpha.store.account_by_address("pick.me@beta.test") is None
    assert rig.alpha.store.account_by_address(first.address) is not None
    assert rig.window.current_address() == "pick.me@beta.test"
    model = rig.window.sidebar.model
    rows = {model.index(i).data(ADDRESS_ROLE): model.index(i) for i in range(model.rowCount())}
    # Two providers: each address's row names its own.
    assert rows[first.address].data(PROVIDER_ROLE) == rig.alpha_provider.name
    assert rows["pick.me@beta.test"].data(PROVIDER_ROLE) == beta.name == "Beta"
    assert "on Beta" in rows["pick.me@beta.test"].data(Qt.ItemDataRole.ToolTipRole)


async def test_log_in_goes_to_the_server_chosen(rig: Rig) -> None:
    beta = await rig.inbox.add_provider(rig.beta.api_url, name="Beta")
    rig.beta.create_account_direct("old.box@beta.test", "long-enough-password")
    dialog = rig.login()
    _choose(dialog, "Beta")
    dialog.address.setText("old.box@beta.test")
    dialog.password.setText("long-enough-password")
    dialog._ok.click()
    await settled(rig.controller.tasks)
    assert not dialog.isVisible()
    (row,) = rig.inbox.address_rows()
    assert row.address == "old.box@beta.test" and row.provider_name == beta.name
    assert rig.inbox.is_open(row.address)


async def test_a_provider_removed_while_the_dialog_is_open_is_said_not_awaited(rig: Rig) -> None:
    beta = await rig.inbox.add_provider(rig.beta.api_url, name="Beta")
    dialog = rig.new_address()
    rig.inbox.remove_provider("Beta")  # `temp-inbox providers remove Beta` meanwhile
    _choose(dialog, "Beta")
    assert dialog.domains_error.isVisible() and texts.PROVIDER_GONE in dialog.domains_error.text()
    assert dialog.domain.currentText() != texts.LOADING_DOMAINS and dialog.retry_domains_button.isVisible()
    failures: list[str] = []
    rig.controller.signals.address_add_failed.connect(failures.append)
    rig.controller.create_address(None, "beta.test", "", "pw-long-enough", beta.id)
    rig.controller.login_address("old.box@beta.test", "pw-long-enough", "", beta.id)
    assert failures == [texts.PROVIDER_GONE, texts.PROVIDER_GONE]
    await settled(rig.controller.tasks)
    assert rig.inbox.addresses() == [] and rig.beta.store.account_by_address("old.box@beta.test") is None
