"""Fusion with control outlines a user can see on a dark palette.

Fusion draws the frame of a text field and the box of an unchecked check box in a colour derived
from the window colour (``window.darker(140)``). On a light window that is a visible grey; on a dark
one it is near-black on near-black, so the search field had no visible edge and unchecked options in
the menus were invisible. On a dark palette this style draws those outlines again in a colour with at
least 3:1 contrast to the window (WCAG's bar for the boundary of a control); light palettes are
left exactly as Fusion draws them. Dialog buttons carry no stock pictures (see ``styleHint``).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleHintReturn,
    QStyleOption,
    QWidget,
)

from desktop_app.ui.style import contrast_ratio, is_dark

# Three to one against the window: the minimum for the edge of a control.
OUTLINE_CONTRAST = 3.0
_OUTLINED = {QStyle.PrimitiveElement.PE_FrameLineEdit, QStyle.PrimitiveElement.PE_IndicatorCheckBox}


def visible_outline(palette: QPalette) -> QColor:
    """The palette's mid tone, lightened until it stands out from the window by 3:1."""
    window = palette.color(QPalette.ColorRole.Window)
    colour = palette.color(QPalette.ColorRole.Mid)
    for _ in range(20):
        if contrast_ratio(colour, window) >= OUTLINE_CONTRAST:
            break
        colour = colour.lighter(115)
    return colour


class OutlinedFusionStyle(QProxyStyle):
    def __init__(self, base: QStyle | None = None) -> None:
        """``base``: Fusion unless a test gives a Fusion that acts as under another platform."""
        super().__init__(base or QStyleFactory.create("Fusion"))

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        returnData: QStyleHintReturn | None = None,
    ) -> int:
        # Dialog buttons without Fusion's stock pictures: its black "×" on Close all but vanished
        # on a dark palette, and only the standard buttons had one (Cancel a red "×" beside a bare
        # "Create address"). Text alone, as GNOME's dialogs have it.
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, returnData)

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _OUTLINED or not is_dark(option.palette):
            return
        if option.state & QStyle.StateFlag.State_HasFocus:
            return  # Fusion's focus ring is the edge then: a grey one over it would hide the focus
        rect: QRect = option.rect
        painter.save()
        pen = QPen(visible_outline(option.palette))
        pen.setWidth(1)
        painter.setPen(pen)
        painter.setBrush(QColor(0, 0, 0, 0))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.restore()


def apply_app_style(app: QApplication) -> None:
    """Fusion draws every control from the palette, so a dark system palette gives a dark window;
    this style gives its text fields and check boxes edges a user can see on a dark one. (Here, not
    in ``style``: this module reads ``style``'s colour helpers, so ``style`` must not import it.)"""
    global _app_style
    _app_style = OutlinedFusionStyle()  # kept here: Qt does not own a style made in Python
    app.setStyle(_app_style)


_app_style: QStyle | None = None
