"""Live push from a Mercure hub: one subscription per address, all over one shared HTTP/2 connection.

A ``LiveSubscription`` keeps one address's stream open for as long as it runs: it authenticates with the
same bearer token as the REST API, resumes with ``Last-Event-ID``, reconnects with exponential backoff and
jitter, treats a stream that stays silent (not even a ``:`` heartbeat) for ``idle_timeout`` as dead, and
answers a 401 with one re-login. It reports parsed hub updates and its ``ConnectionState`` through
callbacks; it never touches the store or REST lists itself (``sync.Mailbox`` does).
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from httpx_sse import aconnect_sse

from desktop_app.core import errors
from desktop_app.core.api import Backoff
from desktop_app.core.events import ConnectionState
from desktop_app.core.live.h2streams import HTTP2StreamTransport, HTTP2Unsupported
from desktop_app.core.live.mercure import (
    HubUpdate,
    SseFrameDecoder,
    SseLineSplitter,
    Unreadable,
    header_safe_event_id,
    parse_hub_data,
)
from desktop_app.core.models import Token

log = logging.getLogger(__name__)


class HubAccount(Protocol):
    """What a subscription needs from the address's API client (``MailTmClient`` fits)."""

    @property
    def token(self) -> str | None: ...
    @property
    def account_id(self) -> str | None: ...
    async def login(self, address: str | None = None, password: str | None = None) -> Token: ...


@dataclass(frozen=True, slots=True)
class LiveSettings:
    idle_timeout: float = 90.0  # longer than any known hub heartbeat (15 s legacy, 40 s Caddy hubs)
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    healthy_after: float = 60.0  # a stream that lived this long resets the backoff
    connect_timeout: float = 15.0


class HubStreams:
    """The HTTP client every subscription shares. By default it is an HTTP/2 transport built for many
    long-lived streams on one connection (``h2streams``): prior knowledge for ``http://`` hubs, ALPN for
    ``https://``. A hub that does not speak HTTP/2 is used over HTTP/1.1 instead."""

    def __init__(
        self,
        http: httpx.AsyncClient | None = None,
        *,
        connect_timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._owns_http = http is None
        self._timeout = httpx.Timeout(connect_timeout, read=None, pool=None)
        self._ssl_context = ssl_context  # None: the same CA bundle as the REST client (certifi)
        self._transport: HTTP2StreamTransport | None = None
        if http is None:
            self._transport = HTTP2StreamTransport(connect_timeout=connect_timeout, ssl_context=ssl_context)
            http = httpx.AsyncClient(transport=self._transport, timeout=self._timeout)
        self._h2 = http
        self._h1: httpx.AsyncClient | None = None
        self._h1_origins: set[str] = set()
        self._h2_origins: set[str] = set()

    def http2_connections(self) -> int | None:
        """Open HTTP/2 connections (None when an outside client was given)."""
        return None if self._transport is None else self._transport.connection_count()

    @property
    def http(self) -> httpx.AsyncClient:
        return self._h2

    def uses_http1(self, url: str) -> bool:
        return _origin(url) in self._h1_origins

    async def open(
        self, stack: AsyncExitStack, url: str, *, params: dict[str, str], headers: dict[str, str]
    ) -> httpx.Response:
        """Send the subscribe request; the response stays open until ``stack`` closes."""
        origin = _origin(url)
        if origin in self._h1_origins:
            return await self._send(stack, self._http1(), url, params, headers)
        try:
            response = await self._send(stack, self._h2, url, params, headers)
        except httpx.RemoteProtocolError as exc:
            # No ALPN h2, or a plain-http server that hangs up on the h2 preface (if h2 never worked there).
            unsupported = isinstance(exc, HTTP2Unsupported) or (
                url.startswith("http://") and origin not in self._h2_origins
            )
            if not (self._owns_http and unsupported):
                raise
            log.info("hub %s does not speak HTTP/2; using HTTP/1.1", origin)
            self._h1_origins.add(origin)
            return await self._send(stack, self._http1(), url, params, headers)
        self._h2_origins.add(origin)
        return response

    async def _send(
        self,
        stack: AsyncExitStack,
        client: httpx.AsyncClient,
        url: str,
        params: dict[str, str],
        headers: dict[str, str],
    ) -> httpx.Response:
        source = await stack.enter_async_context(
            aconnect_sse(client, "GET", url, params=params, headers=headers)
        )
        return source.response

    def _http1(self) -> httpx.AsyncClient:
        if self._h1 is None:
            self._h1 = httpx.AsyncClient(
                timeout=self._timeout,
                limits=httpx.Limits(max_connections=None),
                verify=self._ssl_context or True,
            )
        return self._h1

    async def aclose(self) -> None:
        if self._h1 is not None:
            await self._h1.aclose()
        if self._owns_http:
            await self._h2.aclose()


def _origin(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # checked when the provider was made; a damaged cache row must not crash here
        return url
    return f"{parts.scheme}://{parts.netloc}"


class _Unauthorized(Exception):
    pass


class _Refused(Exception):
    """The hub answered with a status that retrying will not fix."""


class LiveSubscription:
    """Keeps one address's Mercure stream open until cancelled or until it fails for good."""

    def __init__(
        self,
        streams: HubStreams,
        account: HubAccount,
        hub_url: str,
        *,
        on_update: Callable[[HubUpdate], None],
        on_state: Callable[[ConnectionState], None],
        settings: LiveSettings | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._streams, self._account, self._hub_url = streams, account, hub_url
        self._on_update, self._on_state = on_update, on_state
        self._settings = settings or LiveSettings()
        self._backoff = Backoff(self._settings.backoff_base, self._settings.backoff_cap, rng)
        self._state = ConnectionState("connecting")
        self._connected_at: float | None = None
        self.last_event_id: str | None = None
        self.connections = 0  # how many streams reached "live"; for diagnostics and tests

    @property
    def state(self) -> ConnectionState:
        return self._state

    def _set_state(self, state: ConnectionState) -> None:
        self._state = state
        try:
            self._on_state(state)
        except Exception:
            log.exception("connection state listener failed")

    async def run(self) -> None:
        relogin_allowed, force_login = True, False
        try:
            while True:
                self._set_state(ConnectionState("connecting"))
                self._connected_at = None
                try:
                    if force_login or not self._account.token or not self._account.account_id:
                        await self._account.login()
                        force_login = False
                    reason = await self._stream_once()
                except _Unauthorized:
                    # The token may have been revoked: log in again once, then resubscribe at once.
                    if relogin_allowed:
                        relogin_allowed, force_login = False, True
                        continue
                    self._set_state(ConnectionState("failed", reason="the live service refused the login"))
                    return
                except (_Refused, errors.AuthError, errors.UsageError) as exc:
                    self._set_state(ConnectionState("failed", reason=str(exc)))
                    return
                except TimeoutError:
                    reason = "no data from the live service"
                except (httpx.HTTPError, errors.ApiError) as exc:
                    reason = str(exc) if isinstance(exc, errors.ApiError) else "connection lost"
                    log.debug("hub stream error: %r", exc)
                except Exception:
                    # A bug must not end live updates for good: log it and keep reconnecting.
                    log.exception("unexpected error on the hub stream")
                    reason = "unexpected error"
                if self._connected_at is not None:
                    relogin_allowed = True
                    if time.monotonic() - self._connected_at >= self._settings.healthy_after:
                        self._backoff.reset()
                delay = self._backoff.next_delay()
                self._set_state(ConnectionState("retrying", reason=reason, retry_in=delay))
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self._set_state(ConnectionState("stopped"))
            raise

    async def _stream_once(self) -> str:
        """One subscribe request, read until the stream ends; returns why it ended."""
        token, account_id = self._account.token, self._account.account_id
        headers = {"Authorization": f"Bearer {token}"}
        if self.last_event_id:
            headers["Last-Event-ID"] = self.last_event_id
        params = {"topic": f"/accounts/{account_id}"}
        idle = self._settings.idle_timeout
        async with AsyncExitStack() as stack:
            async with asyncio.timeout(self._settings.connect_timeout):
                response = await self._streams.open(stack, self._hub_url, params=params, headers=headers)
            self._check_response(response)
            self._connected_at = time.monotonic()
            self.connections += 1
            self._set_state(ConnectionState("live"))
            splitter, decoder = SseLineSplitter(), SseFrameDecoder()
            loop = asyncio.get_running_loop()
            async with asyncio.timeout(idle) as deadline:
                async for chunk in response.aiter_bytes():
                    deadline.reschedule(loop.time() + idle)  # any byte, heartbeat comments included
                    for line in splitter.feed(chunk):
                        frame = decoder.feed(line)
                        if frame is None:
                            continue
                        if frame.event_id and header_safe_event_id(frame.event_id):
                            self.last_event_id = frame.event_id
                        elif frame.event_id:
                            log.info(
                                "hub event id %r cannot be sent back; not resuming from it",
                                frame.event_id[:80],
                            )
                        if frame.oversized:
                            self._deliver(Unreadable(raw="", reason="event over the size limits; dropped"))
                        else:
                            self._deliver(parse_hub_data(frame.data))
        return "the live service closed the stream"

    def _check_response(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 401:
            raise _Unauthorized()
        if status == 429:
            raise errors.RateLimitedError(status=status, detail="hub answered 429")
        if status >= 500:
            raise errors.ServerError(status=status, detail=f"hub answered {status}")
        if status >= 400:
            raise _Refused(f"the live service answered {status}")
        content_type = response.headers.get("content-type", "").partition(";")[0].strip()
        if content_type != "text/event-stream":
            raise errors.ProtocolError(detail=f"hub answered {content_type!r}, not an event stream")

    def _deliver(self, update: HubUpdate) -> None:
        try:
            self._on_update(update)
        except Exception:
            log.exception("hub update listener failed on %s", type(update).__name__)
