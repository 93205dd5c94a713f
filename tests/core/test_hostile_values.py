"""Undigestible values from the service (issue 9, defect 4): parsers default or raise ProtocolError,
the cache stores what the parsers give it, and sync survives."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from desktop_app.core import errors
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.ratelimit import RateLimiter
from desktop_app.core.events import MessageAdded, MessageBodyLoaded, SyncProblem
from desktop_app.core.live.subscription import HubStreams
from desktop_app.core.models import (
    Attachment,
    Message,
    MessageSummary,
    Page,
    Token,
    parse_collection,
    parse_datetime,
)
from desktop_app.core.store.cache import Store
from desktop_app.core.sync import MailboxSet
from tests.core.corpus import api as corpus
from tests.core.store_helpers import PROVIDER
from tests.core.test_sync import HUB, SETTINGS, inbox
from tests.integration.support import (
    EventLog,
    FakeMailClient,
    MemoryStore,
    ScriptedHub,
    frame,
    message_event,
    summary,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("value", corpus.BAD_INTS, ids=lambda v: repr(v)[:20])
def test_bad_numbers_become_the_default(value: Any) -> None:
    attachment = Attachment.from_json({"id": "a", "size": value})
    assert attachment.size == 0
    assert MessageSummary.from_json(corpus.message(size=value)).size == 0


@pytest.mark.parametrize("value", corpus.BAD_DATES, ids=lambda v: repr(v)[:20])
def test_bad_dates_become_the_epoch(value: str) -> None:
    assert parse_datetime(value) == EPOCH


def test_lone_surrogates_are_replaced() -> None:
    parsed = Message.from_json(corpus.message(subject="a\ud800b", html=["<p>\udfff</p>"], text="\ud83d"))
    assert parsed.summary.subject == "a\ufffdb"
    assert parsed.html == ("<p>\ufffd</p>",)
    assert parsed.text == "\ufffd"


@pytest.mark.parametrize(("name", "payload"), corpus.payload_files())
def test_corpus_payloads_parse_or_raise_protocol_error(name: str, payload: object) -> None:
    for parse in (Message.from_json, MessageSummary.from_json):
        with contextlib.suppress(errors.ProtocolError):
            parse(payload)
    with contextlib.suppress(errors.ProtocolError):
        parse_collection(payload, name)


def test_hostile_message_is_stored_and_read_back() -> None:
    (_, payload), *_ = [p for p in corpus.payload_files() if p[0] == "message-nan-size.json"]
    message = Message.from_json(payload)
    with Store() as store:
        store.save_provider(PROVIDER)
        store.add_address("me@example.org", PROVIDER.id, state="active")  # type: ignore[arg-type]
        store.save_message("me@example.org", message)
        assert store.get_message("m1") == message
        assert store.list_summaries("me@example.org")[0].subject == "\ufffd"


def test_store_sorts_a_date_without_a_utc_form() -> None:
    far = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59)))
    odd = MessageSummary.from_json(corpus.message(id="far"))
    odd = MessageSummary(**{**{f: getattr(odd, f) for f in odd.__slots__}, "created_at": far})  # type: ignore[arg-type]
    with Store() as store:
        store.save_provider(PROVIDER)
        store.add_address("me@example.org", PROVIDER.id, state="active")  # type: ignore[arg-type]
        assert store.save_summaries("me@example.org", [odd]) == ["far"]


def _client(body: bytes, status: int = 200) -> MailTmClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/ld+json"})

    return MailTmClient(
        "http://api.test",
        transport=httpx.MockTransport(handler),
        limiter=RateLimiter(1000),
        backoff_base=0.001,
    )


async def test_deeply_nested_json_is_a_protocol_error() -> None:
    client = _client(corpus.deeply_nested_json())
    with pytest.raises(errors.ProtocolError):
        await client.domains()
    await client.aclose()


async def test_deeply_nested_error_body_is_still_an_api_error() -> None:
    client = _client(corpus.deeply_nested_json(), status=422)
    with pytest.raises(errors.ValidationError):
        await client.domains()
    await client.aclose()


async def test_one_unreadable_member_does_not_hide_the_page() -> None:
    (_, payload), *_ = [p for p in corpus.payload_files() if p[0] == "collection-mixed.json"]
    client = _client(json.dumps(payload).encode())
    client.token = "t"
    page = await client.messages()
    assert [s.id for s in page.items] == ["ok", "ok2"]
    assert page.total is None
    await client.aclose()


class ExplodingClient(FakeMailClient):
    """Raises a non-API exception (a bug, an undigestible value) on the first page and the first body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.explode_pages = 1
        self.explode_bodies = 1

    async def messages(self, page: int = 1) -> Page:
        if self.explode_pages:
            self.explode_pages -= 1
            raise RuntimeError("boom")
        return await super().messages(page)

    async def message(self, message_id: str) -> Message:
        if self.explode_bodies:
            self.explode_bodies -= 1
            raise OverflowError("boom")
        return await super().message(message_id)


class PickyStore(MemoryStore):
    """Refuses to store one message, as the real cache refuses a value it cannot encode."""

    def save_summaries(
        self, address: str, summaries: Any, *, pushed: bool = False, before_commit: Any = None
    ) -> list[str]:
        if any(s.id == "bad" for s in summaries):
            raise errors.StoreError(detail="cannot encode")
        return super().save_summaries(address, summaries, pushed=pushed, before_commit=before_commit)


async def _run(client: FakeMailClient, store: MemoryStore) -> tuple[EventLog, MemoryStore]:
    hub = ScriptedHub()
    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=SETTINGS)
    log = EventLog()
    boxes.events.subscribe(log)
    mailbox = boxes.add(client, HUB)
    try:
        async with asyncio.timeout(10):
            await mailbox.wait_caught_up()
        await log.wait_for(lambda: len(log.of(MessageBodyLoaded)) >= 2)
    finally:
        assert await boxes.aclose(2.0)
        await boxes.streams.http.aclose()
    return log, store


async def test_catch_up_and_bodies_survive_unexpected_exceptions() -> None:
    log, store = await _run(ExplodingClient(inbox=inbox(3)), MemoryStore())
    assert store.known_message_ids("me@example.org") == {"m0", "m1", "m2"}
    assert log.of(SyncProblem)
    assert all(p.error == "Something went wrong." for p in log.of(SyncProblem))


async def test_one_message_the_store_refuses_does_not_keep_the_others_out() -> None:
    client = FakeMailClient(inbox=[summary("m2", minutes=2), summary("bad", minutes=1), summary("m0")])
    log, store = await _run(client, PickyStore())
    assert store.known_message_ids("me@example.org") == {"m0", "m2"}
    assert {e.summary.id for e in log.of(MessageAdded)} == {"m0", "m2"}


async def test_listed_and_pushed_messages_of_another_account_are_not_stored() -> None:
    client = FakeMailClient(inbox=[summary("mine"), summary("theirs", account_id="other")])
    hub, store = ScriptedHub(), MemoryStore()
    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=SETTINGS)
    log = EventLog()
    boxes.events.subscribe(log)
    mailbox = boxes.add(client, HUB)
    try:
        await mailbox.wait_caught_up()
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("pushed-theirs", account_id="other")))
        stream.send(frame(message_event("pushed-mine")))
        await log.wait_for(lambda: "pushed-mine" in {e.summary.id for e in log.of(MessageAdded)})
    finally:
        assert await boxes.aclose(2.0)
        await boxes.streams.http.aclose()
    # (pushed-mine is then dropped again: the fake service has no body for it, so it counts as deleted.)
    assert {e.summary.id for e in log.of(MessageAdded)} == {"mine", "pushed-mine"}
    assert "theirs" not in store.known_message_ids("me@example.org")


@pytest.mark.parametrize("token", ["tök", "a\nb", " padded ", "\ud800"])
def test_a_token_that_cannot_be_a_header_is_a_protocol_error(token: str) -> None:
    with pytest.raises(errors.ProtocolError):
        Token.from_json({"id": "acc1", "token": token})
