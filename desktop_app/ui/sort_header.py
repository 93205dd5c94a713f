"""A list header whose sort arrow points the way the list runs: down for newest first (Z to A,
9 to 1), up for oldest first (A to Z).

Qt's header hands the style ``SortUp`` for a descending order, and Fusion draws that as an arrow
pointing up, so "newest first" showed an up arrow: the opposite of what Windows, macOS and GNOME
show for the same order, and of what a user reads it as.

When the list sorts by a column that is hidden (two-line rows show only the subject's section), the
one section on show names the order instead ("Newest first ▾"), with its arrow: it read "Subject"
with no arrow, over a list sorted by time.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QStyleOptionHeader, QWidget

_Indicator = QStyleOptionHeader.SortIndicator
_FLIPPED = {_Indicator.SortUp: _Indicator.SortDown, _Indicator.SortDown: _Indicator.SortUp}


class SortHeader(QHeaderView):
    def __init__(
        self, parent: QWidget | None = None, order_names: Mapping[tuple[int, Qt.SortOrder], str] | None = None
    ) -> None:
        """``order_names``: what to call each (column, order) when its column is hidden."""
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._order_names = dict(order_names or {})
        # What QTreeView sets on the header it makes itself, which this one replaces.
        self.setSectionsMovable(True)
        self.setStretchLastSection(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logicalIndex: int) -> None:
        super().initStyleOptionForIndex(option, logicalIndex)
        sorted_by, order = self.sortIndicatorSection(), self.sortIndicatorOrder()
        name = self._order_names.get((sorted_by, order))
        alone = self.count() - self.hiddenSectionCount() == 1
        if name and alone and self.isSortIndicatorShown() and self.isSectionHidden(sorted_by):
            option.text = name
            descending = order == Qt.SortOrder.DescendingOrder
            option.sortIndicator = _Indicator.SortDown if descending else _Indicator.SortUp
            return
        option.sortIndicator = _FLIPPED.get(option.sortIndicator, option.sortIndicator)
