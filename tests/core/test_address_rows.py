"""The address row every front end shows (sidebar, tray, ``temp-inbox list``), and the announcement
rule, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop_app.core.accounts.rows import DEFAULT_QUOTA, address_row, shown_state
from desktop_app.core.events import ConnectionState
from desktop_app.core.notice import announcement
from desktop_app.core.store.cache import AddressState, StoredAddress
from tests.core.store_helpers import summary

LIVE = ConnectionState("live")
STOPPED = ConnectionState("stopped", "offline")


def _record(state: AddressState, reason: str = "", quota: int = 0) -> StoredAddress:
    return StoredAddress(
        "a@temp-inbox.test", "local", "acc", "Shop", datetime(2026, 1, 1, tzinfo=UTC), state, reason, 5, quota
    )


@pytest.mark.parametrize(
    ("state", "reason", "connection", "problem", "expected"),
    [
        (AddressState.FAILED, "wrong password", LIVE, None, ("failed", "wrong password")),
        (AddressState.FAILED, "", LIVE, None, ("failed", "cannot log in")),
        (AddressState.ACTIVE, "", STOPPED, "keyring locked", ("failed", "keyring locked")),
        (AddressState.PENDING, "", LIVE, None, ("connecting", "being created")),
        (AddressState.ACTIVE, "", STOPPED, None, ("offline", "cached mail only")),
        (AddressState.ACTIVE, "", LIVE, None, ("live", "live")),
    ],
)
def test_what_the_book_knows_beats_the_connection(
    state: AddressState,
    reason: str,
    connection: ConnectionState,
    problem: str | None,
    expected: tuple[str, str],
) -> None:
    assert shown_state(_record(state, reason), connection, problem) == expected


def test_a_row_carries_what_the_sidebar_the_tray_and_the_listing_read() -> None:
    row = address_row(
        _record(AddressState.SESSION_ONLY),
        STOPPED,
        open_problem=None,
        unread=3,
        provider_name="Local",
        current=True,
    )
    assert (row.state_kind, row.state_text, row.unread, row.quota) == (
        "offline",
        "cached mail only",
        3,
        DEFAULT_QUOTA,
    )
    assert row.session_only
    assert row.as_listing() == {
        "address": "a@temp-inbox.test",
        "label": "Shop",
        "unread": 3,
        "state": "session-only",
        "live": "stopped",
        "current": True,
        "provider": "Local",
        "expires": None,
        "expiry": "",
    }


def test_only_unread_mail_is_announced_with_the_code_from_its_subject() -> None:
    assert announcement("a@temp-inbox.test", summary("old", seen=True)) is None
    news = announcement("a@temp-inbox.test", summary("new", subject="Your code 551234"))
    assert news is not None and news.message_id == "new"
    assert news.extraction is not None and news.extraction.code == "551234"
