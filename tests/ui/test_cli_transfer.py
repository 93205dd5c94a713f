"""``temp-inbox export`` / ``import`` as commands: what they send the instance and what they print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.cli import parse
from desktop_app.core.accounts.transfer import PASSWORDS_WARNING
from desktop_app.instance.ipc import InstanceServer, Reply, socket_name
from tests.processes import stop_process
from tests.ui.test_single_instance import temp_inbox


def test_the_file_is_sent_as_an_absolute_path(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    options = parse(["--data-dir", str(tmp_path / "data"), "export", "out.json", "--with-passwords"])
    assert options.args["file"] == str(tmp_path / "out.json")
    assert options.args["with_passwords"] is True
    assert parse(["import", "~/in.json"]).args["file"] == str(Path.home() / "in.json")


def run_against(qtbot: QtBot, data: Path, answer: dict[str, Any], *args: str) -> tuple[Any, str, str]:
    """Run the command against a stand-in instance; what it was asked, and what the command printed."""
    received: list[tuple[str, dict[str, Any]]] = []
    server = InstanceServer(socket_name(data))
    assert server.listen()

    def handle(command: str, request: dict[str, Any], reply: Reply) -> None:
        received.append((command, request))
        reply.send(answer)

    server.set_handler(handle)
    process = temp_inbox(data, *args, cwd=data)
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=30_000)
        out, err = process.communicate(timeout=30)
    finally:
        server.close()
        stop_process(process)
    assert process.returncode == (0 if answer.get("ok") else 1), err
    return received, out, err


def test_export_with_passwords_warns_and_reports(qtbot: QtBot, tmp_path: Path) -> None:
    answer = {"ok": True, "count": 2, "file": str(tmp_path / "out.json"), "without_password": ["x@t.test"]}
    received, out, err = run_against(qtbot, tmp_path, answer, "export", "out.json", "--with-passwords")
    assert received == [
        ("export", {"file": str(tmp_path / "out.json"), "with_passwords": True, "json": False})
    ]
    assert f"Warning: {PASSWORDS_WARNING}" in err.replace("\n", " ")
    assert "Exported 2 addresses" in err and "x@t.test" in err and out == ""


def test_export_without_passwords_does_not_warn(qtbot: QtBot, tmp_path: Path) -> None:
    answer = {"ok": True, "count": 0, "file": str(tmp_path / "out.json"), "without_password": []}
    _received, _out, err = run_against(qtbot, tmp_path, answer, "export", "out.json")
    assert "Warning" not in err


def test_import_prints_what_was_added_and_what_was_skipped(qtbot: QtBot, tmp_path: Path) -> None:
    answer = {
        "ok": True,
        "added": ["new@t.test"],
        "skipped": [{"address": "old@t.test", "reason": "already in your list"}],
        "without_password": [],
        "kept_saved_password": [],
    }
    received, out, err = run_against(qtbot, tmp_path, answer, "import", "in.json")
    assert received[0][1]["file"] == str(tmp_path / "in.json")
    assert out.split() == ["new@t.test"]
    assert "skipped old@t.test: already in your list" in err
    _received, out, _err = run_against(qtbot, tmp_path, answer, "import", "in.json", "--json")
    assert json.loads(out)["skipped"] == answer["skipped"]


def test_a_refused_import_fails_with_its_reason(qtbot: QtBot, tmp_path: Path) -> None:
    answer = {"ok": False, "error": "in.json cannot be imported: entry 2 has no valid “address”."}
    _received, out, err = run_against(qtbot, tmp_path, answer, "import", "in.json")
    assert out == "" and "entry 2" in err
