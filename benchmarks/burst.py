"""A burst of mail into the real app (issue 14, item 7): 2,000 messages in 20 s over 50 addresses
(``--messages 10000 --seconds 60`` for the big one), sent over 4 SMTP connections at a steady pace.

Measured from outside the app: messages lost (every one must be in the app's cache: its SQLite file,
read-only), notifications (the burst coalescing the user gets, at its default settings), the time
until every body is cached (after the last ``250``), and how late the app's event loop answers: an
IPC ``info`` request every 10 ms, whose round trip beyond the quiet median is the loop's lag (a proxy
for "a 10 ms timer's lateness" that needs nothing inside the app).

    python benchmarks/burst.py [--messages 2000 --seconds 20]
"""

from __future__ import annotations

import argparse
import json
import smtplib
import sqlite3
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import harness as h

CONNECTIONS = 4
# The default burst coalescing (desktop_app/app.py), not the benchmark's "every mail" setting.
BURST_ENV = {"TEMP_INBOX_NOTICE_WINDOW": "2", "TEMP_INBOX_NOTICE_PER_MINUTE": "8"}


def cached(data: Path) -> tuple[int, int]:
    """(messages, messages with their body) in the app's cache."""
    from desktop_app.core.paths import store_path

    uri = f"file:{store_path(data)}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=5) as db:
        row = db.execute("SELECT COUNT(*), COUNT(full_json) FROM messages").fetchone()
    return int(row[0]), int(row[1])


class LoopProbe:
    """IPC round trips every 10 ms in a thread of their own."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            h.command(self.data, "info", timeout=30)
            self.times.append((time.perf_counter() - start) * 1000)
            self._stop.wait(0.01)

    def __enter__(self) -> LoopProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)


def run(messages: int = 2000, seconds: float = 20.0, addresses: int = 50) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-burst-") as tmp:
        root = Path(tmp)
        with h.MailServer() as server, h.desktop(root / "session") as session:
            sink = h.NotifySink(session)
            data = root / "data"
            app = h.start_app(session, data, server, env=BURST_ENV)
            try:
                accounts = h.create_accounts(server.api, addresses)
                h.import_accounts(data, h.export_file(root / "export.json", server, accounts))
                h.wait_until(lambda: h.live_count(data) == addresses, 120, "all live", 0.2)
                time.sleep(1.0)
                with LoopProbe(data) as quiet:
                    time.sleep(2.0)
                baseline = h.summary(quiet.times, 2)
                notified_before = sink.count()
                sent = [0] * CONNECTIONS
                per_connection = messages // CONNECTIONS

                def send(c: int) -> None:
                    gap = seconds / per_connection
                    start = time.monotonic()
                    with smtplib.SMTP(*server.smtp, timeout=60) as smtp:
                        for i in range(per_connection):
                            n = c * per_connection + i
                            message = EmailMessage()
                            message["From"] = f"Burst <burst{n % 7}@example.test>"
                            message["To"] = accounts[n % addresses][0]
                            message["Subject"] = f"Burst {n:05d}: your code is {100000 + n}"
                            message.set_content(f"Burst message {n}. Your code is {100000 + n}.\n" * 5)
                            smtp.send_message(message)
                            sent[c] += 1
                            delay = start + (i + 1) * gap - time.monotonic()
                            if delay > 0:
                                time.sleep(delay)

                cpu_before = h.cpu_seconds(h.descendants(app.pid))
                with LoopProbe(data) as busy:
                    began = time.monotonic()
                    senders = [threading.Thread(target=send, args=(c,)) for c in range(CONNECTIONS)]
                    for t in senders:
                        t.start()
                    for t in senders:
                        t.join()
                    sending_s = time.monotonic() - began
                    total = sum(sent)
                    deadline = time.monotonic() + 300
                    count = bodies = 0
                    while time.monotonic() < deadline:
                        count, bodies = cached(data)
                        if bodies >= total:
                            break
                        time.sleep(0.1)
                    all_cached_s = time.monotonic() - began
                time.sleep(3.0)  # the last coalesced notice
                cpu = h.cpu_seconds(h.descendants(app.pid)) - cpu_before
                lag = [max(0.0, t - baseline["median"]) for t in busy.times]
                return {
                    "messages": total,
                    "addresses": addresses,
                    "sending_s": round(sending_s, 2),
                    "cached": count,
                    "lost": total - count,
                    "bodies_cached": bodies,
                    "all_bodies_cached_after_start_s": round(all_cached_s, 2),
                    "all_bodies_cached_after_last_250_s": round(all_cached_s - sending_s, 2),
                    "notifications": sink.count() - notified_before,
                    "ipc_round_trip_quiet_ms": baseline,
                    "loop_lag_ms": h.summary(lag, 2),
                    "cpu_s": round(cpu, 1),
                }
            finally:
                h.quit_app(data, app)
                sink.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000 if h.QUICK else 2000)
    parser.add_argument("--seconds", type=float, default=10 if h.QUICK else 20)
    args = parser.parse_args()
    print(json.dumps(run(args.messages, args.seconds), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
