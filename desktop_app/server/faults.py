"""Run-time fault injection and counters, for tests that must see the server misbehave.

Both are plain objects touched only from the server's event loop (or, for ``BackgroundMailServer``,
through thread-safe calls); the admin endpoint and the Python handle drive the same ``FaultInjector``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

# "401": the token is refused as if it were bad (a hub that refuses what the REST side accepts).
FailureKind = Literal["401", "429", "500", "malformed"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("401", "429", "500", "malformed")

# Bounds on what one switch may ask for: the admin endpoint takes numbers from outside, and a queue of
# 10**8 failures or a delay of 10**9 s is a denial of service, not a test.
MAX_QUEUED = 10_000
MAX_DELAY_S = 60.0

# What ``served()`` counts: a fault is counted when the server acts on it, not when a test asks for it.
SERVED_KINDS: tuple[str, ...] = (
    *(f"rest_{kind}" for kind in FAILURE_KINDS),
    *(f"hub_{kind}" for kind in FAILURE_KINDS),
    "glitches",  # glitched events written to a live stream
    "drops",  # live streams ended by ``drop_streams``
)


@dataclass
class ServerStats:
    requests: int = 0  # REST requests received (hub and admin excluded)
    rate_limited: int = 0  # of those, answered 429 by the rate limiter
    hub_connections: int = 0  # hub streams ever opened
    hub_open: int = 0  # hub streams open now
    tcp_connections: int = 0  # distinct client sockets that sent at least one HTTP request
    smtp_messages: int = 0  # messages accepted over SMTP (one per DATA, whatever the recipients)
    _peers: set[tuple[str, int]] = field(default_factory=set, repr=False)

    def saw_peer(self, peer: tuple[str, int] | None) -> None:
        if peer is not None and peer not in self._peers:
            self._peers.add(peer)
            self.tcp_connections = len(self._peers)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rest_failures: list[FailureKind] = []
        self._hub_failures: list[FailureKind] = []
        self._delay = 0.0
        self._glitches = 0
        self._drop_listeners: list[Callable[[], None]] = []
        self._forget_listeners: list[Callable[[], None]] = []
        self._served = dict.fromkeys(SERVED_KINDS, 0)

    def on_drop(self, listener: Callable[[], None]) -> None:
        """Called by the hub: ``drop_streams`` runs ``listener`` (thread-safety is the listener's job)."""
        self._drop_listeners.append(listener)

    def on_forget(self, listener: Callable[[], None]) -> None:
        """Called by the hub: ``forget_history`` runs ``listener`` (thread-safety is the listener's job)."""
        self._forget_listeners.append(listener)

    # --- the switches ------------------------------------------------------------------------

    def drop_streams(self) -> None:
        """End every live hub stream now; clients must reconnect."""
        for listener in list(self._drop_listeners):
            listener()

    def forget_history(self) -> None:
        """Empty the hub's replay history, as a restarted hub would: a ``Last-Event-ID`` replays nothing,
        and only a client's own REST catch-up finds what was published before."""
        for listener in list(self._forget_listeners):
            listener()

    def fail_next(self, n: int, kind: FailureKind, *, hub: bool = False) -> None:
        """Answer the next ``n`` REST requests (or hub connections with ``hub=True``) with ``kind``."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"unknown failure kind {kind!r}")
        with self._lock:
            queue = self._hub_failures if hub else self._rest_failures
            queue.extend([kind] * max(0, min(n, MAX_QUEUED - len(queue))))

    def delay(self, seconds: float) -> None:
        """Hold every REST response for ``seconds`` (0 switches it off; at most ``MAX_DELAY_S``)."""
        seconds = float(seconds)
        if seconds != seconds:  # NaN
            raise ValueError("delay must be a number")
        with self._lock:
            self._delay = min(MAX_DELAY_S, max(0.0, seconds))

    def glitch_next(self, n: int) -> None:
        """Send the next ``n`` hub events as the 2025 glitch: data ``2`` then the JSON on its own line."""
        with self._lock:
            self._glitches = min(MAX_QUEUED, self._glitches + max(0, n))

    def reset(self) -> None:
        with self._lock:
            self._rest_failures.clear()
            self._hub_failures.clear()
            self._delay = 0.0
            self._glitches = 0

    # --- used by the server ------------------------------------------------------------------

    def take_failure(self, *, hub: bool) -> FailureKind | None:
        """The next queued failure, counted as served: the caller answers with it at once."""
        with self._lock:
            queue = self._hub_failures if hub else self._rest_failures
            if not queue:
                return None
            kind = queue.pop(0)
            self._served[f"{'hub' if hub else 'rest'}_{kind}"] += 1
            return kind

    def take_glitch(self) -> bool:
        with self._lock:
            if self._glitches <= 0:
                return False
            self._glitches -= 1
            return True

    def count_served(self, kind: str, n: int = 1) -> None:
        """Record that the server acted on ``n`` faults of ``kind`` (one of ``SERVED_KINDS``)."""
        with self._lock:
            self._served[kind] += n

    def served(self) -> dict[str, int]:
        """How many faults of each kind the server has acted on since it started (never reset)."""
        with self._lock:
            return dict(self._served)

    @property
    def current_delay(self) -> float:
        return self._delay

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fail_next": list(self._rest_failures),
                "fail_next_hub": list(self._hub_failures),
                "delay": self._delay,
                "glitch_next": self._glitches,
                "served": dict(self._served),
            }
