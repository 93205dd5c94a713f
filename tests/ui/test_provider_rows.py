"""Sidebar rows of addresses on two providers whose names differ only at their end (two servers on
this computer): the row's painted footer keeps the provider's whole name and lets the usage give way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.ui.address_list import ADDRESS_ROLE, fitted_footer
from desktop_app.ui.controller import AppSignals
from tests.ui.fakes import FakeController
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ROWS = {"amber.moose@alpha.test": "127.0.0.1:18150", "happy.heron@beta.test": "127.0.0.1:18151"}


class RecordingPainter(QPainter):
    """Paints as usual, and keeps every text the delegate draws."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[str] = []

    def drawText(self, *args: object) -> None:  # type: ignore[override]
        self.texts.extend(a for a in args if isinstance(a, str))
        super().drawText(*args)  # type: ignore[call-overload]


def test_each_row_paints_its_providers_whole_name(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    for address, provider in ROWS.items():
        fake.add_address(
            address, state_kind="live", state_text="live", provider_name=provider, used=1_234_567
        )
    window = shown_window(qtbot, fake)
    view = window.sidebar.view
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        address = index.data(ADDRESS_ROLE)
        if address not in ROWS:
            continue  # the All addresses entry
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        option.rect = view.visualRect(index)
        option.rect.moveTo(QPoint(0, 0))
        image = QImage(option.rect.size(), QImage.Format.Format_ARGB32)
        painter = RecordingPainter(image)
        view.itemDelegate().paint(painter, option, index)
        painter.end()
        footer = painter.texts[-1]
        assert footer.startswith("Live · ") and footer.endswith(f" · {ROWS[address]}"), footer


def test_the_footer_fits_and_drops_the_usage_first(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    window = shown_window(qtbot, fake)
    metrics = QFontMetrics(window.sidebar.view.font())
    full = "Live · 1.2 MB of 40 MB · 127.0.0.1:18151"
    widest = metrics.horizontalAdvance(full) + 10
    assert fitted_footer(metrics, widest, "Live", "1.2 MB of 40 MB", "127.0.0.1:18151") == full
    assert fitted_footer(metrics, widest, "Live", "1.2 MB of 40 MB", "") == "Live · 1.2 MB of 40 MB"
    provider = "127.0.0.1:18151"
    whole = {f"Live · 1.2 MB of 40 MB · {provider}", f"Live · 1.2 MB · {provider}", f"Live · {provider}"}
    needed = metrics.horizontalAdvance(f"Live · {provider}") + 4
    for width in range(20, widest):  # every width, the edges where Qt's measures disagree included
        text = fitted_footer(metrics, width, "Live", "1.2 MB of 40 MB", provider)
        assert metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) == text, (width, text)
        if width >= needed:  # the usage goes as a unit: never "1.2 MB of 4…"
            assert text in whole, (width, text)


@pytest.mark.parametrize(
    ("usage", "forms"),
    [
        ("341 B of 40 MB", ["341 B of 40 MB", "341 B", ""]),
        (
            "39.8 MB of 40 MB (nearly full)",
            ["39.8 MB of 40 MB (nearly full)", "39.8 MB (nearly full)", "nearly full", ""],
        ),
    ],
)
def test_a_footer_without_a_provider_shortens_the_usage_as_a_unit(
    qtbot: QtBot, usage: str, forms: list[str]
) -> None:
    """Beside "deletes in 55 min · " the room is short: the footer read "Live · 341 B of …"."""
    fake = FakeController(AppSignals())
    window = shown_window(qtbot, fake)
    metrics = QFontMetrics(window.sidebar.view.font())
    whole = [" · ".join(p for p in ("Live", form) if p) for form in forms]
    seen = set()
    for width in range(metrics.horizontalAdvance("Live") + 4, metrics.horizontalAdvance(whole[0]) + 10):
        text = fitted_footer(metrics, width, "Live", usage, "")
        assert text in whole, (width, text)
        seen.add(text)
    assert seen == set(whole)  # each shorter form is used at some width
