"""The Inbox application service end to end against the in-memory local server (session-only vault)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, local_provider
from desktop_app.core.errors import ApiError, PasswordMissingError
from desktop_app.core.events import (
    ConnectionChanged,
    MailboxEvent,
    MessageAdded,
    MessageRemoved,
    MessageUpdated,
)
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.core.sync import MailboxSet
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC

# timing: the inbox fixture checks the shutdown deadline after every test.
pytestmark = [pytest.mark.timeout(60), pytest.mark.timing]


@dataclass
class Recorded:
    events: list[MailboxEvent] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: MailboxEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def until(self, predicate: Callable[[MailboxEvent], bool], timeout: float = 30.0) -> MailboxEvent:
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                self.changed.clear()
                await self.changed.wait()

    def count(self, predicate: Callable[[MailboxEvent], bool]) -> int:
        return sum(1 for e in self.events if predicate(e))


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(rate_limit=None) as running:
        yield running


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


@pytest.fixture(name="store")
def store_fixture() -> Iterator[Store]:
    store = Store(None)
    yield store
    store.close()


@pytest.fixture(name="mailboxes")
def mailboxes_fixture(store: Store) -> MailboxSet:
    """The inbox's own mailboxes, for the tests that watch a catch-up."""
    return MailboxSet(store, settings=FAST_SYNC)


@pytest.fixture(name="vault")
def vault_fixture() -> PasswordVault:
    vault = PasswordVault()  # the fail backend from conftest: only session-only addresses can exist
    vault.use_session_only()
    return vault


@pytest.fixture(name="inbox")
async def inbox_fixture(
    server: LocalMailServer, store: Store, mailboxes: MailboxSet, vault: PasswordVault
) -> AsyncIterator[Inbox]:
    provider = local_provider(server.api_url, server.hub_url)
    inbox = Inbox(store, vault, provider, client_factory=_fast_client, mailboxes=mailboxes)
    await inbox.start()
    yield inbox
    # The deadline is the code's own (aclose says whether everything ended within it); the wall-clock
    # bound only catches a hang, so a loaded machine cannot fail it.
    started = time.monotonic()
    assert await inbox.aclose(2.0), "a task or mailbox outlived the shutdown deadline"
    assert time.monotonic() - started < 20


def _added(event: MailboxEvent, subject: str) -> bool:
    return isinstance(event, MessageAdded) and event.summary.subject == subject


async def _live(inbox: Inbox, recorded: Recorded, address: str) -> None:
    if not inbox.is_live(address):
        await recorded.until(
            lambda e: isinstance(e, ConnectionChanged) and e.address == address and e.state.kind == "live"
        )


async def test_new_mail_is_read_marked_seen_and_deleted(
    inbox: Inbox, server: LocalMailServer, store: Store, mailboxes: MailboxSet
) -> None:
    recorded = Recorded()
    inbox.subscribe(recorded)
    record = await inbox.create_address(session_only=True)
    assert inbox.current_address == record.address
    await _live(inbox, recorded, record.address)

    await send_mail(server, record.address, "Your code", "Use 482913 to sign in.")
    added = await recorded.until(lambda e: _added(e, "Your code"))
    assert isinstance(added, MessageAdded)
    message_id = added.summary.id
    assert store.unread_counts().get(record.address) == 1

    loaded = await inbox.load_message(record.address, message_id)
    assert "482913" in loaded.message.text
    assert loaded.message.summary.seen  # as the window shows it: opening marked it seen
    # Not downloaded yet: the body comes without waiting for it, the source follows on request.
    assert loaded.raw is None and loaded.source_pending
    raw = await inbox.load_source(record.address, message_id)
    assert raw is not None and b"Your code" in raw
    again = await inbox.load_message(record.address, message_id)
    assert again.raw == raw and not again.source_pending  # cached now
    # Seen goes through the mailbox, so the window hears about it at once and the hub's echo is a no-op.
    assert recorded.count(lambda e: isinstance(e, MessageUpdated) and e.message_id == message_id) == 1
    assert store.unread_counts().get(record.address, 0) == 0
    pushed = inbox.tasks.get(f"seen {message_id}")
    if pushed is not None:
        await pushed
    assert server.store.message(message_id).seen is True  # type: ignore[union-attr]
    mailbox = mailboxes.get(record.address)
    assert mailbox is not None
    mailbox.request_catch_up("test")
    await mailbox.wait_caught_up()
    assert recorded.count(lambda e: isinstance(e, MessageUpdated) and e.message_id == message_id) == 1

    await inbox.set_seen(record.address, message_id, False)
    assert store.unread_counts().get(record.address) == 1
    assert server.store.message(message_id).seen is False  # type: ignore[union-attr]

    await inbox.delete_message(record.address, message_id)
    assert server.store.message(message_id) is None
    assert store.get_message(message_id) is None
    assert store.unread_counts().get(record.address, 0) == 0
    # The window and the tray learn of it through the event stream like any other removal.
    await recorded.until(lambda e: isinstance(e, MessageRemoved) and e.message_id == message_id, 1.0)


async def test_wait_for_message_filters_by_sender_and_times_out(
    inbox: Inbox, server: LocalMailServer
) -> None:
    recorded = Recorded()
    inbox.subscribe(recorded)
    record = await inbox.create_address(session_only=True)
    await _live(inbox, recorded, record.address)

    with pytest.raises(TimeoutError):
        await inbox.wait_for_message(record.address, timeout=0.2)

    waiting = asyncio.ensure_future(inbox.wait_for_message(record.address, sender="bank.example", timeout=5))
    await send_mail(server, record.address, "Newsletter", "nothing here", sender="News <news@shop.example>")
    await send_mail(
        server, record.address, "Sign-in", "Your code is 771203", sender="Bank <noreply@bank.example>"
    )
    arrived = await waiting
    assert arrived.address == record.address
    assert arrived.summary.subject == "Sign-in"
    assert arrived.extraction.code == "771203"
    assert arrived.as_dict()["from"] == "Bank <noreply@bank.example>"


async def test_delete_address_removes_it_everywhere(inbox: Inbox, server: LocalMailServer) -> None:
    first = await inbox.create_address(session_only=True)
    second = await inbox.create_address(session_only=True)
    assert inbox.current_address == second.address
    await inbox.delete_address(second.address)
    assert server.store.account_by_address(second.address) is None
    assert [a.address for a in inbox.addresses()] == [first.address]
    assert not inbox.is_open(second.address)
    assert inbox.current_address == first.address


async def test_an_address_that_could_not_be_deleted_stays_live(inbox: Inbox, server: LocalMailServer) -> None:
    recorded = Recorded()
    inbox.subscribe(recorded)
    record = await inbox.create_address(session_only=True)
    await _live(inbox, recorded, record.address)
    server.faults.fail_next(1000, "500")
    with pytest.raises(ApiError):
        await inbox.delete_address(record.address)
    server.faults.reset()
    assert [a.address for a in inbox.addresses()] == [record.address]
    assert inbox.is_open(record.address)
    await send_mail(server, record.address, "Still here", "the stream was reopened")
    await recorded.until(lambda e: _added(e, "Still here"))


async def test_an_address_without_its_password_shows_why(server: LocalMailServer) -> None:
    store = Store(None)
    provider = local_provider(server.api_url, server.hub_url)
    first = Inbox(store, PasswordVault(DictKeyring()), provider, sync_settings=FAST_SYNC)
    record = await first.create_address()
    await first.aclose()
    # A later session whose keyring has lost the entry of an address the cache still lists.
    later = Inbox(store, PasswordVault(DictKeyring()), provider, sync_settings=FAST_SYNC)
    try:
        await later.start()
        assert [a.address for a in later.addresses()] == [record.address]
        assert later.open_problems[record.address] == str(PasswordMissingError())
        assert not later.is_open(record.address)
    finally:
        await later.aclose()
        store.close()


async def test_a_slow_service_does_not_hold_up_the_other_addresses(server: LocalMailServer) -> None:
    store = Store(None)
    provider = local_provider(server.api_url, server.hub_url)
    vault = PasswordVault(DictKeyring())
    first = Inbox(store, vault, provider, sync_settings=FAST_SYNC, client_factory=_fast_client)
    ready = await first.create_address()
    await first.aclose()
    # A half-created address: settling it needs the service, which is slow to answer.
    half = "half.made0001@temp-inbox.test"
    store.add_address(half, provider.id, state=AddressState.PENDING)
    await vault.save(provider.id, half, "correct horse battery")
    server.faults.delay(0.4)
    later = Inbox(store, vault, provider, sync_settings=FAST_SYNC, client_factory=_fast_client)
    recorded = Recorded()
    later.subscribe(recorded)
    starting = asyncio.ensure_future(later.start())
    try:
        await recorded.until(lambda e: isinstance(e, ConnectionChanged) and e.address == ready.address, 0.35)
        assert not starting.done()
        await starting
        assert later.is_open(half)
        assert store.get_address(half).state is AddressState.ACTIVE  # type: ignore[union-attr]
    finally:
        server.faults.reset()
        starting.cancel()
        await later.aclose()
        store.close()
