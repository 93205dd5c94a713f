"""The message pane on its own: which tab opens (the "prefer plain text" choice), attachment sizes in
the API's kilobytes, inline parts not listed as attachments."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_app.ui.message_pane import MessagePane
from tests.ui.fakes import FakeHtmlView, make_attachment, make_message, make_summary

A = "me@example.com"


@pytest.fixture
def pane(qtbot) -> MessagePane:  # type: ignore[no-untyped-def]
    widget = MessagePane(FakeHtmlView)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def both(n: int):  # type: ignore[no-untyped-def]
    return make_message(make_summary(n), text=f"text {n}", html=f"<p>html {n}</p>")


def text_only(n: int):  # type: ignore[no-untyped-def]
    return make_message(make_summary(n), text=f"text {n}")


def tab(pane: MessagePane) -> str:
    return pane.tabs.tabText(pane.tabs.currentIndex())


def test_html_opens_after_a_text_only_message(pane) -> None:  # type: ignore[no-untyped-def]
    pane.show_message(A, both(1), {}, None)
    assert tab(pane) == "HTML"
    pane.show_message(A, text_only(2), {}, None)
    assert tab(pane) == "Text"
    pane.show_message(A, both(3), {}, None)  # used to stay on Text
    assert tab(pane) == "HTML"


def test_choosing_text_is_remembered_as_prefer_plain_text(qtbot, pane) -> None:  # type: ignore[no-untyped-def]
    pane.show_message(A, both(1), {}, None)
    with qtbot.waitSignal(pane.prefer_plain_text_changed) as chosen:
        pane.tabs.setCurrentIndex(1)  # the user clicks "Text"
    assert chosen.args == [True] and pane.prefer_plain_text
    pane.show_message(A, text_only(2), {}, None)
    pane.show_message(A, both(3), {}, None)
    assert tab(pane) == "Text"
    html_only = make_message(make_summary(4), html="<p>only html</p>")
    html_only = replace(html_only, text="")
    pane.show_message(A, html_only, {}, None)
    assert tab(pane) == "HTML"  # no text to prefer
    with qtbot.waitSignal(pane.prefer_plain_text_changed) as chosen:
        pane.show_message(A, both(5), {}, None)
        pane.tabs.setCurrentIndex(0)
    assert chosen.args == [False]
    pane.show_message(A, both(6), {}, None)
    assert tab(pane) == "HTML"


def test_switching_tabs_by_the_pane_itself_is_no_choice(qtbot, pane) -> None:  # type: ignore[no-untyped-def]
    changes: list[bool] = []
    pane.prefer_plain_text_changed.connect(changes.append)
    for n in range(4):
        pane.show_message(A, (both, text_only)[n % 2](n), {}, None)
    assert changes == [] and not pane.prefer_plain_text


def test_attachment_sizes_are_the_apis_kilobytes(pane) -> None:  # type: ignore[no-untyped-def]
    attachments = [
        make_attachment("report.pdf", size=6),
        make_attachment("big.zip", "application/zip", size=2_345),
        make_attachment("empty.txt", "text/plain", size=0),
    ]
    pane.show_message(A, make_message(make_summary(1), attachments=attachments), {}, None)
    texts = [pane.attachments.chip(i).text() for i in range(pane.attachments.count())]
    assert texts == [
        "report.pdf  (6 kB, application/pdf)",
        "big.zip  (2.3 MB, application/zip)",
        "empty.txt  (under 1 kB, text/plain)",
    ]


def test_inline_parts_of_an_html_body_are_not_listed(pane) -> None:  # type: ignore[no-untyped-def]
    logo = replace(make_attachment("logo.png", "image/png", size=6), disposition="inline", related=True)
    invoice = replace(make_attachment("invoice.pdf", size=40), disposition="attachment")
    html = make_message(make_summary(1), html='<img src="cid:logo">', attachments=[logo, invoice])
    pane.show_message(A, html, {}, None)
    assert [pane.attachments.chip(i).text().split()[0] for i in range(pane.attachments.count())] == [
        "invoice.pdf"
    ]
    # Without an HTML body nothing would show the inline part: then it is listed.
    plain = make_message(make_summary(2), text="see the logo", attachments=[logo])
    pane.show_message(A, plain, {}, None)
    assert pane.attachments.count() == 1 and pane.attachments.isVisible()


def _source_with(*files: tuple[str, bytes]) -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["Subject"] = "files"
    mail.set_content("see attached")
    for name, data in files:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return mail.as_bytes()


def test_exact_sizes_once_the_source_is_cached(pane) -> None:  # type: ignore[no-untyped-def]
    attachments = [make_attachment("logo.png", "image/png", size=6), make_attachment("twice.dat", size=1)]
    raw = _source_with(("logo.png", b"x" * 5_312), ("twice.dat", b"a"), ("twice.dat", b"bb"))
    pane.show_message(A, make_message(make_summary(1), attachments=attachments), {}, raw)
    assert pane.attachments.chip(0).text() == "logo.png  (5.3 kB, image/png)"
    assert "5,312 bytes" in pane.attachments.chip(0).toolTip()
    # Two parts of that name: which one is this? The API's kB stand.
    assert pane.attachments.chip(1).text() == "twice.dat  (1 kB, application/pdf)"


def test_an_unreadable_or_huge_source_keeps_the_apis_kilobytes(pane) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.ui.attachments import EXACT_SIZES_MAX_SOURCE

    attachments = [make_attachment("logo.png", "image/png", size=6)]
    for raw in (
        b"\xff\xfe garbage \x00" * 10,
        _source_with(("logo.png", b"x" * (EXACT_SIZES_MAX_SOURCE + 1))),
    ):
        pane.show_message(A, make_message(make_summary(1), attachments=attachments), {}, raw)
        assert pane.attachments.chip(0).text() == "logo.png  (6 kB, image/png)"
