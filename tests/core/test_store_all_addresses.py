""" "All addresses": one list of every address's mail, newest first, each message with its address,
paged, searched and counted by the store, and read in index order (no sort of the whole cache)."""

from __future__ import annotations

from desktop_app.core.store.cache import MessageSort
from tests.core.store_helpers import store_with, summary

A, B, C = "ann@example.org", "bob@example.org", "cat@example.net"


def filled():  # type: ignore[no-untyped-def]
    store = store_with(A, B, C)
    store.save_summaries(A, [summary("a2", minutes=5, subject="Your code"), summary("a1", minutes=1)])
    store.save_summaries(B, [summary("b1", minutes=3, subject="Invoice", name="Acme")])
    store.save_summaries(C, [summary("c1", minutes=4, seen=True)])
    return store


def test_every_address_newest_first_each_with_its_address() -> None:
    listed = filled().list_all_summaries(0, 50)
    assert [(item.address, item.summary.id) for item in listed] == [
        (A, "a2"),
        (C, "c1"),
        (B, "b1"),
        (A, "a1"),
    ]
    assert [item.summary.seen for item in listed] == [False, True, False, False]


def test_pages_search_count_and_other_orders() -> None:
    store = filled()
    paged = [item.summary.id for offset in range(4) for item in store.list_all_summaries(offset, 1)]
    assert paged == ["a2", "c1", "b1", "a1"]
    assert store.count_all_summaries() == 4
    assert [i.summary.id for i in store.list_all_summaries(0, 50, "acme")] == ["b1"]
    assert store.count_all_summaries("ACME") == 1
    oldest_first = store.list_all_summaries(0, 50, sort=MessageSort.RECEIVED, ascending=True)
    assert [i.summary.id for i in oldest_first] == ["a1", "b1", "c1", "a2"]
    by_subject = store.list_all_summaries(0, 50, sort=MessageSort.SUBJECT, ascending=True)
    assert [i.summary.id for i in by_subject][:2] == ["c1", "a1"]  # "Hello" (newest first), then …


def test_a_deleted_address_takes_its_mail_out_of_the_list() -> None:
    store = filled()
    store.forget_address(A)
    assert [i.summary.id for i in store.list_all_summaries(0, 50)] == ["c1", "b1"]
    assert store.count_all_summaries() == 2


def test_a_page_is_read_in_index_order_not_sorted() -> None:
    store = filled()
    plan = store._conn.execute(
        "EXPLAIN QUERY PLAN SELECT summary_json, seen, id, address FROM messages WHERE 1 "
        "ORDER BY created_at DESC, arrival DESC, id DESC LIMIT 100 OFFSET 0"
    ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "messages_by_time" in details
    assert "USE TEMP B-TREE FOR ORDER BY" not in details  # at most the id tie-break, never the whole
