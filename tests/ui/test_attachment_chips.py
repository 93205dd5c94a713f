"""Attachments as chips (issue 10): each with its type's icon, the name, the true size and type, its
own Save…; a program or script says so on the chip; the old list and its shared "Save as…" are gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QStyle
from pytestqt.qtbot import QtBot

from desktop_app.ui import texts
from desktop_app.ui.attachment_chips import ICON_SIZE, type_icon
from desktop_app.ui.message_pane import MessagePane
from tests.ui.fakes import FakeHtmlView, make_attachment, make_message, make_summary
from tests.ui.icon_theme import has_colour, one_icon_theme

A = "quiet.otter@example.com"


@pytest.fixture
def pane(qtbot: QtBot) -> MessagePane:
    widget = MessagePane(FakeHtmlView)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def pdf_theme(tmp_path: Path) -> Iterator[None]:
    """A one-icon theme: application-pdf, solid green."""
    with one_icon_theme(tmp_path, "mimetheme", "mimetypes", 32, "application-pdf", "#00c000"):
        yield


def test_a_chip_shows_icon_name_true_size_and_its_own_save(qtbot: QtBot, pane: MessagePane) -> None:
    logo = make_attachment("logo.png", "image/png", size=6)
    invoice = make_attachment("invoice.pdf", size=40)
    pane.show_message(A, make_message(make_summary(1), attachments=[logo, invoice]), {}, None)
    assert not pane.findChildren(QListWidget)  # no list row any more
    assert pane.attachments.count() == 2 and pane.attachments.isVisible()
    chip = pane.attachments.chip(0)
    assert chip.isVisible() and chip.name.text() == "logo.png"
    assert chip.detail.text() == texts.ATTACHMENT_DETAIL.format(size="6 kB", type="image/png")
    assert not chip.icon.pixmap().isNull() and chip.icon.pixmap().width() >= ICON_SIZE
    assert chip.save.text() == texts.SAVE_ATTACHMENT and chip.save.accessibleName() == "Save logo.png"
    assert chip.accessibleName() == "logo.png  (6 kB, image/png)"
    assert pane.attachments.chip(1).geometry().left() > chip.geometry().right()  # side by side

    with qtbot.waitSignal(pane.save_attachment_requested) as saved:
        pane.attachments.chip(1).save.click()
    assert saved.args == [invoice]


def test_risky_files_say_so_on_the_chip(pane: MessagePane) -> None:
    program = make_attachment("invoice.pdf.exe", "application/octet-stream")
    pane.show_message(A, make_message(make_summary(1), attachments=[program]), {}, None)
    chip = pane.attachments.chip(0)
    assert chip.warning.isVisible() and chip.warning.text() == texts.ATTACHMENT_RISKY
    assert "program or script" in chip.text() and "pretends to be a .pdf" in chip.toolTip()


def test_many_attachments_wrap_into_rows_and_a_new_message_replaces_them(pane: MessagePane) -> None:
    files = [make_attachment(f"file{i}.pdf") for i in range(4)]
    pane.show_message(A, make_message(make_summary(1), attachments=files), {}, None)
    chips = [pane.attachments.chip(i) for i in range(4)]
    assert chips[3].geometry().top() > chips[0].geometry().bottom()  # the fourth starts a new row
    assert chips[3].geometry().left() == chips[0].geometry().left()
    pane.show_message(A, make_message(make_summary(2), attachments=files[:1]), {}, None)
    assert pane.attachments.count() == 1
    pane.show_message(A, make_message(make_summary(3)), {}, None)
    assert pane.attachments.count() == 0 and pane.attachments.isHidden()
    assert pane.attachments_title.isHidden()


def test_the_type_icon_is_the_themes_else_a_plain_file(pane: MessagePane, pdf_theme: None) -> None:
    pdf = type_icon(pane, "invoice.pdf", "application/pdf").pixmap(32).toImage()
    assert has_colour(pdf, QColor("#00c000"))
    # By the name when the type says nothing.
    by_name = type_icon(pane, "invoice.pdf", "application/octet-stream").pixmap(32).toImage()
    assert has_colour(by_name, QColor("#00c000"))
    other = type_icon(pane, "notes.xyz", "application/x-unknown").pixmap(32).toImage()
    plain = pane.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon).pixmap(32).toImage()
    assert other == plain and not other.isNull()


def test_a_long_name_is_cut_in_the_middle_and_whole_in_the_tooltip(qtbot: QtBot, pane: MessagePane) -> None:
    long = "quarterly-report-for-the-board-of-directors-final-version-2026.csv"
    pane.show_message(
        A, make_message(make_summary(1), attachments=[make_attachment(long, "text/csv")]), {}, None
    )
    chip = pane.attachments.chip(0)
    qtbot.waitUntil(lambda: chip.name.text() != long, timeout=30_000)
    shown = chip.name.text()
    assert "…" in shown and shown.startswith("quarterly") and shown.endswith(".csv")
    assert chip.name.fontMetrics().horizontalAdvance(shown) <= chip.name.width()
    assert long in chip.toolTip() and long in chip.accessibleName()


def test_a_narrow_pane_gets_fewer_wider_chips_whose_names_stay_readable(
    qtbot: QtBot, pane: MessagePane
) -> None:
    """Beside the list the pane is ~480 px wide: three chips a row cut every name to a bare '…'."""
    files = [make_attachment("invoice.pdf", size=40), make_attachment("photo.png", "image/png", size=5)]
    pane.show_message(A, make_message(make_summary(1), attachments=files), {}, None)
    first, second = pane.attachments.chip(0), pane.attachments.chip(1)
    qtbot.waitUntil(lambda: second.geometry().left() > first.geometry().right(), timeout=30_000)
    pane.resize(460, 700)
    qtbot.waitUntil(lambda: second.geometry().top() > first.geometry().bottom(), timeout=30_000)
    qtbot.waitUntil(lambda: first.name.text() == "invoice.pdf", timeout=30_000)
    assert second.name.text() == "photo.png"
    pane.resize(900, 700)
    qtbot.waitUntil(lambda: second.geometry().left() > first.geometry().right(), timeout=30_000)


def test_at_520_pixels_size_type_and_warning_are_readable(qtbot: QtBot, pane: MessagePane) -> None:
    """An 800 px window leaves the pane ~520 px: two chips a row cut "123.5 kB · application/pdf" to
    "123.5 kB…tion/pdf" and the warning to a bare "⚠ program or scrip"."""
    files = [
        make_attachment("invoice-2026-12.pdf", size=124),
        make_attachment("setup.exe", "application/octet-stream", size=2),
    ]
    pane.show_message(A, make_message(make_summary(1), attachments=files), {}, None)
    pane.resize(536, 700)
    qtbot.waitUntil(lambda: pane.attachments.width() >= 520, timeout=30_000)
    first, second = pane.attachments.chip(0), pane.attachments.chip(1)
    qtbot.waitUntil(lambda: second.geometry().top() > first.geometry().bottom(), timeout=30_000)
    qtbot.waitUntil(lambda: first.detail.text() == first._full["detail"], timeout=30_000)
    assert "application/pdf" in first.detail.text()
    for label in (first.name, first.detail, second.warning):
        assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()
    assert second.warning.text() == texts.ATTACHMENT_RISKY
