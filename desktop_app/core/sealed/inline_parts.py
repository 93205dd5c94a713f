"""Inline (``cid:``) parts of a raw message, for the sealed HTML view to serve from its own scheme.

The raw source comes from anyone who knows the address, so what one message may cost is bounded:

* headers are parsed with ``compat32``, which keeps them as raw text. ``policy.default`` decodes RFC 2047
  encoded words with quadratic time and memory (30,000 words in a 480 kB mail → 6 GB), and a
  Content-ID or Content-Type never needs that decoding;
* the source, the number of parts, the nesting depth and the decoded total are capped; over a cap the
  message simply has no inline parts (the HTML still shows, its ``cid:`` images do not);
* it is synchronous and CPU-bound: callers on an event loop run it in a worker thread
  (``inline_parts_async``).
"""

from __future__ import annotations

import asyncio
import email.policy
from email.message import Message
from email.parser import BytesParser

MAX_INLINE_BYTES = 10 * 1024 * 1024  # decoded bytes of all inline parts together
MAX_SOURCE_BYTES = 32 * 1024 * 1024  # mail.tm accepts at most ~40 MB per account in all
MAX_PARTS = 500
MAX_DEPTH = 20
MAX_CONTENT_ID = 998  # RFC 5322's line length; a longer id is not one

InlineParts = dict[str, tuple[str, bytes]]


def _walk(message: Message) -> list[Message] | None:
    """Leaf parts in document order, or None when the tree is deeper or larger than the caps.

    Iterative on purpose: ``Message.walk`` recurses, and hostile nesting is the input here."""
    leaves: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS or depth > MAX_DEPTH:
            return None
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((child, depth + 1) for child in reversed(children) if isinstance(child, Message))
        else:
            leaves.append(part)
    return leaves


def _content_id(part: Message) -> str:
    value = part.get("Content-ID", "")
    text = str(value or "")  # a compat32 header with 8-bit bytes comes back as a Header object
    if len(text) > MAX_CONTENT_ID:
        return ""
    return text.strip().strip("<>").strip()


def inline_parts(raw: bytes) -> InlineParts:
    """Content-ID (without ``<>``) → (content type, decoded bytes) for every part that has one.

    Malformed or oversized MIME never raises: a part that cannot be decoded is skipped, and a message
    over one of the caps has no inline parts."""
    if not raw or len(raw) > MAX_SOURCE_BYTES:
        return {}
    try:
        message = BytesParser(policy=email.policy.compat32).parsebytes(raw)
        leaves = _walk(message)
    except Exception:  # the email package can raise almost anything on hostile input (RecursionError too)
        return {}
    if leaves is None:
        return {}
    parts: InlineParts = {}
    total = 0
    for part in leaves:
        try:
            cid = _content_id(part)
            if not cid:
                continue
            payload = part.get_payload(decode=True)
            content_type = part.get_content_type()
        except Exception:
            continue
        if not isinstance(payload, bytes):
            continue
        total += len(payload)
        if total > MAX_INLINE_BYTES:
            break
        parts[cid] = (content_type, payload)
    return parts


async def inline_parts_async(raw: bytes) -> InlineParts:
    """``inline_parts`` in a worker thread, so a costly message never blocks the event loop."""
    return await asyncio.to_thread(inline_parts, raw)
