"""Pure parsing of a mail.tm Mercure stream: bytes → lines → SSE frames → typed hub updates.

We decode the stream ourselves instead of using httpx-sse's iterator because we need to see every byte,
heartbeat comments included, to detect a silently dead connection (the iterator swallows comments).
The payload parser is deliberately tolerant (API reference §6.2, §7.11): the 2025 glitch sent ``2`` alone
or ``2`` followed by a newline and the JSON, so we take the last JSON object found in the data; unknown
``@type`` values are ignored; a bare ``{"@id": "/messages/…"}`` is API Platform's hard-delete update; a
payload we cannot read is reported as ``Unreadable`` so the caller can fall back to REST.

The hub is a remote party: every stage is linear in its input and bounded. A line longer than
``MAX_LINE_BYTES`` is dropped as it streams in (never buffered whole), and so is an event with more than
``MAX_EVENT_BYTES`` of data or ``MAX_DATA_LINES`` data lines; such an event comes out as an oversized
frame, which the reader reports as ``Unreadable`` (the stream itself stays open).
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

# Real hub events are a few kB (a message summary); these leave a wide margin and still bound memory.
MAX_LINE_BYTES = 1024 * 1024
MAX_EVENT_BYTES = 2 * 1024 * 1024
MAX_DATA_LINES = 10_000
MAX_EVENT_ID_CHARS = 1024
_JSON_ATTEMPTS = 32  # failed parse attempts before an event's data counts as unreadable


class SseLineSplitter:
    """Incremental splitter of raw stream bytes into lines (``\\n``, ``\\r\\n`` or ``\\r`` endings).

    Each chunk is scanned once (the unfinished tail is kept as pieces, not re-joined and re-scanned).
    A line over ``MAX_LINE_BYTES`` comes out as None: its bytes are dropped as they arrive."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []
        self._size = 0
        self._overflow = False
        self._pending_cr = False

    def feed(self, chunk: bytes) -> list[str | None]:
        if self._pending_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the second half of a \r\n that was split across two chunks
        if not chunk:
            return []
        lines: list[str | None] = []
        start = 0
        for match in _END_OF_LINE.finditer(chunk):
            lines.append(self._line(chunk[start : match.start()]))
            start = match.end()
        # A chunk ending in \r was taken as a line end; remember it so a leading \n next time is skipped.
        self._pending_cr = chunk.endswith(b"\r")
        self._keep(chunk[start:])
        return lines

    def _keep(self, piece: bytes) -> None:
        if self._overflow or not piece:
            return
        self._size += len(piece)
        if self._size > MAX_LINE_BYTES:
            self._pieces, self._overflow = [], True
        else:
            self._pieces.append(piece)

    def _line(self, last: bytes) -> str | None:
        too_long = self._overflow or self._size + len(last) > MAX_LINE_BYTES
        pieces, self._pieces, self._size, self._overflow = self._pieces, [], 0, False
        if too_long:
            return None
        return b"".join([*pieces, last]).decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class SseFrame:
    data: str
    event_id: str | None = None
    event: str = "message"
    oversized: bool = False  # a line, the data or the number of data lines was over the caps; data dropped


class SseFrameDecoder:
    """Turns lines into frames per the HTML SSE rules; comments (``:``) and ``retry`` are dropped."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._data_size = 0
        self._oversized = False
        self._event_id: str | None = None
        self._event = ""
        self._has_fields = False

    def feed(self, line: str | None) -> SseFrame | None:
        if line is None:  # an over-long line (SseLineSplitter): whatever field it was, the event is lost
            self._drop_data()
            return None
        if not line:
            if not self._has_fields:
                return None
            frame = SseFrame(
                data="\n".join(self._data),
                event_id=self._event_id,
                event=self._event or "message",
                oversized=self._oversized,
            )
            self._data, self._data_size, self._oversized = [], 0, False
            self._event, self._has_fields = "", False
            return frame if frame.data or frame.event_id or frame.oversized else None
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data_size += len(value) + 1
            if self._oversized or self._data_size > MAX_EVENT_BYTES or len(self._data) >= MAX_DATA_LINES:
                self._drop_data()
            else:
                self._data.append(value)
                self._has_fields = True
        elif name == "id" and "\0" not in value:
            self._event_id = value  # stays set across frames, as the spec's "last event ID buffer"
            self._has_fields = True
        elif name == "event":
            self._event = value
            self._has_fields = True
        return None

    def _drop_data(self) -> None:
        self._data, self._data_size, self._oversized, self._has_fields = [], 0, True, True


def header_safe_event_id(event_id: str) -> bool:
    """Whether ``event_id`` can go back to the hub as a ``Last-Event-ID`` header: printable ASCII, short.
    httpx refuses anything else before sending, so keeping such an id would break every reconnect."""
    if not (0 < len(event_id) <= MAX_EVENT_ID_CHARS and event_id.isascii() and event_id.isprintable()):
        return False
    return event_id == event_id.strip()  # h2 refuses a header value with surrounding whitespace


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
    failures = 0
    index = data.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(data, index)
        except (ValueError, RecursionError):
            # Each failure costs up to the whole string (the error even counts lines up to it), so a
            # string of 200,000 "{" would be quadratic: after a few failures the data is unreadable.
            failures += 1
            if failures >= _JSON_ATTEMPTS:
                return None
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
    """Classify the ``data`` of one hub event. Never raises: what cannot be read is ``Unreadable``."""
    try:
        return _classify(data)
    except Exception as exc:  # a parser bug must cost one event (then a REST catch-up), not the stream
        return Unreadable(raw=data[:1000], reason=f"unexpected {exc!r}")


def _classify(data: str) -> HubUpdate:
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
