"""Pure parsing of a mail.tm Mercure stream: bytes → lines → SSE frames → typed hub updates.

We decode the stream ourselves instead of using httpx-sse's iterator because we need to see every byte,
heartbeat comments included, to detect a silently dead connection (the iterator swallows comments).
The payload parser is deliberately tolerant (API reference §6.2, §7.11): the 2025 glitch sent ``2`` alone
or ``2`` followed by a newline and the JSON, so we take the last JSON object found in the data; unknown
``@type`` values are ignored; a bare ``{"@id": "/messages/…"}`` is API Platform's hard-delete update; a
payload we cannot read is reported as ``Unreadable`` so the caller can fall back to REST.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.core.errors import ProtocolError
from desktop_app.core.models import Account, MessageSummary, id_from_iri

_END_OF_LINE = re.compile(rb"\r\n|\r|\n")


class SseLineSplitter:
    """Incremental splitter of raw stream bytes into lines (``\\n``, ``\\r\\n`` or ``\\r`` endings)."""

    def __init__(self) -> None:
        self._buffer = b""
        self._pending_cr = False

    def feed(self, chunk: bytes) -> list[str]:
        if not chunk:
            return []
        data = self._buffer + chunk
        if self._pending_cr and data.startswith(b"\n"):
            data = data[1:]  # the second half of a \r\n that was split across two chunks
        lines: list[str] = []
        start = 0
        for match in _END_OF_LINE.finditer(data):
            lines.append(data[start : match.start()].decode("utf-8", errors="replace"))
            start = match.end()
        # A chunk ending in \r was taken as a line end; remember it so a leading \n next time is skipped.
        self._pending_cr = data.endswith(b"\r")
        self._buffer = data[start:]
        return lines


@dataclass(frozen=True, slots=True)
class SseFrame:
    data: str
    event_id: str | None = None
    event: str = "message"


class SseFrameDecoder:
    """Turns lines into frames per the HTML SSE rules; comments (``:``) and ``retry`` are dropped."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event_id: str | None = None
        self._event = ""
        self._has_fields = False

    def feed(self, line: str) -> SseFrame | None:
        if not line:
            if not self._has_fields:
                return None
            frame = SseFrame(
                data="\n".join(self._data), event_id=self._event_id, event=self._event or "message"
            )
            self._data, self._event, self._has_fields = [], "", False
            return frame if frame.data or frame.event_id else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
            self._has_fields = True
        elif name == "id" and "\0" not in value:
            self._event_id = value  # stays set across frames, as the spec's "last event ID buffer"
            self._has_fields = True
        elif name == "event":
            self._event = value
            self._has_fields = True
        return None


@dataclass(frozen=True, slots=True)
class MessagePushed:
    summary: MessageSummary


@dataclass(frozen=True, slots=True)
class MessageGone:
    message_id: str


@dataclass(frozen=True, slots=True)
class AccountPushed:
    account: Account


@dataclass(frozen=True, slots=True)
class Ignored:
    reason: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    raw: str
    reason: str


HubUpdate = MessagePushed | MessageGone | AccountPushed | Ignored | Unreadable

_IDENTITY_KEYS = frozenset({"@id", "@type", "@context"})


def last_json_object(data: str) -> dict[str, Any] | None:
    """The last complete top-level JSON object in ``data``, or None (tolerates ``2\\n{…}``)."""
    decoder = json.JSONDecoder()
    found: dict[str, Any] | None = None
    index = data.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(data, index)
        except ValueError:
            index = data.find("{", index + 1)
            continue
        if isinstance(value, dict):
            found = value
        index = data.find("{", end)
    return found


def _resource_type(obj: Mapping[str, Any]) -> str:
    declared = obj.get("@type")
    if isinstance(declared, str) and declared:
        return declared
    iri = obj.get("@id")
    if isinstance(iri, str):
        if iri.startswith("/messages/"):
            return "Message"
        if iri.startswith("/accounts/"):
            return "Account"
    return ""


def parse_hub_data(data: str) -> HubUpdate:
    """Classify the ``data`` of one hub event."""
    obj = last_json_object(data)
    if obj is None:
        return Unreadable(raw=data, reason="no JSON object in event data")
    kind = _resource_type(obj)
    if not kind:
        return Unreadable(raw=data, reason="event data has neither @type nor @id")
    if kind == "Message":
        iri = obj.get("@id")
        if set(obj) <= _IDENTITY_KEYS:
            if isinstance(iri, str) and iri.startswith("/messages/"):
                return MessageGone(message_id=id_from_iri(iri))
            return Unreadable(raw=data, reason="message update without an id")
        try:
            summary = MessageSummary.from_json(obj)
        except ProtocolError as exc:
            return Unreadable(raw=data, reason=exc.detail or str(exc))
        if summary.is_deleted:
            return MessageGone(message_id=summary.id)
        return MessagePushed(summary=summary)
    if kind == "Account":
        if set(obj) <= _IDENTITY_KEYS:
            return Ignored(reason="account removed")
        try:
            return AccountPushed(account=Account.from_json(obj))
        except ProtocolError as exc:
            return Unreadable(raw=data, reason=exc.detail or str(exc))
    return Ignored(reason=f"unknown @type {kind!r}")
