"""Typed, tolerant models of the mail.tm wire format.

Parsing accepts every schema drift seen in the wild (see the API reference §7.9): ``verifications``
as an array or an object, ``tls`` false or an object, ``cc``/``bcc`` as strings or objects, attachment
``disposition`` as a string or ``false``, ``downloadUrl`` null, ``intro`` present or absent, ``html`` a
list or a single string, and the newer ``sourceUrl``. Unknown fields are ignored and missing optional
ones defaulted; a payload without the fields that identify the object raises ``ProtocolError``.

Over 300 lines: every wire type beside its tolerant parser, so that a field's type and its parsing are
read together.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from desktop_app.core.errors import ProtocolError

JsonObject = Mapping[str, Any]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Sizes, quotas and counts: never negative, and small enough for SQLite's 64-bit integers.
_MAX_INT = 2**62
_MAX_INT_DIGITS = len(str(_MAX_INT))
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """``value`` with lone surrogates (JSON allows ``"\\ud800"``) replaced by U+FFFD, so it can be
    encoded as UTF-8 anywhere (the cache, the clipboard, a file name)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", value)
    return value


def _obj(data: object, what: str) -> JsonObject:
    if not isinstance(data, Mapping):
        raise ProtocolError(detail=f"{what}: expected a JSON object, got {type(data).__name__}")
    return data


def _req_str(data: JsonObject, key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(detail=f"{what}: missing or invalid {key!r}")
    return clean_text(value)


def _str(data: JsonObject, key: str, default: str = "") -> str:
    value = data.get(key)
    return clean_text(value) if isinstance(value, str) else default


def _opt_str(data: JsonObject, key: str) -> str | None:
    value = data.get(key)
    return clean_text(value) if isinstance(value, str) and value else None


def _bool(data: JsonObject, key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _int(data: JsonObject, key: str, default: int = 0) -> int:
    """A non-negative integer, or ``default`` for anything else (NaN, Infinity, "²", 5,000 digits, -1)."""
    value = data.get(key)
    number: int
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return default
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        # isdigit() alone accepts "²" and other digits int() refuses; the length cap keeps int() cheap.
        if not (text.isascii() and text.isdigit() and len(text) <= _MAX_INT_DIGITS):
            return default
        number = int(text)
    else:
        return default
    return number if 0 <= number <= _MAX_INT else default


def parse_datetime(value: object) -> datetime:
    """Parse the service's ISO-8601 dates (with or without milliseconds, ``Z`` or an offset)."""
    if not isinstance(value, str) or not value:
        return _EPOCH
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        parsed.astimezone(UTC)  # 9999-12-31T23:59:59-23:59 exists but has no UTC form
    except (ValueError, OverflowError):
        return _EPOCH
    return parsed


def format_datetime(value: datetime) -> str:
    """The service's own date format: ``YYYY-MM-DDTHH:MM:SS+00:00``."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def id_from_iri(value: str) -> str:
    """``/accounts/abc`` → ``abc``; a bare id is returned unchanged."""
    return value.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Address:
    address: str
    name: str = ""

    @classmethod
    def parse(cls, data: object) -> Address:
        if isinstance(data, str):
            return cls(address=clean_text(data))
        if isinstance(data, Mapping):
            return cls(address=_str(data, "address"), name=_str(data, "name"))
        return cls(address="")

    def display(self) -> str:
        if self.name and self.address:
            return f"{self.name} <{self.address}>"
        return self.name or self.address


def _addresses(value: object) -> tuple[Address, ...]:
    if isinstance(value, list):
        return tuple(a for a in (Address.parse(item) for item in value) if a.address or a.name)
    if isinstance(value, (str, Mapping)):
        single = Address.parse(value)
        return (single,) if single.address or single.name else ()
    return ()


@dataclass(frozen=True, slots=True)
class Domain:
    id: str
    domain: str
    is_active: bool = True
    is_private: bool = False
    created_at: datetime = _EPOCH

    @classmethod
    def from_json(cls, data: object) -> Domain:
        d = _obj(data, "Domain")
        return cls(
            id=_req_str(d, "id", "Domain"),
            domain=_req_str(d, "domain", "Domain").lower(),
            is_active=_bool(d, "isActive", True),
            is_private=_bool(d, "isPrivate", False),
            created_at=parse_datetime(d.get("createdAt")),
        )

    @property
    def usable(self) -> bool:
        """Whether new addresses can be created on this domain."""
        return self.is_active and not self.is_private


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    address: str
    quota: int = 40_000_000
    used: int = 0
    is_disabled: bool = False
    is_deleted: bool = False
    created_at: datetime = _EPOCH
    updated_at: datetime = _EPOCH

    @classmethod
    def from_json(cls, data: object) -> Account:
        d = _obj(data, "Account")
        account_id = _opt_str(d, "id") or id_from_iri(_req_str(d, "@id", "Account"))
        return cls(
            id=account_id,
            address=_req_str(d, "address", "Account").lower(),
            quota=_int(d, "quota", 40_000_000),
            used=_int(d, "used"),
            is_disabled=_bool(d, "isDisabled"),
            is_deleted=_bool(d, "isDeleted"),
            created_at=parse_datetime(d.get("createdAt")),
            updated_at=parse_datetime(d.get("updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Token:
    id: str
    token: str

    @classmethod
    def from_json(cls, data: object) -> Token:
        d = _obj(data, "Token")
        token = _req_str(d, "token", "Token")
        if not (token.isascii() and token.isprintable()) or token != token.strip():
            # It goes back in every Authorization header, which httpx refuses to build for such a value.
            raise ProtocolError(detail="Token: the token is not a valid header value")
        account_id = _opt_str(d, "id") or id_from_iri(_str(d, "@id"))
        if not account_id:
            raise ProtocolError(detail="Token: missing 'id'")
        return cls(id=account_id, token=token)


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    filename: str
    content_type: str = "application/octet-stream"
    disposition: str = ""
    transfer_encoding: str = ""
    related: bool = False
    size: int = 0
    download_url: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Attachment:
        d = _obj(data, "Attachment")
        return cls(
            id=_req_str(d, "id", "Attachment"),
            filename=_str(d, "filename") or "attachment",
            content_type=_str(d, "contentType") or "application/octet-stream",
            disposition=_str(d, "disposition"),
            transfer_encoding=_str(d, "transferEncoding"),
            related=_bool(d, "related"),
            size=_int(d, "size"),
            download_url=_opt_str(d, "downloadUrl"),
        )


@dataclass(frozen=True, slots=True)
class Verifications:
    tls: str | None = None  # the cipher/version when the sender used TLS, else None
    spf: bool = False
    dkim: bool = False

    @classmethod
    def parse(cls, data: object) -> Verifications:
        if not isinstance(data, Mapping):  # the 2021 shape: an (empty) array of strings
            return cls()
        tls = data.get("tls")
        tls_text: str | None = None
        if isinstance(tls, Mapping):
            tls_text = " ".join(p for p in (_str(tls, "version"), _str(tls, "name")) if p) or "yes"
        elif tls is True:
            tls_text = "yes"
        return cls(tls=tls_text, spf=_bool(data, "spf"), dkim=_bool(data, "dkim"))


@dataclass(frozen=True, slots=True)
class MessageSummary:
    """A message as listed (``/messages``) or pushed by the hub: no body."""

    id: str
    account_id: str
    sender: Address
    subject: str = ""
    intro: str = ""
    to: tuple[Address, ...] = ()
    msgid: str = ""
    seen: bool = False
    is_deleted: bool = False
    has_attachments: bool = False
    size: int = 0
    download_url: str | None = None
    source_url: str | None = None
    created_at: datetime = _EPOCH
    updated_at: datetime = _EPOCH

    @classmethod
    def from_json(cls, data: object) -> MessageSummary:
        d = _obj(data, "Message")
        message_id = _opt_str(d, "id") or id_from_iri(_req_str(d, "@id", "Message"))
        return cls(
            id=message_id,
            account_id=id_from_iri(_str(d, "accountId")),
            sender=Address.parse(d.get("from")),
            subject=_str(d, "subject"),
            intro=_str(d, "intro"),
            to=_addresses(d.get("to")),
            msgid=_str(d, "msgid"),
            seen=_bool(d, "seen"),
            is_deleted=_bool(d, "isDeleted"),
            has_attachments=_bool(d, "hasAttachments"),
            size=_int(d, "size"),
            download_url=_opt_str(d, "downloadUrl"),
            source_url=_opt_str(d, "sourceUrl"),
            created_at=parse_datetime(d.get("createdAt")),
            updated_at=parse_datetime(d.get("updatedAt")),
        )


@dataclass(frozen=True, slots=True)
class Message:
    """A full message (``/messages/{id}``)."""

    summary: MessageSummary
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    text: str = ""
    html: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    flagged: bool = False
    verifications: Verifications = field(default_factory=Verifications)
    retention: bool = True
    retention_date: datetime | None = None

    @property
    def id(self) -> str:
        return self.summary.id

    @classmethod
    def from_json(cls, data: object) -> Message:
        d = _obj(data, "Message")
        html = d.get("html")
        if isinstance(html, str):
            html_parts: tuple[str, ...] = (clean_text(html),) if html else ()
        elif isinstance(html, list):
            html_parts = tuple(clean_text(part) for part in html if isinstance(part, str))
        else:
            html_parts = ()
        attachments = d.get("attachments")
        retention_date = d.get("retentionDate")
        return cls(
            summary=MessageSummary.from_json(d),
            cc=_addresses(d.get("cc")),
            bcc=_addresses(d.get("bcc")),
            text=_str(d, "text"),
            html=html_parts,
            attachments=tuple(Attachment.from_json(a) for a in attachments)
            if isinstance(attachments, list)
            else (),
            flagged=_bool(d, "flagged"),
            verifications=Verifications.parse(d.get("verifications")),
            retention=_bool(d, "retention", True),
            retention_date=parse_datetime(retention_date) if retention_date else None,
        )


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    data: str
    download_url: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Source:
        d = _obj(data, "Source")
        raw = d.get("data")
        if not isinstance(raw, str):
            raise ProtocolError(detail="Source: missing 'data'")
        source_id = _opt_str(d, "id") or id_from_iri(_str(d, "@id"))
        return cls(id=source_id, data=raw, download_url=_opt_str(d, "downloadUrl"))


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a collection. ``total`` is None when the service sent a bare array."""

    items: tuple[Any, ...]
    total: int | None
    has_next: bool | None = None


def parse_collection(data: object, what: str) -> tuple[list[object], int | None, bool | None]:
    """Members, total and 'has a next page' from JSON-LD (``hydra:member``) or a bare array."""
    if isinstance(data, list):
        return list(data), None, None
    d = _obj(data, what)
    members = d.get("hydra:member", d.get("member"))
    if not isinstance(members, list):
        raise ProtocolError(detail=f"{what}: no hydra:member list")
    total = d.get("hydra:totalItems", d.get("totalItems"))
    view = d.get("hydra:view", d.get("view"))
    has_next: bool | None = None
    if isinstance(view, Mapping):
        has_next = "hydra:next" in view or "next" in view
    elif isinstance(total, int):
        has_next = False
    return members, total if isinstance(total, int) and not isinstance(total, bool) else None, has_next
