"""A private desktop session for end-to-end runs of the real app: Xvfb, a D-Bus session bus, an
unlocked gnome-keyring (Secret Service), dunst (notifications), status-notifier-watcher (tray host)
and dbus-monitor watching notifications. Every process is stopped by PID on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from desktop_app.instance.ipc import socket_name
from tests.processes import stop_process

REPO = Path(__file__).resolve().parents[2]

TOOLS = (
    "Xvfb",
    "dbus-daemon",
    "gnome-keyring-daemon",
    "dunst",
    "status-notifier-watcher",
    "dbus-monitor",
    "xclip",
)


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


def _wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def wait_until(predicate: Any, timeout: float, what: str) -> Any:
    """``predicate()``'s first truthy value, polled every 0.1 s; a clear failure after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def read_line_within(stream: IO[str], timeout: float) -> str:
    """One line from a child's pipe, or a clear failure after ``timeout`` (a bound, not a guess)."""
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not line:
        raise AssertionError(f"no line from the command within {timeout} s")
    return line[0]


class DesktopSession:
    def __init__(self, root: Path, *, dunst: bool = True, display: bool = True) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen[Any]] = []
        self.env: dict[str, str] = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("QT_", "DBUS_", "PYTHON_KEYRING", "DISPLAY"))
        }
        self.env.update(HOME=str(self.home), XDG_RUNTIME_DIR=str(root / "run"), TEMP_INBOX_LOG="INFO")
        (root / "run").mkdir(mode=0o700, exist_ok=True)
        self.monitor_log = root / "notifications.log"
        self._dunst = dunst
        self._display = display

    def _start(self, argv: list[str], log: str, **kwargs: Any) -> subprocess.Popen[Any]:
        with open(self.root / log, "ab") as out:
            proc = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, **kwargs)
        self.procs.append(proc)
        return proc

    def _start_xvfb(self) -> int:
        """Xvfb on a display number it picks itself (``-displayfd``): two runs at once never share one."""
        read_end, write_end = os.pipe()
        try:
            argv = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
            self._start(argv, "xvfb.log", pass_fds=(write_end,))
        finally:
            os.close(write_end)
        with os.fdopen(read_end) as announced:
            line = read_line_within(announced, 30)
        if not line.strip().isdigit():
            raise RuntimeError(f"Xvfb did not start (see {self.root / 'xvfb.log'})")
        return int(line)

    def __enter__(self) -> DesktopSession:
        try:
            if self._display:
                n = self._start_xvfb()
                self.env["DISPLAY"] = f":{n}"
                self.env["QT_QPA_PLATFORM"] = "xcb"
            else:
                self.env["QT_QPA_PLATFORM"] = "offscreen"
            bus = subprocess.Popen(
                ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                env=self.env,
                stdout=subprocess.PIPE,
                text=True,
            )
            self.procs.append(bus)
            assert bus.stdout is not None
            self.env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
            keyring = subprocess.run(
                ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--daemonize"],
                env=self.env,
                input=b"session-password",
                capture_output=True,
                timeout=20,
                check=True,
            )
            for line in keyring.stdout.decode().splitlines():
                key, _, value = line.partition("=")
                if key == "GNOME_KEYRING_PID" and value.isdigit():
                    self._keyring_pid = int(value)
                elif key:
                    self.env[key] = value
            self._start(
                ["dbus-monitor", "--session", "interface='org.freedesktop.Notifications'"],
                "notifications.log",
            )
            if self._dunst and self._display:
                self._start(["dunst"], "dunst.log")
                self._start(["status-notifier-watcher"], "watcher.log")
                _wait_for(self._has_notification_service, 30, "dunst on the bus")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _has_notification_service(self) -> bool:
        result = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.Notifications",
            ],
            env=self.env,
            capture_output=True,
            text=True,
        )
        return "boolean true" in result.stdout

    def __exit__(self, *exc: object) -> None:
        pid = getattr(self, "_keyring_pid", None)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 15)
        for proc in reversed(self.procs):
            stop_process(proc)
            if proc.stdout is not None:
                proc.stdout.close()

    # -- the app --------------------------------------------------------------------------------

    def app_argv(self, data_dir: Path, *args: str) -> list[str]:
        return [sys.executable, "-m", "desktop_app", "--data-dir", str(data_dir), *args]

    def start_app(
        self, data_dir: Path, *args: str, extra_env: dict[str, str] | None = None
    ) -> subprocess.Popen[Any]:
        env = {**self.env, **(extra_env or {})}
        with open(self.root / "app.log", "ab") as out:
            proc = subprocess.Popen(
                self.app_argv(data_dir, *args), env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT
            )
        return proc

    def start_listening_app(
        self, data_dir: Path, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 60.0
    ) -> subprocess.Popen[Any]:
        """``start_app``, then wait until the instance listens on its socket; a failure says why."""
        app = self.start_app(data_dir, *args, extra_env=extra_env)
        listening = Path(tempfile.gettempdir()) / socket_name(data_dir)
        try:
            _wait_for(lambda: listening.exists() or app.poll() is not None, timeout, "the app to listen")
            if app.poll() is not None:
                raise AssertionError((self.root / "app.log").read_text(errors="replace"))
        except BaseException:
            stop_process(app)
            raise
        return app

    def cli_started(self, data_dir: Path, *args: str) -> subprocess.Popen[str]:
        """A command left running, its stdout and stderr piped (for ``wait``, which reports progress)."""
        return subprocess.Popen(
            self.app_argv(data_dir, *args),
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def cli(self, data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.app_argv(data_dir, *args),
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def clipboard(self) -> str:
        return subprocess.run(
            ["xclip", "-o", "-selection", "clipboard"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout

    def notify_calls(self) -> list[str]:
        """Each Notify method call dbus-monitor saw, as its text block."""
        text = self.monitor_log.read_text(errors="replace") if self.monitor_log.exists() else ""
        blocks = text.split("\nmethod call ")
        return [b for b in blocks if "member=Notify" in b.split("\n", 1)[0]]


@contextlib.contextmanager
def desktop_session(root: Path, **kwargs: Any) -> Iterator[DesktopSession]:
    with DesktopSession(root, **kwargs) as session:
        yield session
