"""The open message: header, "Copy code" bar, tabs HTML / Text / Headers & source, attachments, actions.

Everything a sender controls (names, subject, file names) is shown as plain text, never as rich text,
so a subject like ``<img src=…>`` is just characters. The HTML tab is the sealed view; links in the
Text tab are not clickable at all; attachments can only be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.codes import extract
from desktop_app.core.filenames import assess_filename, sanitize_filename
from desktop_app.core.models import Attachment, Message
from desktop_app.ui.attachments import exact_attachment_sizes
from desktop_app.ui.style import format_size


class HtmlView(Protocol):
    """What the pane needs from the HTML tab (``SealedMessageView`` provides it)."""

    def show_message(
        self, message_id: str, html: str, inline_parts: Mapping[str, tuple[str, bytes]]
    ) -> None: ...
    def clear(self) -> None: ...


HtmlViewFactory = Callable[[QWidget], QWidget]


def sealed_view_factory(parent: QWidget) -> QWidget:
    from desktop_app.ui.sealed_view import SealedMessageView

    return SealedMessageView(parent)


def attachment_size_text(attachment: Attachment, exact: int | None = None) -> str:
    """The API counts an attachment's ``size`` in kilobytes, rounded up (1 for a 941-byte file; the
    reference's fixtures), not bytes: "6 kB" for a 5.3 kB logo, never "6 B". ``exact`` is the
    decoded size in bytes, known once the source is cached."""
    if exact is not None:
        return format_size(exact)
    if attachment.size <= 0:
        return "under 1 kB"
    return format_size(attachment.size * 1000)


def listed_attachments(message: Message) -> list[Attachment]:
    """The files to offer for saving: not the inline parts an HTML body shows itself (its ``cid:``
    logo). Without an HTML body an inline part would be invisible, so it is listed then."""
    if not "".join(message.html).strip():
        return list(message.attachments)
    return [a for a in message.attachments if not (a.related or a.disposition.lower() == "inline")]


def _plain_label(parent: QWidget, accessible: str) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # sender-controlled text is never rich text
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    label.setAccessibleName(accessible)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class MessagePane(QWidget):
    mark_unread_requested = Signal()
    delete_requested = Signal()
    save_eml_requested = Signal()
    save_attachment_requested = Signal(object)  # Attachment
    copy_code_requested = Signal(str)
    open_link_requested = Signal(str)
    # The user switched between HTML and Text on a message that has both (the "prefer plain text"
    # setting, like Thunderbird's View > Message Body As).
    prefer_plain_text_changed = Signal(bool)

    def __init__(
        self, html_view_factory: HtmlViewFactory = sealed_view_factory, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.message: Message | None = None
        self.address: str | None = None
        self.code: str | None = None
        self.link: str | None = None
        self.link_text = ""  # the link's anchor text, for the prompt's "text shows another site"
        self.prefer_plain_text = False
        self._choosing_tab = False  # the pane, not the user, is switching tabs

        self.placeholder = QLabel("Select a message to read it.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)

        content = QWidget(self)
        self.subject = _plain_label(content, "Subject")
        font = QFont(self.subject.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.subject.setFont(font)
        self.sender_label = _plain_label(content, "From")
        self.recipients = _plain_label(content, "To")
        self.date = _plain_label(content, "Date")
        self.date.setWordWrap(False)
        self.date.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

        self.mark_unread = QPushButton("Mark unread", content)
        self.delete = QPushButton("Delete", content)
        self.delete.setToolTip("Delete this message (Delete)")
        self.save_eml = QPushButton("Save .eml…", content)
        for button, signal in (
            (self.mark_unread, self.mark_unread_requested),
            (self.delete, self.delete_requested),
            (self.save_eml, self.save_eml_requested),
        ):
            button.setAccessibleName(button.text().rstrip("…"))
            button.clicked.connect(signal)
        actions = QHBoxLayout()
        actions.addWidget(self.mark_unread)
        actions.addWidget(self.delete)
        actions.addWidget(self.save_eml)
        actions.addStretch(1)

        self.code_bar = QFrame(content)
        self.code_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self.code_label = _plain_label(self.code_bar, "Code found in this message")
        self.copy_code = QPushButton("Copy code", self.code_bar)
        self.copy_code.setAccessibleName("Copy code")
        self.copy_code.clicked.connect(lambda: self.code and self.copy_code_requested.emit(self.code))
        self.open_link = QPushButton("Open link…", self.code_bar)
        self.open_link.setAccessibleName("Open verification link")
        self.open_link.clicked.connect(lambda: self.link and self.open_link_requested.emit(self.link))
        bar = QHBoxLayout(self.code_bar)
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(self.code_label, 1)
        bar.addWidget(self.copy_code)
        bar.addWidget(self.open_link)

        self.tabs = QTabWidget(content)
        self.tabs.setAccessibleName("Message views")
        self.html_view = html_view_factory(self.tabs)
        self.html_view.setAccessibleName("HTML view (remote content blocked)")
        self.text_view = QPlainTextEdit(self.tabs)
        self.text_view.setReadOnly(True)  # plain text: links in it are never clickable
        self.text_view.setAccessibleName("Plain text of the message")
        self.source_view = QPlainTextEdit(self.tabs)
        self.source_view.setReadOnly(True)
        self.source_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.source_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.source_view.setAccessibleName("Headers and raw source")
        self.tabs.addTab(self.html_view, "HTML")
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(self.source_view, "Headers && source")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.attachments_title = QLabel("Attachments (save only; never opened):", content)
        self.attachments = QListWidget(content)
        self.attachments.setAccessibleName("Attachments")
        self.attachments.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.attachments.itemActivated.connect(self._save_item)
        self.save_attachment = QPushButton("Save as…", content)
        self.save_attachment.setAccessibleName("Save attachment as")
        self.save_attachment.clicked.connect(lambda: self._save_item(self.attachments.currentItem()))
        attachment_row = QHBoxLayout()
        attachment_row.addWidget(self.attachments, 1)
        attachment_row.addWidget(self.save_attachment, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(actions)
        layout.addWidget(self.subject)
        from_row = QHBoxLayout()
        from_row.addWidget(self.sender_label, 1)
        from_row.addWidget(self.date, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.addLayout(from_row)
        layout.addWidget(self.recipients)
        layout.addWidget(self.code_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.attachments_title)
        layout.addLayout(attachment_row)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.clear()

    # --- showing ---
    def clear(self, text: str = "Select a message to read it.") -> None:
        self.message = None
        self.address = None
        self.code = self.link = None
        self.link_text = ""
        self.placeholder.setText(text)
        self.stack.setCurrentWidget(self.placeholder)
        self.html_view.clear()  # type: ignore[attr-defined]
        self.text_view.clear()
        self.source_view.clear()
        self.attachments.clear()

    def show_message(
        self,
        address: str,
        message: Message,
        inline_parts: Mapping[str, tuple[str, bytes]],
        raw_source: bytes | None,
    ) -> None:
        summary = message.summary
        self.address = address
        self.message = message
        self.subject.setText(summary.subject or "(no subject)")
        self.sender_label.setText(f"From: {summary.sender.display() or '(unknown sender)'}")
        to = ", ".join(a.display() for a in summary.to) or address
        cc = ", ".join(a.display() for a in message.cc)
        self.recipients.setText(f"To: {to}" + (f"\nCc: {cc}" if cc else ""))
        self.date.setText(summary.created_at.astimezone().strftime("%a %d %b %Y, %H:%M"))
        self.date.setToolTip(summary.created_at.astimezone().isoformat(sep=" "))
        self.mark_unread.setEnabled(summary.seen)

        html = "\n".join(message.html)
        found = extract(summary.subject, message.text, html or None)
        self.code, self.link, self.link_text = found.code, found.link, found.link_text
        self.code_label.setText(f"Code: {found.code}" if found.code else "Verification link found")
        self.copy_code.setVisible(bool(found.code))
        self.open_link.setVisible(bool(found.link))
        self.code_bar.setVisible(bool(found.code or found.link))

        self.html_view.show_message(summary.id, html, inline_parts)  # type: ignore[attr-defined]
        self.text_view.setPlainText(message.text or "(This message has no plain-text part.)")
        self.source_view.setPlainText(self._source_text(message, raw_source))
        self._choose_tab(has_html=bool(html.strip()), has_text=bool(message.text))

        self.attachments.clear()
        listed = listed_attachments(message)
        exact = exact_attachment_sizes(raw_source) if listed else {}
        for attachment in listed:
            known = exact.get(attachment.filename, [])
            # Only a name that occurs once in the source says which part this is.
            self.attachments.addItem(self._attachment_item(attachment, known[0] if len(known) == 1 else None))
        if listed:
            self.attachments.setCurrentRow(0)
            # Tall enough for up to four names, no taller: the message body gets the room.
            rows = min(len(listed), 4)
            frame = 2 * self.attachments.frameWidth()
            self.attachments.setFixedHeight(rows * self.attachments.sizeHintForRow(0) + frame + 2)
        for widget in (self.attachments_title, self.attachments, self.save_attachment):
            widget.setVisible(bool(listed))
        self.stack.setCurrentIndex(1)

    def _choose_tab(self, *, has_html: bool, has_text: bool) -> None:
        """HTML whenever there is HTML, unless the user prefers Text and there is text; the Headers
        tab stays open while the user reads sources."""
        self._choosing_tab = True
        try:
            self.tabs.setTabEnabled(0, has_html)
            if self.tabs.currentIndex() != 2 or not self.tabs.isTabEnabled(2):
                text_first = not has_html or (self.prefer_plain_text and has_text)
                self.tabs.setCurrentIndex(1 if text_first else 0)
        finally:
            self._choosing_tab = False

    def _on_tab_changed(self, index: int) -> None:
        message = self.message
        if self._choosing_tab or message is None or index not in (0, 1):
            return
        if not ("".join(message.html).strip() and message.text):
            return  # only one of the two exists: no choice was made
        prefer = index == 1
        if prefer != self.prefer_plain_text:
            self.prefer_plain_text = prefer
            self.prefer_plain_text_changed.emit(prefer)

    def debug_state(self, done: Callable[[dict[str, Any]], None]) -> None:
        """What the pane shows, for the debug IPC command (end-to-end tests): header, open tab, the
        Text tab's text and, through the HTML view, its rendered DOM text and on-screen colours."""
        message = self.message
        state: dict[str, Any] = {
            "message_id": message.id if message is not None else None,
            "subject": self.subject.text() if message is not None else None,
            "placeholder": self.placeholder.text() if self.stack.currentIndex() == 0 else None,
            "tab": self.tabs.tabText(self.tabs.currentIndex()).replace("&&", "&"),
            "text": self.text_view.toPlainText()[:4000],
            "attachments": [self.attachments.item(i).text() for i in range(self.attachments.count())],
            "prefer_plain_text": self.prefer_plain_text,
        }
        html_state = getattr(self.html_view, "debug_state", None)
        if html_state is None:
            done(state)
        else:
            html_state(lambda html: done({**state, "html": html}))

    def set_seen(self, seen: bool) -> None:
        self.mark_unread.setEnabled(seen)

    @staticmethod
    def _source_text(message: Message, raw_source: bytes | None) -> str:
        v = message.verifications
        checks = (
            f"Sender checks by the mail service — SPF: {'pass' if v.spf else 'no pass'}, "
            f"DKIM: {'pass' if v.dkim else 'no pass'}, TLS: {v.tls or 'no'}\n\n"
        )
        if raw_source is None:
            return checks + "(The raw source has not been downloaded yet.)"
        return checks + raw_source.decode("utf-8", errors="replace")

    def _attachment_item(self, attachment: Attachment, exact: int | None = None) -> QListWidgetItem:
        name = sanitize_filename(attachment.filename)
        text = f"{name}  ({attachment_size_text(attachment, exact)}, {attachment.content_type})"
        risk = assess_filename(attachment.filename, attachment.content_type)
        if risk.risky:
            text += "  — program or script"
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, attachment)
        detail = f"{name}, {exact:,} bytes" if exact is not None else name
        item.setToolTip(risk.reason or detail)
        return item

    def _save_item(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.save_attachment_requested.emit(item.data(Qt.ItemDataRole.UserRole))
