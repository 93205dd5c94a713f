"""Instance commands against the embedded local server: what a script running several commands sees."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.api import MailTmClient
from desktop_app.core.inbox import Inbox
from desktop_app.core.providers import Provider, local_provider
from desktop_app.core.secrets import PasswordVault
from desktop_app.core.store import Store
from desktop_app.instance_commands import InstanceCommands
from desktop_app.server import LocalMailServer
from desktop_app.ui.controller import AppSignals
from tests.integration.harness import FAST_SYNC
from tests.ui.test_app_glue import RecordingReply, settled

pytestmark = [pytest.mark.timeout(120)]


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


@pytest.fixture(name="inbox")
async def inbox_fixture() -> AsyncIterator[Inbox]:
    async with LocalMailServer(rate_limit=None) as server:
        store = Store(None)
        vault = PasswordVault()
        vault.use_session_only()
        inbox = Inbox(
            store,
            vault,
            local_provider(server.api_url, server.hub_url),
            sync_settings=FAST_SYNC,
            client_factory=_fast_client,
        )
        await inbox.start()
        yield inbox
        assert await inbox.aclose(2.0)
        store.close()


async def test_four_concurrent_new_commands_give_four_addresses(qtbot: QtBot, inbox: Inbox) -> None:
    commands = InstanceCommands(
        inbox, AppSignals(), raise_window=lambda: None, quit_app=lambda: None, info=lambda: {}
    )
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
