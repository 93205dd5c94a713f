"""Choosing where to save an attachment or a message: the only way a mail's files leave the app.

Names are sanitised before the save dialog sees them (see ``desktop_app.core.sealed.filenames``); program and
script types get a warning first, with Cancel as the default. Nothing is ever opened after saving.
"""

from __future__ import annotations

import email.policy
import os
from email.parser import BytesParser

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app.core.sealed import assess_filename, sanitize_filename

# Exact sizes come from parsing the cached source on the GUI thread: only for sources this small.
EXACT_SIZES_MAX_SOURCE = 8 * 1024 * 1024
_EXACT_SIZES_MAX_PARTS = 200


def exact_attachment_sizes(raw_source: bytes | None) -> dict[str, list[int]]:
    """File name → decoded sizes in bytes (in source order) of the named parts of a cached source.
    Empty when there is no source, it is too large, or it cannot be read: the API's kB then stand."""
    if raw_source is None or len(raw_source) > EXACT_SIZES_MAX_SOURCE:
        return {}
    try:
        # compat32 keeps headers raw (policy.default decodes them in quadratic time, see inline_parts).
        message = BytesParser(policy=email.policy.compat32).parsebytes(raw_source)
        sizes: dict[str, list[int]] = {}
        for count, part in enumerate(message.walk()):
            if count > _EXACT_SIZES_MAX_PARTS:
                return {}
            name = part.get_filename() if not part.is_multipart() else None
            if name:
                payload = part.get_payload(decode=True)
                sizes.setdefault(name, []).append(len(payload) if isinstance(payload, bytes) else 0)
        return sizes
    except (ValueError, LookupError, TypeError, RecursionError):  # a hostile source: keep the kB
        return {}


def _downloads_dir() -> str:
    return QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DownloadLocation
    ) or os.path.expanduser("~")


def confirm_risky_file(parent: QWidget | None, filename: str, content_type: str = "") -> bool:
    """True when the file is harmless or the user chose to save it anyway."""
    risk = assess_filename(filename, content_type)
    if not risk.risky:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("This attachment can run code")
    box.setText(risk.reason)
    box.setInformativeText(
        "Temp Inbox will only save it, never open it. Mail to temporary addresses often comes from "
        "strangers; do not open this file unless you are sure what it is."
    )
    save = box.addButton("Save anyway…", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is save


def choose_attachment_path(
    parent: QWidget | None, filename: str, content_type: str = "", directory: str | None = None
) -> str | None:
    """Warn if needed, then ask where to save; ``None`` when the user cancels."""
    safe = sanitize_filename(filename)
    if not confirm_risky_file(parent, safe, content_type):
        return None
    path, _filter = QFileDialog.getSaveFileName(
        parent, "Save attachment", os.path.join(directory or _downloads_dir(), safe)
    )
    return path or None


def choose_eml_path(parent: QWidget | None, subject: str, directory: str | None = None) -> str | None:
    base = sanitize_filename(subject, fallback="message")
    name = base if base.lower().endswith(".eml") else f"{base[:190]}.eml"
    path, _filter = QFileDialog.getSaveFileName(
        parent,
        "Save message as .eml",
        os.path.join(directory or _downloads_dir(), name),
        "E-mail message (*.eml)",
    )
    return path or None
