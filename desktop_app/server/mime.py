"""Turn raw RFC 5322 bytes into the fields of a mail.tm Message, never raising.

Mail comes from anyone, so every step here is linear in the size of the message:

* the structure is parsed with the standard library's ``email`` in ``compat32`` mode, which keeps
  header values as raw strings. ``policy.default`` is not used: its header parser is quadratic in
  time and memory on a header made of many RFC 2047 encoded words (20,000 words → 2.7 GB).
  Encoded words are decoded here by :func:`decode_words`, one regular-expression pass;
* before parsing, the raw bytes are scanned once for ``Content-Type``/``Content-Disposition``
  fields: the standard library's parameter parser is quadratic on a long field full of quoted
  semicolons (and runs during parsing, for the boundary), and each field stands for one MIME part,
  so their number bounds both the part count and the nesting depth, which the parser and ``walk``
  handle by recursion. Over a limit, the mail gets a *degraded* parse: its top-level headers, and
  the body as plain text;
* parts are walked with an explicit stack, HTML is reduced to text without backtracking.

Every field is read on its own with a fallback, because real mail carries unknown charsets, broken
encodings and malformed headers; a bad part costs that part, never the message. The raw source is
always stored as received, so a degraded parse loses nothing.

Over 300 lines: one linear parser with its own RFC 2047 decoder; apart, the caps would sit away from the
code they bound.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.utils
import html as html_lib
import logging
import re
import secrets
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

log = logging.getLogger(__name__)

INTRO_LENGTH = 100
MAX_PARTS = 256  # MIME parts (Content-Type/-Disposition fields) for a full parse; also bounds nesting
MAX_PART_HEADER_BYTES = 8192  # one Content-Type or Content-Disposition field, folded lines included
MAX_HEADER_BYTES = 1 << 20  # the top-level header section
MAX_FIELD_CHARS = 16_384  # a decoded subject, message id or display name is cut here
MAX_ADDRESS_HEADER_CHARS = 65_536  # an address header longer than this is read up to here
MAX_ADDRESSES = 1000  # per address header
HTML_SCAN_CHARS = 1 << 20  # HTML read for the intro

_SPACE = re.compile(r"\s+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([qQbB])\?([^?\s]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_MIME_FIELD = re.compile(rb"(?im)^content-(?:type|disposition)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LOOSE_ADDRESS = re.compile(r"[^\s<>()\[\]@\",;:]+@[^\s<>()\[\]@\",;:]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_RAW_TAG = re.compile(r"<[^<>]*>")


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
    degraded: bool = False  # parsed as headers plus a plain-text body, see the module docstring


# --- text helpers ------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Undo the surrogate escapes ``email`` uses for undecodable 8-bit header bytes; any other lone
    surrogate (e.g. from a ``unicode-escape`` charset) becomes U+FFFD, as JSON and SQLite need."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def _decode_bytes(data: bytes, charset: str) -> str:
    name = charset.strip().lower()
    if name in ("", "us-ascii", "ascii"):
        name = "utf-8"  # undeclared 8-bit text is most often UTF-8
    try:
        if not codecs.lookup(name)._is_text_encoding:
            name = "utf-8"  # rot13, zlib…: not a charset
        return data.decode(name, errors="replace")
    except (LookupError, ValueError, TypeError):
        return data.decode("utf-8", errors="replace")


def _word_bytes(encoding: str, text: str) -> bytes | None:
    if encoding in "qQ":
        data = text.replace("_", " ").encode("utf-8", "surrogateescape")
        return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None


def decode_words(value: str) -> str:
    """Unfold a header value and decode its RFC 2047 encoded words, in one linear pass.

    Adjacent words of one charset are decoded together, so a character split across two words
    survives; white space between encoded words is dropped (RFC 2047 §6.2). A word that does not
    decode is kept as written.
    """
    value = _FOLD.sub("", value)
    out: list[str] = []
    pending = bytearray()
    pending_charset = ""
    position = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset:
            out.append(_decode_bytes(bytes(pending), pending_charset))
        pending.clear()
        pending_charset = ""

    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        charset, encoding, text = match.groups()
        data = _word_bytes(encoding, text)
        if not (pending_charset and not between.strip()):
            flush()
            out.append(between)
        elif data is None or charset.lower() != pending_charset:
            flush()
        if data is None:
            out.append(match.group(0))
        else:
            pending_charset = charset.lower()
            pending.extend(data)
        position = match.end()
    flush()
    out.append(value[position:])
    return _clean("".join(out))


def _cut(text: str, limit: int = MAX_FIELD_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- headers -----------------------------------------------------------------------------------


def _raw_header(message: Message, name: str) -> str | None:
    """The first value of a header as received (compat32 keeps it as a string)."""
    try:
        for key, value in message.raw_items():
            if key.lower() == name:
                return str(value)
    except Exception:
        pass
    return None


def _header(message: Message, name: str) -> str:
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    try:
        return _cut(decode_words(raw).strip())
    except Exception:  # a malformed header must not lose the message
        return _cut(_clean(raw).strip())


def _addresses(message: Message, name: str) -> list[dict[str, str]]:
    try:
        values = [str(v)[:MAX_ADDRESS_HEADER_CHARS] for k, v in message.raw_items() if k.lower() == name]
    except Exception:
        return []
    if not values:
        return []
    try:
        pairs = email.utils.getaddresses([_FOLD.sub("", v) for v in values])
    except Exception:  # RecursionError on deeply nested comments, and the like
        pairs = [("", found) for v in values for found in _LOOSE_ADDRESS.findall(v)]
    found: list[dict[str, str]] = []
    for display, addr in pairs[:MAX_ADDRESSES]:
        if not addr or addr == "<>":
            continue
        try:
            name_text = decode_words(display)
        except Exception:
            name_text = _clean(display)
        found.append({"address": _cut(_clean(addr)), "name": _cut(name_text)})
    return found


# --- parts -------------------------------------------------------------------------------------


def _transfer_decoded(part: Message) -> bytes | None:
    """The part's payload with its transfer encoding undone, or None if that gives no bytes."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return None
    return payload if isinstance(payload, bytes) else None


def _charset(part: Message) -> str:
    try:
        return str(part.get_content_charset() or "us-ascii")
    except Exception:
        return "us-ascii"


def _decode_text(part: Message) -> str:
    payload = _transfer_decoded(part)
    if payload is None:
        raw = part.get_payload()
        return _clean(raw) if isinstance(raw, str) else ""
    return _clean(_decode_bytes(payload, _charset(part)).replace("\r\n", "\n"))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return None
    # compat32 undoes RFC 2231 but not the RFC 2047 words many mailers put in filenames.
    return _cut(decode_words(str(name)))


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _is_attachment(part: Message, filename: str | None) -> bool:
    if _disposition(part) == "attachment":
        return True
    maintype = _content_type(part).split("/")[0]
    if maintype == "text" and filename is None:
        return False
    return filename is not None or maintype not in ("text", "multipart")


def _intro(text: str) -> str:
    flat = _SPACE.sub(" ", text[: INTRO_LENGTH * 64]).strip()
    if len(flat) <= INTRO_LENGTH:
        return flat
    return flat[: INTRO_LENGTH - 1].rstrip() + "…"


def _drop_blocks(markup: str, tag: str) -> str:
    """Remove ``<tag …>…</tag>`` blocks; an unclosed one runs to the end. Linear: one forward scan."""
    lower = markup.lower()
    kept: list[str] = []
    position = 0
    while True:
        start = lower.find("<" + tag, position)
        if start < 0:
            break
        kept.append(markup[position:start])
        end = lower.find("</" + tag, start)
        if end < 0:
            return " ".join(kept)
        close = lower.find(">", end)
        position = len(markup) if close < 0 else close + 1
        kept.append(" ")
    kept.append(markup[position:])
    return "".join(kept)


def _html_to_text(markup: str) -> str:
    text = _drop_blocks(_drop_blocks(markup[:HTML_SCAN_CHARS], "script"), "style")
    return html_lib.unescape(_RAW_TAG.sub(" ", text))


def _children(part: Message) -> list[Message]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _walk(message: Message, parsed: ParsedMail, texts: list[str]) -> None:
    """Depth-first, in document order, with an explicit stack (``Message.walk`` recurses)."""
    related_parents: set[int] = set()
    stack = [message]
    while stack:
        part = stack.pop()
        if part.is_multipart():
            children = _children(part)
            if _content_type(part) == "multipart/related":
                related_parents.update(id(p) for p in children)
            stack.extend(reversed(children))
            continue
        filename = _filename(part)
        content_type = _content_type(part)
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
    disposition = _disposition(part)
    encoding = _clean(str(part.get("Content-Transfer-Encoding") or "7bit"))[:64]
    parsed.attachments.append(
        {
            "id": f"ATTACH{number:06d}",
            "filename": filename or f"attachment-{number}",
            "contentType": _content_type(part),
            "disposition": disposition if disposition in ("attachment", "inline") else "attachment",
            "transferEncoding": encoding.strip().lower(),
            "related": related,
            "size": len(data),
        }
    )
    parsed.payloads.append(data)


# --- the entry point ---------------------------------------------------------------------------


def too_costly(raw: bytes) -> str | None:
    """Why ``raw`` must not get a full MIME parse (see the module docstring), or None."""
    end = _HEADER_END.search(raw)
    if (end.start() if end else len(raw)) > MAX_HEADER_BYTES:
        return "header section too large"
    for fields, match in enumerate(_MIME_FIELD.finditer(raw), start=1):
        if fields > MAX_PARTS:
            return "too many MIME parts"
        if match.end() - match.start() > MAX_PART_HEADER_BYTES:
            return "MIME header field too long"
    return None


def _body_of(raw: bytes) -> bytes:
    if raw.startswith((b"\r\n", b"\n")):
        return raw.lstrip(b"\r").removeprefix(b"\n")  # no header section at all
    end = _HEADER_END.search(raw)
    return raw[end.end() :] if end else b""


def parse_mail(raw: bytes) -> ParsedMail:
    reason = too_costly(raw)
    message: Message | None = None
    if reason is None:
        try:
            message = email.message_from_bytes(raw, policy=policy.compat32)
        except Exception as error:  # RecursionError past the nesting the scan lets through
            reason = f"unparsable structure ({type(error).__name__})"
    if message is None:
        log.info("degraded MIME parse: %s", reason)
        try:
            message = BytesParser(policy=policy.compat32).parsebytes(raw[:MAX_HEADER_BYTES], headersonly=True)
        except Exception:
            message = Message()
    parsed = ParsedMail(
        msgid=_header(message, "message-id") or f"<{secrets.token_hex(16)}@temp-inbox.local>",
        subject=_header(message, "subject"),
        sender=(_addresses(message, "from") or [{"address": "", "name": ""}])[0],
        to=_addresses(message, "to"),
        cc=_addresses(message, "cc"),
        bcc=_addresses(message, "bcc"),
        text="",
        html=[],
        intro="",
        degraded=reason is not None,
    )
    texts: list[str] = []
    walked = False
    if reason is None:
        try:
            _walk(message, parsed, texts)
            walked = True
        except Exception:
            parsed.attachments.clear()
            parsed.payloads.clear()
            parsed.html.clear()
    if not walked:
        # Structure too broken or too costly to walk: keep the whole body as text so nothing is lost.
        texts = [_clean(_body_of(raw).decode("utf-8", errors="replace"))]
    parsed.text = "\n".join(t for t in texts if t)
    parsed.intro = _intro(parsed.text or " ".join(_html_to_text(h) for h in parsed.html))
    return parsed
