"""The delivery probe's own rules, without a network: what counts as a probe, and that only a probe
pushed through the live stream is "delivered through the live connection"."""

from __future__ import annotations

import asyncio

import pytest

from desktop_app.core import probe as probe_module
from desktop_app.core.events import MessageAdded
from desktop_app.core.probe import SUBJECT_PREFIX, DeliveryProbes
from tests.core.store_helpers import summary

ADDRESS = "probe.target@example.com"


class Sent(list[str]):
    """The subjects the probe sends, instead of an SMTP round trip (in the probe's worker thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def __call__(self, _smtp: object, _address: str, subject: str) -> None:
        self.append(subject)
        self.loop.call_soon_threadsafe(self.event.set)


@pytest.fixture(name="sent")
async def sent_fixture(monkeypatch: pytest.MonkeyPatch) -> Sent:
    sent = Sent()
    monkeypatch.setattr(probe_module, "_send", sent)
    return sent


async def sent_subject(sent: Sent) -> str:
    async with asyncio.timeout(5):
        await sent.event.wait()
    return sent[0]


@pytest.mark.parametrize(("pushed", "ok"), [(True, True), (False, False)])
async def test_only_a_probe_pushed_live_is_delivered_live(sent: Sent, pushed: bool, ok: bool) -> None:
    probes = DeliveryProbes()
    running = asyncio.ensure_future(probes.probe(("127.0.0.1", 2525), ADDRESS, timeout=5))
    subject = await sent_subject(sent)
    assert subject.startswith(SUBJECT_PREFIX)
    probes.on_event(MessageAdded(ADDRESS, summary("p1", subject=subject), pushed))
    outcome = await running
    assert outcome.ok is ok
    if ok:
        assert outcome.detail.startswith("delivered through the live connection in ")
    else:
        assert (
            outcome.failure == "lost" and "by catching up, not through the live connection" in outcome.detail
        )


async def test_a_probe_is_known_by_its_token_also_when_late(sent: Sent) -> None:
    probes = DeliveryProbes()
    outcome = await probes.probe(("127.0.0.1", 2525), ADDRESS, timeout=0.05)
    assert not outcome.ok and outcome.failure == "lost" and "did not arrive in 0.05 s" in outcome.detail
    # It comes after the check gave up: still a probe (the inbox deletes it, nobody announces it).
    assert probes.is_probe(summary("late", subject=sent[0]))
    # A mail merely titled like one is the user's mail.
    assert not probes.is_probe(summary("user", subject=SUBJECT_PREFIX + "0123456789ab"))
    assert not probes.is_probe(summary("user", subject="Hello"))
