"""The address sidebar: a list model of addresses, a delegate that draws each one, and the sidebar widget.

Each row shows the label (or the address when there is none), the address, the storage used, the
unread count as a badge, and a coloured dot for the connection state. The dot is never the only
carrier of meaning: the state word is in the tooltip and the accessible text.

From two addresses on, an "All addresses" entry heads the list (``core.accounts.all_addresses``): its
badge adds every unread count up, and selecting it shows every address's mail (``ALL_ADDRESSES``).

Over 300 lines: the model, the delegate and the sidebar of one list share its roles and row geometry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.accounts import AllAddresses, all_addresses
from desktop_app.ui import texts
from desktop_app.ui.controller import ALL_ADDRESSES, AddressInfo
from desktop_app.ui.lifetime_choice import lifetime_menu
from desktop_app.ui.link_label import LinkLabel
from desktop_app.ui.style import format_usage, muted_text, state_color, state_description, state_word

ModelIndex = QModelIndex | QPersistentModelIndex

ADDRESS_ROLE = Qt.ItemDataRole.UserRole + 1
LABEL_ROLE = Qt.ItemDataRole.UserRole + 2
UNREAD_ROLE = Qt.ItemDataRole.UserRole + 3
STATE_KIND_ROLE = Qt.ItemDataRole.UserRole + 4
STATE_TEXT_ROLE = Qt.ItemDataRole.UserRole + 5
USAGE_ROLE = Qt.ItemDataRole.UserRole + 6
SESSION_ONLY_ROLE = Qt.ItemDataRole.UserRole + 7
# The provider's name, only while addresses of more than one provider are listed (else it says nothing).
PROVIDER_ROLE = Qt.ItemDataRole.UserRole + 8
# The "All addresses" entry: (address count, live count) for its second line; None on address rows.
ALL_ROLE = Qt.ItemDataRole.UserRole + 9
# "deletes in 3 h" (or "" when the address is kept), and whether it is drawn as a warning.
EXPIRY_ROLE = Qt.ItemDataRole.UserRole + 11
EXPIRY_URGENT_ROLE = Qt.ItemDataRole.UserRole + 12


def all_summary(entry: AllAddresses) -> str:
    """The entry's second line: "3 addresses · all live", "3 addresses · 2 live", "… · none live"."""
    if entry.live == entry.addresses:
        live = "all live"
    else:
        live = f"{entry.live} live" if entry.live else "none live"
    return f"{entry.addresses} addresses · {live}"


# "Waiting for mail from acme… 0:42" (or what a timed-out wait found): a line under the row's text.
WAITING_ROLE = Qt.ItemDataRole.UserRole + 10


def usage_forms(usage: str) -> list[str]:
    """The usage, whole and then shorter, each a unit a reader can take in: "1.2 MB of 40 MB", then
    "1.2 MB"; "39.8 MB of 40 MB (nearly full)", then "39.8 MB (nearly full)", then "nearly full"."""
    forms = [usage] if usage else []
    used, of, rest = usage.partition(" of ")
    if of:
        note = rest[rest.find(" (") :] if " (" in rest else ""
        forms.append(used + note)
        if note:
            forms.append(note.strip(" ()"))
    return forms


def fitted_footer(metrics: QFontMetrics, width: int, state: str, usage: str, provider: str) -> str:
    """A row's "Live · 1.2 MB of 40 MB · provider" line in ``width`` pixels. The provider's name is what
    tells two rows apart ("127.0.0.1:18150" from "127.0.0.1:18151"), so the usage in the middle gives
    way first, as a unit: shorter ("1.2 MB"), then not at all, never cut inside a number
    ("1.2 MB of 4…" reads as 4 MB); the tooltip has everything."""

    def fits(text: str) -> bool:  # Qt's own measure: it elides some texts as wide as ``width``
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) == text

    for form in [*usage_forms(usage), ""]:
        text = " · ".join(part for part in (state, form, provider) if part)
        if fits(text):
            return text
    # Not even the state and the provider fit: cut at the end.
    return metrics.elidedText(
        " · ".join(p for p in (state, provider) if p), Qt.TextElideMode.ElideRight, width
    )


def fitted_waiting(metrics: QFontMetrics, text: str, width: int) -> str:
    """A wait's line in ``width`` pixels, keeping the moving time at its end, which is what the user
    looks for. "Waiting for mail from acme… 0:42" is cut before its own "…" ("Waiting for mail fr…
    0:42"): cut in the middle it read "Waiting for m… acme… 0:42", two ellipses."""
    head, sep, elapsed = text.rpartition("… ")
    if metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) == text or not sep:
        return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width)
    tail = f"{sep}{elapsed}"
    for spare in range(4):  # the parts' widths do not quite add up to the whole's
        cut = metrics.elidedText(
            head + "…", Qt.TextElideMode.ElideRight, width - metrics.horizontalAdvance(tail) - spare
        )
        shown = cut.removesuffix("…") + tail if cut.endswith("…") else ""
        if shown and metrics.elidedText(shown, Qt.TextElideMode.ElideRight, width) == shown:
            return shown
    return metrics.elidedText(tail.lstrip("… "), Qt.TextElideMode.ElideRight, width)


class AddressListModel(QAbstractListModel):
    """Addresses in a stable order. ``set_addresses`` updates rows in place so selection survives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AddressInfo] = []
        self._all: AllAddresses | None = None  # the "All addresses" entry, row 0 while there is one
        # The window's waits for mail (ui/waiting_line.WaitingBoard.line): "" when none.
        self.waiting_line: Callable[[str], str] = lambda _address: ""

    def _first(self) -> int:
        """The row of the first address (1 while the "All addresses" entry heads the list)."""
        return 1 if self._all is not None else 0

    @property
    def all_entry(self) -> AllAddresses | None:
        return self._all

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows) + self._first()

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if self._all is not None and index.row() == 0:
            return self._all_data(self._all, role)
        info = self._rows[index.row() - self._first()]
        if role == Qt.ItemDataRole.DisplayRole:
            return info.label or info.address
        if role == ADDRESS_ROLE:
            return info.address
        if role == LABEL_ROLE:
            return info.label
        if role == UNREAD_ROLE:
            return info.unread
        if role == STATE_KIND_ROLE:
            return info.state_kind
        if role == STATE_TEXT_ROLE:
            return info.state_text
        if role == USAGE_ROLE:
            return self.usage(info)
        if role == SESSION_ONLY_ROLE:
            return info.session_only
        if role == PROVIDER_ROLE:
            several = len({row.provider_name for row in self._rows}) > 1
            return info.provider_name if several else ""
        if role == WAITING_ROLE:
            return self.waiting_line(info.address)
        if role == EXPIRY_ROLE:
            return info.expiry_text
        if role == EXPIRY_URGENT_ROLE:
            return info.expiry_urgent
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            waiting = self.waiting_line(info.address)
            return self.describe(info) + (f". {waiting}" if waiting else "")
        return None

    @staticmethod
    def _all_data(entry: AllAddresses, role: int) -> object:
        if role in (Qt.ItemDataRole.DisplayRole, LABEL_ROLE):
            return texts.ALL_ADDRESSES
        if role == ADDRESS_ROLE:
            return ALL_ADDRESSES
        if role == UNREAD_ROLE:
            return entry.unread
        if role == ALL_ROLE:
            return entry
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            unread = f"{entry.unread} unread" if entry.unread else "no unread mail"
            return f"{texts.ALL_ADDRESSES}, {all_summary(entry)}, {unread}"
        return None

    @staticmethod
    def describe(info: AddressInfo) -> str:
        parts = [info.label, info.address] if info.label else [info.address]
        parts.append(f"{info.unread} unread" if info.unread else "no unread mail")
        parts.append(state_description(info.state_kind, info.state_text))
        parts.append(f"{AddressListModel.usage(info)} used")
        if info.provider_name:
            parts.append(f"on {info.provider_name}")
        if info.session_only:
            parts.append(texts.SESSION_ONLY_DESCRIPTION)
        if info.expiry_detail:
            parts.append(info.expiry_detail)
        return ", ".join(parts)

    @staticmethod
    def usage(info: AddressInfo) -> str:
        """ "1.2 MB of 40 MB"; near the quota the service stops accepting mail, so say so."""
        text = format_usage(info.used, info.quota)
        if info.quota and info.used >= 0.9 * info.quota:
            text += " (nearly full)"
        return text

    def address_at(self, row: int) -> str | None:
        """The row's address, ``ALL_ADDRESSES`` for the "All addresses" entry."""
        if self._all is not None and row == 0:
            return ALL_ADDRESSES
        row -= self._first()
        return self._rows[row].address if 0 <= row < len(self._rows) else None

    def info(self, address: str) -> AddressInfo | None:
        return next((info for info in self._rows if info.address == address), None)

    def infos(self) -> list[AddressInfo]:
        return list(self._rows)

    def row_of(self, address: str) -> int:
        if address == ALL_ADDRESSES:
            return 0 if self._all is not None else -1
        for row, info in enumerate(self._rows):
            if info.address == address:
                return row + self._first()
        return -1

    def set_addresses(self, infos: Sequence[AddressInfo]) -> None:
        """Diff against the current rows: removed rows go, changed rows emit dataChanged, new rows are
        appended. A full reset would drop the view's selection and scroll position."""
        wanted = {info.address: info for info in infos}
        providers_before = {row.provider_name for row in self._rows}
        first = self._first()
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].address not in wanted:
                self.beginRemoveRows(QModelIndex(), row + first, row + first)
                del self._rows[row]
                self.endRemoveRows()
        for row, current in enumerate(self._rows):
            fresh = wanted.pop(current.address)
            if fresh != current:
                self._rows[row] = fresh
                self.dataChanged.emit(self.index(row + first), self.index(row + first))
        new = [info for info in infos if info.address in wanted]
        if new:
            start = len(self._rows) + first
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        self._update_all_entry()
        several = len({row.provider_name for row in self._rows}) > 1
        if self._rows and several != (len(providers_before) > 1):
            # A second provider came (or the last but one went): every row names its provider, or none.
            self.dataChanged.emit(self.index(0), self.index(self.rowCount() - 1), [PROVIDER_ROLE])

    def _update_all_entry(self) -> None:
        """The "All addresses" entry comes with the second address and goes with the last but one."""
        entry = all_addresses(self._rows)
        if entry is not None and self._all is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._all = entry
            self.endInsertRows()
        elif entry is None and self._all is not None:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self._all = None
            self.endRemoveRows()
        elif entry != self._all:
            self._all = entry
            self.dataChanged.emit(self.index(0), self.index(0))

    def waiting_changed(self) -> None:
        """The waiting lines moved on (a tick, a wait started or ended): repaint every row."""
        if self._rows:
            self.dataChanged.emit(self.index(self._first()), self.index(self.rowCount() - 1), [WAITING_ROLE])

    def update_state(self, address: str, state_text: str, kind: str) -> None:
        row = self.row_of(address)
        if row < 0 or address == ALL_ADDRESSES:
            return
        info = self._rows[row - self._first()]
        self._rows[row - self._first()] = replace(info, state_kind=kind, state_text=state_text)
        self.dataChanged.emit(self.index(row), self.index(row))
        self._update_all_entry()  # its live count


class AddressDelegate(QStyledItemDelegate):
    """Dot · label / address / usage · unread badge."""

    MARGIN = 8
    DOT = 10

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        line = QFontMetrics(option.font).height()
        lines = max(3, self.waiting_line(index) + 1) if index.data(WAITING_ROLE) else 3
        return QSize(220, lines * line + 2 * self.MARGIN)

    @staticmethod
    def waiting_line(index: ModelIndex) -> int:
        """Which line (from 0) a wait's line takes: the one right under the row's text. A labelled row
        has three lines of text (label, address, footer); one without a label has two, and its third
        holds the session-only chip when there is one, else the wait's line (the row keeps its
        height)."""
        if index.data(LABEL_ROLE):
            return 3
        return 3 if index.data(SESSION_ONLY_ROLE) else 2

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        self.initStyleOption(option, index)
        palette: QPalette = option.palette
        style = option.widget.style() if option.widget else None
        painter.save()
        option.text = ""  # the base draws the selection/hover background only
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        secondary = text_color if selected else muted_text(palette)
        rect: QRect = option.rect.adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        line = QFontMetrics(option.font).height()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        entry = index.data(ALL_ROLE)
        if isinstance(entry, AllAddresses):
            self._paint_all(painter, option, index, entry, rect, line, (text_color, secondary), selected)
            painter.restore()
            return

        painter.setBrush(state_color(str(index.data(STATE_KIND_ROLE)), palette))
        painter.drawEllipse(rect.left(), rect.top() + (line - self.DOT) // 2, self.DOT, self.DOT)
        badge_width = self._paint_badge(painter, option, index, rect, line, selected)
        self._paint_address(painter, option, index, rect, line, (text_color, secondary), badge_width)
        painter.restore()

    def _paint_badge(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: ModelIndex,
        rect: QRect,
        line: int,
        selected: bool,
    ) -> int:
        """The unread count, right-aligned on the first line; returns its width (0: no unread mail)."""
        palette: QPalette = option.palette
        unread = int(index.data(UNREAD_ROLE) or 0)
        badge_width = 0
        bold = QFont(option.font)
        bold.setBold(True)
        if unread:
            badge_text = str(unread) if unread < 1000 else "999+"
            metrics = QFontMetrics(bold)
            badge_width = max(line, metrics.horizontalAdvance(badge_text) + line // 2 + 4)
            badge = QRect(rect.right() - badge_width + 1, rect.top(), badge_width, line)
            painter.setBrush(
                palette.color(
                    QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
                )
            )
            painter.drawRoundedRect(badge, line / 2, line / 2)
            painter.setFont(bold)
            painter.setPen(
                palette.color(
                    QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.HighlightedText
                )
            )
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, badge_text)
        return badge_width

    def _paint_all(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: ModelIndex,
        entry: AllAddresses,
        rect: QRect,
        line: int,
        colors: tuple[QColor, QColor],
        selected: bool,
    ) -> None:
        """ "All addresses" over "3 addresses · all live", centred in the row, with the summed badge
        and a rule under the row that sets the entry apart from the addresses."""
        text_color, secondary = colors
        top = rect.top() + (rect.height() - 2 * line) // 2
        lines = QRect(rect.left(), top, rect.width(), 2 * line)
        badge_width = self._paint_badge(painter, option, index, lines, line, selected)
        text_left = rect.left() + self.DOT + self.MARGIN
        width = rect.right() - text_left - (badge_width + self.MARGIN if badge_width else 0)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        title = QFontMetrics(bold).elidedText(texts.ALL_ADDRESSES, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(text_left, top, width, line), Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(option.font)
        painter.setPen(secondary)
        full = rect.right() - text_left
        summary = QFontMetrics(option.font).elidedText(all_summary(entry), Qt.TextElideMode.ElideRight, full)
        painter.drawText(QRect(text_left, top + line, full, line), Qt.AlignmentFlag.AlignVCenter, summary)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        bottom = option.rect.bottom()
        painter.drawLine(option.rect.left() + self.MARGIN, bottom, option.rect.right() - self.MARGIN, bottom)

    def _paint_address(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: ModelIndex,
        rect: QRect,
        line: int,
        colors: tuple[QColor, QColor],
        badge_width: int,
    ) -> None:
        text_color, secondary = colors
        unread = int(index.data(UNREAD_ROLE) or 0)
        bold = QFont(option.font)
        bold.setBold(True)
        text_left = rect.left() + self.DOT + self.MARGIN
        width = rect.right() - text_left - (badge_width + self.MARGIN if badge_width else 0)
        label = str(index.data(LABEL_ROLE) or "")
        address = str(index.data(ADDRESS_ROLE) or "")
        first, second = (label, address) if label else (address, "")
        painter.setFont(bold if unread else option.font)
        painter.setPen(text_color)
        # An address keeps both ends visible (the name and the domain); a label is cut at the end.
        mode = Qt.TextElideMode.ElideRight if label else Qt.TextElideMode.ElideMiddle
        elided = QFontMetrics(painter.font()).elidedText(first, mode, width)
        painter.drawText(QRect(text_left, rect.top(), width, line), Qt.AlignmentFlag.AlignVCenter, elided)

        painter.setFont(option.font)
        painter.setPen(secondary)
        full_width = rect.right() - text_left
        metrics = QFontMetrics(option.font)
        if second:
            elided = metrics.elidedText(second, Qt.TextElideMode.ElideMiddle, full_width)
            painter.drawText(QRect(text_left, rect.top() + line, full_width, line), 0, elided)
        kind = str(index.data(STATE_KIND_ROLE))
        footer_parts = state_word(kind), str(index.data(USAGE_ROLE)), str(index.data(PROVIDER_ROLE) or "")
        footer_top = rect.top() + (2 * line if second else line)
        footer_left = text_left
        if index.data(SESSION_ONLY_ROLE):
            # A chip, not a colour: the address vanishes at quit, and that must be noticed. A row
            # without a label has a free third line for it; a labelled one shares the footer line.
            small = QFont(option.font)
            small.setPointSizeF(option.font.pointSizeF() * 0.85)
            chip_text = texts.SESSION_ONLY_BADGE
            chip_width = QFontMetrics(small).horizontalAdvance(chip_text) + line // 2 + 4
            chip_top = footer_top if second else footer_top + line
            chip = QRect(text_left, chip_top + 1, chip_width, line - 2)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(text_color)
            painter.drawRoundedRect(chip, (line - 2) / 2, (line - 2) / 2)
            painter.setFont(small)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, chip_text)
            painter.setFont(option.font)
            painter.setPen(secondary)
            if second:
                footer_left = chip.right() + self.MARGIN // 2
        if expiry := str(index.data(EXPIRY_ROLE) or ""):
            footer_left = self._paint_expiry(painter, option, index, expiry, footer_left, footer_top, rect)
            painter.setPen(secondary)
        elided = fitted_footer(metrics, rect.right() - footer_left, *footer_parts)
        painter.drawText(QRect(footer_left, footer_top, rect.right() - footer_left, line), 0, elided)
        if waiting := str(index.data(WAITING_ROLE) or ""):
            # Right under the row's text, with no blank line between (a row without a label has one).
            top = rect.top() + self.waiting_line(index) * line
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            painter.setPen(text_color if selected else option.palette.color(QPalette.ColorRole.Link))
            elided = fitted_waiting(metrics, waiting, full_width)
            painter.drawText(QRect(text_left, top, full_width, line), 0, elided)

    @staticmethod
    def _paint_expiry(
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: ModelIndex,
        expiry: str,
        left: int,
        top: int,
        rect: QRect,
    ) -> int:
        """ "deletes in 3 h · " first on the footer line (it matters more than the usage after it),
        in the warning colour when it is due soon or waits for a retry; returns where the rest goes."""
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if index.data(EXPIRY_URGENT_ROLE) and not selected:
            painter.setPen(state_color("failed", option.palette))
        text = metrics.elidedText(f"{expiry} · ", Qt.TextElideMode.ElideRight, rect.right() - left)
        painter.drawText(QRect(left, top, rect.right() - left, line), 0, text)
        return left + metrics.horizontalAdvance(text)


class AddressSidebar(QWidget):
    """The list of addresses with an empty state, a context menu, and a footer slot for the credit."""

    address_selected = Signal(object)  # str | None
    new_address_requested = Signal()
    login_requested = Signal()
    copy_requested = Signal(str)
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    check_requested = Signal(str)  # "Why hasn't my mail arrived?"
    expect_requested = Signal(str)  # "Expect mail…"
    stop_waiting_requested = Signal(str)
    lifetime_requested = Signal(str, object)  # address, timedelta | None ("Keep this address")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AddressListModel(self)
        self.is_waiting: Callable[[str], bool] = lambda _address: False
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(AddressDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Not uniform: a row grows a line while mail is expected on it.
        self.view.setUniformItemSizes(False)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.setAccessibleName("Addresses")
        self.view.setAccessibleDescription("Your temporary addresses. Ctrl+L focuses this list.")
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

        self.empty = QWidget(self)
        self.empty_label = QLabel("No addresses yet.", self.empty)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_button = QPushButton("New address (Ctrl+N)", self.empty)
        self.empty_button.setAccessibleName("New address")
        self.empty_button.clicked.connect(self.new_address_requested)
        # A link, and looking like one: as a flat button it read as a plain caption.
        self.empty_login = LinkLabel("Log in to an existing address…", self.empty)
        self.empty_login.activated.connect(self.login_requested)
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addWidget(self.empty_button)
        empty_layout.addWidget(self.empty_login)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.view)
        self._footers: list[QWidget] = []
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self._update_empty()

    def add_footer(self, widget: QWidget) -> None:
        """A line under the list that stays visible whether or not there are addresses."""
        self._layout.addWidget(widget)
        self._footers.append(widget)
        widget.show()  # a widget added to a shown layout would otherwise appear one event later

    def debug_state(self) -> dict[str, object]:
        """For the debug IPC command: each row (text, unread badge, where it is on the screen) and the
        text of each footer shown under the list (the credit, the local server's SMTP line)."""
        rows = []
        for row in range(self.model.rowCount()):
            index = self.model.index(row)
            rect = self.view.visualRect(index)
            top_left = self.view.viewport().mapToGlobal(rect.topLeft())
            rows.append(
                [
                    index.data(),
                    int(index.data(UNREAD_ROLE) or 0),
                    [top_left.x(), top_left.y(), rect.width(), rect.height()],
                ]
            )
        footers = [
            " ".join(label.text() for label in footer.findChildren(QLabel))
            for footer in self._footers
            if footer.isVisible()
        ]
        return {"sidebar": rows, "footers": footers}

    def _update_empty(self) -> None:
        self.stack.setCurrentWidget(self.view if self.model.rowCount() else self.empty)

    def current_address(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.address_at(index.row()) if index.isValid() else None

    def select(self, address: str) -> bool:
        row = self.model.row_of(address)
        if row < 0:
            return False
        self.view.setCurrentIndex(self.model.index(row))
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.address_selected.emit(self.model.address_at(current.row()) if current.isValid() else None)

    def _context_menu(self, pos: QPoint) -> None:
        # QAbstractScrollArea reports the position in viewport coordinates.
        index = self.view.indexAt(pos)
        address = self.model.address_at(index.row()) if index.isValid() else None
        menu = QMenu(self)
        if address and address != ALL_ADDRESSES:
            for text, signal in (
                ("Copy address", self.copy_requested),
                (self.label_action_text(address), self.rename_requested),
                (texts.HEALTH_MENU, self.check_requested),
                (texts.EXPECT_MENU, self.expect_requested),
                *([(texts.STOP_WAITING, self.stop_waiting_requested)] if self.is_waiting(address) else []),
                ("Delete address…", self.delete_requested),
            ):
                action = QAction(text, menu)
                action.triggered.connect(lambda _=False, s=signal, a=address: s.emit(a))
                menu.addAction(action)
            self._add_lifetime_menu(menu, address)
            menu.addSeparator()
        menu.addAction("New address…", self.new_address_requested.emit)
        menu.addAction("Log in to an existing address…", self.login_requested.emit)
        menu.popup(self.view.viewport().mapToGlobal(pos))
        self._menu = menu  # kept for tests and so it is not collected while shown

    def _add_lifetime_menu(self, menu: QMenu, address: str) -> None:
        info = self.model.info(address)

        def chosen(lifetime: timedelta | None) -> None:
            self.lifetime_requested.emit(address, lifetime)

        menu.addMenu(lifetime_menu(menu, info.expiry_text if info else "", chosen))

    def label_action_text(self, address: str) -> str:
        """ "Add label…" for an address that has none: there is nothing to rename yet."""
        info = self.model.info(address)
        return texts.RENAME_LABEL if info is not None and info.label else texts.ADD_LABEL

    def context_menu_for(self, address: str) -> QMenu:
        """Build (without showing) the menu for ``address``; used by tests."""
        row = self.model.row_of(address)
        rect = self.view.visualRect(self.model.index(row))
        self._context_menu(rect.center())
        self._menu.hide()
        return self._menu
