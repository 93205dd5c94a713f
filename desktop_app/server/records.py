"""Plain records the store hands out; timestamps are POSIX seconds (UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredDomain:
    id: str
    domain: str
    is_active: bool
    is_private: bool
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class StoredAccount:
    id: str
    address: str
    password_hash: str
    created_at: float
    updated_at: float
    used: int = 0


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: str
    account_id: str
    created_at: float
    updated_at: float
    seen: bool
    size: int
    msgid: str
    subject: str
    intro: str
    sender: dict[str, str]
    to: list[dict[str, str]]
    cc: list[dict[str, str]] = field(default_factory=list)
    bcc: list[dict[str, str]] = field(default_factory=list)
    text: str = ""
    html: list[str] = field(default_factory=list)
    # Each: id, filename, contentType, disposition, transferEncoding, related, size (bytes).
    attachments: list[dict[str, Any]] = field(default_factory=list)
