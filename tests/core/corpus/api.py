"""Hostile API payloads for the client's parsers (issue 9, defect 4). Large ones are built in code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent

BAD_INTS: list[Any] = [
    *(float("nan"), float("inf"), float("-inf")),  # JSON as Python reads it allows them
    *("²", "٣", "9" * 5_000, "1e3"),  # isdigit() but not int(), or too long for int()
    *(-1, 2**70, [], {}),
]
BAD_DATES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "\ud800",
    "2026-13-45T99:99:99Z",
    "9" * 5_000,
]


def deeply_nested_json(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def message(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@id": "/messages/m1",
        "@type": "Message",
        "id": "m1",
        "accountId": "/accounts/acc1",
        "msgid": "<m1@x>",
        "from": {"address": "a@example.org", "name": "A"},
        "to": [{"address": "me@example.org", "name": ""}],
        "subject": "s",
        "intro": "i",
        "seen": False,
        "isDeleted": False,
        "hasAttachments": False,
        "size": 1,
        "createdAt": "2026-11-22T12:00:00+00:00",
        "updatedAt": "2026-11-22T12:00:00+00:00",
    }
    data.update(overrides)
    return data


def payload_files() -> list[tuple[str, object]]:
    """(name, parsed JSON) of every corpus file ``files/*.json`` (NaN and Infinity allowed, as in JSON)."""
    return [(p.name, json.loads(p.read_text("utf-8"))) for p in sorted((HERE / "files").glob("*.json"))]
