"""Address lifetime in the core: the texts rows show, the durations the command line takes, the cache
column (and its migration), export/import, and the scheduler on a clock the test moves."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_app.core.accounts.rows import address_row
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.accounts.transfer import export_addresses, import_addresses
from desktop_app.core.errors import ExpiryCancelledError, NetworkError, UsageError
from desktop_app.core.events import (
    AddressExpired,
    AddressExpiring,
    ConnectionState,
    ExpiryFailed,
    MailboxEvent,
)
from desktop_app.core.lifetime import (
    RETRY_BASE,
    AddressLifetimes,
    ExpiryProblem,
    describe_expiry,
    exact_expiry,
    expiry_view,
    parse_lifetime,
    parse_moment,
)
from desktop_app.core.store.cache import AddressState, Store, StoredAddress
from desktop_app.core.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.core.store_helpers import PROVIDER, store_with, summary
from tests.core.test_secrets import DictKeyring

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ME = "me@example.org"


class ManualClock:
    """Wall time that moves only when the test says; sleepers wake when it passes their time."""

    def __init__(self, now: datetime) -> None:
        self._now = now
        self._moved = asyncio.Event()
        self.sleeps: list[float] = []
        self.on_sleep: Callable[[], None] = lambda: None  # a pass of the scheduler has ended

    def now(self) -> datetime:
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.on_sleep()
        until = self._now + timedelta(seconds=seconds)
        while self._now < until:
            self._moved.clear()
            await self._moved.wait()

    def advance(self, delta: timedelta) -> None:
        self._now += delta
        self._moved.set()


# -- texts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(seconds=-5), "deleting now…"),
        (timedelta(seconds=30), "deletes in under a minute"),
        (timedelta(minutes=42, seconds=10), "deletes in 42 min"),
        # Rounded down, minutes and hours alike: never more time than is left.
        (timedelta(minutes=7, seconds=59), "deletes in 7 min"),
        (timedelta(minutes=59, seconds=59), "deletes in 59 min"),
        (timedelta(hours=1), "deletes in 1 h"),
        (timedelta(hours=1, minutes=29), "deletes in 1 h"),
        (timedelta(hours=1, minutes=59, seconds=59), "deletes in 1 h"),
        (timedelta(hours=3, minutes=20), "deletes in 3 h"),
        (timedelta(hours=5, minutes=59), "deletes in 5 h"),
        (timedelta(hours=7), "deletes today at 16:00"),
        (timedelta(hours=24, minutes=30), "deletes tomorrow at 09:30"),
        (timedelta(days=3), "deletes Fri at 09:00"),
        (timedelta(days=23), "deletes on 24 Dec"),
    ],
)
def test_the_row_says_when_the_address_goes(left: timedelta, text: str) -> None:
    assert describe_expiry(NOW + left, NOW, UTC) == text


def test_the_tooltip_has_the_exact_local_time_with_its_offset() -> None:
    paris = timezone(timedelta(hours=1))
    assert (
        exact_expiry(datetime(2026, 12, 1, 13, 0, tzinfo=UTC), paris) == "Tue 1 Dec 2026, 14:00 (UTC+01:00)"
    )
    view = expiry_view(NOW + timedelta(minutes=5), NOW, tz=UTC)
    assert view.urgent and view.text == "deletes in 5 min"
    assert "Tue 1 Dec 2026, 09:05" in view.detail
    assert not expiry_view(NOW + timedelta(hours=2), NOW, tz=UTC).urgent


def test_a_deletion_that_waits_for_a_retry_says_so_and_why() -> None:
    problem = ExpiryProblem("The mail service cannot be reached.", NOW + timedelta(seconds=30))
    view = expiry_view(NOW - timedelta(minutes=1), NOW, problem, UTC)
    # 09:00:30, shown as 09:01: by the time the row names, the retry has happened.
    assert view.text == "not deleted yet · retry 09:01"
    assert "cannot be reached" in view.detail and "Trying again at 09:01." in view.detail and view.urgent
    on_the_minute = ExpiryProblem("x", NOW + timedelta(minutes=2))
    assert expiry_view(NOW, NOW, on_the_minute, UTC).text == "not deleted yet · retry 09:02"


def test_rows_and_the_listing_carry_the_expiry() -> None:
    record = StoredAddress(
        ME, "test", "acc", "", NOW, AddressState.ACTIVE, expires_at=NOW + timedelta(minutes=30)
    )
    row = address_row(
        record,
        ConnectionState("live"),
        open_problem=None,
        unread=0,
        provider_name="T",
        current=False,
        now=NOW,
    )
    assert row.expiry_text == "deletes in 30 min" and row.expiry_detail.startswith(
        "To be deleted automatically on "
    )
    assert row.as_listing()["expires"] == "2026-12-01T09:30:00+00:00"
    assert row.as_listing()["expiry"] == "deletes in 30 min"
    kept = address_row(
        replace(record, expires_at=None),
        ConnectionState("live"),
        open_problem=None,
        unread=0,
        provider_name="T",
        current=False,
        now=NOW,
    )
    assert (kept.expiry_text, kept.as_listing()["expires"]) == ("", None)


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        (" 30M ", timedelta(minutes=30)),
        ("never", None),
    ],
)
def test_lifetimes_as_the_command_line_takes_them(text: str, lifetime: timedelta | None) -> None:
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize("text", ["", "1", "h", "0h", "1y", "-1h", "1.5h", "soon"])
def test_a_bad_lifetime_is_a_clear_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="is not a lifetime"):
        parse_lifetime(text)


@pytest.mark.parametrize("text", ["367d", "53w", "9999w"])
def test_a_lifetime_over_a_year_is_refused(text: str) -> None:
    with pytest.raises(UsageError, match="is more than a year: choose a shorter lifetime"):
        parse_lifetime(text)
    assert parse_lifetime("52w") == timedelta(weeks=52)


def test_an_absolute_time_must_lie_ahead() -> None:
    assert parse_moment("2026-12-01T10:00+00:00", NOW) == NOW + timedelta(hours=1)
    with pytest.raises(UsageError, match="already passed"):
        parse_moment("2026-12-01T08:00+00:00", NOW)
    with pytest.raises(UsageError, match="not a date and time"):
        parse_moment("tomorrow", NOW)


@pytest.mark.parametrize("text", ["9999-12-31T23:59-12:00", "9999-12-31T23:59:59", "2028-01-01T00:00+00:00"])
def test_a_time_out_of_range_or_over_a_year_ahead_is_a_clear_usage_error(text: str) -> None:
    """9999-12-31T23:59-12:00 parses but has no UTC form: it raised OverflowError when stored."""
    with pytest.raises(UsageError, match="more than a year ahead"):
        parse_moment(text, NOW)
    assert parse_moment("2027-11-30T09:00+00:00", NOW) == NOW + timedelta(days=364)


# -- the cache ----------------------------------------------------------------------------------------


def test_the_expiry_round_trips_and_clears() -> None:
    store = store_with(ME)
    assert store.get_address(ME).expires_at is None  # type: ignore[union-attr]
    later = datetime(2026, 12, 1, 14, 0, tzinfo=timezone(timedelta(hours=1)))
    store.set_expiry(ME, later)
    assert store.get_address(ME).expires_at == later  # type: ignore[union-attr]
    store.set_expiry(ME, None)
    assert store.get_address(ME).expires_at is None  # type: ignore[union-attr]


def test_a_damaged_expiry_reads_as_never_so_the_address_is_kept() -> None:
    store = store_with(ME)
    store._conn.execute("UPDATE addresses SET expires_at = 'garbage'")
    assert store.get_address(ME).expires_at is None  # type: ignore[union-attr]


def test_a_version_4_cache_opens_with_everything_kept_and_no_expiry(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:4]:
        migration(conn)
    conn.execute("PRAGMA user_version = 4")
    conn.execute("INSERT INTO providers (id, name, api_url, hub_url) VALUES ('test', 'T', 'x', 'y')")
    conn.execute(
        "INSERT INTO addresses (address, provider_id, account_id, label, created, state, sort_order) "
        "VALUES (?, 'test', 'acc', 'Shop', '2026-01-01T00:00:00+00:00', 'active', 0)",
        (ME,),
    )
    conn.close()
    store = Store(path)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
    (record,) = store.list_addresses()
    assert (record.address, record.label, record.account_id, record.state, record.expires_at) == (
        ME,
        "Shop",
        "acc",
        AddressState.ACTIVE,
        None,
    )
    store.save_summaries(ME, [summary("m1")])
    store.set_expiry(ME, NOW)
    store.close()
    with Store(path) as again:  # and the new column is kept across a restart
        assert again.get_address(ME).expires_at == NOW  # type: ignore[union-attr]
        assert [s.id for s in again.list_summaries(ME)] == ["m1"]


async def test_export_and_import_carry_the_expiry(tmp_path: Path) -> None:
    store = store_with(ME)
    store.add_address("kept@example.org", PROVIDER.id, state=AddressState.ACTIVE)
    store.set_expiry(ME, NOW)
    target = tmp_path / "out.json"
    await export_addresses(store, PasswordVault(DictKeyring()), target)
    items = {i["address"]: i for i in json.loads(target.read_text())["addresses"]}
    assert items[ME]["expires"] == NOW.isoformat() and "expires" not in items["kept@example.org"]
    fresh = Store(None)
    report = await import_addresses(fresh, PasswordVault(DictKeyring()), target, now=NOW - timedelta(days=1))
    assert {a.address: a.expires_at for a in fresh.list_addresses()} == {ME: NOW, "kept@example.org": None}
    assert report.with_expiry == [ME] and report.expiry_passed == []


async def test_an_imported_expiry_already_due_is_not_applied_and_the_report_says_so(tmp_path: Path) -> None:
    """A file's expiry is the exporting machine's old plan: one passed, or minutes away, would delete
    at once an address perhaps kept there since. It is imported kept, and said."""
    store = store_with(ME)
    plans = {
        "passed@example.org": NOW - timedelta(hours=2),
        "minutes@example.org": NOW + timedelta(minutes=9),
        "later@example.org": NOW + timedelta(hours=3),
    }
    for address, when in plans.items():
        store.add_address(address, PROVIDER.id, state=AddressState.ACTIVE)
        store.set_expiry(address, when)
    target = tmp_path / "out.json"
    await export_addresses(store, PasswordVault(DictKeyring()), target)
    fresh = Store(None)
    report = await import_addresses(fresh, PasswordVault(DictKeyring()), target, now=NOW)
    assert {a.address: a.expires_at for a in fresh.list_addresses()} == {
        ME: None,
        "passed@example.org": None,
        "minutes@example.org": None,
        "later@example.org": plans["later@example.org"],
    }
    assert report.expiry_passed == ["passed@example.org", "minutes@example.org"]
    assert report.with_expiry == ["later@example.org"]
    assert sorted(report.added) == sorted([ME, *plans])


class SlowVault(PasswordVault):
    """A keyring whose save of ``held`` waits for the test, then perhaps fails (a locked keyring)."""

    def __init__(self) -> None:
        super().__init__(DictKeyring())
        self.held = ""
        self.saving = asyncio.Event()
        self.release = asyncio.Event()
        self.fail = False

    async def save(
        self, provider_id: str, address: str, password: str, *, session_only: bool = False
    ) -> None:
        if address == self.held:
            self.saving.set()
            await self.release.wait()
            if self.fail:
                raise NetworkError("the keyring went away")
        await super().save(provider_id, address, password, session_only=session_only)


@pytest.mark.parametrize("fails", [False, True])
async def test_no_imported_expiry_is_seen_before_the_import_is_whole(tmp_path: Path, fails: bool) -> None:
    """While the import still awaits (a later entry's keyring write), the scheduler runs: it must not
    see an earlier entry's expiry, which it could act on though an undo may take the entry back."""
    first, second = "first@example.org", "second@example.org"
    document = {
        "format": "temp-inbox/addresses",
        "version": 1,
        "addresses": [
            {
                "address": address,
                "provider": {"id": PROVIDER.id, "name": "T", "api_url": PROVIDER.api_url},
                "expires": (NOW + timedelta(hours=1)).isoformat(),
                "password": "secret-password",
            }
            for address in (first, second)
        ],
    }
    target = tmp_path / "in.json"
    target.write_text(json.dumps(document))
    store, vault = Store(None), SlowVault()
    vault.held, vault.fail = second, fails
    importing = asyncio.ensure_future(import_addresses(store, vault, target, now=NOW))
    async with asyncio.timeout(10):
        await vault.saving.wait()
    seen = {a.address: a.expires_at for a in store.list_addresses()}
    assert seen[first] is None  # in the list, but with no expiry yet
    vault.release.set()
    if fails:
        with pytest.raises(NetworkError):
            await importing
        assert store.list_addresses() == []
    else:
        await importing
        assert {a.address: a.expires_at for a in store.list_addresses()} == {
            first: NOW + timedelta(hours=1),
            second: NOW + timedelta(hours=1),
        }


# -- the scheduler ------------------------------------------------------------------------------------


class Book:
    """The store and a delete that can be made to fail, as the Inbox hands them to the scheduler."""

    def __init__(self) -> None:
        self.store = store_with(ME)
        self.failures: list[BaseException] = []
        self.deleted: list[str] = []
        self.events: list[MailboxEvent] = []
        self.heard = asyncio.Event()

        self.hold: asyncio.Event | None = None  # set: a deletion waits for it (the network is slow)
        self.holding = asyncio.Event()  # a deletion is waiting on ``hold``

    async def delete(self, address: str, still_due: Callable[[], bool]) -> bool:
        if self.failures:
            raise self.failures.pop(0)
        if self.hold is not None:
            self.holding.set()
            await self.hold.wait()
        self.store.forget_address(address)
        self.deleted.append(address)
        return True

    def emit(self, event: MailboxEvent) -> None:
        self.events.append(event)
        self.heard.set()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(10):
            while not predicate():
                self.heard.clear()
                await self.heard.wait()


@pytest.fixture(name="book")
def book_fixture() -> Book:
    return Book()


async def _running(book: Book, clock: ManualClock) -> tuple[AddressLifetimes, asyncio.Task[None]]:
    clock.on_sleep = book.heard.set
    lifetimes = AddressLifetimes(book.store.list_addresses, book.delete, book.emit, clock=clock)
    return lifetimes, asyncio.ensure_future(lifetimes.run())


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_expiry_that_passed_while_closed_is_deleted_on_the_first_pass(book: Book) -> None:
    book.store.set_expiry(ME, NOW - timedelta(days=2))
    lifetimes = AddressLifetimes(book.store.list_addresses, book.delete, book.emit, clock=ManualClock(NOW))
    await lifetimes.run_due()
    assert book.deleted == [ME]
    assert book.events == [AddressExpired(ME, "")]


async def test_nothing_goes_before_its_time_and_the_reminder_comes_ten_minutes_before(book: Book) -> None:
    clock = ManualClock(NOW)
    book.store.set_expiry(ME, NOW + timedelta(hours=1))
    _lifetimes, task = await _running(book, clock)
    try:
        await book.until(lambda: len(clock.sleeps) == 1)
        assert clock.sleeps == [60.0]  # the reminder is 50 min away; the wall clock is looked at each minute
        clock.advance(timedelta(minutes=49, seconds=59))
        await book.until(lambda: len(clock.sleeps) == 2)  # woke, looked, and sleeps until the reminder
        assert clock.sleeps[-1] == 1.0
        assert book.events == [] and book.deleted == []
        clock.advance(timedelta(seconds=1))
        await book.until(lambda: len(clock.sleeps) == 3)  # asleep again before time moves on
        assert book.events == [AddressExpiring(ME, NOW + timedelta(hours=1))]
        assert book.deleted == []
        clock.advance(timedelta(minutes=9, seconds=59))
        await book.until(lambda: len(clock.sleeps) == 4)
        assert clock.sleeps[-1] == 1.0 and book.deleted == []
        clock.advance(timedelta(seconds=1))
        await book.until(lambda: book.deleted == [ME])
        assert book.events[-1] == AddressExpired(ME, "")
        assert len([e for e in book.events if isinstance(e, AddressExpiring)]) == 1  # reminded once
    finally:
        await _stop(task)


async def test_a_failed_deletion_keeps_the_address_and_is_retried_with_backoff(book: Book) -> None:
    clock = ManualClock(NOW)
    book.store.set_expiry(ME, NOW - timedelta(seconds=1))
    book.failures = [NetworkError(), NetworkError()]
    lifetimes, task = await _running(book, clock)
    try:
        await book.until(lambda: any(isinstance(e, ExpiryFailed) for e in book.events))
        failed = book.events[-1]
        assert isinstance(failed, ExpiryFailed) and failed.error == str(NetworkError())
        assert book.store.get_address(ME) is not None and ME in lifetimes.problems
        first_wait = (failed.retry_at - NOW).total_seconds()
        assert RETRY_BASE / 2 <= first_wait <= RETRY_BASE
        await book.until(lambda: len(clock.sleeps) == 1)
        assert clock.sleeps == [pytest.approx(first_wait, abs=1e-3)]
        clock.advance(timedelta(seconds=RETRY_BASE))
        await book.until(lambda: len(clock.sleeps) == 2)
        second = book.events[-1]
        assert isinstance(second, ExpiryFailed) and book.deleted == []
        assert (second.retry_at - clock.now()).total_seconds() >= RETRY_BASE  # backing off: longer
        clock.advance(timedelta(seconds=2 * RETRY_BASE))
        await book.until(lambda: book.deleted == [ME])
        assert isinstance(book.events[-1], AddressExpired) and lifetimes.problems == {}
    finally:
        await _stop(task)


async def test_a_new_or_cleared_expiry_wakes_the_scheduler(book: Book) -> None:
    clock = ManualClock(NOW)
    lifetimes, task = await _running(book, clock)
    try:
        await book.until(lambda: bool(clock.sleeps))
        book.store.set_expiry(ME, NOW + timedelta(minutes=5))  # inside the reminder window at once
        lifetimes.changed(ME)
        await book.until(lambda: bool(book.events))
        assert book.events == [AddressExpiring(ME, NOW + timedelta(minutes=5))]
        book.store.set_expiry(ME, None)  # "Keep address"
        lifetimes.changed(ME)
        passes = len(clock.sleeps)
        await book.until(lambda: len(clock.sleeps) > passes)  # it looked again after the change
        clock.advance(timedelta(hours=1))
        passes = len(clock.sleeps)
        await book.until(lambda: len(clock.sleeps) > passes)  # and again an hour later
        assert book.deleted == [] and book.store.get_address(ME) is not None
    finally:
        await _stop(task)


async def test_a_half_created_address_is_left_to_the_start_up_settling(book: Book) -> None:
    book.store.set_state(ME, AddressState.PENDING)
    book.store.set_expiry(ME, NOW - timedelta(hours=1))
    lifetimes = AddressLifetimes(book.store.list_addresses, book.delete, book.emit, clock=ManualClock(NOW))
    await lifetimes.run_due()
    assert book.deleted == []


async def test_keeping_an_address_while_another_is_being_deleted_keeps_it(book: Book) -> None:
    """Two addresses due at once: while the first one's deletion waits on the network, the user keeps
    the second. The scheduler must decide on the second as it is then, not as the pass began."""
    other = "other@example.org"
    book.store.add_address(other, PROVIDER.id, state=AddressState.ACTIVE)
    book.store.set_expiry(ME, NOW - timedelta(minutes=1))
    book.store.set_expiry(other, NOW - timedelta(minutes=1))
    book.hold = asyncio.Event()
    clock = ManualClock(NOW)
    lifetimes, task = await _running(book, clock)
    try:
        async with asyncio.timeout(10):
            await book.holding.wait()
        book.store.set_expiry(other, None)  # "Keep address" on the second
        lifetimes.changed(other)
        book.hold.set()
        await book.until(lambda: len(clock.sleeps) >= 1)  # the pass ended
        assert book.deleted == [ME]
        kept = book.store.get_address(other)
        assert kept is not None and kept.expires_at is None
        assert [e for e in book.events if isinstance(e, AddressExpired)] == [AddressExpired(ME, "")]
    finally:
        await _stop(task)


async def test_the_deletion_asks_whether_the_address_is_still_due(book: Book) -> None:
    """The check the scheduler hands to the deletion (called right before the remote DELETE) says
    no once the address was kept, or given a later expiry, and the pass then deletes nothing."""
    checks: list[Callable[[], bool]] = []

    async def delete(address: str, still_due: Callable[[], bool]) -> bool:
        checks.append(still_due)
        assert still_due()
        book.store.set_expiry(ME, NOW + timedelta(hours=1))  # changed while the deletion starts
        if not still_due():
            raise ExpiryCancelledError()
        book.store.forget_address(address)
        return True

    book.store.set_expiry(ME, NOW - timedelta(seconds=1))
    lifetimes = AddressLifetimes(book.store.list_addresses, delete, book.emit, clock=ManualClock(NOW))
    await lifetimes.run_due()
    assert len(checks) == 1 and book.store.get_address(ME) is not None
    assert book.events == [] and lifetimes.problems == {}  # called off: no failure, no "deleted"
