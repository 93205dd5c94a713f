"""A burst of mail from one second, through a running Mailbox into the real cache, is listed newest
first by true arrival: the service's list order for what catch-up reads, the hub's order for pushes."""

from __future__ import annotations

from desktop_app.core.events import MessageAdded
from desktop_app.core.store.cache import Store
from tests.core.store_helpers import store_with
from tests.core.test_sync import running_mailbox
from tests.integration.support import FakeMailClient, ScriptedHub, frame, message_event, summary

ME = "me@example.org"


def listed(store: Store) -> list[str]:
    return [s.id for s in store.list_summaries(ME, limit=100)]


async def test_a_two_page_catch_up_then_pushes_of_the_same_second_list_in_arrival_order() -> None:
    arrived = [f"m{i:02d}" for i in range(35)]  # all from the same second, in arrival order
    store, hub = store_with(ME), ScriptedHub()
    client = FakeMailClient(inbox=[summary(i) for i in reversed(arrived)])  # newest first: 2 pages
    async with running_mailbox(client, store, hub) as (mailbox, log):  # type: ignore[arg-type]
        await mailbox.wait_caught_up()
        assert client.page_requests == [1, 2]
        assert listed(store) == arrived[::-1]
        stream = await hub.wait_streams(1)
        for n, message_id in enumerate(("p0", "p1")):
            stream.send(frame(message_event(message_id), str(n)))
        await log.wait_for(lambda: len(log.of(MessageAdded)) == len(arrived) + 2)
        assert listed(store) == ["p1", "p0", *arrived[::-1]]
    store.close()


async def test_pushes_of_one_second_list_newest_first() -> None:
    store, hub = store_with(ME), ScriptedHub()
    async with running_mailbox(FakeMailClient(), store, hub) as (mailbox, log):  # type: ignore[arg-type]
        await mailbox.wait_caught_up()
        stream = await hub.wait_streams(1)
        pushed = [f"p{i}" for i in range(6)]
        for n, message_id in enumerate(pushed):
            stream.send(frame(message_event(message_id), str(n)))
        await log.wait_for(lambda: len(log.of(MessageAdded)) == len(pushed))
        assert listed(store) == pushed[::-1]
    store.close()
