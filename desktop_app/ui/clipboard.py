"""Putting addresses and one-time codes on the system clipboard.

A code can be cleared again after a while, but only if the clipboard still holds exactly what we put
there: whatever the user copied since is theirs. Codes are marked as secrets for clipboard managers
that honour KDE's password-manager hint, so they stay out of clipboard history.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

# Read by Klipper and other clipboard managers: do not keep this entry in the history.
_SECRET_HINT = "x-kde-passwordManagerHint"

_generation = 0  # bumped on every copy, so an older pending clear never clears a newer copy


def _clipboard() -> QClipboard:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("the clipboard needs a QGuiApplication")
    return QGuiApplication.clipboard()


def copy_text(text: str, *, clear_after: float | None = None, secret: bool = False) -> None:
    """Copy ``text``; with ``clear_after`` (seconds), clear it then if it is still ours."""
    global _generation
    _generation += 1
    generation = _generation
    clipboard = _clipboard()
    data = QMimeData()
    data.setText(text)
    if secret:
        data.setData(_SECRET_HINT, b"secret")
    clipboard.setMimeData(data, QClipboard.Mode.Clipboard)
    if clear_after is not None:

        def clear_if_still_ours() -> None:
            if generation == _generation and clipboard.text(QClipboard.Mode.Clipboard) == text:
                clipboard.clear(QClipboard.Mode.Clipboard)

        QTimer.singleShot(max(0, round(clear_after * 1000)), clipboard, clear_if_still_ours)


def clipboard_text() -> str:
    return _clipboard().text(QClipboard.Mode.Clipboard)
