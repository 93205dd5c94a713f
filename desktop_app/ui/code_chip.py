"""The code found in a message as a large chip with Copy, and the verification link with its real
host and "Open link…" (which asks first, see ``LinkPrompt``)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from desktop_app.core.sealed import analyse_link
from desktop_app.ui import texts
from desktop_app.ui.action_icons import themed_icon
from desktop_app.ui.message_header import muted, plain_label


class CodeChip(QFrame):
    copy_code_requested = Signal(str)
    open_link_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("code_chip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # A panel of its own, in the alternate-row colour both schemes keep readable (4.5:1).
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.code: str | None = None
        self.link: str | None = None
        self.code_title = muted(QLabel(texts.CODE_TITLE, self))
        self.code_label = plain_label(self, "Code found in this message", wrap=False)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.9)
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2.0)
        self.code_label.setFont(font)
        self.code_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.copy_code = QPushButton(themed_icon("edit-copy"), texts.COPY_CODE, self)
        self.copy_code.setIconSize(QSize(18, 18))
        self.copy_code.setToolTip(texts.COPY_CODE_TIP)
        self.copy_code.setAccessibleName("Copy code")
        self.copy_code.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click keeps j/k in the list
        self.copy_code.clicked.connect(lambda: self.code and self.copy_code_requested.emit(self.code))
        self.link_label = plain_label(self, "Verification link", wrap=False)
        self.link_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.open_link = QPushButton(texts.OPEN_LINK, self)
        self.open_link.setAccessibleName("Open verification link")
        self.open_link.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.open_link.clicked.connect(lambda: self.link and self.open_link_requested.emit(self.link))
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(8)
        row.addWidget(self.code_title)
        row.addWidget(self.code_label)
        row.addWidget(self.copy_code)
        row.addStretch(1)
        row.addWidget(self.link_label, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.open_link)

    def show_found(self, code: str | None, link: str | None, link_text: str) -> None:
        self.code, self.link = code, link
        self.code_label.setText(code or "")
        for widget in (self.code_title, self.code_label, self.copy_code):
            widget.setVisible(bool(code))
        host = analyse_link(link, link_text).display_host if link else ""
        self.link_label.setText(texts.LINK_FOUND.format(host=host) if link else "")
        self.link_label.setToolTip(link or "")
        for widget in (self.link_label, self.open_link):
            widget.setVisible(bool(link))
        self.setVisible(bool(code or link))
