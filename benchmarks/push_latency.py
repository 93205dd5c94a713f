"""Push latency, idle cost and connections of the real app (issue 14, items 1-3), with 1, 50 and 500
live addresses, beside two polling clients (5 s and 3 s, what other temp-mail clients do) measured on
the same mails in the same run.

For each number of addresses: ``temp-inbox serve`` (its own process), the accounts, the real app
(Xvfb, a private D-Bus session whose ``org.freedesktop.Notifications`` is ``notify_sink.py``) with the
accounts imported; once every address is live:

* **idle**: a quiet window with no mail: REST requests and hub connections the server saw
  (``/_admin/stats``), CPU seconds of the app and its QtWebEngine processes, TCP connections from the
  app to the server; scaled to an hour;
* **push**: each probe mail goes to one of the app's addresses (round robin) *and* to the two pollers'
  addresses in the same SMTP transaction; latency is the ``Notify`` stamp minus the ``250`` (the
  target's figure) and minus the sender's end of DATA (which no choice of the server's moves: it
  writes the hub streams before its ``250``); the pollers' figures and the ratios are from the end of
  DATA. Gaps are random
  (0.1-0.4 s) so poll phases are uniform. Burst coalescing is off (``TEMP_INBOX_NOTICE_WINDOW=0``).

    python benchmarks/push_latency.py [--addresses 1 50 500] [--messages 100] [--idle 30]
"""

from __future__ import annotations

import argparse
import json
import random
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks import harness as h

POLL_INTERVALS = (5.0, 3.0)


class Pollers:
    def __init__(self, api: str, accounts: list[tuple[float, str, str]]) -> None:
        specs = [f"{interval:g}:{address}:{password}" for interval, address, password in accounts]
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("poller.py")), api, *specs],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.seen: dict[tuple[str, str], int] = {}  # (interval, subject) -> stamp
        self._ready = threading.Semaphore(0)
        threading.Thread(target=self._read, daemon=True).start()
        for _ in accounts:
            if not self._ready.acquire(timeout=30):
                raise RuntimeError("a poller did not start")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "ready":
                self._ready.release()
            elif len(fields) == 3:
                self.seen.setdefault((fields[1], fields[2]), int(fields[0]))

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def server_stats(api: str) -> dict[str, int]:
    """``/_admin/stats``; a 503 (the server's connection cap, see docs/performance.md) is retried."""
    for _ in range(60):
        response = httpx.get(f"{api}/_admin/stats", timeout=10)
        if response.status_code == 200:
            stats: dict[str, int] = response.json()
            return stats
        time.sleep(0.5)
    response.raise_for_status()
    raise RuntimeError("no stats")


def settle(api: str, quiet_s: float = 3.0, timeout: float = 120.0) -> float:
    """Wait until the server has seen no REST request for ``quiet_s`` (start-up catch-ups done, which
    with 500 addresses go on for seconds after every stream is live); the moment it went quiet."""
    deadline = time.monotonic() + timeout
    last, since = server_stats(api)["requests"], time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = server_stats(api)["requests"]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return since


class StampedSMTP(smtplib.SMTP):
    """Also stamps the moment the message's last bytes (the ``.`` that ends DATA) are written: a zero
    that does not move with the server's choice of when to answer ``250``."""

    data_sent = 0

    def send(self, s: bytes | str) -> None:
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.data_sent = time.monotonic_ns()
        super().send(s)


def probe(to: list[str], subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Bench <bench@example.test>"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(f"{subject}. Your code is 482913.")
    return message


def one_case(root: Path, addresses: int, messages: int, idle_s: float, warmup: int) -> dict[str, Any]:
    port_of = lambda url: int(url.rsplit(":", 1)[1].split("/", 1)[0])  # noqa: E731
    with h.MailServer() as server, h.desktop(root / "session") as session:
        sink = h.NotifySink(session)
        data = root / "data"
        app = h.start_app(session, data, server)
        pollers: Pollers | None = None
        try:
            accounts = h.create_accounts(server.api, addresses)
            poll_accounts = h.create_accounts(server.api, len(POLL_INTERVALS), prefix="poller")
            started = time.monotonic()
            h.import_accounts(data, h.export_file(root / "export.json", server, accounts))
            h.wait_until(lambda: h.live_count(data) == addresses, 300, f"{addresses} addresses live", 0.2)
            live_after = time.monotonic() - started
            settled_after = settle(server.api) - started

            # --- idle window ---
            pids = h.descendants(app.pid)
            before, cpu_before, t0 = server_stats(server.api), h.cpu_seconds(pids), time.monotonic()
            time.sleep(idle_s)
            connections = h.tcp_connections(app.pid, port_of(server.api))  # at rest: after the window
            after, cpu_after, elapsed = server_stats(server.api), h.cpu_seconds(pids), time.monotonic() - t0
            hour = 3600 / elapsed
            idle = {
                "window_s": round(elapsed, 1),
                "rest_requests": after["requests"] - before["requests"],
                "rest_requests_per_address_hour": round(
                    (after["requests"] - before["requests"]) * hour / addresses, 2
                ),
                "hub_reconnects": after["hub_connections"] - before["hub_connections"],
                "hub_streams_open": after["hub_open"],
                "cpu_s_per_hour": round((cpu_after - cpu_before) * hour, 1),
                "tcp_connections": connections,
            }

            # --- push beside polling ---
            pollers = Pollers(
                server.api, [(i, a, p) for i, (a, p) in zip(POLL_INTERVALS, poll_accounts, strict=True)]
            )
            push: list[float] = []
            push_from_data: list[float] = []
            accepted: dict[str, int] = {}
            rng = random.Random(addresses)
            with StampedSMTP(*server.smtp, timeout=30) as smtp:
                for i in range(warmup + messages):
                    subject = f"Probe {addresses}-{i:04d}"
                    to = [accounts[i % addresses][0]] + ([a for a, _ in poll_accounts] if i >= warmup else [])
                    smtp.send_message(probe(to, subject))  # returns once the 250 reply to DATA is read
                    stamp = time.monotonic_ns()
                    arrived = sink.wait_for(subject, 15)
                    if arrived is None:
                        raise RuntimeError(f"no notification for {subject}")
                    if i >= warmup:
                        push.append((arrived - stamp) / 1e6)
                        push_from_data.append((arrived - smtp.data_sent) / 1e6)
                        # Pollers from the end of DATA too: the 250 may follow the push (the server's
                        # hub writes first), and a ratio needs a zero both share.
                        accepted[subject] = smtp.data_sent
                    time.sleep(rng.uniform(0.1, 0.4))
            wait_polls = max(POLL_INTERVALS) + 1.0
            h.wait_until(
                lambda: len(pollers.seen) >= len(accepted) * len(POLL_INTERVALS),
                wait_polls + 5,
                "the pollers",
            )
            polled: dict[str, list[float]] = {f"{i:g}": [] for i in POLL_INTERVALS}
            for (interval, subject), stamp in pollers.seen.items():
                if subject in accepted:
                    polled[interval].append((stamp - accepted[subject]) / 1e6)
            connections_after = h.tcp_connections(app.pid, port_of(server.api))
            push_summary = h.summary(push, 3)
            result = {
                "addresses": addresses,
                "all_live_after_import_s": round(live_after, 2),
                "requests_quiet_after_import_s": round(settled_after, 2),
                "idle": idle,
                "tcp_connections_after_mail": connections_after,
                "push_ms": push_summary,
                "push_from_data_ms": h.summary(push_from_data, 3),
                "poll_ms": {k: h.summary(v, 1) for k, v in polled.items()},
            }
            for interval, summary in result["poll_ms"].items():
                if summary.get("n"):
                    result[f"poll_{interval}s_over_push_median"] = round(
                        summary["median"] / max(result["push_from_data_ms"]["median"], 1e-6)
                    )
            return result
        finally:
            if pollers is not None:
                pollers.stop()
            h.quit_app(data, app)
            sink.stop()


def run(addresses: list[int], messages: int, idle_s: float, warmup: int = 5) -> dict[str, Any]:
    cases = {}
    for n in addresses:
        with tempfile.TemporaryDirectory(prefix="temp-inbox-bench-push-") as tmp:
            try:
                cases[str(n)] = one_case(Path(tmp), n, messages, idle_s, warmup)
            except Exception as exc:  # one case failing must not lose the others' figures
                cases[str(n)] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            print(f"  push, {n} addresses: {json.dumps(cases[str(n)])}", file=sys.stderr, flush=True)
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--addresses", type=int, nargs="+", default=[1, 50, 500])
    parser.add_argument("--messages", type=int, default=40 if h.QUICK else 100)
    parser.add_argument("--idle", type=float, default=10 if h.QUICK else 30, help="idle window, s")
    args = parser.parse_args()
    print(json.dumps(run(args.addresses, args.messages, args.idle), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
