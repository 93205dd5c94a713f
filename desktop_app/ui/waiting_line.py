"""Expecting mail in the window: which waits run ("Waiting for mail from acme… 0:42"), how long each
has waited, and what a timed-out one found (the check's verdict, with its one next step).

``WaitingBoard`` keeps the waits the controller reports and ticks once a second while any runs; its
clock is a seam, so tests move time without sleeping. ``WaitingBar`` shows the board's line for the
address in the message-list header, with "Stop waiting", or after a timeout the verdict and its action.
The sidebar shows the same line under the address (``address_list``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.core.events import Expectation, ExpectationChanged
from desktop_app.core.health import HealthReport
from desktop_app.ui import texts

TICK_MS = 1000


def format_elapsed(seconds: float) -> str:
    """0:42, 12:05, 1:02:03."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class TimedOut:
    """A wait that ended without mail; ``report`` is None while its check runs (``checked`` False)."""

    expectation: Expectation
    checked: bool = False
    report: HealthReport | None = None


class WaitingBoard(QObject):
    changed = Signal()

    def __init__(
        self,
        read: Callable[[], list[Expectation]],
        *,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._read = read
        self.clock = clock
        self._waits: list[Expectation] = []
        self.timed_out: dict[str, TimedOut] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.changed)

    def refresh(self) -> None:
        self._waits = self._read()
        if self._waits and not self.timer.isActive():
            self.timer.start()
        elif not self._waits:
            self.timer.stop()
        self.changed.emit()

    def on_changed(self, event: ExpectationChanged) -> None:
        address = event.address
        if event.ended is None and address:
            self.timed_out.pop(address, None)  # waiting again: the last verdict is history
        elif event.ended == "timed-out" and address:
            self.timed_out[address] = TimedOut(event.expectation)
        elif event.ended == "checked" and address:
            self.timed_out[address] = TimedOut(event.expectation, True, event.report)
        self.refresh()

    def dismiss(self, address: str) -> None:
        if self.timed_out.pop(address, None) is not None:
            self.changed.emit()

    def waiting(self, address: str) -> Expectation | None:
        """The wait shown on ``address``: its own newest, else one for any address."""
        mine = [e for e in self._waits if e.address == address] or [
            e for e in self._waits if e.address is None
        ]
        return mine[-1] if mine else None

    def _elapsed(self, expectation: Expectation) -> str:
        return format_elapsed(self.clock() - expectation.started)

    def line(self, address: str) -> str:
        """The short line for the sidebar row ("" when nothing to say)."""
        waiting = self.waiting(address)
        if waiting is not None:
            return texts.WAITING_LINE.format(wanted=waiting.wanted(), elapsed=self._elapsed(waiting))
        ended = self.timed_out.get(address)
        if ended is not None:
            e = ended.expectation
            return texts.WAIT_TIMED_OUT.format(wanted=e.wanted(), elapsed=format_elapsed(e.timeout or 0))
        return ""


class WaitingBar(QFrame):
    """Under the address in the message-list header: the wait on it, or what its timeout found."""

    stop_requested = Signal(int)  # expectation id
    action_requested = Signal(str, str)  # verdict action, address
    details_requested = Signal(str)  # address: the health panel
    dismissed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waitingBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Expecting mail")
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # sender patterns and verdicts are not markup
        self.label.setWordWrap(True)
        self.stop_button = QPushButton(texts.STOP_WAITING, self)
        self.stop_button.setToolTip(texts.STOP_WAITING_TIP)
        self.action_button = QPushButton(self)
        self.details_button = QPushButton(texts.WAIT_DETAILS, self)
        self.dismiss_button = QPushButton(texts.WAIT_DISMISS, self)
        # One line while waiting ("… 0:42  [Stop waiting]"); a verdict reads better over its buttons.
        self._layout = layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.stop_button, self.action_button, self.details_button, self.dismiss_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.address: str | None = None
        self._expectation_id = 0
        self._action = ""
        self.stop_button.clicked.connect(lambda: self.stop_requested.emit(self._expectation_id))
        self.action_button.clicked.connect(self._on_action)
        self.details_button.clicked.connect(lambda: self.details_requested.emit(self.address or ""))
        self.dismiss_button.clicked.connect(lambda: self.dismissed.emit(self.address or ""))
        self.setVisible(False)

    def show_for(self, address: str | None, board: WaitingBoard) -> None:
        self.address = address
        waiting = board.waiting(address) if address else None
        ended = board.timed_out.get(address) if address else None
        buttons = (self.stop_button, self.action_button, self.details_button, self.dismiss_button)
        shown: tuple[QPushButton, ...] = ()
        if waiting is not None:
            self._expectation_id = waiting.id
            text = board.line(address or "")
            if waiting.origin == "command":
                text += texts.WAITING_FROM_COMMAND
            shown = (self.stop_button,)
        elif ended is not None:
            e = ended.expectation
            words = {"wanted": e.wanted(), "elapsed": format_elapsed(e.timeout or 0)}
            if not ended.checked:
                text = texts.WAIT_CHECKING.format(**words)
                shown = (self.dismiss_button,)
            elif ended.report is None:
                text = texts.WAIT_NO_CHECK.format(**words)
                shown = (self.details_button, self.dismiss_button)
            else:
                verdict = ended.report.verdict
                text = texts.WAIT_VERDICT.format(**words, verdict=verdict.text)
                self._action = verdict.action
                self.action_button.setText(verdict.action_label)
                shown = (self.action_button, self.details_button, self.dismiss_button)
        else:
            self.setVisible(False)
            return
        self.label.setText(text)
        over = waiting is None and ended is not None and ended.checked
        self._layout.setDirection(
            QBoxLayout.Direction.TopToBottom if over else QBoxLayout.Direction.LeftToRight
        )
        for button in buttons:
            button.setVisible(button in shown)
        self.setVisible(True)

    def _on_action(self) -> None:
        if self.address:
            self.action_requested.emit(self._action, self.address)
