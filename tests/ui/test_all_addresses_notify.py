"""A notification's click opens its message in the window: in "All addresses" when that is on show
(it stays), else in the message's own address. Real D-Bus chain (a fake notification server on a
private bus), real window on the fake controller, wired as ``app.py`` wires them."""

from __future__ import annotations

import asyncio

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.notifications import Notifications
from tests.core.notice_helpers import new_message
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

from .notify_fixtures import FakeNotificationServer, fake_server, qloop, session_bus, wait_until

__all__ = ["fake_server", "qloop", "session_bus"]  # fixtures, imported for pytest
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SHOP, WORK = "quiet.otter@example.com", "brisk.heron@mail.test"


def test_clicking_a_notification_selects_its_message_where_the_user_is(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    session_bus: str,
    fake_server: FakeNotificationServer,
) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(SHOP, "Shopping")
    fake.add_address(WORK)
    fake.messages[SHOP] = [make_summary(1, subject="Receipt")]
    fake.messages[WORK] = [make_summary(3, subject="Your code 123"), make_summary(2, subject="Older")]
    window = shown_window(qtbot, fake)
    notifications = Notifications(bus=session_bus)
    notifications.open_message_requested.connect(fake.signals.show_message_requested.emit)  # app.py
    news = make_summary(2)

    async def scenario() -> None:
        assert window.select_address(ALL_ADDRESSES)
        notifications.message_arrived(new_message(WORK, news.id, "s@x.test", "Older"))
        await wait_until(lambda: fake_server.calls)
        fake_server.invoke_action(fake_server.calls[-1].id, "default")
        await wait_until(lambda: window.current_message_id() == news.id)
        assert window.shows_all()
        assert fake.called("open_message")[-1] == (WORK, news.id)
        assert window.pane.message is not None and window.pane.address == WORK

        window.select_address(SHOP)
        fake_server.invoke_action(fake_server.calls[-1].id, "default")
        await wait_until(lambda: window.current_message_id() == news.id)
        assert window.current_address() == WORK and not window.shows_all()
        await notifications.shutdown()

    qloop.run_until_complete(scenario())
