"""Mailboxes against the real local server: idle cost, restart, re-login on 401, shutdown deadline."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.core.events import ConnectionChanged, MailboxEvent
from desktop_app.server import LocalMailServer
from tests.integration.harness import FAST_SYNC, PASSWORD, Fleet, send_concurrently
from tests.integration.support import poll_until


async def _caught_up(fleet: Fleet) -> None:
    await poll_until(fleet.all_live, timeout=20)
    for box in fleet.boxes:
        await asyncio.wait_for(box.wait_caught_up(), 10)


async def _idle_addresses_stay_quiet(
    tmp_path: Path, *, heartbeat: float, idle_timeout: float, seconds: float
) -> None:
    """20 caught-up live addresses idle for ``seconds``: no REST request, no reconnect, all still live."""
    settings = replace(FAST_SYNC, live=replace(FAST_SYNC.live, idle_timeout=idle_timeout))
    async with LocalMailServer(rate_limit=None, heartbeat=heartbeat) as server:
        fleet = await Fleet.start(server, tmp_path / "cache.sqlite3", 20, settings)
        try:
            await _caught_up(fleet)
            requests, streams = server.stats.requests, server.stats.hub_connections
            await asyncio.sleep(seconds)  # the point of the test is that nothing happens: no event to await
            assert server.stats.requests == requests, "an idle mailbox made REST requests"
            assert server.stats.hub_connections == streams, "an idle stream was reconnected"
            assert server.stats.hub_open == len(fleet.accounts)
            assert fleet.all_live()
        finally:
            assert await fleet.close()


@pytest.mark.slow
async def test_an_idle_minute_with_20_live_addresses_makes_no_rest_request(tmp_path: Path) -> None:
    await _idle_addresses_stay_quiet(tmp_path, heartbeat=15.0, idle_timeout=40.0, seconds=60.0)


@pytest.mark.timing
async def test_heartbeats_keep_idle_streams_alive_without_rest_requests(tmp_path: Path) -> None:
    """The same property on a short clock. The idle timeout is 10 heartbeats, so a stall of 2 s on a
    loaded machine is tolerated; the wait is 2.4 idle timeouts, so a stream without heartbeats would
    certainly time out within it (the test's teeth)."""
    await _idle_addresses_stay_quiet(tmp_path, heartbeat=0.25, idle_timeout=2.5, seconds=6.0)


@pytest.mark.timing
async def test_mailboxes_go_retrying_then_live_across_a_server_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    first = LocalMailServer(rate_limit=None, data_dir=data_dir)
    await first.start()
    fleet = await Fleet.start(first, tmp_path / "cache.sqlite3", 5)
    states: dict[str, list[str]] = {}

    def record(event: MailboxEvent) -> None:
        if isinstance(event, ConnectionChanged):
            states.setdefault(event.address, []).append(event.state.kind)

    fleet.boxes.events.subscribe(record)
    second: LocalMailServer | None = None
    try:
        await _caught_up(fleet)
        await send_concurrently(first, [(a, "before restart") for a in fleet.accounts], connections=2)
        await poll_until(lambda: all(len(fleet.server_ids(a)) == 1 for a in fleet.accounts))
        await poll_until(fleet.converged)
        states.clear()

        http_port, smtp_port = first.http_port, first.smtp_port
        await first.stop()
        await poll_until(lambda: all(b.state.kind == "retrying" for b in fleet.boxes))

        second = LocalMailServer(rate_limit=None, data_dir=data_dir, http_port=http_port, smtp_port=smtp_port)
        await second.start()
        fleet.server = second
        await poll_until(fleet.all_live, timeout=20)
        await send_concurrently(second, [(a, "after restart") for a in fleet.accounts], connections=2)
        await poll_until(lambda: all(len(fleet.server_ids(a)) == 2 for a in fleet.accounts))
        await poll_until(fleet.converged, timeout=20)

        for address in fleet.accounts:
            kinds = states[address]
            assert "retrying" in kinds
            assert kinds[-1] == "live"
            assert kinds.index("retrying") < len(kinds) - 1
        assert sum(fleet.counted.added.values()) == 2 * len(fleet.accounts)
    finally:
        assert await fleet.close()
        if second is not None:
            await second.stop()
        await first.stop()


async def test_a_rejected_token_on_the_hub_leads_to_one_relogin(tmp_path: Path) -> None:
    async with LocalMailServer(rate_limit=None) as server:
        fleet = await Fleet.start(server, tmp_path / "cache.sqlite3", 0)
        try:
            server.create_account_direct("stale@temp-inbox.test", PASSWORD)
            account = server.store.account_by_address("stale@temp-inbox.test")
            assert account is not None
            client = fleet.api.for_account(
                "stale@temp-inbox.test", PASSWORD, token="x" * 60, account_id=account.id
            )
            box = fleet.boxes.add(client, server.hub_url)
            await poll_until(lambda: box.state.kind == "live")
            assert client.token != "x" * 60
            assert box.subscription.connections == 1
        finally:
            assert await fleet.close()


@pytest.mark.timing
async def test_fifty_live_mailboxes_shut_down_within_two_seconds(tmp_path: Path) -> None:
    async with LocalMailServer(rate_limit=None) as server:
        fleet = await Fleet.start(server, tmp_path / "cache.sqlite3", 50)
        await _caught_up(fleet)
        assert server.stats.hub_open == 50
        loop = asyncio.get_running_loop()
        started = loop.time()
        # True means every mailbox task and the hub connection ended within the 2 s deadline, measured
        # by the code itself; the wall-clock bound below only catches a hang.
        assert await fleet.close(), "a mailbox outlived the 2 s shutdown deadline"
        assert loop.time() - started < 20
        await poll_until(lambda: server.stats.hub_open == 0)
