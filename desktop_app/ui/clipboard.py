"""Putting addresses and one-time codes on the system clipboard.

A code can be cleared again after a while, but only if the clipboard still holds exactly what we put
there: whatever the user copied since is theirs.

Only ``setText`` is used. A ``QMimeData`` built in Python (needed for KDE's
``x-kde-passwordManagerHint`` that keeps secrets out of clipboard history) makes PySide6 6.12 crash
at interpreter exit: Python and the clipboard both delete it.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QClipboard, QGuiApplication

_generation = 0  # bumped on every copy, so an older pending clear never clears a newer copy


def _clipboard() -> QClipboard:
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        raise RuntimeError("the clipboard needs a QGuiApplication")
    return QGuiApplication.clipboard()


def copy_text(text: str, *, clear_after: float | None = None) -> None:
    """Copy ``text``; with ``clear_after`` (seconds), clear it then if it is still ours."""
    global _generation
    _generation += 1
    generation = _generation
    clipboard = _clipboard()
    clipboard.setText(text, QClipboard.Mode.Clipboard)
    if clear_after is not None:

        def clear_if_still_ours() -> None:
            if generation == _generation and clipboard.text(QClipboard.Mode.Clipboard) == text:
                clipboard.clear(QClipboard.Mode.Clipboard)

        QTimer.singleShot(max(0, round(clear_after * 1000)), clipboard, clear_if_still_ours)


def clipboard_text() -> str:
    return _clipboard().text(QClipboard.Mode.Clipboard)
