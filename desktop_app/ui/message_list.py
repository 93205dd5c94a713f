"""The message list: a lazily paged table model over the store, its view, and its delegates: columns
with the subject and intro on one line, or (beside the message) two-line rows of sender and time over
subject and intro.

The model holds only the pages the view has asked for (``canFetchMore``/``fetchMore``), so an address
with thousands of messages opens instantly. New mail is inserted in place with ``beginInsertRows``
(never a reset) so the user's selection and scroll position survive a message arriving.

Over 300 lines: the model, its two delegates and the view share the row geometry and the column
constants. The next split to make (issue 11 kept to pure moves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QFontMetrics, QIcon, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from desktop_app.core.models import MessageSummary
from desktop_app.core.store import MessageSort
from desktop_app.ui import texts
from desktop_app.ui.sort_header import SortHeader
from desktop_app.ui.style import muted_text, paperclip_icon, selected_text

ModelIndex = QModelIndex | QPersistentModelIndex
# (address, offset, limit, search, sort, ascending)
ListPage = Callable[[str, int, int, str, MessageSort, bool], list[MessageSummary]]
CountMessages = Callable[[str, str], int]  # (address, search)

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3
INTRO_ROLE = Qt.ItemDataRole.UserRole + 4
HAS_ATTACHMENTS_ROLE = Qt.ItemDataRole.UserRole + 5

# COL_ADDRESS names the address a message came to; shown only in "All addresses" (all_addresses_list),
# first on screen. Last in the model, so older saved column layouts still fit the first four.
COL_FROM, COL_SUBJECT, COL_ATTACHMENT, COL_TIME, COL_ADDRESS = range(5)
_HEADERS = ("From", "Subject", "", "Received", "Address")
_SORT_ACTIONS = (
    ("Sort by sender", COL_FROM, Qt.SortOrder.AscendingOrder),
    ("Sort by subject", COL_SUBJECT, Qt.SortOrder.AscendingOrder),
    ("Sort by time, newest first", COL_TIME, Qt.SortOrder.DescendingOrder),
)
SORT_OF_COLUMN = {
    COL_FROM: MessageSort.SENDER,
    COL_SUBJECT: MessageSort.SUBJECT,
    COL_TIME: MessageSort.RECEIVED,
}


def format_received(when: datetime, now: datetime | None = None) -> str:
    """``14:05`` today, ``Yesterday``, ``3 Mar`` this year, ``3 Mar 2024`` before."""
    local = when.astimezone()
    now = (now or datetime.now().astimezone()).astimezone()
    days = (now.date() - local.date()).days
    if days == 0:
        return local.strftime("%H:%M")
    if days == 1:
        return "Yesterday"
    if local.year == now.year:
        return f"{local.day} {local.strftime('%b')}"
    return f"{local.day} {local.strftime('%b %Y')}"


def _insert_position(rows: Sequence[MessageSummary], summary: MessageSummary) -> int:
    """Where a message that just arrived goes in ``rows`` (newest first): after every later one, before
    every one from the same second, since it arrived after them (the store's ``arrival`` order)."""
    lo, hi = 0, len(rows)
    while lo < hi:
        mid = (lo + hi) // 2
        if rows[mid].created_at > summary.created_at:
            lo = mid + 1
        else:
            hi = mid
    return lo


# How much further than the rows on show the store is read when same-second mail is put in order.
_TIE_LOOKAHEAD = 200


class MessageListModel(QAbstractTableModel):
    PAGE_SIZE = 100

    def __init__(
        self,
        list_page: ListPage,
        count: CountMessages,
        parent: QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self._list_page = list_page
        self._count = count
        self._page_size = page_size
        self._now = now
        self._address: str | None = None
        self._search = ""
        self._sort = MessageSort.RECEIVED
        self._ascending = False
        self._rows: list[MessageSummary] = []
        self._ids: set[str] = set()
        self._total = 0
        self._changing = False
        self._clip = paperclip_icon(QPalette())

    # --- what is shown ---
    @property
    def address(self) -> str | None:
        return self._address

    @property
    def search(self) -> str:
        return self._search

    @property
    def newest_first(self) -> bool:
        """Sorted by arrival, newest first: the order live mail can be inserted into in place."""
        return self._sort is MessageSort.RECEIVED and not self._ascending

    @property
    def sort_order(self) -> tuple[MessageSort, bool]:
        return self._sort, self._ascending

    def _page(self, offset: int, limit: int) -> list[MessageSummary]:
        assert self._address is not None
        return self._list_page(self._address, offset, limit, self._search, self._sort, self._ascending)

    def _count_rows(self) -> int:
        assert self._address is not None
        return self._count(self._address, self._search)

    @property
    def total(self) -> int:
        return self._total

    def set_address(self, address: str | None, search: str = "") -> None:
        self._address = address
        self._search = search
        self.reload()

    def set_search(self, search: str) -> None:
        if search != self._search:
            self._search = search
            self.reload()

    def reload(self) -> None:
        self._changing = True
        try:
            self.beginResetModel()
            self._rows, self._ids, self._total = [], set(), 0
            if self._address is not None:
                self._total = self._count_rows()
                self._append(self._page(0, self._page_size))
            self.endResetModel()
        finally:
            self._changing = False

    def refresh_icons(self, palette: QPalette) -> None:
        self._clip = paperclip_icon(palette)
        if self._rows:
            col = COL_ATTACHMENT
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    # --- paging ---
    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._address is not None and len(self._rows) < self._total

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        # Views (and QAbstractItemModelTester) may ask for more from a slot connected to our own
        # reset/insert signals; inserting rows in the middle of announcing a change would corrupt them.
        if self._changing or not self.canFetchMore(parent) or self._address is None:
            return
        page = [s for s in self._page(len(self._rows), self._page_size) if s.id not in self._ids]
        if not page:
            self._total = len(self._rows)  # the store has fewer than it counted (deleted meanwhile)
            return
        start = len(self._rows)
        self._changing = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._append(page)
            self.endInsertRows()
        finally:
            self._changing = False

    def _append(self, summaries: Sequence[MessageSummary]) -> None:
        for summary in summaries:
            if summary.id not in self._ids:
                self._rows.append(summary)
                self._ids.add(summary.id)

    # --- live changes ---
    def insert_new(self, summaries: Sequence[MessageSummary]) -> int:
        """Insert messages that just arrived at their date position; returns how many were shown.

        A message older than everything loaded while more pages remain is only counted: the page
        that contains it will bring it when the user scrolls there. Sorted otherwise than newest
        first, the rows on show are read again in the store's order."""
        if not self.newest_first:
            fresh = [s for s in summaries if s.id not in self._ids]
            if fresh:
                self._reread(len(self._rows) + len(fresh))
            return sum(1 for s in fresh if s.id in self._ids)
        shown = 0
        for summary in reversed(summaries):  # newest first: the oldest arrived first
            if summary.id in self._ids:
                continue
            self._total += 1
            row = _insert_position(self._rows, summary)
            if row == len(self._rows) and len(self._rows) < self._total - 1:
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, summary)
            self._ids.add(summary.id)
            self.endInsertRows()
            shown += 1
        if shown:
            self._settle_ties(min(s.created_at for s in summaries))
        return shown

    def _settle_ties(self, since: datetime) -> None:
        """Mail from the same second as other mail: the store knows the order it arrived in (its
        arrival number), the events that brought it may list it oldest or newest first. The rows
        down to ``since`` are put in the store's order (selection and scroll anchor follow)."""
        prefix = 0
        while prefix < len(self._rows) and self._rows[prefix].created_at >= since:
            prefix += 1
        seconds = [s.created_at.replace(microsecond=0) for s in self._rows[:prefix]]
        if self._address is None or len(set(seconds)) == len(seconds):
            return  # no two from the same second: the date order is the arrival order
        shown_ids = [s.id for s in self._rows[:prefix]]
        # The store may already hold newer mail whose events are still on their way: read a little
        # further than the prefix and keep only the rows on show.
        wanted = set(shown_ids)
        page = self._page(0, prefix + _TIE_LOOKAHEAD)
        stored = [s for s in page if s.id in wanted]
        if [s.id for s in stored] == shown_ids or len(stored) != prefix:
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._rows[i.row()].id if i.row() < len(self._rows) else None for i in persistent]
        self._rows[:prefix] = stored
        rows = {s.id: row for row, s in enumerate(self._rows[:prefix])}
        moved = [
            self.index(rows[message_id], i.column()) if message_id in rows else i
            for i, message_id in zip(persistent, ids, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A click on a column header (QTreeView's sorting): the store sorts, since rows not loaded
        yet count too; the selection and scroll anchor follow their messages."""
        key = SORT_OF_COLUMN.get(column)
        ascending = order == Qt.SortOrder.AscendingOrder
        if key is None or (key, ascending) == (self._sort, self._ascending):
            return
        self._sort, self._ascending = key, ascending
        if self._address is not None:
            self._reread(max(len(self._rows), self._page_size))

    def _reread(self, count: int) -> None:
        """Read the first ``count`` rows again in the current order, keeping persistent indexes."""
        self._changing = True
        try:
            self.layoutAboutToBeChanged.emit()
            persistent = self.persistentIndexList()
            ids = [self._rows[i.row()].id if i.row() < len(self._rows) else None for i in persistent]
            self._rows, self._ids = [], set()
            if self._address is not None:
                self._total = self._count_rows()
                self._append(self._page(0, count))
            rows = {s.id: row for row, s in enumerate(self._rows)}
            moved = [
                self.index(rows[message_id], i.column()) if message_id in rows else QModelIndex()
                for i, message_id in zip(persistent, ids, strict=True)
            ]
            self.changePersistentIndexList(persistent, moved)
            self.layoutChanged.emit()
        finally:
            self._changing = False

    def set_seen(self, message_id: str, seen: bool) -> None:
        row = self.row_of(message_id)
        if row >= 0 and self._rows[row].seen != seen:
            self._rows[row] = replace(self._rows[row], seen=seen)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))

    def remove(self, message_id: str) -> None:
        row = self.row_of(message_id)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._ids.discard(message_id)
        self._total = max(0, self._total - 1)
        self.endRemoveRows()

    def row_of(self, message_id: str) -> int:
        if message_id not in self._ids:
            return -1
        for row, summary in enumerate(self._rows):
            if summary.id == message_id:
                return row
        return -1  # pragma: no cover

    def summary_at(self, row: int) -> MessageSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- QAbstractItemModel ---
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[section]
        if role == Qt.ItemDataRole.DecorationRole and section == COL_ATTACHMENT:
            return self._clip
        if role == Qt.ItemDataRole.ToolTipRole and section == COL_ATTACHMENT:
            return "Has attachments"
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_FROM:
                return summary.sender.name or summary.sender.address or "(unknown sender)"
            if column == COL_SUBJECT:
                return summary.subject or "(no subject)"
            if column == COL_TIME:
                return format_received(summary.created_at, self._now() if self._now else None)
            return None
        if role == Qt.ItemDataRole.FontRole and not summary.seen:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == COL_ATTACHMENT and summary.has_attachments:
            return self._clip
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_FROM:
                return summary.sender.display()
            if column == COL_TIME:
                return summary.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
            return summary.subject + (f"\n{summary.intro}" if summary.intro else "")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.describe(summary)
        if role == SUMMARY_ROLE:
            return summary
        if role == MESSAGE_ID_ROLE:
            return summary.id
        if role == UNREAD_ROLE:
            return not summary.seen
        if role == INTRO_ROLE:
            return summary.intro
        if role == HAS_ATTACHMENTS_ROLE:
            return summary.has_attachments
        return None

    def describe(self, summary: MessageSummary) -> str:
        parts = ["Unread" if not summary.seen else "Read"]
        parts.append(f"from {summary.sender.display() or 'unknown sender'}")
        parts.append(summary.subject or "no subject")
        parts.append(f"received {format_received(summary.created_at, self._now() if self._now else None)}")
        if summary.has_attachments:
            parts.append("has attachments")
        return ", ".join(parts)


class SubjectDelegate(QStyledItemDelegate):
    """Subject, then the intro in a muted colour on the same line, elided together."""

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), hint.height() + 8)  # a little air between rows

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        self.initStyleOption(option, index)
        subject = option.text
        intro = str(index.data(INTRO_ROLE) or "")
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect: QRect = option.rect.adjusted(4, 0, -4, 0)
        painter.save()
        painter.setFont(option.font)
        painter.setPen(text_color)
        metrics = QFontMetrics(option.font)
        shown = metrics.elidedText(subject, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        used = metrics.horizontalAdvance(shown)
        rest = rect.width() - used - 12
        if intro and shown == subject and rest > 30:
            plain = QFont(option.font)
            plain.setBold(False)
            painter.setFont(plain)
            painter.setPen(text_color if selected else muted_text(palette))
            intro_text = QFontMetrics(plain).elidedText(
                " — " + " ".join(intro.split()), Qt.TextElideMode.ElideRight, rest
            )
            painter.drawText(
                rect.adjusted(used, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                intro_text,
            )
        painter.restore()


@dataclass(frozen=True)
class RowLines:
    """What a two-line row shows, each part as painted (elided to the room it has)."""

    sender: str
    sender_bold: bool  # unread
    time: str
    subject: str
    preview: str  # "" when there is no room (or no intro)
    sender_rect: QRect
    time_rect: QRect
    clip_rect: QRect | None  # the paperclip's place, when the message has attachments
    subject_rect: QRect
    preview_rect: QRect
    address: str = ""  # "All addresses": the address the message came to, muted before the time
    address_rect: QRect | None = None


_PAD_X, _PAD_Y, _GAP, _CLIP = 6, 4, 8, 16


class TwoLineDelegate(QStyledItemDelegate):
    """A narrow list's row: the sender (bold when unread) with the time on the right, then the subject
    and the intro muted, so a subject gets the list's whole width instead of a third of it."""

    @staticmethod
    def fonts(option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        plain = QFont(option.font)
        plain.setBold(False)
        bold = QFont(plain)
        bold.setBold(True)
        return plain, bold

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        self.initStyleOption(option, index)
        plain, bold = self.fonts(option)
        line = max(QFontMetrics(plain).height(), QFontMetrics(bold).height(), _CLIP)
        return QSize(super().sizeHint(option, index).width(), 2 * line + 2 * _PAD_Y + 2)

    def lines(self, option: QStyleOptionViewItem, index: ModelIndex) -> RowLines:
        plain, bold = self.fonts(option)
        unread = bool(index.data(UNREAD_ROLE))
        sender_font = bold if unread else plain
        rect: QRect = option.rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
        half = rect.height() // 2
        top = QRect(rect.left(), rect.top(), rect.width(), half)
        bottom = QRect(rect.left(), rect.top() + half, rect.width(), rect.height() - half)
        plain_m, sender_m = QFontMetrics(plain), QFontMetrics(sender_font)

        time = str(index.sibling(index.row(), COL_TIME).data() or "")
        time_w = plain_m.horizontalAdvance(time)
        time_rect = QRect(top.right() - time_w + 1, top.top(), time_w, top.height())
        right = time_rect.left() - (_GAP if time else 0)
        address, address_rect = "", None
        if address_full := str(index.sibling(index.row(), COL_ADDRESS).data() or ""):
            # At most two fifths of the line, so the sender keeps the larger part; an address keeps
            # both its ends, a label its start.
            mode = Qt.TextElideMode.ElideMiddle if "@" in address_full else Qt.TextElideMode.ElideRight
            address = plain_m.elidedText(address_full, mode, max(0, top.width() * 2 // 5))
            width = plain_m.horizontalAdvance(address)
            address_rect = QRect(right - width + 1, top.top(), width, top.height())
            right = address_rect.left() - _GAP
        clip_rect = None
        if index.data(HAS_ATTACHMENTS_ROLE):
            clip_rect = QRect(right - _CLIP, top.top() + (top.height() - _CLIP) // 2, _CLIP, _CLIP)
            right = clip_rect.left() - _GAP // 2
        sender_full = str(index.sibling(index.row(), COL_FROM).data() or "")
        sender = sender_m.elidedText(sender_full, Qt.TextElideMode.ElideRight, max(0, right - top.left()))
        sender_rect = QRect(top.left(), top.top(), max(0, right - top.left()), top.height())

        subject_full = str(index.sibling(index.row(), COL_SUBJECT).data() or "")
        subject = plain_m.elidedText(subject_full, Qt.TextElideMode.ElideRight, bottom.width())
        used = plain_m.horizontalAdvance(subject)
        subject_rect = QRect(bottom.left(), bottom.top(), used, bottom.height())
        intro = " ".join(str(index.data(INTRO_ROLE) or "").split())
        rest = bottom.width() - used
        preview = ""
        if intro and subject == subject_full and rest > 30:
            preview = plain_m.elidedText(" — " + intro, Qt.TextElideMode.ElideRight, rest)
        preview_rect = QRect(bottom.left() + used, bottom.top(), max(0, rest), bottom.height())
        return RowLines(
            sender,
            unread,
            time,
            subject,
            preview,
            sender_rect,
            time_rect,
            clip_rect,
            subject_rect,
            preview_rect,
            address,
            address_rect,
        )

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        option.icon = QIcon()
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        strong = selected_text(palette) if selected else palette.color(QPalette.ColorRole.Text)
        soft = strong if selected else muted_text(palette)
        plain, bold = self.fonts(option)
        lines = self.lines(option, index)
        left = int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        painter.save()
        painter.setFont(bold if lines.sender_bold else plain)
        painter.setPen(strong)
        painter.drawText(lines.sender_rect, left, lines.sender)
        painter.setFont(plain)
        painter.setPen(soft)
        painter.drawText(
            lines.time_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight), lines.time
        )
        painter.setPen(strong)
        painter.drawText(lines.subject_rect, left, lines.subject)
        if lines.preview:
            painter.setPen(soft)
            painter.drawText(lines.preview_rect, left, lines.preview)
        if lines.address and lines.address_rect is not None:
            painter.setPen(soft)
            painter.drawText(lines.address_rect, left, lines.address)
        clip = index.sibling(index.row(), COL_ATTACHMENT).data(Qt.ItemDataRole.DecorationRole)
        if lines.clip_rect is not None and isinstance(clip, QIcon):
            mode = QIcon.Mode.Selected if selected else QIcon.Mode.Normal
            clip.paint(painter, lines.clip_rect, Qt.AlignmentFlag.AlignCenter, mode)
        painter.restore()


class MessageListView(QTreeView):
    """Flat list with j/k navigation and the Delete key."""

    delete_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        descending, ascending = Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder
        names = {
            (COL_TIME, descending): texts.ORDER_NEWEST,
            (COL_TIME, ascending): texts.ORDER_OLDEST,
            (COL_FROM, ascending): texts.ORDER_SENDER_AZ,
            (COL_FROM, descending): texts.ORDER_SENDER_ZA,
        }
        self.setHeader(SortHeader(self, names))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)  # lets the view skip measuring thousands of rows
        self.setItemsExpandable(False)
        self.setAllColumnsShowFocus(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._subject_delegate = SubjectDelegate(self)
        self._two_line_delegate = TwoLineDelegate(self)
        self._two_line = False
        self._address_column = False
        self._address_width = 130  # the Address column's width as last fitted (the user's, once moved)
        self.setItemDelegateForColumn(COL_SUBJECT, self._subject_delegate)
        self.setAccessibleName("Messages")
        self.setAccessibleDescription("Messages of the selected address. J and K move, Delete deletes.")

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_FROM, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_ATTACHMENT, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ADDRESS, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_FROM, 170)
        header.resizeSection(COL_ATTACHMENT, 26)
        header.resizeSection(COL_ADDRESS, self._address_width)
        self.set_address_column(self._address_column)
        # Newest first until the user clicks a header; the indicator shows the order in use.
        header.setSortIndicator(COL_TIME, Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        self._sorted_by = (COL_TIME, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._keep_indicator_on_sortable)
        self.setSortingEnabled(True)
        # Two-line rows show only the subject's header: the other orders stay a right-click away.
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, column, order in _SORT_ACTIONS:
            action = QAction(text, header)
            action.triggered.connect(lambda _=False, c=column, o=order: header.setSortIndicator(c, o))
            header.addAction(action)

    @property
    def two_line(self) -> bool:
        return self._two_line

    @property
    def address_column(self) -> bool:
        return self._address_column

    def set_address_column(self, on: bool) -> None:
        """The Address column, first on screen ("All addresses"); hidden for one address's list and
        in two-line rows, which name the address on their first line instead."""
        self._address_column = on
        header = self.header()
        header.setSectionHidden(COL_ADDRESS, self._two_line or not on)
        if on and header.visualIndex(COL_ADDRESS) != 0:
            # Also after a restored layout saved before the column existed (it puts it last).
            header.moveSection(header.visualIndex(COL_ADDRESS), 0)

    def set_two_line(self, on: bool) -> None:
        """Two-line rows (a narrow list beside the message) or columns. In two-line rows the subject
        column paints the whole row; From, the paperclip and Received are hidden, each keeping its
        width for when the columns come back. The header stays: its one column still sorts."""
        self._two_line = on
        header = self.header()
        for column in (COL_FROM, COL_ATTACHMENT, COL_TIME):
            header.setSectionHidden(column, on)
        header.setSectionHidden(COL_ADDRESS, on or not self._address_column)
        self.setItemDelegateForColumn(COL_SUBJECT, self._two_line_delegate if on else self._subject_delegate)
        self.doItemsLayout()  # uniform row heights: measured again with the other delegate

    @property
    def fitted_address_width(self) -> int:
        """The Address column's width as last fitted; kept across restarts with the columns, so that
        a restored fitted width is fitted again (it stayed at a long-gone name's width for good)."""
        return self._address_width

    @fitted_address_width.setter
    def fitted_address_width(self, width: int) -> None:
        self._address_width = width

    def fit_address_column(self, names: Sequence[str]) -> None:
        """The Address column as wide as its widest name (bold, as on an unread row), within bounds;
        a width the user chose by dragging is left alone."""
        header = self.header()
        if header.sectionSize(COL_ADDRESS) != self._address_width or not names:
            return
        bold = QFont(self.font())
        bold.setBold(True)
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
        widest = max(QFontMetrics(bold).horizontalAdvance(name) for name in names) + margin + _GAP
        self._address_width = min(max(widest, 80), 220)
        header.resizeSection(COL_ADDRESS, self._address_width)

    def shown_address(self, row: int) -> str:
        """The address text row ``row`` shows, as painted (elided to its room); "" when none is."""
        model = self.model()
        if model is None or not self._address_column:
            return ""
        if self._two_line:
            index = model.index(row, COL_SUBJECT)
            option = QStyleOptionViewItem()
            option.initFrom(self)
            option.rect = self.visualRect(index)
            option.font = self.font()
            self._two_line_delegate.initStyleOption(option, index)
            return self._two_line_delegate.lines(option, index).address
        index = model.index(row, COL_ADDRESS)
        font = index.data(Qt.ItemDataRole.FontRole)
        metrics = QFontMetrics(font if isinstance(font, QFont) else self.font())
        # The item delegate's text margins (the style's focus frame margin, plus one, each side).
        style = self.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        room = self.header().sectionSize(COL_ADDRESS) - 2 * margin
        return metrics.elidedText(str(index.data() or ""), self.textElideMode(), room)

    def _keep_indicator_on_sortable(self, section: int, order: Qt.SortOrder) -> None:
        """The paperclip column does not sort: a click there leaves the indicator where it was."""
        if section in SORT_OF_COLUMN:
            self._sorted_by = (section, order)
        else:
            self.header().setSortIndicator(*self._sorted_by)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if plain and key in (Qt.Key.Key_J, Qt.Key.Key_K):
            self._step(1 if key == Qt.Key.Key_J else -1)
            return
        if plain and key == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)

    def _step(self, delta: int) -> None:
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        current = self.currentIndex()
        row = 0 if not current.isValid() else min(max(current.row() + delta, 0), model.rowCount() - 1)
        if delta > 0 and current.isValid() and row == current.row() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
            row = min(current.row() + delta, model.rowCount() - 1)
        self.setCurrentIndex(model.index(row, 0))
