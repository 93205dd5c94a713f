"""The "Expect mail…" dialog of an address: what to wait for (sender, subject), for how long, and
whether to bring the window to the front when it comes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui import texts


class ExpectMailDialog(QDialog):
    # address, sender pattern, subject pattern ("" for any), timeout in seconds (0: none), raise window
    submitted = Signal(str, str, str, float, bool)

    def __init__(self, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.setWindowTitle(texts.EXPECT_TITLE.format(address=address))
        self.setMinimumWidth(440)
        self.sender_edit = QLineEdit(self)
        self.sender_edit.setPlaceholderText(texts.EXPECT_FROM_HINT)
        self.subject_edit = QLineEdit(self)
        self.subject_edit.setPlaceholderText(texts.EXPECT_SUBJECT_HINT)
        self.timeout = QComboBox(self)
        for label, seconds in texts.EXPECT_TIMEOUTS.items():
            self.timeout.addItem(label, seconds)
        self.timeout.setCurrentText(texts.EXPECT_DEFAULT_TIMEOUT)
        self.raise_window = QCheckBox(texts.EXPECT_RAISE, self)
        self.raise_window.setChecked(True)
        explained = QLabel(texts.EXPECT_EXPLAINED, self)
        explained.setWordWrap(True)
        explained.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        form.addRow(texts.EXPECT_FROM, self.sender_edit)
        form.addRow(texts.EXPECT_SUBJECT, self.subject_edit)
        form.addRow(texts.EXPECT_TIMEOUT, self.timeout)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.start_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.start_button.setText(texts.EXPECT_START)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.raise_window)
        layout.addWidget(explained)
        layout.addWidget(self.buttons)

    def timeout_seconds(self) -> float | None:
        value = self.timeout.currentData()
        return float(value) if value is not None else None

    def _submit(self) -> None:
        seconds = self.timeout_seconds()
        self.submitted.emit(
            self.address,
            self.sender_edit.text().strip(),
            self.subject_edit.text().strip(),
            seconds or 0.0,
            self.raise_window.isChecked(),
        )
        self.accept()
