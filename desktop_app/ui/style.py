"""Colours and small painted icons derived from the current palette, so light and dark both work.

Nothing here hard-codes a light colour: text, backgrounds and accents come from ``QPalette`` roles.
The only fixed hues are the connection-state dots (green/amber/red), and even those are picked in a
lighter or darker variant depending on whether the palette is dark, to keep their contrast.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

# (light-palette variant, dark-palette variant) per connection kind.
_STATE_HUES: dict[str, tuple[str, str]] = {
    "live": ("#1e8e3e", "#5bd17a"),
    "connecting": ("#b06000", "#f6c146"),
    "retrying": ("#b06000", "#f6c146"),
    "failed": ("#c5221f", "#f28b82"),
    "offline": ("#6b6b6b", "#a0a0a0"),
    "stopped": ("#6b6b6b", "#a0a0a0"),
}

STATE_WORDS: dict[str, str] = {
    "live": "Live",
    "connecting": "Connecting",
    "retrying": "Reconnecting",
    "failed": "Offline",
    "offline": "Offline",
    "stopped": "Stopped",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def muted_text(palette: QPalette) -> QColor:
    """Secondary text (addresses under labels, intros): the text colour pulled towards the base."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(
        (text.red() * 62 + base.red() * 38) // 100,
        (text.green() * 62 + base.green() * 38) // 100,
        (text.blue() * 62 + base.blue() * 38) // 100,
    )


def state_color(kind: str, palette: QPalette) -> QColor:
    light, dark = _STATE_HUES.get(kind, _STATE_HUES["offline"])
    return QColor(dark if is_dark(palette) else light)


def state_word(kind: str) -> str:
    return STATE_WORDS.get(kind, kind.capitalize() or "Unknown")


def format_size(size: int) -> str:
    """Decimal units, as the service counts its 40 MB quota (40,000,000 bytes)."""
    if size < 1000:
        return f"{size} B"
    for unit in ("kB", "MB", "GB"):
        size_f = size / 1000
        if size_f < 1000 or unit == "GB":
            return f"{size_f:.1f} {unit}".replace(".0 ", " ")
        size = int(size_f)
    return f"{size} B"  # pragma: no cover


def format_usage(used: int, quota: int) -> str:
    return f"{format_size(used)} of {format_size(quota)}"


def paperclip_icon(palette: QPalette, size: int = 16) -> QIcon:
    """A paperclip drawn in the palette's text colour (the bundled fonts have no paperclip glyph)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(muted_text(palette), max(1.2, size / 11))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    s = size / 16
    path = QPainterPath(QPointF(10.5 * s, 5 * s))
    path.lineTo(10.5 * s, 11 * s)
    path.arcTo(QRectF(5.5 * s, 8.5 * s, 5 * s, 5 * s), 0, -180)
    path.lineTo(5.5 * s, 4 * s)
    path.arcTo(QRectF(5.5 * s, 1.5 * s, 7 * s, 5 * s), 180, -180)
    path.lineTo(12.5 * s, 11.5 * s)
    painter.drawPath(path)
    painter.end()
    return QIcon(pixmap)


def dark_palette() -> QPalette:
    """A complete dark palette (used by tests and when the platform reports a dark scheme without one)."""
    p = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#202124",
        roles.WindowText: "#e8eaed",
        roles.Base: "#17181a",
        roles.AlternateBase: "#26272a",
        roles.Text: "#e8eaed",
        roles.Button: "#2d2e31",
        roles.ButtonText: "#e8eaed",
        roles.BrightText: "#ffffff",
        roles.Highlight: "#3a76d8",
        roles.HighlightedText: "#ffffff",
        roles.ToolTipBase: "#2d2e31",
        roles.ToolTipText: "#e8eaed",
        roles.PlaceholderText: "#9aa0a6",
        roles.Link: "#8ab4f8",
        roles.LinkVisited: "#c58af9",
        roles.Mid: "#3c4043",
        roles.Midlight: "#35363a",
        roles.Dark: "#111214",
        roles.Shadow: "#000000",
        roles.Light: "#45474a",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7f8388"))
    return p


def apply_app_style(app: QApplication) -> None:
    """Fusion draws every control from the palette, so a dark system palette gives a dark window."""
    app.setStyle("Fusion")


def set_widget_palette(widget: QWidget, palette: QPalette) -> None:
    """Apply a palette to a widget tree (tests use this to render the dark variant)."""
    widget.setPalette(palette)
    for child in widget.findChildren(QWidget):
        child.setPalette(palette)
