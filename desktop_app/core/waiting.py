"""Waiting for the next matching message (``temp-inbox wait``, the window's "Expect mail…"), for the
``Inbox``.

A waiter is registered before the caller is told "waiting", so that mail sent from then on counts;
each arrival answers every waiter it matches, with the code and link read from the message's body.
Every waiter is an :class:`~desktop_app.core.events.Expectation` the window can show ("Waiting for
mail from acme… 0:42"); ``on_change`` hears each one start and end.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from desktop_app.core import errors
from desktop_app.core.codes import Extraction
from desktop_app.core.events import Expectation, ExpectationChanged, MailboxEvent, MessageAdded
from desktop_app.core.models import MessageSummary
from desktop_app.core.tasks import NamedTasks

WaitOrigin = Literal["window", "command"]
Extractor = Callable[[str, MessageSummary], Awaitable[Extraction]]


@dataclass(frozen=True, slots=True)
class ArrivedMessage:
    """What ``temp-inbox wait`` prints."""

    address: str
    summary: MessageSummary
    extraction: Extraction

    def as_dict(self) -> dict[str, object]:
        s = self.summary
        return {
            "id": s.id,
            "address": self.address,
            "from": s.sender.display(),
            "to": ", ".join(a.address for a in s.to) or self.address,
            "subject": s.subject,
            "intro": s.intro,
            "received": s.created_at.isoformat(),
            "code": self.extraction.code,
            "link": self.extraction.link,
        }


def _pattern_matches(pattern: str | None, haystack: str) -> bool:
    if not pattern:
        return True
    if pattern.lower() in haystack.lower():
        return True
    try:
        return re.search(pattern, haystack, re.IGNORECASE) is not None
    except re.error:
        return False


def sender_matches(pattern: str | None, summary: MessageSummary) -> bool:
    """A substring of "Name <address>", or else a regular expression over it (case-insensitive)."""
    return _pattern_matches(pattern, f"{summary.sender.name} <{summary.sender.address}>")


def subject_matches(pattern: str | None, summary: MessageSummary) -> bool:
    """A substring of the subject, or else a regular expression over it (case-insensitive)."""
    return _pattern_matches(pattern, summary.subject)


def expects(expectation: Expectation, address: str, summary: MessageSummary) -> bool:
    return (
        expectation.address in (None, address)
        and sender_matches(expectation.sender, summary)
        and subject_matches(expectation.subject, summary)
    )


_Waiter = tuple[Expectation, asyncio.Future[ArrivedMessage]]


class MessageWaiters:
    def __init__(
        self,
        tasks: NamedTasks,
        extraction: Extractor,
        *,
        ignore: Callable[[MessageSummary], bool] = lambda _s: False,
        on_change: Callable[[ExpectationChanged], None] = lambda _e: None,
    ) -> None:
        self._tasks = tasks
        self._extraction = extraction
        self._ignore = ignore  # mail no one waits for: the health check's own probes
        self._on_change = on_change
        self._waiters: list[_Waiter] = []
        self._ids = itertools.count(1)

    def expectations(self) -> list[Expectation]:
        return [expectation for expectation, _ in self._waiters]

    async def wait(
        self,
        key: str | None,
        sender: str | None,
        timeout: float | None,
        on_registered: Callable[[Expectation], None] | None,
        *,
        subject: str | None = None,
        origin: WaitOrigin = "command",
    ) -> ArrivedMessage:
        future: asyncio.Future[ArrivedMessage] = asyncio.get_running_loop().create_future()
        expectation = Expectation(next(self._ids), key, sender or None, subject or None, timeout, origin)
        entry = (expectation, future)
        self._waiters.append(entry)
        self._on_change(ExpectationChanged(key or "", expectation))
        if on_registered is not None:
            on_registered(expectation)
        ended: Literal["arrived", "cancelled", "timed-out"] = "cancelled"
        try:
            async with asyncio.timeout(timeout):
                arrived = await future
            ended = "arrived"
            return arrived
        except TimeoutError:
            ended = "timed-out"
            raise
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
            self._on_change(ExpectationChanged(key or "", expectation, ended))

    def cancel(self, expectation_id: int) -> bool:
        """End one wait (its caller gets :class:`errors.WaitStoppedError`); False when it is over."""
        for expectation, future in self._waiters:
            if expectation.id == expectation_id and not future.done():
                future.set_exception(errors.WaitStoppedError())
                return True
        return False

    def cancel_all(self) -> None:
        for _, future in self._waiters:
            future.cancel()

    def matching(self, address: str, summary: MessageSummary) -> list[Expectation]:
        """The expectations this arrival answers (none for the health check's probes)."""
        if self._ignore(summary):
            return []
        return [e for e, _ in self._waiters if expects(e, address, summary)]

    def on_event(self, event: MailboxEvent) -> None:
        if isinstance(event, MessageAdded) and self._waiters:
            wanted = {e.id for e in self.matching(event.address, event.summary)}
            matching = [w for w in self._waiters if w[0].id in wanted]
            if matching:
                self._tasks.spawn(f"wait {event.summary.id}", self._answer(event, matching), replace=False)

    async def _answer(self, event: MessageAdded, waiters: list[_Waiter]) -> None:
        arrived = ArrivedMessage(
            event.address, event.summary, await self._extraction(event.address, event.summary)
        )
        for _, future in waiters:
            if not future.done():
                future.set_result(arrived)
