"""A one-link label (an action that reads as a link, e.g. "Log in to an existing address…") whose link
colour follows the palette. A QLabel lays out its rich text once, in the link colour of that moment:
after a switch to the dark palette the link stayed dark blue on a near-black window (about 2:1)."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.ui import texts
from desktop_app.ui.controller import ProviderCredit


class LinkLabel(QLabel):
    activated = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.setAccessibleName(text.rstrip("…"))
        self.linkActivated.connect(lambda _link: self.activated.emit())
        self._render()

    def _render(self) -> None:
        colour = self.palette().color(QPalette.ColorRole.Link).name()
        self.setText(f'<a href="#action" style="color: {colour}">{html.escape(self._text)}</a>')

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)


def credit_html(credits: list[ProviderCredit], colour: str) -> str:
    """ "Powered by mail.tm and mail.gw", each name a link in ``colour`` (the palette's, when set)."""
    links = [
        f'<a href="{html.escape(c.credit_url or "")}" style="color: {colour}">{html.escape(c.name)}</a>'
        for c in credits
    ]
    return texts.POWERED_BY.format(names=texts.POWERED_BY_JOIN.join(links))
