"""Instance commands against the embedded local server: what a script running several commands sees."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.accounts.transfer import FORMAT
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.instance.commands import InstanceCommands
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from desktop_app.ui.controller import AppSignals
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.ui.test_app_glue import RecordingReply, settled

pytestmark = [pytest.mark.timeout(120)]


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(rate_limit=None) as running:
        yield running


@asynccontextmanager
async def running_inbox(server: LocalMailServer, vault: PasswordVault) -> AsyncIterator[Inbox]:
    """An instance's inbox on a data directory of its own (cache and keyring), against ``server``."""
    store = Store(None)
    inbox = Inbox(
        store,
        vault,
        local_provider(server.api_url, server.hub_url),
        sync_settings=FAST_SYNC,
        client_factory=_fast_client,
    )
    await inbox.start()
    try:
        yield inbox
    finally:
        assert await inbox.aclose(2.0)
        store.close()


@pytest.fixture(name="inbox")
async def inbox_fixture(server: LocalMailServer) -> AsyncIterator[Inbox]:
    vault = PasswordVault()
    vault.use_session_only()
    async with running_inbox(server, vault) as inbox:
        yield inbox


def _commands(inbox: Inbox) -> InstanceCommands:
    return InstanceCommands(
        inbox, AppSignals(), raise_window=lambda: None, quit_app=lambda: None, info=lambda: {}
    )


async def _answer(commands: InstanceCommands, command: str, args: dict[str, Any]) -> dict[str, Any]:
    reply = RecordingReply()
    commands.handle(command, args, reply)  # type: ignore[arg-type]
    async with asyncio.timeout(60):
        await settled(commands.tasks)
    (answer,) = reply.sent
    return answer


async def test_four_concurrent_new_commands_give_four_addresses(qtbot: QtBot, inbox: Inbox) -> None:
    commands = _commands(inbox)
    replies = [RecordingReply() for _ in range(4)]
    for reply in replies:
        commands.handle("new", {"session_only": True}, reply)  # type: ignore[arg-type]
    assert len(commands.tasks.names()) == 4  # one task per request, none shared
    async with asyncio.timeout(60):
        await settled(commands.tasks)
    answers = [reply.sent for reply in replies]
    assert all(len(sent) == 1 and sent[0]["ok"] for sent in answers), answers
    created = {sent[0]["address"]["address"] for sent in answers}
    assert len(created) == 4
    assert {r.address for r in inbox.addresses()} == created
    await commands.tasks.close(1.0)


async def _stored(inbox: Inbox, address: str, count: int) -> None:
    async with asyncio.timeout(30):
        while inbox.count_messages(address) < count:  # noqa: ASYNC110  (the store is plain state)
            await asyncio.sleep(0.02)


async def test_export_then_import_into_a_fresh_instance_restores_every_address(
    qtbot: QtBot, server: LocalMailServer, tmp_path: Path
) -> None:
    export = tmp_path / "addresses.json"
    async with running_inbox(server, PasswordVault(DictKeyring())) as first:
        commands = _commands(first)
        made = [(await _answer(commands, "new", {}))["address"]["address"] for _ in range(2)]
        for address in made:
            await send_mail(server, address, f"for {address}", "body")
        answer = await _answer(commands, "export", {"file": str(export), "with_passwords": True})
        assert answer["ok"] and answer["count"] == 2 and answer["without_password"] == []
        without = tmp_path / "no-passwords.json"
        assert (await _answer(commands, "export", {"file": str(without)}))["ok"]
        await commands.tasks.close(1.0)
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert all("password" not in item for item in json.loads(without.read_text())["addresses"])

    # A fresh data directory: its own cache and keyring, the same server.
    async with running_inbox(server, PasswordVault(DictKeyring())) as fresh:
        commands = _commands(fresh)
        answer = await _answer(commands, "import", {"file": str(export)})
        assert answer["ok"], answer
        assert sorted(answer["added"]) == sorted(made) and answer["skipped"] == []
        for address in made:  # logged in, live, and their mail arrives in the fresh cache
            await _stored(fresh, address, 1)
            assert fresh.is_open(address)
        again = await _answer(commands, "import", {"file": str(export)})
        assert again["added"] == []
        assert sorted(item["address"] for item in again["skipped"]) == sorted(made)
        assert {item["reason"] for item in again["skipped"]} == {"already in your list"}
        await commands.tasks.close(1.0)


async def test_an_import_with_one_bad_entry_changes_nothing(
    qtbot: QtBot, inbox: Inbox, tmp_path: Path
) -> None:
    good = {
        "address": "good@temp-inbox.test",
        "provider": {"id": "local", "api_url": "http://127.0.0.1:9", "hub_url": "http://127.0.0.1:9/hub"},
        "password": "pw-good-123456",
    }
    bad = {**good, "address": "bad@temp-inbox.test", "provider": {"api_url": "ftp://nowhere"}}
    document = {"format": FORMAT, "version": 1, "addresses": [good, bad]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    commands = _commands(inbox)
    answer = await _answer(commands, "import", {"file": str(path)})
    assert answer["ok"] is False and "entry 2" in answer["error"]
    assert inbox.addresses() == []
    await commands.tasks.close(1.0)


async def test_a_relative_file_is_refused(qtbot: QtBot, inbox: Inbox) -> None:
    commands = _commands(inbox)
    for command in ("export", "import"):
        answer = await _answer(commands, command, {"file": "addresses.json"})
        assert answer["ok"] is False and "absolute path" in answer["error"]
