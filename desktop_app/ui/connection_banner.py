"""A bar above the content while the shown address is not live: why, a countdown to the next attempt
(the core's ``ConnectionState.retry_in``), and **Retry now**.

The sidebar's small state line says the same, but a countdown of 23 s with no way to skip it was the
experience after a server came back; this bar makes the wait visible and skippable.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.core.events import ConnectionState
from desktop_app.ui import texts
from desktop_app.ui.action_icons import themed_icon

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

# The kinds that mean "new mail will not arrive now" (see controller.py for the list).
NOT_LIVE = ("retrying", "failed", "offline")


@dataclass(frozen=True, slots=True)
class _Known:
    kind: str
    reason: str
    deadline: float | None  # monotonic time of the next attempt, while retrying


class ConnectionBanner(QFrame):
    retry_requested = Signal(str)  # address

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setAccessibleName("Connection problem")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self._clock = clock
        self._known: dict[str, _Known] = {}
        self._address: str | None = None

        self.title = QLabel(texts.OFFLINE_TITLE, self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel(self)
        # A reason can quote a server's answer: plain text only.
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.countdown = QLabel(self)
        self.countdown.setAccessibleName("Next attempt")
        self.retry_button = QPushButton(themed_icon("view-refresh"), texts.RETRY_NOW, self)
        self.retry_button.setToolTip(texts.RETRY_TOOLTIP)
        self.retry_button.clicked.connect(self._retry)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.countdown)
        layout.addWidget(self.retry_button)
        self._tick = QTimer(self)
        self._tick.setInterval(250)  # a second-resolution countdown without visible lag
        self._tick.timeout.connect(self._update_countdown)
        self.hide()

    @property
    def address(self) -> str | None:
        return self._address

    def set_state(self, address: str, state: ConnectionState) -> None:
        """A connection change for any address; shown when it is the current one."""
        retrying = state.kind == "retrying" and state.retry_in is not None
        deadline = self._clock() + (state.retry_in or 0.0) if retrying else None
        self._known[address] = _Known(state.kind, state.reason, deadline)
        if address == self._address:
            self._render()

    def show_address(self, address: str | None, kind: str = "", reason: str = "") -> None:
        """The window switched address; ``kind``/``reason`` are the sidebar's view when nothing
        more precise (a countdown) has been heard for it yet."""
        self._address = address
        if address is not None and address not in self._known and kind:
            self._known[address] = _Known(kind, reason, None)
        self._render()

    def _render(self) -> None:
        known = self._known.get(self._address) if self._address else None
        if known is None or known.kind not in NOT_LIVE:
            self._tick.stop()
            self.hide()
            return
        if known.kind == "offline":
            self.detail.setText(texts.OFFLINE_CACHED)
        else:
            self.detail.setText(known.reason[:1].upper() + known.reason[1:] if known.reason else "")
        # An address with no mailbox (cached only) has nothing to reconnect.
        self.retry_button.setVisible(known.kind != "offline")
        self.retry_button.setEnabled(True)
        self.show()
        self._update_countdown()
        if known.deadline is not None:
            self._tick.start()
        else:
            self._tick.stop()

    def _update_countdown(self) -> None:
        known = self._known.get(self._address) if self._address else None
        if known is None:
            return
        if known.kind == "failed":
            self.countdown.setText(texts.CANNOT_CONNECT)
        elif known.deadline is None:
            self.countdown.setText("" if known.kind == "offline" else texts.RECONNECTING_NOW)
        else:
            left = known.deadline - self._clock()
            if left > 0:
                self.countdown.setText(texts.RECONNECTING_IN.format(seconds=math.ceil(left)))
            else:
                self.countdown.setText(texts.RECONNECTING_NOW)
                self._tick.stop()

    def seconds_shown(self) -> int | None:
        """The number in the countdown (tests)."""
        digits = "".join(c for c in self.countdown.text() if c.isdigit())
        return int(digits) if digits else None

    def _retry(self) -> None:
        if self._address is None:
            return
        self.retry_button.setEnabled(False)  # until the next state arrives
        self.countdown.setText(texts.RECONNECTING_NOW)
        self._tick.stop()
        self.retry_requested.emit(self._address)


def install_connection_banner(window: MainWindow) -> ConnectionBanner:
    """Put the bar under the notification banner and feed it the current address and its state."""
    banner = ConnectionBanner(window)
    central = window.centralWidget()
    layout = central.layout() if central is not None else None
    assert isinstance(layout, QBoxLayout)
    layout.insertWidget(1, banner)

    def address_shown(address: object) -> None:
        info = window.sidebar.model.info(str(address)) if address else None
        if info is None:
            banner.show_address(None)
        else:
            banner.show_address(info.address, info.state_kind, info.state_text)

    window.sidebar.address_selected.connect(address_shown)
    window.signals.connection_changed.connect(banner.set_state)
    banner.retry_requested.connect(window.controller.retry_now)
    address_shown(window.current_address())
    return banner
