"""Waiting for the next matching message (``temp-inbox wait``), for the ``Inbox``.

A waiter is registered before the caller is told "waiting", so that mail sent from then on counts;
each arrival answers every waiter it matches, with the code and link read from the message's body.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from desktop_app.core.codes import Extraction
from desktop_app.core.events import MailboxEvent, MessageAdded
from desktop_app.core.models import MessageSummary
from desktop_app.core.tasks import NamedTasks

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


def sender_matches(pattern: str | None, summary: MessageSummary) -> bool:
    """A substring of "Name <address>", or else a regular expression over it (case-insensitive)."""
    if not pattern:
        return True
    haystack = f"{summary.sender.name} <{summary.sender.address}>"
    if pattern.lower() in haystack.lower():
        return True
    try:
        return re.search(pattern, haystack, re.IGNORECASE) is not None
    except re.error:
        return False


_Waiter = tuple[str | None, str | None, asyncio.Future[ArrivedMessage]]


class MessageWaiters:
    def __init__(self, tasks: NamedTasks, extraction: Extractor) -> None:
        self._tasks = tasks
        self._extraction = extraction
        self._waiters: list[_Waiter] = []

    async def wait(
        self,
        key: str | None,
        sender: str | None,
        timeout: float | None,
        on_registered: Callable[[], None] | None,
    ) -> ArrivedMessage:
        future: asyncio.Future[ArrivedMessage] = asyncio.get_running_loop().create_future()
        entry = (key, sender, future)
        self._waiters.append(entry)
        if on_registered is not None:
            on_registered()
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def cancel_all(self) -> None:
        for _, _, future in self._waiters:
            future.cancel()

    def on_event(self, event: MailboxEvent) -> None:
        if isinstance(event, MessageAdded) and self._waiters:
            matching = [
                w
                for w in self._waiters
                if (w[0] in (None, event.address)) and sender_matches(w[1], event.summary)
            ]
            if matching:
                self._tasks.spawn(f"wait {event.summary.id}", self._answer(event, matching), replace=False)

    async def _answer(self, event: MessageAdded, waiters: list[_Waiter]) -> None:
        arrived = ArrivedMessage(
            event.address, event.summary, await self._extraction(event.address, event.summary)
        )
        for _, _, future in waiters:
            if not future.done():
                future.set_result(arrived)
