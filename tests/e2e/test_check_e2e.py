"""``temp-inbox check`` on the real app process: a healthy address, the same address once its server
is stopped, and a ``wait`` whose timeout ends in the check's verdict."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_scripts_e2e import cli_json, serve_fixture
from tests.processes import stop_process

pytestmark = pytest.mark.e2e
__all__ = ["serve_fixture"]


def _zombie(pid: int) -> bool:
    """Stopped but not yet reaped by the fixture that started it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


def test_check_names_a_healthy_address_then_a_stopped_server_and_a_wait_ends_in_a_verdict(
    tmp_path: Path, serve: dict[str, str]
) -> None:
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, "--api-url", serve["api"])
        try:
            address = cli_json(session, data, "new", "--session-only")["address"]
            healthy = session.cli(data, "check", address, "--json", timeout=90)
            assert healthy.returncode == 0, healthy.stderr
            report = json.loads(healthy.stdout)
            assert report["address"] == address and report["verdict"]["code"] == "ok"
            assert [c["name"] for c in report["checks"]] == [
                "password", "provider", "domain", "login", "account", "quota", "hub"
            ]  # fmt: skip
            assert all(c["ok"] for c in report["checks"])
            assert "✓ login: password accepted" in healthy.stderr  # progress, as each check ended

            # The server goes away (its process is stopped for good).
            pid = int(serve["pid"])
            os.kill(pid, signal.SIGINT)
            wait_until(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), 30, "the server to stop")
            broken = session.cli(data, "check", address, "--json", timeout=90)
            assert broken.returncode == 1, broken.stderr
            verdict = json.loads(broken.stdout)["verdict"]
            assert verdict["code"] == "provider-down" and verdict["action"] == "wait"
            assert "no connection" in verdict["text"]

            waited = session.cli(data, "wait", "--address", address, "--timeout", "2", "--json", timeout=90)
            assert waited.returncode == 3, waited.stderr
            assert "No matching message arrived in time." in waited.stderr
            assert json.loads(waited.stdout)["check"]["verdict"]["code"] == "provider-down"
            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            stop_process(app)
