"""Main actions carry icons: the desktop theme's by freedesktop name when it has them, else bundled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from desktop_app.ui.action_icons import FALLBACKS, INK, bundled_icon, themed_icon
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.main_window import MainWindow
from tests.ui.fakes import FakeController, FakeHtmlView
from tests.ui.icon_theme import has_colour, one_icon_theme

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def test_theme(tmp_path: Path) -> Iterator[None]:
    """A one-icon theme (edit-copy, solid red) installed for the test."""
    with one_icon_theme(tmp_path, "testtheme", "actions", 16, "edit-copy", "#ff0000"):
        yield


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_every_bundled_icon_is_drawn(qapp: QApplication, name: str) -> None:
    for size in (16, 32):
        image = bundled_icon(name).pixmap(size).toImage()
        assert has_colour(image, INK), (name, size)


def test_the_theme_wins_where_it_has_the_icon(qapp: QApplication, test_theme: None) -> None:
    assert has_colour(themed_icon("edit-copy").pixmap(16).toImage(), QColor("#ff0000"))
    # Not in the theme: the bundled drawing, not an empty icon.
    assert has_colour(themed_icon("edit-delete").pixmap(16).toImage(), INK)


def test_the_windows_main_actions_and_buttons_have_icons(qtbot) -> None:  # type: ignore[no-untyped-def]
    fake = FakeController(AppSignals())
    window = MainWindow(fake, fake.signals, html_view_factory=FakeHtmlView)
    try:
        for target in (
            window.new_action,
            window.copy_action,
            window.search_action,
            window.delete_action,
            window.unread_action,
            window.copy_button,
            window.sidebar.empty_button,
            window.empty_list.new_button,
            window.empty_list.smtp.copy_button,
            window.connection_banner.retry_button,
        ):
            assert not target.icon().isNull(), target
        quit_items = [
            item
            for top in window.menuBar().actions()
            if top.menu() is not None
            for item in top.menu().actions()
            if item.text() == "&Quit"
        ]
        assert quit_items and not quit_items[0].icon().isNull()
    finally:
        window.allow_close()
        window.close()
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
