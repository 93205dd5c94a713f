"""Test doubles for the sync layer: an in-memory MailboxStore, a scriptable REST client and a hub that
tests feed byte by byte through ``httpx.MockTransport``."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from desktop_app.core import errors
from desktop_app.core.events import MailboxEvent
from desktop_app.core.models import Address, Message, MessageSummary, Page, Token

T0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


class MemoryStore:
    """MailboxStore in a dict; counts writes so tests can see duplicates the real store would hide."""

    def __init__(self) -> None:
        self.summaries: dict[str, dict[str, MessageSummary]] = {}
        self.full: dict[str, Message] = {}
        self.seen: dict[str, bool] = {}
        self.usage: dict[str, tuple[int, int]] = {}
        self.inserts: Counter[str] = Counter()

    def known_message_ids(self, address: str) -> set[str]:
        return set(self.summaries.get(address.lower(), {}))

    def known_message_times(self, address: str) -> dict[str, datetime]:
        return {i: s.created_at for i, s in self.summaries.get(address.lower(), {}).items()}

    def save_summaries(
        self,
        address: str,
        summaries: Sequence[MessageSummary],
        *,
        pushed: bool = False,
        before_commit: Callable[[list[str]], None] | None = None,
    ) -> list[str]:
        box = self.summaries.setdefault(address.lower(), {})
        new = []
        for summary in summaries:
            if summary.id not in box and not any(summary.id in other for other in self.summaries.values()):
                new.append(summary.id)
                self.inserts[summary.id] += 1
            box[summary.id] = summary
            self.seen[summary.id] = summary.seen
        if before_commit is not None and new:
            before_commit(new)
        return new

    def save_message(self, address: str, message: Message) -> None:
        self.save_summaries(address, [message.summary])
        self.full[message.id] = message

    def has_full_message(self, message_id: str) -> bool:
        return message_id in self.full

    def set_seen(self, message_id: str, seen: bool) -> None:
        self.seen[message_id] = seen

    def remove_message(self, message_id: str) -> None:
        for box in self.summaries.values():
            box.pop(message_id, None)
        self.full.pop(message_id, None)

    def set_usage(self, address: str, used: int, quota: int) -> None:
        self.usage[address.lower()] = (used, quota)


def summary(
    message_id: str, *, minutes: int = 0, seen: bool = False, account_id: str = "acc1"
) -> MessageSummary:
    return MessageSummary(
        id=message_id,
        account_id=account_id,
        sender=Address("alice@example.org", "Alice"),
        subject=f"subject {message_id}",
        intro="intro",
        seen=seen,
        size=100,
        created_at=T0 + timedelta(minutes=minutes),
        updated_at=T0 + timedelta(minutes=minutes),
    )


def message_event(message_id: str, *, seen: bool = False, account_id: str = "acc1") -> dict[str, Any]:
    return {
        "@context": "/contexts/Message",
        "@id": f"/messages/{message_id}",
        "@type": "Message",
        "id": message_id,
        "accountId": f"/accounts/{account_id}",
        "msgid": f"<{message_id}@example.org>",
        "from": {"address": "alice@example.org", "name": "Alice"},
        "to": [{"address": "me@example.org", "name": ""}],
        "subject": f"subject {message_id}",
        "intro": "intro",
        "seen": seen,
        "isDeleted": False,
        "hasAttachments": False,
        "size": 100,
        "downloadUrl": f"/messages/{message_id}/download",
        "createdAt": "2026-11-22T12:00:00+00:00",
        "updatedAt": "2026-11-22T12:00:00+00:00",
    }


def frame(payload: object, event_id: str | None = None) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    lines = [f"id: {event_id}"] if event_id else []
    lines += [f"data: {part}" for part in data.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


@dataclass
class FakeMailClient:
    """The REST side of MailTmClient, serving messages from a list (newest first)."""

    address: str | None = "me@example.org"
    token: str | None = "token-1"
    account_id: str | None = "acc1"
    inbox: list[MessageSummary] = field(default_factory=list)
    page_size: int = 30
    logins: int = 0
    page_requests: list[int] = field(default_factory=list)
    body_requests: list[str] = field(default_factory=list)
    fail_pages: list[errors.ApiError] = field(default_factory=list)  # raised by the next page requests
    fail_bodies: list[errors.ApiError] = field(default_factory=list)
    login_error: errors.ApiError | None = None

    async def login(self, address: str | None = None, password: str | None = None) -> Token:
        self.logins += 1
        if self.login_error is not None:
            raise self.login_error
        self.token = f"token-{self.logins + 1}"
        return Token(id=self.account_id or "acc1", token=self.token)

    async def messages(self, page: int = 1) -> Page:
        self.page_requests.append(page)
        if self.fail_pages:
            raise self.fail_pages.pop(0)
        start = (page - 1) * self.page_size
        items = tuple(self.inbox[start : start + self.page_size])
        return Page(items=items, total=len(self.inbox), has_next=start + self.page_size < len(self.inbox))

    async def message(self, message_id: str) -> Message:
        self.body_requests.append(message_id)
        if self.fail_bodies:
            raise self.fail_bodies.pop(0)
        for item in self.inbox:
            if item.id == message_id:
                return Message(summary=item, text=f"text of {message_id}")
        raise errors.NotFoundError(status=404)


class FeedStream(httpx.AsyncByteStream):
    """A response body the test writes into: bytes, an exception to raise, or None to end it."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
        self.closed = asyncio.Event()

    def send(self, item: bytes | BaseException | None) -> None:
        self.queue.put_nowait(item)

    async def __aiter__(self):  # type: ignore[override]
        while True:
            item = await self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    async def aclose(self) -> None:
        self.closed.set()


@dataclass
class ScriptedHub:
    """A MockTransport hub: each subscribe request gets the next scripted status (200 by default) and,
    for 200, a FeedStream that the test drives."""

    statuses: list[int] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    streams: list[FeedStream] = field(default_factory=list)
    connected: asyncio.Condition = field(default_factory=asyncio.Condition)
    on_stream: Callable[[FeedStream], None] | None = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        if status != 200:
            return httpx.Response(status, text="Unauthorized" if status == 401 else "error")
        stream = FeedStream()
        stream.send(b":\n\n")
        self.streams.append(stream)
        if self.on_stream is not None:
            self.on_stream(stream)
        async with self.connected:
            self.connected.notify_all()
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle))

    async def wait_streams(self, count: int, timeout: float = 30.0) -> FeedStream:
        async with asyncio.timeout(timeout), self.connected:
            await self.connected.wait_for(lambda: len(self.streams) >= count)
        return self.streams[count - 1]


class EventLog:
    """Collects emitted mailbox events and lets a test await a condition on them."""

    def __init__(self) -> None:
        self.events: list[MailboxEvent] = []
        self._changed = asyncio.Event()

    def __call__(self, event: MailboxEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()


async def poll_until(predicate: Callable[[], bool], timeout: float = 30.0, interval: float = 0.01) -> None:
    """For conditions nothing signals (counters inside the code under test). The timeout is a bound
    on a hang, not a guess at how long it takes."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110  (nothing to await: the counter is plain state)
            await asyncio.sleep(interval)
