"""Test-wide set-up. Environment that Qt reads at import time is set here, before anything imports Qt."""

from __future__ import annotations

import os

# Unit and widget tests draw off screen; end-to-end tests start their own X server and session.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
# Never touch a real keyring by accident: tests that want one pin it explicitly.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from desktop_app.platform_env import prepare_qt_environment

prepare_qt_environment()

import PySide6.QtWebEngineWidgets  # noqa: E402, F401  (QtWebEngine must be imported before QApplication)

from desktop_app.ui.mail_scheme import register_mail_scheme  # noqa: E402

register_mail_scheme()  # custom URL schemes must be declared before the QApplication exists
