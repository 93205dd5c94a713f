"""Options → "Message list beside the message": list | message side by side (Thunderbird's vertical
view), each layout keeping its own sizes, the choice kept in settings.ini."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from desktop_app.ui import texts
from desktop_app.ui.controller import ALL_ADDRESSES, AppSignals
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.reading_layout import SIDE_BY_SIDE
from desktop_app.ui.window_state import restore_window_state, save_window_state
from tests.ui.fakes import FakeController, make_summary
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1 = "quiet.otter@example.com"


def _window(qtbot: QtBot, settings: QSettings | None = None) -> MainWindow:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.messages[A1] = [make_summary(i) for i in range(4)]
    fake._sort(A1)

    def prepare(window: MainWindow) -> None:
        window.pane.setMinimumHeight(100)
        if settings is not None:
            restore_window_state(window, settings)
            window.reading_layout.remember_in(settings)

    return shown_window(qtbot, fake, before_show=prepare)


def ini(path: Path) -> QSettings:
    return QSettings(str(path / "settings.ini"), QSettings.Format.IniFormat)


def test_the_option_puts_the_list_beside_the_message_and_back(qtbot: QtBot) -> None:
    window = _window(qtbot)
    action = window.reading_layout.action
    assert action in window.options_menu.actions() and action.text() == texts.SIDE_BY_SIDE_ACTION
    assert not action.isChecked() and window.reading.orientation() == Qt.Orientation.Vertical
    qtbot.waitUntil(lambda: window.list_view.y() < window.pane.y())
    action.trigger()
    assert window.reading.orientation() == Qt.Orientation.Horizontal
    qtbot.waitUntil(lambda: window.list_view.x() + window.list_view.width() <= window.pane.x())
    list_width = window.reading.sizes()[0]
    assert 0.3 < list_width / sum(window.reading.sizes()) < 0.55
    action.trigger()
    assert window.reading.orientation() == Qt.Orientation.Vertical
    action.trigger()  # its own sizes come back
    assert window.reading.sizes()[0] == list_width


def test_the_layout_is_remembered_in_settings(qtbot: QtBot, tmp_path: Path) -> None:
    settings = ini(tmp_path)
    first = _window(qtbot, settings)
    first.reading_layout.action.trigger()
    assert settings.value(SIDE_BY_SIDE, type=bool) is True
    save_window_state(first, settings)
    first.close()
    second = _window(qtbot, ini(tmp_path))
    assert second.reading_layout.action.isChecked()
    assert second.reading.orientation() == Qt.Orientation.Horizontal


def test_the_setting_wins_over_the_splitter_s_saved_orientation(qtbot: QtBot, tmp_path: Path) -> None:
    settings = ini(tmp_path)
    first = _window(qtbot, settings)
    first.reading_layout.action.trigger()
    save_window_state(first, settings)  # the splitter's blob now says horizontal
    settings.setValue(SIDE_BY_SIDE, False)
    first.close()
    second = _window(qtbot, ini(tmp_path))
    assert second.reading.orientation() == Qt.Orientation.Vertical
    assert not second.reading_layout.action.isChecked()


def test_beside_the_message_the_window_still_fits_800_pixels(qtbot: QtBot) -> None:
    """With the list beside a message whose headers say a long sender-checks line, under a long
    address, the window could not be made narrower than 1062 px."""
    fake = FakeController(AppSignals())
    long_address = "a.very.long.disposable.address.for.signups@subdomain.example-mail.test"
    fake.add_address(long_address, state_kind="live", state_text="live")
    fake.messages[long_address] = [make_summary(i) for i in range(4)]
    fake._sort(long_address)
    window = shown_window(qtbot, fake)
    window.select_address(long_address)
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    window.pane.headers_view.checks.setText(
        "Sender checks by the mail service — SPF: no pass, DKIM: no pass, TLS: no (the service says so)"
    )
    window.reading_layout.action.trigger()
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() <= 800)
    assert window.minimumSizeHint().width() <= 800 and window.layout().totalMinimumSize().width() <= 800


def test_a_long_address_over_the_list_is_cut_in_its_middle_not_clipped(qtbot: QtBot) -> None:
    """Beside the message the list is narrow: its title read 'witty.bison2191@temp-in', cut
    mid-letter with no sign of it; now both ends stay, with '…' between."""
    fake = FakeController(AppSignals())
    long_address = "a.very.long.disposable.address.for.signups@subdomain.example-mail.test"
    fake.add_address(long_address, state_kind="live", state_text="live")
    fake.add_address(A1)
    window = shown_window(qtbot, fake)
    window.select_address(long_address)
    window.reading_layout.action.trigger()
    window.resize(800, 600)
    title = window.address_title
    qtbot.waitUntil(lambda: title.width() < title.fontMetrics().horizontalAdvance(long_address))
    shown = title.shown_text()
    assert shown.startswith("a.very") and shown.endswith("mail.test") and "…" in shown, shown
    assert title.fontMetrics().horizontalAdvance(shown) <= title.contentsRect().width()
    assert title.toolTip() == long_address
    window.select_address(ALL_ADDRESSES)  # "All addresses · …" reads from its start: cut at its end
    title.resize(title.fontMetrics().horizontalAdvance("All addresses · 0 m"), title.height())
    assert title.shown_text().startswith("All addresses") and title.shown_text().endswith("…")
