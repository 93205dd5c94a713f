"""A list header whose sort arrow points the way the list runs: down for newest first (Z to A,
9 to 1), up for oldest first (A to Z).

Qt's header hands the style ``SortUp`` for a descending order, and Fusion draws that as an arrow
pointing up, so "newest first" showed an up arrow: the opposite of what Windows, macOS and GNOME
show for the same order, and of what a user reads it as.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QStyleOptionHeader, QWidget

_Indicator = QStyleOptionHeader.SortIndicator
_FLIPPED = {_Indicator.SortUp: _Indicator.SortDown, _Indicator.SortDown: _Indicator.SortUp}


class SortHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        # What QTreeView sets on the header it makes itself, which this one replaces.
        self.setSectionsMovable(True)
        self.setStretchLastSection(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logicalIndex: int) -> None:
        super().initStyleOptionForIndex(option, logicalIndex)
        option.sortIndicator = _FLIPPED.get(option.sortIndicator, option.sortIndicator)
