"""A message's header fields, unfolded and RFC 2047-decoded, for the pane's Headers table.

Bounded by construction, since the source is the sender's: only the first ``max_bytes`` of the header
block are read, at most ``max_fields`` fields, each value cut to ``max_value`` characters before its
encoded words are decoded (one linear regular-expression pass, as an encoded-word bomb must not
cost more than its size). The result is plain text without control characters.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re
from dataclasses import dataclass

_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")
# Whitespace between two encoded words is not part of the text (RFC 2047, section 6.2).
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t]+(?==\?)")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,200}")  # printable ASCII except the colon (RFC 5322, 3.6.8)
CUT = "…"


@dataclass(frozen=True, slots=True)
class HeaderField:
    name: str
    value: str  # decoded, unfolded, at most max_value characters (+ CUT when longer)


@dataclass(frozen=True, slots=True)
class HeaderBlock:
    fields: tuple[HeaderField, ...]
    complete: bool  # False when the block was longer than the limits allowed reading


def _decode_word(match: re.Match[str]) -> str:
    charset, encoding, text = match.group(1).split("*", 1)[0], match.group(2).upper(), match.group(3)
    try:
        if encoding == "B":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
        else:
            data = quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)
        return codecs.decode(data, codecs.lookup(charset).name, errors="replace")
    except (LookupError, binascii.Error, ValueError):
        return match.group(0)  # an unknown charset or broken word stays as it was written


def decode_value(value: str, max_value: int = 4000) -> str:
    cut = len(value) > max_value
    value = value[:max_value]
    decoded = _ENCODED_WORD.sub(_decode_word, _BETWEEN_WORDS.sub(r"\1", value))
    clean = _CONTROL.sub(" ", decoded.replace("\t", " ")).strip()
    return clean + CUT if cut else clean


def parse_headers(
    raw: bytes, *, max_bytes: int = 65_536, max_fields: int = 300, max_value: int = 4000
) -> HeaderBlock:
    """The fields of ``raw``'s header block, in order; lines that are no field are skipped."""
    head = raw[:max_bytes]
    ends = [i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0]
    complete = bool(ends) or len(raw) <= max_bytes
    if ends:
        head = head[: min(ends)]
    text = head.decode("utf-8", errors="replace")
    fields: list[HeaderField] = []
    name: str | None = None
    parts: list[str] = []
    size = 0

    def flush() -> None:
        if name is not None:
            fields.append(HeaderField(name, decode_value(" ".join(parts), max_value)))

    for line in text.splitlines():
        if line[:1] in (" ", "\t") and name is not None:
            if size <= max_value:  # a longer value is cut anyway: do not keep collecting it
                parts.append(line.strip())
                size += len(line)
            continue
        flush()
        name, parts, size = None, [], 0
        field_name, colon, value = line.partition(":")
        if not colon or not _FIELD_NAME.fullmatch(field_name.strip()):
            continue
        if len(fields) >= max_fields:
            return HeaderBlock(tuple(fields), False)
        name, parts, size = field_name.strip(), [value.strip()], len(value)
    flush()
    return HeaderBlock(tuple(fields), complete)
