"""A request budget per API host, shared by every account on that host.

mail.tm allows 8 requests per second per IP address, and every address the app manages talks to the
same host from the same IP, so the budget must be shared. After a 429 the whole host pauses, so
accounts do not retry in a storm.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

# Requests leave the limiter a little before they reach the server; a small margin keeps any
# one-second window seen by the server within budget despite scheduling jitter.
_WINDOW_MARGIN = 0.05


class RateLimiter:
    def __init__(self, per_second: float = 8.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._burst = max(1, int(per_second))
        self._window = self._burst / per_second + _WINDOW_MARGIN
        self._clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    @property
    def per_second(self) -> float:
        return self._burst / (self._window - _WINDOW_MARGIN)

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for ``seconds`` (after a 429)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                wait = self._paused_until - now
                # The same expression decides "expired" here and "how long to wait" below: with
                # ``now - sent >= window`` instead, rounding could call a stamp both unexpired and
                # due, and release a ninth request into a full window.
                while self._sent and self._sent[0] + self._window <= now:
                    self._sent.popleft()
                if len(self._sent) >= self._burst:
                    wait = max(wait, self._sent[0] + self._window - now)
                if wait <= 0:
                    self._sent.append(now)
                    return
                await asyncio.sleep(wait)


_shared: dict[tuple[str, float], RateLimiter] = {}


def limiter_for_host(host: str, per_second: float) -> RateLimiter:
    """One limiter per (host, rate) for the whole process, so every account shares it."""
    key = (host.lower(), per_second)
    limiter = _shared.get(key)
    if limiter is None:
        limiter = _shared[key] = RateLimiter(per_second)
    return limiter
