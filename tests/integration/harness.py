"""Wiring for integration tests: real local server, real API clients, real SQLite store, MailboxSet."""

from __future__ import annotations

import asyncio
import smtplib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import custom_provider
from desktop_app.core.api.ratelimit import RateLimiter
from desktop_app.core.events import MailboxEvent, MessageAdded, MessageBodyLoaded
from desktop_app.core.live.subscription import HubStreams, LiveSettings
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.core.sync import MailboxSet, SyncSettings
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import build_message

DOMAIN = "temp-inbox.test"
PASSWORD = "correct horse battery"

FAST_SYNC = SyncSettings(
    live=LiveSettings(idle_timeout=10.0, backoff_base=0.05, backoff_cap=0.5, healthy_after=60.0),
    retry_base=0.05,
    retry_cap=0.5,
)


@dataclass
class Counted:
    """Every MessageAdded / MessageBodyLoaded per message id, to prove each happened exactly once."""

    added: Counter[str] = field(default_factory=Counter)
    bodies: Counter[str] = field(default_factory=Counter)

    def __call__(self, event: MailboxEvent) -> None:
        if isinstance(event, MessageAdded):
            self.added[event.summary.id] += 1
        elif isinstance(event, MessageBodyLoaded):
            self.bodies[event.message.id] += 1


@dataclass
class Fleet:
    """Many addresses on one server, each with a running mailbox."""

    server: LocalMailServer
    api: MailTmClient
    store: Store
    boxes: MailboxSet
    accounts: dict[str, str]  # address → account id
    counted: Counted

    @classmethod
    async def start(
        cls,
        server: LocalMailServer,
        store_path: Path,
        count: int,
        settings: SyncSettings = FAST_SYNC,
        streams: HubStreams | None = None,
    ) -> Fleet:
        api = MailTmClient(server.api_url, backoff_base=0.02, limiter=RateLimiter(10_000))
        store = Store(store_path)
        provider = custom_provider(server.api_url, server.hub_url)
        store.save_provider(provider)
        boxes = MailboxSet(store, settings=settings, streams=streams)
        counted = Counted()
        boxes.events.subscribe(counted)
        accounts: dict[str, str] = {}
        for index in range(count):
            address = f"user{index:03d}@{DOMAIN}"
            if server.store.account_by_address(address) is None:
                server.create_account_direct(address, PASSWORD)
            account = server.store.account_by_address(address)
            assert account is not None
            accounts[address] = account.id
            if store.get_address(address) is None:
                store.add_address(address, provider.id, state=AddressState.ACTIVE, account_id=account.id)
        fleet = cls(server, api, store, boxes, accounts, counted)
        fleet.add_mailboxes(server.hub_url)
        return fleet

    def add_mailboxes(self, hub_url: str) -> None:
        for address in self.accounts:
            # Logging in is the mailbox's job; the client starts with only the address and password.
            self.boxes.add(self.api.for_account(address, PASSWORD), hub_url)

    async def close(self) -> bool:
        closed = await self.boxes.aclose(2.0)
        await self.api.aclose()
        self.store.close()
        return closed

    def all_live(self) -> bool:
        return all(box.state.kind == "live" for box in self.boxes)

    def server_ids(self, address: str) -> set[str]:
        return {m.id for m in self.server.store.list_messages(self.accounts[address], 0, 100_000)}

    def converged(self) -> bool:
        return all(self.store.known_message_ids(a) == self.server_ids(a) for a in self.accounts)


def _send_batch(host: str, port: int, jobs: Sequence[tuple[str, str]]) -> None:
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        for recipient, subject in jobs:
            message = build_message(recipient, subject, f"Body of {subject}. Your code is 123456.")
            smtp.sendmail("sender@example.com", [recipient], message.as_bytes())


async def send_concurrently(
    server: LocalMailServer, jobs: Sequence[tuple[str, str]], connections: int = 5
) -> None:
    """Send ``jobs`` (recipient, subject) over ``connections`` SMTP sessions in worker threads."""
    batches = [jobs[i::connections] for i in range(connections)]
    await asyncio.gather(
        *(asyncio.to_thread(_send_batch, server.smtp_host, server.smtp_port, b) for b in batches if b)
    )
