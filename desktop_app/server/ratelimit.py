"""Per-client-IP token bucket: ``rate`` requests a second, bursts up to ``rate`` (reference §3)."""

from __future__ import annotations

import time


class RateLimiter:
    def __init__(self, rate: float | None) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}  # ip -> (tokens, last refill)

    def allow(self, client: str, now: float | None = None) -> bool:
        if not self.rate or self.rate <= 0:
            return True
        moment = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(client, (self.rate, moment))
        tokens = min(self.rate, tokens + (moment - last) * self.rate)
        if len(self._buckets) > 10_000:
            self._buckets.clear()  # bounded memory; losing old buckets only forgives clients
        if tokens < 1.0:
            self._buckets[client] = (tokens, moment)
            return False
        self._buckets[client] = (tokens - 1.0, moment)
        return True
