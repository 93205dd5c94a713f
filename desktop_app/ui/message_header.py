"""The open message's header block, as Thunderbird and Mailpit show it: the subject with the message's
actions as an icon toolbar beside it, then the sender's name prominent with the address muted and
the date on the right, then To and Cc. Every sender-controlled string is plain text."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models import Address, Message
from desktop_app.ui import texts
from desktop_app.ui.action_icons import themed_icon
from desktop_app.ui.elided_label import ElidedLabel

_NO_LIMIT = 16_777_215  # QWIDGETSIZE_MAX, which PySide6 does not export


def plain_label(parent: QWidget, accessible: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # sender-controlled text is never rich text
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    label.setAccessibleName(accessible)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def muted(label: QLabel) -> QLabel:
    # The palette's placeholder colour: readable (4.5:1) on the window in light and dark, and it
    # follows a change of colour scheme by itself.
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _tool_button(parent: QWidget, text: str, icon: str, tip: str) -> QToolButton:
    button = QToolButton(parent)
    # A click leaves the keyboard focus in the message list (j/k keep working); Tab still reaches it.
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.setText(text)
    button.setIcon(themed_icon(icon))
    button.setIconSize(QSize(18, 18))
    button.setToolTip(tip)
    button.setAccessibleName(text.rstrip("…"))
    button.setAutoRaise(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


def _addresses(addresses: tuple[Address, ...] | list[Address]) -> str:
    return ", ".join(a.display() for a in addresses)


def retention_text(until: datetime | None, now: datetime) -> str:
    """When the provider deletes the message (mail.tm's ``retentionDate``), in words: a temp inbox
    does not keep mail, and the user should know how long this one stays."""
    if until is None or until.year < 2000:  # none, or unreadable (parsed as the epoch): say nothing
        return ""
    local, today = until.astimezone(), now.astimezone()
    if until <= now:
        return texts.RETENTION_DUE
    if local.date() == today.date():
        return texts.RETENTION_TODAY.format(time=local.strftime("%H:%M"))
    count = (local.date() - today.date()).days
    return texts.RETENTION_DAYS.format(
        when=local.strftime("%a %d %b"), days=count, s="" if count == 1 else "s"
    )


class MessageHeader(QFrame):
    mark_unread_requested = Signal()
    delete_requested = Signal()
    save_eml_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_header")
        self.subject = plain_label(self, "Subject")
        font = QFont(self.subject.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.subject.setFont(font)

        self.mark_unread = _tool_button(self, texts.MARK_UNREAD, "mail-mark-unread", texts.MARK_UNREAD_TIP)
        self.delete = _tool_button(self, texts.DELETE_MESSAGE, "edit-delete", texts.DELETE_MESSAGE_TIP)
        self.save_eml = _tool_button(self, texts.SAVE_EML, "document-save", texts.SAVE_EML_TIP)
        self.toolbar = QWidget(self)
        self.toolbar.setAccessibleName("Message actions")
        tools = QHBoxLayout(self.toolbar)
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(2)
        for button, signal in (
            (self.mark_unread, self.mark_unread_requested),
            (self.delete, self.delete_requested),
            (self.save_eml, self.save_eml_requested),
        ):
            button.clicked.connect(signal)
            tools.addWidget(button)

        self.sender_label = ElidedLabel(self, "From", Qt.TextElideMode.ElideRight)
        name_font = QFont(self.sender_label.font())
        name_font.setBold(True)
        name_font.setPointSizeF(name_font.pointSizeF() * 1.08)
        self.sender_label.setFont(name_font)
        self.sender_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        # Cut in the middle: both ends of the address stay readable.
        self.sender_address = muted(ElidedLabel(self, "Sender address", Qt.TextElideMode.ElideMiddle))
        self.date = muted(plain_label(self, "Date", wrap=False))
        self.date.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.recipients_title = muted(QLabel(texts.TO_LABEL, self))
        self.recipients = plain_label(self, "To")
        self.cc_title = muted(QLabel(texts.CC_LABEL, self))
        self.cc = plain_label(self, "Cc")
        self.retention = muted(plain_label(self, "Kept until"))

        top = QHBoxLayout()
        top.addWidget(self.subject, 1)
        top.addWidget(self.toolbar, 0, Qt.AlignmentFlag.AlignTop)
        sender = self._sender_row = QHBoxLayout()
        sender.setSpacing(6)
        sender.addWidget(self.sender_label)
        sender.addWidget(self.sender_address, 1)
        sender.addWidget(self.date, 0, Qt.AlignmentFlag.AlignRight)
        people = QGridLayout()
        people.setHorizontalSpacing(6)
        people.setVerticalSpacing(0)
        people.addWidget(self.recipients_title, 0, 0, Qt.AlignmentFlag.AlignTop)
        people.addWidget(self.recipients, 0, 1)
        people.addWidget(self.cc_title, 1, 0, Qt.AlignmentFlag.AlignTop)
        people.addWidget(self.cc, 1, 1)
        people.addWidget(self.retention, 2, 0, 1, 2)
        people.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(sender)
        layout.addLayout(people)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_sender_row()

    def _share_sender_row(self) -> None:
        """A display name longer than the row leaves the address at least half of it: a name made
        long cannot push the real address out of sight (a look-alike "Bank Support …" would)."""
        spacing = self._sender_row.spacing()
        room = self.contentsRect().width() - self.date.sizeHint().width() - 2 * spacing
        name = self.sender_label.sizeHint().width()
        wanted = self.sender_address.sizeHint().width() if self.sender_address.isVisibleTo(self) else 0
        cap = max(room - wanted, room // 2) if name + wanted > room else _NO_LIMIT
        if self.sender_label.maximumWidth() != cap:
            self.sender_label.setMaximumWidth(cap)

    def show_message(self, address: str, message: Message) -> None:
        summary = message.summary
        self.subject.setText(summary.subject or texts.NO_SUBJECT)
        name, sender_address = summary.sender.name.strip(), summary.sender.address
        self.sender_label.setText(name or sender_address or texts.UNKNOWN_SENDER)
        self.sender_address.setText(f"<{sender_address}>" if name and sender_address else "")
        self.sender_address.setVisible(bool(name and sender_address))
        self.sender_address.setToolTip(sender_address)
        self._share_sender_row()
        self.sender_label.setToolTip(summary.sender.display())
        when = summary.created_at.astimezone()
        self.date.setText(when.strftime("%a %d %b %Y, %H:%M"))
        self.date.setToolTip(when.isoformat(sep=" "))
        self.recipients.setText(_addresses(summary.to) or address)
        cc = _addresses(message.cc)
        self.cc.setText(cc)
        self.cc.setVisible(bool(cc))
        self.cc_title.setVisible(bool(cc))
        kept = retention_text(message.retention_date, datetime.now(UTC)) if message.retention else ""
        self.retention.setText(kept)
        self.retention.setVisible(bool(kept))
        self.mark_unread.setEnabled(summary.seen)

    def set_seen(self, seen: bool) -> None:
        self.mark_unread.setEnabled(seen)
