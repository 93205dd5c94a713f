"""Push latency of the real app: from the SMTP server's acceptance of a message (the 250 reply to
DATA, as the sender receives it) to the app's ``Notify`` call arriving on D-Bus.

Runs the real ``temp-inbox --local`` process on a private D-Bus session bus; this script owns
``org.freedesktop.Notifications`` itself, so it timestamps each Notify call the moment it arrives.
Burst coalescing is switched off (``TEMP_INBOX_NOTICE_WINDOW=0``) so every message is notified.

    make bench            # or: python benchmarks/notify_latency.py --messages 200 --gap 0.1
"""

from __future__ import annotations

import argparse
import json
import smtplib
import statistics
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.ipc import socket_name
from tests.e2e.desktop_session import DesktopSession
from tests.ui.notify_fixtures import FakeNotificationServer


class StampingServer(FakeNotificationServer):
    """Records when each Notify call arrives, keyed by its summary."""

    def __init__(self, address: str) -> None:
        self.arrivals: dict[str, float] = {}
        self.arrived = threading.Condition()
        super().__init__(address)

    def _answer(self, message: Any) -> None:
        now = time.perf_counter()
        body = message.body
        if len(body) == 8 and isinstance(body[3], str):
            with self.arrived:
                self.arrivals.setdefault(body[3], now)
                self.arrived.notify_all()
        super()._answer(message)

    def wait_for(self, summary: str, timeout: float) -> float | None:
        with self.arrived:
            self.arrived.wait_for(lambda: summary in self.arrivals, timeout)
            return self.arrivals.get(summary)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between messages")
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        with DesktopSession(root / "session", dunst=False, display=False) as session:
            notifications = StampingServer(session.env["DBUS_SESSION_BUS_ADDRESS"])
            app = session.start_app(
                data,
                "--local",
                extra_env={"TEMP_INBOX_NOTICE_WINDOW": "0", "TEMP_INBOX_NOTICE_PER_MINUTE": "1000000"},
            )
            try:
                deadline = time.monotonic() + 60
                while not (Path(tempfile.gettempdir()) / socket_name(data)).exists():
                    if app.poll() is not None or time.monotonic() > deadline:
                        print((root / "session" / "app.log").read_text(), file=sys.stderr)
                        return 1
                    time.sleep(0.1)
                info = json.loads(session.cli(data, "info", "--json").stdout)
                address = json.loads(session.cli(data, "new", "--json").stdout)["address"]
                host, port = info["smtp"].rsplit(":", 1)
                time.sleep(1.0)  # let the new mailbox's stream go live
                latencies: list[float] = []
                with smtplib.SMTP(host, int(port), timeout=10) as smtp:
                    for i in range(args.warmup + args.messages):
                        subject = f"Latency probe {i}"
                        message = EmailMessage()
                        message["From"] = "bench@example.test"
                        message["To"] = address
                        message["Subject"] = subject
                        message.set_content(f"Probe {i}. Your code is {100000 + i}.")
                        smtp.send_message(message)  # returns once the 250 reply to DATA is read
                        accepted = time.perf_counter()
                        arrived = notifications.wait_for(subject, 10)
                        if arrived is None:
                            print(f"no notification for {subject}", file=sys.stderr)
                            return 1
                        if i >= args.warmup:
                            latencies.append((arrived - accepted) * 1000)
                        time.sleep(args.gap)
                session.cli(data, "quit")
                app.wait(20)
            finally:
                if app.poll() is None:
                    app.kill()
                notifications.stop()

    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(f"SMTP 250 → D-Bus Notify, {len(latencies)} messages ({args.warmup} warm-up not counted):")
    print(
        f"  median {statistics.median(latencies):.2f} ms   p90 {p(0.9):.2f} ms   p99 {p(0.99):.2f} ms   "
        f"worst {latencies[-1]:.2f} ms   best {latencies[0]:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
