"""The "Headers & source" tab: the decoded header fields as a table (name | value) above the raw
source, with the mail service's sender checks on top. Values are plain-text table items."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.models import Message
from desktop_app.core.sealed import parse_headers
from desktop_app.ui import texts
from desktop_app.ui.message_header import muted

MAX_FIELDS = 300


def sender_checks(message: Message) -> str:
    v = message.verifications
    return (
        f"Sender checks by the mail service — SPF: {'pass' if v.spf else 'no pass'}, "
        f"DKIM: {'pass' if v.dkim else 'no pass'}, TLS: {v.tls or 'no'}"
    )


class HeadersSourceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.checks = muted(QLabel(self))
        self.checks.setTextFormat(Qt.TextFormat.PlainText)
        self.checks.setAccessibleName("Sender checks")
        # Wrapped: one long line held the whole message pane (and with it the window) 450 px wide.
        self.checks.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setAccessibleName("Headers")
        self.table.setHorizontalHeaderLabels([texts.HEADERS_NAME, texts.HEADERS_VALUE])
        self.table.verticalHeader().setVisible(False)
        # One text line per field: a header table is read by scanning down it.
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.cut_note = muted(QLabel(texts.HEADERS_CUT.format(fields=MAX_FIELDS), self))
        self.cut_note.setWordWrap(True)
        self.source = QPlainTextEdit(self)
        self.source.setReadOnly(True)
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.source.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.source.setAccessibleName("Headers and raw source")
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.cut_note)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.source)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([200, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.checks)
        layout.addWidget(self.splitter, 1)

    def clear(self) -> None:
        self.checks.clear()
        self.table.setRowCount(0)
        self.cut_note.hide()
        self.source.clear()

    def show_loading(self, message: Message) -> None:
        """The sender checks now; the header fields and source once the source is downloaded."""
        self.checks.setText(sender_checks(message))
        self.table.setRowCount(0)
        self.cut_note.hide()
        self.source.setPlainText(texts.RAW_SOURCE_LOADING)

    def show_message(self, message: Message, raw_source: bytes | None) -> None:
        self.checks.setText(sender_checks(message))
        if raw_source is None:
            self.table.setRowCount(0)
            self.cut_note.hide()
            self.source.setPlainText(texts.NO_RAW_SOURCE)
            return
        block = parse_headers(raw_source, max_fields=MAX_FIELDS)
        self.table.setRowCount(len(block.fields))
        for row, field in enumerate(block.fields):
            for column, text in enumerate((field.name, field.value)):
                item = QTableWidgetItem(text)
                item.setToolTip(text if column else "")
                self.table.setItem(row, column, item)
        self.cut_note.setVisible(not block.complete)
        self.source.setPlainText(raw_source.decode("utf-8", errors="replace"))

    def fields(self) -> list[tuple[str, str]]:
        """The table's (name, value) rows, as shown."""

        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        return [(text(r, 0), text(r, 1)) for r in range(self.table.rowCount())]
