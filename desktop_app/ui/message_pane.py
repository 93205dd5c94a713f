"""The open message: the header block with its action toolbar (``message_header``), the code chip
(``code_chip``), tabs HTML / Text / Headers & source (``headers_view``), attachments as chips
(``attachment_chips``).

Everything a sender controls (names, subject, file names) is shown as plain text, never as rich text,
so a subject like ``<img src=…>`` is just characters. The HTML tab is the sealed view; links in the
Text tab are not clickable at all; attachments can only be saved.

Over 300 lines: the pane owns its HTML view's life (made after the first frame, given back while the
pane is hidden, the window in the tray) beside what it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextEdit,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.codes import extract_from_message
from desktop_app.core.models import Attachment, Message
from desktop_app.ui import texts
from desktop_app.ui.attachment_chips import AttachmentChips
from desktop_app.ui.attachments import exact_attachment_sizes
from desktop_app.ui.code_chip import CodeChip
from desktop_app.ui.headers_view import HeadersSourceView
from desktop_app.ui.message_header import MessageHeader
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


# After this long (the window is on screen by then) the HTML view is made anyway, so that the first
# message opens as fast as any other.
HTML_VIEW_WARM_UP_MS = 400


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
        # Until the first message, the HTML view has loaded nothing, so QtWebEngine has started no
        # renderer process for it (about 85 MB); clearing it would load an empty page and start one.
        self._html_view_used = False
        self._html_shown: tuple[str, str, Mapping[str, tuple[str, bytes]]] | None = None  # id, html, parts

        self.placeholder = QLabel("Select a message to read it.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)

        content = QWidget(self)
        self.header = MessageHeader(content)
        # The header's parts under the names the window and tests use.
        self.subject, self.sender_label, self.date = (
            self.header.subject,
            self.header.sender_label,
            self.header.date,
        )
        self.recipients = self.header.recipients
        self.mark_unread, self.delete, self.save_eml = (
            self.header.mark_unread,
            self.header.delete,
            self.header.save_eml,
        )
        self.header.mark_unread_requested.connect(self.mark_unread_requested)
        self.header.delete_requested.connect(self.delete_requested)
        self.header.save_eml_requested.connect(self.save_eml_requested)

        self.code_bar = CodeChip(content)
        self.code_label, self.copy_code, self.open_link = (
            self.code_bar.code_label,
            self.code_bar.copy_code,
            self.code_bar.open_link,
        )
        self.code_bar.copy_code_requested.connect(self.copy_code_requested)
        self.code_bar.open_link_requested.connect(self.open_link_requested)

        self.tabs = QTabWidget(content)
        self.tabs.setAccessibleName("Message views")
        # The sealed view, and with it QtWebEngine (its profile and sandbox processes, ~90 ms and
        # ~100 MB), is made when first needed or a moment after the window is up: not before the
        # first frame. Until then its tab holds an empty box.
        self._html_factory = html_view_factory
        self._html_view: QWidget | None = None
        self._html_tab = QWidget(self.tabs)
        self._html_box = QVBoxLayout(self._html_tab)
        self._html_box.setContentsMargins(0, 0, 0, 0)
        self._warm_up = QTimer(self, singleShot=True, interval=HTML_VIEW_WARM_UP_MS)
        self._warm_up.timeout.connect(lambda: self.html_view)
        self._warm_up.start()
        self.text_view = QPlainTextEdit(self.tabs)
        self.text_view.setReadOnly(True)  # plain text: links in it are never clickable
        self.text_view.setAccessibleName("Plain text of the message")
        self.headers_view = HeadersSourceView(self.tabs)
        self.source_view = self.headers_view.source
        self.tabs.addTab(self._html_tab, "HTML")
        self.tabs.addTab(self.text_view, "Text")
        self.tabs.addTab(self.headers_view, "Headers && source")
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.attachments_title = QLabel(texts.ATTACHMENTS_TITLE, content)
        self.attachments = AttachmentChips(content)
        self.attachments.save_requested.connect(self.save_attachment_requested)

        layout = QVBoxLayout(content)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.header)
        layout.addWidget(self.code_bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.attachments_title)
        layout.addWidget(self.attachments)

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
        self._html_shown = None
        if self._html_view_used:
            self.html_view.clear()  # type: ignore[attr-defined]
        self.text_view.clear()
        self.headers_view.clear()
        self.attachments.clear()

    def show_message(
        self,
        address: str,
        message: Message,
        inline_parts: Mapping[str, tuple[str, bytes]],
        raw_source: bytes | None,
        *,
        source_pending: bool = False,
    ) -> None:
        """``source_pending``: the raw source is on its way (``show_source``); the headers tab says so."""
        summary = message.summary
        self.address = address
        self.message = message
        self.header.show_message(address, message)

        html = "\n".join(message.html)
        found = extract_from_message(message)
        self.code, self.link, self.link_text = found.code, found.link, found.link_text
        self.code_bar.show_found(found.code, found.link, found.link_text)

        self._html_view_used = True
        self._html_shown = (summary.id, html, inline_parts)
        self.html_view.show_message(summary.id, html, inline_parts)  # type: ignore[attr-defined]
        self.text_view.setPlainText(message.text or "(This message has no plain-text part.)")
        if source_pending:
            self.headers_view.show_loading(message)
        else:
            self.headers_view.show_message(message, raw_source)
        self._choose_tab(has_html=bool(html.strip()), has_text=bool(message.text))
        self._list_attachments(message, raw_source)
        self.stack.setCurrentIndex(1)

    def show_source(self, raw_source: bytes | None) -> None:
        """The raw source of the message on show, once downloaded: its headers, and attachments'
        exact sizes."""
        if self.message is None:
            return
        self.headers_view.show_message(self.message, raw_source)
        if raw_source is not None and listed_attachments(self.message):
            self._list_attachments(self.message, raw_source)

    def _list_attachments(self, message: Message, raw_source: bytes | None) -> None:
        self.attachments.clear()
        listed = listed_attachments(message)
        exact = exact_attachment_sizes(raw_source) if listed else {}
        for attachment in listed:
            known = exact.get(attachment.filename, [])
            # Only a name that occurs once in the source says which part this is.
            size = known[0] if len(known) == 1 else None
            self.attachments.add(attachment, attachment_size_text(attachment, size), size)
        for widget in (self.attachments_title, self.attachments):
            widget.setVisible(bool(listed))

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

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if not event.spontaneous():  # the window went to the tray (a minimised one stays as it is)
            self.release_html_view()

    def showEvent(self, event: QShowEvent) -> None:
        self.restore_html_view()
        super().showEvent(event)

    def release_html_view(self) -> None:
        """Nothing is read while the pane is hidden: let the HTML view go, its page and with the last
        page the renderer process (about 100 MB); ``restore_html_view`` shows the message again."""
        self._warm_up.stop()
        view, self._html_view = self._html_view, None
        if view is None:
            return
        self._html_view_used = False
        self._html_box.removeWidget(view)
        view.deleteLater()  # its destroyed signal withdraws its message from the scheme (sealed_view)

    def restore_html_view(self) -> None:
        """The window is back: the message on show gets its HTML view again."""
        if self._html_view is None and self._html_shown is not None:
            self._html_view_used = True
            self.html_view.show_message(*self._html_shown)  # type: ignore[attr-defined]

    @property
    def html_view(self) -> QWidget:
        """The HTML view, made on first use (see ``_warm_up`` in ``__init__``)."""
        if self._html_view is None:
            view = self._html_factory(self._html_tab)
            view.setAccessibleName("HTML view (remote content blocked)")
            self._html_box.addWidget(view)
            self._html_view = view
        return self._html_view

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
            "attachments": self.attachments.chip_texts(),
            "prefer_plain_text": self.prefer_plain_text,
        }
        html_state = getattr(self.html_view, "debug_state", None)
        if html_state is None:
            done(state)
        else:
            html_state(lambda html: done({**state, "html": html}))

    def set_seen(self, seen: bool) -> None:
        self.header.set_seen(seen)
