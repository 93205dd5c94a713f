"""Icons for the main actions: the desktop's icon theme by its freedesktop name, else a bundled one.

The bundled fallbacks are painted (like the paperclip in ``style.py``) so they need no resource files
and stay crisp at any size. They use one blue that keeps 3:1 against both the light and the dark
window (WCAG's minimum for graphics), so they need no repainting when the colour scheme changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QAbstractButton, QMenu

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

INK = QColor("#3b78e7")
SIZES = (16, 22, 24, 32, 48)

Painter = Callable[[QPainter, float], None]


def _plus(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(8 * s, 3 * s), QPointF(8 * s, 13 * s))
    p.drawLine(QPointF(3 * s, 8 * s), QPointF(13 * s, 8 * s))


def _copy(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(5.5 * s, 5.5 * s, 8 * s, 8.5 * s), 1.5 * s, 1.5 * s)
    back = QPainterPath(QPointF(3 * s, 10.5 * s))
    back.lineTo(2.5 * s, 3.5 * s)
    back.quadTo(2.5 * s, 2 * s, 4 * s, 2 * s)
    back.lineTo(10 * s, 2 * s)
    p.drawPath(back)


def _delete(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(2.5 * s, 4 * s), QPointF(13.5 * s, 4 * s))
    p.drawLine(QPointF(6.5 * s, 2 * s), QPointF(9.5 * s, 2 * s))
    body = QPainterPath(QPointF(4 * s, 4 * s))
    body.lineTo(4.8 * s, 14 * s)
    body.lineTo(11.2 * s, 14 * s)
    body.lineTo(12 * s, 4 * s)
    p.drawPath(body)
    p.drawLine(QPointF(8 * s, 6.5 * s), QPointF(8 * s, 11.5 * s))


def _find(p: QPainter, s: float) -> None:
    p.drawEllipse(QRectF(2.5 * s, 2.5 * s, 8 * s, 8 * s))
    p.drawLine(QPointF(9.5 * s, 9.5 * s), QPointF(13.5 * s, 13.5 * s))


def _unread(p: QPainter, s: float) -> None:
    p.drawRoundedRect(QRectF(2 * s, 4 * s, 10.5 * s, 8.5 * s), 1.2 * s, 1.2 * s)
    flap = QPainterPath(QPointF(2.5 * s, 5 * s))
    flap.lineTo(7.25 * s, 8.5 * s)
    flap.lineTo(12 * s, 5 * s)
    p.drawPath(flap)
    p.setBrush(INK)
    p.drawEllipse(QRectF(11 * s, 1.5 * s, 4 * s, 4 * s))


def _refresh(p: QPainter, s: float) -> None:
    p.drawArc(QRectF(3 * s, 3 * s, 10 * s, 10 * s), 60 * 16, 280 * 16)
    head = QPainterPath(QPointF(10.5 * s, 1.5 * s))
    head.lineTo(10.8 * s, 4.6 * s)
    head.lineTo(7.8 * s, 5 * s)
    p.drawPath(head)


def _quit(p: QPainter, s: float) -> None:
    door = QPainterPath(QPointF(9 * s, 4.5 * s))
    door.lineTo(9 * s, 2.5 * s)
    door.lineTo(3 * s, 2.5 * s)
    door.lineTo(3 * s, 13.5 * s)
    door.lineTo(9 * s, 13.5 * s)
    door.lineTo(9 * s, 11.5 * s)
    p.drawPath(door)
    p.drawLine(QPointF(6.5 * s, 8 * s), QPointF(14 * s, 8 * s))
    arrow = QPainterPath(QPointF(11.5 * s, 5.5 * s))
    arrow.lineTo(14 * s, 8 * s)
    arrow.lineTo(11.5 * s, 10.5 * s)
    p.drawPath(arrow)


def _save(p: QPainter, s: float) -> None:
    p.drawLine(QPointF(8 * s, 2 * s), QPointF(8 * s, 10 * s))
    arrow = QPainterPath(QPointF(4.5 * s, 6.5 * s))
    arrow.lineTo(8 * s, 10 * s)
    arrow.lineTo(11.5 * s, 6.5 * s)
    p.drawPath(arrow)
    tray = QPainterPath(QPointF(2.5 * s, 10 * s))
    tray.lineTo(2.5 * s, 13.5 * s)
    tray.lineTo(13.5 * s, 13.5 * s)
    tray.lineTo(13.5 * s, 10 * s)
    p.drawPath(tray)


# freedesktop icon naming spec name -> bundled fallback
FALLBACKS: dict[str, Painter] = {
    "list-add": _plus,
    "edit-copy": _copy,
    "edit-delete": _delete,
    "edit-find": _find,
    "mail-mark-unread": _unread,
    "view-refresh": _refresh,
    "application-exit": _quit,
    "document-save": _save,
}


def bundled_icon(name: str) -> QIcon:
    paint = FALLBACKS[name]
    icon = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(INK, max(1.3, size / 11))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        paint(painter, size / 16)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def themed_icon(name: str) -> QIcon:
    """The theme's icon when the desktop has one by that name, else the bundled drawing."""
    if QIcon.hasThemeIcon(name):
        return QIcon.fromTheme(name)
    return bundled_icon(name)


def apply_action_icons(window: MainWindow) -> None:
    """Icons on the window's menu actions and its main buttons (the text stays: icons only help).
    The state displays (empty states, SMTP line, offline banner) set their own."""
    targets: list[tuple[QAction | QAbstractButton, str]] = [
        (window.new_action, "list-add"),
        (window.copy_action, "edit-copy"),
        (window.search_action, "edit-find"),
        (window.delete_action, "edit-delete"),
        (window.unread_action, "mail-mark-unread"),
        (window.copy_button, "edit-copy"),
        (window.sidebar.empty_button, "list-add"),
    ]
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            targets += [(item, "application-exit") for item in menu.actions() if item.text() == "&Quit"]
    for target, name in targets:
        target.setIcon(themed_icon(name))
