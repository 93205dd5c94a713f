"""The real app process under a virtual screen with a real D-Bus session, notification daemon, tray host
and keyring: addresses from the command line, mail by SMTP, a desktop notification, the clipboard."""

from __future__ import annotations

import json
import smtplib
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from desktop_app.instance.ipc import socket_name
from tests.e2e.desktop_session import DesktopSession, missing_tools, read_line_within, wait_until

pytestmark = pytest.mark.e2e


def send(smtp: str, to: str, subject: str, body: str) -> None:
    host, port = smtp.rsplit(":", 1)
    message = EmailMessage()
    message["From"] = "Acme Accounts <no-reply@acme.example>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.send_message(message)


def cli_json(session: DesktopSession, data: Path, *args: str) -> Any:
    result = session.cli(data, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_tools_for_the_session_are_installed() -> None:
    assert missing_tools() == [], "make test installs these (scripts/system-deps.sh --test)"


def test_new_mail_notifies_on_dbus_and_copy_fills_the_x_clipboard(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_app(data, "--local")
        try:
            wait_until(
                lambda: (Path(tempfile.gettempdir()) / socket_name(data)).exists() or app.poll() is not None,
                60,
                "the app to listen",
            )
            assert app.poll() is None, (tmp_path / "session" / "app.log").read_text()
            result = session.cli(data, "info", "--json")
            assert result.returncode == 0, result.stderr
            info = json.loads(result.stdout)
            assert info["keyring"].endswith("SecretService.Keyring") and info["keyring_usable"]

            created = cli_json(session, data, "new")
            address = created["address"]
            assert address.endswith("@temp-inbox.test") and created["session_only"] is False

            subject = "Your Acme sign-in code <b>now</b>"
            send(info["smtp"], address, subject, "Hello,\n\nYour verification code is 735102.\n")
            calls = wait_until(
                lambda: [c for c in session.notify_calls() if "Acme sign-in code" in c], 60, "a Notify call"
            )
            call = calls[0]
            assert 'string "Temp Inbox"' in call
            # The subject is the summary, defused so that no server can read it as markup (dunst does);
            # the body is escaped markup and names the code.
            assert 'string "Your Acme sign-in code ‹b›now‹/b›"' in call
            assert "&lt;no-reply@acme.example&gt;" in call
            assert "735102" in call and 'string "Copy code"' in call

            copied = session.cli(data, "copy")
            assert copied.returncode == 0, copied.stderr
            assert wait_until(lambda: session.clipboard() == address, 30, "the address on the clipboard")

            # `wait` blocks until the next matching message and prints its code. It says on stderr when
            # its waiter is registered: only mail sent after that line is sure to count.
            waiter = session.cli_started(data, "wait", "--from", "acme", "--timeout", "60", "--json")
            assert waiter.stderr is not None
            ready = read_line_within(waiter.stderr, 90)
            assert ready.startswith("Waiting for a matching message"), ready
            send(info["smtp"], address, "Second code", "Welcome back.\n\nYour login code: 664213")
            stdout, stderr = waiter.communicate(timeout=90)
            assert waiter.returncode == 0, stderr
            message = json.loads(stdout)
            assert message["subject"] == "Second code" and message["code"] == "664213"

            listed = cli_json(session, data, "list")
            assert [(a["address"], a["unread"]) for a in listed] == [(address, 2)]

            quit_result = session.cli(data, "quit")
            assert quit_result.returncode == 0
            assert app.wait(20) == 0
        finally:
            if app.poll() is None:
                app.kill()
                app.wait(5)
        log = (tmp_path / "session" / "app.log").read_text(errors="replace")
        assert "Traceback" not in log, log


def test_a_command_starts_the_instance_when_none_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session", dunst=False) as session:
        created = session.cli(data, "--local", "new", "--json", timeout=120)
        assert created.returncode == 0, created.stderr + (data / "instance.log").read_text(errors="replace")
        address = json.loads(created.stdout)["address"]
        assert session.cli(data, "list", "--json").stdout.count(address) == 1
        assert session.cli(data, "quit").returncode == 0
        wait_until(
            lambda: not (Path(tempfile.gettempdir()) / socket_name(data)).exists(), 60, "the instance to quit"
        )
        # Persisted: a new instance (started by `list`) still has the address and its password.
        listed = session.cli(data, "--local", "list", "--json", timeout=120)
        assert json.loads(listed.stdout)[0]["address"] == address
        assert json.loads(listed.stdout)[0]["state"] == "active"
        assert session.cli(data, "quit").returncode == 0
