""" "All addresses" against the embedded server, through the real controller and window: mail to two
accounts is listed together, and opening, Mark unread and Delete on a row reach that row's account on
the server (and only it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.inbox import Inbox
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from desktop_app.ui.address_list import UNREAD_ROLE
from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.main_window import MainWindow
from tests.ui.test_instance_commands_local import inbox_fixture, server_fixture
from tests.ui.windows import shown_window

pytestmark = [pytest.mark.timeout(120), pytest.mark.qt_log_ignore("This plugin does not support")]
__all__ = ["inbox_fixture", "server_fixture"]


async def _until(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Poll with Qt's events processed too (the controller's refresh timer is a QTimer)."""
    async with asyncio.timeout(timeout):
        while not condition():
            QApplication.processEvents()
            await asyncio.sleep(0.02)
    assert condition(), what


def _row(window: MainWindow, subject: str) -> int:
    model = window.model
    return next(r for r in range(model.rowCount()) if model.summary_at(r).subject == subject)  # type: ignore[union-attr]


async def test_rows_act_on_their_own_account(qtbot: QtBot, server: LocalMailServer, inbox: Inbox) -> None:
    shop = (await inbox.create_address(label="Shopping", session_only=True)).address
    work = (await inbox.create_address(session_only=True)).address
    await _until(lambda: inbox.is_live(shop) and inbox.is_live(work), "both live")
    signals = AppSignals()
    controller = InboxController(inbox, signals)
    try:
        window = shown_window(qtbot, controller)  # type: ignore[arg-type]
        await send_mail(server, shop, "For shopping", "a receipt")
        await send_mail(server, work, "For work", "the notes")
        await _until(lambda: inbox.count_all_messages() == 2, "both messages cached")
        assert window.select_address(ALL_ADDRESSES)
        await _until(lambda: window.model.rowCount() == 2, "both listed")
        shown = {
            window.model.summary_at(r).subject: window.list_view.shown_address(r)  # type: ignore[union-attr]
            for r in range(2)
        }
        assert shown == {"For shopping": "Shopping", "For work": work.partition("@")[0]}
        shop_id = window.model.summary_at(_row(window, "For shopping")).id  # type: ignore[union-attr]
        work_id = window.model.summary_at(_row(window, "For work")).id  # type: ignore[union-attr]
        assert inbox.message_address(work_id) == work

        def on_server(message_id: str) -> object:
            return server.store.message(message_id)

        window.list_view.setCurrentIndex(window.model.index(_row(window, "For work"), 0))
        await _until(lambda: window.pane.message is not None and window.pane.message.id == work_id, "open")
        await _until(lambda: on_server(work_id).seen, "seen on the server")  # type: ignore[union-attr]
        assert not on_server(shop_id).seen  # type: ignore[union-attr]
        entry = window.sidebar.model.index(0)
        await _until(lambda: entry.data(UNREAD_ROLE) == 1, "the entry's unread count went down")

        window.reading.mark_current_unread()
        await _until(lambda: not on_server(work_id).seen, "unseen again on the server")  # type: ignore[union-attr]

        window.list_view.setCurrentIndex(window.model.index(_row(window, "For shopping"), 0))
        window.reading.delete_current_message()
        await _until(lambda: on_server(shop_id) is None, "deleted on the server")
        await _until(lambda: window.model.rowCount() == 1, "gone from the list")
        assert on_server(work_id) is not None and inbox.count_messages(work) == 1
        assert window.model.summary_at(0).id == work_id  # type: ignore[union-attr]
        await controller.tasks.close(1.0)
    finally:
        controller.close()
