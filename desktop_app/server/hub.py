"""A Mercure hub as mail.tm runs it (reference §6): private updates per ``/accounts/{id}`` topic.

Publishing is synchronous and ordered: the Message event of an arrival is queued before its Account
event for every subscriber. A bounded history serves ``Last-Event-ID`` replay. ``handed_over`` lets the
SMTP intake answer ``250`` only once the streams have written what it published (bounded), so a
subscriber hears of new mail no later than its sender hears it was accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from desktop_app.server.faults import FaultInjector


@dataclass(frozen=True, slots=True)
class HubEvent:
    id: str
    topic: str
    data: str
    glitch: bool = False

    def encode(self) -> bytes:
        # Newlines inside the data become extra ``data:`` lines (Mercure ``event.go``).
        lines = ["2", self.data] if self.glitch else self.data.split("\n")
        body = "".join(f"data: {line}\n" for line in lines)
        return f"id: {self.id}\n{body}\n".encode("utf-8", "replace")


def _set_event() -> asyncio.Event:
    event = asyncio.Event()
    event.set()
    return event


@dataclass(eq=False)
class Subscription:
    topics: frozenset[str]
    queue: asyncio.Queue[HubEvent | None] = field(default_factory=asyncio.Queue)
    # Set while the stream has handed everything queued to the HTTP server (hub_http's pump).
    idle: asyncio.Event = field(default_factory=_set_event)

    def wants(self, event: HubEvent) -> bool:
        return event.topic in self.topics


def normalise_topic(topic: str) -> str:
    """``https://host/accounts/x`` and ``/accounts/x`` name the same topic."""
    if "://" in topic:
        parts = urlsplit(topic)
        return parts.path or "/"
    return topic


def allowed_topics(requested: Iterable[str], claims: dict[str, Any]) -> frozenset[str]:
    """The requested topics the token's ``mercure.subscribe`` claim covers; the rest stay silent."""
    mercure = claims.get("mercure")
    granted = mercure.get("subscribe") if isinstance(mercure, dict) else None
    if not isinstance(granted, list):
        return frozenset()
    granted_set = {normalise_topic(g) for g in granted if isinstance(g, str)}
    wanted = {normalise_topic(t) for t in requested}
    if "*" in granted_set:
        return frozenset(wanted)
    return frozenset(wanted & granted_set)


class Hub:
    def __init__(self, faults: FaultInjector, *, history_size: int = 1000) -> None:
        self._faults = faults
        self._history: deque[HubEvent] = deque(maxlen=max(0, history_size))
        self._subscriptions: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        faults.on_drop(self.drop_all)
        faults.on_forget(lambda: self._on_loop(self._history.clear))

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def open_streams(self) -> int:
        return len(self._subscriptions)

    def publish(self, topic: str, payload: dict[str, Any]) -> HubEvent:
        event = HubEvent(
            id=f"urn:uuid:{uuid.uuid4()}",
            topic=topic,
            data=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            glitch=self._faults.take_glitch(),
        )
        self._history.append(event)
        for subscription in self._subscriptions:
            if subscription.wants(event):
                subscription.queue.put_nowait(event)
                subscription.idle.clear()
        return event

    async def handed_over(self, topics: Collection[str], timeout: float) -> None:
        """Wait until every stream of ``topics`` has handed what was published so far to the HTTP server
        (which writes it at once: HTTP/1.1 in that call, HTTP/2 from its send task, woken before this
        one). Only those streams: a stalled subscriber of another account holds no one else's mail.
        At most ``timeout``, so a stream that does not keep up never holds a caller longer."""
        wanted = frozenset(topics)
        busy = [s.idle.wait() for s in self._subscriptions if not s.idle.is_set() and s.topics & wanted]
        if busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*busy), timeout)

    def last_event_id(self) -> str:
        return self._history[-1].id if self._history else "earliest"

    def subscribe(
        self, topics: frozenset[str], last_event_id: str | None
    ) -> tuple[Subscription, list[HubEvent]]:
        """Register a subscriber and return the history it missed, with no gap in between."""
        subscription = Subscription(topics)
        replay: list[HubEvent] = []
        if last_event_id:
            history = list(self._history)
            if last_event_id == "earliest":
                replay = history
            else:
                ids = [e.id for e in history]
                if last_event_id in ids:
                    replay = history[ids.index(last_event_id) + 1 :]
            replay = [e for e in replay if subscription.wants(e)]
        self._subscriptions.add(subscription)
        return subscription, replay

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)
        subscription.idle.set()  # nothing more will be written: nobody waits for it

    def drop_all(self) -> None:
        """End every live stream (safe to call from any thread)."""
        self._on_loop(self._drop_now)

    def _on_loop(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the hub's loop: now when called from it, soon when called from another thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            action()
        else:
            loop.call_soon_threadsafe(action)

    def _drop_now(self) -> None:
        subscriptions = list(self._subscriptions)
        for subscription in subscriptions:
            subscription.queue.put_nowait(None)
        if not self.closed:
            self._faults.count_served("drops", len(subscriptions))

    def close(self) -> None:
        self.closed = True
        self._drop_now()
