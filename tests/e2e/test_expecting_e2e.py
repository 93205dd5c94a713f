"""Expecting mail on the real app (``--local``): a ``temp-inbox wait`` shows "Waiting for mail from
acme… 0:0N" on its address in the window, with the time moving, and the line goes when the mail comes;
a ``wait`` that times out shows the check's verdict in the window. The check of a local address sends
its delivery probe, which leaves no mail behind. The window is read through the debug IPC."""

from __future__ import annotations

import json
import re
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from desktop_app.settings import DEBUG_IPC_ENV
from tests.e2e.desktop_session import DesktopSession, read_line_within, wait_until
from tests.e2e.test_reading_e2e import command
from tests.e2e.test_scripts_e2e import cli_json
from tests.processes import stop_process

pytestmark = pytest.mark.e2e


def window(data: Path) -> dict[str, Any]:
    return dict(command(data, "debug-pane")["state"])


def send(smtp: str, to: str, subject: str, body: str, sender: str) -> None:
    host, port = smtp.rsplit(":", 1)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    with smtplib.SMTP(host, int(port), timeout=30) as client:
        client.send_message(message)


def test_a_cli_wait_shows_on_its_address_and_a_timeout_ends_in_a_verdict(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, "--local", extra_env={DEBUG_IPC_ENV: "1"})
        try:
            address = cli_json(session, data, "new")["address"]
            smtp = cli_json(session, data, "info")["smtp"]

            waiting = session.cli_started(
                data, "wait", "--address", address, "--from", "acme", "--timeout", "120", "--json"
            )
            try:
                assert waiting.stderr is not None and waiting.stdout is not None
                assert "Waiting for a matching message" in read_line_within(waiting.stderr, 60)
                line = re.compile(r"^Waiting for mail from acme… 0:(\d\d)$")
                first = wait_until(
                    lambda: line.match(window(data)["waiting"].get(address, "")), 30, "the waiting line"
                )
                shown = window(data)
                assert shown["waiting_bar"].startswith("Waiting for mail from acme… 0:")
                assert shown["waiting_bar"].endswith("(temp-inbox wait)")
                # The time on the line moves on while the wait runs.
                wait_until(
                    lambda: (
                        (m := line.match(window(data)["waiting"].get(address, "")))
                        and int(m.group(1)) > int(first.group(1))
                    ),
                    30,
                    "the elapsed time to move on",
                )
                send(smtp, address, "Your code", "Your code is 552817.", "ACME <noreply@acme.example>")
                out, err = waiting.communicate(timeout=60)
                assert waiting.returncode == 0, err
                assert json.loads(out)["code"] == "552817"
            finally:
                stop_process(waiting)
            wait_until(lambda: address not in window(data)["waiting"], 30, "the waiting line to go")
            assert window(data)["waiting_bar"] == ""

            # A wait that times out: the window shows what the check found.
            timed_out = session.cli(
                data, "wait", "--address", address, "--timeout", "2", "--json", timeout=90
            )
            assert timed_out.returncode == 3, timed_out.stderr
            assert json.loads(timed_out.stdout)["check"]["verdict"]["code"] == "ok"
            verdict = wait_until(
                lambda: (
                    (bar := window(data)["waiting_bar"]).startswith("No mail in 0:02. No problem found")
                    and bar
                ),
                30,
                "the verdict in the window",
            )
            assert "try an address on another domain" in verdict

            # The check of a local address probes delivery and leaves no mail behind.
            before = len(window(data)["rows"])
            checked = session.cli(data, "check", address, "--json", timeout=90)
            assert checked.returncode == 0, checked.stderr
            probe = json.loads(checked.stdout)["checks"][-1]
            assert probe["name"] == "probe" and probe["ok"], probe
            assert probe["detail"].startswith("delivered through the live connection in ")
            # Only the code mail is unread: the probe was deleted, never listed, never notified.
            wait_until(lambda: cli_json(session, data, "list")[0]["unread"] == 1, 30, "no unread probe")
            assert len(window(data)["rows"]) == before
            assert not [call for call in session.notify_calls() if "delivery probe" in call]
            assert any("Your code" in call for call in session.notify_calls())
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            stop_process(app)
