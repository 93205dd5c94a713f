"""The local server's one essential fact, always on screen: where to send mail (SMTP host:port), with Copy.

A mail catcher is used by pointing another program at its SMTP port; a 6-second status message was
the only place the port appeared, and the port can differ from 2525 when that one is taken. The footer
appears once the server runs, whoever started it (``--local``, an address on it, the user's choice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from desktop_app.core.api import LOCAL_ID
from desktop_app.ui import texts
from desktop_app.ui.controller import ALL_ADDRESSES
from desktop_app.ui.empty_state import SmtpHint

if TYPE_CHECKING:
    from desktop_app.core.local_service import LocalEndpoints, LocalService
    from desktop_app.ui.main_window import MainWindow


class LocalSmtpLine(QFrame):
    """A framed footer for the address sidebar: "Local mail server — send to 127.0.0.1:2525 [Copy]"."""

    copy_requested = Signal(str)

    def __init__(self, smtp: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("localSmtpLine")
        self.setAccessibleName("Local mail server SMTP address")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.hint = SmtpHint(texts.LOCAL_SMTP_LINE, self, wrap=True)
        self.hint.set_smtp(smtp)
        self.hint.copy_requested.connect(self.copy_requested)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.addWidget(self.hint)


def show_local_smtp(window: MainWindow, smtp: str) -> LocalSmtpLine:
    """Wire the SMTP address into the sidebar footer and the empty message list (once; a later call
    only updates the address)."""
    line = window.sidebar.findChild(LocalSmtpLine)
    if line is not None:
        line.hint.set_smtp(smtp)
        window.empty_list.set_smtp(smtp)
        return line
    line = LocalSmtpLine(smtp, window.sidebar)
    window.sidebar.add_footer(line)

    def on_the_server(address: str) -> bool:  # a mail.tm address's mail does not go through it
        model = window.sidebar.model
        if address == ALL_ADDRESSES:  # only when one of them is on it
            return any(info.provider_id == LOCAL_ID for info in model.infos())
        info = model.info(address)
        return info is not None and info.provider_id == LOCAL_ID

    window.empty_list.takes_smtp = on_the_server
    window.empty_list.set_smtp(smtp)

    def copy(text: str) -> None:
        window.controller.copy_to_clipboard(text, f"the SMTP address {text}", False)

    line.copy_requested.connect(copy)
    window.empty_list.smtp.copy_requested.connect(copy)
    return line


def follow_local_server(window: MainWindow, local: LocalService, status: Callable[[str], None]) -> None:
    """The footer as soon as this computer's server runs: at once after ``--local``, else when it starts."""

    def started(endpoints: LocalEndpoints) -> None:
        show_local_smtp(window, endpoints.smtp)
        status(texts.LOCAL_SMTP_STATUS.format(smtp=endpoints.smtp))

    local.on_started(started)
