"""A burst that arrives while the app is stopped comes back through a two-page catch-up against the
local server and is listed in the service's own order (its arrival order), newest first; mail pushed
live afterwards goes on top. (Page 2 of the burst used to be listed above page 1 within its second.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.core.sync import MailboxSet
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.integration.test_catch_up_deletions import _caught_up, _fast_client

pytestmark = [pytest.mark.timeout(120)]
BURST = 35  # more than the service's page of 30


async def test_a_burst_caught_up_over_two_pages_and_then_pushed_mail_list_in_arrival_order(
    tmp_path: Path,
) -> None:
    keyring = DictKeyring()
    async with LocalMailServer(rate_limit=None) as server:
        provider = local_provider(server.api_url, server.hub_url)

        def inbox(store: Store, mailboxes: MailboxSet | None = None) -> Inbox:
            return Inbox(
                store,
                PasswordVault(keyring),
                provider,
                sync_settings=FAST_SYNC,
                client_factory=_fast_client,
                mailboxes=mailboxes,
            )

        store = Store(tmp_path / "cache.sqlite3")
        first = inbox(store)
        await first.start()
        record = await first.create_address()
        assert await first.aclose(2.0)
        store.close()
        for n in range(BURST):  # while the app is stopped: only the catch-up's pages bring them
            await send_mail(server, record.address, f"burst {n:02d}", "body")
        account = server.store.account_by_address(record.address)
        assert account is not None

        def service_order() -> list[str]:
            return [m.id for m in server.store.list_messages(account.id, 0, 100)]  # newest first

        store = Store(tmp_path / "cache.sqlite3")
        mailboxes = MailboxSet(store, settings=FAST_SYNC)
        later = inbox(store, mailboxes)
        try:
            await later.start()
            await _caught_up(mailboxes, record.address)
            assert [s.id for s in store.list_summaries(record.address, limit=100)] == service_order()
            for n in range(3):
                await send_mail(server, record.address, f"pushed {n}", "body")
            async with asyncio.timeout(30):
                while store.count_summaries(record.address) < BURST + 3:  # noqa: ASYNC110  (plain state)
                    await asyncio.sleep(0.02)
            listed = [s.id for s in store.list_summaries(record.address, limit=100)]
            assert listed == service_order()
            assert len(listed) == BURST + 3
        finally:
            assert await later.aclose(2.0)
            store.close()
