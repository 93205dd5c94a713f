"""What to tell the user when mail arrives: one notice at once, then bursts folded into summaries.

The first message after a quiet period is shown immediately (no timer: latency matters). Messages
arriving during the following ``window`` seconds are held and folded into one summary
("12 new messages in 3 addresses") when the window ends; while a flood lasts, a new window opens after
each summary. Never more than ``max_per_minute`` notices in any 60 s. Do-not-disturb drops popups
(unread counts are someone else's job and keep updating).

Pure logic with an injectable clock: the Qt side calls ``push`` for each message and ``flush`` at
``due()``. Texts here are plain; ``escape_markup`` prepares them for freedesktop body markup.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from desktop_app.core.codes import Extraction, extract_from_summary
from desktop_app.core.lifetime import describe_expiry, local_time
from desktop_app.core.models import MessageSummary

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_TITLE = 120
MAX_LINE = 200


def plain_text(text: str, limit: int = 1000) -> str:
    """Text safe to show anywhere as plain text: no control or bidi-override characters, bounded."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def single_line(text: str, limit: int = MAX_LINE) -> str:
    """One line of plain text: mail headers may carry newlines meant to forge extra lines."""
    return plain_text(" ".join(text.split()), limit)


def defused_title(text: str) -> str:
    """A summary line no notification server can read as markup.

    The spec makes the summary plain text, so escaping it would show ``&lt;`` on most servers; but
    some (dunst with markup on) parse it anyway. Look-alike angle brackets read the same to the user
    and can never open a tag."""
    return single_line(text, MAX_TITLE).replace("<", "\u2039").replace(">", "\u203a")


def escape_markup(text: str) -> str:
    """Escape for the freedesktop body markup (a small HTML subset some servers interpret)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class NewMessage:
    """Mail to announce: its summary as the list has it, and what was found in it."""

    address: str  # the mailbox key (lower-cased address) the message arrived in
    summary: MessageSummary
    extraction: Extraction | None = None

    @property
    def message_id(self) -> str:
        return self.summary.id

    @property
    def subject(self) -> str:
        return self.summary.subject

    @property
    def sender(self) -> str:
        """As a notice shows it: "Name <address>", or the bare address."""
        sender = self.summary.sender
        return f"{sender.name} <{sender.address}>" if sender.name else sender.address


def announcement(address: str, summary: MessageSummary) -> NewMessage | None:
    """What to announce of mail newly listed for ``address``: nothing when it was read elsewhere
    already (a catch-up after logging in lists it, but it is not news)."""
    if summary.seen:
        return None
    return NewMessage(address, summary, extract_from_summary(summary))


class NoticeKind(Enum):
    MESSAGE = "message"
    SUMMARY = "summary"
    EXPIRING = "expiring"  # an address goes soon: "Keep address" clears its expiry
    EXPIRED = "expired"  # an address was deleted at its expiry


@dataclass(frozen=True)
class Notice:
    """One popup. ``title`` and ``body`` are plain text; ``address``/``message_id`` say what "Open" opens."""

    kind: NoticeKind
    title: str
    body: str
    address: str | None = None
    message_id: str | None = None
    code: str | None = None
    link: str | None = None
    count: int = 1

    @property
    def markup_body(self) -> str:
        return escape_markup(self.body)


def message_notice(message: NewMessage) -> Notice:
    extraction = message.extraction or Extraction()
    lines = [f"From: {single_line(message.sender)}", f"To: {single_line(message.address)}"]
    if extraction.code:
        lines.append(f"Code: {single_line(extraction.code, 40)}")
    return Notice(
        NoticeKind.MESSAGE,
        title=defused_title(message.subject) or "(no subject)",
        body="\n".join(lines),
        address=message.address,
        message_id=message.message_id,
        code=extraction.code,
        link=extraction.link,
    )


def summary_notice(messages: list[NewMessage]) -> Notice:
    addresses = list(dict.fromkeys(m.address for m in messages))
    where = f"in {len(addresses)} addresses" if len(addresses) > 1 else f"for {single_line(addresses[0])}"
    latest = messages[-1]
    code = latest.extraction.code if latest.extraction else None
    lines = [
        f"Latest: {single_line(latest.subject, 80) or '(no subject)'} — {single_line(latest.sender, 80)}"
    ]
    if code:
        lines.append(f"Code: {single_line(code, 40)}")
    return Notice(
        NoticeKind.SUMMARY,
        title=f"{len(messages)} new messages {where}",
        body="\n".join(lines),
        # "Open" on a summary opens the latest message: the one its body names.
        address=latest.address,
        message_id=latest.message_id,
        code=code,
        link=latest.extraction.link if latest.extraction else None,
        count=len(messages),
    )


def expiring_notice(address: str, label: str, expires_at: datetime, now: datetime) -> Notice:
    """The warning before an address is deleted at the expiry the user chose; "Open" shows it."""
    name = single_line(label or address, 80)
    at = local_time(expires_at).strftime("%H:%M")
    return Notice(
        NoticeKind.EXPIRING,
        title=defused_title(f"{name} {describe_expiry(expires_at, now)}"),
        body=f"{single_line(address)} and its mail are deleted automatically at {at}, as you asked.",
        address=address,
    )


def expired_notice(address: str, label: str, remote_deleted: bool = True) -> Notice:
    name = f"{single_line(label, 80)} ({single_line(address)})" if label else single_line(address)
    if not remote_deleted:  # no password saved: nothing could log in to delete it on the service
        return Notice(
            NoticeKind.EXPIRED,
            title=defused_title(f"Removed {single_line(label or address, 80)} here"),
            body=(
                f"{name} was removed here with its mail, as you asked, but could not be deleted on "
                "the mail service: no password is saved for it."
            ),
        )
    return Notice(
        NoticeKind.EXPIRED,
        title=defused_title(f"Deleted {single_line(label or address, 80)}"),
        body=f"{name} was deleted automatically with its mail, as you asked.",
    )


class NoticeBatcher:
    """Turns a stream of new messages into a bounded stream of notices."""

    def __init__(
        self, *, window: float = 2.0, max_per_minute: int = 8, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self.max_per_minute = max_per_minute
        self.clock = clock
        self._window_end: float | None = None
        self._pending: list[NewMessage] = []
        self._sent: deque[float] = deque()
        self._dnd = False
        self.suppressed = 0  # messages not announced because of do-not-disturb

    @property
    def do_not_disturb(self) -> bool:
        return self._dnd

    @do_not_disturb.setter
    def do_not_disturb(self, on: bool) -> None:
        self._dnd = on
        if on:
            self._pending.clear()
            self._window_end = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def due(self) -> float | None:
        """Clock time at which ``flush`` has a summary to produce, or None."""
        return self._window_end if self._pending else None

    def push(self, message: NewMessage) -> list[Notice]:
        now = self.clock()
        notices = self._flush(now)
        if self._dnd:
            self.suppressed += 1
            return notices
        if self._window_end is None:
            self._window_end = now + self.window
            if self._allowed(now):
                self._sent.append(now)
                notices.append(message_notice(message))
                return notices
        self._pending.append(message)
        return notices

    def flush(self) -> list[Notice]:
        return self._flush(self.clock())

    def _allowed(self, now: float) -> bool:
        while self._sent and now - self._sent[0] >= 60.0:
            self._sent.popleft()
        return len(self._sent) < self.max_per_minute

    def _flush(self, now: float) -> list[Notice]:
        if self._window_end is None or now < self._window_end:
            return []
        if not self._pending:
            self._window_end = None  # quiet again: the next message is shown at once
            return []
        if not self._allowed(now):
            self._window_end = self._sent[0] + 60.0  # when the oldest notice leaves the minute
            return []
        pending, self._pending = self._pending, []
        self._sent.append(now)
        self._window_end = now + self.window  # a flood keeps being folded while it lasts
        return [summary_notice(pending) if len(pending) > 1 else message_notice(pending[0])]
