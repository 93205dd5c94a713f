"""A label of one line of plain text that is cut with "…" when its room is short, instead of asking
for its whole text as its minimum width (as a QLabel without word wrap does) or being clipped without
a sign. A 90-character sender name made the window wider than it was set; a long address above the
list was cut off mid-letter."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QWidget


class ElidedLabel(QLabel):
    """One line of plain text that gives way with "…" when its room is short."""

    def __init__(self, parent: QWidget, accessible: str, mode: Qt.TextElideMode) -> None:
        super().__init__(parent)
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)  # sender-controlled text is never rich text
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setAccessibleName(accessible)

    def set_elide_mode(self, mode: Qt.TextElideMode) -> None:
        self._mode = mode
        self.update()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("W…")), hint.height())

    def shown_text(self) -> str:
        """The text as painted: whole when it fits, else cut with "…"."""
        room = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), self._mode, room)

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.shown_text()
        if shown == self.text():
            super().paintEvent(event)  # whole: Qt's own painting, mouse selection included
            return
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )
