"""Window geometry, splitter sizes and column widths survive a restart (settings.ini)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.message_list import COL_FROM
from desktop_app.ui.window_state import GEOMETRY, restore_window_state, save_window_state
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"


def _window(qtbot, settings: QSettings | None = None) -> MainWindow:  # type: ignore[no-untyped-def]
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.messages[A1] = [make_summary(i) for i in range(4)]
    fake._sort(A1)

    def prepare(window: MainWindow) -> None:
        # The pane's own minimum would leave the reading splitter no room to move on a 600 px screen.
        window.pane.setMinimumHeight(100)
        if settings is not None:
            restore_window_state(window, settings)

    return shown_window(qtbot, fake, before_show=prepare)


def _settings(path: Path) -> QSettings:
    return QSettings(str(path / "settings.ini"), QSettings.Format.IniFormat)


# Sizes fit the offscreen screen (800x600): restoreGeometry shrinks a window to its screen.
def test_layout_is_restored_after_a_restart(qtbot, tmp_path: Path) -> None:
    first = _window(qtbot)
    first.resize(780, 560)
    first.main_splitter.setSizes([300, 480])
    first.reading.setSizes([380, 200])
    first.list_view.header().resizeSection(COL_FROM, 233)
    qtbot.waitUntil(lambda: first.size().width() == 780, timeout=30_000)
    sizes = (first.main_splitter.sizes(), first.reading.sizes())
    size = first.size()  # the height may be held up by the widgets' minimum sizes
    save_window_state(first, _settings(tmp_path))
    first.close()

    second = _window(qtbot, _settings(tmp_path))
    qtbot.waitUntil(lambda: second.size().width() == 780, timeout=30_000)
    assert second.size() == size
    assert (second.main_splitter.sizes(), second.reading.sizes()) == sizes
    assert second.list_view.header().sectionSize(COL_FROM) == 233


def test_a_damaged_value_leaves_the_defaults(qtbot, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.setValue(GEOMETRY, "not a geometry")
    settings.sync()
    window = _window(qtbot, _settings(tmp_path))
    assert window.size().width() == 1180  # the window's default size
