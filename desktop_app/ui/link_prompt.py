"""Confirm before a link from a message is opened: its real destination and what looks wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.sealed import LinkAnalysis
from desktop_app.ui.clipboard import copy_text

NO_BROWSER_TITLE = "No web browser opened"
NO_BROWSER_TEXT = (
    "Temp Inbox could not start a web browser for this link. Use “Copy link” and paste it into your browser."
)


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
        self.copy_button = buttons.addButton("Copy link", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self._copy)
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

        self.failure: QMessageBox | None = None

    def _copy(self) -> None:
        copy_text(self.analysis.href)
        self.copy_button.setText("Copied")

    def _open(self) -> None:
        if not self.analysis.openable:  # the button does not exist then; checked again on purpose
            return
        if QDesktopServices.openUrl(QUrl(self.analysis.href, QUrl.ParsingMode.StrictMode)):
            return
        # The prompt has closed: the message goes to its parent window, with the link to copy.
        self.failure = box = QMessageBox(
            QMessageBox.Icon.Warning, NO_BROWSER_TITLE, NO_BROWSER_TEXT, parent=self.parentWidget()
        )
        href = self.analysis.href  # the prompt may be gone when the button is pressed
        box.setDetailedText(href)
        copy = box.addButton("Copy link", QMessageBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: copy_text(href))
        box.addButton(QMessageBox.StandardButton.Close)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
