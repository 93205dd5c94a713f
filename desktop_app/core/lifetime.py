"""Address lifetime: an address the user asked to be deleted automatically ("after 1 day") is deleted
when its time comes, on the service and here, through the same path as the user's Delete.

``AddressLifetimes.run`` is one task of the Inbox. It sleeps until the next thing due (a reminder, a
deletion, a retry), never longer than ``MAX_SLEEP`` so that a wall clock that jumped (a suspended
laptop) is noticed within a minute, and wakes early when an expiry is set or cleared. An expiry
that passed while the app was closed is due on the first pass after start. A deletion that fails
(the service unreachable, the keyring locked or not readable at all, the local server not running)
leaves the address as it is, marked, and is tried again with the core's one backoff. An account the
service itself says is gone is still removed here (``AddressBook.delete`` treats that as done); so is
an address with no password saved at all (nothing could ever log in to delete it), and the notice
says that it is still on the service (``AddressExpired.remote_deleted``).

"Its time" is the computer's wall clock, the only clock that spans a restart (an expiry passed while
the app was closed is due at start) and a suspend: nothing is deleted before the time the wall clock
shows, but a wall clock set ahead (by hand, or a wrong time zone fixed by hand) deletes early, and one
set back deletes late. The reminder ten minutes before comes by the same clock. No guard tries to tell
a wrong clock from a right one that jumped (a suspend, or a clock corrected by the network).

Time comes from a ``Clock`` (wall time and a sleep), so tests move time instead of waiting for it.
The short texts the sidebar, the tray and ``temp-inbox list`` show are here too, as plain functions.

Over 300 lines: the parsers, the texts and the scheduler share one set of rules (the reminder window,
the year's limit, the rounding); apart, a text could promise what the scheduler does not do.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from desktop_app.core.api.backoff import Backoff
from desktop_app.core.errors import ExpiryCancelledError, UsageError, user_text
from desktop_app.core.events import AddressExpired, AddressExpiring, ExpiryFailed, MailboxEvent
from desktop_app.core.store import AddressState, StoredAddress

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(minutes=10)  # the notification before the deletion
MAX_AHEAD = timedelta(days=366)  # the latest expiry taken: a year (a temporary address, after all)
MAX_SLEEP = 60.0  # seconds: how late a deletion can be after the wall clock jumped
RETRY_BASE, RETRY_CAP = 15.0, 1800.0  # seconds between attempts at a deletion that failed

# What the new-address dialog and the sidebar's menu offer (the launcher extensions' choices).
CHOICES: tuple[tuple[str, timedelta], ...] = (
    ("1 hour", timedelta(hours=1)),
    ("1 day", timedelta(days=1)),
    ("1 week", timedelta(weeks=1)),
)

_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DURATION = re.compile(r"^\s*(\d{1,4})\s*([mhdw])\s*$", re.IGNORECASE)
NEVER = "never"


_TOO_FAR = "That is more than a year ahead: choose an earlier time, or 'never' to keep the address."


def parse_lifetime(text: str) -> timedelta | None:
    """``1h``, ``1d``, ``1w`` (or ``30m``, ``3d`` …) as a duration; ``never`` as None."""
    if text.strip().lower() == NEVER:
        return None
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise UsageError(
            f"{text!r} is not a lifetime: use a number and a unit (30m, 1h, 1d, 1w), or 'never'."
        )
    lifetime = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if lifetime > MAX_AHEAD:
        raise UsageError(f"{text.strip()!r} is more than a year: choose a shorter lifetime, or 'never'.")
    return lifetime


def parse_moment(text: str, now: datetime) -> datetime:
    """An absolute time as ``expire --at`` takes it (ISO 8601; without an offset it is local time),
    which must lie ahead, within ``MAX_AHEAD``. The one parser of ``--at``: the command line checks
    with it before it asks the app, and the app again with its own clock."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{text!r} is not a date and time; write it like 2026-12-01T14:00.") from None
    try:
        if when.tzinfo is None:
            when = when.astimezone()  # the user's local time, as they wrote it
        # 9999-12-31T23:59-12:00 parses but has no UTC form (the cache keeps UTC): refused here, not
        # as "something went wrong" when it is stored.
        when.astimezone(UTC)
    except (ValueError, OverflowError):
        raise UsageError(_TOO_FAR) from None
    check_future(when, now)
    return when


def check_future(when: datetime, now: datetime) -> None:
    """An expiry must lie ahead (a time gone by would delete at once), and within a year."""
    if when <= now:
        raise UsageError("That time has already passed: choose a later one, or delete the address now.")
    if when - now > MAX_AHEAD:
        raise UsageError(_TOO_FAR)


def local_time(when: datetime, tz: tzinfo | None = None) -> datetime:
    return when.astimezone(tz) if tz is not None else when.astimezone()


def describe_expiry(expires_at: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """The row's short text: "deletes in 42 min", "deletes in 3 h", "deletes today at 14:00",
    "deletes tomorrow at 09:30", "deletes Mon at 14:00", "deletes on 24 Dec"."""
    left = expires_at - now
    if left <= timedelta(0):
        return "deleting now…"
    if left < timedelta(minutes=1):
        return "deletes in under a minute"
    # Whole minutes and hours left, rounded down alike: the row must never let the user think there
    # is more time than there is (7 min 59 s is "in 7 min", 1 h 59 min "in 1 h"). Early is the safe
    # side of a wrong guess: "in 2 h" for 1 h 31 min could lose the address with its mail.
    minutes = math.floor(left.total_seconds() / 60)
    if minutes < 60:
        return f"deletes in {minutes} min"
    if left < timedelta(hours=6):
        return f"deletes in {math.floor(left.total_seconds() / 3600)} h"
    when, today = local_time(expires_at, tz), local_time(now, tz).date()
    clock = when.strftime("%H:%M")
    days = (when.date() - today).days
    if days == 0:
        return f"deletes today at {clock}"
    if days == 1:
        return f"deletes tomorrow at {clock}"
    if days < 7:
        return f"deletes {when.strftime('%a')} at {clock}"
    return f"deletes on {when.day} {when.strftime('%b')}"


def exact_expiry(expires_at: datetime, tz: tzinfo | None = None) -> str:
    """The tooltip's exact time, e.g. "Tue 1 Dec 2026, 14:00 (UTC+01:00)"."""
    when = local_time(expires_at, tz)
    offset = when.strftime("%z")
    zone = f"UTC{offset[:3]}:{offset[3:]}" if offset and offset != "+0000" else "UTC"
    return f"{when.strftime('%a')} {when.day} {when.strftime('%b %Y, %H:%M')} ({zone})"


@dataclass(frozen=True, slots=True)
class ExpiryProblem:
    """Why a due deletion has not happened yet, and when it is tried again."""

    reason: str
    retry_at: datetime


@dataclass(frozen=True, slots=True)
class ExpiryView:
    """How a row shows the expiry: ``text`` on the row, ``detail`` in its tooltip; ``urgent`` when
    it is due within the reminder window or waits for a retry (drawn as a warning)."""

    text: str
    detail: str
    urgent: bool


def expiry_view(
    expires_at: datetime, now: datetime, problem: ExpiryProblem | None = None, tz: tzinfo | None = None
) -> ExpiryView:
    exact = exact_expiry(expires_at, tz)
    if problem is not None:
        # Rounded up to the minute: by the time shown, the retry has happened (not a minute early).
        retry_at = problem.retry_at
        if retry_at.second or retry_at.microsecond:
            retry_at = retry_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
        retry = local_time(retry_at, tz).strftime("%H:%M")
        return ExpiryView(
            f"not deleted yet · retry {retry}",
            f"Was to be deleted on {exact}, but could not be: {problem.reason} Trying again at {retry}.",
            True,
        )
    return ExpiryView(
        describe_expiry(expires_at, now, tz),
        f"To be deleted automatically on {exact}, on the mail service and here, with its mail.",
        expires_at - now <= REMIND_BEFORE,
    )


class Clock(Protocol):
    def now(self) -> datetime: ...
    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AddressLifetimes:
    """Reminds before, and deletes at, each address's expiry; see the module's docstring."""

    def __init__(
        self,
        records: Callable[[], Sequence[StoredAddress]],
        delete: Callable[[str, Callable[[], bool]], Awaitable[bool]],
        emit: Callable[[MailboxEvent], None],
        *,
        clock: Clock | None = None,
        remind_before: timedelta = REMIND_BEFORE,
    ) -> None:
        self._records = records
        # Deletes an address; it calls the check it is given right before the remote DELETE and
        # raises ``ExpiryCancelledError`` when that says the deletion is no longer wanted; True when
        # the account is gone from the service too.
        self._delete = delete
        self._emit = emit
        self.clock: Clock = clock or SystemClock()
        self._remind_before = remind_before
        self._wake = asyncio.Event()
        self._reminded: set[tuple[str, datetime]] = set()
        self._backoffs: dict[str, Backoff] = {}
        self.problems: dict[str, ExpiryProblem] = {}

    def changed(self, address: str | None = None) -> None:
        """An expiry was set, changed or cleared (of ``address``): look again now. A new time gets a
        new reminder and a fresh attempt."""
        if address is not None:
            self.forget(address)
        self._wake.set()

    def forget(self, address: str) -> None:
        self._backoffs.pop(address, None)
        self.problems.pop(address, None)
        self._reminded = {r for r in self._reminded if r[0] != address}

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before the pass: a change during it wakes the next pause at once
            delay = await self.run_due()
            await self._pause(delay)

    async def _pause(self, seconds: float) -> None:
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            # asyncio.wait, not gather: it never raises the children's CancelledError, so a cancel of
            # this task arriving now still ends it.
            await asyncio.wait({sleeper, waker})

    async def run_due(self) -> float:
        """Remind and delete what is due now; the seconds until something else is due."""
        now = self.clock.now()
        wake_in = MAX_SLEEP
        records = [r for r in self._records() if r.expires_at is not None]
        for address in set(self._backoffs) - {r.address for r in records}:
            self.forget(address)  # deleted or kept meanwhile
        for record in records:
            when = record.expires_at
            # A half-created address is settled at start first; deleting it now would race that.
            if when is None or record.state is AddressState.PENDING:
                continue
            problem = self.problems.get(record.address)
            if when <= now:
                if problem is not None and problem.retry_at > now:
                    wake_in = min(wake_in, (problem.retry_at - now).total_seconds())
                    continue
                # Each deletion awaits the network: what the list said before it may be stale now (the
                # user kept the address meanwhile), so each one is decided on the record as it is now.
                current = self.due_record(record.address)
                if current is not None:
                    wake_in = min(wake_in, await self._expire(current))
                now = self.clock.now()
                continue
            remind_at = when - self._remind_before
            if remind_at <= now:
                if (record.address, when) not in self._reminded:
                    self._reminded.add((record.address, when))
                    self._emit(AddressExpiring(record.address, when))
            else:
                wake_in = min(wake_in, (remind_at - now).total_seconds())
            wake_in = min(wake_in, (when - now).total_seconds())
        return max(0.0, wake_in)

    def due_record(self, address: str) -> StoredAddress | None:
        """``address`` as it is stored now, if it is still to be deleted now: it exists, is not being
        settled, and its expiry (as it is now, not as it was) has come."""
        record = next((r for r in self._records() if r.address == address), None)
        if record is None or record.state is AddressState.PENDING or record.expires_at is None:
            return None
        return record if record.expires_at <= self.clock.now() else None

    async def _expire(self, record: StoredAddress) -> float:
        """Delete ``record``; on failure, the seconds until it is tried again."""
        address = record.address
        log.info("%s reached its expiry: deleting it", address)
        try:
            remote_deleted = await self._delete(address, lambda: self.due_record(address) is not None)
        except ExpiryCancelledError:
            log.info("%s was kept while its deletion was starting: not deleted", address)
            self.forget(address)
            return 0.0  # look again at once: its new expiry (if any) needs a fresh plan
        except Exception as exc:  # whatever it was, the address stays and is tried again
            backoff = self._backoffs.setdefault(address, Backoff(RETRY_BASE, RETRY_CAP))
            delay = backoff.next_delay()
            retry_at = self.clock.now() + timedelta(seconds=delay)
            reason = user_text(exc)
            log.warning("could not delete expired %s: %s (%r); again in %.0f s", address, reason, exc, delay)
            self.problems[address] = ExpiryProblem(reason, retry_at)
            self._emit(ExpiryFailed(address, reason, retry_at))
            return delay
        self.forget(address)
        self._emit(AddressExpired(address, record.label, remote_deleted))
        return 0.0
