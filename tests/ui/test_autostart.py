"""Options → "Start at login": off by default, an XDG autostart entry when on, gone when off."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu

from desktop_app import APP_ID
from desktop_app.ui import autostart


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config


def exec_line(path: Path) -> str:
    return next(line for line in path.read_text().splitlines() if line.startswith("Exec="))


def test_off_by_default(qtbot, config_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    menu = QMenu()
    action = autostart.add_autostart_action(menu, tmp_path / "data")
    assert action.isCheckable() and not action.isChecked()
    assert action.text() == "Start at login" and action in menu.actions()
    assert not (config_home / "autostart").exists()


def test_checking_writes_a_valid_entry_and_unchecking_removes_it(  # type: ignore[no-untyped-def]
    qtbot, config_home: Path, tmp_path: Path
) -> None:
    menu = QMenu()
    action = autostart.add_autostart_action(menu, tmp_path / "data")
    action.trigger()
    entry = config_home / "autostart" / f"{APP_ID}.desktop"
    assert action.isChecked() and entry.is_file()
    text = entry.read_text()
    assert f"Icon={APP_ID}\n" in text and "Type=Application\n" in text
    # A background start (hidden, in the tray, the provider chosen last) on this data directory.
    assert exec_line(entry).endswith(f"--data-dir {tmp_path / 'data'} --background")
    validator = shutil.which("desktop-file-validate")
    assert validator is not None, "make test installs desktop-file-utils"
    result = subprocess.run([validator, str(entry)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout
    # A new window (the next start) reads the state from the entry itself.
    assert autostart.add_autostart_action(QMenu(), tmp_path / "data").isChecked()

    action.trigger()
    assert not action.isChecked() and not entry.exists()


def test_an_entry_hidden_by_the_desktop_counts_as_off(config_home: Path) -> None:
    path = autostart.autostart_path()
    path.parent.mkdir(parents=True)
    path.write_text("[Desktop Entry]\nType=Application\nName=Temp Inbox\nExec=temp-inbox\nHidden=true\n")
    assert not autostart.is_enabled()
    path.write_text("[Desktop Entry]\nType=Application\nName=Temp Inbox\nExec=temp-inbox\n")
    assert autostart.is_enabled()


def test_the_default_data_directory_is_not_named(config_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autostart, "launcher_argv", lambda: ["/usr/bin/temp-inbox"])
    path = autostart.enable(autostart.default_data_dir(create=False))
    assert exec_line(path) == "Exec=/usr/bin/temp-inbox --background"


def test_arguments_with_spaces_are_quoted(config_home: Path, tmp_path: Path) -> None:
    argv = ["/home/a b/.venv/bin/temp-inbox", "--data-dir", "/tmp/my data", "--background"]
    text = autostart.entry_text(argv)
    assert 'Exec="/home/a b/.venv/bin/temp-inbox" --data-dir "/tmp/my data" --background\n' in text


def test_the_frozen_app_starts_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = tmp_path / "temp-inbox"
    exe.write_text("")
    exe.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setenv("PATH", "/nonexistent")
    assert autostart.launcher_argv() == [str(exe)]
    monkeypatch.setenv("PATH", str(tmp_path))  # on PATH as the same file: that name is used
    assert autostart.launcher_argv() == [str(exe)]


def test_a_failed_write_leaves_the_option_off(  # type: ignore[no-untyped-def]
    qtbot, config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_home.mkdir()
    (config_home / "autostart").write_text("a file where the folder should be")
    warnings: list[str] = []
    monkeypatch.setattr(autostart.QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    action = autostart.add_autostart_action(QMenu(), tmp_path / "data")
    action.trigger()
    assert not action.isChecked()
    assert len(warnings) == 1 and "Could not add" in warnings[0]
