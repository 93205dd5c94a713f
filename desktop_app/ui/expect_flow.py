"""Runs "Expect mail…" for the window: the dialog from the address's menu, the board of waits that
the sidebar row and the header's bar read, "Stop waiting", and a timed-out wait's verdict handed to
the health flow's actions (the waits and their checks are the core's; see ``waiting_line``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from desktop_app.ui.expect_dialog import ExpectMailDialog
from desktop_app.ui.health_flow import HealthFlow
from desktop_app.ui.waiting_line import WaitingBoard

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


class ExpectFlow(QObject):
    def __init__(self, window: MainWindow, health: HealthFlow) -> None:
        super().__init__(window)
        controller, signals = window.controller, window.signals
        self._controller = controller
        self._window = window
        self._sidebar = sidebar = window.sidebar
        self._bar = bar = window.reading.waiting_bar
        self.board = WaitingBoard(controller.expectations, parent=self)
        self.dialog: ExpectMailDialog | None = None
        sidebar.model.waiting_line = self.board.line
        sidebar.is_waiting = lambda address: self.board.waiting(address) is not None
        sidebar.expect_requested.connect(self.open)
        sidebar.stop_waiting_requested.connect(self.stop)
        signals.expectation_changed.connect(self.board.on_changed)
        self.board.changed.connect(self._show)
        bar.stop_requested.connect(controller.stop_waiting)
        bar.action_requested.connect(health.run_action)
        bar.details_requested.connect(health.check)
        bar.dismissed.connect(self.board.dismiss)

    def open(self, address: str) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = self.dialog = ExpectMailDialog(address, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(
            lambda a, sender, subject, timeout, raise_window: self._controller.expect_mail(
                a, sender, subject, timeout or None, raise_window
            )
        )
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))
        dialog.open()

    def _forget(self, dialog: ExpectMailDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def stop(self, address: str) -> None:
        waiting = self.board.waiting(address)
        if waiting is not None:
            self._controller.stop_waiting(waiting.id)

    def show_for(self, address: str | None) -> None:
        """The header's bar for the address now shown."""
        self._bar.show_for(address, self.board)

    def _show(self) -> None:
        self._sidebar.model.waiting_changed()
        self.show_for(self._window.current_address())

    def debug_state(self) -> dict[str, object]:
        """The sidebar's waiting lines and the header's bar as they read (debug IPC, e2e tests)."""
        lines = {
            info.address: line
            for info in self._sidebar.model.infos()
            if (line := self._sidebar.model.waiting_line(info.address))
        }
        return {"waiting": lines, "waiting_bar": self._bar.label.text() if self._bar.isVisible() else ""}
