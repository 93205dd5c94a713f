"""Options → "Start at login": an XDG autostart entry, off by default.

The entry is the setting: the option is on while ``$XDG_CONFIG_HOME/autostart/<app id>.desktop``
(``~/.config/autostart/…``) exists and is not hidden, so what the desktop's own "startup
applications" tool does to it is what the menu shows. Turning the option off deletes the entry.

A login start is a background start, as when a command starts the instance: the window stays hidden
(in the tray) and the provider is the one the user chose last.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

from desktop_app import APP_ID, APP_NAME
from desktop_app.core.paths import data_dir as default_data_dir

ACTION_TEXT = "Start at login"
ACTION_TIP = "Start Temp Inbox in the tray when you log in (an entry in ~/.config/autostart)"
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")  # Desktop Entry spec: an argument with these is quoted


def autostart_path(env: Mapping[str, str] = os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME", "")
    config = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return config / "autostart" / f"{APP_ID}.desktop"


def launcher_argv() -> list[str]:
    """How to start this same Temp Inbox: the frozen binary (as found on PATH when that is the same
    file, e.g. /usr/bin/temp-inbox), else the venv's ``temp-inbox`` script, else ``python -m``."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        on_path = shutil.which("temp-inbox")
        if on_path and Path(on_path).resolve() == exe.resolve():
            return [on_path]
        return [str(exe)]
    script = Path(sys.executable).with_name("temp-inbox")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "desktop_app"]


def _exec_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")  # field codes
    if not _RESERVED.intersection(arg):
        return arg
    for char in ("\\", '"', "`", "$"):
        arg = arg.replace(char, "\\" + char)
    return f'"{arg}"'


def entry_text(argv: list[str]) -> str:
    # The Exec value is also a string value, whose own escape doubles each backslash.
    exec_value = " ".join(_exec_arg(a) for a in argv).replace("\\", "\\\\")
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={APP_NAME}",
            "Comment=Disposable email inboxes, started in the tray at login",
            f"Exec={exec_value}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
            "",
        ]
    )


def is_enabled(path: Path | None = None) -> bool:
    try:
        text = (path or autostart_path()).read_text(encoding="utf-8")
    except OSError:
        return False
    lines = {line.strip().replace(" ", "") for line in text.splitlines()}
    return "Hidden=true" not in lines and "X-GNOME-Autostart-enabled=false" not in lines


def enable(data_dir: Path, path: Path | None = None) -> Path:
    path = path or autostart_path()
    argv = launcher_argv()
    if data_dir.resolve() != default_data_dir(create=False).resolve():
        argv += ["--data-dir", str(data_dir)]
    argv.append("--background")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(entry_text(argv), encoding="utf-8")
    partial.chmod(0o644)
    os.replace(partial, path)
    return path


def disable(path: Path | None = None) -> None:
    (path or autostart_path()).unlink(missing_ok=True)


def add_autostart_action(menu: QMenu, data_dir: Path) -> QAction:
    """The checkable "Start at login" action at the end of ``menu``, showing the entry's state."""
    action = menu.addAction(ACTION_TEXT)
    action.setCheckable(True)
    action.setToolTip(ACTION_TIP)
    action.setChecked(is_enabled())

    def toggled(on: bool) -> None:
        try:
            if on:
                enable(data_dir)
            else:
                disable()
        except OSError as exc:
            action.blockSignals(True)
            action.setChecked(is_enabled())
            action.blockSignals(False)
            QMessageBox.warning(
                menu.parentWidget(),
                ACTION_TEXT,
                f"Could not {'add' if on else 'remove'} {autostart_path()}: {exc.strerror or exc}",
            )

    action.toggled.connect(toggled)
    return action
