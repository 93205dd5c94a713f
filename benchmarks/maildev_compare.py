"""The local server against a peer mail catcher, MailDev (issue 14, item 8), on the same machine with the
same mails, side by side in one run:

* **SMTP intake**: messages per second until the last ``250``, over 1 and 8 connections, with 10 kB and
  1 MB mails (one Python sender thread per connection);
* **SMTP → push**: from the ``250`` to a subscriber parsing the new-mail event: Temp Inbox's Mercure hub
  (Server-Sent Events) and MailDev's own web socket (socket.io ``newMail``), both read by the same Node
  script (``push_subscriber.js``), so the client runtime is the same.

MailDev is installed with npm into a scratch folder under /tmp (``TEMP_INBOX_MAILDEV_DIR``, default
``/tmp/temp-inbox-bench-maildev``), never into the repository. Without npm the peer's column is empty.

    python benchmarks/maildev_compare.py
"""

from __future__ import annotations

import json
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks import harness as h

MAILDEV_DIR = Path(os.environ.get("TEMP_INBOX_MAILDEV_DIR", "/tmp/temp-inbox-bench-maildev"))
MAILDEV_VERSION = "3.0.0"
SUBSCRIBER = Path(__file__).with_name("push_subscriber.js")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def install_maildev() -> Path | None:
    entry = MAILDEV_DIR / "node_modules" / "maildev" / "dist" / "bin" / "maildev.js"
    if entry.exists():
        return entry
    if shutil.which("npm") is None or shutil.which("node") is None:
        return None
    MAILDEV_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", f"maildev@{MAILDEV_VERSION}"],
        cwd=MAILDEV_DIR,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    return entry if entry.exists() else None


class MailDev:
    def __init__(self, entry: Path) -> None:
        self.smtp = ("127.0.0.1", free_port())
        self.web_port = free_port()
        self.proc = subprocess.Popen(
            [
                "node",
                str(entry),
                "--smtp",
                str(self.smtp[1]),
                "--ip",
                "127.0.0.1",
                "--web",
                str(self.web_port),
                "--web-ip",
                "127.0.0.1",
                "--silent",
                "--max-message-size",
                "0",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.web = f"http://127.0.0.1:{self.web_port}"
        try:
            h.wait_until(self._up, 30, "MailDev", 0.1)
        except BaseException:
            self.stop()
            raise

    def _up(self) -> bool:
        try:
            with socket.create_connection(self.smtp, timeout=1):
                pass
            return httpx.get(f"{self.web}/api/healthz", timeout=2).status_code == 200
        except (OSError, httpx.HTTPError):
            return False

    def clear(self) -> None:
        httpx.delete(f"{self.web}/api/email/all", timeout=30)

    def stop(self) -> None:
        h.stop_process(self.proc)


class Subscriber:
    def __init__(self, argv: list[str]) -> None:
        env = {**os.environ, "NODE_PATH": str(MAILDEV_DIR / "node_modules")}
        self.proc = subprocess.Popen(
            ["node", str(SUBSCRIBER), *argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the push subscriber did not start")
        self.seen: dict[str, int] = {}
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            stamp, _, subject = line.rstrip("\n").partition("\t")
            with self._cond:
                self.seen.setdefault(subject, int(stamp))
                self._cond.notify_all()

    def wait_for(self, subject: str, timeout: float) -> int | None:
        with self._cond:
            self._cond.wait_for(lambda: subject in self.seen, timeout)
            return self.seen.get(subject)

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def mail(to: str, subject: str, size: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Bench <bench@example.test>"
    message["To"] = to
    message["Subject"] = subject
    line = "The quick brown fox jumps over the lazy dog, 0123456789.\n"
    message.set_content(line * max(1, size // len(line)))
    return message.as_bytes()


def intake(smtp: tuple[str, int], to: list[str], size: int, connections: int, total: int) -> float:
    """Messages per second over ``connections`` until the last 250; connection ``c`` mails ``to[c]``
    (a mail.tm account holds 40 MB)."""
    per = total // connections
    barrier = threading.Barrier(connections + 1)
    errors: list[BaseException] = []

    def send(c: int) -> None:
        raw = mail(to[c], "Intake", size)
        try:
            with smtplib.SMTP(*smtp, timeout=120) as client:
                barrier.wait()
                for _ in range(per):
                    client.sendmail("bench@example.test", [to[c]], raw)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=send, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return per * connections / (time.perf_counter() - start)


def push_latency(smtp: tuple[str, int], to: str, subscriber: Subscriber, count: int) -> list[float]:
    times = []
    with smtplib.SMTP(*smtp, timeout=30) as client:
        for i in range(count + 3):
            subject = f"Push probe {i:04d}"
            client.sendmail("bench@example.test", [to], mail(to, subject, 2000))
            accepted = time.monotonic_ns()
            arrived = subscriber.wait_for(subject, 10)
            if arrived is None:
                raise RuntimeError(f"no push event for {subject}")
            if i >= 3:
                times.append((arrived - accepted) / 1e6)
            time.sleep(0.05)
    return times


def measure(
    smtp: tuple[str, int], to: list[str], subscribe: Callable[[], Subscriber], clear: Callable[[], None]
) -> dict[str, Any]:
    quick = h.QUICK
    cases = {
        "10kB_1conn": (10_000, 1, 200 if quick else 400),
        "10kB_8conn": (10_000, 8, 400 if quick else 800),
        "1MB_1conn": (1_000_000, 1, 16 if quick else 32),
        "1MB_8conn": (1_000_000, 8, 32 if quick else 64),
    }
    result: dict[str, Any] = {}
    for name, (size, connections, total) in cases.items():
        result[f"intake_{name}_per_s"] = round(intake(smtp, to, size, connections, total), 1)
        clear()
    subscriber = subscribe()
    try:
        result["push_ms"] = h.summary(push_latency(smtp, to[0], subscriber, 50 if quick else 100), 3)
    finally:
        subscriber.stop()
    return result


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    with h.MailServer() as server:
        accounts = h.create_accounts(server.api, 8, prefix="compare")
        logins = []
        with httpx.Client(base_url=server.api, timeout=30) as http:
            for address, password in accounts:
                logins.append(http.post("/token", json={"address": address, "password": password}).json())

        def ours_clear() -> None:  # keep the accounts' mail from piling up between cases
            with httpx.Client(base_url=server.api, timeout=60) as c:
                for login in logins:
                    auth = {"authorization": f"Bearer {login['token']}"}
                    while members := c.get("/messages", headers=auth).json()["hydra:member"]:
                        for m in members:
                            c.delete(f"/messages/{m['id']}", headers=auth)

        results["temp_inbox"] = measure(
            server.smtp,
            [a for a, _ in accounts],
            lambda: Subscriber(["mercure", server.hub, f"/accounts/{logins[0]['id']}", logins[0]["token"]]),
            ours_clear,
        )
    entry = install_maildev()
    if entry is None:
        results["maildev"] = {"error": "npm/node not available"}
        return results
    maildev = MailDev(entry)
    try:
        results["maildev"] = measure(
            maildev.smtp,
            [f"someone{c}@example.test" for c in range(8)],
            lambda: Subscriber(["maildev", maildev.web]),
            maildev.clear,
        )
        results["maildev"]["version"] = MAILDEV_VERSION
    finally:
        maildev.stop()
    ours, peer = results["temp_inbox"], results["maildev"]
    for key, value in ours.items():
        if key.startswith("intake_") and peer.get(key):
            results[f"ratio_{key}"] = round(value / peer[key], 2)
    if ours["push_ms"].get("n") and peer["push_ms"].get("n"):
        results["ratio_push_median"] = round(peer["push_ms"]["median"] / ours["push_ms"]["median"], 2)
    return results


def main() -> int:
    print(json.dumps(run(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
