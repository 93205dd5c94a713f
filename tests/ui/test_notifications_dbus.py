"""The D-Bus notifier against a real (private) session bus and a fake notification server."""

from __future__ import annotations

import asyncio
import time

from desktop_app.desktop.dbus_notify import DESKTOP_ENTRY, DBusNotifier

from .notify_fixtures import FakeNotificationServer, fake_server, session_bus, wait_until

__all__ = ["fake_server", "session_bus"]  # fixtures, imported for pytest


async def test_start_checks_service_and_capabilities(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifier = DBusNotifier(bus=session_bus)
    try:
        assert await notifier.start()
        assert notifier.connected
        assert notifier.server_name == "FakeNotify"
        assert {"actions", "body-markup"} <= notifier.capabilities
    finally:
        await notifier.aclose()
    assert not notifier.connected


async def test_start_is_false_when_no_service_owns_the_name(session_bus: str) -> None:
    notifier = DBusNotifier(bus=session_bus)
    assert not await notifier.start()
    assert not notifier.connected


async def test_start_is_false_when_there_is_no_bus(tmp_path: object) -> None:
    notifier = DBusNotifier(bus=f"unix:path={tmp_path}/no-such-socket")
    assert not await notifier.start()


async def test_notify_sends_summary_body_actions_and_hints(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifier = DBusNotifier(bus=session_bus, app_icon="/icons/temp-inbox.svg")
    assert await notifier.start()
    try:
        notification_id = await notifier.notify(
            "Your code", "From: a &amp; b", actions=[("copy-code", "Copy code"), ("open", "Open")]
        )
        [call] = fake_server.calls
        assert call.id == notification_id
        assert (call.app_name, call.app_icon, call.summary, call.body) == (
            "Temp Inbox",
            "/icons/temp-inbox.svg",
            "Your code",
            "From: a &amp; b",
        )
        assert call.actions == ["copy-code", "Copy code", "open", "Open"]
        assert call.hints["desktop-entry"] == ("s", DESKTOP_ENTRY)
        assert call.hints["category"] == ("s", "email.arrived")
        assert call.replaces_id == 0 and call.timeout == -1
        again = await notifier.notify("Update", "", replaces_id=notification_id)
        assert again == notification_id and fake_server.calls[-1].replaces_id == notification_id
    finally:
        await notifier.aclose()


async def test_notify_is_on_the_wire_before_it_returns(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    """No task or thread hop: the server sees the call while this coroutine has not yielded once."""
    notifier = DBusNotifier(bus=session_bus)
    assert await notifier.start()
    try:
        reply = notifier.notify("Fast", "body")
        # Blocking the loop on purpose: only bytes already written can reach the server now.
        calls = fake_server.wait_for_calls(1, timeout=5)
        assert [c.summary for c in calls] == ["Fast"]
        assert await reply == calls[0].id
    finally:
        await notifier.aclose()


async def test_action_and_close_signals_reach_the_callbacks(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    actions: list[tuple[int, str]] = []
    closed: list[tuple[int, int]] = []
    notifier = DBusNotifier(
        bus=session_bus,
        on_action=lambda i, a: actions.append((i, a)),
        on_closed=lambda i, r: closed.append((i, r)),
    )
    assert await notifier.start()
    try:
        notification_id = await notifier.notify("Code", "", actions=[("copy-code", "Copy code")])
        fake_server.invoke_action(notification_id, "copy-code")
        await wait_until(lambda: actions)
        assert actions == [(notification_id, "copy-code")]
        notifier.close_notification(notification_id)
        await wait_until(lambda: closed)
        assert closed == [(notification_id, 3)]
    finally:
        await notifier.aclose()


async def test_a_failing_callback_does_not_stop_later_signals(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    seen: list[str] = []

    def on_action(_id: int, action: str) -> None:
        seen.append(action)
        if action == "boom":
            raise ValueError("bug in a handler")

    notifier = DBusNotifier(bus=session_bus, on_action=on_action)
    assert await notifier.start()
    try:
        fake_server.invoke_action(1, "boom")
        fake_server.invoke_action(1, "open")
        await wait_until(lambda: len(seen) == 2)
        assert notifier.connected
    finally:
        await notifier.aclose()


async def test_server_error_reply_fails_the_future(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifier = DBusNotifier(bus=session_bus)
    assert await notifier.start()
    fake_server.fail_notify = True
    try:
        reply = notifier.notify("x", "y")
        try:
            await asyncio.wait_for(reply, 5)
        except ConnectionError as exc:
            assert "Notify failed" in str(exc)
        else:
            raise AssertionError("an error reply must fail the future")
    finally:
        await notifier.aclose()


async def test_losing_the_bus_fails_pending_calls_and_disconnects(
    session_bus: str, fake_server: FakeNotificationServer
) -> None:
    notifier = DBusNotifier(bus=session_bus)
    assert await notifier.start()
    conn = notifier._conn
    assert conn is not None
    conn.writer.transport.abort()  # the bus went away under us
    await wait_until(lambda: not notifier.connected)
    try:
        notifier.notify("x", "y")
    except ConnectionError:
        pass
    else:
        raise AssertionError("notify on a dead connection must raise ConnectionError")
    started = time.monotonic()
    await notifier.aclose()
    assert time.monotonic() - started < 5
