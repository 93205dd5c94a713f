"""Catch-up notices mail deleted on the service while the app was away, from the pages it reads anyway."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.events import MessageRemoved
from desktop_app.core.models import Page
from tests.core.test_sync import inbox, running_mailbox
from tests.integration.support import FakeMailClient, MemoryStore, ScriptedHub, summary

ME = "me@example.org"


def stored(*ids: int) -> MemoryStore:
    store = MemoryStore()
    store.save_summaries(ME, [summary(f"m{i}", minutes=i) for i in sorted(ids, reverse=True)])
    return store


def ids(*numbers: int) -> set[str]:
    return {f"m{i}" for i in numbers}


async def test_mail_gone_from_the_pages_read_is_removed_without_reading_further() -> None:
    store = stored(*range(70))
    client = FakeMailClient(inbox=[s for s in inbox(70) if s.id not in ids(65, 40, 5)])
    async with running_mailbox(client, store, ScriptedHub()) as (mailbox, log):
        await mailbox.wait_caught_up()
        assert client.page_requests == [1]  # page 1 ends in a known message: no full re-fetch
        assert {e.message_id for e in log.of(MessageRemoved)} == ids(65, 40)
        # m5 is beyond the pages read: catch-up cannot know, and does not guess.
        assert store.known_message_ids(ME) == ids(*range(70)) - ids(65, 40)


async def test_a_one_page_inbox_proves_everything_it_does_not_list() -> None:
    store = stored(*range(10))
    client = FakeMailClient(inbox=[s for s in inbox(10) if s.id not in ids(9, 3, 0)])
    async with running_mailbox(client, store, ScriptedHub()) as (mailbox, _log):
        await mailbox.wait_caught_up()
        assert store.known_message_ids(ME) == ids(*range(10)) - ids(9, 3, 0)


async def test_an_empty_inbox_on_the_service_empties_the_cache() -> None:
    store = stored(0, 1, 2)
    async with running_mailbox(FakeMailClient(inbox=[]), store, ScriptedHub()) as (mailbox, _log):
        await mailbox.wait_caught_up()
        assert store.known_message_ids(ME) == set()


async def test_the_tail_page_proves_what_is_older_than_its_newest() -> None:
    store = stored(*range(40))
    client = FakeMailClient(inbox=[s for s in inbox(40) if s.id not in ids(2, 0)])
    store.remove_message("m39")  # one message this app never saw: catch-up reads page 2 to find… none
    store.remove_message("m10")  # …and must go on to the end of the list
    async with running_mailbox(client, store, ScriptedHub()) as (mailbox, _log):
        await mailbox.wait_caught_up()
        assert client.page_requests == [1, 2]
        assert store.known_message_ids(ME) == ids(*range(40)) - ids(2, 0)


@dataclass
class ShiftingClient(FakeMailClient):
    """Deletes ``delete_after_page_1`` on the service right after serving page 1, so the list shifts up
    by one between the pages: the first message of page 2 moves to the end of page 1, already read."""

    delete_after_page_1: str = ""

    async def messages(self, page: int = 1) -> Page:
        served = await super().messages(page)
        if page == 1:
            self.inbox = [s for s in self.inbox if s.id != self.delete_after_page_1]
        return served


async def test_a_list_shifting_between_pages_removes_nothing_that_is_still_there() -> None:
    store = stored(*range(40))  # m40…m69 arrived while away: page 1 is all new, so page 2 is read
    client = ShiftingClient(inbox=inbox(70), delete_after_page_1="m45")
    async with running_mailbox(client, store, ScriptedHub()) as (mailbox, log):
        await mailbox.wait_caught_up()
        assert client.page_requests == [1, 2]
        # m39 was listed by neither page (it moved up to page 1 after page 1 was read): it is kept.
        assert ids(*range(40)) <= store.known_message_ids(ME)
        # Only the one really deleted may go (its body fetch finds it gone), none of what is still there.
        assert {e.message_id for e in log.of(MessageRemoved)} <= {"m45"}


async def test_mail_of_one_second_across_a_page_boundary_is_not_judged() -> None:
    same_second = [summary(f"s{i}") for i in reversed(range(40))]
    store = MemoryStore()
    store.save_summaries(ME, same_second)
    # s5 is on page 2 (not read: page 1 ends in a known message). Its date equals page 1's oldest, so
    # page 1 cannot prove it gone, nor that it is still there: it stays.
    client = FakeMailClient(inbox=[s for s in same_second if s.id != "s5"])
    async with running_mailbox(client, store, ScriptedHub()) as (mailbox, _log):
        await mailbox.wait_caught_up()
        assert client.page_requests == [1]
        assert "s5" in store.known_message_ids(ME)
