"""One check against a real notification daemon: dunst on a virtual X screen and a private bus."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.core.codes.extract import Extraction
from desktop_app.desktop.dbus_notify import DBusNotifier
from desktop_app.ui.notifications import Notifications
from tests.core.notice_helpers import new_message

from .notify_fixtures import die_with_parent, qloop, session_bus, stop_process, wait_until, xvfb

__all__ = ["qloop", "session_bus", "xvfb"]  # fixtures, imported for pytest

pytestmark = pytest.mark.skipif(shutil.which("dunst") is None, reason="dunst is not installed")


@pytest.fixture
def dunst(session_bus: str, xvfb: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "DISPLAY": xvfb,
        "DBUS_SESSION_BUS_ADDRESS": session_bus,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    proc = subprocess.Popen(
        ["dunst"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent
    )
    try:
        yield env
    finally:
        stop_process(proc)


def _dunst_history(env: dict[str, str]) -> list[dict[str, object]]:
    out = subprocess.run(["dunstctl", "history"], env=env, capture_output=True, text=True, timeout=10)
    data = json.loads(out.stdout)
    return [entry for group in data["data"] for entry in group]


def test_notify_reaches_dunst(
    qloop: asyncio.AbstractEventLoop, session_bus: str, dunst: dict[str, str]
) -> None:
    notifications = Notifications(bus=session_bus)

    async def scenario() -> None:
        probe = DBusNotifier(bus=session_bus)
        # dunst takes the name a moment after it starts: wait until it answers.
        deadline = asyncio.get_running_loop().time() + 30
        while not await probe.start() and asyncio.get_running_loop().time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.025)
        assert probe.server_name == "dunst"
        assert "actions" in probe.capabilities
        await probe.aclose()

        notifications.message_arrived(
            new_message(
                "me@tmp.test", "m1", "Shop <s@shop.test>", "Your code & more", Extraction(code="123456")
            )
        )
        await wait_until(lambda: notifications.backend_name == "dbus")
        backend = notifications._backend
        assert backend is not None
        await wait_until(lambda: backend._shown)  # type: ignore[attr-defined]
        [(notification_id, notice)] = backend._shown.items()  # type: ignore[attr-defined]
        assert notification_id > 0 and notice.title == "Your code & more"
        # dunst keeps closed notifications in its history; close ours so it is listed there.
        backend.notifier.close_notification(notification_id)  # type: ignore[attr-defined]
        await wait_until(lambda: any(e["id"]["data"] == notification_id for e in _dunst_history(dunst)))
        [entry] = [e for e in _dunst_history(dunst) if e["id"]["data"] == notification_id]  # type: ignore[index]
        assert entry["summary"]["data"] == "Your code & more"  # type: ignore[index]
        assert entry["appname"]["data"] == "Temp Inbox"  # type: ignore[index]
        assert "Code: 123456" in entry["body"]["data"]  # type: ignore[index]
        await notifications.shutdown()

    qloop.run_until_complete(scenario())
