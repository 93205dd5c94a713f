"""A launch that finds the data directory claimed hands itself over to the instance holding it."""

from __future__ import annotations

import sys
import time

from desktop_app.instance.lock import InstanceLock
from desktop_app.options import START_TIMEOUT, Options

POLL_SECONDS = 0.2  # polling the socket: the holder says nothing until it listens


def claim_or_forward(options: Options) -> InstanceLock | int:
    """The claim on the data directory (this process becomes the instance), or the exit code after
    handing the launch to the instance that holds it, waiting (bounded) for one that is still starting."""
    forward = (
        ("show", {"message_id": options.args["message_id"]})
        if options.command == "show"
        else ("activate", {})
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        lock = InstanceLock.acquire(options.data_dir)
        if lock is not None:
            return lock
        if options.background:
            return 0  # started by a command that lost a race: the command talks to the holder
        # Only here: the socket needs Qt, and the instance that claims the directory imports its
        # Qt-free core before Qt (app.py, import_core_before_qt).
        from desktop_app.instance.ipc import send_command, socket_name

        answer = send_command(socket_name(options.data_dir), forward[0], forward[1], timeout=10)
        if answer is not None:
            if not answer.get("ok"):
                print(f"temp-inbox: {answer.get('error')}", file=sys.stderr)
                return 1
            return 0
        if time.monotonic() > deadline:
            print("temp-inbox: another Temp Inbox is starting and does not answer.", file=sys.stderr)
            return 1
        time.sleep(POLL_SECONDS)
