"""A damaged cache (issue 9, defect 10): a bad row is skipped with a log line, an empty file is an error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.errors import EmptyCacheError, StoreError
from desktop_app.core.store.cache import AddressState, Store
from tests.core.store_helpers import PROVIDER, message, summary

ME = "me@example.org"


def _cache(path: Path) -> None:
    with Store(path) as store:
        store.save_provider(PROVIDER)
        store.add_address(ME, PROVIDER.id, state=AddressState.ACTIVE)
        store.add_address("other@example.org", PROVIDER.id, state=AddressState.ACTIVE)
        store.save_summaries(ME, [summary("good", minutes=1), summary("bad")])
        store.save_message(ME, message("full"))


def _damage(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_damaged_summary_row_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "cache.sqlite3"
    _cache(path)
    _damage(path, "UPDATE messages SET summary_json = '{not json' WHERE id = 'bad'")
    with Store(path) as store:
        assert {s.id for s in store.list_summaries(ME)} == {"good", "full"}
        with pytest.raises(StoreError):
            store.get_summary("bad")
    assert "bad" in caplog.text


def test_a_damaged_body_reads_as_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    _cache(path)
    _damage(path, "UPDATE messages SET full_json = '[1, 2' WHERE id = 'full'")
    with Store(path) as store:
        assert store.get_message("full") is None  # fetched again from the service, then overwritten
        assert store.get_summary("full") is not None


def test_a_damaged_address_date_falls_back_and_a_damaged_state_skips_the_row(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    _cache(path)
    _damage(path, f"UPDATE addresses SET created = 'yesterday' WHERE address = '{ME}'")
    _damage(path, "UPDATE addresses SET state = 'bogus' WHERE address = 'other@example.org'")
    with Store(path) as store:
        addresses = store.list_addresses()
        assert [a.address for a in addresses] == [ME]
        assert addresses[0].created.year == 1970
        with pytest.raises(StoreError):
            store.get_address("other@example.org")


def test_a_cache_truncated_to_zero_bytes_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    _cache(path)
    path.write_bytes(b"")
    with pytest.raises(EmptyCacheError) as caught:
        Store(path)
    assert "0 bytes" in str(caught.value)
    assert path.stat().st_size == 0  # left for the user to inspect, not replaced by an empty cache


def test_a_new_cache_is_still_created(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with Store(path) as store:
        assert store.list_addresses() == []
    with Store(path) as store:  # and reopened: it is not left empty
        assert store.list_addresses() == []
