"""New-mail notifications as an adapter chain with a null fallback (qutebrowser's pattern).

    D-Bus Notify (a service owns org.freedesktop.Notifications; "Copy code"/"Open" actions)
      → tray balloon (QSystemTrayIcon.showMessage, when a tray is available)
      → in-app banner (NotificationBanner, placed by the main window)
      → null

The chain is chosen on first use (or by ``prepare()`` at start-up, which saves the first notice the
D-Bus round trips). What to show and when is decided by the Qt-free ``NoticeBatcher``; this class only
schedules its flushes and hands notices to the chosen backend. Copying a code is done here (with the
optional clear-after), and announced with ``code_copied`` so the window can confirm it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app.core.notice import (
    NewMessage,
    Notice,
    NoticeBatcher,
    expired_notice,
    expiring_notice,
)
from desktop_app.desktop.dbus_notify import DBusNotifier
from desktop_app.ui.banner import NotificationBanner
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.icons import icon_path
from desktop_app.ui.notify_backends import (
    BannerBackend,
    DBusBackend,
    NotificationBackend,
    NullBackend,
    TrayBalloonBackend,
)

log = logging.getLogger(__name__)


class Notifications(QObject):
    copy_code_requested = Signal(str)  # the user asked for a code (we copy it unless copy_codes=False)
    code_copied = Signal(str)
    open_message_requested = Signal(str, str)  # address, message id ("" when unknown)
    keep_address_requested = Signal(str)  # "Keep address" on the warning before an expiry
    backend_changed = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        tray: QSystemTrayIcon | None = None,
        banner: NotificationBanner | None = None,
        use_dbus: bool = True,
        bus: str = "SESSION",
        batcher: NoticeBatcher | None = None,
        copy_codes: bool = True,
        clear_clipboard_after: float | None = None,
    ) -> None:
        super().__init__(parent)
        self.tray = tray
        self.banner = banner
        self.use_dbus = use_dbus
        self.bus = bus
        self.batcher = batcher or NoticeBatcher()
        self.copy_codes = copy_codes
        self.clear_clipboard_after = clear_clipboard_after
        self._backend: NotificationBackend | None = None
        self._dbus: DBusNotifier | None = None
        self._probe: asyncio.Task[bool] | None = None
        self._closing: set[asyncio.Task[None]] = set()  # replaced D-Bus connections, closing
        self._waiting: list[Notice] = []
        self._closed = False
        self._balloon: TrayBalloonBackend | None = None
        self._banner_backend: BannerBackend | None = None
        self._null = NullBackend()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)

    # --- what the app calls -------------------------------------------------------------------

    @property
    def backend_name(self) -> str:
        return self._backend.name if self._backend else ""

    @property
    def do_not_disturb(self) -> bool:
        return self.batcher.do_not_disturb

    def set_do_not_disturb(self, on: bool) -> None:
        self.batcher.do_not_disturb = on
        if on:
            self._flush_timer.stop()
            self._waiting.clear()

    def prepare(self) -> None:
        """Choose the backend now instead of on the first notice."""
        if self._backend is None and self._probe is None:
            self._start_choosing()

    def message_arrived(self, message: NewMessage) -> None:
        for notice in self.batcher.push(message):
            self._show(notice)
        self._schedule_flush()

    def address_expiring(
        self, address: str, label: str, expires_at: datetime, now: datetime | None = None
    ) -> None:
        """The warning before an address is deleted at its expiry, with "Keep address". Not folded
        with new mail (it is about the address, and rare); do-not-disturb holds it back like any
        popup, while the sidebar row turns to a warning either way."""
        if not self.do_not_disturb:
            self._show(expiring_notice(address, label, expires_at, now or datetime.now(UTC)))

    def address_expired(self, address: str, label: str, remote_deleted: bool = True) -> None:
        if not self.do_not_disturb:
            self._show(expired_notice(address, label, remote_deleted))

    def shutdown(self) -> Coroutine[Any, Any, None]:
        """Stop timers; the returned coroutine closes the D-Bus connection (await it at shutdown)."""
        self._closed = True
        self._flush_timer.stop()
        if self._probe is not None:
            self._probe.cancel()
        self._drop_backend()
        dbus, self._dbus = self._dbus, None
        return dbus.aclose() if dbus is not None else _nothing()

    # --- user actions, from any backend -------------------------------------------------------

    def copy_code(self, code: str) -> None:
        if self._closed:
            return  # a click that raced the shutdown
        self.copy_code_requested.emit(code)
        if self.copy_codes:
            copy_text(code, clear_after=self.clear_clipboard_after)
            self.code_copied.emit(code)

    def open_message(self, address: str, message_id: str) -> None:
        if not self._closed:
            self.open_message_requested.emit(address, message_id)

    def keep_address(self, address: str) -> None:
        if not self._closed:
            self.keep_address_requested.emit(address)

    # --- choosing and using the backend -------------------------------------------------------

    def _show(self, notice: Notice) -> None:
        if self._backend is None:
            self._waiting.append(notice)
            if self._probe is None:
                self._start_choosing()
            return
        try:
            self._backend.show(notice)
        except ConnectionError as exc:
            log.info("notification backend %s failed (%r); choosing again", self._backend.name, exc)
            self._drop_backend()
            self._waiting.append(notice)
            self._start_choosing()

    def _start_choosing(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if not self.use_dbus or loop is None:
            self._settle(None)
            return
        dbus = DBusNotifier(bus=self.bus, app_icon=str(icon_path() or "mail-message-new"))
        backend = DBusBackend(
            dbus, self.copy_code, self.open_message, fallback=self._fallback, on_keep=self.keep_address
        )
        self._probe = loop.create_task(dbus.start(), name="notifications-probe-dbus")
        self._probe.add_done_callback(lambda task: self._probed(backend, task))

    def _probed(self, backend: DBusBackend, task: asyncio.Task[bool]) -> None:
        self._probe = None
        if self._closed:
            return
        ok = not task.cancelled() and task.exception() is None and task.result()
        self._settle(backend if ok else None)

    def _settle(self, dbus_backend: DBusBackend | None) -> None:
        if dbus_backend is not None:
            old, self._dbus = self._dbus, dbus_backend.notifier
            if old is not None:
                closing = asyncio.get_running_loop().create_task(
                    old.aclose(), name="notifications-close-dbus"
                )
                self._closing.add(closing)
                closing.add_done_callback(self._closing.discard)
            self._backend = dbus_backend
        else:
            self._backend = self._local_backend()
        log.info("notifications go to: %s", self._backend.name)
        self.backend_changed.emit(self._backend.name)
        waiting, self._waiting = self._waiting, []
        for notice in waiting:
            self._show(notice)

    def _local_backend(self) -> NotificationBackend:
        # Built once per tray/banner: each one connects to its widget's signals.
        tray, banner = self.tray, self.banner
        if tray is not None and tray.isVisible() and tray.isSystemTrayAvailable() and tray.supportsMessages():
            if self._balloon is None or self._balloon.tray is not tray:
                self._balloon = TrayBalloonBackend(tray, self.open_message)
            return self._balloon
        if banner is not None:
            if self._banner_backend is None or self._banner_backend.banner is not banner:
                self._banner_backend = BannerBackend(banner, self.copy_code, self.open_message)
            return self._banner_backend
        return self._null

    def _fallback(self, notice: Notice) -> None:
        """A Notify call failed after it was sent: show this notice locally, retry D-Bus next time."""
        self._drop_backend()
        self._local_backend().show(notice)

    def _drop_backend(self) -> None:
        if isinstance(self._backend, DBusBackend):
            self._backend.retire()
        self._backend = None

    def _schedule_flush(self) -> None:
        due = self.batcher.due()
        if due is None:
            return
        delay_ms = max(0, round((due - self.batcher.clock()) * 1000))
        if not self._flush_timer.isActive() or self._flush_timer.remainingTime() > delay_ms:
            self._flush_timer.start(delay_ms)

    def _flush(self) -> None:
        for notice in self.batcher.flush():
            self._show(notice)
        self._schedule_flush()


async def _nothing() -> None:
    return None
