"""Mailbox: live updates + REST catch-up into the store, with a scripted hub and REST client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from desktop_app.core import errors
from desktop_app.core.events import (
    ConnectionChanged,
    EventEmitter,
    MessageAdded,
    MessageBodyLoaded,
    MessageRemoved,
    MessageUpdated,
    SyncProblem,
    UsageChanged,
)
from desktop_app.core.live.subscription import HubStreams, LiveSettings
from desktop_app.core.sync import Mailbox, MailboxSet, SyncSettings
from tests.core.test_live_parsing import ACCOUNT_EVENT
from tests.integration.support import (
    EventLog,
    FakeMailClient,
    MemoryStore,
    ScriptedHub,
    frame,
    message_event,
    poll_until,
    summary,
)

HUB = "http://hub.test/.well-known/mercure"
SETTINGS = SyncSettings(
    live=LiveSettings(idle_timeout=5, backoff_base=0.01, backoff_cap=0.05),
    retry_base=0.01,
    retry_cap=0.05,
)


@asynccontextmanager
async def running_mailbox(
    client: FakeMailClient, store: MemoryStore, hub: ScriptedHub, settings: SyncSettings = SETTINGS
) -> AsyncIterator[tuple[Mailbox, EventLog]]:
    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=settings)
    log = EventLog()
    boxes.events.subscribe(log)
    mailbox = boxes.add(client, HUB)
    try:
        yield mailbox, log
    finally:
        assert await boxes.aclose(2.0)
        await boxes.streams.http.aclose()


def inbox(count: int, start: int = 0) -> list:
    """``count`` summaries, newest first, ids m<start+count-1> … m<start>."""
    return [summary(f"m{i}", minutes=i) for i in reversed(range(start, start + count))]


async def test_first_connect_catches_up_every_page_and_fetches_each_body_once() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(65)), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        await log.wait_for(lambda: len(log.of(MessageBodyLoaded)) == 65)
        assert client.page_requests == [1, 2, 3]
        assert store.known_message_ids("me@example.org") == {f"m{i}" for i in range(65)}
        assert sorted(client.body_requests) == sorted(f"m{i}" for i in range(65))
        assert len(log.of(MessageAdded)) == 65
        assert mailbox.state.kind == "live"


async def test_reconnect_lists_only_until_a_known_message() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(40)), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        client.page_requests.clear()
        client.inbox = inbox(3, start=40) + client.inbox  # arrived while the stream was down
        (await hub.wait_streams(1)).send(None)
        await hub.wait_streams(2)
        await log.wait_for(lambda: len(log.of(MessageAdded)) == 43)
        await mailbox.wait_caught_up()
        assert client.page_requests == [1]
        assert {e.summary.id for e in log.of(MessageAdded)[40:]} == {"m40", "m41", "m42"}


@pytest.mark.timing
async def test_a_live_message_is_stored_and_its_body_fetched_exactly_once() -> None:
    client, store, hub = FakeMailClient(), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        client.inbox = [summary("m2"), summary("m1")]
        stream = await hub.wait_streams(1)
        for event_id in ("1", "2", "3"):  # the same message pushed three times (e.g. replay)
            stream.send(frame(message_event("m1"), event_id))
        # A sentinel behind them: events are handled in order and fetches start in the order they are
        # asked for, so once m2's body is in, any second fetch of m1 would already have been asked for.
        stream.send(frame(message_event("m2"), "4"))
        await log.wait_for(lambda: {e.message.id for e in log.of(MessageBodyLoaded)} == {"m1", "m2"})
        assert client.body_requests == ["m1", "m2"]
        assert store.inserts["m1"] == 1
        assert [e.summary.id for e in log.of(MessageAdded)] == ["m1", "m2"]
        assert store.full["m1"].text == "text of m1"


async def test_an_unreadable_event_falls_back_to_a_catch_up() -> None:
    client, store, hub = FakeMailClient(), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        client.inbox = [summary("m7")]
        (await hub.wait_streams(1)).send(frame("2", "x"))
        await log.wait_for(lambda: len(log.of(MessageAdded)) == 1)
        assert log.of(MessageAdded)[0].summary.id == "m7"
        assert client.page_requests == [1, 1]


async def test_catch_up_failures_are_retried_and_resume_past_the_failed_page() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(70)), MemoryStore(), ScriptedHub()
    # page 1 succeeds, then page 2 fails three ways; the retry must not stop at the now-known page 1.
    client.fail_pages = []
    original = client.messages
    failures = [errors.RateLimitedError(status=429), errors.ServerError(status=500), errors.ProtocolError()]

    async def flaky(page: int = 1):  # type: ignore[no-untyped-def]
        if page == 2 and failures:
            client.page_requests.append(page)
            raise failures.pop(0)
        return await original(page)

    client.messages = flaky  # type: ignore[method-assign]
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        assert store.known_message_ids("me@example.org") == {f"m{i}" for i in range(70)}
        assert len(log.of(SyncProblem)) == 3
        assert client.page_requests == [1, 2, 1, 2, 1, 2, 1, 2, 3]


async def test_body_fetch_failures_are_retried_and_never_repeated_after_success() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(2)), MemoryStore(), ScriptedHub()
    client.fail_bodies = [errors.ServerError(status=500), errors.NetworkError()]
    async with running_mailbox(client, store, hub) as (_mailbox, log):
        await log.wait_for(lambda: len(log.of(MessageBodyLoaded)) == 2)
        assert len(client.body_requests) == 4
        assert set(client.body_requests) == {"m0", "m1"}


async def test_deletes_and_seen_changes_from_another_client_are_applied() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(3)), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("m0", seen=True)))
        stream.send(frame({"@id": "/messages/m1"}))
        stream.send(frame(message_event("m2") | {"isDeleted": True}))
        stream.send(frame(json.dumps(ACCOUNT_EVENT)))
        await log.wait_for(lambda: len(log.of(UsageChanged)) == 1)
        assert log.of(MessageUpdated) == [MessageUpdated("me@example.org", "m0", True)]
        assert {e.message_id for e in log.of(MessageRemoved)} == {"m1", "m2"}
        assert store.known_message_ids("me@example.org") == {"m0"}
        assert store.seen["m0"] is True
        assert store.usage["me@example.org"] == (11766, 40000000)


async def test_a_catch_up_does_not_resurrect_a_message_deleted_meanwhile() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(2)), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, _log):
        await mailbox.wait_caught_up()
        stream = await hub.wait_streams(1)
        stream.send(frame({"@id": "/messages/m1"}))  # the service still lists m1 (stale page)
        stream.send(frame("2"))
        await poll_until(lambda: mailbox.catch_ups == 2)
        assert store.known_message_ids("me@example.org") == {"m0"}


async def test_connection_state_is_emitted_per_address() -> None:
    client, store, hub = FakeMailClient(), MemoryStore(), ScriptedHub(statuses=[503])
    async with running_mailbox(client, store, hub) as (_mailbox, log):
        await log.wait_for(lambda: any(e.state.kind == "live" for e in log.of(ConnectionChanged)))
        kinds = [e.state.kind for e in log.of(ConnectionChanged)]
        assert kinds == ["connecting", "retrying", "connecting", "live"]
        assert {e.address for e in log.of(ConnectionChanged)} == {"me@example.org"}


async def test_many_mailboxes_close_within_two_seconds() -> None:
    store, hub = MemoryStore(), ScriptedHub()
    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=SETTINGS)
    clients = [FakeMailClient(address=f"user{i}@example.org", account_id=f"acc{i}") for i in range(20)]
    for client in clients:
        boxes.add(client, HUB)
    await hub.wait_streams(20)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await boxes.aclose(2.0)
    assert loop.time() - started < 2.0
    assert all(stream.closed.is_set() for stream in hub.streams)
    assert len(boxes) == 0
    await boxes.streams.http.aclose()


async def test_adding_the_same_address_twice_returns_the_running_mailbox() -> None:
    store, hub = MemoryStore(), ScriptedHub()
    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=SETTINGS)
    first = boxes.add(FakeMailClient(address="Me@Example.org"), HUB)
    assert boxes.add(FakeMailClient(address="me@example.org"), HUB) is first
    assert boxes.get("ME@example.org") is first
    await boxes.aclose()
    await boxes.streams.http.aclose()


async def test_a_mailbox_needs_an_address() -> None:
    streams = HubStreams()
    with pytest.raises(errors.UsageError):
        Mailbox(FakeMailClient(address=None), MemoryStore(), streams, HUB, EventEmitter())
    await streams.aclose()


async def test_reconnect_revives_a_failed_subscription() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(1)), MemoryStore(), ScriptedHub(statuses=[403])
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await log.wait_for(lambda: mailbox.state.kind == "failed")
        await mailbox.wait_caught_up()  # a failed hub still gets one REST look at the inbox
        assert store.known_message_ids("me@example.org") == {"m0"}
        mailbox.reconnect()
        await log.wait_for(lambda: mailbox.state.kind == "live")
        assert mailbox.subscription.connections == 1


async def test_a_gone_account_stops_the_catch_up_instead_of_retrying_forever() -> None:
    client, store, hub = FakeMailClient(), MemoryStore(), ScriptedHub()
    client.fail_pages = [errors.AccountGoneError(status=401)]
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        problems = log.of(SyncProblem)
        assert len(problems) == 1 and problems[0].retry_in is None
        assert problems[0].error == "This address no longer exists or its password is wrong."
        assert client.page_requests == [1]


async def test_local_seen_and_delete_are_not_echoed_back_by_the_hub() -> None:
    client, store, hub = FakeMailClient(inbox=inbox(2)), MemoryStore(), ScriptedHub()
    async with running_mailbox(client, store, hub) as (mailbox, log):
        await mailbox.wait_caught_up()
        mailbox.note_seen("m0", True)
        mailbox.note_deleted("m1")
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("m0", seen=True)))  # the echo of our own PATCH
        stream.send(frame({"@id": "/messages/m1"}))  # and of our own DELETE
        stream.send(frame(json.dumps(ACCOUNT_EVENT)))
        await log.wait_for(lambda: len(log.of(UsageChanged)) == 1)
        assert log.of(MessageUpdated) == [MessageUpdated("me@example.org", "m0", True)]
        assert log.of(MessageRemoved) == [MessageRemoved("me@example.org", "m1")]
        assert store.seen["m0"] is True and store.known_message_ids("me@example.org") == {"m0"}
