"""The message list's sort columns are the cache's ORDER BY: the list pages lazily, so only the store
can sort what is not loaded yet. Every order is total (paging never repeats or skips a row)."""

from __future__ import annotations

from desktop_app.core.store.cache import MessageSort, Store
from tests.core.store_helpers import store_with, summary

ME = "me@example.org"


def filled() -> Store:
    store = store_with(ME)
    store.save_summaries(
        ME,
        [
            summary("c", minutes=3, subject="banana", name="", sender="zed@example.org"),
            summary("b", minutes=2, subject="Apple", name="carol"),
            summary("a", minutes=1, subject="cherry", name="Bob"),
            summary("t2", minutes=0, subject="apple", name="Bob"),
            summary("t1", minutes=0, subject="apple", name="Bob"),
        ],
    )
    return store


def ids(store: Store, sort: MessageSort, ascending: bool, limit: int = 50, offset: int = 0) -> list[str]:
    return [s.id for s in store.list_summaries(ME, offset, limit, sort=sort, ascending=ascending)]


def test_received_sorts_both_ways_by_true_arrival() -> None:
    store = filled()
    assert ids(store, MessageSort.RECEIVED, False) == ["c", "b", "a", "t2", "t1"]
    assert ids(store, MessageSort.RECEIVED, True) == ["t1", "t2", "a", "b", "c"]


def test_sender_sorts_by_name_else_address_ignoring_case_newest_first_within() -> None:
    store = filled()
    assert ids(store, MessageSort.SENDER, True) == ["a", "t2", "t1", "b", "c"]  # Bob, carol, zed@
    assert ids(store, MessageSort.SENDER, False) == ["c", "b", "a", "t2", "t1"]


def test_subject_sorts_ignoring_case_and_pages_without_repeats() -> None:
    store = filled()
    assert ids(store, MessageSort.SUBJECT, True) == ["b", "t2", "t1", "c", "a"]
    paged = [i for offset in range(5) for i in ids(store, MessageSort.SUBJECT, True, limit=1, offset=offset)]
    assert paged == ids(store, MessageSort.SUBJECT, True)
    assert ids(store, MessageSort.SUBJECT, False, limit=2) == ["a", "c"]


def test_a_damaged_row_does_not_break_a_sorted_listing() -> None:
    store = filled()
    store._conn.execute("UPDATE messages SET summary_json = '{not json' WHERE id = 'b'")
    assert ids(store, MessageSort.SUBJECT, True) == ["t2", "t1", "c", "a"]
