"""Property tests: the server's parsers of untrusted input never raise and never return text that
SQLite or a JSON client would choke on (issue 9)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.server.mailroom import valid_address
from desktop_app.server.mime import decode_words, parse_mail
from desktop_app.server.tokens import TokenSigner

_PIECES = st.sampled_from(
    [
        b"Subject: ",
        b"From: ",
        b"To: ",
        b'Content-Type: multipart/mixed; boundary="b"',
        b"Content-Type: message/rfc822",
        b"Content-Type: text/html; charset=unicode-escape",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%C3",
        b"Content-Transfer-Encoding: base64",
        b"\r\n",
        b"\r\n\r\n",
        b"\r\n ",
        b"--b\r\n",
        b"--b--",
        b"=?utf-8?q?=C3?=",
        b"=?utf-8?b?w6k?=",
        b"=?x-unknown?q?a?=",
        b"(((",
        b")",
        b"<a@b.c>",
        b'"',
        b";",
        b"<script>",
        b"\xff\xfe\x80",
        b"\\ud800",
    ]
)
_MAIL = st.lists(st.one_of(_PIECES, st.binary(max_size=20)), max_size=60).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MAIL)
def test_parse_mail_never_raises(raw: bytes) -> None:
    parsed = parse_mail(raw)
    texts = [parsed.subject, parsed.text, parsed.intro, parsed.msgid, *parsed.html]
    texts += [v for a in [parsed.sender, *parsed.to, *parsed.cc, *parsed.bcc] for v in a.values()]
    for text in texts:
        text.encode("utf-8")
    json.dumps(parsed.attachments).encode("utf-8")
    assert len(parsed.attachments) == len(parsed.payloads)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_decode_words_never_raises(value: str) -> None:
    decode_words(value).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_valid_address_never_raises(value: str) -> None:
    if valid_address(value):
        value.encode("utf-8")
        assert len(value) <= 254 and "/" not in value and ".." not in value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_token_verify_never_raises(token: str) -> None:
    assert TokenSigner(b"k" * 64).verify(token) is None
