"""Composition root: QApplication → qasync loop → services → one shutdown path."""

from __future__ import annotations

import sys

from desktop_app import APP_NAME
from desktop_app.platform_env import prepare_qt_environment


def run_app(argv: list[str]) -> int:
    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    window = QMainWindow()
    window.setWindowTitle(APP_NAME)
    window.setCentralWidget(QLabel("No addresses yet."))
    window.resize(1100, 700)
    window.show()
    return app.exec()
