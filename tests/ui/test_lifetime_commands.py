"""``temp-inbox new --expires``, ``temp-inbox expire`` and ``list``: what the parser takes, what the
instance does against the embedded server, and what the command prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli import parse
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.inbox import Inbox
from desktop_app.server import LocalMailServer
from tests.ui.test_cli_transfer import run_against
from tests.ui.test_instance_commands_local import (  # noqa: F401  (fixtures)
    _answer,
    _commands,
    running_inbox,
    server_fixture,
)

pytestmark = [pytest.mark.timeout(120)]


def test_the_parser_takes_lifetimes_and_times(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(["new", "--expires", "1D"]).args["expires"] == "1d"
    assert parse(["expire", "a@b.test", "never"]).args == {
        "address": "a@b.test",
        "lifetime": "never",
        "at": None,
        "json": False,
    }
    ahead = (datetime.now(UTC) + timedelta(days=30)).replace(second=0, microsecond=0)
    plus_one = ahead.astimezone(timezone(timedelta(hours=1)))
    at = parse(["expire", "a@b.test", "--at", plus_one.strftime("%Y-%m-%dT%H:%M+01:00")]).args["at"]
    assert at == plus_one.isoformat()
    local = ahead.astimezone().replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")
    naive = datetime.fromisoformat(parse(["expire", "a@b.test", "--at", local]).args["at"])
    assert naive.tzinfo is not None  # local time, made explicit before it travels to the instance
    for argv, said in (
        (["expire", "a@b.test", "--at", "9999-12-31T23:59-12:00"], "more than a year ahead"),
        (["expire", "a@b.test", "--at", "2020-01-01T00:00+00:00"], "already passed"),
        (["new", "--expires", "9999w"], "'9999w' is more than a year: choose a shorter lifetime"),
        (["new", "--expires", "1y"], "is not a lifetime"),
        (["expire", "a@b.test"], "a LIFETIME (1h, 1d, 1w, never) or --at TIME"),
        (["expire", "a@b.test", "1h", "--at", local], "one of them"),
        (["expire", "a@b.test", "--at", "soon"], "is not a date and time"),
    ):
        with pytest.raises(SystemExit) as exited:
            parse(argv)
        assert exited.value.code == 2
        assert said in capsys.readouterr().err


@pytest.fixture(name="inbox")
async def inbox_fixture(server: LocalMailServer) -> object:
    vault = PasswordVault()
    vault.use_session_only()
    async with running_inbox(server, vault) as inbox:
        yield inbox


async def test_new_expires_then_list_then_expire_never(qtbot: QtBot, inbox: Inbox) -> None:
    commands = _commands(inbox)
    made = await _answer(commands, "new", {"session_only": True, "expires": "1d"})
    assert made["ok"], made
    address = made["address"]["address"]
    expires = datetime.fromisoformat(made["address"]["expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=1))) < timedelta(minutes=1)
    assert made["address"]["expiry"].startswith("deletes tomorrow at ")

    listed = await _answer(commands, "list", {})
    (item,) = listed["addresses"]
    assert item["expires"] == made["address"]["expires"] and item["expiry"].startswith("deletes tomorrow")

    cleared = await _answer(commands, "expire", {"address": address, "lifetime": "never"})
    assert cleared == {"ok": True, "address": address, "expires": None, "expiry": "", "expires_exact": ""}
    assert inbox.address_rows()[0].expires_at is None

    soon = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    at = await _answer(commands, "expire", {"address": address, "at": soon})
    assert at["ok"] and at["expiry"] == "deletes in 1 h"  # 1 h 59 min 59 s: never more than is left
    past = await _answer(commands, "expire", {"address": address, "at": "2020-01-01T00:00:00+00:00"})
    assert past == {
        "ok": False,
        "error": "That time has already passed: choose a later one, or delete the address now.",
    }
    # The instance parses --at with the same parser: out of range is a clear refusal, not "Something
    # went wrong" from the cache's UTC conversion.
    far = await _answer(commands, "expire", {"address": address, "at": "9999-12-31T23:59-12:00"})
    assert far == {
        "ok": False,
        "error": "That is more than a year ahead: choose an earlier time, or 'never' to keep the address.",
    }
    unknown = await _answer(commands, "expire", {"address": "nobody@x.test", "lifetime": "1h"})
    assert unknown == {"ok": False, "error": "nobody@x.test is not one of your addresses."}
    assert inbox.address_rows()[0].expires_at is not None  # the refused ones changed nothing


def test_what_list_new_and_expire_print(qtbot: QtBot, tmp_path: Path) -> None:
    listing = {
        "ok": True,
        "addresses": [
            {
                "address": "a@x.test",
                "unread": 2,
                "provider": "Local",
                "label": "",
                "expiry": "deletes in 3 h",
            },
            {"address": "b@x.test", "unread": 0, "provider": "Local", "label": "Shop", "expiry": ""},
        ],
    }
    _, out, _ = run_against(qtbot, tmp_path, listing, "list")
    assert out.splitlines() == [
        "a@x.test  2 unread  [Local]  · deletes in 3 h",
        "b@x.test  0 unread  [Local]  (Shop)",
    ]

    answer = {
        "ok": True,
        "address": "a@x.test",
        "expires": "2030-01-01T14:00:00+00:00",
        "expiry": "deletes today at 14:00",
        "expires_exact": "Tue 1 Jan 2030, 14:00 (UTC)",
    }
    received, out, _ = run_against(qtbot, tmp_path, answer, "expire", "a@x.test", "1h")
    assert received == [("expire", {"address": "a@x.test", "lifetime": "1h", "at": None, "json": False})]
    assert out == "a@x.test: deletes today at 14:00 (Tue 1 Jan 2030, 14:00 (UTC))\n"
    kept = {"ok": True, "address": "a@x.test", "expires": None, "expiry": "", "expires_exact": ""}
    _, out, _ = run_against(qtbot, tmp_path, kept, "expire", "a@x.test", "never")
    assert out == "a@x.test: kept (not deleted automatically)\n"

    new = {"ok": True, "address": {"address": "n@x.test", "expires_exact": "Tue 1 Jan 2030, 14:00 (UTC)"}}
    received, out, err = run_against(qtbot, tmp_path, new, "new", "--expires", "1w")
    assert received[0][1]["expires"] == "1w"
    assert out == "n@x.test\n"  # the bare address for scripts; the expiry on stderr
    assert "It will be deleted automatically on Tue 1 Jan 2030, 14:00 (UTC)." in err


async def test_import_answers_which_expiries_it_did_not_apply(
    qtbot: QtBot, inbox: Inbox, tmp_path: Path
) -> None:
    commands = _commands(inbox)
    made = await _answer(commands, "new", {"session_only": True, "expires": "1h"})
    address = made["address"]["address"]
    exported = await _answer(commands, "export", {"file": str(tmp_path / "a.json"), "with_passwords": True})
    assert exported["ok"], exported
    document = json.loads((tmp_path / "a.json").read_text())
    document["addresses"][0]["address"] = f"again-{address}"
    document["addresses"][0]["expires"] = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    (tmp_path / "old.json").write_text(json.dumps(document))
    imported = await _answer(commands, "import", {"file": str(tmp_path / "old.json"), "session_only": True})
    assert imported["ok"], imported
    assert imported["expiry_passed"] == [f"again-{address}"] and imported["with_expiry"] == []
    again = next(r for r in inbox.address_rows() if r.address == f"again-{address}")
    assert again.expires_at is None


def test_what_import_prints_about_expiries(qtbot: QtBot, tmp_path: Path) -> None:
    answer = {
        "ok": True,
        "added": ["a@x.test", "b@x.test"],
        "skipped": [],
        "expiry_passed": ["a@x.test"],
        "with_expiry": ["b@x.test"],
    }
    (tmp_path / "in.json").write_text("{}")
    _, out, err = run_against(qtbot, tmp_path, answer, "import", "in.json")
    assert out == "a@x.test\nb@x.test\n"
    assert (
        "a@x.test: its automatic deletion in the file was past or minutes away: imported kept "
        "(set it again with 'temp-inbox expire')" in err
    )
    assert "b@x.test: deleted automatically at the time the file gives" in err
