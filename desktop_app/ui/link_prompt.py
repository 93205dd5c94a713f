"""Confirm before a link from a message is opened: its real destination and what looks wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.link_policy import LinkAnalysis


class LinkPrompt(QDialog):
    """Shows the full URL (selectable, never elided) and every warning; "Open in browser" exists only
    for links we are willing to open, and hands them to the system browser."""

    def __init__(self, analysis: LinkAnalysis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.analysis = analysis
        self.setWindowTitle("Open link?")
        self.setAccessibleName("Open link from message")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        heading = QLabel("This link goes to:" if analysis.openable else "This link will not be opened:", self)
        layout.addWidget(heading)
        self.url_view = QPlainTextEdit(analysis.href, self)
        self.url_view.setReadOnly(True)
        self.url_view.setAccessibleName("Link destination")
        self.url_view.setMaximumHeight(80)
        layout.addWidget(self.url_view)
        self.warning_labels: list[QLabel] = []
        for warning in analysis.warnings:
            label = QLabel(f"⚠ {warning.message}", self)
            label.setObjectName(f"warning-{warning.code}")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # the message quotes hosts from the mail
            layout.addWidget(label)
            self.warning_labels.append(label)
        buttons = QDialogButtonBox(self)
        self.open_button: QPushButton | None = None
        if analysis.openable:
            self.open_button = buttons.addButton("Open in browser", QDialogButtonBox.ButtonRole.AcceptRole)
        dismiss = buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel
            if analysis.openable
            else QDialogButtonBox.StandardButton.Close
        )
        # Enter must never open a link from a stranger's mail by accident.
        if self.open_button is not None:
            self.open_button.setAutoDefault(False)
        dismiss.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.accepted.connect(self._open)

    def _open(self) -> None:
        if self.analysis.openable:  # the button does not exist otherwise; checked again on purpose
            QDesktopServices.openUrl(QUrl(self.analysis.href, QUrl.ParsingMode.StrictMode))
