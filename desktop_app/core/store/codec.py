"""Message models ⇄ the JSON kept in the cache.

The cache stores messages in the service's own wire shape and reads them back with the models'
parsers (``MessageSummary.from_json``/``Message.from_json``), so there is one parser for both and a
message read from the cache is the same value that was written (dates keep their microseconds).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from desktop_app.core.models import Address, Attachment, Message, MessageSummary, Verifications


def _date(value: datetime) -> str:
    return value.isoformat()


def _address(value: Address) -> dict[str, str]:
    return {"address": value.address, "name": value.name}


def summary_to_json(summary: MessageSummary) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": summary.id,
        "accountId": summary.account_id,
        "from": _address(summary.sender),
        "to": [_address(a) for a in summary.to],
        "subject": summary.subject,
        "intro": summary.intro,
        "msgid": summary.msgid,
        "seen": summary.seen,
        "isDeleted": summary.is_deleted,
        "hasAttachments": summary.has_attachments,
        "size": summary.size,
        "createdAt": _date(summary.created_at),
        "updatedAt": _date(summary.updated_at),
    }
    if summary.download_url is not None:
        data["downloadUrl"] = summary.download_url
    if summary.source_url is not None:
        data["sourceUrl"] = summary.source_url
    return data


def _attachment(value: Attachment) -> dict[str, Any]:
    return {
        "id": value.id,
        "filename": value.filename,
        "contentType": value.content_type,
        "disposition": value.disposition,
        "transferEncoding": value.transfer_encoding,
        "related": value.related,
        "size": value.size,
        "downloadUrl": value.download_url,
    }


def _verifications(value: Verifications) -> dict[str, Any]:
    # The parser joins {"version", "name"} with a space; putting the whole text in "version" reads back as-is.
    return {"tls": {"version": value.tls} if value.tls else False, "spf": value.spf, "dkim": value.dkim}


def message_to_json(message: Message) -> dict[str, Any]:
    data = summary_to_json(message.summary)
    data.update(
        cc=[_address(a) for a in message.cc],
        bcc=[_address(a) for a in message.bcc],
        text=message.text,
        html=list(message.html),
        attachments=[_attachment(a) for a in message.attachments],
        flagged=message.flagged,
        verifications=_verifications(message.verifications),
        retention=message.retention,
    )
    if message.retention_date is not None:
        data["retentionDate"] = _date(message.retention_date)
    return data


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def summary_from_text(text: str) -> MessageSummary:
    return MessageSummary.from_json(json.loads(text))


def message_from_text(text: str) -> Message:
    return Message.from_json(json.loads(text))
