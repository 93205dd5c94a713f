"""A deliberately small SSE reader that keeps the raw framing visible (comments, ``data:`` lines)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Block:
    """One blank-line-terminated SSE block."""

    lines: list[str]

    @property
    def is_comment(self) -> bool:
        return all(line.startswith(":") for line in self.lines)

    @property
    def id(self) -> str | None:
        return next((line[4:] for line in self.lines if line.startswith("id: ")), None)

    @property
    def data_lines(self) -> list[str]:
        return [line[6:] for line in self.lines if line.startswith("data: ")]

    @property
    def json(self) -> Any:
        (line,) = self.data_lines
        return json.loads(line)


@dataclass
class EventStream:
    response: httpx.Response
    _buffer: str = ""
    _chunks: AsyncIterator[str] | None = None
    received: list[Block] = field(default_factory=list)

    async def next_block(self, timeout: float = 30.0) -> Block:
        """The next block; raises EOFError when the server ends the stream."""
        if self._chunks is None:
            self._chunks = self.response.aiter_text()
        async with asyncio.timeout(timeout):
            while "\n\n" not in self._buffer:
                try:
                    self._buffer += await anext(self._chunks)
                except StopAsyncIteration:
                    raise EOFError("stream ended") from None
        raw, self._buffer = self._buffer.split("\n\n", 1)
        block = Block(raw.split("\n"))
        self.received.append(block)
        return block

    async def next_event(self, timeout: float = 30.0) -> Block:
        """The next block that is not a comment."""
        while True:
            block = await self.next_block(timeout)
            if not block.is_comment:
                return block

    async def ended(self, timeout: float = 30.0) -> bool:
        try:
            while True:
                await self.next_block(timeout)
        except EOFError:
            return True


@asynccontextmanager
async def subscribe(
    client: httpx.AsyncClient,
    url: str,
    token: str | None,
    *topics: str,
    headers: dict[str, str] | None = None,
) -> AsyncIterator[EventStream]:
    all_headers = dict(headers or {})
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    # Unencoded, as every mail.tm client sends it: ?topic=/accounts/{id}
    query = "&".join(f"topic={t}" for t in topics)
    async with client.stream("GET", f"{url}?{query}" if query else url, headers=all_headers) as response:
        yield EventStream(response)
