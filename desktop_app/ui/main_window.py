"""The main window: address sidebar | the reading area (``message_browser``: address header, search,
message list / message pane), with the address dialogs, menus and status bar.

It owns no async code and no business rules: user actions become :class:`AppController` calls, and
:class:`AppSignals` bring results back (see ``desktop_app.ui.controller``).

Over 300 lines: the window's menus, actions and the dialogs they open; its parts (sidebar, browser,
banners) are modules of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME
from desktop_app.core.accounts import short_names
from desktop_app.core.api import Provider
from desktop_app.core.events import ConnectionState
from desktop_app.ui import texts
from desktop_app.ui.action_icons import apply_action_icons
from desktop_app.ui.address_list import AddressSidebar, all_summary
from desktop_app.ui.all_addresses_list import all_count
from desktop_app.ui.banner import NotificationBanner
from desktop_app.ui.connection_banner import install_connection_banner
from desktop_app.ui.controller import ALL_ADDRESSES, AppController, AppSignals
from desktop_app.ui.dialogs import (
    DeleteAddressDialog,
    LoginDialog,
    NewAddressDialog,
    _BusyDialog,
)
from desktop_app.ui.expect_flow import ExpectFlow
from desktop_app.ui.health_flow import HealthFlow
from desktop_app.ui.link_label import credit_html
from desktop_app.ui.link_prompt import LinkPrompt
from desktop_app.ui.message_browser import MessageBrowser
from desktop_app.ui.message_pane import HtmlViewFactory, sealed_view_factory
from desktop_app.ui.reading_layout import ReadingLayout
from desktop_app.ui.style import state_description
from desktop_app.ui.transfer_dialogs import open_export, open_import


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
        self._quit_confirmed = False
        self.setWindowTitle(APP_NAME)
        self.resize(1180, 760)

        self.sidebar = AddressSidebar(self)
        self.sidebar.setMinimumWidth(230)
        # The reading area; its parts keep their names on the window for the menus, the window state,
        # the theme and the tests.
        self.reading = browser = MessageBrowser(controller, signals, html_view_factory, self)
        self.model, self.list_view, self.pane = browser.model, browser.list_view, browser.pane
        self.address_title, self.copy_button = browser.address_title, browser.copy_button
        self.search, self.empty_list = browser.search, browser.empty_list
        browser.new_address_requested.connect(self.open_new_address)
        browser.copy_address_requested.connect(self.copy_current_address)
        browser.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
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
        self.search_action = action("Search", QKeySequence.StandardKey.Find, self.reading.focus_search)
        self.focus_addresses_action = action("Go to addresses", "Ctrl+L", self.sidebar.view.setFocus)
        self.delete_action = action("Delete message", None, self.reading.delete_current_message)
        self.unread_action = action("Mark unread", "Ctrl+U", self.reading.mark_current_unread)
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
        s.connection_changed.connect(self._on_connection_changed)
        s.address_added.connect(self._on_address_added)
        s.address_add_failed.connect(self._on_address_add_failed)
        s.domains_loaded.connect(self._on_domains_loaded)
        s.domains_failed.connect(self._on_domains_failed)
        s.provider_added.connect(self._on_provider_added)
        s.provider_add_failed.connect(self._on_provider_add_failed)
        s.show_message_requested.connect(self.show_message)
        s.show_address_requested.connect(self.select_address)
        s.status.connect(lambda text: self.statusBar().showMessage(text, 6000))
        # "All addresses" says how many messages it lists, so its header follows the list.
        for changed in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            changed.connect(self._update_title)
        s.error.connect(lambda text: self.statusBar().showMessage(f"⚠ {text}", 10000))

        sb = self.sidebar
        sb.address_selected.connect(self._show_address)
        sb.new_address_requested.connect(self.open_new_address)
        sb.login_requested.connect(self.open_login)
        sb.copy_requested.connect(lambda a: self.controller.copy_to_clipboard(a, a, False))
        sb.rename_requested.connect(self.rename_address)
        sb.delete_requested.connect(self.confirm_delete_address)
        sb.lifetime_requested.connect(self.controller.set_lifetime)
        self.health = HealthFlow(
            self.controller,
            s,
            self,
            new_address=self.open_new_address,
            new_address_like=self.open_new_address_like,
            log_in=self.open_login,
            show_address=self.select_address,
        )
        sb.check_requested.connect(self.health.check)
        self.reading.check_requested.connect(self.health.check)

        self.expecting = ExpectFlow(self, self.health)

    def _show_credit(self) -> None:
        """A "Powered by" link for each provider in use whose terms ask for one (mail.tm, mail.gw)."""
        credits = [c for c in self.controller.credits() if c.credit_url]
        # The link colour is baked in when the text is set: take it from the current palette
        # (and set the text again when the palette changes) so it stays readable on dark.
        text = credit_html(credits, self.palette().color(QPalette.ColorRole.Link).name())
        if credits and text != self.credit.text():  # addresses change often: the label only when it must
            self.credit.setText(text)
            self.credit.setToolTip(" · ".join(c.credit_url or "" for c in credits))
        self.credit.setVisible(bool(credits))

    # --- addresses ---
    def current_address(self) -> str | None:
        """The one address shown; None also while "All addresses" is (see :meth:`shows_all`)."""
        address = self.sidebar.current_address()
        return None if address == ALL_ADDRESSES else address

    def shows_all(self) -> bool:
        return self.sidebar.current_address() == ALL_ADDRESSES

    def copy_current_address(self) -> None:
        """Copy the address the window shows. (The app's own notion of "current" can move, e.g. when
        `temp-inbox new` creates one from the command line; the user means what they see.)"""
        address = self.current_address()
        if address:
            self.controller.copy_to_clipboard(address, address, False)

    def select_address(self, address: str) -> bool:
        """Show ``address`` (selecting it in the sidebar; ``ALL_ADDRESSES``: every address's mail);
        False when the window does not know it."""
        if self.sidebar.current_address() == address:
            return True
        if self.sidebar.select(address):
            return True
        self.refresh_addresses()  # it may have been added a moment ago
        return self.sidebar.select(address)

    def refresh_addresses(self) -> None:
        infos = self.controller.addresses()
        self._show_credit()  # an address on another provider may bring its credit
        self.sidebar.model.set_addresses(infos)
        if self.model.set_names(short_names(infos)):
            self.reading.drop_gone_mail()
        sidebar = self.sidebar.model
        if self.sidebar.current_address() is None and infos:
            # The first address, as before there was an "All addresses" entry above it.
            self.sidebar.view.setCurrentIndex(sidebar.index(sidebar.row_of(infos[0].address)))
        elif not infos:
            self._show_address(None)
        self._update_title()
        self._update_state_label()

    def _show_address(self, address: str | None) -> None:
        if address != ALL_ADDRESSES:
            # "All addresses" leaves the app's current address (the one `temp-inbox` commands and
            # Copy address default to) where it was: it is not an address.
            self.controller.select_address(address)
        self.reading.show_address(address)
        self.copy_action.setEnabled(address is not None and address != ALL_ADDRESSES)
        self._update_title()
        self._update_state_label()
        self.expecting.show_for(self.current_address())
        self.reading.scroll_to_top()

    def _update_title(self) -> None:
        entry = self.sidebar.model.all_entry
        if self.shows_all() and entry is not None:
            messages = all_count(self.model.total, entry.unread, self.model.search)
            self.address_title.setText(f"{texts.ALL_ADDRESSES} · {messages}")
            self.address_title.setToolTip(f"{texts.ALL_ADDRESSES}: {all_summary(entry)}, {messages}")
            self.setWindowTitle(f"{texts.ALL_ADDRESSES} — {APP_NAME}")
            return
        address = self.current_address()
        info = self.sidebar.model.info(address) if address else None
        # Empty with no address: the list's empty state says "No address selected" once, not twice.
        self.address_title.setText(address or "")
        self.address_title.setToolTip(address or "")
        self.setWindowTitle(f"{info.label or info.address} — {APP_NAME}" if info else APP_NAME)

    def _update_state_label(self) -> None:
        entry = self.sidebar.model.all_entry
        if self.shows_all() and entry is not None:
            self.state_label.setText(all_summary(entry))
            return
        address = self.current_address()
        info = self.sidebar.model.info(address) if address else None
        if info is None:
            self.state_label.setText("")
            self.reading.set_health_state(None, "")
            return
        description = state_description(info.state_kind, info.state_text)
        self.state_label.setText(description)
        self.reading.set_health_state(info.state_kind, description)

    def _on_connection_changed(self, address: str, state: ConnectionState) -> None:
        self.sidebar.model.update_state(address, state.describe(), state.kind)
        if address == self.current_address() or self.shows_all():
            self._update_state_label()

    def open_new_address(self) -> None:
        self._open_new_address_on("")

    def _open_new_address_on(self, provider_name: str) -> None:
        """The new-address dialog, on the default provider (or the one named ``provider_name``)."""
        dialog = NewAddressDialog(
            self.controller.generate_password(),
            lambda pw: self.controller.copy_to_clipboard(pw, "the password", True),
            self,
            providers=self.controller.providers(),
            starts_on_demand=self.controller.starts_on_demand,
        )
        if provider_name:
            index = dialog.picker.combo.findText(provider_name)
            if index >= 0:  # before the request below: only its domains are asked for
                dialog.picker.combo.setCurrentIndex(index)
        dialog.submitted.connect(
            lambda local, domain, label, password, provider_id, d=dialog: self.controller.create_address(
                local, domain, label, password, provider_id, expires_in=d.expires_in()
            )
        )
        dialog.domains_requested.connect(self.controller.request_domains)
        dialog.picker.add_requested.connect(self.controller.add_provider)
        self._open_busy_dialog(dialog)
        provider_id = dialog.provider_id()
        if provider_id is not None:
            self.controller.request_domains(provider_id)

    def open_new_address_like(self, address: str) -> None:
        """New address with ``address``'s name on another domain of its provider (from the mail check)."""
        info = self.sidebar.model.info(address)
        self._open_new_address_on(info.provider_name if info else "")
        if isinstance(self._dialog, NewAddressDialog):
            self._dialog.prefill_like(address)

    def open_login(self) -> None:
        dialog = LoginDialog(self, providers=self.controller.providers())
        dialog.submitted.connect(self.controller.login_address)
        dialog.picker.add_requested.connect(self.controller.add_provider)
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

    def _on_domains_loaded(self, provider_id: str, domains: list[str]) -> None:
        if isinstance(self._dialog, NewAddressDialog):
            self._dialog.domains_arrived(provider_id, domains)

    def _on_domains_failed(self, provider_id: str, text: str) -> None:
        if isinstance(self._dialog, NewAddressDialog):
            self._dialog.domains_failed_for(provider_id, text)
        else:  # nobody is waiting in a dialog: where every other error goes
            self.statusBar().showMessage(f"⚠ {text}", 10000)

    def _on_provider_added(self, provider: Provider) -> None:
        if isinstance(self._dialog, NewAddressDialog | LoginDialog):
            self._dialog.picker.provider_added(provider)

    def _on_provider_add_failed(self, text: str) -> None:
        # Only the dialog that asked shows it: another one (opened meanwhile) did not check anything.
        if isinstance(self._dialog, NewAddressDialog | LoginDialog) and self._dialog.picker.checking():
            self._dialog.picker.show_add_error(text)
        else:
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
            self,
            self.sidebar.label_action_text(address).rstrip("…"),
            f"Label for {address}:",
            text=info.label if info else "",
        )
        if ok:
            self.controller.rename_address(address, label.strip())

    def confirm_delete_address(self, address: str) -> None:
        dialog = DeleteAddressDialog(address, self)
        if dialog.exec() == DeleteAddressDialog.DialogCode.Accepted:
            self.controller.delete_address(address)

    # --- messages (the reading area has them; these are the window's entry points) ---
    def current_message_id(self) -> str | None:
        return self.reading.current_message_id()

    def show_message(self, address: str, message_id: str) -> None:
        """Raise the window on one message (``temp-inbox show``, a notification's "Open").

        With "All addresses" shown the window stays there, the message selected in it: the user chose
        to see everything at once, and the message is in that list. Another address shown gives way to
        the message's."""
        stays = self.shows_all() and self.sidebar.model.row_of(address) >= 0
        if not stays and self.current_address() != address and not self.select_address(address):
            return
        self.reading.reveal(message_id)
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def delete_current_message(self) -> None:
        self.reading.delete_current_message()

    def open_link(self, url: str) -> None:
        self.reading.open_link(url)

    @property
    def _link_prompt(self) -> LinkPrompt | None:
        return self.reading._link_prompt

    def _maybe_load_older(self, value: int) -> None:
        self.reading._maybe_load_older(value)

    def debug_state(self, done: Callable[[dict[str, Any]], None]) -> None:
        """For the debug IPC command: see :meth:`MessageBrowser.debug_state`; with the sidebar's rows
        and footers (:meth:`AddressSidebar.debug_state`), the window title, and the waits for mail
        (:meth:`ExpectFlow.debug_state`)."""
        sidebar = {**self.sidebar.debug_state(), "title": self.windowTitle(), **self.expecting.debug_state()}
        self.reading.debug_state(lambda state: done({**state, **sidebar}))

    # --- window ---
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_icons(self.palette())
            self._show_credit()
            self._update_state_label()
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
