"""Push latency of the real app: from the SMTP server's acceptance of a message (the 250 reply to
DATA, as the sender receives it) to the app's ``Notify`` call arriving on D-Bus.

Runs the real ``temp-inbox --local`` process on a private D-Bus session bus. A separate sink process
owns ``org.freedesktop.Notifications`` and stamps each Notify call the moment it arrives (on the
system-wide monotonic clock, so the stamps compare with this process's); keeping it out of this
process stops the SMTP client and the sink from delaying each other's stamps through the GIL.
Burst coalescing is switched off (``TEMP_INBOX_NOTICE_WINDOW=0``) so every message is notified.

    make bench            # or: python benchmarks/notify_latency.py --messages 200 --gap 0.1
"""

from __future__ import annotations

import argparse
import json
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.instance.ipc import socket_name
from tests.e2e.desktop_session import DesktopSession
from tests.ui.notify_fixtures import FakeNotificationServer


class StampingServer(FakeNotificationServer):
    """The sink: prints ``<monotonic ns>\t<summary>`` for each Notify call the moment it arrives."""

    def _answer(self, message: Any) -> None:
        now = time.monotonic_ns()
        body = message.body
        if len(body) == 8 and isinstance(body[3], str):
            print(f"{now}\t{body[3]}", flush=True)
        super()._answer(message)


def run_sink(address: str) -> int:
    server = StampingServer(address)
    print("ready", flush=True)
    try:
        sys.stdin.read()  # until the benchmark closes our stdin
    finally:
        server.stop()
    return 0


class Arrivals:
    """Reads the sink's stamps in the background."""

    def __init__(self, sink: subprocess.Popen[str]) -> None:
        assert sink.stdout is not None
        self._stdout = sink.stdout
        if self._stdout.readline().strip() != "ready":
            raise RuntimeError("the notification sink did not start")
        self.stamps: dict[str, int] = {}
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._stdout:
            stamp, _, summary = line.rstrip("\n").partition("\t")
            with self._cond:
                self.stamps.setdefault(summary, int(stamp))
                self._cond.notify_all()

    def wait_for(self, summary: str, timeout: float) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: summary in self.stamps, timeout)
            return self.stamps.get(summary)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between messages")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--sink", metavar="BUS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        return run_sink(args.sink)

    with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        with DesktopSession(root / "session", dunst=False, display=False) as session:
            sink = subprocess.Popen(
                [sys.executable, __file__, "--sink", session.env["DBUS_SESSION_BUS_ADDRESS"]],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            notifications = Arrivals(sink)
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
                        accepted = time.monotonic_ns()
                        arrived = notifications.wait_for(subject, 10)
                        if arrived is None:
                            print(f"no notification for {subject}", file=sys.stderr)
                            return 1
                        if i >= args.warmup:
                            latencies.append((arrived - accepted) / 1e6)
                        time.sleep(args.gap)
                session.cli(data, "quit")
                app.wait(20)
            finally:
                if app.poll() is None:
                    app.kill()
                assert sink.stdin is not None
                sink.stdin.close()
                sink.wait(10)

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
