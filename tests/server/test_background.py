"""``BackgroundMailServer``: the same service on its own thread, driven from synchronous code."""

from __future__ import annotations

import smtplib
import time
from pathlib import Path

import httpx

from desktop_app.server import BackgroundMailServer


def test_background_server_serves_from_its_own_thread() -> None:
    server = BackgroundMailServer(rate_limit=None)
    server.start()
    try:
        assert server.api_url.startswith("http://127.0.0.1:") and server.smtp_port > 0
        account_id = server.create_account_direct("bg@temp-inbox.test", "pw")
        with httpx.Client(base_url=server.api_url) as http:
            token = http.post("/token", json={"address": "bg@temp-inbox.test", "password": "pw"}).json()
            assert token["id"] == account_id
            with smtplib.SMTP(server.smtp_host, server.smtp_port, timeout=10) as smtp:
                smtp.sendmail("a@example.com", ["bg@temp-inbox.test"], b"Subject: bg\r\n\r\nhello\r\n")
            auth = {"Authorization": f"Bearer {token['token']}"}
            assert http.get("/messages", headers=auth).json()["hydra:totalItems"] == 1
            server.faults.fail_next(1, "500")  # the handle works across threads
            assert http.get("/domains").status_code == 500
        assert server.stats.requests == 3  # token, messages, domains
    finally:
        started = time.monotonic()
        server.stop()
    assert time.monotonic() - started < 5


def test_background_start_failure_is_raised_in_the_caller() -> None:
    first = BackgroundMailServer(rate_limit=None)
    first.start()
    try:
        clash = BackgroundMailServer(http_port=int(first.api_url.rsplit(":", 1)[1]))
        try:
            clash.start()
        except OSError:
            pass
        else:
            clash.stop()
            raise AssertionError("binding a busy port should fail")
    finally:
        first.stop()


def test_background_server_can_restart_on_its_data(tmp_path: Path) -> None:
    server = BackgroundMailServer(rate_limit=None, data_dir=tmp_path)
    server.start()
    account_id = server.create_account_direct("again@temp-inbox.test", "pw")
    port = server.api_url
    server.stop()
    server.start()
    try:
        assert server.api_url != "" and server.server.store.account_by_id(account_id) is not None
        assert port.startswith("http://127.0.0.1:")
    finally:
        server.stop()


def _open_files_under(folder: Path) -> list[str]:
    fds = Path("/proc/self/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue  # closed meanwhile
        if target.startswith(str(folder)):
            found.append(target)
    return found


def test_a_failed_start_leaves_no_store_open(tmp_path: Path) -> None:
    """The app tries several port pairs: each failed attempt must close the SQLite store it opened."""
    first = BackgroundMailServer(rate_limit=None)
    first.start()
    data = tmp_path / "failing"
    try:
        taken = int(first.api_url.rsplit(":", 1)[1])
        for _ in range(3):
            clash = BackgroundMailServer(data_dir=data, http_port=taken, rate_limit=None)
            try:
                clash.start()
            except OSError:
                pass
            else:
                clash.stop()
                raise AssertionError("a taken port was bound")
        assert (data / "mail.sqlite3").exists()  # the attempts did open it
        assert _open_files_under(data) == []
    finally:
        first.stop()
