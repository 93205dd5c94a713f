"""Address lifetime through the real app and command line, against ``temp-inbox serve``: an expiry
set with ``expire --at`` is warned about on D-Bus (dunst), whose "Keep address" keeps the address and
whose click shows it; one that comes is carried out while the app runs, and one that passes while the
app is closed at the next start: gone from the service (its SMTP refuses the address), from ``list``
and from the keyring."""

from __future__ import annotations

import re
import smtplib
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop_app.core.paths import store_path
from desktop_app.core.store.cache import Store
from desktop_app.settings import DEBUG_IPC_ENV, LOG_ENV
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_app_e2e import send
from tests.e2e.test_reading_e2e import command
from tests.e2e.test_scripts_e2e import cli_json, serve_fixture  # noqa: F401  (fixture)
from tests.processes import stop_process

pytestmark = pytest.mark.e2e


def _in_keyring(session: DesktopSession, address: str) -> bool:
    found = subprocess.run(
        ["secret-tool", "search", "--all", "service", "Temp Inbox"],
        env=session.env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    return address in found.stdout + found.stderr


def _refused_by_the_service(smtp: str, address: str) -> bool:
    try:
        send(smtp, address, "Anyone there?", "hello")
    except smtplib.SMTPRecipientsRefused:
        return True
    return False


def _addresses(session: DesktopSession, data: Path) -> list[str]:
    return [item["address"] for item in cli_json(session, data, "list")]


def _expires(session: DesktopSession, data: Path, address: str) -> str | None:
    (item,) = [i for i in cli_json(session, data, "list") if i["address"] == address]
    return item["expires"]


def _dunst(session: DesktopSession, *args: str) -> None:
    subprocess.run(["dunstctl", *args], env=session.env, check=True, timeout=20)


def _warned(session: DesktopSession, address: str, when: str) -> list[str]:
    """The D-Bus calls warning that ``address`` "deletes ``when``" (a regular expression)."""
    pattern = re.compile(rf'"{re.escape(address)} deletes {when}"')
    return [c for c in session.notify_calls() if pattern.search(c)]


def _from_now(**delta: float) -> str:
    """A time ``delta`` from now, computed when it is used: a time computed once goes stale over the
    waits between its uses (and ``expire --at`` refuses one gone by)."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def _stored_expiry(data: Path, address: str) -> tuple[bool, datetime | None]:
    """Whether the closed app's cache still has ``address``, and its expiry there."""
    with Store(store_path(data)) as store:
        record = store.get_address(address)
    return record is not None, record.expires_at if record is not None else None


def _pick_keep(root: Path) -> Path:
    """dunst's context menu runs "dmenu" with one line per action; this one picks "Keep address" of
    the address named in ``target`` (what a user picking it from the menu does)."""
    (root / "home" / ".config" / "dunst").mkdir(parents=True)
    script = root / "pick-keep.sh"
    target = root / "target"
    script.write_text(f'#!/bin/sh\ngrep -m1 "^#Keep address ($(cat {target}) "\n')
    script.chmod(0o755)
    (root / "home" / ".config" / "dunst" / "dunstrc").write_text(f"[global]\n    dmenu = {script}\n")
    return target


def test_expiry_warned_then_done_while_running_and_at_the_next_start(
    tmp_path: Path, serve: dict[str, str]
) -> None:
    data = tmp_path / "data"
    provider = ("--api-url", serve["api"])
    target = _pick_keep(tmp_path / "session")
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, *provider, extra_env={DEBUG_IPC_ENV: "1"})
        try:
            made = cli_json(session, data, "new", "--expires", "1d")
            doomed = made["address"]
            assert made["expiry"].startswith("deletes tomorrow at ")
            later = cli_json(session, data, "new")["address"]
            kept = cli_json(session, data, "new")["address"]
            (item,) = [i for i in cli_json(session, data, "list") if i["address"] == doomed]
            assert item["expires"] == made["expires"] and item["expiry"] == made["expiry"]
            wait_until(lambda: _in_keyring(session, doomed), 30, "the password in the keyring")

            # Minutes left (fewer than ten): warned at once. "Keep address" in dunst's menu keeps it.
            # The minutes the warning names depend on how long the steps took: any number will do.
            assert session.cli(data, "expire", kept, "--at", _from_now(minutes=5)).returncode == 0
            wait_until(lambda: _warned(session, kept, r"in \d+ min"), 60, "the warning about the kept one")
            target.write_text(kept)
            _dunst(session, "context")
            wait_until(lambda: _expires(session, data, kept) is None, 60, "Keep address to clear it")
            # A click on the warning (its default action) shows the address in the window.
            _dunst(session, "close-all")
            assert session.cli(data, "expire", later, "--at", _from_now(minutes=5)).returncode == 0
            wait_until(lambda: _warned(session, later, r"in \d+ min"), 60, "the warning about the later one")
            _dunst(session, "action", "0")
            wait_until(
                lambda: command(data, "debug-pane")["state"]["title"].startswith(later),
                60,
                "the window to show the address the warning was about",
            )
            _dunst(session, "close-all")

            # 45 s: time for the command to be answered (a time gone by is refused), and still "under
            # a minute" when it is.
            soon = _from_now(seconds=45)
            moved = session.cli(data, "expire", doomed, "--at", soon)
            assert moved.returncode == 0, moved.stderr
            assert moved.stdout.startswith(f"{doomed}: deletes in under a minute (")
            # Due within ten minutes: warned at once, with "Keep address".
            warning = wait_until(
                lambda: _warned(session, doomed, "in under a minute"), 60, "the warning on D-Bus"
            )
            assert '"Keep address"' in warning[0]
            wait_until(lambda: doomed not in _addresses(session, data), 120, "the deletion at its time")
            assert datetime.now(UTC) >= datetime.fromisoformat(soon)  # never before its time
            wait_until(
                lambda: [c for c in session.notify_calls() if f'"Deleted {doomed}"' in c],
                30,
                "the notice after the deletion",
            )
            assert _refused_by_the_service(serve["smtp"], doomed)
            # The cache forgets it before the keyring entry goes (a moment later, in a thread).
            wait_until(lambda: not _in_keyring(session, doomed), 30, "the password to leave the keyring")

            # Closed when its time comes: done at the next start. An hour ahead, so the command and the
            # quit finish first however slow they are; the cache after the quit shows that they did.
            due = datetime.fromisoformat(_from_now(hours=1))
            assert session.cli(data, "expire", later, "--at", due.isoformat()).returncode == 0
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(60) == 0
        finally:
            stop_process(app)
        assert _stored_expiry(data, later) == (True, due), "deleted before the app was closed"
        # The hour passes while the app is closed: its expiry, in the closed app's cache, moved into
        # the past (what the clock would have done), not waited for.
        with Store(store_path(data)) as store:
            store.set_expiry(later, datetime.now(UTC) - timedelta(minutes=1))
        assert _stored_expiry(data, later)[0]
        log = session.root / "app.log"
        before = log.stat().st_size
        app = session.start_listening_app(data, *provider, extra_env={LOG_ENV: "INFO"})
        try:
            wait_until(lambda: later not in _addresses(session, data), 120, "the deletion at start")
            restarted = log.read_bytes()[before:].decode(errors="replace")
            assert f"{later} reached its expiry: deleting it" in restarted  # by this run, at its start
            assert _addresses(session, data) == [kept]
            assert _refused_by_the_service(serve["smtp"], later)
            assert not _refused_by_the_service(serve["smtp"], kept)
            wait_until(lambda: not _in_keyring(session, later), 30, "the password to leave the keyring")
            assert _in_keyring(session, kept)
        finally:
            session.cli(data, "quit")
            stop_process(app)
