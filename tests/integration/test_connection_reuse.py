"""Bursts of requests reuse the client's connections: the pool keeps as many as it opens. With
httpx's default (100 open, 20 kept) each burst of 300 requests opened up to 100 sockets and closed 80,
and 500 addresses catching up at start filled the local server's connection cap with sockets it had
not finished closing, so it answered 503. The server counts the client sockets it really saw."""

from __future__ import annotations

import asyncio

from desktop_app.core.api.client import POOL_CONNECTIONS, MailTmClient
from desktop_app.server import LocalMailServer


async def test_three_bursts_use_no_more_sockets_than_the_pool_keeps() -> None:
    async with LocalMailServer(rate_limit=None) as server:
        client = MailTmClient(server.api_url, rate_limit=1000.0)
        try:
            for _ in range(3):
                await asyncio.gather(*(client.domains() for _ in range(300)))
        finally:
            await client.aclose()
        assert server.stats.requests == 900
        # The old pool opened a full 100 for each burst (300 in all). Now the first burst opens them
        # and the others reuse them; on a loaded machine a few pooled ones may be closed by the
        # server's keep-alive timer and opened again, hence the margin (a full burst's worth is not).
        assert server.stats.tcp_connections < 1.5 * POOL_CONNECTIONS, server.stats.as_dict()
