"""The address sidebar: a list model of addresses, a delegate that draws each one, and the sidebar widget.

Each row shows the label (or the address when there is none), the address, the storage used, the
unread count as a badge, and a coloured dot for the connection state. The dot is never the only
carrier of meaning: the state word is in the tooltip and the accessible text.

Over 300 lines: the model, the delegate and the sidebar of one list share its roles and row geometry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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
from PySide6.QtGui import QAction, QFont, QFontMetrics, QPainter, QPalette
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

from desktop_app.ui import texts
from desktop_app.ui.controller import AddressInfo
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


class AddressListModel(QAbstractListModel):
    """Addresses in a stable order. ``set_addresses`` updates rows in place so selection survives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AddressInfo] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        info = self._rows[index.row()]
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
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.describe(info)
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
        return ", ".join(parts)

    @staticmethod
    def usage(info: AddressInfo) -> str:
        """ "1.2 MB of 40 MB"; near the quota the service stops accepting mail, so say so."""
        text = format_usage(info.used, info.quota)
        if info.quota and info.used >= 0.9 * info.quota:
            text += " (nearly full)"
        return text

    def address_at(self, row: int) -> str | None:
        return self._rows[row].address if 0 <= row < len(self._rows) else None

    def info(self, address: str) -> AddressInfo | None:
        row = self.row_of(address)
        return self._rows[row] if row >= 0 else None

    def row_of(self, address: str) -> int:
        for row, info in enumerate(self._rows):
            if info.address == address:
                return row
        return -1

    def set_addresses(self, infos: Sequence[AddressInfo]) -> None:
        """Diff against the current rows: removed rows go, changed rows emit dataChanged, new rows are
        appended. A full reset would drop the view's selection and scroll position."""
        wanted = {info.address: info for info in infos}
        providers_before = {row.provider_name for row in self._rows}
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row].address not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        for row, current in enumerate(self._rows):
            fresh = wanted.pop(current.address)
            if fresh != current:
                self._rows[row] = fresh
                self.dataChanged.emit(self.index(row), self.index(row))
        new = [info for info in infos if info.address in wanted]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        several = len({row.provider_name for row in self._rows}) > 1
        if self._rows and several != (len(providers_before) > 1):
            # A second provider came (or the last but one went): every row names its provider, or none.
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), [PROVIDER_ROLE])

    def update_state(self, address: str, state_text: str, kind: str) -> None:
        row = self.row_of(address)
        if row < 0:
            return
        info = self._rows[row]
        self._rows[row] = replace(info, state_kind=kind, state_text=state_text)
        self.dataChanged.emit(self.index(row), self.index(row))


class AddressDelegate(QStyledItemDelegate):
    """Dot · label / address / usage · unread badge."""

    MARGIN = 8
    DOT = 10

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(220, 3 * line + 2 * self.MARGIN)

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
        painter.setBrush(state_color(str(index.data(STATE_KIND_ROLE)), palette))
        painter.drawEllipse(rect.left(), rect.top() + (line - self.DOT) // 2, self.DOT, self.DOT)

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
        footer = f"{state_word(kind)} · {index.data(USAGE_ROLE)}"
        if provider := index.data(PROVIDER_ROLE):
            footer += f" · {provider}"
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
        elided = metrics.elidedText(footer, Qt.TextElideMode.ElideRight, rect.right() - footer_left)
        painter.drawText(QRect(footer_left, footer_top, rect.right() - footer_left, line), 0, elided)
        painter.restore()


class AddressSidebar(QWidget):
    """The list of addresses with an empty state, a context menu, and a footer slot for the credit."""

    address_selected = Signal(object)  # str | None
    new_address_requested = Signal()
    login_requested = Signal()
    copy_requested = Signal(str)
    rename_requested = Signal(str)
    delete_requested = Signal(str)
    check_requested = Signal(str)  # "Why hasn't my mail arrived?"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AddressListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setItemDelegate(AddressDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setUniformItemSizes(True)
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
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self._update_empty()

    def add_footer(self, widget: QWidget) -> None:
        """A line under the list that stays visible whether or not there are addresses."""
        self._layout.addWidget(widget)
        widget.show()  # a widget added to a shown layout would otherwise appear one event later

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
        if address:
            for text, signal in (
                ("Copy address", self.copy_requested),
                ("Rename label…", self.rename_requested),
                (texts.HEALTH_MENU, self.check_requested),
                ("Delete address…", self.delete_requested),
            ):
                action = QAction(text, menu)
                action.triggered.connect(lambda _=False, s=signal, a=address: s.emit(a))
                menu.addAction(action)
            menu.addSeparator()
        menu.addAction("New address…", self.new_address_requested.emit)
        menu.addAction("Log in to an existing address…", self.login_requested.emit)
        menu.popup(self.view.viewport().mapToGlobal(pos))
        self._menu = menu  # kept for tests and so it is not collected while shown

    def context_menu_for(self, address: str) -> QMenu:
        """Build (without showing) the menu for ``address``; used by tests."""
        row = self.model.row_of(address)
        rect = self.view.visualRect(self.model.index(row))
        self._context_menu(rect.center())
        self._menu.hide()
        return self._menu
