"""The promise of issue 4: nothing is lost, nothing is duplicated, while the service misbehaves.

50 addresses live over one hub connection; 1,000 messages arrive by SMTP while the server drops every
stream again and again (≥100 stream drops), answers REST with 429, 500 and malformed JSON, refuses hub
reconnects, and sends the 2025 ``2\\n{json}`` glitch. Afterwards each address's stored ids equal the
server's, every message was announced once and its body fetched once.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from desktop_app.server import LocalMailServer
from desktop_app.server.faults import FailureKind
from tests.integration.harness import DOMAIN, Fleet, send_concurrently
from tests.integration.support import poll_until

ADDRESSES = 50
MESSAGES = 1000


async def _chaos(server: LocalMailServer, sending: asyncio.Task[None], rng: random.Random) -> dict[str, int]:
    """Misbehave at random moments until sending is over and at least 100 streams were dropped."""
    done = {"drops": 0, "rest_failures": 0, "hub_failures": 0, "glitches": 0}
    while not sending.done() or done["drops"] < 100:
        await asyncio.sleep(rng.uniform(0.02, 0.25))
        roll = rng.random()
        if roll < 0.35:
            done["drops"] += server.stats.hub_open
            server.faults.drop_streams()
        elif roll < 0.65:
            count = rng.randint(1, 3)
            kind: FailureKind = rng.choice(["429", "500", "500", "malformed"])
            server.faults.fail_next(count, kind)
            done["rest_failures"] += count
        elif roll < 0.8:
            count = rng.randint(1, 3)
            server.faults.fail_next(count, rng.choice(["429", "500", "malformed"]), hub=True)
            done["hub_failures"] += count
        else:
            count = rng.randint(1, 6)
            server.faults.glitch_next(count)
            done["glitches"] += count
    return done


async def test_a_thousand_messages_through_drops_errors_and_glitches_are_stored_exactly_once(
    tmp_path: Path,
) -> None:
    rng = random.Random(4)
    async with LocalMailServer(rate_limit=None, heartbeat=2.0) as server:
        fleet = await Fleet.start(server, tmp_path / "cache.sqlite3", ADDRESSES)
        try:
            await poll_until(fleet.all_live, timeout=30)
            # 50 subscriptions, one TCP connection (HTTP/2 streams).
            assert fleet.boxes.streams.http2_connections() == 1
            assert server.stats.hub_open == ADDRESSES

            addresses = sorted(fleet.accounts)
            jobs = [(rng.choice(addresses), f"message {n:04d}") for n in range(MESSAGES)]
            sending = asyncio.create_task(send_concurrently(server, jobs, connections=5))
            chaos = await _chaos(server, sending, rng)
            await sending
            leftover = server.faults.state()
            server.faults.reset()

            assert server.stats.smtp_messages == MESSAGES
            await poll_until(fleet.converged, timeout=60, interval=0.1)
            await poll_until(lambda: len(fleet.counted.bodies) == MESSAGES, timeout=60, interval=0.1)

            server_ids = {a: fleet.server_ids(a) for a in addresses}
            assert sum(len(ids) for ids in server_ids.values()) == MESSAGES
            for address in addresses:
                assert fleet.store.known_message_ids(address) == server_ids[address], address
            every_id = set().union(*server_ids.values())
            assert set(fleet.counted.added) == every_id
            assert set(fleet.counted.added.values()) == {1}, "a message was announced twice"
            assert set(fleet.counted.bodies.values()) == {1}, "a body was fetched and stored twice"
            assert all(fleet.store.has_full_message(i) for i in every_id)

            assert chaos["drops"] >= 100
            reconnects = sum(box.subscription.connections for box in fleet.boxes) - ADDRESSES
            assert reconnects >= 100
            # Faults still queued when sending ended were never served; the rest were.
            assert chaos["rest_failures"] - len(leftover["fail_next"]) >= 20
            assert chaos["hub_failures"] - len(leftover["fail_next_hub"]) >= 5
            assert chaos["glitches"] - leftover["glitch_next"] >= 10
            assert DOMAIN in addresses[0]
        finally:
            assert await fleet.close()
