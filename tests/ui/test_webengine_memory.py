"""What keeps the app's QtWebEngine memory down (issue 14, item 5; figures in docs/performance.md):
one renderer process for every sealed page, Qt drawing the software-rendered frames without OpenGL
(Mesa's llvmpipe is never loaded), and no page loaded (so no renderer started) until the first message
is shown. The sandbox stays on for a normal user."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.desktop import platform_env
from desktop_app.ui.message_pane import MessagePane
from tests.ui.fakes import FakeHtmlView, make_message, make_summary

PROBE = Path(__file__).with_name("renderer_probe.py")


def prepared(monkeypatch: pytest.MonkeyPatch, euid: int = 1000, **env: str) -> dict[str, str]:
    monkeypatch.setattr(platform_env.os, "geteuid", lambda: euid)
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "")
    for key in platform_env.SOFTWARE_RENDERING_ENV:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    platform_env.prepare_qt_environment()
    return dict(os.environ)


def test_one_renderer_process_and_the_sandbox_stays_on(monkeypatch: pytest.MonkeyPatch) -> None:
    flags = prepared(monkeypatch)["QTWEBENGINE_CHROMIUM_FLAGS"].split()
    assert "--renderer-process-limit=1" in flags
    assert "--disable-gpu" in flags
    assert "--no-sandbox" not in flags and "--no-zygote" not in flags and "--single-process" not in flags


def test_software_rendering_without_opengl_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    env = prepared(monkeypatch)
    assert env["QT_QUICK_BACKEND"] == "software"
    assert env["QT_XCB_GL_INTEGRATION"] == "none"
    env = prepared(monkeypatch, QT_QUICK_BACKEND="opengl", QT_XCB_GL_INTEGRATION="xcb_egl")
    assert env["QT_QUICK_BACKEND"] == "opengl"
    assert env["QT_XCB_GL_INTEGRATION"] == "xcb_egl"


class CountingHtmlView(FakeHtmlView):
    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.clears = 0

    def clear(self) -> None:  # type: ignore[override]
        self.clears += 1
        super().clear()


def test_the_html_view_loads_nothing_until_the_first_message(qtbot: QtBot) -> None:
    pane = MessagePane(CountingHtmlView)
    qtbot.addWidget(pane)
    view = pane.html_view
    assert isinstance(view, CountingHtmlView)
    pane.clear("No messages yet.")
    assert view.clears == 0 and view.shown == []
    pane.show_message("a@example.com", make_message(make_summary(1), html="<p>one</p>"), {}, None)
    pane.clear()
    assert view.clears == 1  # once something was shown, clearing takes it down as before
    assert pane.placeholder.text() == "Select a message to read it."


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X display (make test provides Xvfb)")
def test_real_sealed_view_one_renderer_for_three_sites_none_before_and_no_mesa() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "QTWEBENGINE_"))}
    env["QT_QPA_PLATFORM"] = "xcb"
    result = subprocess.run(
        [sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["platform"] == "xcb", probe
    assert probe["before"] == [], probe  # no page loaded: no renderer yet
    assert len(probe["seen"]) == 1, probe  # three sites, one renderer process
    assert probe["mesa_loaded"] is False, probe
    assert probe["after_hide"] == [], probe  # hidden to the tray: no page, so no renderer
    assert probe["restored"] is True, probe  # shown again: the message loaded on a new renderer


def test_the_html_view_is_made_after_the_first_frame_or_when_first_needed(qtbot: QtBot) -> None:
    """Making the sealed view starts QtWebEngine (~90 ms, ~100 MB): not before the window is up."""
    made: list[FakeHtmlView] = []

    def factory(parent: object) -> FakeHtmlView:
        made.append(FakeHtmlView(parent))  # type: ignore[arg-type]
        return made[-1]

    pane = MessagePane(factory)
    qtbot.addWidget(pane)
    assert made == []
    qtbot.waitUntil(lambda: len(made) == 1, timeout=10_000)  # made a moment later, unasked
    assert pane.html_view is made[0] and len(made) == 1

    eager = MessagePane(factory)  # a message before the warm-up: made on the spot
    qtbot.addWidget(eager)
    eager.show_message("a@example.com", make_message(make_summary(1), html="<p>one</p>"), {}, None)
    assert len(made) == 2 and made[1].shown
