"""The offline-first cache: providers, addresses, message summaries, full messages and raw sources.

One SQLite file (WAL) under the user data directory, or memory for tests. Every write is one
transaction, so a crash at any point leaves the file readable with every write either fully there or
not at all. Passwords never come here (see ``secrets.py``).

Threading: a ``Store`` belongs to the thread that opened it (sqlite3's ``check_same_thread`` stays on);
the app uses it from the event-loop thread only. Calls are synchronous and short.

Implements ``MailboxStore`` (``sync.py``). Addresses are keyed by the lower-cased address everywhere;
mail can only be saved for an address that was added first (a foreign key enforces it).

Over 300 lines: one class over one SQLite connection; the row codec and the schema are already apart.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from desktop_app.core.api import Provider
from desktop_app.core.api.providers import format_smtp, parse_smtp
from desktop_app.core.errors import EmptyCacheError, ProtocolError, StoreError, UsageError
from desktop_app.core.models import Message, MessageSummary
from desktop_app.core.store import codec
from desktop_app.core.store.schema import migrate, search_text

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# What a damaged row raises while it is turned back into a value.
_ROW_ERRORS = (ValueError, TypeError, KeyError, OverflowError, ProtocolError, json.JSONDecodeError)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AddressState(StrEnum):
    PENDING = "pending"  # password saved, account creation/login not confirmed yet
    ACTIVE = "active"
    FAILED = "failed"  # see state_reason; the password is kept
    SESSION_ONLY = "session-only"  # password in memory only; dropped at the next start


@dataclass(frozen=True, slots=True)
class StoredAddress:
    address: str
    provider_id: str
    account_id: str | None
    label: str
    created: datetime
    state: AddressState
    state_reason: str = ""
    used: int = 0
    quota: int = 0
    sort_order: int = 0
    # When the address is to be deleted, on the service and here (``core/lifetime.py``); None: never.
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AddressedSummary:
    """A message of the list across every address ("All addresses"), with the address it came to."""

    address: str
    summary: MessageSummary


class MessageSort(StrEnum):
    """The message list's sort columns; ties (and RECEIVED itself) go by true arrival."""

    RECEIVED = "received"
    SENDER = "from"
    SUBJECT = "subject"


def _summary_field(path: str) -> str:
    # A damaged row must not fail the whole listing (it is skipped when read): no json_extract on it.
    return f"(CASE WHEN json_valid(summary_json) THEN json_extract(summary_json, '{path}') END)"


_SORT_KEYS = {
    MessageSort.SENDER: "lower(COALESCE(NULLIF({}, ''), {}, ''))".format(
        _summary_field("$.from.name"), _summary_field("$.from.address")
    ),
    MessageSort.SUBJECT: "lower(COALESCE({}, ''))".format(_summary_field("$.subject")),
}


def _order_by(sort: MessageSort, ascending: bool) -> str:
    """A total order (ties broken by arrival, then id), so paging by offset never repeats or skips."""
    way = "ASC" if ascending else "DESC"
    if sort is MessageSort.RECEIVED:
        return f"created_at {way}, arrival {way}, id {way}"
    return f"{_SORT_KEYS[sort]} {way}, created_at DESC, arrival DESC, id DESC"


def mailbox_key(address: str) -> str:
    return address.strip().lower()


def _sort_key(value: datetime) -> str:
    # Fixed width and UTC, so text order is time order.
    try:
        value = value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 has no UTC form; its wall time sorts close enough
        value = value.replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _created(text: object) -> datetime:
    try:
        created = datetime.fromisoformat(str(text))
    except ValueError:
        log.warning("cache: unreadable address date %r; using 1970-01-01", text)
        return _EPOCH
    return created if created.tzinfo else created.replace(tzinfo=UTC)


_ADDRESS_COLUMNS = (
    "address, provider_id, account_id, label, created, state, state_reason, used, quota, sort_order, "
    "expires_at"
)


def _expires(text: object) -> datetime | None:
    """The stored expiry; a damaged one reads as never (the address is kept, never deleted early)."""
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        log.warning("cache: unreadable expiry %r; keeping the address", text)
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _expiry_text(expires_at: datetime | None) -> str | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise ValueError("an expiry needs a time zone")
    return expires_at.astimezone(UTC).isoformat()


def _address_from_row(row: sqlite3.Row) -> StoredAddress:
    """The address of one row; a damaged date falls back to 1970, anything worse is a ``StoreError``."""
    try:
        return StoredAddress(
            address=str(row["address"]),
            provider_id=str(row["provider_id"]),
            account_id=None if row["account_id"] is None else str(row["account_id"]),
            label=str(row["label"] or ""),
            created=_created(row["created"]),
            state=AddressState(row["state"]),
            state_reason=str(row["state_reason"] or ""),
            used=int(row["used"] or 0),
            quota=int(row["quota"] or 0),
            sort_order=int(row["sort_order"] or 0),
            expires_at=_expires(row["expires_at"]),
        )
    except _ROW_ERRORS as exc:
        raise StoreError(detail=f"damaged address row {row['address']!r}: {exc!r}") from exc


def _summary(summary_json: object, seen: object, message_id: object) -> MessageSummary:
    try:
        return replace(codec.summary_from_text(str(summary_json)), seen=bool(seen))
    except _ROW_ERRORS as exc:
        raise StoreError(detail=f"damaged message row {message_id!r}: {exc!r}") from exc


def _readable(rows: list[sqlite3.Row], convert: Callable[[sqlite3.Row], _T]) -> list[_T]:
    """Every row that converts; a damaged one is logged and skipped so the rest still load."""
    values: list[_T] = []
    for row in rows:
        try:
            values.append(convert(row))
        except StoreError as exc:
            log.warning("cache: skipping a row: %s", exc.detail)
    return values


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        try:
            if path is not None and path.exists() and path.stat().st_size == 0:
                # SQLite would take an empty file for a new database and the user's addresses would
                # silently be gone; a file we create is never left empty (the schema is written at once).
                raise EmptyCacheError(detail=f"{path} is 0 bytes long")
            if path is not None and not path.exists():
                # Owner-only from the first byte: the cache holds other people's mail to the user.
                # SQLite gives its -wal and -shm files the same permissions.
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
            # isolation_level=None: no implicit transactions; _write() opens and closes each one.
            self._conn = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 5000")
            if path is not None:
                self._conn.execute("PRAGMA journal_mode = WAL")
                self._conn.execute("PRAGMA synchronous = NORMAL")
            migrate(self._conn)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(detail=f"opening {path or ':memory:'}: {exc}") from exc

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            # ValueError: a lone surrogate cannot be encoded; OverflowError: an int beyond 64 bits.
            raise StoreError(detail=repr(exc)) from exc

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            raise StoreError(detail=repr(exc)) from exc

    # -- providers ---------------------------------------------------------------------------------

    def save_provider(self, provider: Provider) -> None:
        with self._write() as conn:
            # A kept SMTP endpoint stays: a provider built from its URLs alone (an address made on it,
            # an import) must not forget it. set_provider_smtp() changes it.
            conn.execute(
                "INSERT INTO providers (id, name, api_url, hub_url, credit_url, smtp) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, api_url = excluded.api_url, "
                "hub_url = excluded.hub_url, credit_url = excluded.credit_url",
                (
                    provider.id,
                    provider.name,
                    provider.api_url,
                    provider.hub_url,
                    provider.credit_url,
                    format_smtp(provider.smtp) or None,
                ),
            )

    def set_provider_smtp(self, provider_id: str, smtp: tuple[str, int] | None) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE providers SET smtp = ? WHERE id = ?", (format_smtp(smtp) or None, provider_id)
            )

    def get_provider(self, provider_id: str) -> Provider | None:
        rows = self._read("SELECT * FROM providers WHERE id = ?", (provider_id,))
        return self._provider(rows[0]) if rows else None

    def forget_provider(self, provider_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM providers WHERE id = ?", (provider_id,))

    def list_providers(self) -> list[Provider]:
        return [self._provider(r) for r in self._read("SELECT * FROM providers ORDER BY id")]

    @staticmethod
    def _provider(row: sqlite3.Row) -> Provider:
        try:
            smtp = parse_smtp(row["smtp"] or "")
        except UsageError:  # written by hand or by a newer Temp Inbox: no probe, the provider still loads
            smtp = None
        return Provider(row["id"], row["name"], row["api_url"], row["hub_url"], row["credit_url"], smtp)

    # -- addresses ---------------------------------------------------------------------------------

    def add_address(
        self,
        address: str,
        provider_id: str,
        *,
        state: AddressState,
        account_id: str | None = None,
        label: str = "",
        created: datetime | None = None,
        state_reason: str = "",
        expires_at: datetime | None = None,
    ) -> StoredAddress:
        key = mailbox_key(address)
        created = created or datetime.now(UTC)
        expires = _expiry_text(expires_at)
        try:
            with self._write() as conn:
                (order,) = conn.execute("SELECT COALESCE(MAX(sort_order) + 1, 0) FROM addresses").fetchone()
                conn.execute(
                    f"INSERT INTO addresses ({_ADDRESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)",
                    (
                        key,
                        provider_id,
                        account_id,
                        label,
                        created.isoformat(),
                        state,
                        state_reason,
                        order,
                        expires,
                    ),
                )
        except StoreError as exc:
            raise StoreError(detail=f"add_address {key}: {exc.detail}") from exc
        stored = self.get_address(key)
        assert stored is not None
        return stored

    def get_address(self, address: str) -> StoredAddress | None:
        rows = self._read(
            f"SELECT {_ADDRESS_COLUMNS} FROM addresses WHERE address = ?", (mailbox_key(address),)
        )
        return _address_from_row(rows[0]) if rows else None

    def list_addresses(self, state: AddressState | None = None) -> list[StoredAddress]:
        where, params = ("WHERE state = ?", (str(state),)) if state else ("", ())
        rows = self._read(
            f"SELECT {_ADDRESS_COLUMNS} FROM addresses {where} ORDER BY sort_order, created", params
        )
        return _readable(rows, _address_from_row)

    def _update_address(self, address: str, assignments: str, params: Sequence[object]) -> None:
        key = mailbox_key(address)
        with self._write() as conn:
            cursor = conn.execute(f"UPDATE addresses SET {assignments} WHERE address = ?", (*params, key))
            if cursor.rowcount == 0:
                raise StoreError(detail=f"no such address in the cache: {key}")

    def set_state(
        self, address: str, state: AddressState, *, reason: str = "", account_id: str | None = None
    ) -> None:
        """Move ``address`` to ``state``; ``account_id`` is recorded when given (kept otherwise)."""
        self._update_address(
            address,
            "state = ?, state_reason = ?, account_id = COALESCE(?, account_id)",
            (str(state), reason, account_id),
        )

    def set_label(self, address: str, label: str) -> None:
        self._update_address(address, "label = ?", (label,))

    def set_expiry(self, address: str, expires_at: datetime | None) -> None:
        """When ``address`` is to be deleted automatically; None keeps it."""
        self._update_address(address, "expires_at = ?", (_expiry_text(expires_at),))

    def set_usage(self, address: str, used: int, quota: int) -> None:
        self._update_address(address, "used = ?, quota = ?", (used, quota))

    def forget_address(self, address: str) -> None:
        """Remove the address and all its cached mail (raw sources included)."""
        with self._write() as conn:
            conn.execute("DELETE FROM addresses WHERE address = ?", (mailbox_key(address),))

    def unread_counts(self) -> dict[str, int]:
        counts = {a.address: 0 for a in self.list_addresses()}
        rows = self._read("SELECT address, COUNT(*) FROM messages WHERE seen = 0 GROUP BY address")
        counts.update({r[0]: int(r[1]) for r in rows})
        return counts

    # -- messages (MailboxStore) -------------------------------------------------------------------

    def known_message_ids(self, address: str) -> set[str]:
        return {
            r[0] for r in self._read("SELECT id FROM messages WHERE address = ?", (mailbox_key(address),))
        }

    def known_message_times(self, address: str) -> dict[str, datetime]:
        """Each cached message's ``createdAt`` (UTC): catch-up compares them with the pages it lists to
        tell which messages the service no longer has. An unreadable date is left out (never judged)."""
        times: dict[str, datetime] = {}
        rows = self._read("SELECT id, created_at FROM messages WHERE address = ?", (mailbox_key(address),))
        for message_id, created in rows:
            try:
                when = datetime.fromisoformat(str(created))
            except ValueError:
                continue
            times[str(message_id)] = when if when.tzinfo else when.replace(tzinfo=UTC)
        return times

    def save_summaries(
        self,
        address: str,
        summaries: Sequence[MessageSummary],
        *,
        pushed: bool = False,
        before_commit: Callable[[list[str]], None] | None = None,
    ) -> list[str]:
        """Insert new summaries and refresh known ones; return the ids that were new, in input order.

        ``before_commit`` is called with those ids once every row is written and before the commit:
        whatever could refuse the mail has accepted it by then, only the disk write is left (a crash
        now loses the rows, which the next catch-up lists again). It must not use the store.

        Summaries come newest first: a page of the API's list, or (``pushed``) what the hub pushed,
        in the order it arrived. A new message's ``arrival`` number follows that order even among mail
        from the same second: pushed mail is the newest there is; a page puts its block in place
        among the mail of its seconds (``_order_ties_as_listed``)."""
        key = mailbox_key(address)
        new: set[str] = set()
        with self._write() as conn:
            for summary in reversed(summaries):
                exists = conn.execute("SELECT 1 FROM messages WHERE id = ?", (summary.id,)).fetchone()
                self._upsert(conn, key, summary, None)
                if not exists:
                    new.add(summary.id)
            if not pushed:
                self._order_ties_as_listed(conn, key, summaries, new)
            new_ids = list(dict.fromkeys(s.id for s in summaries if s.id in new))
            if before_commit is not None and new_ids:
                before_commit(new_ids)
        return new_ids

    @staticmethod
    def _order_ties_as_listed(
        conn: sqlite3.Connection, key: str, summaries: Sequence[MessageSummary], new: set[str]
    ) -> None:
        """Put the mail of each second that ``summaries`` (newest first) list in true arrival order.

        A page is one answer of the service's list: a contiguous block of it. So within one second the
        mail it lists is in the page's order, and every other cached mail of that second is either newer
        than the whole block (pushed live after the page was read, or listed by an earlier page) or
        older (a later page's). The cache says which: stored before the newest listed message it already
        held, older; otherwise (also when it held none of them) newer, and a later page that lists the
        older mail corrects that guess. Only the second's own arrival numbers are handed out again, so
        no other second moves. (A new message's number alone would put a page read before some live
        pushes, or a second page, above mail that is newer.)"""
        groups: dict[str, list[str]] = {}
        for summary in summaries:
            group = groups.setdefault(_sort_key(summary.created_at), [])
            if summary.id not in group:
                group.append(summary.id)
        for created, listed in groups.items():
            rows = conn.execute(
                "SELECT id, arrival FROM messages WHERE address = ? AND created_at = ? ORDER BY arrival",
                (key, created),
            ).fetchall()
            if len(rows) < 2:
                continue
            arrival = {str(r[0]): int(r[1]) for r in rows}
            block = [message_id for message_id in reversed(listed) if message_id in arrival]
            in_block = set(block)
            newest_held = max((arrival[i] for i in block if i not in new), default=None)
            others = [i for i in arrival if i not in in_block]  # in arrival order
            older = [i for i in others if newest_held is not None and arrival[i] < newest_held]
            newer = [i for i in others if newest_held is None or arrival[i] > newest_held]
            order = [*older, *block, *newer]
            for message_id, number in zip(order, sorted(arrival.values()), strict=True):
                if arrival[message_id] != number:
                    conn.execute("UPDATE messages SET arrival = ? WHERE id = ?", (number, message_id))

    def save_message(self, address: str, message: Message) -> None:
        with self._write() as conn:
            self._upsert(
                conn, mailbox_key(address), message.summary, codec.dumps(codec.message_to_json(message))
            )

    @staticmethod
    def _upsert(conn: sqlite3.Connection, key: str, s: MessageSummary, full_json: str | None) -> None:
        conn.execute(
            "INSERT INTO messages (id, address, created_at, seen, summary_json, full_json, search_text, "
            "arrival) VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(arrival), 0) + 1 FROM messages)) "
            "ON CONFLICT(id) DO UPDATE SET created_at = excluded.created_at, "
            "seen = excluded.seen, summary_json = excluded.summary_json, "
            "full_json = COALESCE(excluded.full_json, messages.full_json), "
            "search_text = excluded.search_text",
            (
                s.id,
                key,
                _sort_key(s.created_at),
                int(s.seen),
                codec.dumps(codec.summary_to_json(s)),
                full_json,
                search_text(s.sender.name, s.sender.address, s.subject, s.intro),
            ),
        )

    def has_full_message(self, message_id: str) -> bool:
        return bool(
            self._read("SELECT 1 FROM messages WHERE id = ? AND full_json IS NOT NULL", (message_id,))
        )

    def set_seen(self, message_id: str, seen: bool) -> None:
        with self._write() as conn:
            conn.execute("UPDATE messages SET seen = ? WHERE id = ?", (int(seen), message_id))

    def remove_message(self, message_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    # -- reading mail for the UI -------------------------------------------------------------------

    @staticmethod
    def _search_clause(search: str | None) -> tuple[str, tuple[object, ...]]:
        needle = (search or "").strip().casefold()
        return (" AND instr(search_text, ?) > 0", (needle,)) if needle else ("", ())

    def list_summaries(
        self,
        address: str,
        offset: int = 0,
        limit: int = 50,
        search: str | None = None,
        *,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[MessageSummary]:
        """Newest first unless ``sort`` says otherwise; ``search`` matches sender name/address, subject
        and intro, ignoring case."""
        clause, params = self._search_clause(search)
        rows = self._read(
            f"SELECT summary_json, seen, id FROM messages WHERE address = ?{clause} "
            f"ORDER BY {_order_by(MessageSort(sort), ascending)} LIMIT ? OFFSET ?",
            (mailbox_key(address), *params, limit, offset),
        )
        return _readable(rows, lambda r: _summary(r[0], r[1], r[2]))

    def list_all_summaries(
        self,
        offset: int = 0,
        limit: int = 50,
        search: str | None = None,
        *,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[AddressedSummary]:
        """Every address's mail in one list, ordered as :meth:`list_summaries` orders one address's
        (newest first by default: the ``messages_by_time`` index reads a page without a sort)."""
        clause, params = self._search_clause(search)
        rows = self._read(
            f"SELECT summary_json, seen, id, address FROM messages WHERE 1{clause} "
            f"ORDER BY {_order_by(MessageSort(sort), ascending)} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return _readable(rows, lambda r: AddressedSummary(str(r[3]), _summary(r[0], r[1], r[2])))

    def count_all_summaries(self, search: str | None = None) -> int:
        clause, params = self._search_clause(search)
        return int(self._read(f"SELECT COUNT(*) FROM messages WHERE 1{clause}", params)[0][0])

    def count_summaries(self, address: str, search: str | None = None) -> int:
        clause, params = self._search_clause(search)
        rows = self._read(
            f"SELECT COUNT(*) FROM messages WHERE address = ?{clause}", (mailbox_key(address), *params)
        )
        return int(rows[0][0])

    def get_summary(self, message_id: str) -> MessageSummary | None:
        rows = self._read("SELECT summary_json, seen FROM messages WHERE id = ?", (message_id,))
        return _summary(rows[0][0], rows[0][1], message_id) if rows else None

    def get_message(self, message_id: str) -> Message | None:
        """The full message if its body was fetched, else None; its summary part is the latest known."""
        rows = self._read("SELECT full_json, summary_json, seen FROM messages WHERE id = ?", (message_id,))
        if not rows or rows[0][0] is None:
            return None
        full_json, summary_json, seen = rows[0]
        summary = _summary(summary_json, seen, message_id)
        try:
            return replace(codec.message_from_text(str(full_json)), summary=summary)
        except _ROW_ERRORS as exc:
            # The body can be fetched again (and then overwrites this row): treat it as not cached.
            log.warning("cache: damaged body of %r (%r); not using it", message_id, exc)
            return None

    def message_address(self, message_id: str) -> str | None:
        rows = self._read("SELECT address FROM messages WHERE id = ?", (message_id,))
        return str(rows[0][0]) if rows else None

    def save_raw(self, message_id: str, data: bytes) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO raw_sources (message_id, data) VALUES (?, ?) "
                "ON CONFLICT(message_id) DO UPDATE SET data = excluded.data",
                (message_id, data),
            )

    def get_raw(self, message_id: str) -> bytes | None:
        rows = self._read("SELECT data FROM raw_sources WHERE message_id = ?", (message_id,))
        return bytes(rows[0][0]) if rows else None
