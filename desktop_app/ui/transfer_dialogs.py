"""Address > Export… / Import…: the choices, the warning about passwords, and what happened.

The work itself is the controller's (``InboxController.export_addresses`` / ``import_addresses`` over
``core/accounts/transfer.py``); these dialogs only ask and tell, and never block the event loop (``open()``,
not ``exec()``), so mail keeps arriving while one is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.accounts import PASSWORDS_WARNING, ExportReport, ImportReport

FILE_FILTER = "Temp Inbox addresses (*.json);;All files (*)"
DEFAULT_NAME = "temp-inbox-addresses.json"

Outcome = Callable[[str], None]  # told the text to show when the work is done (or failed)


class TransferController(Protocol):
    def export_addresses(
        self, path: str, with_passwords: bool, on_done: Outcome, on_error: Outcome
    ) -> None: ...
    def import_addresses(self, path: str, on_done: Outcome, on_error: Outcome) -> None: ...


def _names(addresses: list[str], limit: int = 10) -> str:
    shown = ", ".join(addresses[:limit])
    return shown + (f" and {len(addresses) - limit} more" if len(addresses) > limit else "")


def export_summary(report: ExportReport, path: str) -> str:
    lines = [f"Exported {report.count} address{'es' if report.count != 1 else ''} to {path}."]
    if report.without_password:
        lines.append(f"Without a password (none is saved for them): {_names(report.without_password)}.")
    return "\n\n".join(lines)


def import_summary(report: ImportReport) -> str:
    added = len(report.added)
    lines = [
        f"Added {added} address{'es' if added != 1 else ''}"
        + (f": {_names(report.added)}." if added else ".")
    ]
    if report.skipped:
        skipped = "; ".join(f"{address} ({why})" for address, why in report.skipped[:10])
        more = f" and {len(report.skipped) - 10} more" if len(report.skipped) > 10 else ""
        lines.append(f"Skipped {len(report.skipped)}: {skipped}{more}.")
    if report.without_password:
        lines.append(
            f"The file has no password for {_names(report.without_password)}: "
            "log in to them to read their mail."
        )
    if report.kept_saved_password:
        lines.append(
            f"Kept the password already saved for {_names(report.kept_saved_password)} "
            "(the file's is different)."
        )
    if report.expiry_passed:
        count = len(report.expiry_passed)
        lines.append(
            f"{count} had an automatic deletion already past or minutes away in the file "
            f"({_names(report.expiry_passed)}): imported kept, so that nothing is deleted the moment "
            "it arrives. Set it again if you want."
        )
    if report.with_expiry:
        lines.append(
            f"Deleted automatically at the time the file gives: {_names(report.with_expiry)} "
            "(the list says when; Keep this address undoes it)."
        )
    return "\n\n".join(lines)


class ExportDialog(QDialog):
    """Where to, and whether with passwords; the warning is on screen whenever passwords are."""

    def __init__(self, default_path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export addresses")
        self.setObjectName("exportDialog")
        intro = QLabel(
            "Write your addresses to a file, to import them into Temp Inbox elsewhere. "
            "Only you can read the file."
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(default_path)
        self.path_edit.setAccessibleName("Export file")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.passwords_box = QCheckBox("Include the passwords (needed to open the addresses elsewhere)")
        self.warning = QLabel(PASSWORDS_WARNING)
        self.warning.setWordWrap(True)
        self.warning.setObjectName("passwordsWarning")
        self.warning.setStyleSheet("font-weight: bold")
        self.warning.setVisible(False)
        self.passwords_box.toggled.connect(self.warning.setVisible)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.path_edit.textChanged.connect(lambda text: self.export_button.setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.passwords_box)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export addresses", self.path_edit.text(), FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def choice(self) -> tuple[str, bool]:
        return str(Path(self.path_edit.text().strip()).expanduser()), self.passwords_box.isChecked()


def show_outcome(parent: QWidget, title: str, text: str, *, failed: bool = False) -> QMessageBox:
    icon = QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _telling(parent: QWidget, title: str, *, failed: bool = False) -> Outcome:
    def tell(text: str) -> None:
        show_outcome(parent, title, text, failed=failed)

    return tell


def open_export(parent: QWidget, controller: TransferController) -> ExportDialog:
    dialog = ExportDialog(str(Path.home() / DEFAULT_NAME), parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        path, with_passwords = dialog.choice()
        controller.export_addresses(
            path,
            with_passwords,
            _telling(parent, "Addresses exported"),
            _telling(parent, "Export failed", failed=True),
        )

    dialog.accepted.connect(accepted)
    dialog.open()
    return dialog


def open_import(parent: QWidget, controller: TransferController) -> None:
    path, _ = QFileDialog.getOpenFileName(parent, "Import addresses", str(Path.home()), FILE_FILTER)
    if not path:
        return
    controller.import_addresses(
        path,
        _telling(parent, "Addresses imported"),
        # All or nothing: a refused file changed nothing, and the text says what is wrong with it.
        _telling(parent, "Nothing was imported", failed=True),
    )
