"""Turn raw RFC 5322 bytes into the fields of a mail.tm Message, never raising.

Parsing uses the standard library's ``email`` with ``policy.default``. Every field is read on its
own with a fallback, because real mail carries unknown charsets, broken encodings and malformed
headers; a bad part costs that part, never the message.
"""

from __future__ import annotations

import email
import email.utils
import html as html_lib
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from typing import Any

INTRO_LENGTH = 100
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class ParsedMail:
    msgid: str
    subject: str
    sender: dict[str, str]
    to: list[dict[str, str]]
    cc: list[dict[str, str]]
    bcc: list[dict[str, str]]
    text: str
    html: list[str]
    intro: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)


def _clean(text: str) -> str:
    """Undo the surrogate escapes ``email`` uses for undecodable 8-bit header bytes."""
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
        return "" if value is None else _clean(str(value)).strip()
    except Exception:  # a malformed header must not lose the message
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        return _clean(str(raw[0])).strip() if raw else ""


def _addresses(message: Message, name: str) -> list[dict[str, str]]:
    try:
        header = message.get(name)
        if header is None:
            return []
        found = [
            {"address": _clean(a.addr_spec), "name": _clean(a.display_name)}
            for a in getattr(header, "addresses", ())
            if a.addr_spec and a.addr_spec != "<>"
        ]
        if found:
            return found
    except Exception:
        pass
    raw_values = [_clean(str(v)) for v in message.get_all(name, failobj=[])]
    return [
        {"address": addr, "name": display} for display, addr in email.utils.getaddresses(raw_values) if addr
    ]


def _transfer_decoded(part: Message) -> bytes | None:
    """The part's payload with its transfer encoding undone, or None if that gives no bytes."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return None
    return payload if isinstance(payload, bytes) else None


def _decode_text(part: Message) -> str:
    payload = _transfer_decoded(part)
    if payload is None:
        raw = part.get_payload()
        return _clean(raw) if isinstance(raw, str) else ""
    return _decode_payload(payload, part.get_content_charset() or "us-ascii").replace("\r\n", "\n")


def _decode_payload(payload: bytes, charset: str) -> str:
    if charset in ("us-ascii", "ascii"):
        charset = "utf-8"  # undeclared 8-bit text is most often UTF-8
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", errors="replace")


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return _clean(name) if name else None


def _is_attachment(part: Message, filename: str | None) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and filename is None:
        return False
    return filename is not None or part.get_content_maintype() not in ("text", "multipart")


def _intro(text: str) -> str:
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= INTRO_LENGTH:
        return flat
    return flat[: INTRO_LENGTH - 1].rstrip() + "…"


def _html_to_text(markup: str) -> str:
    return html_lib.unescape(_TAGS.sub(" ", markup))


def _walk(message: Message, parsed: ParsedMail, texts: list[str]) -> None:
    related_parents: set[int] = set()
    for part in message.walk():
        if part.is_multipart():
            if part.get_content_subtype() == "related":
                related_parents.update(id(p) for p in part.get_payload() if isinstance(p, Message))
            continue
        filename = _filename(part)
        content_type = part.get_content_type()
        if _is_attachment(part, filename):
            _add_attachment(part, filename, parsed, related=id(part) in related_parents)
        elif content_type == "text/html":
            parsed.html.append(_decode_text(part))
        elif content_type.startswith("text/"):
            texts.append(_decode_text(part))


def _add_attachment(part: Message, filename: str | None, parsed: ParsedMail, *, related: bool) -> None:
    data = _transfer_decoded(part)
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    number = len(parsed.attachments) + 1
    disposition = (part.get_content_disposition() or "").lower()
    parsed.attachments.append(
        {
            "id": f"ATTACH{number:06d}",
            "filename": filename or f"attachment-{number}",
            "contentType": part.get_content_type(),
            "disposition": disposition if disposition in ("attachment", "inline") else "attachment",
            "transferEncoding": (part.get("Content-Transfer-Encoding") or "7bit").strip().lower(),
            "related": related,
            "size": len(data),
        }
    )
    parsed.payloads.append(data)


def parse_mail(raw: bytes) -> ParsedMail:
    message: Message
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    parsed = ParsedMail(
        msgid=_header(message, "Message-ID") or f"<{secrets.token_hex(16)}@temp-inbox.local>",
        subject=_header(message, "Subject"),
        sender=(_addresses(message, "From") or [{"address": "", "name": ""}])[0],
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        bcc=_addresses(message, "Bcc"),
        text="",
        html=[],
        intro="",
    )
    texts: list[str] = []
    try:
        _walk(message, parsed, texts)
    except Exception:
        # Structure too broken to walk: keep the whole body as text so nothing is silently lost.
        body = raw.split(b"\r\n\r\n", 1)[-1] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[-1]
        texts = [body.decode("utf-8", errors="replace")]
    parsed.text = "\n".join(t for t in texts if t)
    parsed.intro = _intro(parsed.text or " ".join(_html_to_text(h) for h in parsed.html))
    return parsed
