"""The tray icon: unread badge, tooltip, and a menu rebuilt from live state every time it opens.

The menu is never kept in sync incrementally (Vorta's tray_menu pattern): ``aboutToShow`` asks the
``addresses`` callable for the current list and rebuilds, so it cannot go stale. The tray only emits
signals; the main window decides what they do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop_app.core.accounts.all_addresses import SHOWN_FROM
from desktop_app.core.notice import single_line
from desktop_app.ui import texts
from desktop_app.ui.controller import ALL_ADDRESSES
from desktop_app.ui.icons import tray_icon

APP_NAME = "Temp Inbox"


@dataclass(frozen=True)
class TrayAddress:
    address: str
    label: str = ""
    unread: int = 0
    expiry: str = ""  # "deletes in 3 h", as the sidebar row says it ("" when it is kept)


def unread_tooltip(unread: int, *, dnd: bool = False) -> str:
    text = f"{APP_NAME} — {unread} unread" if unread else f"{APP_NAME} — no unread mail"
    return text + (" (do not disturb)" if dnd else "")


class TrayIcon(QSystemTrayIcon):
    copy_address = Signal(str)
    open_address = Signal(str)
    new_address = Signal()
    toggle_window = Signal()
    quit_requested = Signal()
    dnd_toggled = Signal(bool)

    def __init__(
        self,
        addresses: Callable[[], Sequence[TrayAddress]],
        parent: QObject | None = None,
        *,
        window_visible: Callable[[], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self._addresses = addresses
        self._window_visible = window_visible or (lambda: True)
        self._unread = 0
        self._dnd = False
        # QSystemTrayIcon does not own its context menu; we keep it alive.
        self.menu = QMenu()
        self.menu.setAccessibleName(f"{APP_NAME} menu")
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self._submenus: list[QMenu] = []
        self.setContextMenu(self.menu)
        self.activated.connect(self._on_activated)
        self._refresh_icon()
        self.rebuild_menu()

    @property
    def unread(self) -> int:
        return self._unread

    @property
    def do_not_disturb(self) -> bool:
        return self._dnd

    def set_unread(self, unread: int) -> None:
        if unread != self._unread:
            self._unread = max(0, unread)
            self._refresh_icon()

    def set_do_not_disturb(self, on: bool) -> None:
        """Reflect do-not-disturb set elsewhere (settings, window); does not emit ``dnd_toggled``."""
        if on != self._dnd:
            self._dnd = on
            self._refresh_icon()

    def rebuild_menu(self) -> None:
        for submenu in self._submenus:
            submenu.deleteLater()
        self._submenus.clear()
        self.menu.clear()
        addresses = list(self._addresses())
        if len(addresses) >= SHOWN_FROM:
            # As in the sidebar: every address's mail at once, the unread counts added up.
            unread = sum(entry.unread for entry in addresses)
            title = f"{texts.ALL_ADDRESSES} ({unread})" if unread else texts.ALL_ADDRESSES
            every = self.menu.addAction(title)
            every.triggered.connect(partial(self.open_address.emit, ALL_ADDRESSES))
            self.menu.addSeparator()
        for entry in addresses:
            name = single_line(entry.label or entry.address, 60)
            title = f"{name} ({entry.unread})" if entry.unread else name
            if entry.expiry:
                title += f" · {entry.expiry}"
            submenu = self.menu.addMenu(title.replace("&", "&&"))
            submenu.setToolTip(entry.address)
            self._submenus.append(submenu)
            copy = submenu.addAction("Copy address")
            copy.triggered.connect(partial(self.copy_address.emit, entry.address))
            opened = submenu.addAction("Open")
            opened.triggered.connect(partial(self.open_address.emit, entry.address))
        if not addresses:
            self.menu.addAction("No addresses yet").setEnabled(False)
        self.menu.addSeparator()
        self.menu.addAction("New address…").triggered.connect(self.new_address.emit)
        shown = self._window_visible()
        self.menu.addAction("Hide window" if shown else "Show window").triggered.connect(
            self.toggle_window.emit
        )
        dnd = QAction("Do not disturb", self.menu)
        dnd.setCheckable(True)
        dnd.setChecked(self._dnd)
        dnd.toggled.connect(self._on_dnd_toggled)
        self.menu.addAction(dnd)
        self.menu.addSeparator()
        self.menu.addAction("Quit").triggered.connect(self.quit_requested.emit)

    def _on_dnd_toggled(self, on: bool) -> None:
        self.set_do_not_disturb(on)
        self.dnd_toggled.emit(on)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window.emit()

    def _refresh_icon(self) -> None:
        self.setIcon(tray_icon(self._unread, quiet=self._dnd))
        self.setToolTip(unread_tooltip(self._unread, dnd=self._dnd))
