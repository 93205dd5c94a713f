"""The message list model that can also show every address's mail at once ("All addresses").

One address's list is :class:`MessageListModel`'s; given ``ALL_ADDRESSES`` instead of an address, the
same lazily paged model reads the store's list across addresses (newest first through its own index),
remembers which address each message came to, and names that address in the Address column (and so on
the first line of a two-line row). Live mail, seen changes and deletions of any address reach it; what
a row does (open, delete, mark unread) goes to the address the row names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.core.models import MessageSummary
from desktop_app.core.store import AddressedSummary, MessageSort
from desktop_app.ui import texts
from desktop_app.ui.controller import ALL_ADDRESSES
from desktop_app.ui.message_list import COL_ADDRESS, CountMessages, ListPage, MessageListModel

ModelIndex = QModelIndex | QPersistentModelIndex
# (offset, limit, search, sort, ascending)
ListAll = Callable[[int, int, str, MessageSort, bool], list[AddressedSummary]]
CountAll = Callable[[str], int]  # (search)


def all_count(total: int, unread: int, search: str) -> str:
    """What the header says of the list: "5 messages, 2 unread"; while a search filters it, "2 messages
    match" (the unread count is of all mail: beside a count of matches it read as theirs)."""
    s = "" if total == 1 else "s"
    if search.strip():
        return texts.ALL_MATCHES.format(count=total, s=s, es="es" if total == 1 else "")
    return texts.ALL_COUNT.format(
        count=total, s=s, unread=texts.ALL_UNREAD.format(count=unread) if unread else ""
    )


class MailListModel(MessageListModel):
    """One address's mail, or (``set_address(ALL_ADDRESSES)``) every address's, each row naming its
    address."""

    def __init__(
        self,
        list_page: ListPage,
        count: CountMessages,
        list_all: ListAll,
        count_all: CountAll,
        parent: QWidget | None = None,
        *,
        page_size: int = MessageListModel.PAGE_SIZE,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(list_page, count, parent, page_size=page_size, now=now)
        self._list_all = list_all
        self._count_all = count_all
        self._address_of: dict[str, str] = {}
        self._names: dict[str, str] = {}

    @property
    def all_addresses(self) -> bool:
        return self.address == ALL_ADDRESSES

    def shows(self, address: str) -> bool:
        """Whether mail of ``address`` belongs in what is shown."""
        return self.all_addresses or (address == self.address and address is not None)

    def address_of(self, message_id: str) -> str | None:
        """The address a listed message came to."""
        return self._address_of.get(message_id) if self.all_addresses else self.address

    def note_address(self, message_id: str, address: str) -> None:
        """Where a message that is about to be inserted (live) came to."""
        self._address_of[message_id] = address

    def set_names(self, names: Mapping[str, str]) -> bool:
        """What each address is called in its rows (``core.accounts.short_names``). True when an address
        whose mail may be listed is gone (deleted): the list must be read again without it."""
        if dict(names) == self._names:
            return False
        gone = bool(set(self._names) - set(names))
        self._names = dict(names)
        if self.all_addresses and self.rowCount():
            self.dataChanged.emit(self.index(0, COL_ADDRESS), self.index(self.rowCount() - 1, COL_ADDRESS))
        return gone and self.all_addresses

    def name_of(self, address: str) -> str:
        return self._names.get(address, address)

    def known_addresses(self) -> list[str]:
        return list(self._names)

    # --- what the base model reads ---
    def set_address(self, address: str | None, search: str = "") -> None:
        self._address_of.clear()
        super().set_address(address, search)

    def _page(self, offset: int, limit: int) -> list[MessageSummary]:
        if not self.all_addresses:
            return super()._page(offset, limit)
        sort, ascending = self.sort_order
        items = self._list_all(offset, limit, self.search, sort, ascending)
        for item in items:
            self._address_of[item.summary.id] = item.address
        return [item.summary for item in items]

    def _count_rows(self) -> int:
        return self._count_all(self.search) if self.all_addresses else super()._count_rows()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not self.all_addresses or not index.isValid():
            return super().data(index, role)
        summary = self.summary_at(index.row())
        address = self._address_of.get(summary.id, "") if summary is not None else ""
        if index.column() == COL_ADDRESS and role == Qt.ItemDataRole.DisplayRole:
            return self.name_of(address)
        if index.column() == COL_ADDRESS and role == Qt.ItemDataRole.ToolTipRole:
            return address
        if role == Qt.ItemDataRole.AccessibleTextRole and summary is not None:
            return f"{self.describe(summary)}, to {self.name_of(address)}"
        return super().data(index, role)
