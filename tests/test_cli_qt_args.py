"""Qt's own command-line options (issue 10): ``-platform``, ``-style``, ``-reverse``,
``--qwindowtitle`` … reach the QApplication; our parser still refuses what is neither ours nor Qt's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.app import qapplication_argv
from desktop_app.cli import QtArgumentError, parse, split_qt_args


@pytest.mark.parametrize(
    ("argv", "ours", "qt"),
    [
        ([], [], []),
        (["-platform", "xcb", "--local"], ["--local"], ["-platform", "xcb"]),
        (["-style", "Fusion", "-reverse"], [], ["-style", "Fusion", "-reverse"]),
        (["--style=Fusion", "--reverse"], [], ["-style", "Fusion", "-reverse"]),  # Qt takes both forms
        (["--qwindowtitle", "My inbox"], [], ["-qwindowtitle", "My inbox"]),
        (["-qwindowtitle", "-odd title-"], [], ["-qwindowtitle", "-odd title-"]),  # a value is a value
        (["-qmljsdebugger=port:1234"], [], ["-qmljsdebugger=port:1234"]),
        (
            ["-display", ":1", "-geometry", "800x600", "show", "m1"],
            ["show", "m1"],
            ["-display", ":1", "-geometry", "800x600"],
        ),
        # Ours stay ours, also a value that looks like a Qt option, and everything a command gets.
        (["--data-dir", "-style", "--local"], ["--data-dir", "-style", "--local"], []),
        (["--api-url", "http://x", "list"], ["--api-url", "http://x", "list"], []),
        (["new", "--name", "x", "-style", "y"], ["new", "--name", "x", "-style", "y"], []),
        (["--", "-reverse"], ["--", "-reverse"], []),
        # Neither ours nor Qt's: left for our parser to refuse.
        (
            ["--bogus", "---reverse", "-reverse=1", "-styles", "x"],
            ["--bogus", "---reverse", "-reverse=1", "-styles", "x"],
            [],
        ),
    ],
)
def test_the_split(argv: list[str], ours: list[str], qt: list[str]) -> None:
    assert split_qt_args(argv) == (ours, qt)


def test_a_qt_option_without_its_value() -> None:
    with pytest.raises(QtArgumentError, match="-style needs a value"):
        split_qt_args(["--local", "-style"])


def test_parse_keeps_qt_options_for_the_window(tmp_path: Path) -> None:
    options = parse(["-platform", "xcb", "--data-dir", str(tmp_path), "-style", "Fusion", "--local"])
    assert options.local and options.data_dir == tmp_path and options.command is None
    assert options.qt_args == ("-platform", "xcb", "-style", "Fusion")
    assert qapplication_argv(options) == [sys.argv[0], "-platform", "xcb", "-style", "Fusion"]
    assert parse(["-reverse", "show", "m1"]).qt_args == ("-reverse",)
    assert parse(["--local"]).qt_args == ()


def test_parse_refuses_unknown_options_clearly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse(["-style", "Fusion", "--bogus"])
    assert exit_.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_parse_refuses_qt_options_for_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse(["-style", "Fusion", "list"])
    assert exit_.value.code == 2
    assert "Qt options (-style) apply only when the window starts" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parse(["-style"])
    assert "Qt's option -style needs a value" in capsys.readouterr().err


_PROBE = """
import json, sys
from desktop_app.app import qapplication_argv
from desktop_app.cli import parse
from PySide6.QtWidgets import QApplication
app = QApplication(qapplication_argv(parse(sys.argv[1:])))
print(json.dumps({
    "platform": app.platformName(),
    "style": app.style().name(),
    "rtl": app.isRightToLeft(),
    "arguments": app.arguments()[1:],
}))
"""


def test_qt_parses_what_we_hand_it() -> None:
    """The real QApplication takes each option in the form the split gives it (and leaves none)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "QT_STYLE_OVERRIDE")}
    argv = ["--platform", "offscreen", "-style=Fusion", "--reverse", "--qwindowtitle", "Probe"]
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"platform": "offscreen", "style": "fusion", "rtl": True, "arguments": []}
