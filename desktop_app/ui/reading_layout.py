"""The reading area's two layouts: the message list above the message (the default) or beside it, a
wide window's list | message like Thunderbird's vertical view. Options menu, kept in settings.ini."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction

from desktop_app.settings import SIDE_BY_SIDE as SIDE_BY_SIDE_SETTING
from desktop_app.ui import texts

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

SIDE_BY_SIDE = SIDE_BY_SIDE_SETTING.key
# Share of the reading area the list gets when a layout is first used this session.
_LIST_SHARE = {Qt.Orientation.Vertical: 0.33, Qt.Orientation.Horizontal: 0.42}


class ReadingLayout(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._splitter = window.reading
        self._list_view = window.list_view
        self._settings: QSettings | None = None
        # Each layout keeps its own sizes for the session: a list 250 px tall is no list 250 px wide.
        self._sizes: dict[Qt.Orientation, list[int]] = {}
        self.action = QAction(texts.SIDE_BY_SIDE_ACTION, window)
        self.action.setCheckable(True)
        self.action.setToolTip(texts.SIDE_BY_SIDE_TIP)
        window.options_menu.addAction(self.action)
        self.action.toggled.connect(self._toggled)

    def remember_in(self, settings: QSettings) -> None:
        """Take the saved layout and keep later changes. Call it after ``restore_window_state``: the
        splitter's saved state holds an orientation too, and the setting is the user's word."""
        self._settings = settings
        self.set_side_by_side(bool(settings.value(SIDE_BY_SIDE, self.side_by_side, type=bool)))

    @property
    def side_by_side(self) -> bool:
        return self._splitter.orientation() == Qt.Orientation.Horizontal

    def set_side_by_side(self, on: bool) -> None:
        self.action.blockSignals(True)
        self.action.setChecked(on)
        self.action.blockSignals(False)
        # Beside the message the list is narrow: two-line rows give the subject the whole width.
        self._list_view.set_two_line(on)
        wanted = Qt.Orientation.Horizontal if on else Qt.Orientation.Vertical
        old = self._splitter.orientation()
        if wanted == old:
            return
        self._sizes[old] = self._splitter.sizes()
        total = sum(self._sizes[old]) or 1000
        self._splitter.setOrientation(wanted)
        sizes = self._sizes.get(wanted)
        if sizes is None:
            first = int(total * _LIST_SHARE[wanted])
            sizes = [first, total - first]
        self._splitter.setSizes(sizes)

    def _toggled(self, on: bool) -> None:
        self.set_side_by_side(on)
        if self._settings is not None:
            self._settings.setValue(SIDE_BY_SIDE, on)
