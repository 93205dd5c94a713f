"""Live mail is announced (``MessageArriving``) once the real cache has accepted it and before the
commit, so the notification does not wait for the disk; ``MessageAdded`` follows once it is stored.
Catch-up mail is not announced early. A reader on a second connection sees only committed rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop_app.core.events import MailboxEvent, MessageAdded, MessageArriving
from desktop_app.core.live import HubStreams
from desktop_app.core.sync import MailboxSet
from tests.core.store_helpers import store_with
from tests.core.test_sync import HUB, SETTINGS
from tests.integration.support import EventLog, FakeMailClient, ScriptedHub, frame, message_event, summary

ME = "me@example.org"


async def test_pushed_mail_is_announced_before_its_commit_and_added_after(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    store, hub, log = store_with(ME, path=path), ScriptedHub(), EventLog()
    committed: list[tuple[str, str, int]] = []  # (event, message id, rows another reader sees)

    def watch(event: MailboxEvent) -> None:
        if isinstance(event, MessageArriving | MessageAdded):
            with sqlite3.connect(path) as reader:
                (rows,) = reader.execute(
                    "SELECT count(*) FROM messages WHERE id = ?", (event.summary.id,)
                ).fetchone()
            committed.append((type(event).__name__, event.summary.id, rows))

    boxes = MailboxSet(store, streams=HubStreams(hub.client()), settings=SETTINGS)
    boxes.events.subscribe(watch)
    boxes.events.subscribe(log)
    mailbox = boxes.add(FakeMailClient(inbox=[summary("old")]), HUB)  # type: ignore[arg-type]
    try:
        await mailbox.wait_caught_up()
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("live"), "1"))
        await log.wait_for(lambda: len(log.of(MessageAdded)) == 2)
        stream.send(frame(message_event("live"), "2"))  # the hub says it again: already stored, no news
        stream.send(frame(message_event("later"), "3"))
        await log.wait_for(lambda: len(log.of(MessageAdded)) == 3)
    finally:
        assert await boxes.aclose(2.0)
        await boxes.streams.http.aclose()
        store.close()
    assert committed == [
        ("MessageAdded", "old", 1),  # catch-up: added once stored, never announced early
        ("MessageArriving", "live", 0),  # accepted, not yet committed
        ("MessageAdded", "live", 1),
        ("MessageArriving", "later", 0),
        ("MessageAdded", "later", 1),
    ]
    assert [e.announced for e in log.of(MessageAdded)] == [False, True, True]
