"""The Headers table's parse: unfolded, RFC 2047-decoded, bounded, plain text."""

from __future__ import annotations

import time

from desktop_app.core.sealed.headers import CUT, HeaderField, parse_headers

RAW = (
    b"Received: from mx.example.org\r\n"
    b"\tby relay.example.net; Tue, 1 Dec 2026 10:00:00 +0000\r\n"
    b"From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\r\n"
    b"Subject: =?utf-8?B?R3LDvMOfZSw=?= =?utf-8?B?IOaXpeacrOiqng==?= and more\r\n"
    b"To: me@example.com\r\n"
    b"X-Broken: =?no-such-charset?Q?abc?=\r\n"
    b"not a header line\r\n"
    b"X-Control: a\x07b\r\n"
    b"\r\n"
    b"Subject: in the body, not a header\r\n"
)


def test_fields_are_unfolded_decoded_and_in_order() -> None:
    block = parse_headers(RAW)
    assert block.complete
    assert block.fields == (
        HeaderField("Received", "from mx.example.org by relay.example.net; Tue, 1 Dec 2026 10:00:00 +0000"),
        HeaderField("From", "Jürgen Müller <juergen@example.org>"),
        HeaderField("Subject", "Grüße, 日本語 and more"),
        HeaderField("To", "me@example.com"),
        HeaderField("X-Broken", "=?no-such-charset?Q?abc?="),
        HeaderField("X-Control", "a b"),
    )


def test_bare_newlines_work_too() -> None:
    block = parse_headers(RAW.replace(b"\r\n", b"\n"))
    assert [f.name for f in block.fields] == ["Received", "From", "Subject", "To", "X-Broken", "X-Control"]


def test_an_encoded_word_bomb_is_cut_and_cheap() -> None:
    bomb = b"Subject: " + b" ".join([b"=?utf-8?B?" + b"QUFB" * 40 + b"?="] * 12_000) + b"\r\n\r\nbody"
    started = time.monotonic()
    block = parse_headers(bomb)
    assert time.monotonic() - started < 1.0
    assert not block.complete  # the header block is longer than what is read
    (subject,) = block.fields
    assert subject.value.endswith(CUT) and len(subject.value) <= 4001


def test_the_number_of_fields_is_bounded() -> None:
    many = b"".join(b"X-N%d: v\r\n" % n for n in range(1000)) + b"\r\n"
    block = parse_headers(many, max_fields=300)
    assert len(block.fields) == 300 and not block.complete
