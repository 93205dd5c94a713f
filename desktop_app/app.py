"""Composition root: QApplication → qasync loop → services → window, tray, notifications → one
shutdown path.

Order of start-up: environment for Chromium, the mail scheme (before the QApplication), the
single-instance check, then the services (local server when ``--local``, cache, keyring, inbox), then
the window, tray and notifications. Shutdown runs in reverse from ``Application.quit()`` — whoever asks
(tray, window, IPC, SIGTERM) — and waits for tasks, streams and servers to close before Qt goes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

from desktop_app import APP_ID, APP_NAME, __version__
from desktop_app.platform_env import prepare_qt_environment

if TYPE_CHECKING:
    from desktop_app.cli import Options

log = logging.getLogger(__name__)

LOCAL_SMTP_PORT = 2525  # the embedded server's preferred SMTP port, so apps can be pointed at it once
CLEAR_CODES_AFTER = 60.0  # seconds a copied one-time code stays on the clipboard, when the user opts in


def _claim_or_forward(options: Options) -> Any:
    """The claim on the data directory (this process becomes the instance), or the exit code after
    handing the launch to the instance that holds it, waiting (bounded) for one that is still starting."""
    import time

    from desktop_app.cli import START_TIMEOUT
    from desktop_app.instance_lock import InstanceLock
    from desktop_app.ipc import send_command, socket_name

    forward = (
        ("show", {"message_id": options.args["message_id"]})
        if options.command == "show"
        else ("activate", {})
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        lock = InstanceLock.acquire(options.data_dir)
        if lock is not None:
            return lock
        if options.background:
            return 0  # started by a command that lost a race: the command talks to the holder
        answer = send_command(socket_name(options.data_dir), forward[0], forward[1], timeout=10)
        if answer is not None:
            if not answer.get("ok"):
                print(f"temp-inbox: {answer.get('error')}", file=sys.stderr)
                return 1
            return 0
        if time.monotonic() > deadline:
            print("temp-inbox: another Temp Inbox is starting and does not answer.", file=sys.stderr)
            return 1
        time.sleep(0.2)  # polling the socket: the holder says nothing until it listens


def run_app(options: Options) -> int:
    logging.basicConfig(
        level=os.environ.get("TEMP_INBOX_LOG", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    prepare_qt_environment()  # before the first Qt import (the forwarding below uses QtNetwork)
    # Before anything slow: from here on, a command finds this instance starting and waits for it.
    claim = _claim_or_forward(options)
    if isinstance(claim, int):
        return claim
    try:
        return _run_claimed(options)
    finally:
        claim.release()


def qapplication_argv(options: Options) -> list[str]:
    """What the QApplication parses: the program and Qt's own options (``cli.split_qt_args``)."""
    return [sys.argv[0], *options.qt_args]


def _run_claimed(options: Options) -> int:
    from desktop_app.cli import with_remembered_provider

    options = with_remembered_provider(options)
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must be loaded before the QApplication)
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_app.ipc import InstanceServer, socket_name
    from desktop_app.ui.mail_scheme import register_mail_scheme

    register_mail_scheme()
    name = socket_name(options.data_dir)

    app = QApplication(qapplication_argv(options))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    server = InstanceServer(name)
    if not server.listen():
        print("temp-inbox: another Temp Inbox is starting; try again in a moment.", file=sys.stderr)
        return 1

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # The local server and to_thread workers allocate too: cyclic garbage holding QObjects must not be
    # collected (destroyed) in their threads. See desktop_app/ui/gc_guard.py.
    from desktop_app.ui.gc_guard import MainThreadGarbageCollector

    garbage_collector = MainThreadGarbageCollector(app)
    garbage_collector.start()
    application = Application(options, app, server)
    from desktop_app.core.errors import TempInboxError

    try:
        with loop:
            code: int = loop.run_until_complete(application.run())
    except TempInboxError as exc:  # e.g. an unreadable cache: say so, not with a traceback
        log.error("cannot start: %s (%s)", exc, exc.detail)
        print(f"temp-inbox: {exc}", file=sys.stderr)
        return 1
    finally:
        garbage_collector.stop()
        server.close()
    return code


def notice_batcher_from_env() -> Any:
    """Burst coalescing, tunable for benchmarks and power users:
    ``TEMP_INBOX_NOTICE_WINDOW`` (seconds, default 2) and ``TEMP_INBOX_NOTICE_PER_MINUTE`` (default 8)."""
    from desktop_app.core.notice import NoticeBatcher

    try:
        window = float(os.environ.get("TEMP_INBOX_NOTICE_WINDOW", "2"))
        per_minute = int(os.environ.get("TEMP_INBOX_NOTICE_PER_MINUTE", "8"))
    except ValueError:
        log.warning("ignoring invalid TEMP_INBOX_NOTICE_* settings")
        window, per_minute = 2.0, 8
    return NoticeBatcher(window=max(0.0, window), max_per_minute=max(1, per_minute))


class Application:
    def __init__(self, options: Options, qapp: Any, server: Any) -> None:
        self.options = options
        self.qapp = qapp
        self.server = server
        self._quit = asyncio.Event()
        self.local_server: Any = None

    def quit(self) -> None:
        self._quit.set()

    def _start_local_server(self) -> None:
        from desktop_app.server import BackgroundMailServer

        data = self.options.data_dir / "local-server"
        for smtp_port in (LOCAL_SMTP_PORT, 0):
            # No rate limit: it serves this app and other programs on this computer (docs/local-server.md).
            server = BackgroundMailServer(data_dir=data, smtp_port=smtp_port, rate_limit=None)
            try:
                server.start()
            except OSError as exc:
                log.info("local SMTP port %s unavailable (%s); using a free one", smtp_port, exc)
                continue
            self.local_server = server
            return
        raise RuntimeError("could not start the local mail server")

    def _provider(self) -> Any:
        from desktop_app.core.providers import DEFAULT, custom_provider, local_provider

        if self.local_server is not None:
            return local_provider(self.local_server.api_url, self.local_server.hub_url)
        if self.options.api_url:
            return custom_provider(self.options.api_url, self.options.hub_url)
        return DEFAULT

    def info(self) -> dict[str, Any]:
        provider = self.inbox.provider
        info: dict[str, Any] = {
            "provider": provider.name,
            "api": provider.api_url,
            "hub": provider.hub_url,
            "data_dir": str(self.options.data_dir),
            "keyring": self.inbox.keyring_status().backend,
            "keyring_usable": self.inbox.keyring_status().usable,
            "notifications": self.notifications.backend_name,
        }
        if self.local_server is not None:
            info["smtp"] = f"{self.local_server.smtp_host}:{self.local_server.smtp_port}"
        return info

    async def run(self) -> int:
        from desktop_app.core.errors import KeyringUnavailableError
        from desktop_app.core.inbox import Inbox
        from desktop_app.core.paths import store_path
        from desktop_app.core.secrets import PasswordVault
        from desktop_app.core.store import Store
        from desktop_app.instance_commands import InstanceCommands
        from desktop_app.ui.controller import AppSignals
        from desktop_app.ui.icons import app_icon
        from desktop_app.ui.inbox_controller import InboxController
        from desktop_app.ui.main_window import MainWindow
        from desktop_app.ui.notifications import Notifications
        from desktop_app.ui.style import apply_app_style
        from desktop_app.ui.tray import TrayAddress, TrayIcon

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(self.quit))
        # Python runs signal handlers only between bytecodes: a timer gives it a chance while Qt idles.
        from PySide6.QtCore import QSettings, QTimer

        wake = QTimer()
        wake.timeout.connect(lambda: None)
        wake.start(300)

        self.qapp.setWindowIcon(app_icon())
        apply_app_style(self.qapp)
        store = Store(store_path(self.options.data_dir))  # first: if it fails, nothing else is running yet
        if self.options.local:
            await asyncio.to_thread(self._start_local_server)
        self.inbox = inbox = Inbox(store, PasswordVault(), self._provider())
        signals = AppSignals()
        controller = InboxController(inbox, signals)
        controller.quit_requested.connect(self.quit)
        window = MainWindow(controller, signals)
        controller.ask_session_only = window.confirm_session_only
        window.setWindowIcon(app_icon())

        def tray_addresses() -> list[TrayAddress]:
            return [TrayAddress(r.address, r.label, r.unread) for r in inbox.address_rows()]

        def toggle_window() -> None:
            if window.isVisible() and not window.isMinimized():
                window.hide()
            else:
                raise_window()

        def raise_window() -> None:
            window.showNormal()
            window.raise_()
            window.activateWindow()

        def open_message(address: str, message_id: str) -> None:
            raise_window()
            signals.show_message_requested.emit(address, message_id)

        def open_address(address: str) -> None:
            raise_window()
            signals.show_address_requested.emit(address)

        def new_address() -> None:
            raise_window()
            window.open_new_address()

        tray = TrayIcon(tray_addresses, window_visible=window.isVisible)
        tray.copy_address.connect(lambda a: controller.copy_to_clipboard(a, a))
        tray.open_address.connect(open_address)
        tray.new_address.connect(new_address)
        tray.toggle_window.connect(toggle_window)
        tray.quit_requested.connect(self.quit)
        from PySide6.QtWidgets import QSystemTrayIcon

        if QSystemTrayIcon.isSystemTrayAvailable():
            tray.show()
            controller.tray = tray
        banner = getattr(window, "banner", None)
        self.notifications = notifications = Notifications(
            tray=tray if controller.tray else None, banner=banner, batcher=notice_batcher_from_env()
        )
        settings = QSettings(str(self.options.data_dir / "settings.ini"), QSettings.Format.IniFormat)
        from desktop_app.ui.theme import ThemeManager, add_scheme_menu

        theme = ThemeManager(self.qapp, settings=settings)
        theme.apply()
        add_scheme_menu(window.options_menu, theme)
        from desktop_app.ui.autostart import add_autostart_action

        add_autostart_action(window.options_menu, self.options.data_dir)
        from desktop_app.ui.window_state import restore_window_state, save_window_state

        restore_window_state(window, settings)
        window.reading_layout.remember_in(settings)

        def set_do_not_disturb(on: bool) -> None:
            notifications.set_do_not_disturb(on)
            tray.set_do_not_disturb(on)
            window.dnd_action.blockSignals(True)
            window.dnd_action.setChecked(on)
            window.dnd_action.blockSignals(False)
            settings.setValue("notifications/do_not_disturb", on)

        def set_clear_codes(on: bool) -> None:
            seconds = CLEAR_CODES_AFTER if on else None
            controller.clear_clipboard_after = seconds
            notifications.clear_clipboard_after = seconds
            settings.setValue("clipboard/clear_codes", on)

        tray.dnd_toggled.connect(set_do_not_disturb)
        window.do_not_disturb_toggled.connect(set_do_not_disturb)
        window.clear_codes_toggled.connect(set_clear_codes)
        set_do_not_disturb(bool(settings.value("notifications/do_not_disturb", False, type=bool)))
        window.clear_codes_action.setChecked(bool(settings.value("clipboard/clear_codes", False, type=bool)))
        set_clear_codes(window.clear_codes_action.isChecked())
        window.pane.prefer_plain_text = bool(settings.value("view/prefer_plain_text", False, type=bool))
        window.pane.prefer_plain_text_changed.connect(
            lambda on: settings.setValue("view/prefer_plain_text", on)
        )
        notifications.code_copied.connect(
            lambda code: signals.status.emit("Copied the code to the clipboard.")
        )
        notifications.open_message_requested.connect(open_message)
        controller.new_message.connect(notifications.message_arrived)
        signals.addresses_changed.connect(lambda: tray.set_unread(inbox.unread_total()))
        notifications.prepare()

        commands = InstanceCommands(
            inbox,
            signals,
            raise_window=raise_window,
            quit_app=self.quit,
            info=self.info,
            debug_state=window.debug_state,
        )
        self.server.set_handler(commands.handle)
        if not self.options.background:
            window.show()
        if self.options.command == "show":
            message_id = self.options.args["message_id"]
            address = inbox.message_address(message_id)
            if address:
                signals.show_message_requested.emit(address, message_id)
        if self.local_server is not None:
            from desktop_app.ui.local_smtp import show_local_smtp

            show_local_smtp(window, f"{self.local_server.smtp_host}:{self.local_server.smtp_port}")
            signals.status.emit(
                f"Local mail server: send mail to any of your addresses via SMTP "
                f"{self.local_server.smtp_host}:{self.local_server.smtp_port}"
            )
        if not inbox.keyring_status().usable:
            signals.error.emit(str(KeyringUnavailableError()))

        from desktop_app.ui.session_notice import session_only_gone_notice

        start = asyncio.ensure_future(inbox.start())

        def started(task: asyncio.Future[None]) -> None:
            if not task.cancelled() and task.exception() is not None:
                log.error("start-up of the inbox failed", exc_info=task.exception())
                signals.error.emit("Some addresses could not be opened; details are in the log.")
            signals.addresses_changed.emit()
            gone = session_only_gone_notice(inbox.gone_session_only)
            if gone is not None:
                window.banner.show_notice(gone)

        start.add_done_callback(started)
        try:
            await self._quit.wait()
        finally:
            try:
                save_window_state(window, settings)
            except Exception:  # the layout is a nicety: never let it stop the shutdown
                log.exception("could not save the window layout")
            await self._shutdown(start, window, tray, notifications, controller, commands, store)
            wake.stop()
        return 0

    async def _shutdown(
        self,
        start: Any,
        window: Any,
        tray: Any,
        notifications: Any,
        controller: Any,
        commands: Any,
        store: Any,
    ) -> None:
        self.server.close()
        start.cancel()
        await asyncio.wait([start], timeout=1.0)  # a cancelled start-up must not be left pending
        window.allow_close()
        window.close()
        tray.hide()
        controller.close()
        await notifications.shutdown()
        await controller.tasks.close(1.0)
        await commands.tasks.close(1.0)
        await self.inbox.aclose(2.0)
        if self.local_server is not None:
            await asyncio.to_thread(self.local_server.stop)
        store.close()
