"""The promise of issue 4: nothing is lost, nothing is duplicated, while the service misbehaves.

50 addresses live over one hub connection; 1,000 messages arrive by SMTP while the server drops every
stream again and again, answers REST with 429, 500 and malformed JSON, refuses hub reconnects, and sends
the 2025 ``2\\n{json}`` glitch. Then a blackout: every stream is down, mail arrives, and the hub forgets
its history, so only the client's REST catch-up can find that mail. Afterwards each address's stored ids
equal the server's, every message was announced once and its body fetched once.

The chaos does not stop when sending stops: it goes on until the server has *served* (not merely been
asked for) enough faults of every kind, so a fast machine that sends the mail in two seconds is tested as
hard as a slow one. A bounded deadline turns a server that never serves them into a clear failure.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop_app.core.sync import Mailbox
from desktop_app.server import LocalMailServer
from desktop_app.server.faults import FAILURE_KINDS, MAX_QUEUED, FailureKind
from tests.integration.harness import DOMAIN, Fleet, send_concurrently
from tests.integration.support import poll_until

ADDRESSES = 50
MESSAGES = 1000
BLACKOUT_MESSAGES = 20
# Faults each kind must have been served before the chaos ends (issue 8).
TARGETS = {"rest": 20, "drops": 100, "hub": 10, "glitches": 10}
CHAOS_DEADLINE_S = 240.0


def served_by_kind(server: LocalMailServer) -> dict[str, int]:
    served = server.faults.served()
    return {
        "rest": sum(served[f"rest_{kind}"] for kind in FAILURE_KINDS),
        "hub": sum(served[f"hub_{kind}"] for kind in FAILURE_KINDS),
        "drops": served["drops"],
        "glitches": served["glitches"],
    }


@dataclass
class ChaosRun:
    fleet: Fleet
    addresses: list[str]
    sent: int = 0
    blackout_subjects: set[str] = field(default_factory=set)
    served: dict[str, int] = field(default_factory=dict)


async def _chaos(run: ChaosRun, sending: asyncio.Task[None], rng: random.Random) -> None:
    """Misbehave at random moments until sending is over and every kind of fault was served enough."""
    server = run.fleet.server
    loop = asyncio.get_running_loop()
    deadline = loop.time() + CHAOS_DEADLINE_S
    while True:
        served = served_by_kind(server)
        if sending.done() and all(served[kind] >= goal for kind, goal in TARGETS.items()):
            return
        if loop.time() > deadline:
            raise AssertionError(
                f"the server did not serve enough faults within {CHAOS_DEADLINE_S:.0f} s: "
                f"served {served}, wanted {TARGETS}, sending done: {sending.done()}"
            )
        await asyncio.sleep(rng.uniform(0.02, 0.25))
        roll = rng.random()
        if roll < 0.35:
            server.faults.drop_streams()
        elif roll < 0.65:
            kind: FailureKind = rng.choice(["429", "500", "500", "malformed"])
            server.faults.fail_next(rng.randint(1, 3), kind)
        elif roll < 0.8:
            # The service's own misbehaviour, not a refused token (the "401" kind is the health check's).
            hub_kind: FailureKind = rng.choice(["429", "500", "malformed"])
            server.faults.fail_next(rng.randint(1, 3), hub_kind, hub=True)
        else:
            server.faults.glitch_next(rng.randint(1, 6))
            if sending.done() and served["glitches"] < TARGETS["glitches"]:
                # A glitch is served only on an event; once the main mail is in, bring one more.
                await _send(run, [(rng.choice(run.addresses), f"extra {run.sent:04d}")])


async def _send(run: ChaosRun, jobs: list[tuple[str, str]], connections: int = 1) -> None:
    await send_concurrently(run.fleet.server, jobs, connections=connections)
    run.sent += len(jobs)


async def _blackout(run: ChaosRun, rng: random.Random) -> None:
    """Mail that arrives while every stream is down, after which the hub forgets what it published:
    no ``Last-Event-ID`` replay can bring it, only each mailbox's catch-up after it reconnects."""
    server = run.fleet.server
    server.faults.fail_next(MAX_QUEUED, "500", hub=True)
    server.faults.drop_streams()
    await poll_until(lambda: server.stats.hub_open == 0, timeout=60)
    jobs = [(rng.choice(run.addresses), f"blackout {n:02d}") for n in range(BLACKOUT_MESSAGES)]
    received = server.stats.smtp_messages
    await _send(run, jobs)
    assert server.stats.smtp_messages == received + BLACKOUT_MESSAGES
    run.blackout_subjects = {subject for _, subject in jobs}
    server.faults.forget_history()
    server.faults.reset()  # reconnects succeed again


async def _run_chaos(
    tmp_path: Path, *, converge_timeout: float, verify: Callable[[ChaosRun], None] = lambda run: None
) -> None:
    """The whole scenario, then ``verify`` while server and store are still open. Raises an
    AssertionError naming the missing mail when the store has not converged after ``converge_timeout``."""
    rng = random.Random(4)
    async with LocalMailServer(rate_limit=None, heartbeat=2.0) as server:
        fleet = await Fleet.start(server, tmp_path / "cache.sqlite3", ADDRESSES)
        run = ChaosRun(fleet, sorted(fleet.accounts))
        try:
            await poll_until(fleet.all_live, timeout=60)
            # 50 subscriptions, one TCP connection (HTTP/2 streams).
            assert fleet.boxes.streams.http2_connections() == 1
            assert server.stats.hub_open == ADDRESSES

            jobs = [(rng.choice(run.addresses), f"message {n:04d}") for n in range(MESSAGES)]
            sending = asyncio.create_task(_send(run, jobs, connections=5))
            await _chaos(run, sending, rng)
            await sending
            server.faults.reset()
            run.served = served_by_kind(server)  # before the blackout's own hub refusals
            await _blackout(run, rng)

            assert server.stats.smtp_messages == run.sent
            try:
                await poll_until(fleet.converged, timeout=converge_timeout, interval=0.1)
            except TimeoutError:
                raise AssertionError(f"never stored: {sorted(_missing_subjects(fleet))}") from None
            await poll_until(lambda: len(fleet.counted.bodies) == run.sent, timeout=60, interval=0.1)
            reconnects = sum(box.subscription.connections for box in fleet.boxes) - ADDRESSES
            print(
                f"\nchaos: {run.sent} messages ({BLACKOUT_MESSAGES} in a blackout) to {ADDRESSES} addresses;"
                f" faults served {server.faults.served()}; reconnects {reconnects};"
                f" catch-ups {sum(box.catch_ups for box in fleet.boxes)}"
            )
            assert reconnects >= TARGETS["drops"]
            verify(run)
        finally:
            assert await fleet.close()


def _missing_subjects(fleet: Fleet) -> set[str]:
    missing: set[str] = set()
    for address, account in fleet.accounts.items():
        stored = fleet.store.known_message_ids(address)
        for message in fleet.server.store.list_messages(account, 0, 100_000):
            if message.id not in stored:
                missing.add(message.subject)
    return missing


@pytest.mark.timing
async def test_a_thousand_messages_through_drops_errors_and_glitches_are_stored_exactly_once(
    tmp_path: Path,
) -> None:
    await _run_chaos(tmp_path, converge_timeout=120, verify=_stored_exactly_once)


def _stored_exactly_once(run: ChaosRun) -> None:
    fleet = run.fleet

    for kind, goal in TARGETS.items():
        assert run.served[kind] >= goal, (kind, run.served)
    server_ids = {a: fleet.server_ids(a) for a in run.addresses}
    assert sum(len(ids) for ids in server_ids.values()) == run.sent
    for address in run.addresses:
        assert fleet.store.known_message_ids(address) == server_ids[address], address
    every_id = set().union(*server_ids.values())
    assert set(fleet.counted.added) == every_id
    assert set(fleet.counted.added.values()) == {1}, "a message was announced twice"
    assert set(fleet.counted.bodies.values()) == {1}, "a body was fetched and stored twice"
    assert all(fleet.store.has_full_message(i) for i in every_id)
    assert DOMAIN in run.addresses[0]


async def test_without_catch_up_the_chaos_test_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above has teeth: with catch-up switched off, the blackout's mail is never stored.
    Nothing but a catch-up can bring it (the hub forgot it), so the short wait is not a bet on speed."""

    async def no_catch_up(self: Mailbox, known: set[str]) -> None:
        return None

    monkeypatch.setattr(Mailbox, "_catch_up_once", no_catch_up)
    with pytest.raises(AssertionError, match="never stored") as failure:
        await _run_chaos(tmp_path, converge_timeout=10)
    # Every message of the blackout is missing: nothing else could have brought it.
    assert all(f"'blackout {n:02d}'" in str(failure.value) for n in range(BLACKOUT_MESSAGES))
