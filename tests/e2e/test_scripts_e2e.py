"""The command line as scripts use it, on the real app process: commands racing the window's start,
concurrent ``new``, and addresses travelling to a fresh data directory with export/import."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.instance.lock import LOCK_FILENAME, is_claimed
from tests.e2e.desktop_session import REPO, DesktopSession, wait_until
from tests.e2e.test_app_e2e import send
from tests.processes import stop_process

pytestmark = pytest.mark.e2e


@pytest.fixture(name="serve")
def serve_fixture() -> Iterator[dict[str, str]]:
    """``temp-inbox serve`` (in memory, free ports): one server both data directories talk to."""
    yield from running_server()


@pytest.fixture(name="second_serve")
def second_serve_fixture() -> Iterator[dict[str, str]]:
    """Another ``temp-inbox serve``: a second mail.tm-compatible provider beside the first."""
    yield from running_server()


def running_server() -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "serve",
            "--memory",
            "--http",
            "127.0.0.1:0",
            "--smtp",
            "127.0.0.1:0",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # one JSON line once it listens
    try:
        assert line, process.communicate(timeout=30)[1]
        yield {**json.loads(line), "pid": str(process.pid)}
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        finally:
            stop_process(process)


def cli_json(session: DesktopSession, data: Path, *args: str) -> Any:
    result = session.cli(data, *args, "--json", timeout=90)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_commands_racing_the_start_then_export_and_import_into_a_fresh_data_dir(
    tmp_path: Path, serve: dict[str, str]
) -> None:
    provider = ["--api-url", serve["api"]]
    first, fresh = tmp_path / "first", tmp_path / "fresh"
    export = tmp_path / "addresses.json"
    with DesktopSession(tmp_path / "session") as session:
        # The window starts, and once its process has claimed the data directory (its first step, long
        # before it listens), four scripts ask for an address at once. Commands launched in the same
        # instant as the window could claim it first; that race has no right answer to test.
        app = session.start_app(first, *provider)
        wait_until(
            lambda: (first / LOCK_FILENAME).exists() and is_claimed(first),
            60,
            "the window to claim its data directory",
        )
        news = [session.cli_started(first, "new", "--json") for _ in range(4)]
        try:
            answers = []
            for command in news:
                out, err = command.communicate(timeout=120)
                assert command.returncode == 0, err
                answers.append(json.loads(out))
            made = sorted(a["address"] for a in answers)
            assert len(set(made)) == 4  # four addresses, not one shared
            # All four in the window's instance (the one started with --api-url), none elsewhere.
            assert sorted(a["address"] for a in cli_json(session, first, "list")) == made
            assert cli_json(session, first, "info")["api"] == serve["api"]
            for address in made:
                send(serve["smtp"], address, f"Hello {address}", "travels with the address")
            exported = session.cli(first, "export", str(export), "--with-passwords")
            assert exported.returncode == 0, exported.stderr
            assert "Warning:" in exported.stderr and "no password reset" in exported.stderr
            assert session.cli(first, "quit").returncode == 0
            assert app.wait(60) == 0
        finally:
            stop_process(app)
        assert export.stat().st_mode & 0o777 == 0o600
        # A command with no provider option, nothing running: the instance it starts uses the provider
        # the window was started with (remembered), not mail.tm.
        try:
            assert cli_json(session, first, "info")["api"] == serve["api"]
            assert len(cli_json(session, first, "list")) == 4
        finally:
            session.cli(first, "quit")

        # A fresh data directory: the first command starts an instance, with the provider it names.
        imported = cli_json(session, fresh, *provider, "import", str(export), "--session-only")
        try:
            assert sorted(imported["added"]) == made and imported["skipped"] == []

            def all_mail_arrived() -> bool:
                listed = cli_json(session, fresh, "list")
                return len(listed) == 4 and all(item["unread"] == 1 for item in listed)

            wait_until(all_mail_arrived, 60, "the imported addresses' mail")
            again = cli_json(session, fresh, "import", str(export))
            assert again["added"] == [] and len(again["skipped"]) == 4
        finally:
            session.cli(fresh, "quit")
