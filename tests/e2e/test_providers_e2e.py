"""Several providers in one running app, through the CLI: the window starts on one ``temp-inbox
serve``, ``new --provider URL`` puts an address on a second one, both are live, mail to each is
notified and listed, a click on the sidebar's "All addresses" shows both servers' mail in one list
(read off the window through the ``debug-pane`` IPC command: the rows and the address each paints),
and ``providers`` lists, refuses to remove one in use, and adds a checked one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core.accounts import AddressRow, short_names
from desktop_app.settings import DEBUG_IPC_ENV
from tests.e2e.desktop_session import DesktopSession, wait_until
from tests.e2e.test_app_e2e import send
from tests.e2e.test_reading_e2e import command, poll, xdotool
from tests.e2e.test_scripts_e2e import cli_json, second_serve_fixture, serve_fixture
from tests.processes import stop_process

pytestmark = pytest.mark.e2e
__all__ = ["second_serve_fixture", "serve_fixture"]


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="make test installs xdotool")
def test_addresses_on_two_servers_live_side_by_side(
    tmp_path: Path, serve: dict[str, str], second_serve: dict[str, str]
) -> None:
    data = tmp_path / "data"
    with DesktopSession(tmp_path / "session") as session:
        app = session.start_listening_app(data, "--api-url", serve["api"], extra_env={DEBUG_IPC_ENV: "1"})
        try:
            first = cli_json(session, data, "new", "--session-only")
            second = cli_json(session, data, "new", "--session-only", "--provider", second_serve["api"])
            assert first["provider"] != second["provider"]
            assert second["provider"] == second_serve["api"].split("://", 1)[1]  # host:port, as named
            # The second server knows only its own account: the address really lives there.
            accounts = {first["address"]: serve, second["address"]: second_serve}

            def both_live() -> bool:
                rows = cli_json(session, data, "list")
                return len(rows) == 2 and all(r["live"] == "live" for r in rows)

            wait_until(both_live, 60, "both addresses live")
            for address, server in accounts.items():
                send(server["smtp"], address, f"Hello {address}", "one for each provider")

            def both_notified() -> bool:
                calls = session.notify_calls()
                return all(any(f"Hello {a}" in call for call in calls) for a in accounts)

            wait_until(both_notified, 60, "a notification for each provider's mail")
            rows = {r["address"]: r for r in cli_json(session, data, "list")}
            assert {a: rows[a]["unread"] for a in accounts} == {a: 1 for a in accounts}
            assert rows[second["address"]]["provider"] == second["provider"]
            check_all_addresses_lists_both(session, data, list(accounts))

            providers = cli_json(session, data, "providers")
            apis = {p["api"]: p for p in providers}
            assert apis[serve["api"]]["default"] and apis[second_serve["api"]]["in_use"]
            assert {"mail.tm", "mail.gw"} <= {p["name"] for p in providers}
            refused = session.cli(data, "providers", "remove", second["provider"])
            assert refused.returncode == 1 and "delete them first" in refused.stderr
            bad = session.cli(data, "providers", "add", "http://127.0.0.1:9")  # nothing listens there
            assert bad.returncode == 1 and "did not answer as a mail.tm-compatible service" in bad.stderr

            assert session.cli(data, "quit").returncode == 0
            assert app.wait(30) == 0
        finally:
            stop_process(app)


def check_all_addresses_lists_both(session: DesktopSession, data: Path, addresses: list[str]) -> None:
    """Click "All addresses" on top of the sidebar: both servers' mail in one list, each row naming
    its address (the local part, as painted), the entry's badge adding both unread counts up."""

    def sidebar() -> tuple[bool, dict[str, Any]]:
        state = command(data, "debug-pane")["state"]
        first = state["sidebar"][0] if state["sidebar"] else None
        return len(state["sidebar"]) == 3 and first[:2] == ["All addresses", 2], state

    state = poll(sidebar, 30, '"All addresses" with 2 unread on top of the sidebar')
    xdotool(session, "search", "--sync", "--onlyvisible", "--name", "Temp Inbox", "windowfocus", "--sync")
    x, y, width, height = state["sidebar"][0][2]
    xdotool(session, "mousemove", "--sync", str(x + width // 2), str(y + height // 2), "click", "1")

    def unified() -> tuple[bool, dict[str, Any]]:
        state = command(data, "debug-pane")["state"]
        return state["address"] == "*" and len(state["rows"]) == 2, state

    state = poll(unified, 30, "both servers' mail in the All addresses list")
    painted = zip(state["rows"], state["row_addresses"], strict=True)
    names = short_names([AddressRow(a) for a in addresses])  # the local parts, unless they are alike
    assert {subject: text for (_id, subject), text in painted} == {f"Hello {a}": names[a] for a in addresses}
    assert state["header"] == "All addresses · 2 messages, 2 unread"
    assert state["title"] == "All addresses — Temp Inbox"
