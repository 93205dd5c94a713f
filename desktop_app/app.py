"""Composition root: the one place that builds the app, in named steps, and takes it down again.

    run_app          logging, Chromium's environment, the claim on the data directory (or the launch
                     handed to the instance that holds it)
    _run_claimed     the mail scheme (before the QApplication), the QApplication, the instance socket,
                     the qasync loop
    Application.run
      build_core     cache (first: if it fails, nothing else is running yet) → local server when
                     ``--local`` (else when an address or the user needs it) → keyring → Inbox
      build_shell    signals → controller → window → tray → notifications → theme → instance commands
      connect        the shell's parts to each other, to the saved settings and to the instance socket
      start          show the window (unless started by a command), start the inbox
      shut_down      in reverse, from ``Application.quit()`` — whoever asks (tray, window, IPC,
                     SIGTERM) — waiting for tasks, streams and servers to close before Qt goes

Qt is imported only inside the steps: ``prepare_qt_environment`` must run before the first Qt import.

Over 300 lines: the composition root is one file on purpose, so that the start-up order reads from top
to bottom.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app import APP_ID, APP_NAME, __version__, settings
from desktop_app.desktop.platform_env import prepare_qt_environment
from desktop_app.instance.forward import claim_or_forward
from desktop_app.options import Options, with_remembered_provider
from desktop_app.settings import Environment

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.api.providers import Provider
    from desktop_app.core.inbox import Inbox
    from desktop_app.core.local_service import LocalEndpoints, LocalService
    from desktop_app.core.store.cache import Store
    from desktop_app.instance.commands import InstanceCommands
    from desktop_app.instance.ipc import InstanceServer
    from desktop_app.ui.controller import AppSignals
    from desktop_app.ui.inbox_controller import InboxController
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.notifications import Notifications
    from desktop_app.ui.theme import ThemeManager
    from desktop_app.ui.tray import TrayIcon

log = logging.getLogger(__name__)

LOCAL_SMTP_PORT = 2525  # the embedded server's preferred SMTP port, so apps can be pointed at it once


def run_app(options: Options) -> int:
    environment = Environment.read()
    logging.basicConfig(level=environment.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    prepare_qt_environment()  # before the first Qt import (the forwarding below uses QtNetwork)
    # Before anything slow: from here on, a command finds this instance starting and waits for it.
    claim = claim_or_forward(options)
    if isinstance(claim, int):
        return claim
    try:
        return _run_claimed(options, environment)
    finally:
        claim.release()


def qapplication_argv(options: Options) -> list[str]:
    """What the QApplication parses: the program and Qt's own options (``cli.split_qt_args``)."""
    return [sys.argv[0], *options.qt_args]


def import_core_before_qt() -> None:
    """Import the Qt-free modules start-up needs before the first Qt import.

    Importing PySide6 replaces ``__import__`` with a hook (shibokensupport's ``feature_imported``) that
    reads the source of every module imported after it (``inspect.getsource``) to look for PySide6 in
    it. The core (httpx, h2, email, sqlite, ~300 modules) pays nothing for it when it comes first."""
    import desktop_app.core.inbox
    import desktop_app.core.notice
    import desktop_app.core.sealed.html_policy
    import desktop_app.core.store.cache  # noqa: F401


def _run_claimed(options: Options, environment: Environment) -> int:
    options = with_remembered_provider(options)
    import_core_before_qt()
    import PySide6.QtWebEngineWidgets  # noqa: F401  (must be loaded before the QApplication)
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_app.core.errors import TempInboxError
    from desktop_app.instance.ipc import InstanceServer, socket_name
    from desktop_app.ui.gc_guard import MainThreadGarbageCollector
    from desktop_app.ui.mail_scheme import register_mail_scheme

    register_mail_scheme()
    app = QApplication(qapplication_argv(options))
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)
    server = InstanceServer(socket_name(options.data_dir))
    if not server.listen():
        print("temp-inbox: another Temp Inbox is starting; try again in a moment.", file=sys.stderr)
        return 1

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    # The local server and to_thread workers allocate too: cyclic garbage holding QObjects must not be
    # collected (destroyed) in their threads. See desktop_app/ui/gc_guard.py.
    garbage_collector = MainThreadGarbageCollector(app)
    garbage_collector.start()
    application = Application(options, environment, app, server)
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


# -- step 1: the core services ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Core:
    store: Store
    inbox: Inbox
    local: LocalService  # the embedded server: started by --local, an address on it, or the user


def start_local_server(
    data_dir: Path, http_port: int = 0, smtp_port: int = LOCAL_SMTP_PORT
) -> LocalEndpoints:
    """The embedded mail service on this computer (blocking). Its REST API on the port it had last time
    and SMTP on ``smtp_port`` (2525; else on last time's) when they are free: other programs are pointed
    at it once, and the addresses kept on it keep their URL. Its data (accounts, mail) lives in the data
    directory, so they survive. Tests prefer an SMTP port of their own: 2525 is shared by the machine."""
    from desktop_app.core.errors import LocalServerError
    from desktop_app.core.local_service import LocalEndpoints
    from desktop_app.server import BackgroundMailServer

    data = data_dir / "local-server"
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalServerError.data_folder(data, exc) from exc
    last_smtp = data / "last-smtp-port"
    try:
        smtp_before = int(last_smtp.read_text(encoding="ascii"))
    except (OSError, ValueError):
        smtp_before = 0
    smtp_before = smtp_before if 0 < smtp_before < 65536 else 0
    ports = [(h, p) for p in (smtp_port, smtp_before, 0) for h in (http_port, 0)]
    unavailable: OSError | None = None
    for http, smtp in dict.fromkeys(ports):  # each pair once (no port was known: 0 twice)
        # No rate limit: it serves this app and other programs on this computer (docs/local-server.md).
        server = BackgroundMailServer(data_dir=data, http_port=http, smtp_port=smtp, rate_limit=None)
        try:
            server.start()
        except OSError as exc:
            if exc.filename:  # its files, not its ports
                raise LocalServerError.data_folder(data, exc) from exc
            # Taken, or not ours to bind (EACCES below 1024 from an edited URL…): the next pair, down
            # to any free ones; a URL that can never be bound must not stop every later start.
            log.info("local ports %s/%s unavailable (%s); trying others", http or "any", smtp or "any", exc)
            unavailable = exc
            continue
        with contextlib.suppress(OSError):  # a nicety for next time, never a reason not to run
            last_smtp.write_text(str(server.smtp_port), encoding="ascii")
        return LocalEndpoints(server.api_url, server.hub_url, server.smtp_host, server.smtp_port, server.stop)
    raise LocalServerError(detail=f"no usable ports: {unavailable!r}")


def choose_provider(options: Options, local: LocalEndpoints | None) -> Provider:
    from desktop_app.core.api.providers import DEFAULT, custom_provider

    if local is not None:
        return local.provider
    if options.api_url:
        return custom_provider(options.api_url, options.hub_url)
    return DEFAULT


async def build_core(options: Options) -> Core:
    from desktop_app.core.accounts.secrets import PasswordVault
    from desktop_app.core.api.providers import LOCAL_ID, local_port
    from desktop_app.core.inbox import Inbox
    from desktop_app.core.local_service import LocalService
    from desktop_app.core.paths import store_path
    from desktop_app.core.store.cache import Store

    store = Store(store_path(options.data_dir))
    local = LocalService(functools.partial(start_local_server, options.data_dir))
    running = await local.ensure(local_port(store.get_provider(LOCAL_ID))) if options.local else None
    inbox = Inbox(store, PasswordVault(), choose_provider(options, running), local=local)
    return Core(store, inbox, local)


# -- step 2: the shell (window, tray, notifications) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shell:
    signals: AppSignals
    controller: InboxController
    window: MainWindow
    tray: TrayIcon
    notifications: Notifications
    settings: QSettings
    theme: ThemeManager
    commands: InstanceCommands


def build_shell(
    qapp: QApplication, core: Core, options: Options, environment: Environment, quit_app: Callable[[], None]
) -> Shell:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QSystemTrayIcon

    from desktop_app.core.notice import NoticeBatcher
    from desktop_app.instance.commands import InstanceCommands
    from desktop_app.ui.controller import AppSignals
    from desktop_app.ui.icons import app_icon
    from desktop_app.ui.inbox_controller import InboxController
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.notifications import Notifications
    from desktop_app.ui.outlined_style import apply_app_style
    from desktop_app.ui.theme import ThemeManager
    from desktop_app.ui.tray import TrayAddress, TrayIcon

    qapp.setWindowIcon(app_icon())
    apply_app_style(qapp)
    inbox = core.inbox
    signals = AppSignals()
    controller = InboxController(inbox, signals)
    window = MainWindow(controller, signals)
    # The window asks the user; the controller only knows whom to ask.
    controller.ask_session_only = window.confirm_session_only
    window.setWindowIcon(app_icon())
    tray = TrayIcon(
        lambda: [TrayAddress(r.address, r.label, r.unread, r.expiry_text) for r in inbox.address_rows()],
        window_visible=window.isVisible,
    )
    if QSystemTrayIcon.isSystemTrayAvailable():
        tray.show()
        controller.tray = tray
    notifications = Notifications(
        tray=tray if controller.tray else None,
        banner=window.banner,
        batcher=NoticeBatcher(window=environment.notice_window, max_per_minute=environment.notice_per_minute),
    )
    ini = QSettings(str(options.data_dir / settings.SETTINGS_FILENAME), QSettings.Format.IniFormat)
    theme = ThemeManager(qapp, settings=ini)
    commands = InstanceCommands(
        inbox,
        signals,
        raise_window=lambda: raise_window(window),
        quit_app=quit_app,
        info=lambda: instance_info(options, core, notifications),
        debug_state=window.debug_state if environment.debug_ipc else None,
    )
    return Shell(signals, controller, window, tray, notifications, ini, theme, commands)


def instance_info(options: Options, core: Core, notifications: Notifications) -> dict[str, object]:
    """What ``temp-inbox info`` prints."""
    provider = core.inbox.provider
    keyring = core.inbox.keyring_status()
    info: dict[str, object] = {
        "provider": provider.name,
        "api": provider.api_url,
        "hub": provider.hub_url,
        "data_dir": str(options.data_dir),
        "keyring": keyring.backend,
        "keyring_usable": keyring.usable,
        "notifications": notifications.backend_name,
    }
    if core.inbox.local_smtp is not None:
        info["smtp"] = "{}:{}".format(*core.inbox.local_smtp)
    return info


# -- step 3: connect ---------------------------------------------------------------------------------------


def raise_window(window: MainWindow) -> None:
    window.showNormal()
    window.raise_()
    window.activateWindow()


def toggle_window(window: MainWindow) -> None:
    if window.isVisible() and not window.isMinimized():
        window.hide()
    else:
        raise_window(window)


def connect(
    shell: Shell, core: Core, options: Options, server: InstanceServer, quit_app: Callable[[], None]
) -> None:
    from desktop_app.ui.autostart import add_autostart_action
    from desktop_app.ui.theme import add_scheme_menu
    from desktop_app.ui.window_state import restore_window_state

    signals, controller, window, tray = shell.signals, shell.controller, shell.window, shell.tray
    notifications, ini = shell.notifications, shell.settings

    def open_message(address: str, message_id: str) -> None:
        raise_window(window)
        if not message_id:  # a notice about the address itself ("deletes in 10 min"): show it
            signals.show_address_requested.emit(address)
            return
        signals.show_message_requested.emit(address, message_id)

    def open_address(address: str) -> None:
        raise_window(window)
        signals.show_address_requested.emit(address)

    def new_address() -> None:
        raise_window(window)
        window.open_new_address()

    def set_do_not_disturb(on: bool) -> None:
        notifications.set_do_not_disturb(on)
        tray.set_do_not_disturb(on)
        window.dnd_action.blockSignals(True)
        window.dnd_action.setChecked(on)
        window.dnd_action.blockSignals(False)
        settings.write(ini, settings.DO_NOT_DISTURB, on)

    def set_clear_codes(on: bool) -> None:
        seconds = settings.CLEAR_CODES_AFTER if on else None
        controller.clear_clipboard_after = seconds
        notifications.clear_clipboard_after = seconds
        settings.write(ini, settings.CLEAR_CODES, on)

    controller.quit_requested.connect(quit_app)
    tray.copy_address.connect(lambda a: controller.copy_to_clipboard(a, a))
    tray.open_address.connect(open_address)
    tray.new_address.connect(new_address)
    tray.toggle_window.connect(lambda: toggle_window(window))
    tray.quit_requested.connect(quit_app)

    shell.theme.apply()
    add_scheme_menu(window.options_menu, shell.theme)
    add_autostart_action(window.options_menu, options.data_dir)
    restore_window_state(window, ini)
    window.reading_layout.remember_in(ini)

    tray.dnd_toggled.connect(set_do_not_disturb)
    window.do_not_disturb_toggled.connect(set_do_not_disturb)
    window.clear_codes_toggled.connect(set_clear_codes)
    set_do_not_disturb(settings.read_flag(ini, settings.DO_NOT_DISTURB))
    window.clear_codes_action.setChecked(settings.read_flag(ini, settings.CLEAR_CODES))
    set_clear_codes(window.clear_codes_action.isChecked())
    window.pane.prefer_plain_text = settings.read_flag(ini, settings.PREFER_PLAIN_TEXT)
    window.pane.prefer_plain_text_changed.connect(
        lambda on: settings.write(ini, settings.PREFER_PLAIN_TEXT, on)
    )
    notifications.code_copied.connect(lambda code: signals.status.emit("Copied the code to the clipboard."))
    notifications.open_message_requested.connect(open_message)
    controller.new_message.connect(notifications.message_arrived)
    controller.address_expiring.connect(notifications.address_expiring)
    controller.address_expired.connect(notifications.address_expired)
    notifications.keep_address_requested.connect(lambda address: controller.set_lifetime(address, None))
    signals.addresses_changed.connect(lambda: tray.set_unread(core.inbox.unread_total()))
    notifications.prepare()
    server.set_handler(shell.commands.handle)


# -- step 4: start and run ---------------------------------------------------------------------------------


def start(shell: Shell, core: Core, options: Options) -> asyncio.Task[None]:
    """Show what the launch asked for and start the inbox; the task is the inbox's start-up."""
    from desktop_app.core.errors import KeyringUnavailableError
    from desktop_app.ui.local_smtp import follow_local_server
    from desktop_app.ui.session_notice import session_only_gone_notice

    signals, window, inbox = shell.signals, shell.window, core.inbox
    if not options.background:
        window.show()
    if options.command == "show":
        message_id = options.args["message_id"]
        address = inbox.message_address(message_id)
        if address:
            signals.show_message_requested.emit(address, message_id)
    follow_local_server(window, core.local, signals.status.emit)

    async def start_inbox() -> None:
        # After the window is up: the keyring backend is looked for in a worker thread (secrets.py).
        if not (await inbox.keyring_ready()).usable:
            signals.error.emit(str(KeyringUnavailableError()))
        await inbox.start()

    started = asyncio.ensure_future(start_inbox())

    def done(task: asyncio.Future[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("start-up of the inbox failed", exc_info=task.exception())
            signals.error.emit("Some addresses could not be opened; details are in the log.")
        signals.addresses_changed.emit()
        gone = session_only_gone_notice(inbox.gone_session_only)
        if gone is not None:
            window.banner.show_notice(gone)

    started.add_done_callback(done)
    return started


def _wake_for_signals(quit_app: Callable[[], None]) -> QTimer:
    """SIGINT/SIGTERM quit like the menu does. Python runs signal handlers only between bytecodes: a
    timer gives it a chance while Qt idles."""
    from PySide6.QtCore import QTimer

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: loop.call_soon_threadsafe(quit_app))
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(300)
    return wake


class Application:
    def __init__(
        self, options: Options, environment: Environment, qapp: QApplication, server: InstanceServer
    ) -> None:
        self._options = options
        self._environment = environment
        self._qapp = qapp
        self._server = server
        self._quit = asyncio.Event()

    def quit(self) -> None:
        self._quit.set()

    async def run(self) -> int:
        wake = _wake_for_signals(self.quit)
        core = await build_core(self._options)
        shell = build_shell(self._qapp, core, self._options, self._environment, self.quit)
        connect(shell, core, self._options, self._server, self.quit)
        started = start(shell, core, self._options)
        try:
            await self._quit.wait()
        finally:
            await self._shut_down(started, shell, core)
            wake.stop()
        return 0

    # -- step 5: shut down, in reverse ----------------------------------------------------------------------

    async def _shut_down(self, started: asyncio.Task[None], shell: Shell, core: Core) -> None:
        from desktop_app.ui.window_state import save_window_state

        try:
            save_window_state(shell.window, shell.settings)
        except Exception:  # the layout is a nicety: never let it stop the shutdown
            log.exception("could not save the window layout")
        self._server.close()
        started.cancel()
        await asyncio.wait([started], timeout=1.0)  # a cancelled start-up must not be left pending
        shell.window.allow_close()
        shell.window.close()
        shell.tray.hide()
        shell.controller.close()
        await shell.notifications.shutdown()
        await shell.controller.tasks.close(1.0)
        await shell.commands.tasks.close(1.0)
        await core.inbox.aclose(2.0)
        await core.local.stop()  # whether --local, an address or the user started it
        core.store.close()
