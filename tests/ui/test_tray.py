"""Tray icon: menu rebuilt from live state on aboutToShow, unread badge, signals."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QColor, QImage
from PySide6.QtWidgets import QMenu, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from desktop_app.ui.controller import ALL_ADDRESSES
from desktop_app.ui.icons import app_icon, badge_pixmap, badge_text, icon_path, tray_icon
from desktop_app.ui.style import contrast_ratio
from desktop_app.ui.tray import TrayAddress, TrayIcon


def _texts(menu: QMenu) -> list[str]:
    return [a.text() if not a.isSeparator() else "---" for a in menu.actions()]


def _action(menu: QMenu, text: str) -> QAction:
    [action] = [a for a in menu.actions() if a.text() == text]
    return action


def _image(unread: int, size: int = 64) -> QImage:
    return badge_pixmap(unread, size).toImage()


def test_menu_is_rebuilt_from_live_state_when_it_opens(qtbot: QtBot) -> None:
    state = [TrayAddress("a@tmp.test", "Work", 2)]
    visible = [True]
    tray = TrayIcon(lambda: state, window_visible=lambda: visible[0])
    tray.menu.aboutToShow.emit()
    assert _texts(tray.menu) == [
        "Work (2)",
        "---",
        "New address…",
        "Hide window",
        "Do not disturb",
        "---",
        "Quit",
    ]

    state.append(TrayAddress("b&c@tmp.test", "", 0))
    state[0] = TrayAddress("a@tmp.test", "Work", 0)
    visible[0] = False
    tray.menu.aboutToShow.emit()
    # Two addresses: "All addresses" heads the menu; "&" is not taken as a mnemonic.
    assert _texts(tray.menu)[:4] == ["All addresses", "---", "Work", "b&&c@tmp.test"]
    assert "Show window" in _texts(tray.menu)
    work = _action(tray.menu, "Work").menu()
    assert isinstance(work, QMenu)
    assert _texts(work) == ["Copy address", "Open"]

    state.clear()
    tray.menu.aboutToShow.emit()
    assert _texts(tray.menu)[0] == "No addresses yet"
    assert not tray.menu.actions()[0].isEnabled()


def test_actions_emit_signals(qtbot: QtBot) -> None:
    tray = TrayIcon(lambda: [TrayAddress("a@tmp.test"), TrayAddress("b@tmp.test", "B")])
    tray.menu.aboutToShow.emit()
    second = _action(tray.menu, "B").menu()
    assert isinstance(second, QMenu)
    with qtbot.waitSignal(tray.copy_address) as copied:
        _action(second, "Copy address").trigger()
    assert copied.args == ["b@tmp.test"]
    with qtbot.waitSignal(tray.open_address) as opened:
        _action(second, "Open").trigger()
    assert opened.args == ["b@tmp.test"]
    with qtbot.waitSignal(tray.new_address):
        _action(tray.menu, "New address…").trigger()
    with qtbot.waitSignal(tray.toggle_window):
        _action(tray.menu, "Hide window").trigger()
    with qtbot.waitSignal(tray.quit_requested):
        _action(tray.menu, "Quit").trigger()
    with qtbot.waitSignal(tray.dnd_toggled) as dnd:
        _action(tray.menu, "Do not disturb").trigger()
    assert dnd.args == [True] and tray.do_not_disturb
    tray.menu.aboutToShow.emit()
    assert _action(tray.menu, "Do not disturb").isChecked()  # the rebuilt menu keeps the state
    with qtbot.waitSignal(tray.toggle_window):
        tray.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)


def test_badge_and_tooltip_follow_unread(qtbot: QtBot) -> None:
    assert _image(0) != _image(5)
    assert _image(5) != _image(7)
    assert _image(150) == _image(100)  # both "99+"
    assert [badge_text(n) for n in (0, -1, 1, 99, 100)] == ["", "", "1", "99", "99+"]
    assert not tray_icon(3).isNull() and not app_icon().isNull()

    tray = TrayIcon(lambda: [])
    assert "no unread" in tray.toolTip()
    before = tray.icon().pixmap(32).toImage()
    tray.set_unread(5)
    assert "5 unread" in tray.toolTip()
    assert tray.icon().pixmap(32).toImage() != before
    tray.set_do_not_disturb(True)
    assert "do not disturb" in tray.toolTip()


def test_badge_is_painted_in_the_top_right_corner(qtbot: QtBot) -> None:
    plain, badged = _image(0), _image(5)
    differing = [(x, y) for x in range(64) for y in range(64) if plain.pixel(x, y) != badged.pixel(x, y)]
    assert differing
    assert min(x for x, _ in differing) >= 64 // 3 and max(y for _, y in differing) <= 64 // 2 + 2


def test_svg_app_icon_is_shipped() -> None:
    path = icon_path()
    assert path is not None and path.read_text(encoding="utf-8").lstrip().startswith("<svg")


@pytest.mark.parametrize("quiet", [False, True], ids=["normal", "do not disturb"])
@pytest.mark.parametrize("panel", ["#f6f5f4", "#ffffff", "#303030", "#000000"])
def test_tray_icon_stands_out_on_light_and_dark_panels(qtbot: QtBot, panel: str, quiet: bool) -> None:
    """The envelope sits on a filled tile whose colour differs from any panel, light or dark, by at
    least 3:1 (the bar for a graphic a user must make out), at the smallest tray size."""
    image = badge_pixmap(0, 16, quiet=quiet).toImage()
    edge = image.pixelColor(8, 2)  # the tile, above the envelope
    assert edge.alpha() == 255
    assert contrast_ratio(edge, QColor(panel)) >= 3.0, (edge.name(), panel)


def test_all_addresses_heads_the_menu_with_unread_added_up_and_opens_it(qtbot: QtBot) -> None:
    tray = TrayIcon(lambda: [TrayAddress("a@tmp.test", "", 2), TrayAddress("b@tmp.test", "B", 3)])
    tray.menu.aboutToShow.emit()
    assert _texts(tray.menu)[:4] == ["All addresses (5)", "---", "a@tmp.test (2)", "B (3)"]
    with qtbot.waitSignal(tray.open_address) as opened:
        _action(tray.menu, "All addresses (5)").trigger()
    assert opened.args == [ALL_ADDRESSES]
