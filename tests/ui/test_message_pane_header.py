"""The pane as Thunderbird/Mailpit show a message: the header block (sender name prominent, address
muted, date on the right, To/Cc), the actions as an icon toolbar beside the subject, the code as a large
chip with Copy, the link's real host, and a decoded Headers table above the raw source."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtGui import QFontInfo, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.models import Address
from desktop_app.ui import texts
from desktop_app.ui.message_header import retention_text
from desktop_app.ui.message_pane import MessagePane
from tests.ui.fakes import FakeHtmlView, make_message, make_summary

A = "me@example.com"
RAW = (
    b"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\r\n"
    b"Subject: =?utf-8?B?R3LDvMOfZSw=?= =?utf-8?B?IOaXpeacrOiqng==?=\r\n"
    b"X-Folded: one\r\n two\r\n"
    b"\r\n"
    b"Hello\r\n"
)


@pytest.fixture
def pane(qtbot: QtBot) -> MessagePane:
    widget = MessagePane(FakeHtmlView)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_header_block_shows_name_prominent_address_muted_date_right(
    pane: MessagePane, qtbot: QtBot
) -> None:
    summary = make_summary(1, name="Jürgen Müller", sender="juergen@example.org")
    summary = replace(summary, to=(Address(A, "Me"),))
    pane.show_message(A, make_message(summary), {}, None)
    header = pane.header
    assert header.sender_label.text() == "Jürgen Müller"
    assert header.sender_address.text() == "<juergen@example.org>"
    assert header.sender_address.foregroundRole() == QPalette.ColorRole.PlaceholderText
    assert QFontInfo(header.sender_label.font()).bold()
    assert header.sender_label.font().pointSizeF() > header.sender_address.font().pointSizeF()
    assert header.subject.font().pointSizeF() > header.sender_label.font().pointSizeF()
    qtbot.waitUntil(lambda: header.date.x() > header.sender_address.x() + header.sender_address.width() - 1)
    assert header.date.x() + header.date.width() > pane.width() * 0.8  # on the right
    assert header.recipients.text() == "Me <me@example.com>"
    assert header.cc.isHidden() and header.cc_title.isHidden()
    pane.show_message(A, replace(make_message(summary), cc=(Address("boss@example.org"),)), {}, None)
    assert header.cc.text() == "boss@example.org" and not header.cc.isHidden()


def test_a_sender_without_a_name_shows_the_address_alone(pane: MessagePane) -> None:
    pane.show_message(A, make_message(make_summary(2, name="", sender="noreply@shop.test")), {}, None)
    assert pane.header.sender_label.text() == "noreply@shop.test"
    assert pane.header.sender_address.isHidden()


def test_the_actions_are_an_icon_toolbar_beside_the_subject(pane: MessagePane, qtbot: QtBot) -> None:
    pane.show_message(A, make_message(make_summary(3, seen=True)), {}, None)
    buttons = (pane.mark_unread, pane.delete, pane.save_eml)
    assert all(not b.icon().isNull() and b.autoRaise() for b in buttons)
    assert [b.text() for b in buttons] == [texts.MARK_UNREAD, texts.DELETE_MESSAGE, texts.SAVE_EML]
    subject = pane.subject
    qtbot.waitUntil(lambda: pane.header.toolbar.x() >= subject.x() + subject.width() - 1)
    assert pane.header.toolbar.y() < subject.y() + subject.height()  # the same row, not above it
    with qtbot.waitSignal(pane.delete_requested):
        pane.delete.click()


def test_the_code_is_a_large_chip_with_copy_and_the_link_shows_its_host(
    pane: MessagePane, qtbot: QtBot
) -> None:
    message = make_message(
        make_summary(4, subject="Your code"),
        text="Your code is 482913. Or confirm: https://accounts.example.com/verify?t=abc",
    )
    pane.show_message(A, message, {}, None)
    chip = pane.code_bar
    assert chip.code_label.text() == "482913"
    assert chip.code_label.font().pointSizeF() >= 1.5 * pane.font().pointSizeF()
    assert chip.autoFillBackground() and chip.backgroundRole() == QPalette.ColorRole.AlternateBase
    with qtbot.waitSignal(pane.copy_code_requested) as copied:
        chip.copy_code.click()
    assert copied.args == ["482913"]
    assert chip.link_label.text() == texts.LINK_FOUND.format(host="accounts.example.com")


def test_the_headers_tab_has_a_decoded_table_above_the_raw_source(pane: MessagePane) -> None:
    pane.show_message(A, make_message(make_summary(5)), {}, RAW)
    view = pane.headers_view
    assert view.fields() == [
        ("From", "Jürgen Müller <juergen@example.org>"),
        ("Subject", "Grüße, 日本語"),
        ("X-Folded", "one two"),
    ]
    assert view.source.toPlainText().startswith("From: =?UTF-8?Q?")
    assert view.checks.text().startswith("Sender checks by the mail service")
    assert view.cut_note.isHidden()
    pane.show_message(A, make_message(make_summary(6)), {}, None)
    assert view.fields() == [] and view.source.toPlainText() == texts.NO_RAW_SOURCE


def test_a_body_shown_before_its_source_fills_the_headers_tab_when_the_source_comes(
    pane: MessagePane,
) -> None:
    """The window shows a message without waiting for its raw source (``source_pending``): the
    Headers tab says it is on its way, then shows the decoded table and the source."""
    pane.show_message(A, make_message(make_summary(5)), {}, None, source_pending=True)
    view = pane.headers_view
    assert pane.stack.currentIndex() == 1  # the message is on screen already
    assert view.fields() == [] and view.source.toPlainText() == texts.RAW_SOURCE_LOADING
    assert view.checks.text().startswith("Sender checks by the mail service")
    pane.show_source(RAW)
    assert view.fields()[0] == ("From", "Jürgen Müller <juergen@example.org>")
    assert view.source.toPlainText().startswith("From: =?UTF-8?Q?")
    pane.show_message(A, make_message(make_summary(6)), {}, None, source_pending=True)
    pane.show_source(None)  # the service had none
    assert view.source.toPlainText() == texts.NO_RAW_SOURCE


def test_the_link_s_host_is_on_screen_beside_open_link(pane: MessagePane, qtbot: QtBot) -> None:
    """The label used to be squeezed to nothing by the stretch before it."""
    message = make_message(make_summary(7), text="Confirm: https://accounts.example.com/verify?t=abc")
    pane.show_message(A, message, {}, None)
    label = pane.code_bar.link_label
    qtbot.waitUntil(lambda: label.width() >= label.fontMetrics().horizontalAdvance(label.text()))
    assert label.isVisible() and label.x() + label.width() <= pane.open_link.x()


def test_the_header_says_when_the_provider_deletes_the_message(pane: MessagePane) -> None:
    now = datetime.now(UTC)
    message = replace(make_message(make_summary(1)), retention_date=now + timedelta(days=7))
    pane.show_message("a@example.com", message, {}, None)
    retention = pane.header.retention
    assert retention.isVisibleTo(pane) and "(in 7 days)" in retention.text()
    pane.show_message("a@example.com", replace(message, retention_date=None), {}, None)
    assert not retention.isVisibleTo(pane)


def test_retention_in_words() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert retention_text(None, now) == ""
    assert "(in 1 day)" in retention_text(now + timedelta(days=1), now)
    assert retention_text(now + timedelta(hours=3), now).startswith("The provider deletes this message today")
    assert retention_text(now - timedelta(minutes=1), now) == texts.RETENTION_DUE
    # Tomorrow is not "today", even when it is less than a day away.
    late = datetime(2026, 12, 1, 23, 0).astimezone()
    assert "(in 1 day)" in retention_text(late + timedelta(hours=2), late)
    assert retention_text(datetime(1970, 1, 1, tzinfo=UTC), now) == ""  # an unreadable date


LONG_NAME = "The Extremely Long Display Name Of A Sender Department Of Customer Happiness And More"
LONG_ADDRESS = "customer.happiness.department.notifications@very-long-subdomain.example-company.test"


def test_a_long_sender_is_cut_with_an_ellipsis_and_does_not_widen_the_pane(
    pane: MessagePane, qtbot: QtBot
) -> None:
    """Seen in a screenshot: such a sender made the window 1018 px wide when it was set to 800, and
    cut the address without a sign ("<customer.happiness.")."""
    pane.show_message(A, make_message(make_summary(1)), {}, None)
    QApplication.processEvents()  # the layouts take the new texts' sizes
    narrow = pane.minimumSizeHint().width()
    pane.resize(700, 600)
    long = make_summary(2, name=LONG_NAME, sender=LONG_ADDRESS)
    pane.show_message(A, make_message(long), {}, None)
    QApplication.processEvents()
    header = pane.header
    assert pane.minimumSizeHint().width() == narrow < 700
    qtbot.waitUntil(lambda: header.date.x() + header.date.width() <= pane.width())
    name, address = header.sender_label.shown_text(), header.sender_address.shown_text()
    assert name.endswith("…") and LONG_NAME.startswith(name[:-1]), name
    # Both stay in sight, the address cut in its middle: its start and its domain's end are shown.
    assert address.startswith("<customer") and address.endswith(".test>") and "…" in address, address
    assert header.sender_address.width() > 100
    assert header.sender_address.x() + header.sender_address.width() <= header.date.x()
    assert header.sender_address.toolTip() == LONG_ADDRESS
    # Pixels: the date is painted whole at the right, not under the address.
    assert header.date.visibleRegion().boundingRect().width() == header.date.width()
    # A short sender is shown whole, by Qt's own label painting.
    pane.show_message(A, make_message(make_summary(3)), {}, None)
    assert header.sender_label.shown_text() == "Example Shop"
    assert header.sender_address.shown_text() == "<shop@example.com>"
