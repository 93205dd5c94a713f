"""The window's layout across restarts: geometry, both splitters, and the message list's columns
and sort order, kept in settings.ini (Qt's own opaque state blobs, which also carry a version)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from desktop_app.settings import ADDRESS_COLUMN_FITTED, LIST_COLUMNS, MAIN_SPLITTER, READING_SPLITTER
from desktop_app.settings import WINDOW_GEOMETRY as GEOMETRY

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow


def save_window_state(window: MainWindow, settings: QSettings) -> None:
    settings.setValue(GEOMETRY, window.saveGeometry())
    settings.setValue(MAIN_SPLITTER, window.main_splitter.saveState())
    settings.setValue(READING_SPLITTER, window.reading.saveState())
    settings.setValue(LIST_COLUMNS, window.list_view.header().saveState())
    settings.setValue(ADDRESS_COLUMN_FITTED, window.list_view.fitted_address_width)
    settings.sync()


def restore_window_state(window: MainWindow, settings: QSettings) -> None:
    """Each piece on its own: a missing or damaged value leaves that piece at its default."""

    def blob(key: str) -> QByteArray | None:
        value = settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    if (geometry := blob(GEOMETRY)) is not None:
        window.restoreGeometry(geometry)
    if (state := blob(MAIN_SPLITTER)) is not None:
        window.main_splitter.restoreState(state)
    if (state := blob(READING_SPLITTER)) is not None:
        window.reading.restoreState(state)
    if (state := blob(LIST_COLUMNS)) is not None:
        # It carries the sort indicator too; restoring it sorts the list (the view's sorting is on).
        window.list_view.header().restoreState(state)
        # The Address column's place and visibility follow what is shown, not the saved layout.
        window.list_view.set_address_column(window.list_view.address_column)
        fitted = settings.value(ADDRESS_COLUMN_FITTED)
        if isinstance(fitted, int | str) and str(fitted).isdigit():
            window.list_view.fitted_address_width = int(fitted)
