"""What the user is told when an address is added or copied: the same wherever it happens (the
window's dialogs and menus, the tray, or ``temp-inbox new``/``copy`` answered by the instance)."""

from __future__ import annotations

from PySide6.QtCore import SignalInstance

from desktop_app.ui import texts
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.controller import AppSignals


def report_new_address(
    signals: AppSignals, address: str, show: SignalInstance, *, logged_in: bool = False
) -> None:
    """The sidebar re-read, the window on the address (``show`` says how), the address on the
    clipboard, and a status line saying so."""
    signals.addresses_changed.emit()
    show.emit(address)
    copy_text(address)
    template = texts.LOGGED_IN if logged_in else texts.CREATED_ADDRESS
    signals.status.emit(template.format(address=address))


def copy_address(signals: AppSignals, address: str) -> None:
    copy_text(address)
    signals.status.emit(texts.COPIED_ADDRESS.format(address=address))
