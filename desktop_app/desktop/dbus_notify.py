"""Desktop notifications over the freedesktop D-Bus interface, with action buttons, via ``jeepney``.

Not a QObject: it runs on the asyncio loop (qasync in the app). ``notify`` writes the ``Notify`` call
to the bus socket before it returns — no task hop, no thread hop — because the time from "mail
accepted" to "notification on D-Bus" is a product requirement. Its reply (the notification id)
arrives later as a future. ``ActionInvoked`` and ``NotificationClosed`` signals are routed to plain
callbacks.

QtDBus is not used: from Python it marshals plain ints with the wrong signature for ``Notify``
(see the headless-desktop reference).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from jeepney import DBusAddress, HeaderFields, Message, MessageType, new_method_call
from jeepney.bus_messages import MatchRule, message_bus
from jeepney.io.asyncio import DBusConnection, open_dbus_connection
from jeepney.wrappers import DBusErrorResponse

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
NOTIFICATIONS = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
# The reverse-DNS id of our .desktop file: servers use it to group and to find the app's icon.
DESKTOP_ENTRY = "io.github.tempinbox.TempInbox"
CONNECT_TIMEOUT = 3.0


class DBusNotifier:
    """One session-bus connection that sends notifications and listens for their signals."""

    def __init__(
        self,
        *,
        bus: str = "SESSION",
        app_name: str = "Temp Inbox",
        app_icon: str = "",
        desktop_entry: str = DESKTOP_ENTRY,
        on_action: Callable[[int, str], None] | None = None,
        on_closed: Callable[[int, int], None] | None = None,
    ) -> None:
        self.bus = bus
        self.app_name = app_name
        self.app_icon = app_icon
        self.desktop_entry = desktop_entry
        self.on_action = on_action
        self.on_closed = on_closed
        self.capabilities: frozenset[str] = frozenset()
        self.server_name = ""
        self._conn: DBusConnection | None = None
        self._receiver: asyncio.Task[None] | None = None
        self._replies: dict[int, asyncio.Future[Message]] = {}

    @property
    def connected(self) -> bool:
        return self._conn is not None and self._receiver is not None and not self._receiver.done()

    async def start(self) -> bool:
        """Connect and check that a notification service is there; False (never an exception) if not."""
        try:
            await asyncio.wait_for(self._start(), CONNECT_TIMEOUT)
        except asyncio.CancelledError:
            await self.aclose()  # do not leave a half-open connection behind
            raise
        except (
            OSError,
            EOFError,
            KeyError,
            RuntimeError,
            ValueError,
            TimeoutError,
            DBusErrorResponse,
        ) as exc:
            log.info("desktop notifications over D-Bus unavailable: %r", exc)
            await self.aclose()
            return False
        return True

    async def _start(self) -> None:
        self._conn = await open_dbus_connection(self.bus)
        self._receiver = asyncio.create_task(self._receive(self._conn), name="dbus-notify-receiver")
        bus = DBusAddress(
            "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
        )
        (owned,) = await self._call(new_method_call(bus, "NameHasOwner", "s", (SERVICE,)))
        if not owned:
            (activatable,) = await self._call(new_method_call(bus, "ListActivatableNames"))
            if SERVICE not in activatable:
                raise RuntimeError("no notification service on the session bus")
        rule = MatchRule(type="signal", sender=SERVICE, interface=SERVICE, path=PATH)
        await self._call(message_bus.AddMatch(rule))
        (caps,) = await self._call(new_method_call(NOTIFICATIONS, "GetCapabilities"))
        self.capabilities = frozenset(caps)
        name, *_ = await self._call(new_method_call(NOTIFICATIONS, "GetServerInformation"))
        self.server_name = name

    def notify(
        self,
        summary: str,
        body: str,
        *,
        actions: Sequence[tuple[str, str]] = (),
        replaces_id: int = 0,
        urgency: int = 1,
        timeout_ms: int = -1,
    ) -> asyncio.Future[int]:
        """Send ``Notify`` now; the future resolves to the notification id the server assigned."""
        hints: dict[str, tuple[str, Any]] = {
            "desktop-entry": ("s", self.desktop_entry),
            "category": ("s", "email.arrived"),
            "urgency": ("y", urgency),
        }
        flat_actions = [part for action in actions for part in action]
        message = new_method_call(
            NOTIFICATIONS,
            "Notify",
            "susssasa{sv}i",
            (self.app_name, replaces_id, self.app_icon, summary, body, flat_actions, hints, timeout_ms),
        )
        reply = self._send(message)
        result: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def done(fut: asyncio.Future[Message]) -> None:
            if result.cancelled():
                return
            try:
                result.set_result(int(_unwrap(fut.result())[0]))
            except (DBusErrorResponse, ConnectionError, asyncio.CancelledError) as exc:
                result.set_exception(ConnectionError(f"Notify failed: {exc!r}"))

        reply.add_done_callback(done)
        return result

    def close_notification(self, notification_id: int) -> None:
        if self.connected:
            self._send(new_method_call(NOTIFICATIONS, "CloseNotification", "u", (notification_id,)))

    async def aclose(self) -> None:
        receiver, self._receiver = self._receiver, None
        conn, self._conn = self._conn, None
        if receiver is not None:
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiver
        if conn is not None:
            with contextlib.suppress(OSError, RuntimeError):
                await conn.close()
        self._fail_waiting(ConnectionError("D-Bus connection closed"))

    # --- wire level -----------------------------------------------------------------------------

    def _send(self, message: Message) -> asyncio.Future[Message]:
        if self._conn is None or (self._receiver is not None and self._receiver.done()):
            raise ConnectionError("not connected to the session bus")
        serial = next(self._conn.outgoing_serial)
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_consume_error)  # replies nobody waits for must not log "never retrieved"
        self._replies[serial] = future
        # StreamWriter.write hands the bytes to the socket right away when its buffer is empty.
        self._conn.writer.write(message.serialise(serial))
        return future

    async def _call(self, message: Message) -> tuple[Any, ...]:
        return _unwrap(await self._send(message))

    async def _receive(self, conn: DBusConnection) -> None:
        try:
            while True:
                message = await conn.receive()
                self._dispatch(message)
        except (EOFError, OSError) as exc:
            log.info("D-Bus connection lost: %r", exc)
        finally:
            self._fail_waiting(ConnectionError("D-Bus connection lost"))

    def _dispatch(self, message: Message) -> None:
        header = message.header
        reply_to = header.fields.get(HeaderFields.reply_serial)
        if reply_to is not None:
            future = self._replies.pop(reply_to, None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if header.message_type is not MessageType.signal:
            return
        if header.fields.get(HeaderFields.interface) != SERVICE:
            return
        member = header.fields.get(HeaderFields.member)
        try:
            if member == "ActionInvoked" and self.on_action is not None:
                notification_id, action_key = message.body
                self.on_action(int(notification_id), str(action_key))
            elif member == "NotificationClosed" and self.on_closed is not None:
                notification_id, reason = message.body
                self.on_closed(int(notification_id), int(reason))
        except Exception:  # a callback bug must not kill the receiver and with it every later signal
            log.exception("notification signal handler failed")

    def _fail_waiting(self, exc: Exception) -> None:
        waiting, self._replies = self._replies, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(exc)


def _consume_error(future: asyncio.Future[Message]) -> None:
    if not future.cancelled():
        future.exception()


def _unwrap(message: Message) -> tuple[Any, ...]:
    if message.header.message_type is MessageType.error:
        raise DBusErrorResponse(message)
    return tuple(message.body)
