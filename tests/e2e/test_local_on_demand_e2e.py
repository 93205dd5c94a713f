"""This computer's server in the real app started without ``--local`` (issue 12): the default provider
is a ``temp-inbox serve`` (no internet), ``temp-inbox new --provider local`` starts the embedded
server, the sidebar's footer names its SMTP port (read off the window through the ``debug-pane`` IPC
command), mail sent there is notified; after a restart, still without ``--local``, the address is
live again and takes mail; each quit stops the server (the app logs it once the stop has ended)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from desktop_app.settings import DEBUG_IPC_ENV
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_app_e2e import send
from tests.e2e.test_reading_e2e import command, poll
from tests.e2e.test_scripts_e2e import cli_json, serve_fixture
from tests.processes import stop_process

pytestmark = pytest.mark.e2e
__all__ = ["serve_fixture"]

FOOTER = re.compile(r"Local mail server — send to (127\.0\.0\.1:\d+)")


def footer_smtp(data: Path) -> str:
    """The SMTP address the sidebar's footer shows, once it shows one."""

    def shown() -> tuple[bool, Any]:
        footers = command(data, "debug-pane")["state"]["footers"]
        found = [m.group(1) for text in footers if (m := FOOTER.search(text))]
        return bool(found), found or footers

    return str(poll(shown, 60, "the local SMTP footer in the sidebar")[0])


def notified(session: DesktopSession, subject: str) -> bool:
    return any(subject in call for call in session.notify_calls())


def stopped_cleanly(session: DesktopSession, smtp: str, runs: int) -> bool:
    """The app's own shutdown stopped the server it reported: ``LocalService.stop`` logs it once the
    server's stop has ended (its ports closed), one line a run. Not whether the port refuses
    connections after the quit: the process's end closes it anyway, and 2525 is the machine's, which
    another run may bind the moment the app let it go."""
    log = (session.root / "app.log").read_text(errors="replace")
    stops = log.count("local mail server stopped (smtp ")
    return stops == runs and f"local mail server stopped (smtp {smtp})" in log


def test_new_provider_local_without_local_then_a_restart(tmp_path: Path, serve: dict[str, str]) -> None:
    data = tmp_path / "data"
    argv = ("--api-url", serve["api"])  # never --local
    env = {DEBUG_IPC_ENV: "1"}
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, *argv, extra_env=env)
        try:
            assert command(data, "debug-pane")["state"]["footers"] == []  # nothing started it yet
            listed = session.cli(data, "providers").stdout.splitlines()
            assert "This computer  starts when used" in listed, listed
            made = cli_json(session, data, "new", "--provider", "local")
            assert made["provider"] == "This computer"
            smtp = footer_smtp(data)
            assert cli_json(session, data, "info")["smtp"] == smtp
            running = {p["name"]: p for p in cli_json(session, data, "providers")}["This computer"]
            assert not running["starts_when_used"] and running["in_use"] and running["api"].startswith("http")
            wait_until(lambda: cli_json(session, data, "list")[0]["live"] == "live", 60, "the address live")
            send(smtp, made["address"], "Before the restart", "sent to the footer's port")
            wait_until(lambda: notified(session, "Before the restart"), 60, "the mail notified")
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            stop_process(app)
        assert stopped_cleanly(session, smtp, 1)  # the quit stopped the server started on demand

        app = session.start_listening_app(data, *argv, extra_env=env)
        try:
            (row,) = cli_json(session, data, "list")
            assert row["address"] == made["address"] and row["unread"] == 1  # its mail is kept
            smtp = footer_smtp(data)
            wait_until(lambda: cli_json(session, data, "list")[0]["live"] == "live", 60, "live after restart")
            send(smtp, made["address"], "After the restart", "the server came back with its address")
            wait_until(
                lambda: notified(session, "After the restart"), 60, "the mail after the restart notified"
            )
            assert cli_json(session, data, "list")[0]["unread"] == 2
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            stop_process(app)
        assert stopped_cleanly(session, smtp, 2)
