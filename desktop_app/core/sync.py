"""Mailboxes: live hub updates merged with REST catch-up into the local store, never losing a message.

One ``Mailbox`` per address runs three named tasks:

* ``live`` — the address's ``LiveSubscription``; every time it goes live (first connect and every
  reconnect), and whenever a hub event cannot be read, a catch-up is requested;
* ``catch-up`` — lists ``/messages`` newest first until a page ends in a message that was already stored
  when the catch-up was requested (or the list ends), so anything that arrived while disconnected is
  stored; failures (429, 5xx, malformed replies, no network) are retried with backoff, never dropped;
* ``bodies`` — fetches each new message's full body exactly once (one ``GET /messages/{id}``), so that
  notifications and code extraction have the text.

Everything is deduplicated by message id through the store (``save_summaries`` reports which ids were new),
and a message deleted during a catch-up is not resurrected by it. Pushed mail is announced
(``MessageArriving``) once the cache has accepted it and before the commit, so a notification does not
wait for the disk; ``MessageAdded`` follows once it is stored. ``MailboxSet`` runs many mailboxes over
one shared hub connection and shuts them all down within a deadline.

Over 300 lines: the Mailbox's live, catch-up and body workers share its seen and removed bookkeeping;
MailboxSet is its small owner.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from desktop_app.core import errors
from desktop_app.core.api import Backoff
from desktop_app.core.events import (
    ConnectionChanged,
    ConnectionState,
    EventEmitter,
    MessageAdded,
    MessageArriving,
    MessageBodyLoaded,
    MessageRemoved,
    MessageUpdated,
    SyncProblem,
    UsageChanged,
)
from desktop_app.core.live import (
    AccountPushed,
    HubAccount,
    HubStreams,
    HubUpdate,
    LiveSettings,
    LiveSubscription,
    MessageGone,
    MessagePushed,
    Unreadable,
)
from desktop_app.core.models import Message, MessageSummary, Page
from desktop_app.core.tasks import NamedTasks

log = logging.getLogger(__name__)

_MAX_UNEXPECTED_BODY_FAILURES = 3
_END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _utc(value: datetime) -> datetime | None:
    """``value`` comparable with the store's UTC dates; None for a date that has no UTC form."""
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        return None


def _problem_text(exc: BaseException) -> str:
    """User-facing text for a sync problem: our own errors carry it; anything else gets the generic one."""
    return str(exc) if isinstance(exc, errors.TempInboxError) else errors.TempInboxError.default_message


class MailboxStore(Protocol):
    """Local storage of mailboxes, keyed by the lower-cased address (``core/store/cache.py`` has it)."""

    def known_message_ids(self, address: str) -> set[str]: ...
    def known_message_times(self, address: str) -> dict[str, datetime]: ...
    def save_summaries(
        self,
        address: str,
        summaries: Sequence[MessageSummary],
        *,
        pushed: bool = False,
        before_commit: Callable[[list[str]], None] | None = None,
    ) -> list[str]: ...
    def save_message(self, address: str, message: Message) -> None: ...
    def has_full_message(self, message_id: str) -> bool: ...
    def set_seen(self, message_id: str, seen: bool) -> None: ...
    def remove_message(self, message_id: str) -> None: ...
    def set_usage(self, address: str, used: int, quota: int) -> None: ...


class MailboxClient(HubAccount, Protocol):
    """What a mailbox needs from its address's API client (``MailTmClient`` fits)."""

    @property
    def address(self) -> str | None: ...
    async def messages(self, page: int = 1) -> Page: ...
    async def message(self, message_id: str) -> Message: ...


@dataclass(frozen=True, slots=True)
class SyncSettings:
    live: LiveSettings = field(default_factory=LiveSettings)
    fetch_bodies: bool = True
    retry_base: float = 1.0  # mailbox-level retry after the API client's own retries gave up
    retry_cap: float = 60.0
    max_pages: int = 400  # a runaway guard: 12,000 messages, far beyond a 7-day temporary inbox


class Mailbox:
    def __init__(
        self,
        client: MailboxClient,
        store: MailboxStore,
        streams: HubStreams,
        hub_url: str,
        events: EventEmitter,
        *,
        settings: SyncSettings | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not client.address:
            raise errors.UsageError(detail="a mailbox needs a client bound to an address")
        self.key = client.address.lower()
        self._client, self._store, self._events = client, store, events
        self._settings = settings or SyncSettings()
        self._rng = rng
        self._tasks = NamedTasks(f"mailbox {self.key}")
        self.subscription = LiveSubscription(
            streams,
            client,
            hub_url,
            on_update=self._on_hub_update,
            on_state=self._on_state,
            settings=self._settings.live,
            rng=rng,
        )
        self._catch_up_wanted = asyncio.Event()
        self._catch_up_known: set[str] | None = None  # ids stored when the pending catch-up was asked for
        self._catch_up_done = asyncio.Event()
        self._bodies: asyncio.Queue[str] = asyncio.Queue()
        self._bodies_queued: set[str] = set()
        self._seen: dict[str, bool] = {}
        self._removed: set[str] = set()  # deleted this session: a catch-up page must not bring them back
        self.catch_ups = 0
        self.body_fetches = 0

    @property
    def state(self) -> ConnectionState:
        return self.subscription.state

    def start(self) -> None:
        self._tasks.spawn("live", self.subscription.run(), replace=False)
        self._tasks.spawn("catch-up", self._catch_up_worker(), replace=False)
        if self._settings.fetch_bodies:
            self._tasks.spawn("bodies", self._body_worker(), replace=False)

    def reconnect(self) -> None:
        """Open a new stream now: after "failed" (a "Retry" button), or when the network comes back."""
        self._tasks.spawn("live", self.subscription.run())

    async def aclose(self, timeout: float = 2.0) -> bool:
        return await self._tasks.close(timeout)

    def request_catch_up(self, reason: str) -> None:
        log.debug("%s: catch-up requested (%s)", self.key, reason)
        if self._catch_up_known is None:
            self._catch_up_known = self._store.known_message_ids(self.key)
        self._catch_up_done.clear()
        self._catch_up_wanted.set()

    def note_deleted(self, message_id: str) -> None:
        """The user deleted a message through this app (and the service confirmed): drop it for good."""
        self._remove(message_id)

    def note_seen(self, message_id: str, seen: bool) -> None:
        """The user marked a message read/unread through this app; the hub's echo will then be a no-op."""
        if self._seen.get(message_id) != seen:
            self._seen[message_id] = seen
            self._store.set_seen(message_id, seen)
            self._events.emit(MessageUpdated(self.key, message_id, seen))

    async def wait_caught_up(self) -> None:
        """Wait until no catch-up is pending or running (for tests and the command line)."""
        await self._catch_up_done.wait()

    # Live updates ------------------------------------------------------------------------------------

    def _on_state(self, state: ConnectionState) -> None:
        if state.kind == "live" or (state.kind == "failed" and self.catch_ups == 0):
            # Live: whatever arrived while we were away is only in /messages. Failed for good: show the
            # inbox as it is at least once.
            self.request_catch_up(f"connection {state.kind}")
        self._events.emit(ConnectionChanged(self.key, state))

    def _on_hub_update(self, update: HubUpdate) -> None:
        if isinstance(update, MessagePushed):
            self._apply_summaries([update.summary], pushed=True)
        elif isinstance(update, MessageGone):
            self._remove(update.message_id)
        elif isinstance(update, AccountPushed):
            self._store.set_usage(self.key, update.account.used, update.account.quota)
            self._events.emit(UsageChanged(self.key, update.account.used, update.account.quota))
        elif isinstance(update, Unreadable):
            log.info("%s: unreadable hub event (%s); catching up over REST", self.key, update.reason)
            self.request_catch_up("unreadable hub event")

    # Shared by live updates and catch-up -------------------------------------------------------------

    def _belongs_here(self, summary: MessageSummary) -> bool:
        account_id = self._client.account_id
        if account_id and summary.account_id != account_id:
            log.warning(
                "%s: ignoring message %r of account %r (this address is %r)",
                self.key,
                summary.id,
                summary.account_id,
                account_id,
            )
            return False
        return True

    def _save_summaries(
        self,
        summaries: Sequence[MessageSummary],
        pushed: bool,
        before_commit: Callable[[list[str]], None] | None = None,
    ) -> list[str]:
        """Save all at once; if the cache refuses the batch, save one by one and skip what it refuses,
        so one undigestible message cannot keep the others out. ``pushed``: from the hub, in arrival
        order (not a page of the list; the store orders mail of one second by it)."""
        try:
            return self._store.save_summaries(self.key, summaries, pushed=pushed, before_commit=before_commit)
        except errors.StoreError as exc:
            log.warning(
                "%s: saving %d messages failed (%s); saving one by one", self.key, len(summaries), exc.detail
            )
        new: list[str] = []
        for summary in summaries:
            try:
                new += self._store.save_summaries(
                    self.key, [summary], pushed=pushed, before_commit=before_commit
                )
            except errors.StoreError as exc:
                log.warning("%s: cannot store message %r: %s", self.key, summary.id, exc.detail)
        return new

    def _apply_summaries(self, summaries: Sequence[MessageSummary], *, pushed: bool = False) -> None:
        summaries = [s for s in summaries if self._belongs_here(s)]
        current = [s for s in summaries if s.id not in self._removed and not s.is_deleted]
        for gone in (s for s in summaries if s.is_deleted):
            self._remove(gone.id)
        if not current:
            return
        announced: set[str] = set()

        def announce(accepted: list[str]) -> None:
            # Live mail: the cache has taken it, only the commit is left; the notification need not
            # wait for the disk (a crash in between: the next catch-up lists it again, nothing lost).
            for summary in current:
                if summary.id in accepted and summary.id not in announced:
                    announced.add(summary.id)
                    self._events.emit(MessageArriving(self.key, summary))

        new_ids = set(self._save_summaries(current, pushed, announce if pushed else None))
        if announced - new_ids:
            # Accepted but the commit failed (a disk error): announced, not stored. The service still
            # has it; a catch-up stores it once the cache can be written again.
            log.warning("%s: announced mail not stored: %s", self.key, sorted(announced - new_ids))
            self.request_catch_up("announced mail not stored")
        for summary in current:
            if summary.id in new_ids:
                self._seen[summary.id] = summary.seen
                self._events.emit(MessageAdded(self.key, summary, pushed, announced=summary.id in announced))
                self._queue_body(summary.id)
            elif self._seen.get(summary.id) != summary.seen:
                self._seen[summary.id] = summary.seen
                self._store.set_seen(summary.id, summary.seen)
                self._events.emit(MessageUpdated(self.key, summary.id, summary.seen))

    def _remove(self, message_id: str) -> None:
        self._removed.add(message_id)
        self._seen.pop(message_id, None)
        if message_id in self._store.known_message_ids(self.key):
            self._store.remove_message(message_id)
            self._events.emit(MessageRemoved(self.key, message_id))

    # Catch-up ----------------------------------------------------------------------------------------

    async def _catch_up_worker(self) -> None:
        backoff = Backoff(self._settings.retry_base, self._settings.retry_cap, self._rng)
        while True:
            await self._catch_up_wanted.wait()
            self._catch_up_wanted.clear()
            known = self._catch_up_known or set()
            self._catch_up_known = None  # a request during this round snapshots the store afresh
            while True:
                try:
                    await self._catch_up_once(known)
                    backoff.reset()
                    break
                except errors.AuthError as exc:
                    # The client already tried a silent re-login; retrying cannot fix a gone account.
                    log.warning("%s: catch-up refused (%r)", self.key, exc)
                    self._events.emit(SyncProblem(self.key, str(exc), None))
                    break
                except errors.ApiError as exc:
                    delay = backoff.next_delay()
                    log.info("%s: catch-up failed (%r); retrying in %.1f s", self.key, exc, delay)
                    self._events.emit(SyncProblem(self.key, str(exc), delay))
                    await asyncio.sleep(delay)
                except Exception as exc:
                    # A bug or an undigestible value must not end catch-up for the session (and leave
                    # wait_caught_up() hanging): log it, tell the window, try again later.
                    delay = backoff.next_delay()
                    log.exception("%s: catch-up failed unexpectedly; retrying in %.1f s", self.key, delay)
                    self._events.emit(SyncProblem(self.key, _problem_text(exc), delay))
                    await asyncio.sleep(delay)
            self.catch_ups += 1
            if not self._catch_up_wanted.is_set():
                self._catch_up_done.set()

    async def _catch_up_once(self, known: set[str]) -> None:
        """List pages until one ends in a message already known before this round (or the list ends).

        Ids stored during the round (by an earlier failed attempt or by live events) do not count as known,
        so a retry after a failure on page 2 still reaches page 2, and a missed message older than a
        freshly pushed one is still found. Known messages the pages read should have listed but did not
        were deleted on the service meanwhile (see ``_drop_unlisted``)."""
        listed: set[str] = set()
        spans: list[tuple[datetime, datetime]] = []
        list_end: datetime | None = None
        for page_number in range(1, self._settings.max_pages + 1):
            page = await self._client.messages(page_number)
            summaries = [item for item in page.items if isinstance(item, MessageSummary)]
            self._apply_summaries(summaries)
            listed.update(s.id for s in summaries)
            times = [t for t in (_utc(s.created_at) for s in summaries) if t is not None]
            last = page.has_next is False or (page_number == 1 and not summaries and page.total == 0)
            if page_number == 1 and last:
                list_end = _END_OF_TIME  # the whole list in one answer: what it lacks is gone
            elif times:
                # Nothing comes before page 1, so it holds everything newer than its oldest entry.
                spans.append((min(times), _END_OF_TIME if page_number == 1 else max(times)))
                if last:
                    list_end = max(times)  # the tail: it holds everything older than its newest
            if not summaries or last or summaries[-1].id in known:
                break
        else:
            log.warning("%s: catch-up stopped after %d pages", self.key, self._settings.max_pages)
        self._drop_unlisted(known - listed, spans, list_end)

    def _drop_unlisted(
        self, unlisted: set[str], spans: Sequence[tuple[datetime, datetime]], list_end: datetime | None
    ) -> None:
        """Remove known messages that the service's pages prove gone, comparing only what was read.

        One page is one consistent answer of a list sorted newest first, so a message dated strictly
        between a page's oldest and newest entries would be on that page if the service still had it;
        page 1 has nothing above it and the last page (``has_next`` false) nothing below, so their open
        side proves more, and a first page that is also the last proves everything. Between pages the
        list may shift (mail arriving, mail deleted while we read) and mail of one second may straddle
        a page boundary, so a boundary date proves nothing. Mail that arrived during the round is not
        in ``unlisted`` (it was not known when the round began)."""
        if not unlisted or not (spans or list_end):
            return
        times = self._store.known_message_times(self.key)
        for message_id in unlisted:
            created = times.get(message_id)
            if created is None:
                continue  # removed meanwhile, or an unreadable date: nothing to judge
            inside = any(oldest < created < newest for oldest, newest in spans)
            if inside or (list_end is not None and created < list_end):
                log.info("%s: %r is no longer listed by the service; removing it", self.key, message_id)
                self._remove(message_id)

    # Full bodies -------------------------------------------------------------------------------------

    def _queue_body(self, message_id: str) -> None:
        if not self._settings.fetch_bodies or message_id in self._bodies_queued:
            return
        self._bodies_queued.add(message_id)
        self._bodies.put_nowait(message_id)

    async def _body_worker(self) -> None:
        backoff = Backoff(self._settings.retry_base, self._settings.retry_cap, self._rng)
        while True:
            message_id = await self._bodies.get()
            failures = 0
            while message_id not in self._removed and not self._store.has_full_message(message_id):
                try:
                    self.body_fetches += 1
                    message = await self._client.message(message_id)
                    if message_id not in self._removed:
                        self._store.save_message(self.key, message)
                        self._events.emit(MessageBodyLoaded(self.key, message))
                except errors.NotFoundError:
                    self._remove(message_id)  # deleted on the service before we could read it
                except Exception as exc:
                    # ApiError: retry. Anything else (an undigestible body, a bug) must not end the task for
                    # every later message: retry a few times, then leave this body to be fetched on opening.
                    failures += 1
                    delay = backoff.next_delay()
                    if not isinstance(exc, errors.ApiError):
                        log.exception("%s: fetching the body of %r failed unexpectedly", self.key, message_id)
                        if failures >= _MAX_UNEXPECTED_BODY_FAILURES:
                            break
                    self._events.emit(SyncProblem(self.key, _problem_text(exc), delay))
                    await asyncio.sleep(delay)
                else:
                    backoff.reset()
                    break


class MailboxSet:
    """Many mailboxes sharing one hub connection and one event emitter."""

    def __init__(
        self,
        store: MailboxStore,
        *,
        streams: HubStreams | None = None,
        settings: SyncSettings | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._store = store
        self._settings = settings or SyncSettings()
        self.streams = streams or HubStreams(connect_timeout=self._settings.live.connect_timeout)
        self.events = EventEmitter()
        self._rng = rng
        self._mailboxes: dict[str, Mailbox] = {}

    def add(self, client: MailboxClient, hub_url: str) -> Mailbox:
        """Create and start the mailbox for ``client``'s address (or return the running one)."""
        key = (client.address or "").lower()
        existing = self._mailboxes.get(key)
        if existing is not None:
            return existing
        mailbox = Mailbox(
            client, self._store, self.streams, hub_url, self.events, settings=self._settings, rng=self._rng
        )
        self._mailboxes[mailbox.key] = mailbox
        mailbox.start()
        return mailbox

    def get(self, address: str) -> Mailbox | None:
        return self._mailboxes.get(address.lower())

    def __iter__(self) -> Iterator[Mailbox]:
        return iter(list(self._mailboxes.values()))

    def __len__(self) -> int:
        return len(self._mailboxes)

    def note_seen(self, address: str, message_id: str, seen: bool) -> None:
        """The user marked a message read/unread through this app. Through its mailbox when it is open,
        so that the hub's echo of our own change is a no-op; else straight to the store and listeners."""
        mailbox = self.get(address)
        if mailbox is not None:
            mailbox.note_seen(message_id, seen)
        else:
            self._store.set_seen(message_id, seen)
            self.events.emit(MessageUpdated(address.lower(), message_id, seen))

    def note_deleted(self, address: str, message_id: str) -> None:
        """The service confirmed a deletion: through the mailbox when it is open, so that a catch-up
        page in flight cannot bring the message back."""
        mailbox = self.get(address)
        if mailbox is not None:
            mailbox.note_deleted(message_id)
        else:
            self._store.remove_message(message_id)
            self.events.emit(MessageRemoved(address.lower(), message_id))

    async def remove(self, address: str, timeout: float = 2.0) -> None:
        mailbox = self._mailboxes.pop(address.lower(), None)
        if mailbox is not None:
            await mailbox.aclose(timeout)

    async def aclose(self, timeout: float = 2.0) -> bool:
        """Stop every mailbox and close the hub connection; True when everything ended in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        mailboxes, self._mailboxes = list(self._mailboxes.values()), {}
        results = await asyncio.gather(*(m.aclose(timeout * 0.75) for m in mailboxes))
        try:
            async with asyncio.timeout_at(deadline):
                await self.streams.aclose()
        except TimeoutError:
            log.warning("closing the hub connection took longer than %.1f s", timeout)
            return False
        return all(results)
