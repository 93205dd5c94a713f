"""The server's own serialisers of the mail.tm wire format (API reference §1.2, §5); errors are in
``problems``.

Deliberately independent of ``desktop_app.core.models``: the client parses, the server emits, and the
conformance tests check one against the other.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from desktop_app.server.records import StoredAccount, StoredDomain, StoredMessage

JsonDict = dict[str, Any]

PAGE_SIZE = 30
QUOTA = 40_000_000
JSONLD_TYPE = "application/ld+json; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def new_id() -> str:
    """A 24-hex id shaped like a MongoDB ObjectId: 4 bytes of time, 8 random bytes."""
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{secrets.token_hex(8)}"


def format_date(timestamp: float) -> str:
    return datetime.fromtimestamp(int(timestamp), UTC).isoformat()


def dumps(data: object) -> bytes:
    # "replace": a stray surrogate from a broken message must not turn a listing into a 500.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "replace")


def wants_jsonld(accept: str | None) -> bool:
    """API Platform's negotiation between its two formats: JSON-LD unless plain JSON ranks higher."""
    if not accept:
        return True
    best: tuple[float, int, bool] | None = None
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        quality = 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media in ("application/ld+json", "*/*", "application/*"):
            candidate = (quality, -position, True)
        elif media == "application/json":
            candidate = (quality, -position, False)
        else:
            continue
        if quality > 0 and (best is None or candidate[:2] > best[:2]):
            best = candidate
    return True if best is None else best[2]


def _strip_ld(data: JsonDict, ld: bool) -> JsonDict:
    return data if ld else {k: v for k, v in data.items() if not k.startswith("@")}


def domain_json(domain: StoredDomain, *, ld: bool, context: bool) -> JsonDict:
    data: JsonDict = {}
    if context:
        data["@context"] = "/contexts/Domain"
    data.update(
        {
            "@id": f"/domains/{domain.id}",
            "@type": "Domain",
            "id": domain.id,
            "domain": domain.domain,
            "isActive": domain.is_active,
            "isPrivate": domain.is_private,
            "createdAt": format_date(domain.created_at),
            "updatedAt": format_date(domain.updated_at),
        }
    )
    return _strip_ld(data, ld)


def account_json(account: StoredAccount, *, ld: bool = True, deleted: bool = False) -> JsonDict:
    data: JsonDict = {
        "@context": "/contexts/Account",
        "@id": f"/accounts/{account.id}",
        "@type": "Account",
        "id": account.id,
        "address": account.address,
        "quota": QUOTA,
        "used": account.used,
        "isDisabled": False,
        "isDeleted": deleted,
        "createdAt": format_date(account.created_at),
        "updatedAt": format_date(account.updated_at),
    }
    return _strip_ld(data, ld)


def message_item_json(message: StoredMessage, *, ld: bool, context: bool = False) -> JsonDict:
    """The list-item ("intro") shape, also used for hub Message events (with ``@context``)."""
    data: JsonDict = {"@context": "/contexts/Message"} if context else {}
    data.update(
        {
            "@id": f"/messages/{message.id}",
            "@type": "Message",
            "id": message.id,
            "msgid": message.msgid,
            "from": message.sender,
            "to": message.to,
            "subject": message.subject,
            "intro": message.intro,
            "seen": message.seen,
            "isDeleted": False,
            "hasAttachments": bool(message.attachments),
            "size": message.size,
            "downloadUrl": f"/messages/{message.id}/download",
            "sourceUrl": f"/sources/{message.id}",
            "createdAt": format_date(message.created_at),
            "updatedAt": format_date(message.updated_at),
            "accountId": f"/accounts/{message.account_id}",
        }
    )
    return _strip_ld(data, ld)


def attachment_json(message_id: str, attachment: JsonDict) -> JsonDict:
    return {
        "id": attachment["id"],
        "filename": attachment["filename"],
        "contentType": attachment["contentType"],
        "disposition": attachment["disposition"],
        "transferEncoding": attachment["transferEncoding"],
        "related": attachment["related"],
        # Real fixtures report ~1 KB files as 1: the unit is kilobytes, rounded up (reference §5.9).
        "size": math.ceil(int(attachment["size"]) / 1024),
        "downloadUrl": f"/messages/{message_id}/attachment/{attachment['id']}",
    }


def message_full_json(message: StoredMessage, *, ld: bool, retention_seconds: float) -> JsonDict:
    data: JsonDict = {
        "@context": "/contexts/Message",
        "@id": f"/messages/{message.id}",
        "@type": "Message",
        "id": message.id,
        "msgid": message.msgid,
        "from": message.sender,
        "to": message.to,
        "cc": message.cc,
        "bcc": message.bcc,
        "subject": message.subject,
        "intro": message.intro,
        "seen": message.seen,
        "flagged": False,
        "isDeleted": False,
        "verifications": {"tls": False, "spf": False, "dkim": False},
        "retention": True,
        "retentionDate": format_date(message.created_at + retention_seconds),
        "text": message.text,
        "html": message.html,
        "hasAttachments": bool(message.attachments),
        "attachments": [attachment_json(message.id, a) for a in message.attachments],
        "size": message.size,
        "downloadUrl": f"/messages/{message.id}/download",
        "sourceUrl": f"/sources/{message.id}",
        "createdAt": format_date(message.created_at),
        "updatedAt": format_date(message.updated_at),
        "accountId": f"/accounts/{message.account_id}",
    }
    return _strip_ld(data, ld)


def source_json(message_id: str, raw: bytes, *, ld: bool) -> JsonDict:
    data: JsonDict = {
        "@context": "/contexts/Source",
        "@id": f"/sources/{message_id}",
        "@type": "Source",
        "id": message_id,
        "downloadUrl": f"/messages/{message_id}/download",
        "data": raw.decode("utf-8", errors="replace"),
    }
    return _strip_ld(data, ld)


def collection(
    members: Sequence[JsonDict], *, total: int, page: int, path: str, resource: str, ld: bool
) -> JsonDict | list[JsonDict]:
    """A Hydra collection; ``hydra:view`` only when paginated (more than one page), as API Platform does."""
    if not ld:
        return list(members)
    data: JsonDict = {
        "@context": f"/contexts/{resource}",
        "@id": path,
        "@type": "hydra:Collection",
        "hydra:totalItems": total,
        "hydra:member": list(members),
    }
    last = max(1, math.ceil(total / PAGE_SIZE))
    if last > 1:
        view: JsonDict = {
            "@id": f"{path}?page={page}",
            "@type": "hydra:PartialCollectionView",
            "hydra:first": f"{path}?page=1",
            "hydra:last": f"{path}?page={last}",
        }
        if page > 1:
            view["hydra:previous"] = f"{path}?page={page - 1}"
        if page < last:
            view["hydra:next"] = f"{path}?page={page + 1}"
        data["hydra:view"] = view
    return data
