"""The main window: address sidebar | (address header, search, message list / message pane).

It owns no async code and no business rules: user actions become :class:`AppController` calls, and
:class:`AppSignals` bring results back (see ``desktop_app.ui.controller``).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.link_policy import analyse_link
from desktop_app.core.models import Attachment, Message
from desktop_app.ui import texts
from desktop_app.ui.action_icons import apply_action_icons
from desktop_app.ui.address_list import AddressSidebar
from desktop_app.ui.attachments import choose_attachment_path, choose_eml_path
from desktop_app.ui.banner import NotificationBanner
from desktop_app.ui.connection_banner import install_connection_banner
from desktop_app.ui.controller import AppController, AppSignals, InlineParts
from desktop_app.ui.dialogs import (
    DeleteAddressDialog,
    LoginDialog,
    NewAddressDialog,
    _BusyDialog,
)
from desktop_app.ui.empty_state import EmptyState
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.message_list import MessageListModel, MessageListView
from desktop_app.ui.message_pane import HtmlViewFactory, MessagePane, sealed_view_factory
from desktop_app.ui.reading_layout import ReadingLayout
from desktop_app.ui.style import state_description
from desktop_app.ui.transfer_dialogs import open_export, open_import

SEARCH_DEBOUNCE_MS = 250


class MainWindow(QMainWindow):
    # Options the app owns and persists; the window only offers them.
    do_not_disturb_toggled = Signal(bool)
    clear_codes_toggled = Signal(bool)

    def __init__(
        self,
        controller: AppController,
        signals: AppSignals,
        *,
        html_view_factory: HtmlViewFactory = sealed_view_factory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.signals = signals
        self._dialog: _BusyDialog | None = None
        self._link_prompt: LinkPrompt | None = None
        self._quit_confirmed = False
        self._asked_older: set[str] = set()
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)

        self.sidebar = AddressSidebar(self)
        self.sidebar.setMinimumWidth(230)
        self.model = MessageListModel(controller.list_messages, controller.count_messages, self)
        self.list_view = MessageListView(self)
        self.list_view.setModel(self.model)
        self.pane = MessagePane(html_view_factory, self)

        self.address_title = QLabel(self)
        self.address_title.setTextFormat(Qt.TextFormat.PlainText)
        self.address_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address_title.setAccessibleName("Current address")
        title_font = self.address_title.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.address_title.setFont(title_font)
        self.copy_button = QPushButton("Copy address", self)
        self.copy_button.setToolTip("Copy the current address (Ctrl+Shift+C)")
        self.copy_button.setAccessibleName("Copy address")
        self.copy_button.clicked.connect(self.copy_current_address)
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
        self.empty_list = EmptyState(self)
        self.empty_list.new_address_requested.connect(self.open_new_address)
        self.empty_list.copy_address_requested.connect(self.copy_current_address)

        header = QHBoxLayout()
        header.addWidget(self.address_title, 1)
        header.addWidget(self.copy_button)
        list_box = QWidget(self)
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(8, 8, 8, 0)
        list_layout.addLayout(header)
        list_layout.addWidget(self.search)
        list_layout.addWidget(self.list_view, 1)
        list_layout.addWidget(self.empty_list, 1)
        self.reading = QSplitter(Qt.Orientation.Vertical, self)
        self.reading.addWidget(list_box)
        self.reading.addWidget(self.pane)
        self.reading.setStretchFactor(0, 2)
        self.reading.setStretchFactor(1, 3)
        self.reading.setSizes([250, 510])
        self.reading.setChildrenCollapsible(False)
        self.main_splitter = main = QSplitter(Qt.Orientation.Horizontal, self)
        main.addWidget(self.sidebar)
        main.addWidget(self.reading)
        main.setStretchFactor(1, 1)
        main.setSizes([260, 920])
        main.setChildrenCollapsible(False)
        # The in-app fallback for notifications when the desktop has neither a notification service
        # nor a tray; hidden until a notice arrives.
        self.banner = NotificationBanner(self)
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(main, 1)
        self.setCentralWidget(central)

        self.state_label = QLabel(self)
        self.state_label.setAccessibleName("Connection state")
        self.statusBar().addPermanentWidget(self.state_label)
        self.credit = QLabel(self)
        self.credit.setAccessibleName("Mail service credit")
        self.credit.linkActivated.connect(self.controller.open_external)
        self.statusBar().addPermanentWidget(self.credit)
        self._show_credit()

        self._build_actions()
        self._connect()
        self.connection_banner = install_connection_banner(self)
        self.reading_layout = ReadingLayout(self)
        apply_action_icons(self)
        self._update_list_empty()
        self.refresh_addresses()  # selecting the first address loads its messages

    # --- construction ---
    def _build_actions(self) -> None:
        def action(
            text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None, slot: object
        ) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action("New address…", QKeySequence.StandardKey.New, self.open_new_address)
        self.login_action = action("Log in to an existing address…", None, self.open_login)
        self.export_action = action("Export addresses…", None, lambda: open_export(self, self.controller))
        self.import_action = action("Import addresses…", None, lambda: open_import(self, self.controller))
        self.copy_action = action("Copy address", "Ctrl+Shift+C", self.copy_current_address)
        self.search_action = action("Search", QKeySequence.StandardKey.Find, self.focus_search)
        self.focus_addresses_action = action("Go to addresses", "Ctrl+L", self.sidebar.view.setFocus)
        self.delete_action = action("Delete message", None, self.delete_current_message)
        self.unread_action = action("Mark unread", "Ctrl+U", self.mark_current_unread)
        menu = self.menuBar().addMenu("&Address")
        for act in (self.new_action, self.login_action, self.copy_action, self.focus_addresses_action):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.export_action)
        menu.addAction(self.import_action)
        menu.addSeparator()
        menu.addAction("&Quit", QKeySequence.StandardKey.Quit, self._quit_from_menu)
        message_menu = self.menuBar().addMenu("&Message")
        for act in (self.search_action, self.unread_action, self.delete_action):
            message_menu.addAction(act)
        self.options_menu = options = self.menuBar().addMenu("&Options")
        self.dnd_action = options.addAction("Do not disturb")
        self.dnd_action.setCheckable(True)
        self.dnd_action.setToolTip("No notification pop-ups; unread counts still update")
        self.dnd_action.toggled.connect(self.do_not_disturb_toggled)
        self.clear_codes_action = options.addAction("Clear copied codes from the clipboard after 60 s")
        self.clear_codes_action.setCheckable(True)
        self.clear_codes_action.toggled.connect(self.clear_codes_toggled)

    def _connect(self) -> None:
        s = self.signals
        s.addresses_changed.connect(self.refresh_addresses)
        s.connection_state.connect(self._on_connection_state)
        s.messages_added.connect(self._on_messages_added)
        s.message_updated.connect(self._on_message_updated)
        s.message_removed.connect(self._on_message_removed)
        s.messages_changed.connect(self._on_messages_changed)
        s.message_loaded.connect(self._on_message_loaded)
        s.message_failed.connect(self._on_message_failed)
        s.address_added.connect(self._on_address_added)
        s.address_add_failed.connect(self._on_address_add_failed)
        s.domains_loaded.connect(self._on_domains_loaded)
        s.domains_failed.connect(self._on_domains_failed)
        s.show_message_requested.connect(self.show_message)
        s.show_address_requested.connect(self.select_address)
        s.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        s.error.connect(lambda text: self.statusBar().showMessage(f"⚠ {text}", 10000))

        sb = self.sidebar
        sb.address_selected.connect(self._show_address)
        sb.new_address_requested.connect(self.open_new_address)
        sb.login_requested.connect(self.open_login)
        sb.copy_requested.connect(lambda a: self.controller.copy_to_clipboard(a, a, False))
        sb.rename_requested.connect(self.rename_address)
        sb.delete_requested.connect(self.confirm_delete_address)

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

    def _show_credit(self) -> None:
        credit = self.controller.provider()
        if credit.credit_url:
            # The link colour is baked in when the text is set: take it from the current palette
            # (and set the text again when the palette changes) so it stays readable on dark.
            link = self.palette().color(QPalette.ColorRole.Link).name()
            self.credit.setText(
                f'Powered by <a href="{html.escape(credit.credit_url)}" style="color: {link}">'
                f"{html.escape(credit.name)}</a>"
            )
            self.credit.setToolTip(credit.credit_url)
            self.credit.show()
        else:
            self.credit.hide()

    # --- addresses ---
    def current_address(self) -> str | None:
        return self.sidebar.current_address()

    def copy_current_address(self) -> None:
        """Copy the address the window shows. (The app's own notion of "current" can move, e.g. when
        `temp-inbox new` creates one from the command line; the user means what they see.)"""
        address = self.current_address()
        if address:
            self.controller.copy_to_clipboard(address, address, False)

    def select_address(self, address: str) -> bool:
        """Show ``address`` (selecting it in the sidebar); False when the window does not know it."""
        if self.current_address() == address:
            return True
        if self.sidebar.select(address):
            return True
        self.refresh_addresses()  # it may have been added a moment ago
        return self.sidebar.select(address)

    def refresh_addresses(self) -> None:
        self.sidebar.model.set_addresses(self.controller.addresses())
        if self.current_address() is None and self.sidebar.model.rowCount():
            self.sidebar.view.setCurrentIndex(self.sidebar.model.index(0))
        elif self.sidebar.model.rowCount() == 0:
            self._show_address(None)
        self._update_title()

    def _show_address(self, address: str | None) -> None:
        self.controller.select_address(address)
        self.pane.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._search_timer.stop()
        self.model.set_address(address)
        has = address is not None
        for widget in (self.copy_button, self.search):
            widget.setEnabled(has)
        self.copy_action.setEnabled(has)
        self._update_title()
        self._update_state_label()
        if self.model.rowCount():
            self.list_view.scrollToTop()

    def _update_title(self) -> None:
        address = self.current_address()
        info = self.sidebar.model.info(address) if address else None
        self.address_title.setText(address or "No address selected")
        self.setWindowTitle(f"{info.label or info.address} — {APP_NAME}" if info else APP_NAME)

    def _update_state_label(self) -> None:
        address = self.current_address()
        info = self.sidebar.model.info(address) if address else None
        if info is None:
            self.state_label.setText("")
            return
        self.state_label.setText(state_description(info.state_kind, info.state_text))

    def _on_connection_state(self, address: str, state_text: str, kind: str) -> None:
        self.sidebar.model.update_state(address, state_text, kind)
        if address == self.current_address():
            self._update_state_label()

    def open_new_address(self) -> None:
        credit = self.controller.provider()
        dialog = NewAddressDialog(
            self.controller.generate_password(),
            lambda pw: self.controller.copy_to_clipboard(pw, "the password", True),
            self,
            provider_name=credit.name,
        )
        dialog.submitted.connect(self.controller.create_address)
        dialog.domains_requested.connect(self.controller.request_domains)
        self._open_busy_dialog(dialog)
        self.controller.request_domains()

    def open_login(self) -> None:
        dialog = LoginDialog(self)
        dialog.submitted.connect(self.controller.login_address)
        self._open_busy_dialog(dialog)

    def _open_busy_dialog(self, dialog: _BusyDialog) -> None:
        if self._dialog is not None:
            self._dialog.close()
        self._dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_finished(d))
        dialog.open()

    def _dialog_finished(self, dialog: _BusyDialog) -> None:
        if self._dialog is dialog:
            self._dialog = None

    def _on_domains_loaded(self, domains: list[str]) -> None:
        if isinstance(self._dialog, NewAddressDialog):
            self._dialog.set_domains(domains)

    def _on_domains_failed(self, text: str) -> None:
        if isinstance(self._dialog, NewAddressDialog):
            self._dialog.show_domains_error(text)
        else:  # nobody is waiting in a dialog: where every other error goes
            self.statusBar().showMessage(f"⚠ {text}", 10000)

    def _on_address_added(self, address: str) -> None:
        if self._dialog is not None:
            self._dialog.accept()
        self.refresh_addresses()
        self.sidebar.select(address)

    def _on_address_add_failed(self, text: str) -> None:
        if self._dialog is not None:
            self._dialog.show_error(text)
        else:
            self.statusBar().showMessage(f"⚠ {text}", 10000)

    def rename_address(self, address: str) -> None:
        info = self.sidebar.model.info(address)
        label, ok = QInputDialog.getText(
            self, "Rename label", f"Label for {address}:", text=info.label if info else ""
        )
        if ok:
            self.controller.rename_address(address, label.strip())

    def confirm_delete_address(self, address: str) -> None:
        dialog = DeleteAddressDialog(address, self)
        if dialog.exec() == DeleteAddressDialog.DialogCode.Accepted:
            self.controller.delete_address(address)

    # --- messages ---
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: object, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self._apply_search()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._apply_search()
                self.list_view.setFocus()
                if not self.list_view.currentIndex().isValid() and self.model.rowCount():
                    self.list_view.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

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
        self._asked_older.discard(self.model.address or "")

    def _update_list_empty(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_list.show_state(self.model.address, self.model.search)
        self.empty_list.setVisible(empty)
        self.list_view.setVisible(not empty)

    def current_message_id(self) -> str | None:
        index = self.list_view.currentIndex()
        summary = self.model.summary_at(index.row()) if index.isValid() else None
        return summary.id if summary else None

    def _on_current_message(self, current: QModelIndex, _previous: QModelIndex) -> None:
        summary = self.model.summary_at(current.row()) if current.isValid() else None
        if summary is None or self.model.address is None:
            self.pane.clear()
            return
        self.pane.clear("Loading…")
        self.controller.open_message(self.model.address, summary.id)

    def _on_messages_added(self, address: str, summaries: list[object]) -> None:
        if address != self.model.address:
            return
        if self.model.search:
            self._reload_keeping_selection()  # the store decides what matches the filter
        else:
            self.model.insert_new(summaries)  # type: ignore[arg-type]

    def _on_message_updated(self, address: str, message_id: str, seen: bool) -> None:
        if address == self.model.address:
            self.model.set_seen(message_id, seen)
            if self.pane.message is not None and self.pane.message.id == message_id:
                self.pane.set_seen(seen)

    def _on_message_removed(self, address: str, message_id: str) -> None:
        if address != self.model.address:
            return
        was_open = self.pane.message is not None and self.pane.message.id == message_id
        self.model.remove(message_id)
        if was_open and not self.list_view.currentIndex().isValid():
            self.pane.clear()

    def _on_messages_changed(self, address: str) -> None:
        if address == self.model.address:
            self._reload_keeping_selection()

    def _on_message_loaded(
        self, address: str, message_id: str, message: Message, inline: InlineParts, raw: bytes | None
    ) -> None:
        if address == self.model.address and message_id == self.current_message_id():
            self.pane.show_message(address, message, inline, raw)

    def _on_message_failed(self, address: str, message_id: str, text: str) -> None:
        if address == self.model.address and message_id == self.current_message_id():
            self.pane.clear(text)

    def _maybe_load_older(self, value: int) -> None:
        address = self.model.address
        bar = self.list_view.verticalScrollBar()
        at_end = value == bar.maximum() and not self.model.canFetchMore(QModelIndex())
        if address and at_end and address not in self._asked_older:
            self._asked_older.add(address)
            self.controller.load_more(address)

    def show_message(self, address: str, message_id: str) -> None:
        """Raise the window on one message (``temp-inbox show``, a notification's "Open")."""
        if self.current_address() != address and not self.sidebar.select(address):
            return
        if self.search.text():
            self.search.clear()
            self._apply_search()
        while self.model.row_of(message_id) < 0 and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        row = self.model.row_of(message_id)
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row, 0))
            self.list_view.scrollTo(self.model.index(row, 0))
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def _target_message(self) -> tuple[str, str, str] | None:
        """(address, message id, subject) of the message actions apply to: the selected row, or the
        message still on show when a search has filtered its row away."""
        address = self.model.address
        index = self.list_view.currentIndex()
        summary = self.model.summary_at(index.row()) if index.isValid() else None
        if summary is None and self.pane.message is not None and self.pane.address == address:
            summary = self.pane.message.summary
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
        self.statusBar().showMessage(texts.DELETING_MESSAGE.format(subject=subject), 6000)

    def mark_current_unread(self) -> None:
        target = self._target_message()
        if target is not None:
            self.controller.set_seen(target[0], target[1], False)

    def save_current_eml(self) -> None:
        message = self.pane.message
        if message is None or self.pane.address is None:
            return
        path = choose_eml_path(self, message.summary.subject)
        if path:
            self.controller.save_eml(self.pane.address, message.id, path)

    def save_attachment(self, attachment: Attachment) -> None:
        message = self.pane.message
        if message is None or self.pane.address is None:
            return
        path = choose_attachment_path(self, attachment.filename, attachment.content_type)
        if path:
            self.controller.save_attachment(self.pane.address, message.id, attachment.id, path)

    def open_link(self, url: str) -> None:
        """The verification link found in the message: the same prompt as a clicked link (full URL,
        warnings, Cancel as default); the prompt hands an accepted link to the system browser."""
        text = self.pane.link_text if url == self.pane.link else ""
        prompt = LinkPrompt(analyse_link(url, text), self)
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
            "list_rect": [
                top_left.x(),
                top_left.y(),
                self.list_view.viewport().width(),
                self.list_view.viewport().height(),
            ],
            "list_focused": self.list_view.hasFocus(),
        }
        self.pane.debug_state(lambda pane: done({**window, "pane": pane}))

    # --- window ---
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_icons(self.palette())
            self._show_credit()
        super().changeEvent(event)

    def allow_close(self) -> None:
        """Called by the app's shutdown path so that closing does not ask or hide to the tray."""
        self._quit_confirmed = True

    def confirm_session_only(self) -> bool:
        """No keyring can keep passwords: ask before keeping an address for this session only."""
        answer = QMessageBox.warning(
            self,
            "No keyring available",
            "No system keyring is available, so Temp Inbox cannot save this address's password.\n\n"
            "Keep the address for this session only? It will be gone for good when Temp Inbox quits "
            "(there is no password reset).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _quit_from_menu(self) -> None:
        self._quit_confirmed = True
        self.controller.quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._quit_confirmed:
            event.accept()
            return
        if self.controller.has_tray():
            event.ignore()
            self.hide()
            return
        answer = QMessageBox.question(
            self,
            f"Quit {APP_NAME}?",
            f"Quit {APP_NAME}? New mail will not be shown or notified until you start it again.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._quit_confirmed = True
            event.accept()
            self.controller.quit()
        else:
            event.ignore()
