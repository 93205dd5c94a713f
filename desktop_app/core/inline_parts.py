"""Inline (``cid:``) parts of a raw message, for the sealed HTML view to serve from its own scheme."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

MAX_INLINE_BYTES = 10 * 1024 * 1024


def inline_parts(raw: bytes) -> dict[str, tuple[str, bytes]]:
    """Content-ID (without ``<>``) → (content type, decoded bytes) for every part that has one.

    Malformed MIME never raises: a part that cannot be decoded is skipped."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # the email package can raise almost anything on hostile input
        return {}
    if not isinstance(message, EmailMessage):
        return {}
    parts: dict[str, tuple[str, bytes]] = {}
    total = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            cid = str(part.get("Content-ID", "") or "").strip().strip("<>").strip()
            if not cid:
                continue
            payload = part.get_payload(decode=True)
        except Exception:
            continue
        if not isinstance(payload, bytes):
            continue
        total += len(payload)
        if total > MAX_INLINE_BYTES:
            break
        parts[cid] = (part.get_content_type(), payload)
    return parts
