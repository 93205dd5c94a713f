"""The paperclip in a selected row is drawn in the selection's text colour (the muted one all but
vanished against the highlight), in the columns and in two-line rows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QColor, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.ui.message_list import COL_ATTACHMENT, COL_SUBJECT
from desktop_app.ui.style import dark_palette, light_palette, muted_text, paperclip_icon
from tests.ui.test_two_line_rows import _lines, _row, _side_by_side, _window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _has_colour(image: QImage, colour: QColor, tolerance: int = 40) -> bool:
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - colour.red()) + abs(c.green() - colour.green()) + abs(c.blue() - colour.blue())
                < tolerance
                and c.alpha() > 200
            ):
                return True
    return False


@pytest.mark.parametrize("make_palette", [light_palette, dark_palette])
def test_the_paperclip_icon_has_a_selected_mode_in_the_selection_s_text(
    qapp: QApplication, make_palette: object
) -> None:
    palette: QPalette = make_palette()  # type: ignore[operator]
    icon = paperclip_icon(palette)
    selected = icon.pixmap(16, 16, QIcon.Mode.Selected).toImage()
    normal = icon.pixmap(16, 16, QIcon.Mode.Normal).toImage()
    assert _has_colour(selected, palette.color(QPalette.ColorRole.HighlightedText), 10)
    assert not _has_colour(selected, muted_text(palette), 10)
    assert _has_colour(normal, muted_text(palette), 10)


@pytest.mark.parametrize("two_line", [False, True])
def test_a_selected_row_s_paperclip_is_drawn_in_the_selection_s_text(qtbot: QtBot, two_line: bool) -> None:
    window = _window(qtbot)
    if two_line:
        _side_by_side(qtbot, window)
    view = window.list_view
    row = _row(window, "Invoice")
    view.setFocus()
    view.setCurrentIndex(window.model.index(row, 0))
    index = window.model.index(row, COL_SUBJECT if two_line else COL_ATTACHMENT)
    qtbot.waitUntil(lambda: view.selectionModel().isRowSelected(row, QModelIndex()))
    if two_line:
        clip = _lines(window, row).clip_rect
        assert clip is not None
    else:
        clip = view.visualRect(index)
    image = view.viewport().grab(clip).toImage()
    palette = view.palette()
    group = QPalette.ColorGroup.Active if view.isActiveWindow() else QPalette.ColorGroup.Inactive
    palette.setCurrentColorGroup(group)
    assert _has_colour(image, palette.color(QPalette.ColorRole.HighlightedText))
    assert not _has_colour(image, muted_text(palette), 12)
