"""Single instance: the first ``temp-inbox`` listens on a local socket; later launches and the
command-line verbs (``new``, ``copy``, ``list``, ``show``, ``wait``) talk to it and exit.

Protocol: the client sends one JSON object per line ``{"command": ..., "args": {...}}``; the instance
answers with one JSON object per line ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}`` and
closes. ``wait`` keeps the connection open until a matching message arrives; before that answer it may
send progress lines ``{"progress": "waiting"}`` (the waiter is registered: mail sent from now on counts),
which carry no ``ok`` and end nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024


def socket_name(data_dir: Path) -> str:
    """One instance per user and data directory, so ``--data-dir`` runs stay independent."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return f"temp-inbox-{uid}-{digest}"


class Reply:
    """One pending answer to a client. Safe to call after the client went away."""

    def __init__(self, socket: QLocalSocket) -> None:
        self._socket: QLocalSocket | None = socket
        socket.disconnected.connect(self._gone)
        self.cancelled: Callable[[], None] | None = None

    def _gone(self) -> None:
        self._socket = None
        if self.cancelled is not None:
            self.cancelled()

    @property
    def open(self) -> bool:
        return self._socket is not None

    def send(self, payload: dict[str, Any]) -> None:
        socket = self._socket
        if socket is None:
            return
        socket.write((json.dumps(payload) + "\n").encode())
        socket.flush()
        socket.disconnectFromServer()

    def progress(self, stage: str) -> None:
        """An interim line before the answer; the connection stays open."""
        socket = self._socket
        if socket is None:
            return
        socket.write((json.dumps({"progress": stage}) + "\n").encode())
        socket.flush()

    def ok(self, **fields: Any) -> None:
        self.send({"ok": True, **fields})

    def fail(self, message: str) -> None:
        self.send({"ok": False, "error": message})


CommandHandler = Callable[[str, dict[str, Any], Reply], None]


class InstanceServer(QObject):
    """Listens for commands from later launches.

    It listens from the very start (that is what makes the instance single), while the services are
    still starting: commands that arrive before ``set_handler`` wait in a queue instead of being lost."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._handler: CommandHandler | None = None
        self._queued: list[tuple[str, dict[str, Any], Reply]] = []
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self._server.listen(self._name):
            return True
        # A crashed instance leaves its socket file behind; only remove it when nobody answers.
        probe = QLocalSocket()
        probe.connectToServer(self._name)
        if probe.waitForConnected(300):
            probe.disconnectFromServer()
            return False
        QLocalServer.removeServer(self._name)
        return self._server.listen(self._name)

    def set_handler(self, handler: CommandHandler) -> None:
        self._handler = handler
        queued, self._queued = self._queued, []
        for command, args, reply in queued:
            if reply.open:
                handler(command, args, reply)

    def close(self) -> None:
        self._handler = None
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST_BYTES:
                socket.abort()
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        del self._buffers[socket]
        reply = Reply(socket)
        try:
            request = json.loads(line)
            command = str(request["command"])
            args = request.get("args") or {}
            if not isinstance(args, dict):
                raise TypeError("args must be an object")
        except (ValueError, KeyError, TypeError) as exc:
            reply.fail(f"Malformed request: {exc}")
            return
        if self._handler is None:
            self._queued.append((command, args, reply))
        else:
            self._handler(command, args, reply)


def send_command(
    name: str,
    command: str,
    args: dict[str, Any],
    *,
    timeout: float | None = 10.0,
    on_progress: Callable[[str], None] | None = None,
) -> dict[str, Any] | None:
    """Send one command to the running instance. None when no instance is listening.

    ``timeout`` None waits for ever (``temp-inbox wait`` without ``--timeout``). Progress lines before
    the answer go to ``on_progress``."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(1000):
        return None
    socket.write((json.dumps({"command": command, "args": args}) + "\n").encode())
    socket.waitForBytesWritten(1000)
    data = b""
    remaining_ms = -1 if timeout is None else int(timeout * 1000)
    answer_line: bytes | None = None
    while answer_line is None:
        while b"\n" in data:
            line, data = data.split(b"\n", 1)
            stage = _progress(line)
            if stage is None:
                answer_line = line
                break
            if on_progress is not None:
                on_progress(stage)
        if answer_line is not None:
            break
        if not socket.waitForReadyRead(remaining_ms if remaining_ms >= 0 else -1):
            if socket.state() != QLocalSocket.LocalSocketState.ConnectedState and not socket.bytesAvailable():
                break
            if remaining_ms >= 0:
                break
        data += bytes(socket.readAll().data())
    socket.abort()
    if answer_line is None or not answer_line.strip():
        return {
            "ok": False,
            "error": "Timed out waiting for Temp Inbox to answer." if timeout else "No answer.",
        }
    try:
        answer = json.loads(answer_line)
    except ValueError:
        return {"ok": False, "error": "Temp Inbox sent an answer that could not be read."}
    return answer if isinstance(answer, dict) else {"ok": False, "error": "Unexpected answer."}


def _progress(line: bytes) -> str | None:
    """The stage of a progress line, None for anything else (the answer, or an unreadable line)."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    if isinstance(message, dict) and "ok" not in message and isinstance(message.get("progress"), str):
        return str(message["progress"])
    return None
