"""The colour scheme: System follows QStyleHints (and its changes), Light/Dark are the user's choice,
and the app's own dark palette is used when the platform gives none (offscreen gives none)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMenu

from desktop_app.ui.style import dark_palette, light_palette
from desktop_app.ui.theme import SETTING, ThemeManager, add_scheme_menu

WINDOW = QPalette.ColorRole.Window


@pytest.fixture
def palette_restored(qapp: QApplication) -> Iterator[None]:
    original = QPalette(qapp.palette())
    yield
    qapp.setPalette(original)
    qapp.styleHints().unsetColorScheme()  # an explicit choice is also asked of the platform


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


class FakeSystem:
    def __init__(self) -> None:
        self.scheme = Qt.ColorScheme.Light

    def __call__(self) -> Qt.ColorScheme:
        return self.scheme


def _grab_centre(widget: QLabel) -> QColor:
    image = widget.grab().toImage()
    return image.pixelColor(2, 2)


def test_dark_choice_applies_the_apps_dark_palette(
    qtbot, qapp: QApplication, settings: QSettings, palette_restored: None
) -> None:
    theme = ThemeManager(qapp, settings=settings, system_scheme=FakeSystem())
    label = QLabel("x")
    label.setAutoFillBackground(True)
    qtbot.addWidget(label)
    theme.set_choice("dark")
    assert theme.shown == "dark"
    assert qapp.palette().color(WINDOW) == dark_palette().color(WINDOW)
    # What the user sees: a widget is drawn in the dark window colour.
    qtbot.waitUntil(lambda: _grab_centre(label) == dark_palette().color(WINDOW), timeout=30_000)
    theme.set_choice("light")
    assert qapp.palette().color(WINDOW) == light_palette().color(WINDOW)
    assert qapp.palette().color(QPalette.ColorRole.Highlight) == light_palette().color(
        QPalette.ColorRole.Highlight
    )
    qtbot.waitUntil(lambda: _grab_centre(label) == light_palette().color(WINDOW), timeout=30_000)


def test_system_choice_follows_the_scheme_and_its_changes(
    qtbot, qapp: QApplication, settings: QSettings, palette_restored: None
) -> None:
    system = FakeSystem()
    theme = ThemeManager(qapp, settings=settings, system_scheme=system)
    theme.apply()
    assert theme.shown == "light"
    system.scheme = Qt.ColorScheme.Dark
    with qtbot.waitSignal(theme.applied, timeout=30_000) as blocker:
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert blocker.args == ["dark"]
    assert qapp.palette().color(WINDOW) == dark_palette().color(WINDOW)
    system.scheme = Qt.ColorScheme.Light
    with qtbot.waitSignal(theme.applied, timeout=30_000):
        qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert qapp.palette().color(WINDOW) == light_palette().color(WINDOW)


def test_an_explicit_choice_ignores_system_changes(
    qtbot, qapp: QApplication, settings: QSettings, palette_restored: None
) -> None:
    system = FakeSystem()
    theme = ThemeManager(qapp, settings=settings, system_scheme=system)
    theme.set_choice("light")
    system.scheme = Qt.ColorScheme.Dark
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    with qtbot.assertNotEmitted(theme.applied, wait=200):
        pass
    assert qapp.palette().color(WINDOW) == light_palette().color(WINDOW)


def test_the_choice_is_saved_and_offered_in_a_menu(
    qtbot, qapp: QApplication, settings: QSettings, palette_restored: None
) -> None:
    theme = ThemeManager(qapp, settings=settings, system_scheme=FakeSystem())
    menu = QMenu()
    group = add_scheme_menu(menu, theme)
    assert [a.text() for a in group.actions()] == ["Follow the system", "Light", "Dark"]
    assert group.checkedAction().data() == "system"
    group.actions()[2].trigger()
    assert theme.choice == "dark" and theme.shown == "dark"
    settings.sync()
    assert settings.value(SETTING) == "dark"
    again = ThemeManager(qapp, settings=settings, system_scheme=FakeSystem())
    assert again.choice == "dark"
    assert add_scheme_menu(QMenu(), again).checkedAction().data() == "dark"
    menu.deleteLater()
