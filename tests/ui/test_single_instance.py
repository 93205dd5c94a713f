"""One instance per data directory from the first moment of start-up, and the provider it starts with."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli import parse, with_remembered_provider
from desktop_app.core.provider_choice import CHOICE_FILENAME
from desktop_app.instance.ipc import InstanceServer, Reply, socket_name
from desktop_app.instance.lock import InstanceLock, is_claimed
from tests.processes import stop_process


def read_line_within(stream: IO[str], timeout: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line:
        raise AssertionError(f"no line from the command within {timeout} s")
    return line[0]


def temp_inbox(data: Path, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_the_claim_is_exclusive_and_ends_with_its_holder(tmp_path: Path) -> None:
    first = InstanceLock.acquire(tmp_path)
    assert first is not None
    assert InstanceLock.acquire(tmp_path) is None
    assert is_claimed(tmp_path)
    first.release()
    assert not is_claimed(tmp_path)
    again = InstanceLock.acquire(tmp_path)
    assert again is not None
    again.release()


@pytest.mark.timing
def test_a_command_waits_for_an_instance_that_is_still_starting(qtbot: QtBot, tmp_path: Path) -> None:
    """The window holds the data directory but does not listen yet: the command must not start a
    second instance (on mail.tm) but wait, and get its answer from the one that was starting."""
    claim = InstanceLock.acquire(tmp_path)
    assert claim is not None
    command = temp_inbox(tmp_path, "list", "--json")
    server = InstanceServer(socket_name(tmp_path))
    try:
        assert command.stderr is not None
        assert "waiting for it" in read_line_within(command.stderr, 30)
        assert command.poll() is None
        assert server.listen()

        def answer(name: str, args: dict[str, Any], reply: Reply) -> None:
            reply.ok(addresses=[{"address": "from-the-starting-one@temp-inbox.test", "unread": 0}])

        server.set_handler(answer)
        qtbot.waitUntil(lambda: command.poll() is not None, timeout=30_000)
        out, err = command.communicate(timeout=30)
        assert command.returncode == 0, err
        assert [a["address"] for a in json.loads(out)] == ["from-the-starting-one@temp-inbox.test"]
        # Nothing was started in the background (that is what writes instance.log).
        assert not (tmp_path / "instance.log").exists()
    finally:
        server.close()
        stop_process(command)
        claim.release()


def test_quit_with_nothing_running_starts_nothing(tmp_path: Path) -> None:
    command = temp_inbox(tmp_path, "quit")
    _out, err = command.communicate(timeout=60)
    assert command.returncode == 0, err
    assert not (tmp_path / "instance.log").exists()


def test_a_background_instance_leaves_a_claimed_data_dir_alone(tmp_path: Path) -> None:
    """Two commands that both found nothing running each start one; the second must just go."""
    claim = InstanceLock.acquire(tmp_path)
    assert claim is not None
    try:
        started = temp_inbox(tmp_path, "--background")
        _out, err = started.communicate(timeout=60)
        assert started.returncode == 0, err
        assert not (Path(tempfile.gettempdir()) / socket_name(tmp_path)).exists()
    finally:
        claim.release()


def test_an_instance_started_by_a_command_uses_the_last_chosen_provider(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    background = parse([*data, "--background"])
    assert with_remembered_provider(background).provider_choice.explicit is False  # nothing chosen yet

    with_remembered_provider(parse([*data, "--local"]))  # the window, started with --local
    assert with_remembered_provider(background).local is True
    assert oct((tmp_path / CHOICE_FILENAME).stat().st_mode & 0o777) == "0o600"

    with_remembered_provider(
        parse([*data, "--api-url", "http://127.0.0.1:9", "--hub-url", "http://127.0.0.1:8"])
    )
    custom = with_remembered_provider(background)
    assert (custom.local, custom.api_url, custom.hub_url) == (
        False,
        "http://127.0.0.1:9",
        "http://127.0.0.1:8",
    )

    # A command with its own provider option keeps it (and that is now the choice).
    assert with_remembered_provider(parse([*data, "--local", "--background"])).local is True
    assert with_remembered_provider(background).local is True

    with_remembered_provider(parse(data))  # the window without options: mail.tm, chosen
    assert with_remembered_provider(background).provider_choice.explicit is False


def test_a_damaged_remembered_provider_means_the_default(tmp_path: Path) -> None:
    (tmp_path / CHOICE_FILENAME).write_text("{not json")
    options = with_remembered_provider(parse(["--data-dir", str(tmp_path), "--background"]))
    assert options.provider_choice.explicit is False
    (tmp_path / CHOICE_FILENAME).write_text('{"local": "yes", "api_url": 7}')
    options = with_remembered_provider(parse(["--data-dir", str(tmp_path), "--background"]))
    assert options.provider_choice.explicit is False
