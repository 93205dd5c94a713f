"""Plain-Python events that mailboxes emit, and a tiny callback registry to subscribe to them.

The UI (through a Qt adapter), notifications and the command line subscribe here; nothing in this module
knows about Qt. Every event names the mailbox it belongs to by its key, the lower-cased address.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from desktop_app.core.models import Message, MessageSummary

if TYPE_CHECKING:
    from desktop_app.core.health import HealthReport

log = logging.getLogger(__name__)

ConnectionKind = Literal["connecting", "live", "retrying", "failed", "stopped"]


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """Where one address's live subscription stands. ``retry_in`` is set while ``retrying``."""

    kind: ConnectionKind
    reason: str = ""
    retry_in: float | None = None
    since: float = field(default_factory=time.monotonic)

    def describe(self) -> str:
        """Short text for a status line, e.g. ``retrying in 4 s (server error 502)``."""
        if self.kind == "retrying":
            text = f"retrying in {max(0, round(self.retry_in or 0))} s"
            return f"{text} ({self.reason})" if self.reason else text
        if self.kind == "failed":
            return f"failed: {self.reason}" if self.reason else "failed"
        return self.kind


@dataclass(frozen=True, slots=True)
class MessageArriving:
    """Pushed mail the cache is storing: it accepted the message, the commit comes right after the
    listeners (``Mailbox._apply_summaries``). For notifications only, which then need not wait for the
    disk; a listener must not write to the store here (the write is still open)."""

    address: str
    summary: MessageSummary


@dataclass(frozen=True, slots=True)
class MessageAdded:
    """A message this app had never stored before (from the live stream or a catch-up), now stored.
    ``announced``: a ``MessageArriving`` for it went out first."""

    address: str
    summary: MessageSummary
    pushed: bool = False  # it came through the live stream (not a catch-up): the delivery probe asks
    announced: bool = False


@dataclass(frozen=True, slots=True)
class MessageBodyLoaded:
    """The full body of a stored message has been fetched and saved."""

    address: str
    message: Message


@dataclass(frozen=True, slots=True)
class MessageUpdated:
    """A known message changed state on the service (read/unread from another client)."""

    address: str
    message_id: str
    seen: bool


@dataclass(frozen=True, slots=True)
class MessageRemoved:
    address: str
    message_id: str


@dataclass(frozen=True, slots=True)
class UsageChanged:
    address: str
    used: int
    quota: int


@dataclass(frozen=True, slots=True)
class ConnectionChanged:
    address: str
    state: ConnectionState


@dataclass(frozen=True, slots=True)
class SyncProblem:
    """A catch-up or body fetch failed; ``error`` is user-facing text. ``retry_in`` is when it will be
    tried again, or None when only a reconnect or the user can fix it (e.g. the account is gone)."""

    address: str
    error: str
    retry_in: float | None


@dataclass(frozen=True, slots=True)
class AddressExpiring:
    """The address the user asked to be deleted goes soon (``core/lifetime.py``): time to say so."""

    address: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AddressExpired:
    """The address reached its expiry and was deleted here; on the service too unless
    ``remote_deleted`` is False (no password was saved for it: nothing could log in to delete it)."""

    address: str
    label: str = ""
    remote_deleted: bool = True


@dataclass(frozen=True, slots=True)
class ExpiryFailed:
    """The address is past its expiry but could not be deleted (``error``: user-facing text); it stays,
    marked, and is tried again at ``retry_at``."""

    address: str
    error: str
    retry_at: datetime


@dataclass(frozen=True, slots=True)
class Expectation:
    """Someone waits for mail: the window's "Expect mail…" or a ``temp-inbox wait``. ``started`` is a
    ``time.monotonic()`` reading, so the window can show how long it has waited."""

    id: int
    address: str | None  # mailbox key; None: mail to any address
    sender: str | None = None
    subject: str | None = None
    timeout: float | None = None
    origin: Literal["window", "command"] = "command"
    started: float = field(default_factory=time.monotonic)

    def wanted(self) -> str:
        """What is awaited, in words: "mail from acme", "mail with “code” in the subject", "mail"."""
        words = "mail"
        if self.sender:
            words += f" from {self.sender}"
        if self.subject:
            words += f" with “{self.subject}” in the subject"
        return words


# How a wait ended: ``timed-out`` is followed by ``checked`` once the address's check has a verdict.
WaitEnd = Literal["arrived", "cancelled", "timed-out", "checked"]


@dataclass(frozen=True, slots=True)
class ExpectationChanged:
    """A wait started (``ended`` None) or ended; after a timeout, ``report`` says why nothing came."""

    address: str  # the expectation's address, "" for any
    expectation: Expectation
    ended: WaitEnd | None = None
    report: HealthReport | None = None


MailboxEvent = (
    MessageArriving
    | MessageAdded
    | MessageBodyLoaded
    | MessageUpdated
    | MessageRemoved
    | UsageChanged
    | ConnectionChanged
    | SyncProblem
    | AddressExpiring
    | AddressExpired
    | ExpiryFailed
    | ExpectationChanged
)
Listener = Callable[[MailboxEvent], None]


class EventEmitter:
    """Synchronous fan-out of events to listeners. A failing listener is logged, never propagated:
    a bug in one view must not stop mail from being stored."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Register ``listener``; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: MailboxEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on %s", listener, type(event).__name__)
