"""Mail from the same second is listed newest first by true arrival, and stays so after a restart.

mail.tm's ``createdAt`` has one-second resolution and its ids are not ordered within a second: a
burst used to be listed by id, i.e. shuffled."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from desktop_app.core.store.cache import Store, _sort_key
from desktop_app.core.store.codec import summary_to_json
from desktop_app.core.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.core.store_helpers import store_with, summary

ME = "me@example.org"


def _shuffled_ids(count: int) -> list[str]:
    ids = [f"{random.Random(n).getrandbits(96):024x}" for n in range(count)]
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    return ids


def listed(store: Store) -> list[str]:
    return [s.id for s in store.list_summaries(ME, limit=100)]


def test_a_burst_arriving_one_by_one_is_listed_newest_first_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    store = store_with(ME, path=path)
    ids = _shuffled_ids(12)
    for message_id in ids:  # pushed one by one, all within the same second
        assert store.save_summaries(ME, [summary(message_id)], pushed=True) == [message_id]
    store.save_summaries(ME, [summary(i, seen=True) for i in ids[::-1]])  # a refresh: the API's page
    assert listed(store) == ids[::-1]
    store.close()
    assert listed(Store(path)) == ids[::-1]


def test_a_page_from_the_api_keeps_its_newest_first_order() -> None:
    store = store_with(ME)
    ids = _shuffled_ids(6)
    page = [summary(i) for i in ids]  # the API lists newest first
    assert store.save_summaries(ME, page) == ids
    assert listed(store) == ids
    later = _shuffled_ids(9)[6:]
    # The next look at the service's first page lists the new ones above the known ones.
    assert store.save_summaries(ME, [summary(i) for i in later + ids]) == later
    assert listed(store) == later + ids
    older = summary("0" * 24, minutes=-1)
    store.save_summaries(ME, [older])  # an older page comes last, by its date
    assert listed(store)[-1] == older.id


def test_a_page_puts_mail_that_live_events_brought_early_in_its_place() -> None:
    """Pushes for the newest three came before the catch-up page that also lists the four before."""
    store = store_with(ME)
    ids = _shuffled_ids(7)  # in the order they arrived at the service
    for message_id in ids[4:]:
        store.save_summaries(ME, [summary(message_id)], pushed=True)
    assert store.save_summaries(ME, [summary(i) for i in ids[::-1]]) == ids[:4][::-1]
    assert listed(store) == ids[::-1]


def test_the_migration_keeps_the_order_existing_rows_had(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:2]:
        migration(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO providers (id, name, api_url, hub_url) VALUES ('test', 'T', 'x', 'y')")
    conn.execute(
        "INSERT INTO addresses (address, provider_id, created, state) VALUES (?, 'test', 'now', 'active')",
        (ME,),
    )
    rows = [("b" * 24, 0), ("a" * 24, 0), ("c" * 24, 0), ("d" * 24, -1)]
    for message_id, minutes in rows:
        s = summary(message_id, minutes=minutes)
        conn.execute(
            "INSERT INTO messages (id, address, created_at, summary_json) VALUES (?, ?, ?, ?)",
            (message_id, ME, _sort_key(s.created_at), json.dumps(summary_to_json(s))),
        )
    conn.close()
    store = Store(path)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert listed(store) == ["c" * 24, "b" * 24, "a" * 24, "d" * 24]  # as version 2 listed them
    store.save_summaries(ME, [summary("0" * 24)], pushed=True)  # then arrival order for new mail
    assert listed(store)[0] == "0" * 24


def test_a_catch_up_page_older_than_the_live_pushes_lists_below_them() -> None:
    """The e2e burst: the catch-up's page was read when only the first eight had arrived (five of them
    before the hub stream was up, so only the page brings those), and pushes for the three after them
    and for the twelve after those were stored before the page's answer. The page is one block of the
    service's list: every later push is newer than all of it."""
    store = store_with(ME)
    ids = _shuffled_ids(20)  # in the order they arrived at the service
    for message_id in ids[5:]:
        store.save_summaries(ME, [summary(message_id)], pushed=True)
    assert store.save_summaries(ME, [summary(i) for i in ids[7::-1]]) == ids[4::-1]
    assert listed(store) == ids[::-1]


def test_a_later_page_lists_below_the_page_before_it_in_the_same_second() -> None:
    """Page 1 brings the newest of one second, page 2 the older rest of it, all new to the cache."""
    store = store_with(ME)
    ids = _shuffled_ids(8)
    store.save_summaries(ME, [summary(i) for i in ids[:2:-1]])
    store.save_summaries(ME, [summary(i) for i in ids[2::-1]])
    assert listed(store) == ids[::-1]


def test_a_page_across_a_restart_puts_last_session_s_mail_of_that_second_below_it() -> None:
    """Last session stored the two oldest of a second; page 1 now ends inside that second (it lists
    the newest four and the newer of the two), page 2 the oldest."""
    store = store_with(ME)
    ids = _shuffled_ids(6)
    store.save_summaries(ME, [summary(i) for i in ids[1::-1]])
    store.save_summaries(ME, [summary(i) for i in ids[:0:-1]])
    assert listed(store) == ids[::-1]
    store.save_summaries(ME, [summary(ids[0])])
    assert listed(store) == ids[::-1]
