"""SQLite storage for the local mail service: domains, accounts, messages, raw sources, the JWT secret.

One connection guarded by a lock, so the store can be used from the server's loop and from the
synchronous test helpers on other threads. ``path=None`` keeps everything in memory.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop_app.server.records import StoredAccount, StoredDomain, StoredMessage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS domains (
    id TEXT PRIMARY KEY, domain TEXT UNIQUE NOT NULL, is_active INTEGER NOT NULL,
    is_private INTEGER NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY, address TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, account_id TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, seen INTEGER NOT NULL, size INTEGER NOT NULL,
    meta TEXT NOT NULL, raw BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS messages_by_account ON messages (account_id, seq);
CREATE TABLE IF NOT EXISTS attachments (
    message_id TEXT NOT NULL, attachment_id TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (message_id, attachment_id));
"""

_MESSAGE_COLUMNS = "id, account_id, created_at, updated_at, seen, size, meta"


class AddressTaken(Exception):
    """The address already belongs to an account."""


class MailStore:
    def __init__(self, path: Path | None) -> None:
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- secret and domains ------------------------------------------------------------------

    def signing_secret(self) -> bytes:
        """The per-install HS512 key; created on first use so tokens survive restarts."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'jwt_secret'").fetchone()
            if row is not None:
                return bytes(row[0])
            secret = secrets.token_bytes(64)
            db.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?)", (secret,))
            return secret

    def configure_domains(self, names: Sequence[str], new_id: Any) -> None:
        """Configured domains become active; domains from an earlier configuration stay, inactive."""
        now = time.time()
        wanted = [n.strip().lower() for n in names if n.strip()]
        with self._tx() as db:
            db.execute("UPDATE domains SET is_active = 0, updated_at = ? WHERE is_active = 1", (now,))
            for name in wanted:
                updated = db.execute(
                    "UPDATE domains SET is_active = 1, updated_at = ? WHERE domain = ?", (now, name)
                ).rowcount
                if not updated:
                    db.execute(
                        "INSERT INTO domains VALUES (?, ?, 1, 0, ?, ?)",
                        (new_id(), name, float(int(now)), now),
                    )

    def domains(self) -> list[StoredDomain]:
        rows = self._query(
            "SELECT id, domain, is_active, is_private, created_at, updated_at FROM domains "
            "ORDER BY is_active DESC, is_private ASC, created_at ASC, domain ASC"
        )
        return [StoredDomain(r[0], r[1], bool(r[2]), bool(r[3]), r[4], r[5]) for r in rows]

    # --- accounts ------------------------------------------------------------------------------

    def create_account(self, account_id: str, address: str, password_hash: str) -> StoredAccount:
        now = float(int(time.time()))
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO accounts VALUES (?, ?, ?, ?, ?)",
                    (account_id, address, password_hash, now, now),
                )
        except sqlite3.IntegrityError as error:
            raise AddressTaken(address) from error
        return StoredAccount(account_id, address, password_hash, now, now, 0)

    def _account(self, where: str, value: str) -> StoredAccount | None:
        rows = self._query(
            "SELECT a.id, a.address, a.password_hash, a.created_at, a.updated_at, "
            "(SELECT COALESCE(SUM(size), 0) FROM messages m WHERE m.account_id = a.id) "
            f"FROM accounts a WHERE a.{where} = ?",
            (value,),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredAccount(r[0], r[1], r[2], r[3], r[4], int(r[5]))

    def account_by_id(self, account_id: str) -> StoredAccount | None:
        return self._account("id", account_id)

    def account_by_address(self, address: str) -> StoredAccount | None:
        return self._account("address", address)

    def delete_account(self, account_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM attachments WHERE message_id IN (SELECT id FROM messages WHERE account_id = ?)",
                (account_id,),
            )
            db.execute("DELETE FROM messages WHERE account_id = ?", (account_id,))
            db.execute("DELETE FROM accounts WHERE id = ?", (account_id,))

    # --- messages ------------------------------------------------------------------------------

    @staticmethod
    def _message(row: Sequence[Any]) -> StoredMessage:
        meta = json.loads(row[6])
        return StoredMessage(
            id=row[0],
            account_id=row[1],
            created_at=row[2],
            updated_at=row[3],
            seen=bool(row[4]),
            size=int(row[5]),
            **meta,
        )

    def insert_message(self, message: StoredMessage, raw: bytes, payloads: Sequence[bytes]) -> None:
        meta = {
            "msgid": message.msgid,
            "subject": message.subject,
            "intro": message.intro,
            "sender": message.sender,
            "to": message.to,
            "cc": message.cc,
            "bcc": message.bcc,
            "text": message.text,
            "html": message.html,
            "attachments": message.attachments,
        }
        with self._tx() as db:
            db.execute(
                "INSERT INTO messages (id, account_id, created_at, updated_at, seen, size, meta, raw) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.id,
                    message.account_id,
                    message.created_at,
                    message.updated_at,
                    int(message.seen),
                    message.size,
                    json.dumps(meta),
                    raw,
                ),
            )
            db.executemany(
                "INSERT INTO attachments VALUES (?, ?, ?)",
                [(message.id, a["id"], p) for a, p in zip(message.attachments, payloads, strict=True)],
            )

    def count_messages(self, account_id: str) -> int:
        return int(self._query("SELECT COUNT(*) FROM messages WHERE account_id = ?", (account_id,))[0][0])

    def list_messages(self, account_id: str, offset: int, limit: int) -> list[StoredMessage]:
        rows = self._query(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE account_id = ? "
            "ORDER BY seq DESC LIMIT ? OFFSET ?",
            (account_id, limit, offset),
        )
        return [self._message(r) for r in rows]

    def message(self, message_id: str) -> StoredMessage | None:
        rows = self._query(f"SELECT {_MESSAGE_COLUMNS} FROM messages WHERE id = ?", (message_id,))
        return self._message(rows[0]) if rows else None

    def raw_source(self, message_id: str) -> bytes | None:
        rows = self._query("SELECT raw FROM messages WHERE id = ?", (message_id,))
        return bytes(rows[0][0]) if rows else None

    def attachment_payload(self, message_id: str, attachment_id: str) -> bytes | None:
        rows = self._query(
            "SELECT data FROM attachments WHERE message_id = ? AND attachment_id = ?",
            (message_id, attachment_id),
        )
        return bytes(rows[0][0]) if rows else None

    def set_seen(self, message_id: str, seen: bool, updated_at: float) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE messages SET seen = ?, updated_at = ? WHERE id = ?",
                (int(seen), updated_at, message_id),
            )

    def delete_message(self, message_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM attachments WHERE message_id = ?", (message_id,))
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def messages_created_before(self, cutoff: float) -> list[tuple[str, str]]:
        """(message id, account id) of every message older than ``cutoff``."""
        rows = self._query("SELECT id, account_id FROM messages WHERE created_at < ?", (cutoff,))
        return [(r[0], r[1]) for r in rows]
