"""Runs "Why hasn't my mail arrived?" for the window: opens the dialog, asks the controller for the
checks, feeds the dialog what comes back for its address, and hands the verdict's next step to the
window (new address, log in again, reconnect, show the address's mail).

Each run has a number: a dialog closed and opened again while a slow check runs must not show the
earlier run's late lines among its own."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

from desktop_app.core.health import CheckResult, HealthReport
from desktop_app.ui.controller import AppController, AppSignals
from desktop_app.ui.health_dialog import HealthDialog


class HealthFlow(QObject):
    def __init__(
        self,
        controller: AppController,
        signals: AppSignals,
        window: QWidget,
        *,
        new_address: Callable[[], None],
        new_address_like: Callable[[str], None],
        log_in: Callable[[], None],
        show_address: Callable[[str], object],
    ) -> None:
        super().__init__(window)
        self._controller = controller
        self._window = window
        self._actions: dict[str, Callable[[str], object]] = {
            "new-address": lambda _a: new_address(),
            "new-address-other-domain": new_address_like,
            "log-in-again": lambda _a: log_in(),
            "reconnect": controller.retry_now,
            "delete-old-mail": show_address,  # the address's mail, to delete old messages from
        }
        self.dialog: HealthDialog | None = None
        self._runs = itertools.count(1)
        self.run = 0  # the run the dialog shows
        signals.health_progress.connect(self._on_progress)
        signals.health_done.connect(self._on_done)
        signals.health_failed.connect(self._on_failed)

    def check(self, address: str) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = self.dialog = HealthDialog(address, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._forget(d))
        dialog.check_again_requested.connect(self._run)
        dialog.action_requested.connect(self._on_action)
        dialog.open()
        self._run(address)

    def _run(self, address: str) -> None:
        if self.dialog is not None:
            self.dialog.restart()
        self.run = next(self._runs)
        self._controller.check_address(address, self.run)

    def _mine(self, address: str, run: int) -> HealthDialog | None:
        dialog = self.dialog
        return dialog if dialog is not None and dialog.address == address and run == self.run else None

    def _on_progress(self, address: str, run: int, check: CheckResult) -> None:
        if (dialog := self._mine(address, run)) is not None:
            dialog.add_check(check)

    def _on_done(self, address: str, run: int, report: HealthReport) -> None:
        if (dialog := self._mine(address, run)) is not None:
            dialog.show_report(report)

    def _on_failed(self, address: str, run: int, text: str) -> None:
        if (dialog := self._mine(address, run)) is not None:
            dialog.show_failure(text)

    def run_action(self, action: str, address: str) -> None:
        """A verdict's next step (from the dialog, or the inline verdict of a timed-out wait)."""
        if action == "wait":
            self.check(address)  # "Check again"
        else:
            self._on_action(action, address)

    def _on_action(self, action: str, address: str) -> None:
        handler = self._actions.get(action)
        if handler is not None:
            handler(address)

    def _forget(self, dialog: HealthDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
