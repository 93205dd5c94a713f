"""What the message list shows when it has no rows: a title, one sentence, and the actions that get
mail flowing (a new address, copying the address, and in local mode the SMTP address to send to).

Text is drawn in the palette's normal text colours: the old grey of a disabled label was 1.6:1 on
the window, unreadable for many people.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.ui import texts
from desktop_app.ui.action_icons import themed_icon
from desktop_app.ui.controller import ALL_ADDRESSES
from desktop_app.ui.link_label import LinkLabel


class SmtpHint(QWidget):
    """The line "send to 127.0.0.1:2525" with a Copy button; hidden until the app runs its local server."""

    copy_requested = Signal(str)

    def __init__(self, template: str, parent: QWidget | None = None, *, wrap: bool = False) -> None:
        super().__init__(parent)
        self._template = template
        self._smtp = ""
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Wrapping is for narrow places (the sidebar); centred in a wide area, a wrapped label
        # collapses to its narrowest width.
        self.label.setWordWrap(wrap)
        self.copy_button = QPushButton(themed_icon("edit-copy"), texts.COPY_BUTTON, self)
        self.copy_button.setAccessibleName("Copy SMTP address")
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(self._smtp))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.copy_button)
        self.setVisible(False)

    @property
    def smtp(self) -> str:
        return self._smtp

    def set_smtp(self, smtp: str | None) -> None:
        self._smtp = smtp or ""
        self.label.setText(self._template.format(smtp=self._smtp))
        self.label.setToolTip(texts.LOCAL_SMTP_TOOLTIP.format(smtp=self._smtp))
        self.copy_button.setToolTip(texts.COPY_SMTP_TOOLTIP.format(smtp=self._smtp))
        self.setVisible(bool(smtp))


class EmptyState(QWidget):
    new_address_requested = Signal()
    copy_address_requested = Signal()
    check_requested = Signal()  # "Why hasn't my mail arrived?" for the address shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("No messages")
        # Whether mail to this address (or "All addresses") can go through the local server's SMTP.
        self.takes_smtp: Callable[[str], bool] = lambda _address: True
        self._shown: tuple[str | None, str] = (None, "")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.body = QLabel(self)
        # Addresses and search text come from the user or the service: never rich text.
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.new_button = QPushButton(themed_icon("list-add"), texts.NEW_ADDRESS_BUTTON, self)
        self.new_button.setToolTip("Create a new address (Ctrl+N)")
        self.new_button.clicked.connect(self.new_address_requested)
        self.copy_button = QPushButton(themed_icon("edit-copy"), texts.COPY_ADDRESS_BUTTON, self)
        self.copy_button.setToolTip("Copy the current address (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_address_requested)
        self.smtp = SmtpHint(texts.LOCAL_SMTP_EMPTY, self)
        # Where a user waiting for a code looks first: the empty list of the address.
        self.check_link = LinkLabel(texts.HEALTH_TITLE, self)
        self.check_link.activated.connect(self.check_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        smtp_row = QHBoxLayout()
        smtp_row.addStretch(1)
        smtp_row.addWidget(self.smtp)
        smtp_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addSpacing(6)
        layout.addLayout(buttons)
        layout.addLayout(smtp_row)
        layout.addWidget(self.check_link)
        layout.addStretch(2)

    def show_state(self, address: str | None, search: str) -> None:
        """No address, a search without matches, or an address (or all of them) without mail yet."""
        if address is None:
            title, body = texts.NO_ADDRESS_TITLE, texts.NO_ADDRESS_BODY
        elif search:
            title, body = texts.NO_MATCH_TITLE, texts.NO_MATCH_BODY.format(search=search)
        elif address == ALL_ADDRESSES:
            title, body = texts.NO_MAIL_TITLE, texts.NO_MAIL_ANYWHERE_BODY
        else:
            title, body = texts.NO_MAIL_TITLE, texts.NO_MAIL_BODY.format(address=address)
        self.title.setText(title)
        self.body.setText(body)
        one = address is not None and address != ALL_ADDRESSES  # copy and check: one address's
        self.new_button.setVisible(not search)
        self.copy_button.setVisible(one and not search)
        self.check_link.setVisible(one and not search)
        self._shown = (address, search)
        self._refresh_smtp()

    def set_smtp(self, smtp: str | None) -> None:
        self.smtp.set_smtp(smtp)
        self._refresh_smtp()

    def _refresh_smtp(self) -> None:
        """Show the SMTP hint when mail to the address shown can go through the local server."""
        address, search = self._shown
        # The local server delivers only to existing addresses on it: offer it once there is one.
        wanted = address is not None and not search and self.takes_smtp(address)
        self.smtp.setVisible(wanted and bool(self.smtp.smtp))

    def text(self) -> str:
        """Everything the state says, for tests and accessibility tools."""
        parts = [self.title.text(), self.body.text()]
        if not self.smtp.isHidden():
            parts.append(self.smtp.label.text())
        return "\n".join(parts)
