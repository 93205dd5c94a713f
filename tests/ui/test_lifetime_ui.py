"""Address lifetime in the window: the new-address dialog's choice reaches the controller, the sidebar
row says when the address goes (and in red when soon), its menu sets and clears it, and the warning
before the deletion goes out on D-Bus with "Keep address", which keeps the address."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from desktop_app.ui import texts
from desktop_app.ui.address_list import AddressListModel, AddressSidebar
from desktop_app.ui.controller import AddressInfo, AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.notifications import Notifications
from desktop_app.ui.style import state_color
from desktop_app.ui.tray import TrayAddress, TrayIcon
from tests.core.test_lifetime import ManualClock
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

from .notify_fixtures import FakeNotificationServer, fake_server, qloop, session_bus, wait_until

__all__ = ["fake_server", "qloop", "session_bus"]  # fixtures, imported for pytest

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_dialog_offers_never_by_default_and_its_choice_reaches_the_controller(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    window = shown_window(qtbot, fake)
    window.new_action.trigger()
    dialog = window._dialog
    assert isinstance(dialog, NewAddressDialog)
    qtbot.waitExposed(dialog)
    choice = dialog.lifetime
    assert choice.isVisible() and choice.currentText() == "Never" and dialog.expires_in() is None
    assert [choice.itemText(i) for i in range(choice.count())] == [
        "Never",
        "After 1 hour",
        "After 1 day",
        "After 1 week",
    ]
    choice.setCurrentIndex(2)
    dialog.create_button.click()
    (call,) = fake.called("create_address")
    assert call == (None, "example.com", "", "Gen3rated-Passw0rd-xyz", "mail.tm")
    assert fake.lifetimes == [timedelta(days=1)]


class RecordingPainter(QPainter):
    """A painter that keeps each text drawn with the pen colour it was drawn in."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[tuple[str, QColor]] = []

    def drawText(self, *args: Any) -> None:  # type: ignore[override]
        for arg in args:
            if isinstance(arg, str):
                self.texts.append((arg, QColor(self.pen().color())))
        super().drawText(*args)


def _paint_row(sidebar: AddressSidebar, info: AddressInfo) -> tuple[QImage, list[tuple[str, QColor]]]:
    sidebar.model.set_addresses([info])
    index = sidebar.model.index(0)
    option = QStyleOptionViewItem()
    option.initFrom(sidebar.view)
    option.widget = sidebar.view
    size = sidebar.view.itemDelegate().sizeHint(option, index)
    option.rect = sidebar.view.visualRect(index)
    option.rect.setSize(QSize(300, size.height()))
    image = QImage(300, size.height(), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = RecordingPainter(image)
    sidebar.view.itemDelegate().paint(painter, option, index)
    painter.end()
    return image, painter.texts


def test_the_row_says_when_it_goes_first_on_its_footer_and_in_red_when_soon(qtbot: QtBot) -> None:
    sidebar = AddressSidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(300, 400)
    kept = AddressInfo(A1, "Shop", state_kind="live", state_text="live")
    later = AddressInfo(
        A1,
        "Shop",
        state_kind="live",
        state_text="live",
        expires_at=NOW,
        expiry_text="deletes in 3 h",
        expiry_detail="To be deleted automatically on Tue 1 Dec 2026, 12:00 (UTC), with its mail.",
    )
    soon = replace(later, expiry_text="deletes in 8 min", expiry_urgent=True)
    plain, kept_texts = _paint_row(sidebar, kept)
    drawn, later_texts = _paint_row(sidebar, later)
    assert [t for t, _ in later_texts] == ["Shop", A1, "deletes in 3 h · ", "Live · 0 B of 40 MB"]
    assert "deletes" not in " ".join(t for t, _ in kept_texts)
    line = sidebar.fontMetrics().height()
    assert plain.copy(0, 0, 300, 2 * line) == drawn.copy(0, 0, 300, 2 * line)  # only the footer changed
    assert plain != drawn
    muted = later_texts[-1][1]
    assert later_texts[2][1] == muted  # not urgent: the footer's own muted colour
    _, soon_texts = _paint_row(sidebar, soon)
    assert soon_texts[2] == ("deletes in 8 min · ", state_color("failed", sidebar.view.palette()))
    assert "To be deleted automatically on Tue 1 Dec 2026, 12:00 (UTC)" in AddressListModel.describe(later)


def test_the_menu_sets_changes_and_clears_the_lifetime(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop")
    window = shown_window(qtbot, fake)
    menu = window.sidebar.context_menu_for(A1)
    (submenu,) = [a.menu() for a in menu.actions() if a.menu() is not None]
    assert submenu.title() == texts.LIFETIME_MENU
    names = [a.text() for a in submenu.actions() if not a.isSeparator()]
    assert names == ["After 1 hour", "After 1 day", "After 1 week", "Keep this address"]
    keep = submenu.actions()[-1]
    assert not keep.isEnabled()  # nothing to keep it from yet
    submenu.actions()[1].trigger()
    assert fake.called("set_lifetime") == [(A1, timedelta(days=1))]

    fake.infos[0] = AddressInfo(A1, "Shop", expires_at=NOW, expiry_text="deletes tomorrow at 09:00")
    fake.signals.addresses_changed.emit()
    menu = window.sidebar.context_menu_for(A1)
    (submenu,) = [a.menu() for a in menu.actions() if a.menu() is not None]
    assert submenu.title() == "Change automatic deletion (deletes tomorrow at 09:00)"
    keep = submenu.actions()[-1]
    assert keep.isEnabled()
    keep.trigger()
    assert fake.called("set_lifetime")[-1] == (A1, None)


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


def _inbox_on(
    server: LocalMailServer, store: Store, keyring: DictKeyring, clock: ManualClock | None = None
) -> Inbox:
    """The real Inbox on ``server``, with quick retries (and the test's own clock, when it moves time)."""
    return Inbox(
        store,
        PasswordVault(keyring),
        local_provider(server.api_url, server.hub_url),
        client_factory=_fast_client,
        sync_settings=FAST_SYNC,
        clock=clock,
    )


def test_the_warning_goes_out_on_dbus_and_keep_address_keeps_it(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    session_bus: str,
    fake_server: FakeNotificationServer,
) -> None:
    """The app's chain (as app.connect wires it): core event → controller → notifications → D-Bus;
    the popup's "Keep address" → controller → Inbox: the expiry is gone and the address stays."""
    store = Store(None)
    clock = ManualClock(NOW)
    statuses: list[str] = []

    async def scenario() -> None:
        async with LocalMailServer(rate_limit=None) as server:
            inbox = _inbox_on(server, store, DictKeyring(), clock)
            signals = AppSignals()
            signals.status.connect(statuses.append)
            controller = InboxController(inbox, signals)
            notifications = Notifications(bus=session_bus)
            controller.address_expiring.connect(notifications.address_expiring)
            controller.address_expired.connect(notifications.address_expired)
            notifications.keep_address_requested.connect(lambda a: controller.set_lifetime(a, None))
            try:
                await inbox.start()
                record = await inbox.create_address(label="Shop", expires_in=timedelta(hours=1))
                assert controller.addresses()[0].expiry_text == "deletes in 1 h"
                assert not fake_server.calls  # 50 minutes to go: nothing to say yet
                clock.advance(timedelta(minutes=50))
                await wait_until(lambda: fake_server.calls)
                (call,) = fake_server.calls
                assert call.summary == "Shop deletes in 10 min"
                assert call.body == (
                    f"{record.address} and its mail are deleted automatically at "
                    f"{(NOW + timedelta(hours=1)).astimezone().strftime('%H:%M')}, as you asked."
                )
                assert call.actions == ["keep", "Keep address", "default", "Open"]

                fake_server.invoke_action(call.id, "keep")
                await wait_until(lambda: inbox.address_rows()[0].expires_at is None)
                assert statuses[-1] == texts.ADDRESS_KEPT.format(address=record.address)
                passes = len(clock.sleeps)
                clock.advance(timedelta(hours=1))
                await wait_until(lambda: len(clock.sleeps) > passes)  # it looked after the hour
                assert [r.address for r in inbox.address_rows()] == [record.address]
                assert server.store.account_by_address(record.address) is not None
            finally:
                controller.close()
                await notifications.shutdown()
                assert await inbox.aclose(2.0)

    qloop.run_until_complete(scenario())
    store.close()


def test_the_notice_after_the_deletion_has_no_buttons(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifications = Notifications(bus=session_bus)

    async def scenario() -> None:
        notifications.address_expired(A1, "Shop")
        await wait_until(lambda: fake_server.calls)
        (call,) = fake_server.calls
        assert call.summary == "Deleted Shop"
        assert call.body == f"Shop ({A1}) was deleted automatically with its mail, as you asked."
        assert call.actions == []
        notifications.set_do_not_disturb(True)
        notifications.address_expiring(A1, "Shop", NOW + timedelta(minutes=10), NOW)
        notifications.address_expired(A1, "Shop")
        await notifications.shutdown()

    qloop.run_until_complete(scenario())
    assert len(fake_server.calls) == 1  # do-not-disturb held the others back


def test_the_tray_menu_says_when_an_address_goes(qtbot: QtBot) -> None:
    tray = TrayIcon(
        lambda: [TrayAddress(A1, "Shop", 2, "deletes in 3 h"), TrayAddress("b@x.test", "", 0, "")],
        window_visible=lambda: True,
    )
    tray.menu.aboutToShow.emit()
    titles = [a.text() for a in tray.menu.actions() if a.menu() is not None]
    assert titles == ["Shop (2) · deletes in 3 h", "b@x.test"]


def test_an_address_removed_here_only_is_said_to_be_still_on_the_service(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    session_bus: str,
    fake_server: FakeNotificationServer,
) -> None:
    """No password saved for it (the keyring readable, the entry gone): nothing could log in to delete
    the account, so it is removed here only, and neither the notice nor the status says "Deleted"."""
    store = Store(None)
    clock = ManualClock(NOW)
    keyring = DictKeyring()
    statuses: list[str] = []

    async def scenario() -> None:
        async with LocalMailServer(rate_limit=None) as server:
            inbox = _inbox_on(server, store, keyring, clock)
            signals = AppSignals()
            signals.status.connect(statuses.append)
            controller = InboxController(inbox, signals)
            notifications = Notifications(bus=session_bus)
            controller.address_expired.connect(notifications.address_expired)
            try:
                await inbox.start()
                record = await inbox.create_address(label="Shop", expires_in=timedelta(hours=1))
                keyring.entries.clear()  # its password went (another tool cleared the keyring)
                passes = len(clock.sleeps)
                await wait_until(lambda: len(clock.sleeps) > passes)
                clock.advance(timedelta(hours=1))
                await wait_until(lambda: fake_server.calls)
                (call,) = fake_server.calls
                assert call.summary == "Removed Shop here"
                assert call.body == (
                    f"Shop ({record.address}) was removed here with its mail, as you asked, but could not "
                    "be deleted on the mail service: no password is saved for it."
                )
                assert statuses[-1] == texts.ADDRESS_EXPIRED_HERE_ONLY.format(address=record.address)
                assert inbox.address_rows() == []
                assert server.store.account_by_address(record.address) is not None  # as said
            finally:
                controller.close()
                await notifications.shutdown()
                assert await inbox.aclose(2.0)

    qloop.run_until_complete(scenario())
    store.close()


def test_the_users_delete_says_deleted_only_when_the_service_deleted_it(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    """A refused password (401): removed here, as asked, and the status bar does not say "Deleted"."""
    store = Store(None)
    keyring = DictKeyring()
    statuses: list[str] = []

    async def scenario() -> None:
        async with LocalMailServer(rate_limit=None) as server:
            inbox = _inbox_on(server, store, keyring)
            signals = AppSignals()
            signals.status.connect(statuses.append)
            controller = InboxController(inbox, signals)
            try:
                await inbox.start()
                refused = await inbox.create_address(label="Refused")
                deleted = await inbox.create_address(label="Fine")
                (entry,) = [k for k in keyring.entries if k[1].endswith(f":{refused.address}")]
                keyring.entries[entry] = "changed-elsewhere"
                controller.delete_address(refused.address)
                await wait_until(lambda: statuses)
                assert statuses[-1] == texts.ADDRESS_DELETED_HERE_ONLY.format(address=refused.address)
                assert "Deleted" not in statuses[-1]
                assert server.store.account_by_address(refused.address) is not None  # as said
                controller.delete_address(deleted.address)
                await wait_until(lambda: len(statuses) == 2)
                assert statuses[-1] == f"Deleted {deleted.address}."
                assert server.store.account_by_address(deleted.address) is None
                assert inbox.address_rows() == []
            finally:
                controller.close()
                assert await inbox.aclose(2.0)

    qloop.run_until_complete(scenario())
    store.close()
