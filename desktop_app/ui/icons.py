"""The app icon and the tray icon with its unread badge.

The tray icon is painted with QPainter rather than loaded, because the badge (a count up to "99+")
changes with every new message and must stay legible from 16 px up. The envelope mirrors
``resources/icons/temp-inbox.svg``, which is what the desktop file and the notification server use.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QLinearGradient, QPainter, QPainterPath, QPen, QPixmap

TILE_TOP = QColor("#4f8ef7")
TILE = QColor("#2359d8")
TILE_QUIET = QColor("#7b8494")  # do-not-disturb: the same envelope, greyed
BADGE = QColor("#e5383b")
TRAY_SIZES = (16, 22, 24, 32, 48, 64)


def icon_path() -> Path | None:
    """The SVG app icon shipped with the source tree (packaging installs it into hicolor)."""
    path = Path(__file__).resolve().parents[2] / "resources" / "icons" / "temp-inbox.svg"
    return path if path.is_file() else None


def badge_text(unread: int) -> str:
    if unread <= 0:
        return ""
    return "99+" if unread > 99 else str(unread)


def envelope_pixmap(size: int, *, quiet: bool = False) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    s = size / 256.0
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    tile = QLinearGradient(0, 16 * s, 0, 240 * s)
    # Flat grey when quiet: the lighter top of a gradient fell under 3:1 on a white panel.
    tile.setColorAt(0, TILE_QUIET if quiet else TILE_TOP)
    tile.setColorAt(1, TILE_QUIET if quiet else TILE)
    painter.setBrush(tile)
    painter.drawRoundedRect(QRectF(16 * s, 16 * s, 224 * s, 224 * s), 52 * s, 52 * s)
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(50 * s, 74 * s, 156 * s, 108 * s), 14 * s, 14 * s)
    flap = QPainterPath(QPointF(58 * s, 84 * s))
    flap.lineTo(128 * s, 136 * s)
    flap.lineTo(198 * s, 84 * s)
    pen = QPen(TILE_QUIET if quiet else TILE, max(1.0, 12 * s))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(flap)
    painter.end()
    return pixmap


def badge_pixmap(unread: int, size: int = 64, *, quiet: bool = False) -> QPixmap:
    """The envelope with the unread count in a red pill at the top right ("99+" beyond 99)."""
    pixmap = envelope_pixmap(size, quiet=quiet)
    text = badge_text(unread)
    if not text:
        return pixmap
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(7, round(size * (0.36 if len(text) < 3 else 0.3))))
    painter.setFont(font)
    height = size * 0.52
    with_text = size >= 24 or len(text) == 1
    width = max(height, painter.fontMetrics().horizontalAdvance(text) + size * 0.16) if with_text else height
    pill = QRectF(size - width, 0, width, height)
    painter.setPen(QPen(QColor("#ffffff"), max(1.0, size / 32)))
    painter.setBrush(BADGE)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(QColor("#ffffff"))
    if with_text:  # below that, more than one digit is a smudge: a dot says enough
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


def tray_icon(unread: int, *, quiet: bool = False) -> QIcon:
    icon = QIcon()
    for size in TRAY_SIZES:
        icon.addPixmap(badge_pixmap(unread, size, quiet=quiet))
    return icon


def app_icon() -> QIcon:
    path = icon_path()
    if path is not None:
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon
    icon = QIcon()
    for size in (*TRAY_SIZES, 128, 256):
        icon.addPixmap(envelope_pixmap(size))
    return icon
