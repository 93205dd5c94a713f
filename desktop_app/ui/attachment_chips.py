"""Attachments as chips, as mail readers show them: the file type's icon, the (sanitised) name, the
true size and type, and Save… on each; a program or script says so on the chip itself.

Nothing here opens a file: Save… hands the attachment to the window, which warns about risky types
and asks where to save (``attachments.choose_attachment_path``).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeDatabase, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models import Attachment
from desktop_app.core.sealed import assess_filename, sanitize_filename
from desktop_app.ui import texts
from desktop_app.ui.message_header import muted, plain_label

ICON_SIZE = 32
COLUMNS = 3  # chips per row at most: three names fit beside each other in the default window
# Icon, a readable name (about 22 characters), "123.5 kB · application/pdf" and Save…; fewer columns
# below it (at 260 px the size and type were cut to "123.5 kB…tion/pdf" beside a 520 px pane).
MIN_CHIP_WIDTH = 320


def type_icon(widget: QWidget, filename: str, content_type: str) -> QIcon:
    """The desktop theme's icon for the file's type (by MIME type, else by name), else a plain file."""
    database = QMimeDatabase()
    mime = database.mimeTypeForName(content_type)
    if not mime.isValid() or mime.isDefault():
        mime = database.mimeTypeForFile(filename, QMimeDatabase.MatchMode.MatchExtension)
    for name in (mime.iconName(), mime.genericIconName()):
        if name and QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return widget.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)


class AttachmentChip(QFrame):
    save_requested = Signal(object)  # Attachment

    def __init__(self, attachment: Attachment, size_text: str, exact: int | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("attachment_chip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # The code chip's panel colour, kept readable (4.5:1) in both schemes.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.attachment = attachment
        name = sanitize_filename(attachment.filename)
        risk = assess_filename(attachment.filename, attachment.content_type)
        self.risky = risk.risky
        # One line that says it all, for screen readers, the debug state and tests.
        self._text = f"{name}  ({size_text}, {attachment.content_type})"
        if risk.risky:
            self._text += texts.ATTACHMENT_RISKY_SUFFIX
        self.setAccessibleName(self._text)

        self.icon = QLabel(self)
        self.icon.setPixmap(
            type_icon(self, attachment.filename, attachment.content_type).pixmap(ICON_SIZE, ICON_SIZE)
        )
        self.icon.setFixedSize(QSize(ICON_SIZE, ICON_SIZE))
        self.name = plain_label(self, "Attachment name", wrap=False)
        self.name.setText(name)
        font = self.name.font()
        font.setBold(True)
        self.name.setFont(font)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        detail = texts.ATTACHMENT_DETAIL.format(size=size_text, type=attachment.content_type)
        self._full = {"name": name, "detail": detail}  # cut to the chip's width in resizeEvent
        self.detail = muted(plain_label(self, "Attachment size and type", wrap=False))
        self.detail.setText(detail)
        self.detail.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.warning = plain_label(self, "Attachment warning", wrap=False)
        self.warning.setText(texts.ATTACHMENT_RISKY)
        self.warning.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.warning.setVisible(risk.risky)
        self.save = QPushButton(texts.SAVE_ATTACHMENT, self)
        self.save.setAccessibleName(texts.SAVE_ATTACHMENT_NAMED.format(name=name))
        self.save.setAutoDefault(False)
        self.save.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click keeps j/k in the list
        self.save.clicked.connect(lambda: self.save_requested.emit(self.attachment))
        exact_text = (
            texts.ATTACHMENT_EXACT.format(name=name, size=f"{exact:,}") if exact is not None else name
        )
        self.setToolTip(f"{exact_text}\n{risk.reason}" if risk.risky else exact_text)

        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.name)
        words.addWidget(self.detail)
        words.addWidget(self.warning)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 6, 4)
        row.setSpacing(8)
        row.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addLayout(words, 1)
        row.addWidget(self.save, 0, Qt.AlignmentFlag.AlignVCenter)

    def text(self) -> str:
        return self._text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # A long name is cut in the middle with an ellipsis (its end, the type, stays readable), not
        # clipped at the edge; the whole of it is in the tooltip and the accessible name.
        for label, full, mode in (
            (self.name, self._full["name"], Qt.TextElideMode.ElideMiddle),  # keeps the extension
            (self.detail, self._full["detail"], Qt.TextElideMode.ElideRight),  # keeps the size
            (self.warning, texts.ATTACHMENT_RISKY, Qt.TextElideMode.ElideRight),  # never clipped bare
        ):
            width = max(label.width(), 1)
            label.setText(label.fontMetrics().elidedText(full, mode, width))


class AttachmentChips(QWidget):
    """The message's attachments, a grid of chips."""

    save_requested = Signal(object)  # Attachment

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Attachments")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(6)
        self._chips: list[AttachmentChip] = []
        self._columns = COLUMNS

    def _columns_for(self, width: int) -> int:
        # A narrow pane (the list beside the message) gets fewer, wider chips rather than three chips
        # whose names are cut to a bare ellipsis.
        return max(1, min(COLUMNS, width // MIN_CHIP_WIDTH))

    def _place(self) -> None:
        for chip in self._chips:
            self._grid.removeWidget(chip)
        for index, chip in enumerate(self._chips):
            row, column = divmod(index, self._columns)
            self._grid.addWidget(chip, row, column)
        for col in range(COLUMNS):  # equal columns, also for a single chip
            self._grid.setColumnStretch(col, 1 if col < self._columns else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = self._columns_for(event.size().width())
        if columns != self._columns:
            self._columns = columns
            self._place()

    def clear(self) -> None:
        for chip in self._chips:
            self._grid.removeWidget(chip)
            chip.deleteLater()
        self._chips = []

    def add(self, attachment: Attachment, size_text: str, exact: int | None = None) -> AttachmentChip:
        chip = AttachmentChip(attachment, size_text, exact, self)
        chip.save_requested.connect(self.save_requested)
        self._chips.append(chip)
        self._place()
        return chip

    def count(self) -> int:
        return len(self._chips)

    def chip(self, index: int) -> AttachmentChip:
        return self._chips[index]

    def chip_texts(self) -> list[str]:
        return [chip.text() for chip in self._chips]
