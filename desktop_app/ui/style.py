"""Colours and small painted icons derived from the current palette, so light and dark both work.

Nothing here hard-codes a light colour: text, backgrounds and accents come from ``QPalette`` roles.
The only fixed hues are the connection-state dots (green/amber/red), and even those are picked in a
lighter or darker variant depending on whether the palette is dark, to keep their contrast.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QWidget

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


_FROZEN_COUNTDOWN = re.compile(r"^in \d+ s\b")


def state_description(kind: str, text: str) -> str:
    """The state word with its detail, without saying a word twice: "Offline: cached mail only",
    "Reconnecting (server error 502)", "Offline: wrong password" (not "Offline: failed: …")."""
    word = state_word(kind)
    detail = text.strip()
    if detail.lower().startswith(kind):
        detail = detail[len(kind) :].lstrip(" :")
    # The seconds were true when the state arrived and are frozen after; the live countdown is the
    # offline banner's job, so a static line keeps only the reason.
    detail = _FROZEN_COUNTDOWN.sub("", detail).strip()
    if not detail or detail.lower() == word.lower():
        return word
    return f"{word} {detail}" if detail.startswith(("in ", "(")) else f"{word}: {detail}"


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
    """A paperclip in the muted text colour (the bundled fonts have no paperclip glyph), and in the
    selection's text colour for a selected row (``QIcon.Mode.Selected``, which item views draw with),
    where the muted one all but vanishes against the highlight."""
    icon = QIcon(paperclip_pixmap(muted_text(palette), size))
    icon.addPixmap(paperclip_pixmap(selected_text(palette), size), QIcon.Mode.Selected)
    return icon


def selected_text(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.HighlightedText)


def paperclip_pixmap(colour: QColor, size: int = 16) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour, max(1.2, size / 11))
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
    return pixmap


def dark_palette() -> QPalette:
    """A complete dark palette (used when the scheme is dark and the platform gives no dark palette)."""
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
        roles.Highlight: "#2f64c2",
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
        # Still 4.5:1: a disabled label (a pane's "Select a message") is text someone must read.
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8e9297"))
    return p


def light_palette() -> QPalette:
    """Fusion's light palette with the colours that fail WCAG AA fixed: its selection (white on
    #308cc6 is 3.7:1) and its placeholder (half-transparent black, 3.9:1 on white). Used when the
    scheme is light and the platform gives no palette of its own (Fusion's default is what is left)."""
    p = QPalette()
    roles = QPalette.ColorRole
    colours = {
        roles.Window: "#efefef",
        roles.WindowText: "#000000",
        roles.Base: "#ffffff",
        roles.AlternateBase: "#f7f7f7",
        roles.Text: "#000000",
        roles.Button: "#efefef",
        roles.ButtonText: "#000000",
        roles.BrightText: "#ffffff",
        roles.Highlight: "#1f66b0",
        roles.HighlightedText: "#ffffff",
        roles.ToolTipBase: "#ffffdc",
        roles.ToolTipText: "#000000",
        roles.PlaceholderText: "#636363",
        roles.Link: "#0b57d0",
        roles.LinkVisited: "#7b1fa2",
        roles.Mid: "#b8b8b8",
        roles.Midlight: "#e3e3e3",
        roles.Dark: "#9f9f9f",
        roles.Shadow: "#767676",
        roles.Light: "#ffffff",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6a6a6a"))
    return p


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def over(foreground: QColor, background: QColor) -> QColor:
    """A translucent colour as it is seen on ``background`` (placeholders are often half-transparent)."""
    alpha = foreground.alphaF()
    return QColor.fromRgbF(
        foreground.redF() * alpha + background.redF() * (1 - alpha),
        foreground.greenF() * alpha + background.greenF() * (1 - alpha),
        foreground.blueF() * alpha + background.blueF() * (1 - alpha),
    )


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG contrast ratio, 1 to 21; AA asks for 4.5 for normal text."""
    a = relative_luminance(over(foreground, background))
    b = relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _role(role: QPalette.ColorRole) -> Callable[[QPalette], QColor]:
    return lambda palette: palette.color(role)


def _disabled(role: QPalette.ColorRole) -> Callable[[QPalette], QColor]:
    return lambda palette: palette.color(QPalette.ColorGroup.Disabled, role)


_R = QPalette.ColorRole
# Every (text, background) pair the app draws text with, by name. Delegates and widgets take their
# colours from these same functions, and a test checks each pair in both palettes for WCAG AA.
TEXT_PAIRS: dict[str, tuple[Callable[[QPalette], QColor], Callable[[QPalette], QColor]]] = {
    "window text": (_role(_R.WindowText), _role(_R.Window)),
    "banner text": (_role(_R.WindowText), _role(_R.AlternateBase)),
    "text": (_role(_R.Text), _role(_R.Base)),
    "alternate row text": (_role(_R.Text), _role(_R.AlternateBase)),
    "muted text": (muted_text, _role(_R.Base)),
    "muted text on alternate rows": (muted_text, _role(_R.AlternateBase)),
    "muted text on the window": (muted_text, _role(_R.Window)),
    "button text": (_role(_R.ButtonText), _role(_R.Button)),
    "selected text and badges": (_role(_R.HighlightedText), _role(_R.Highlight)),
    # Two-line rows: the time and the preview are muted (on the base, above), the sender and the
    # subject are text; in a selected row every part, the paperclip too, is the selection's text.
    "two-line row time and preview": (muted_text, _role(_R.Base)),
    "selected row time, preview and paperclip": (selected_text, _role(_R.Highlight)),
    "tooltip": (_role(_R.ToolTipText), _role(_R.ToolTipBase)),
    "placeholder": (_role(_R.PlaceholderText), _role(_R.Base)),
    "link": (_role(_R.Link), _role(_R.Base)),
    "link on the window": (_role(_R.Link), _role(_R.Window)),
    "visited link": (_role(_R.LinkVisited), _role(_R.Base)),
    "disabled label": (_disabled(_R.WindowText), _role(_R.Window)),
    "disabled text": (_disabled(_R.Text), _role(_R.Base)),
    # A sidebar row's "deletes in 8 min" / "not deleted yet · retry 14:05" (address_list._paint_expiry).
    "expiry warning on a row": (lambda palette: state_color("failed", palette), _role(_R.Base)),
}


def set_widget_palette(widget: QWidget, palette: QPalette) -> None:
    """Apply a palette to a widget tree (tests use this to render the dark variant)."""
    widget.setPalette(palette)
    for child in widget.findChildren(QWidget):
        child.setPalette(palette)
