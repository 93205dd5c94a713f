"""The one backoff every retry in the core waits by: REST calls (``api``), live streams (``live``),
catch-ups and body fetches (``sync``).

Exponential with "equal jitter": half the step is fixed, half is random, so that fifty subscriptions
dropped together (or fifty requests refused together) do not come back in lock-step.
"""

from __future__ import annotations

import random
from collections.abc import Callable


def backoff_delay(base: float, cap: float, attempt: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
    step: float = min(cap, base * 2.0 ** min(attempt, 30))
    return step / 2 + rng() * step / 2


class Backoff:
    """``backoff_delay`` with its attempt counter, for a loop that retries until it succeeds."""

    def __init__(self, base: float, cap: float, rng: Callable[[], float] = random.random) -> None:
        self._base, self._cap, self._rng = base, cap, rng
        self.attempt = 0

    def next_delay(self) -> float:
        delay = backoff_delay(self._base, self._cap, self.attempt, self._rng)
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0
