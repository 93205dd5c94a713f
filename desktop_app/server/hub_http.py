"""The hub's HTTP side: ``GET /.well-known/mercure`` as a raw ASGI endpoint.

Raw ASGI rather than a Starlette response, because the stream must send its headers and the first
``:`` comment at once, notice a client going away, send heartbeats while idle, and end itself after
the write timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from desktop_app.server.faults import FaultInjector, ServerStats
from desktop_app.server.hub import Hub, Subscription, allowed_topics

log = logging.getLogger(__name__)


HUB_PATH = "/.well-known/mercure"
_STREAM_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"private, no-cache, no-store, must-revalidate, max-age=0"),
    (b"x-accel-buffering", b"no"),
]
_MIN_AUTH_LENGTH = 41  # the hub rejects an Authorization header shorter than "Bearer " + 41 characters


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _token(scope: Scope, query: list[tuple[str, str]]) -> str | None:
    header = _header(scope, b"authorization")
    if header is not None:
        if len(header) < len("Bearer ") + _MIN_AUTH_LENGTH or header[:7].lower() != "bearer ":
            return None
        return header[7:].strip()
    for key, value in query:
        if key == "authorization":
            return value
    cookie = _header(scope, b"cookie") or ""
    for item in cookie.split(";"):
        name, _, value = item.strip().partition("=")
        if name == "mercureAuthorization":
            return value
    return None


class HubEndpoint:
    def __init__(
        self,
        hub: Hub,
        verify: Callable[[str], dict[str, Any] | None],
        faults: FaultInjector,
        stats: ServerStats,
        *,
        heartbeat: float,
        write_timeout: float | None,
    ) -> None:
        self._hub = hub
        self._verify = verify
        self._faults = faults
        self._stats = stats
        self.heartbeat = heartbeat
        self.write_timeout = write_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            await _plain(send, 405, "Method Not Allowed")
            return
        failure = self._faults.take_failure(hub=True)
        if failure == "401":
            await _plain(send, 401, "Unauthorized")
            return
        if failure == "429":
            await _plain(send, 429, "")
            return
        if failure == "500":
            await _plain(send, 500, "Internal Server Error")
            return
        query = parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1"), keep_blank_values=True)
        token = _token(scope, query)
        claims = self._verify(token) if token else None
        if claims is None:
            await _plain(send, 401, "Unauthorized")
            return
        topics = [value for key, value in query if key == "topic" and value]
        if not topics:
            await _plain(send, 400, 'Missing "topic" parameter.')
            return
        if self._hub.closed:
            await _plain(send, 503, "Service Unavailable")
            return
        last_event_id = _header(scope, b"last-event-id") or next(
            (v for k, v in query if k in ("lastEventID", "Last-Event-ID", "last_event_id")), None
        )
        previous_id = self._hub.last_event_id()
        subscription, replay = self._hub.subscribe(allowed_topics(topics, claims), last_event_id)
        self._stats.hub_connections += 1
        self._stats.hub_open += 1
        watcher = asyncio.create_task(self._watch_disconnect(receive, subscription))
        try:
            headers = [*_STREAM_HEADERS, (b"last-event-id", previous_id.encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b":\n\n", "more_body": True})
            if failure == "malformed":
                body = b'id: urn:uuid:00000000-0000-4000-8000-000000000000\ndata: {"@type":"Mess\n\n'
                await send({"type": "http.response.body", "body": body, "more_body": True})
            else:
                for event in replay:
                    await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
                    if event.glitch:
                        self._faults.count_served("glitches")
                await self._pump(subscription, send)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except (OSError, RuntimeError, asyncio.CancelledError) as error:
            log.debug("hub stream ended: %r", error)
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self._hub.unsubscribe(subscription)
            self._stats.hub_open -= 1

    async def _pump(self, subscription: Subscription, send: Send) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.write_timeout if self.write_timeout else None
        while True:
            timeout = self.heartbeat if self.heartbeat > 0 else None
            if deadline is not None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return  # the write timeout: clients must reconnect
                timeout = remaining if timeout is None else min(timeout, remaining)
            try:
                event = await asyncio.wait_for(subscription.queue.get(), timeout)
            except TimeoutError:
                if deadline is not None and loop.time() >= deadline:
                    return
                await send({"type": "http.response.body", "body": b":\n\n", "more_body": True})
                continue
            if event is None:
                return
            await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
            if subscription.queue.empty():
                subscription.idle.set()
            if event.glitch:
                self._faults.count_served("glitches")

    @staticmethod
    async def _watch_disconnect(receive: Receive, subscription: Subscription) -> None:
        while True:
            message = await receive()
            if message.get("type") == "http.disconnect":
                subscription.queue.put_nowait(None)
                return
