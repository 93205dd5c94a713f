"""The "All addresses" entry: when the sidebar offers it, what it sums up, and what each row of the
list across addresses calls the address its message came to.

With one address the entry would only repeat that address's row, so it appears from two on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.core.accounts.rows import AddressRow

SHOWN_FROM = 2  # addresses


@dataclass(frozen=True, slots=True)
class AllAddresses:
    """The entry's row: how many addresses, their unread mail added up, and how many are live."""

    addresses: int
    unread: int
    live: int


def all_addresses(rows: Sequence[AddressRow]) -> AllAddresses | None:
    """The entry for these sidebar rows, or None when there are too few for it to say anything."""
    if len(rows) < SHOWN_FROM:
        return None
    return AllAddresses(
        addresses=len(rows),
        unread=sum(row.unread for row in rows),
        live=sum(1 for row in rows if row.state_kind == "live"),
    )


def short_names(rows: Sequence[AddressRow]) -> dict[str, str]:
    """address → what a row of the list across addresses names it: its label, else its local part
    (short enough for a column), else — when another address shares the local part — the whole
    address, since the local part alone would not tell them apart."""
    local = {row.address: row.address.partition("@")[0] for row in rows}
    shared = Counter(local.values())
    return {
        row.address: row.label or (local[row.address] if shared[local[row.address]] == 1 else row.address)
        for row in rows
    }
