"""Real mail over smtplib into the local server, read back over REST."""

from __future__ import annotations

import asyncio
import base64
import os
import smtplib
from typing import Any

import httpx
import pytest

from desktop_app.server import LocalMailServer, wire
from desktop_app.server.testing import send_mail, send_raw
from tests.server.conftest import DOMAIN, Inbox

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


async def _only_message(http: httpx.AsyncClient, inbox: Inbox) -> dict[str, Any]:
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    full: dict[str, Any] = (await http.get(item["@id"], headers=inbox.auth)).json()
    return full


async def test_multipart_with_html_inline_image_and_attachment(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    report = os.urandom(3000)
    await send_mail(
        local_server,
        inbox.address,
        "Your report",
        "Plain body with the code 123456.",
        html='<p>HTML body</p><img src="cid:logo@sender">',
        inline_images=[("logo@sender", PNG, "image/png")],
        attachments=[("Résumé 2026.pdf", report, "application/pdf")],
        sender="Report Bot <bot@sender.example>",
        cc=[f"cc-nobody@{DOMAIN}"],
    )
    message = await _only_message(http, inbox)
    assert message["subject"] == "Your report"
    assert message["from"] == {"address": "bot@sender.example", "name": "Report Bot"}
    assert message["cc"] == [{"address": f"cc-nobody@{DOMAIN}", "name": ""}]
    assert message["msgid"].startswith("<") and message["msgid"].endswith("@sender.example>")
    assert message["text"].strip() == "Plain body with the code 123456."
    assert message["intro"] == "Plain body with the code 123456."
    assert len(message["html"]) == 1 and 'src="cid:logo@sender"' in message["html"][0]
    assert message["hasAttachments"] is True
    inline, attachment = message["attachments"]
    assert inline["id"] == "ATTACH000001" and attachment["id"] == "ATTACH000002"
    assert (inline["contentType"], inline["disposition"], inline["related"]) == ("image/png", "inline", True)
    assert inline["filename"] == "logo@sender"
    assert attachment["filename"] == "Résumé 2026.pdf"
    assert (attachment["contentType"], attachment["disposition"], attachment["related"]) == (
        "application/pdf",
        "attachment",
        False,
    )
    assert attachment["transferEncoding"] == "base64" and attachment["size"] == 3  # kilobytes, rounded up
    assert attachment["downloadUrl"] == f"/messages/{message['id']}/attachment/ATTACH000002"
    got = await http.get(attachment["downloadUrl"], headers=inbox.auth)
    assert got.status_code == 200 and got.content == report
    assert got.headers["content-type"] == "application/pdf"
    assert (await http.get(inline["downloadUrl"], headers=inbox.auth)).content == PNG
    missing = await http.get(f"/messages/{message['id']}/attachment/ATTACH000009", headers=inbox.auth)
    assert missing.status_code == 404


async def test_every_html_part_is_kept(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    raw = (
        f"From: a@example.com\r\nTo: {inbox.address}\r\nSubject: two html\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>first</p>\r\n"
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>second</p>\r\n--b--\r\n"
    )
    await send_raw(local_server, inbox.address, raw.encode())
    message = await _only_message(http, inbox)
    assert [h.strip() for h in message["html"]] == ["<p>first</p>", "<p>second</p>"]
    assert message["text"] == "" and message["intro"] == "first second"


@pytest.mark.parametrize(
    ("charset", "encoding", "text"),
    [
        ("iso-8859-1", "8bit", "Grüße aus Köln, señor. Ça va?"),
        ("koi8-r", "quoted-printable", "Привет, это проверка кодировки"),
        ("shift_jis", "base64", "こんにちは、テストです"),
    ],
)
async def test_legacy_charsets(
    local_server: LocalMailServer,
    http: httpx.AsyncClient,
    inbox: Inbox,
    charset: str,
    encoding: str,
    text: str,
) -> None:
    body = text.encode(charset)
    if encoding == "base64":
        body = base64.encodebytes(body).replace(b"\n", b"\r\n")
    elif encoding == "quoted-printable":
        import quopri

        body = quopri.encodestring(body).replace(b"\n", b"\r\n")
    subject = "=?" + charset + "?B?" + base64.b64encode(text[:8].encode(charset)).decode() + "?="
    raw = (
        (
            f"From: =?{charset}?B?{base64.b64encode(text[:4].encode(charset)).decode()}?= <x@example.com>\r\n"
            f"To: {inbox.address}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
        ).encode()
        + body
        + b"\r\n"
    )
    await send_raw(local_server, inbox.address, raw)
    message = await _only_message(http, inbox)
    assert message["text"].strip() == text
    assert message["subject"] == text[:8].strip()
    assert message["from"] == {"address": "x@example.com", "name": text[:4]}
    download = await http.get(message["downloadUrl"], headers=inbox.auth)
    assert download.content == raw


MALFORMED = [
    # multipart without a boundary parameter
    b"Subject: no boundary\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n--x--\r\n",
    # unterminated multipart and broken base64
    b'Subject: broken\r\nContent-Type: multipart/mixed; boundary="q"\r\n\r\n--q\r\n'
    b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@\r\n",
    # unknown charset, raw 8-bit UTF-8 in headers, garbage address header
    "Subject: Überraschung ✓\r\nFrom: <<<@@@>>>\r\nTo: ,,,\r\n"
    "Content-Type: text/plain; charset=x-klingon\r\n\r\n"
    "body ✓\r\n".encode(),
    # no headers at all
    b"\r\njust a body\r\n",
    # header line without colon, nested message/rfc822 with nonsense
    b"Subject: nested\r\nthis is not a header\r\nContent-Type: message/rfc822\r\n\r\n"
    b"Content-Type: text/x; charset=\r\n",
]


async def test_malformed_mime_never_crashes(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    for raw in MALFORMED:
        refused = await send_raw(local_server, inbox.address, raw)
        assert refused == {}
    listing = (await http.get("/messages", headers=inbox.auth)).json()
    assert listing["hydra:totalItems"] == len(MALFORMED)
    for item in listing["hydra:member"]:
        full = await http.get(item["@id"], headers=inbox.auth)
        assert full.status_code == 200
        assert isinstance(full.json()["text"], str)
        assert (await http.get(item["downloadUrl"], headers=inbox.auth)).content in MALFORMED
    klingon = next(m for m in listing["hydra:member"] if "Überraschung" in m["subject"])
    assert klingon["subject"] == "Überraschung ✓"


async def test_intro_is_cut_at_about_100_characters(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    long_text = "word " * 60
    await send_mail(local_server, inbox.address, "long", long_text)
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    assert item["intro"].endswith("…") and len(item["intro"]) <= 100
    assert item["intro"].startswith("word word")


async def test_ten_megabyte_message(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    blob = os.urandom(10 * 1024 * 1024)
    await send_mail(
        local_server,
        inbox.address,
        "big",
        "see attachment",
        attachments=[("big.bin", blob, "application/octet-stream")],
    )
    message = await _only_message(http, inbox)
    assert message["size"] > len(blob)
    (attachment,) = message["attachments"]
    assert attachment["size"] == 10 * 1024
    assert (await http.get(attachment["downloadUrl"], headers=inbox.auth)).content == blob
    assert (await http.get("/me", headers=inbox.auth)).json()["used"] == message["size"]


async def test_many_recipients_some_unknown(local_server: LocalMailServer) -> None:
    known = [f"rcpt{n:03d}@{DOMAIN}" for n in range(60)]
    ids = [local_server.create_account_direct(address, "pw") for address in known]
    unknown = [f"ghost{n:02d}@{DOMAIN}" for n in range(15)]
    refused = await send_raw(
        local_server, known + unknown, b"Subject: to many\r\nTo: undisclosed-recipients:;\r\n\r\nhi all\r\n"
    )
    assert set(refused) == set(unknown)
    assert all(code == 550 for code, _ in refused.values())
    assert all(local_server.store.count_messages(account_id) == 1 for account_id in ids)
    assert local_server.stats.smtp_messages == 1


async def test_unknown_recipient_is_550_and_case_insensitive_match(local_server: LocalMailServer) -> None:
    local_server.create_account_direct(f"known@{DOMAIN}", "pw")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await send_raw(local_server, f"nobody@{DOMAIN}", b"Subject: x\r\n\r\nx\r\n")
    assert refused.value.recipients[f"nobody@{DOMAIN}"][0] == 550
    assert await send_raw(local_server, f"KNOWN@{DOMAIN.upper()}", b"Subject: x\r\n\r\nx\r\n") == {}


async def test_over_quota_is_552(local_server: LocalMailServer, monkeypatch: pytest.MonkeyPatch) -> None:
    account_id = local_server.create_account_direct(f"full@{DOMAIN}", "pw")
    monkeypatch.setattr(wire, "QUOTA", 1000)
    message = b"Subject: q\r\n\r\n" + b"x" * 580 + b"\r\n"
    with pytest.raises(smtplib.SMTPDataError) as too_big:
        await send_raw(local_server, f"full@{DOMAIN}", message * 2)
    assert too_big.value.smtp_code == 552
    assert await send_raw(local_server, f"full@{DOMAIN}", message) == {}
    with pytest.raises(smtplib.SMTPDataError):
        await send_raw(local_server, f"full@{DOMAIN}", message)
    monkeypatch.setattr(wire, "QUOTA", 500)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as full:
        await send_raw(local_server, f"full@{DOMAIN}", message)
    assert full.value.recipients[f"full@{DOMAIN}"][0] == 552
    assert local_server.store.count_messages(account_id) == 1


async def test_stop_ends_open_smtp_sessions() -> None:
    server = LocalMailServer(rate_limit=None)
    await server.start()
    client = await asyncio.to_thread(smtplib.SMTP, server.smtp_host, server.smtp_port, timeout=5)
    try:
        assert (await asyncio.to_thread(client.noop))[0] == 250
        await server.stop()
        with pytest.raises(smtplib.SMTPServerDisconnected):
            await asyncio.to_thread(client.noop)
    finally:
        client.close()
