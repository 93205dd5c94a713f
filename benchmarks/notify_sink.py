"""The benchmarks' notification server, in its own process: owns ``org.freedesktop.Notifications`` on
the bus given as the argument and prints ``<monotonic ns>\\t<summary>\\t<body>`` the moment each
``Notify`` call arrives (on the system-wide monotonic clock, so the stamps compare with the benchmark's).
Keeping it out of the benchmark's process stops the SMTP client and the sink from delaying each other's
stamps through the GIL. Runs until its stdin is closed."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ui.notify_fixtures import FakeNotificationServer


def _flat(text: object) -> str:
    return str(text).replace("\t", " ").replace("\n", " ")


class StampingServer(FakeNotificationServer):
    def _answer(self, message: Any) -> None:
        now = time.monotonic_ns()
        body = message.body
        if len(body) == 8 and isinstance(body[3], str):
            print(f"{now}\t{_flat(body[3])}\t{_flat(body[4])}", flush=True)
            self.calls.clear()  # the base class records every call; a burst need not keep them
        super()._answer(message)


def main() -> int:
    server = StampingServer(sys.argv[1])
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
