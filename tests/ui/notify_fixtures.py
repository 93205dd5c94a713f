"""A private D-Bus session bus, a fake notification server, a virtual X screen and a qasync loop.

Every process started here is stopped by its PID when the fixture ends.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import qasync
import shiboken6
from jeepney import DBusAddress, HeaderFields, Message, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, Proxy, open_dbus_connection
from PySide6.QtWidgets import QApplication

from tests.processes import stop_process

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"

# No service directories: nothing is auto-activated, so "no notification service" is a real state.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def die_with_parent() -> None:
    """``preexec_fn``: if pytest itself crashes, the kernel stops the child instead of leaking it."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    """The address of a fresh, private session bus."""
    config = tmp_path / "session.conf"
    config.write_text(BUS_CONFIG.format(dir=tmp_path), encoding="utf-8")
    proc = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent,
    )
    try:
        assert proc.stdout is not None
        address = proc.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address
    finally:
        stop_process(proc)
        if proc.stdout is not None:
            proc.stdout.close()


@dataclass(frozen=True)
class NotifyCall:
    id: int
    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: list[str]
    hints: dict[str, tuple[str, Any]]
    timeout: int


class FakeNotificationServer:
    """Owns org.freedesktop.Notifications on a bus, records Notify calls, emits signals on demand."""

    def __init__(
        self, address: str, capabilities: tuple[str, ...] = ("actions", "body", "body-markup")
    ) -> None:
        self.address = address
        self.capabilities = list(capabilities)
        self.calls: list[NotifyCall] = []
        self.fail_notify = False
        self._ids = count(1)
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._conn: DBusConnection = open_dbus_connection(address)
        reply = Proxy(message_bus, self._conn, timeout=5).RequestName(SERVICE, 4)  # DO_NOT_QUEUE
        assert reply == (1,), reply  # primary owner
        self._thread = threading.Thread(target=self._serve, name="fake-notification-server", daemon=True)
        self._thread.start()

    def _send(self, message: Message) -> None:
        with self._send_lock:
            self._conn.send(message)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.05)
            except TimeoutError:
                continue
            except (OSError, EOFError, ValueError):
                return
            if message.header.message_type is MessageType.method_call:
                self._answer(message)

    def _answer(self, message: Message) -> None:
        member = message.header.fields.get(HeaderFields.member)
        if member == "Notify":
            if self.fail_notify:
                self._send(new_error(message, "org.freedesktop.Notifications.Error.Broken", "s", ("broken",)))
                return
            app, replaces, icon, summary, body, actions, hints, timeout = message.body
            notification_id = replaces or next(self._ids)
            call = NotifyCall(
                notification_id, app, replaces, icon, summary, body, list(actions), dict(hints), timeout
            )
            # The call is visible before the reply arrives (tests read it after their await), and
            # the send lock is held until the reply is out: a test that sees the call and emits
            # ActionInvoked at once cannot overtake the reply (the client would drop the signal as
            # an id it does not know yet, which made the copy-code test flaky).
            with self._send_lock:
                with self._cond:
                    self.calls.append(call)
                    self._cond.notify_all()
                self._conn.send(new_method_return(message, "u", (notification_id,)))
        elif member == "GetCapabilities":
            self._send(new_method_return(message, "as", (self.capabilities,)))
        elif member == "GetServerInformation":
            self._send(new_method_return(message, "ssss", ("FakeNotify", "tests", "1.0", "1.2")))
        elif member == "CloseNotification":
            self._send(new_method_return(message))
            self.emit_closed(message.body[0], 3)
        else:
            self._send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))

    def wait_for_calls(self, n: int, timeout: float = 5.0) -> list[NotifyCall]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.calls) >= n, timeout)
            return list(self.calls)

    def invoke_action(self, notification_id: int, action: str) -> None:
        emitter = DBusAddress(PATH, interface=SERVICE)
        self._send(new_signal(emitter, "ActionInvoked", "us", (notification_id, action)))

    def emit_closed(self, notification_id: int, reason: int = 2) -> None:
        emitter = DBusAddress(PATH, interface=SERVICE)
        self._send(new_signal(emitter, "NotificationClosed", "uu", (notification_id, reason)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._conn.close()


@pytest.fixture
def fake_server(session_bus: str) -> Iterator[FakeNotificationServer]:
    # The server thread allocates, so an automatic garbage collection could run in it and destroy
    # some test's cyclic QObjects off the GUI thread ("Timers cannot be stopped from another thread").
    # Collect now, pause automatic collection while the thread lives, collect again in this thread.
    gc.collect()
    was_enabled = gc.isenabled()  # the session keeps it off (tests/conftest.py): leave it so
    gc.disable()
    server = FakeNotificationServer(session_bus)
    try:
        yield server
    finally:
        server.stop()
        if was_enabled:
            gc.enable()
        gc.collect()


class _TestLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync stops a run with ``QApplication.exit()``, which emits ``aboutToQuit``; QtWebEngine tears
    its global context down on that signal. The app does that once, at its real exit; a test session
    runs many loops on one QApplication, and a later web view would then crash the process."""

    def stop(self) -> None:
        app = QApplication.instance()
        blocked = app.blockSignals(True) if app is not None else False
        try:
            super().stop()
        finally:
            if app is not None:
                app.blockSignals(blocked)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop: asyncio tasks and Qt timers/signals run together, as in the app."""
    loop = _TestLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # A failed test leaves tasks behind (a D-Bus receiver, a probe): end them before the loop.
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
        # qasync's close() only flags its timer object as stopped: timers of cancelled call_later()s
        # stay registered, and the loop <-> timer cycle is left to the garbage collector, which may
        # run in another thread (a test server's), where Qt cannot unregister them; the GUI thread
        # then fires a freed timer (segfault). Delete it here, on the GUI thread.
        shiboken6.delete(loop._timer)


async def wait_until(predicate: Callable[[], object], timeout: float = 30.0) -> None:
    """Await a condition set by another thread or a signal, polling the loop (not sleeping blindly)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[str]:
    """A virtual X screen; yields its DISPLAY value."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number.isdigit(), "Xvfb did not report a display"
        yield f":{number}"
    finally:
        stop_process(proc)
