"""Hostile hub streams (issue 9, defects 5 and 9). Large ones are built in code."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def stream_files() -> list[Path]:
    return sorted((HERE / "files").glob("*.sse"))


def long_line_chunks(total: int = 32 * 1024 * 1024, chunk: int = 64 * 1024) -> list[bytes]:
    """A ``data:`` line of ``total`` bytes with no line end, in ``chunk``-sized pieces: the old splitter
    re-joined and re-scanned its whole buffer per chunk (28 s of CPU for 32 MB)."""
    first = b"data: " + b"x" * (chunk - 6)
    return [first] + [b"x" * chunk] * (total // chunk - 1)


def many_data_lines(count: int = 50_000) -> bytes:
    return b"data: {}\n" * count + b"\n"


def braces(count: int = 1_000_000) -> str:
    """Data made of ``{`` only: every failed JSON attempt used to scan (and count lines up to) the rest."""
    return "{" * count


def deep_in_an_object(depth: int = 100_000) -> str:
    return '{"@type": "Message", "id": "m1", "a": ' + "[" * depth
