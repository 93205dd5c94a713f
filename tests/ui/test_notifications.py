"""The notification chain on a qasync loop: D-Bus (fake server on a private bus) → banner → null."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from desktop_app.core.codes.extract import Extraction
from desktop_app.core.notice import Notice, NoticeBatcher, NoticeKind
from desktop_app.ui.banner import NotificationBanner
from desktop_app.ui.clipboard import clipboard_text, copy_text
from desktop_app.ui.notifications import Notifications
from desktop_app.ui.notify_backends import NullBackend, dbus_actions
from tests.core.notice_helpers import new_message

from .notify_fixtures import FakeNotificationServer, fake_server, qloop, session_bus, wait_until

__all__ = ["fake_server", "qloop", "session_bus"]  # fixtures, imported for pytest

HOSTILE = new_message(
    "me@tmp.test",
    "msg-1",
    'Eve <eve@evil.test>\n<a href="http://evil.test">Bank</a>',
    "<b>Your code</b> & more",
    Extraction(code="482913", link="https://ex.com/verify"),
)


def test_notify_escapes_body_offers_copy_code_and_copies_it(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifications = Notifications(bus=session_bus)
    copied: list[str] = []
    opened: list[tuple[str, str]] = []
    notifications.code_copied.connect(copied.append)
    notifications.open_message_requested.connect(lambda a, m: opened.append((a, m)))

    async def scenario() -> None:
        copy_text("something the user had")
        notifications.message_arrived(HOSTILE)
        await wait_until(lambda: fake_server.calls)
        [call] = fake_server.calls
        assert notifications.backend_name == "dbus"
        # Plain text by spec, yet parsed by some servers: look-alike brackets keep it inert.
        assert call.summary == "‹b›Your code‹/b› & more"
        assert call.body == (
            'From: Eve &lt;eve@evil.test&gt; &lt;a href="http://evil.test"&gt;Bank&lt;/a&gt;\n'
            "To: me@tmp.test\nCode: 482913"
        )
        assert "<" not in call.body
        # One "Open": dunst lists every action in its menu, the default one too.
        assert call.actions == ["copy-code", "Copy code", "default", "Open"]
        assert call.hints["category"] == ("s", "email.arrived")
        assert call.app_name == "Temp Inbox"

        fake_server.invoke_action(call.id, "copy-code")
        await wait_until(lambda: copied)
        assert clipboard_text() == "482913"
        fake_server.invoke_action(call.id, "default")
        await wait_until(lambda: opened)
        assert opened == [("me@tmp.test", "msg-1")]
        fake_server.invoke_action(call.id + 100, "copy-code")  # not ours: ignored
        fake_server.invoke_action(call.id, "default")
        await wait_until(lambda: len(opened) == 2)
        assert copied == ["482913"]
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_without_code_only_open_is_offered_and_plain_body_without_markup(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    fake_server.capabilities = ["actions", "body"]
    notifications = Notifications(bus=session_bus)

    async def scenario() -> None:
        notifications.message_arrived(new_message("me@tmp.test", "m2", "Shop <s@shop.test>", "Sale & more"))
        await wait_until(lambda: fake_server.calls)
        [call] = fake_server.calls
        assert call.actions == ["default", "Open"]
        assert call.body == "From: Shop <s@shop.test>\nTo: me@tmp.test"  # no markup support: sent as is
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_once_prepared_notify_is_on_the_wire_before_message_arrived_returns(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifications = Notifications(bus=session_bus)

    async def scenario() -> None:
        notifications.prepare()
        await wait_until(lambda: notifications.backend_name == "dbus")
        notifications.message_arrived(new_message("me@tmp.test", "m1", "s@x.test", "Quick"))
        # The loop is blocked here: only bytes written inside message_arrived can reach the server.
        assert [c.summary for c in fake_server.wait_for_calls(1, timeout=5)] == ["Quick"]
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_burst_is_one_popup_then_one_summary(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    batcher = NoticeBatcher(window=0.3)
    notifications = Notifications(bus=session_bus, batcher=batcher)

    async def scenario() -> None:
        notifications.prepare()
        await wait_until(lambda: notifications.backend_name == "dbus")
        for n in range(50):
            notifications.message_arrived(new_message(f"a{n % 3}@tmp.test", f"m{n}", "s@x.test", f"S{n}"))
        await wait_until(lambda: len(fake_server.calls) == 2)
        first, summary = fake_server.calls
        assert first.summary == "S0"
        assert summary.summary == "49 new messages in 3 addresses"
        assert batcher.pending == 0 and batcher.due() is None
        # The flood is over: no further popup is queued (the timer is idle).
        assert not notifications._flush_timer.isActive()
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_do_not_disturb_sends_nothing(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifications = Notifications(bus=session_bus)

    async def scenario() -> None:
        notifications.set_do_not_disturb(True)
        notifications.message_arrived(new_message("me@tmp.test", "quiet", "s@x.test", "Hush"))
        notifications.set_do_not_disturb(False)
        notifications.message_arrived(new_message("me@tmp.test", "loud", "s@x.test", "Hello"))
        await wait_until(lambda: fake_server.calls)
        assert [c.summary for c in fake_server.calls] == ["Hello"]
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_falls_back_to_the_banner_without_a_notification_service(
    qloop: asyncio.AbstractEventLoop, session_bus: str, qtbot: QtBot
) -> None:
    banner = NotificationBanner()
    qtbot.addWidget(banner)
    tray = QSystemTrayIcon()  # offscreen: no system tray, so the balloon is skipped too
    notifications = Notifications(bus=session_bus, banner=banner, tray=tray)

    async def scenario() -> None:
        notifications.message_arrived(HOSTILE)
        await wait_until(lambda: notifications.backend_name == "banner")
        assert not banner.isHidden()
        assert banner.title.text() == "‹b›Your code‹/b› & more"
        assert "Code: 482913" in banner.detail.text()
        assert banner.copy_button.isVisibleTo(banner)
        banner.copy_button.click()
        assert clipboard_text() == "482913"
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_a_failed_notify_is_shown_locally_and_dbus_retried_next_time(
    qloop: asyncio.AbstractEventLoop, session_bus: str, fake_server: FakeNotificationServer, qtbot: QtBot
) -> None:
    banner = NotificationBanner()
    qtbot.addWidget(banner)
    notifications = Notifications(bus=session_bus, banner=banner, batcher=NoticeBatcher(window=0.0))

    async def scenario() -> None:
        fake_server.fail_notify = True
        notifications.message_arrived(new_message("me@tmp.test", "m1", "s@x.test", "Broken"))
        await wait_until(lambda: banner.notice is not None)
        assert banner.title.text() == "Broken"
        fake_server.fail_notify = False
        notifications.message_arrived(new_message("me@tmp.test", "m2", "s@x.test", "Works"))
        await wait_until(lambda: fake_server.calls)
        assert [c.summary for c in fake_server.calls] == ["Works"]
        await notifications.shutdown()

    qloop.run_until_complete(scenario())


def test_without_an_event_loop_the_chain_ends_in_null() -> None:
    notifications = Notifications(use_dbus=True)
    notifications.message_arrived(new_message("me@tmp.test", "m1", "s@x.test", "Nowhere"))
    assert notifications.backend_name == "null"
    backend = notifications._backend
    assert isinstance(backend, NullBackend) and backend.shown[-1].title == "Nowhere"


@pytest.mark.parametrize(
    "notice",
    [
        Notice(NoticeKind.MESSAGE, "Hi", "From: a", "me@tmp.test", "m1"),
        Notice(NoticeKind.MESSAGE, "Code", "From: a", "me@tmp.test", "m1", code="482913"),
        Notice(NoticeKind.SUMMARY, "3 new messages", "Latest: x", "me@tmp.test", "m1", count=3),
        Notice(NoticeKind.EXPIRING, "Shop goes in 10 min", "me@tmp.test", "me@tmp.test"),
    ],
    ids=lambda n: f"{n.kind.value}{'-code' if n.code else ''}",
)
def test_no_two_actions_of_a_notification_have_one_label(notice: Notice) -> None:
    """dunst and mako list every action, the default one too, by its label: each label once."""
    labels = [label for _key, label in dbus_actions(notice)]
    assert len(labels) == len(set(labels)), labels
    assert ("default", "Open") in dbus_actions(notice)  # a click on the popup opens it
