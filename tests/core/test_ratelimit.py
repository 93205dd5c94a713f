"""The per-host budget: never more than 8 requests in any one-second window, shared by every account."""

from __future__ import annotations

import asyncio
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.ratelimit import RateLimiter, limiter_for_host
from tests.core.mailtm_fixtures import fixture_response


def max_in_any_window(stamps: list[float], window: float = 1.0) -> int:
    stamps = sorted(stamps)
    best = 0
    start = 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_window_counter_has_teeth() -> None:
    assert max_in_any_window([0.0, 0.1, 0.2, 0.99, 1.5]) == 4
    assert max_in_any_window([0.0, 1.0, 2.0]) == 1


class VirtualClock:
    """Time that passes only when the limiter sleeps: its decisions, free of the machine's speed."""

    def __init__(self) -> None:
        self.now = 0.0
        self._yield = asyncio.sleep  # the real one, before the test patches asyncio.sleep

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await self._yield(0)


async def test_the_limiter_never_releases_more_than_8_in_any_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    monkeypatch.setattr(asyncio, "sleep", clock.sleep)
    limiter = RateLimiter(8, clock=clock)
    released: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        released.append(clock())

    await asyncio.gather(*(one() for _ in range(50)))
    assert len(released) == 50
    assert max_in_any_window(released) <= 8
    assert max(released) >= 6.0  # 8 at once, then 8 per window: the 49th and 50th wait six windows
    limiter.pause(0.3)
    paused_at = clock()
    await limiter.acquire()
    assert clock() - paused_at >= 0.3 - 1e-9  # float rounding of virtual time, not slack


@pytest.mark.timing
async def test_fifty_concurrent_calls_from_several_accounts_stay_within_8_per_second() -> None:
    arrivals: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        arrivals.append(time.monotonic())
        if request.url.path == "/me":
            return fixture_response(200, "account_201.json")
        return fixture_response(200, "messages_2024.json")

    # Separate top-level clients for the same host, as separate windows of the app would make:
    # the limiter is per host, not per client.
    # A host of its own per run: the process-wide limiter for a host is bound to one event loop.
    host = f"https://budget-{uuid.uuid4().hex[:8]}.example.test"
    clients = [MailTmClient(host, transport=httpx.MockTransport(handler)) for _ in range(2)]
    accounts = [
        clients[i % 2].for_account(f"user{i}@example.test", "pw", token=f"T{i}", account_id=f"{i:024x}")
        for i in range(5)
    ]
    # The stamps the shared limiter released each request at (its own clock, the one it decides by).
    limiter = limiter_for_host(urlsplit(host).hostname or "", 8)
    released: list[float] = []
    acquire = limiter.acquire

    async def recording_acquire() -> None:
        await acquire()
        released.append(limiter._sent[-1])  # no await since the append: this request's own stamp

    limiter.acquire = recording_acquire  # type: ignore[method-assign]
    calls = [accounts[i % 5].messages() if i % 2 else accounts[i % 5].me() for i in range(50)]
    started = time.monotonic()
    await asyncio.gather(*calls)
    elapsed = time.monotonic() - started

    assert len(arrivals) == 50 and len(released) == 50
    # Every request went through the shared limiter before it reached the transport...
    assert all(a >= r for a, r in zip(sorted(arrivals), sorted(released), strict=True))
    # ...which never released more than 8 in any one-second window. (Arrival stamps are not checked
    # against the window: on a loaded machine the scheduler can hold one request between its release and
    # the transport for longer than any margin, which says nothing about the limiter.)
    assert max_in_any_window(released) <= 8
    assert elapsed >= 5.0  # 50 requests at 8/s cannot finish sooner: the limiter really waited


@pytest.mark.timing
async def test_pause_after_429_holds_every_account() -> None:
    limiter = RateLimiter(1000)
    await limiter.acquire()
    limiter.pause(0.3)
    started = time.monotonic()
    await asyncio.gather(limiter.acquire(), limiter.acquire())
    assert time.monotonic() - started >= 0.29


def test_limiter_is_shared_per_host() -> None:
    assert limiter_for_host("API.example.test", 8) is limiter_for_host("api.example.test", 8)
    assert limiter_for_host("a.example.test", 8) is not limiter_for_host("b.example.test", 8)
