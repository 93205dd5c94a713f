"""The cache's schema as an ordered list of migrations; ``PRAGMA user_version`` says how many ran.

Never edit a migration that has shipped: append a new one. Each runs inside one transaction together
with the ``user_version`` bump, so a crash mid-migration leaves the previous version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from desktop_app.core.store.codec import summary_from_text

Migration = Callable[[sqlite3.Connection], None]


def search_text(sender_name: str, sender_address: str, subject: str, intro: str) -> str:
    """What ``list_summaries(search=…)`` matches against, case-folded once at write time."""
    return "\n".join((sender_name, sender_address, subject, intro)).casefold()


def _run(conn: sqlite3.Connection, script: str) -> None:
    # Not executescript(): it commits first, which would break the one-transaction-per-step rule.
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _v1_initial(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE providers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            api_url TEXT NOT NULL,
            hub_url TEXT NOT NULL
        );
        CREATE TABLE addresses (
            address TEXT PRIMARY KEY,
            provider_id TEXT NOT NULL REFERENCES providers(id),
            account_id TEXT,
            label TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL,
            state TEXT NOT NULL,
            used INTEGER NOT NULL DEFAULT 0,
            quota INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE messages (
            id TEXT PRIMARY KEY,
            address TEXT NOT NULL REFERENCES addresses(address) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            seen INTEGER NOT NULL DEFAULT 0,
            summary_json TEXT NOT NULL,
            full_json TEXT
        );
        """,
    )


def _v2_lifecycle_search_raw(conn: sqlite3.Connection) -> None:
    # live_state is neither read nor written since 0.2 (the live state is the mailbox's, in memory),
    # but stays in the schema so that every cache, old or new, has the same tables.
    _run(
        conn,
        """
        ALTER TABLE providers ADD COLUMN credit_url TEXT;
        ALTER TABLE addresses ADD COLUMN state_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE addresses ADD COLUMN live_state TEXT NOT NULL DEFAULT '';
        ALTER TABLE addresses ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE messages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
        CREATE TABLE raw_sources (
            message_id TEXT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            data BLOB NOT NULL
        );
        CREATE INDEX messages_by_address ON messages(address, created_at DESC, id DESC);
        """,
    )
    rows = conn.execute("SELECT id, summary_json FROM messages").fetchall()
    for message_id, summary_json in rows:
        s = summary_from_text(summary_json)
        conn.execute(
            "UPDATE messages SET search_text = ? WHERE id = ?",
            (search_text(s.sender.name, s.sender.address, s.subject, s.intro), message_id),
        )
    # Keep the existing order of addresses stable: oldest first, as v1 listed them.
    conn.execute(
        "UPDATE addresses SET sort_order = "
        "(SELECT COUNT(*) FROM addresses AS older WHERE older.created < addresses.created)"
    )


def _v3_arrival_order(conn: sqlite3.Connection) -> None:
    """``arrival``: the order in which the cache learned of each message. mail.tm's ``createdAt`` has
    one-second resolution and its ids are not ordered within a second, so a burst of mail listed by
    (createdAt, id) came out shuffled. Existing rows keep the order they were listed in."""
    _run(
        conn,
        """
        ALTER TABLE messages ADD COLUMN arrival INTEGER NOT NULL DEFAULT 0;
        UPDATE messages SET arrival = (
            SELECT COUNT(*) FROM messages AS older
            WHERE older.created_at < messages.created_at
               OR (older.created_at = messages.created_at AND older.id <= messages.id)
        );
        DROP INDEX messages_by_address;
        CREATE INDEX messages_by_address ON messages(address, created_at DESC, arrival DESC);
        CREATE INDEX messages_by_arrival ON messages(arrival)
        """,
    )


def _v4_order_across_addresses(conn: sqlite3.Connection) -> None:
    """ "All addresses" lists every address's mail newest first. Without an index in that order each
    page sorted the whole table, reading every row's body on the way (``arrival`` is stored after it)."""
    _run(conn, "CREATE INDEX messages_by_time ON messages(created_at DESC, arrival DESC)")


def _v5_address_lifetime(conn: sqlite3.Connection) -> None:
    """``expires_at``: when the user asked the address to be deleted (ISO 8601 with offset), or NULL
    for never. Every existing address keeps living as before."""
    conn.execute("ALTER TABLE addresses ADD COLUMN expires_at TEXT")


def _v6_unread_index(conn: sqlite3.Connection) -> None:
    """The sidebar's and the tray's unread counts, read before the first frame: without an index the
    count scanned every row, bodies included (47 ms over 100,000 messages). Unread mail is few rows."""
    conn.execute("CREATE INDEX messages_unread ON messages(address) WHERE seen = 0")


def _v7_provider_smtp(conn: sqlite3.Connection) -> None:
    """``smtp``: where the health check may send a test mail to a custom provider's addresses
    (``host:port``, configured by the user), or NULL. Every kept provider has none."""
    conn.execute("ALTER TABLE providers ADD COLUMN smtp TEXT")


MIGRATIONS: Sequence[Migration] = (
    _v1_initial,
    _v2_lifecycle_search_raw,
    _v3_arrival_order,
    _v4_order_across_addresses,
    _v5_address_lifetime,
    _v6_unread_index,
    _v7_provider_smtp,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to ``SCHEMA_VERSION``; return the version it had before."""
    (before,) = conn.execute("PRAGMA user_version").fetchone()
    if before > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"cache schema version {before} is newer than this Temp Inbox ({SCHEMA_VERSION})"
        )
    for version in range(before, SCHEMA_VERSION):
        # The connection is in autocommit mode; the explicit BEGIN makes step + version bump atomic.
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return int(before)
