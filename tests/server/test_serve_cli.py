"""``temp-inbox serve`` as a real process: one JSON line on stdout, clean exit on SIGINT/SIGTERM."""

from __future__ import annotations

import json
import signal
import smtplib
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(
    tmp_path: Path | None, *extra: str, http: str = "127.0.0.1:0", smtp: str = "127.0.0.1:0"
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    storage = ["--memory"] if tmp_path is None else ["--data", str(tmp_path / "data")]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "serve",
            "--http",
            http,
            "--smtp",
            smtp,
            "--domain",
            "temp-inbox.test",
            *storage,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise AssertionError(f"serve printed nothing; stderr: {process.communicate()[1]}")
    return process, json.loads(line)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_endpoints_serves_and_stops_cleanly(tmp_path: Path, signum: signal.Signals) -> None:
    process, endpoints = _start(tmp_path, "--no-rate-limit")
    try:
        assert set(endpoints) == {"api", "hub", "smtp"}
        assert endpoints["hub"] == endpoints["api"] + "/.well-known/mercure"
        with httpx.Client(base_url=endpoints["api"]) as http:
            assert http.get("/domains").json()["hydra:member"][0]["domain"] == "temp-inbox.test"
            created = http.post("/accounts", json={"address": "cli@temp-inbox.test", "password": "pw"})
            assert created.status_code == 201
            login = http.post("/token", json={"address": "cli@temp-inbox.test", "password": "pw"})
            token = login.json()["token"]
        host, port = endpoints["smtp"].rsplit(":", 1)
        with smtplib.SMTP(host, int(port), timeout=10) as smtp:
            smtp.sendmail("a@example.com", ["cli@temp-inbox.test"], b"Subject: via cli\r\n\r\nhello\r\n")
    finally:
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    # the data survived in --data, the same ports are taken again at once, and old tokens still work
    api_port = endpoints["api"].rsplit(":", 1)[1]
    process, again = _start(tmp_path, http=f"127.0.0.1:{api_port}", smtp=endpoints["smtp"])
    try:
        assert again == endpoints
        with httpx.Client(base_url=again["api"]) as http:
            listing = http.get("/messages", headers={"Authorization": f"Bearer {token}"}).json()
            assert listing["hydra:member"][0]["subject"] == "via cli"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
    assert process.returncode == 0


def test_serve_reports_a_busy_port() -> None:
    process, endpoints = _start(None)
    try:
        port = endpoints["api"].rsplit(":", 1)[1]
        clash = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop_app",
                "serve",
                "--http",
                f"127.0.0.1:{port}",
                "--smtp",
                "127.0.0.1:0",
                "--memory",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert clash.returncode == 1 and "temp-inbox serve:" in clash.stderr
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)


def test_serve_limit_and_host_flags() -> None:
    process, endpoints = _start(
        None, "--max-body", "100", "--allow-host", "mybox.lan", "--max-smtp-sessions", "1"
    )
    try:
        port = endpoints["api"].rsplit(":", 1)[1]
        with httpx.Client(base_url=endpoints["api"], timeout=10) as http:
            big = http.post("/accounts", json={"address": "x" * 200 + "@temp-inbox.test", "password": "pw"})
            assert big.status_code == 413
            assert http.get("/domains", headers={"host": f"mybox.lan:{port}"}).status_code == 200
            assert http.get("/domains", headers={"host": f"evil.example:{port}"}).status_code == 421
        host, smtp_port = endpoints["smtp"].rsplit(":", 1)
        with smtplib.SMTP(host, int(smtp_port), timeout=10):
            with pytest.raises(smtplib.SMTPConnectError) as refused:
                smtplib.SMTP(host, int(smtp_port), timeout=10)
            assert refused.value.smtp_code == 421
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode == 0, stderr


def test_serve_refuses_a_non_positive_limit() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "serve", "--memory", "--max-connections", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "must be positive" in done.stderr and "Traceback" not in done.stderr


def test_a_live_subscriber_has_new_mail_before_its_sender_has_the_250() -> None:
    """The 250 waits (bounded) until the hub streams have written the arrival (``Hub.handed_over``), so
    a subscriber hears of new mail no later than its sender hears it was accepted. A real process: the
    reply and the event travel on two sockets and really race."""
    process, endpoints = _start(None, "--no-rate-limit")
    try:
        with httpx.Client(base_url=endpoints["api"]) as http:
            http.post("/accounts", json={"address": "race@temp-inbox.test", "password": "pw"})
            token = http.post("/token", json={"address": "race@temp-inbox.test", "password": "pw"}).json()[
                "token"
            ]
            account = http.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["id"]
        hub = urlsplit(endpoints["hub"])
        assert hub.hostname is not None and hub.port is not None
        with socket.create_connection((hub.hostname, hub.port), timeout=10) as stream:
            stream.sendall(
                f"GET {hub.path}?topic=/accounts/{account} HTTP/1.1\r\nHost: {hub.netloc}\r\n"
                f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
            received = b""
            while b":\n\n" not in received:  # the headers and the stream's opening comment
                received += stream.recv(65536)
            stream.setblocking(False)
            host, port = endpoints["smtp"].rsplit(":", 1)
            with smtplib.SMTP(host, int(port), timeout=10) as smtp:
                for n in range(5):
                    smtp.sendmail(
                        "a@example.com", ["race@temp-inbox.test"], f"Subject: race {n}\r\n\r\nhi\r\n"
                    )
                    # The reply is in: the event must already be here, without waiting for it.
                    while True:
                        try:
                            chunk = stream.recv(65536)
                        except BlockingIOError:
                            break
                        assert chunk, "the hub closed the stream"
                        received += chunk
                    assert f"race {n}".encode() in received, f"the 250 of mail {n} came before its event"
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)
