"""Where the user chooses an address's lifetime: the new-address dialog's "Delete automatically:"
combo box and the sidebar's "Delete automatically" submenu. The choices are the core's
(``core/lifetime.py::CHOICES``); the deletion itself is the core's too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QMenu, QWidget

from desktop_app.core.lifetime import CHOICES
from desktop_app.ui import texts


class LifetimeChoice(QComboBox):
    """Never (the default), after 1 hour, 1 day, 1 week."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(texts.LIFETIME_MENU)
        self.setToolTip(texts.LIFETIME_TIP)
        self.addItem(texts.LIFETIME_NEVER, None)
        for name, lifetime in CHOICES:
            self.addItem(texts.LIFETIME_AFTER.format(choice=name), lifetime)

    def lifetime(self) -> timedelta | None:
        value = self.currentData()
        return value if isinstance(value, timedelta) else None


def lifetime_menu(parent: QWidget, expiry_text: str, choose: Callable[[timedelta | None], None]) -> QMenu:
    """The submenu for one address: after 1 hour / 1 day / 1 week from now (a new expiry replaces
    the one set), and "Keep this address" while one is set. ``expiry_text`` is the row's ("deletes in
    3 h"), or "" when the address is kept."""
    title = texts.LIFETIME_MENU_SET.format(when=expiry_text) if expiry_text else texts.LIFETIME_MENU
    menu = QMenu(title, parent)
    for name, lifetime in CHOICES:
        action = QAction(texts.LIFETIME_AFTER.format(choice=name), menu)
        action.triggered.connect(lambda _=False, chosen=lifetime: choose(chosen))
        menu.addAction(action)
    menu.addSeparator()
    keep = QAction(texts.LIFETIME_KEEP, menu)
    keep.setEnabled(bool(expiry_text))
    keep.triggered.connect(lambda _=False: choose(None))
    menu.addAction(keep)
    return menu
