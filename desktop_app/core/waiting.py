"""Waiting for the next matching message (``temp-inbox wait``, the window's "Expect mail…"), for the
``Inbox``.

A waiter is registered before the caller is told "waiting", so that mail sent from then on counts;
each arrival answers every waiter it matches, with the code and link read from the message's body.
A waiter is settled the moment its mail arrives, before the body is fetched: a slow fetch (the
client's retries) outlasting the time left, or "Stop waiting" meanwhile, must not turn the mail the
window held back from its ordinary notice into "nothing came".
Every waiter is an :class:`~desktop_app.core.events.Expectation` the window can show ("Waiting for
mail from acme… 0:42"); ``on_change`` hears each one start and end. ``wait_or_say_why`` checks the
address when the time runs out and says why nothing came (:class:`NoMailInTime`, ``ended="checked"``).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from desktop_app.core import errors
from desktop_app.core.codes import Extraction, extract_from_summary
from desktop_app.core.events import Expectation, ExpectationChanged, MailboxEvent, MessageAdded
from desktop_app.core.health import HealthReport
from desktop_app.core.models import MessageSummary
from desktop_app.core.tasks import NamedTasks

log = logging.getLogger(__name__)

WaitOrigin = Literal["window", "command"]
Extractor = Callable[[str, MessageSummary], Awaitable[Extraction]]

# How long an answer may spend reading the code from the body before it makes do with the subject and
# preview: the mail has come, and ``temp-inbox wait`` gets its reply within its timeout plus 30 s.
BODY_FOR_CODE_S = 20.0
# How long a timed-out wait may spend saying why (the CLI waits its timeout plus 30 s for the answer).
CHECK_AFTER_WAIT_S = 20.0
# Arrivals answered for the window's waits, remembered so that the ordinary notice leaves them to the
# wait's answer even once the waiter is gone (a few: the events of one arrival follow each other).
HELD_BACK_KEPT = 64


class NoMailInTime(TimeoutError):
    """A wait that timed out, with the check of the address it waited on (None: no check ran)."""

    def __init__(self, report: HealthReport | None = None) -> None:
        super().__init__("No matching message arrived in time.")
        self.report = report


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


# A waiter's future gets the (shared) answer of the arrival that settled it.
_Waiter = tuple[Expectation, asyncio.Future[asyncio.Task[ArrivedMessage]]]


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
        self._held_back: dict[tuple[str, str], None] = {}  # (address, message id), oldest first

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
        future: asyncio.Future[asyncio.Task[ArrivedMessage]] = asyncio.get_running_loop().create_future()
        expectation = Expectation(next(self._ids), key, sender or None, subject or None, timeout, origin)
        entry = (expectation, future)
        self._waiters.append(entry)
        self._on_change(ExpectationChanged(key or "", expectation))
        if on_registered is not None:
            on_registered(expectation)
        ended: Literal["arrived", "cancelled", "timed-out"] = "cancelled"
        try:
            try:
                async with asyncio.timeout(timeout):
                    answer = await future
            except TimeoutError:
                if not _settled(future):
                    ended = "timed-out"
                    raise
                answer = future.result()  # the mail came in the very tick the time ran out
            ended = "arrived"
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)
            self._on_change(ExpectationChanged(key or "", expectation, ended))
        # Shielded: the answer is shared by every wait the arrival settled; one caller giving up
        # (the app closing) does not take it from the others.
        return await asyncio.shield(answer)

    async def wait_or_say_why(
        self,
        key: str | None,
        sender: str | None,
        timeout: float | None,
        on_registered: Callable[[Expectation], None] | None,
        check: Callable[[str], Awaitable[HealthReport]],
        checked: Callable[[], str | None],
        *,
        subject: str | None = None,
        origin: WaitOrigin = "command",
    ) -> ArrivedMessage:
        """``wait``; a timeout checks the address ``checked()`` names (``check``) and raises
        :class:`NoMailInTime` with the report, told to ``on_change`` as ``ended="checked"``."""
        expectation: list[Expectation] = []

        def registered(mine: Expectation) -> None:
            expectation.append(mine)
            if on_registered is not None:
                on_registered(mine)

        try:
            return await self.wait(key, sender, timeout, registered, subject=subject, origin=origin)
        except TimeoutError:
            pass
        address = checked()
        report: HealthReport | None = None
        if address:
            try:
                # Bounded: the timeout answer must reach the CLI within its own reply window.
                report = await asyncio.wait_for(check(address), CHECK_AFTER_WAIT_S)
            except Exception as exc:  # the check is extra: the answer is still "timed out"
                log.info("no check after the wait: %r", exc)
        if expectation:
            # Told on the address checked: a wait for any address shows its verdict on the current one.
            self._on_change(ExpectationChanged(address or "", expectation[0], "checked", report))
        raise NoMailInTime(report)

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

    def expected_by_window(self, address: str, summary: MessageSummary) -> bool:
        """Whether a window wait takes (or took) this arrival: its answer announces it, with the code."""
        if (address, summary.id) in self._held_back:
            return True
        return any(e.origin == "window" for e in self.matching(address, summary))

    def on_event(self, event: MailboxEvent) -> None:
        if not (isinstance(event, MessageAdded) and self._waiters):
            return
        wanted = {e.id for e in self.matching(event.address, event.summary)}
        settled = [w for w in self._waiters if w[0].id in wanted and not w[1].done()]
        if not settled:
            return
        # Settled now, not once the body is read: no timeout or "Stop waiting" can end these waits
        # empty-handed any more.
        answer: asyncio.Task[ArrivedMessage] = self._tasks.spawn(
            f"wait {event.address} {event.summary.id}", self._answer(event), replace=False
        )
        for entry in settled:
            self._waiters.remove(entry)
            entry[1].set_result(answer)
        if any(expectation.origin == "window" for expectation, _ in settled):
            self._held_back[(event.address, event.summary.id)] = None
            while len(self._held_back) > HELD_BACK_KEPT:
                del self._held_back[next(iter(self._held_back))]

    async def _answer(self, event: MessageAdded) -> ArrivedMessage:
        try:
            extraction = await asyncio.wait_for(
                self._extraction(event.address, event.summary), BODY_FOR_CODE_S
            )
        except TimeoutError:
            extraction = extract_from_summary(event.summary)
        return ArrivedMessage(event.address, event.summary, extraction)


def _settled(future: asyncio.Future[asyncio.Task[ArrivedMessage]]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
