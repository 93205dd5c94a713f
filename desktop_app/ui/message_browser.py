"""Browsing one address's mail: the reading area beside the sidebar.

A splitter of (address header, search, message list or its empty state) and the message pane, with
what ties them together: the debounced search, the list's selection opening a message in the pane,
the store's changes reaching list and pane, older mail asked for at the end of the list, and the
actions on the message shown (delete, mark unread, save, open its link). The window keeps the
addresses, dialogs, menus and the status bar; like it, this holds no async code and no business rules.

Over 300 lines: it wires the list, the pane and the search box to each other; each of them is its own
module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.inbox import LoadedMessage
from desktop_app.core.models import Attachment, MessageSummary
from desktop_app.core.sealed import analyse_link
from desktop_app.ui import texts
from desktop_app.ui.all_addresses_list import MailListModel
from desktop_app.ui.attachments import choose_attachment_path, choose_eml_path
from desktop_app.ui.controller import ALL_ADDRESSES, AppController, AppSignals
from desktop_app.ui.elided_label import ElidedLabel
from desktop_app.ui.empty_state import EmptyState
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.message_list import MessageListView
from desktop_app.ui.message_pane import HtmlViewFactory, MessagePane
from desktop_app.ui.style import state_color, state_word
from desktop_app.ui.waiting_line import WaitingBar

SEARCH_DEBOUNCE_MS = 250


class MessageBrowser(QSplitter):
    """The reading splitter (list above or beside the message, see ``reading_layout``)."""

    new_address_requested = Signal()
    copy_address_requested = Signal()
    check_requested = Signal(str)  # "Why hasn't my mail arrived?" for this address
    status = Signal(str)  # for the status bar

    def __init__(
        self,
        controller: AppController,
        signals: AppSignals,
        html_view_factory: HtmlViewFactory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.controller = controller
        self._link_prompt: LinkPrompt | None = None
        self._asked_older: set[str] = set()

        self.model = MailListModel(
            controller.list_messages,
            controller.count_messages,
            controller.list_all_messages,
            controller.count_all_messages,
            self,
        )
        # Made in the order they stand on the screen, top to bottom, which Tab follows: the header's
        # buttons, the search, the list, the message (it went from the list to the message and only
        # then up to the buttons and the search above them).
        # A long address must not hold the list (and, beside the message, the window) wide; it is
        # cut in its middle instead (both ends stay readable), the window title and tooltip carry it
        # whole.
        self.address_title = ElidedLabel(self, "Current address", Qt.TextElideMode.ElideMiddle)
        self.address_title.setMinimumWidth(1)
        title_font = self.address_title.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.address_title.setFont(title_font)
        self.copy_button = QPushButton("Copy address", self)
        self.copy_button.setToolTip("Copy the current address (Ctrl+Shift+C)")
        self.copy_button.setAccessibleName("Copy address")
        self.copy_button.clicked.connect(self.copy_address_requested)
        # The address's health in the header: its state as a dot and a word, opening the health panel.
        self.health_button = QPushButton(self)
        self.health_button.setFlat(True)
        self.health_button.setAccessibleName(texts.HEALTH_TITLE)
        self.health_button.clicked.connect(self._check_address_shown)
        self.health_button.setVisible(False)
        self._health_kind = ""
        self.waiting_bar = WaitingBar(self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search sender, subject and preview (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search messages")
        self.search.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        # "Press Escape to clear the search" (the empty list says so) holds wherever the focus is in
        # the reading area, not only in the search box; with no search, Escape is left alone.
        self._clear_search_key = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._clear_search_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._clear_search_key.setEnabled(False)
        self._clear_search_key.activated.connect(self.clear_search)
        self.search.textChanged.connect(lambda text: self._clear_search_key.setEnabled(bool(text)))
        # The message a search hid from the list (and so from the pane): open again when the search
        # that hid it is cleared, as mail readers do.
        self._hidden_by_search: str | None = None
        self.list_view = MessageListView(self)
        self.list_view.setModel(self.model)
        self.empty_list = EmptyState(self)
        self.empty_list.new_address_requested.connect(self.new_address_requested)
        self.empty_list.copy_address_requested.connect(self.copy_address_requested)
        self.empty_list.check_requested.connect(self._check_address_shown)
        self.pane = MessagePane(html_view_factory, self)
        QWidget.setTabOrder(self.health_button, self.copy_button)  # as they stand: the state first

        header = QHBoxLayout()
        header.addWidget(self.address_title, 1)
        header.addWidget(self.health_button)
        header.addWidget(self.copy_button)
        list_box = QWidget(self)
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(8, 8, 8, 0)
        list_layout.addLayout(header)
        list_layout.addWidget(self.waiting_bar)
        list_layout.addWidget(self.search)
        list_layout.addWidget(self.list_view, 1)
        list_layout.addWidget(self.empty_list, 1)
        self.addWidget(list_box)
        self.addWidget(self.pane)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)
        # Ten rows of the list above the message at the default window size (it showed seven).
        self.setSizes([340, 420])
        self.setChildrenCollapsible(False)
        self._connect(signals)
        self._update_list_empty()
        for widget in (self.copy_button, self.search):
            widget.setEnabled(False)  # until an address is shown: nothing to copy or search yet

    def _connect(self, s: AppSignals) -> None:
        s.message_added.connect(self._on_message_added)
        s.message_updated.connect(self._on_message_updated)
        s.message_removed.connect(self._on_message_removed)
        s.messages_changed.connect(self._on_messages_changed)
        s.message_loaded.connect(self._on_message_loaded)
        s.message_source_loaded.connect(self._on_source_loaded)
        s.message_failed.connect(self._on_message_failed)

        self.list_view.selectionModel().currentRowChanged.connect(self._on_current_message)
        self.list_view.delete_pressed.connect(self.delete_current_message)
        self.list_view.verticalScrollBar().valueChanged.connect(self._maybe_load_older)
        self.model.modelReset.connect(self._update_list_empty)
        self.model.rowsInserted.connect(self._update_list_empty)
        self.model.rowsRemoved.connect(self._update_list_empty)

        p = self.pane
        p.mark_unread_requested.connect(self.mark_current_unread)
        p.delete_requested.connect(self.delete_current_message)
        p.save_eml_requested.connect(self.save_current_eml)
        p.save_attachment_requested.connect(self.save_attachment)
        p.copy_code_requested.connect(lambda code: self.controller.copy_to_clipboard(code, "the code", True))
        p.open_link_requested.connect(self.open_link)
        # The sealed view asks about clicked links itself (its LinkPrompt); its link_activated signal
        # fires before the user has confirmed anything, so it is deliberately not connected here.

    # --- the address shown ---
    def show_address(self, address: str | None) -> None:
        """Browse ``address``'s mail (None: nothing; ``ALL_ADDRESSES``: every address's), with the
        pane and the search cleared."""
        self.pane.clear()
        self._hidden_by_search = None
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._clear_search_key.setEnabled(False)
        self._search_timer.stop()
        self.model.set_address(address)
        self.list_view.set_address_column(address == ALL_ADDRESSES)
        if address == ALL_ADDRESSES:
            self.list_view.fit_address_column([self.model.name_of(a) for a in self.model.known_addresses()])
        has = address is not None
        for widget in (self.copy_button, self.search):
            widget.setEnabled(has)
        # Every address at once: there is no one address to copy, nor one address's state to show
        # (the button kept the address shown before, and a click on it did nothing).
        self.copy_button.setVisible(address != ALL_ADDRESSES)
        # "All addresses · 6 messages, 3 unread" reads from its start: cut at its end.
        mode = Qt.TextElideMode.ElideRight if address == ALL_ADDRESSES else Qt.TextElideMode.ElideMiddle
        self.address_title.set_elide_mode(mode)
        if address == ALL_ADDRESSES:
            self.set_health_state(None, "")

    def scroll_to_top(self) -> None:
        if self.model.rowCount():
            self.list_view.scrollToTop()

    # --- search ---
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._apply_search()
                self.list_view.setFocus()
                if not self.list_view.currentIndex().isValid() and self.model.rowCount():
                    self.list_view.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)

    def set_health_state(self, kind: str | None, description: str) -> None:
        """The header's health entry: the state's dot and word (None: no address shown)."""
        if kind is None:
            self.health_button.setVisible(False)
            return
        self._health_kind = kind
        self.health_button.setText(state_word(kind))
        self.health_button.setIcon(self._dot(state_color(kind, self.palette())))
        self.health_button.setToolTip(texts.HEALTH_BUTTON_TIP.format(state=description))
        self.health_button.setVisible(True)

    def _dot(self, colour: QColor) -> QIcon:
        size = 12
        pixmap = QPixmap(size * 2, size * 2)  # drawn at twice the size: sharp on HiDPI screens
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(1, 1, size - 2, size - 2)
        painter.end()
        return QIcon(pixmap)

    def _check_address_shown(self) -> None:
        if self.model.address and not self.model.all_addresses:
            self.check_requested.emit(self.model.address)

    def clear_search(self) -> None:
        self.search.clear()
        self._apply_search()

    def _apply_search(self) -> None:
        self._search_timer.stop()
        if self.model.search != self.search.text().strip():
            self._reload_keeping_selection(search=self.search.text().strip())

    def _reload_keeping_selection(self, search: str | None = None) -> None:
        selected = self.current_message_id()
        if search is None:
            self.model.reload()
        else:
            self.model.set_search(search)
        row = self.model.row_of(selected) if selected else -1
        if row >= 0:
            self.list_view.selectionModel().blockSignals(True)
            self.list_view.setCurrentIndex(self.model.index(row, 0))
            self.list_view.selectionModel().blockSignals(False)
        shown = self.pane.message
        if search is not None and shown is not None and self.model.row_of(shown.id) < 0:
            # The search filtered the open message out of the list: a pane still showing it would
            # read as a match, and its actions would hit a row the user cannot see.
            self._hidden_by_search = shown.id
            self.pane.clear()
        hidden = self._hidden_by_search
        if search is not None and hidden is not None and not self.list_view.currentIndex().isValid():
            row = self.model.row_of(hidden)
            if row >= 0:  # the search no longer hides it: open it again
                self._hidden_by_search = None
                self.list_view.setCurrentIndex(self.model.index(row, 0))
                self.list_view.scrollTo(self.model.index(row, 0))
        self._asked_older.discard(self.model.address or "")

    def drop_gone_mail(self) -> None:
        """An address was deleted while "All addresses" is shown: its mail leaves the list (the cache
        dropped it with the address), and the pane if it showed one of them."""
        self._reload_keeping_selection()
        shown = self.pane.message
        if shown is not None and self.model.row_of(shown.id) < 0:
            self.pane.clear()

    def _update_list_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_list.show_state(self.model.address, self.model.search)
        self.empty_list.setVisible(empty)
        self.list_view.setVisible(not empty)

    # --- list and pane ---
    def current_message_id(self) -> str | None:
        index = self.list_view.currentIndex()
        summary = self.model.summary_at(index.row()) if index.isValid() else None
        return summary.id if summary else None

    def _on_current_message(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.model.summary_at(current.row()) if current.isValid() else None
        address = self.model.address_of(summary.id) if summary is not None else None
        if summary is None or address is None:
            self.pane.clear()
            return
        self.pane.clear("Loading…")
        self.controller.open_message(address, summary.id)

    def _on_message_added(self, address: str, summary: MessageSummary) -> None:
        if not self.model.shows(address):
            return
        self.model.note_address(summary.id, address)
        if self.model.search:
            self._reload_keeping_selection()  # the store decides what matches the filter
        else:
            self.model.insert_new([summary])

    def _on_message_updated(self, address: str, message_id: str, seen: bool) -> None:
        if self.model.shows(address):
            self.model.set_seen(message_id, seen)
            if self.pane.message is not None and self.pane.message.id == message_id:
                self.pane.set_seen(seen)

    def _on_message_removed(self, address: str, message_id: str) -> None:
        if not self.model.shows(address):
            return
        was_open = self.pane.message is not None and self.pane.message.id == message_id
        self.model.remove(message_id)
        if was_open and not self.list_view.currentIndex().isValid():
            self.pane.clear()

    def _on_messages_changed(self, address: str) -> None:
        if self.model.shows(address):
            self._reload_keeping_selection()

    def _on_message_loaded(self, address: str, message_id: str, loaded: LoadedMessage) -> None:
        if message_id == self.current_message_id() and self.model.address_of(message_id) == address:
            self.pane.show_message(
                address, loaded.message, loaded.inline_parts, loaded.raw, source_pending=loaded.source_pending
            )

    def _on_source_loaded(self, address: str, message_id: str, raw: bytes | None) -> None:
        shown = self.pane.message
        if shown is not None and shown.id == message_id and self.pane.address == address:
            self.pane.show_source(raw)

    def _on_message_failed(self, address: str, message_id: str, text: str) -> None:
        if message_id == self.current_message_id() and self.model.address_of(message_id) == address:
            self.pane.clear(text)

    def _maybe_load_older(self, value: int) -> None:
        address = self.model.address
        bar = self.list_view.verticalScrollBar()
        at_end = value == bar.maximum() and not self.model.canFetchMore(QModelIndex())
        if address and at_end and address not in self._asked_older:
            self._asked_older.add(address)
            # Every address's list ends here too: any of them may have missed something.
            for each in self.model.known_addresses() if self.model.all_addresses else [address]:
                self.controller.catch_up(each)

    def reveal(self, message_id: str) -> None:
        """Select ``message_id`` in the list (clearing a search that hides it, paging it in)."""
        if self.search.text():
            self.search.clear()
            self._apply_search()
        while self.model.row_of(message_id) < 0 and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        row = self.model.row_of(message_id)
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row, 0))
            self.list_view.scrollTo(self.model.index(row, 0))

    # --- actions on the message ---
    def _target_message(self) -> tuple[str, str, str] | None:
        """(address, message id, subject) of the message actions apply to: the selected row, or the
        message still on show when a search has filtered its row away."""
        index = self.list_view.currentIndex()
        summary = self.model.summary_at(index.row()) if index.isValid() else None
        address = self.model.address_of(summary.id) if summary is not None else None
        shown, shown_address = self.pane.message, self.pane.address
        if summary is None and shown is not None and shown_address and self.model.shows(shown_address):
            summary, address = shown.summary, shown_address
        if summary is None or address is None:
            return None
        return address, summary.id, summary.subject or "(no subject)"

    def delete_current_message(self) -> None:
        target = self._target_message()
        if target is None:
            return
        address, message_id, subject = target
        if self.pane.message is not None and self.pane.message.id == message_id:
            self.pane.clear()
        self.controller.delete_message(address, message_id)
        # Not "Deleted" yet: the controller says whether the service really deleted it.
        self.status.emit(texts.DELETING_MESSAGE.format(subject=subject))

    def mark_current_unread(self) -> None:
        target = self._target_message()
        if target is not None:
            self.controller.set_seen(target[0], target[1], False)

    def save_current_eml(self) -> None:
        message = self.pane.message
        if message is None or self.pane.address is None:
            return
        path = choose_eml_path(self.window(), message.summary.subject)
        if path:
            self.controller.save_eml(self.pane.address, message.id, path)

    def save_attachment(self, attachment: Attachment) -> None:
        message = self.pane.message
        if message is None or self.pane.address is None:
            return
        path = choose_attachment_path(self.window(), attachment.filename, attachment.content_type)
        if path:
            self.controller.save_attachment(self.pane.address, message.id, attachment.id, path)

    def open_link(self, url: str) -> None:
        """The verification link found in the message: the same prompt as a clicked link (full URL,
        warnings, Cancel as default); the prompt hands an accepted link to the system browser."""
        text = self.pane.link_text if url == self.pane.link else ""
        prompt = LinkPrompt(analyse_link(url, text), self.window())
        prompt.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._link_prompt = prompt
        prompt.open()

    def debug_state(self, done: Callable[[dict[str, Any]], None]) -> None:
        """For the debug IPC command (end-to-end tests): the list's rows in order, where the list is on
        the screen, and what the pane shows (see :meth:`MessagePane.debug_state`)."""
        rows = [self.model.summary_at(row) for row in range(self.model.rowCount())]
        top_left = self.list_view.viewport().mapToGlobal(QPoint(0, 0))
        window = {
            "address": self.model.address,
            "current": self.current_message_id(),
            "rows": [[s.id, s.subject] for s in rows if s is not None],
            # "All addresses": each row's address as painted (elided to its room), "" elsewhere.
            "row_addresses": [self.list_view.shown_address(row) for row in range(self.model.rowCount())],
            "header": self.address_title.text(),
            "list_rect": [
                top_left.x(),
                top_left.y(),
                self.list_view.viewport().width(),
                self.list_view.viewport().height(),
            ],
            "list_focused": self.list_view.hasFocus(),
        }
        self.pane.debug_state(lambda pane: done({**window, "pane": pane}))
