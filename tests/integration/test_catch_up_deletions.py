"""A message deleted on the service while the app is stopped is gone after the next start's catch-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.core.sync import MailboxSet
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC

pytestmark = [pytest.mark.timeout(120)]


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


async def _caught_up(mailboxes: MailboxSet, address: str) -> None:
    mailbox = mailboxes.get(address)
    assert mailbox is not None
    async with asyncio.timeout(30):
        while mailbox.catch_ups == 0:  # noqa: ASYNC110  (the first round has not even begun)
            await asyncio.sleep(0.01)
        await mailbox.wait_caught_up()


async def test_mail_deleted_while_stopped_is_gone_after_the_next_start(tmp_path: Path) -> None:
    keyring = DictKeyring()
    async with LocalMailServer(rate_limit=None) as server:
        provider = local_provider(server.api_url, server.hub_url)
        store = Store(tmp_path / "cache.sqlite3")
        first = Inbox(
            store, PasswordVault(keyring), provider, sync_settings=FAST_SYNC, client_factory=_fast_client
        )
        await first.start()
        record = await first.create_address()
        for subject in ("keep me", "delete me", "keep me too"):
            await send_mail(server, record.address, subject, "body")
        async with asyncio.timeout(30):
            while store.count_summaries(record.address) < 3:  # noqa: ASYNC110  (the store is plain state)
                await asyncio.sleep(0.02)
        assert await first.aclose(2.0)
        store.close()

        # While the app is stopped, another client deletes one message and a new one arrives.
        account = server.store.account_by_address(record.address)
        assert account is not None
        (doomed,) = [m for m in server.store.list_messages(account.id, 0, 100) if m.subject == "delete me"]
        server.mail.delete_message(doomed.id, account.id)
        await send_mail(server, record.address, "arrived while away", "body")

        store = Store(tmp_path / "cache.sqlite3")
        mailboxes = MailboxSet(store, settings=FAST_SYNC)
        later = Inbox(
            store, PasswordVault(keyring), provider, client_factory=_fast_client, mailboxes=mailboxes
        )
        try:
            await later.start()
            await _caught_up(mailboxes, record.address)
            subjects = {s.subject for s in store.list_summaries(record.address)}
            assert subjects == {"keep me", "keep me too", "arrived while away"}
            assert store.get_summary(doomed.id) is None
        finally:
            assert await later.aclose(2.0)
            store.close()
