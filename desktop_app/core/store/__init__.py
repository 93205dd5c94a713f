"""The offline cache: addresses, summaries, bodies and sources in one SQLite file (WAL).

cache   Store, StoredAddress and its AddressState, MessageSort, AddressedSummary, mailbox_key
codec   how values become rows and back (a row that cannot be read is skipped, not fatal)
schema  the tables and their migrations, and the text a search matches
"""

from __future__ import annotations

from desktop_app.core.store.cache import (
    AddressedSummary,
    AddressState,
    MessageSort,
    Store,
    StoredAddress,
    mailbox_key,
)

__all__ = ["AddressState", "AddressedSummary", "MessageSort", "Store", "StoredAddress", "mailbox_key"]
