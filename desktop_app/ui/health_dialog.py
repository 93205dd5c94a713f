"""The "Why hasn't my mail arrived?" dialog: the checks of one address as they end, then one verdict
in words and the one next step as a button (the checks and verdicts are
:mod:`desktop_app.core.health`'s; this only shows them)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.health import CheckResult, HealthReport
from desktop_app.ui import texts


class HealthDialog(QDialog):
    action_requested = Signal(str, str)  # action code, address
    check_again_requested = Signal(str)  # address

    def __init__(self, address: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.address = address
        self.setWindowTitle(texts.HEALTH_TITLE)
        self.setMinimumWidth(520)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setText(texts.HEALTH_CHECKING.format(address=address))
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(4)
        self.busy.setAccessibleName(texts.HEALTH_BUSY_NAME)
        self.checks = QListWidget(self)
        self.checks.setAccessibleName(texts.HEALTH_CHECKS_NAME)
        self.checks.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.verdict = QLabel(self)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName(texts.HEALTH_VERDICT_NAME)
        font = self.verdict.font()
        font.setBold(True)
        self.verdict.setFont(font)
        self.verdict.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.action_button = QPushButton(self)
        self.action_button.setVisible(False)
        self.action_button.clicked.connect(self._on_action)
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.ActionRole)
        self._action = ""
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.busy)
        layout.addWidget(self.checks, 1)
        layout.addWidget(self.verdict)
        layout.addWidget(self.buttons)

    def restart(self) -> None:
        """Checking (again): the earlier run's lines and verdict go."""
        self.checks.clear()
        self.verdict.setVisible(False)
        self.action_button.setVisible(False)
        self.busy.setVisible(True)
        self.heading.setText(texts.HEALTH_CHECKING.format(address=self.address))

    def add_check(self, check: CheckResult) -> None:
        mark = "✓" if check.ok else "✗"
        item = QListWidgetItem(f"{mark}  {texts.CHECK_NAMES.get(check.name, check.name)}: {check.detail}")
        item.setToolTip(f"{check.ms} ms")
        self.checks.addItem(item)

    def show_report(self, report: HealthReport) -> None:
        self.busy.setVisible(False)
        self.heading.setText(texts.HEALTH_DONE.format(address=self.address))
        self.checks.clear()
        for check in report.checks:
            self.add_check(check)
        self.verdict.setText(report.verdict.text)
        self.verdict.setVisible(True)
        self._action = report.verdict.action
        self.action_button.setText(report.verdict.action_label)
        self.action_button.setVisible(True)
        self.action_button.setDefault(True)

    def show_failure(self, text: str) -> None:
        self.busy.setVisible(False)
        self.verdict.setText(text)
        self.verdict.setVisible(True)
        self._action = "wait"
        self.action_button.setText(texts.HEALTH_CHECK_AGAIN)
        self.action_button.setVisible(True)

    def _on_action(self) -> None:
        if self._action == "wait":
            self.check_again_requested.emit(self.address)
            return
        self.action_requested.emit(self._action, self.address)
        self.accept()
