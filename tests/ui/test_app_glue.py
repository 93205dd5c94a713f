"""The Qt glue over the Inbox service: instance commands and the window's controller, offline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import local_provider
from desktop_app.core.errors import PasswordMissingError
from desktop_app.core.events import MessageAdded, MessageArriving
from desktop_app.core.inbox import Inbox
from desktop_app.core.notice import NewMessage
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.core.sync import MailboxSet
from desktop_app.core.tasks import NamedTasks
from desktop_app.instance.commands import InstanceCommands
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.inbox_controller import InboxController
from tests.core.store_helpers import message, summary
from tests.core.test_secrets import DictKeyring

ADDRESS = "kept@temp-inbox.test"


class RecordingReply:
    """Stands in for ``ipc.Reply``: records what the client would have been sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.stages: list[str] = []
        self.cancelled: Any = None

    def send(self, payload: dict[str, Any]) -> None:
        self.sent.append(payload)

    def progress(self, stage: str) -> None:
        self.stages.append(stage)

    def ok(self, **fields: Any) -> None:
        self.send({"ok": True, **fields})

    def fail(self, message: str) -> None:
        self.send({"ok": False, "error": message})


@pytest.fixture(name="store")
def store_fixture() -> Iterator[Store]:
    store = Store(None)
    yield store
    store.close()


@pytest.fixture(name="mailboxes")
def mailboxes_fixture(store: Store) -> MailboxSet:
    """The inbox's mailboxes, whose event stream the tests feed as if mail arrived."""
    return MailboxSet(store)


@pytest.fixture(name="inbox")
def inbox_fixture(store: Store, mailboxes: MailboxSet) -> Inbox:
    # Nothing listens on port 9: these tests never reach the network.
    return Inbox(
        store,
        PasswordVault(DictKeyring()),
        local_provider("http://127.0.0.1:9", "http://127.0.0.1:9"),
        mailboxes=mailboxes,
    )


def the_task(tasks: NamedTasks) -> asyncio.Task[Any] | None:
    """The one task a command started (None when it answered at once)."""
    names = tasks.names()
    assert len(names) <= 1, names
    return tasks.get(names[0]) if names else None


async def settled(tasks: NamedTasks) -> None:
    """Every task started so far has finished and its done-callbacks have run."""
    for _ in range(100):
        running = [task for name in tasks.names() if (task := tasks.get(name)) is not None]
        if not running:
            await asyncio.sleep(0)  # done-callbacks are scheduled, not run, when a task ends
            return
        await asyncio.wait(running, timeout=30)
    raise AssertionError(f"tasks kept starting: {tasks.names()}")


async def registered(reply: RecordingReply) -> None:
    async with asyncio.timeout(30):
        while "waiting" not in reply.stages:  # noqa: ASYNC110  (the stage is plain state)
            await asyncio.sleep(0.01)


def _commands(inbox: Inbox) -> InstanceCommands:
    return InstanceCommands(
        inbox, AppSignals(), raise_window=lambda: None, quit_app=lambda: None, info=lambda: {}
    )


@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ("nonsense", {}, "Unknown command 'nonsense'"),
        ("wait", {"timeout": "soon"}, "number of seconds"),
        ("wait", {"timeout": [1]}, "number of seconds"),
        ("wait", {"address": "stranger@nowhere.test", "timeout": 1}, "not one of your addresses"),
        ("show", {"message_id": "missing"}, "No message with id missing"),
        ("copy", {}, "no address yet"),
    ],
)
async def test_bad_commands_get_an_answer_not_a_hang(
    qtbot: QtBot, inbox: Inbox, command: str, args: dict[str, Any], expected: str
) -> None:
    commands = _commands(inbox)
    reply = RecordingReply()
    commands.handle(command, args, reply)  # type: ignore[arg-type]
    task = the_task(commands.tasks)
    if task is not None:
        await asyncio.wait([task])  # the unknown-address refusal comes from the service coroutine
    assert len(reply.sent) == 1
    assert reply.sent[0]["ok"] is False
    assert expected.lower() in reply.sent[0]["error"].lower()
    assert "Traceback" not in reply.sent[0]["error"]
    await commands.tasks.close(1.0)


@pytest.mark.timing
async def test_wait_timeout_is_reported_as_a_timeout(qtbot: QtBot, inbox: Inbox, store: Store) -> None:
    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    commands = _commands(inbox)
    reply = RecordingReply()
    commands.handle("wait", {"address": ADDRESS, "timeout": 0.05}, reply)  # type: ignore[arg-type]
    task = the_task(commands.tasks)
    assert task is not None
    with pytest.raises(TimeoutError):
        await task
    [answer] = reply.sent
    check = answer.pop("check")
    assert answer == {"ok": False, "error": "No matching message arrived in time.", "timeout": True}
    # ...and says why nothing came: this address has no password, and its service is not running.
    assert check["address"] == ADDRESS and check["verdict"]["code"] == "keyring-missing"


@pytest.mark.timing
async def test_a_wait_cut_short_by_quitting_is_answered(qtbot: QtBot, inbox: Inbox, store: Store) -> None:
    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    commands = _commands(inbox)
    reply = RecordingReply()
    commands.handle("wait", {"address": ADDRESS}, reply)  # type: ignore[arg-type]
    await registered(reply)
    assert reply.sent == []
    await commands.tasks.close(1.0)
    assert reply.sent == [{"ok": False, "error": "Temp Inbox quit before this finished."}]


@pytest.mark.timing
async def test_two_waits_at_once_each_get_their_own_message(
    qtbot: QtBot, inbox: Inbox, store: Store, mailboxes: MailboxSet
) -> None:
    """Two `temp-inbox wait --from …` at the same moment are two requests, not one shared task."""
    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    commands = _commands(inbox)
    from_alice, from_bob = RecordingReply(), RecordingReply()
    commands.handle("wait", {"sender": "alice", "timeout": 60}, from_alice)  # type: ignore[arg-type]
    commands.handle("wait", {"sender": "bob", "timeout": 60}, from_bob)  # type: ignore[arg-type]
    await registered(from_alice)
    await registered(from_bob)
    for message_id, sender in (("m-alice", "alice@example.org"), ("m-bob", "bob@example.org")):
        store.save_summaries(ADDRESS, [summary(message_id, sender=sender)])
        mailboxes.events.emit(MessageAdded(ADDRESS, summary(message_id, sender=sender)))
    await settled(commands.tasks)
    await settled(inbox.tasks)
    assert [r["message"]["id"] for r in from_alice.sent] == ["m-alice"]
    assert [r["message"]["id"] for r in from_bob.sent] == ["m-bob"]


async def test_an_address_without_its_password_is_listed_as_failed(
    qtbot: QtBot, inbox: Inbox, store: Store
) -> None:
    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    await inbox.start()
    controller = InboxController(inbox, AppSignals())
    try:
        (row,) = controller.addresses()
        assert row.address == ADDRESS
        assert row.state_kind == "failed"
        assert row.state_text == str(PasswordMissingError())
    finally:
        controller.close()
        await inbox.aclose()


async def test_only_unread_new_mail_is_announced(qtbot: QtBot, inbox: Inbox, mailboxes: MailboxSet) -> None:
    controller = InboxController(inbox, AppSignals())
    announced: list[NewMessage] = []
    listed: list[str] = []
    controller.new_message.connect(announced.append)
    controller.signals.message_added.connect(lambda _address, summary: listed.append(summary.id))
    try:
        mailboxes.events.emit(MessageAdded(ADDRESS, summary("read-elsewhere", seen=True)))
        mailboxes.events.emit(MessageAdded(ADDRESS, summary("fresh", subject="Code 551234")))
        assert listed == ["read-elsewhere", "fresh"]
        assert [n.message_id for n in announced] == ["fresh"]
    finally:
        controller.close()


async def test_live_mail_is_announced_once_before_it_is_listed(
    qtbot: QtBot, inbox: Inbox, mailboxes: MailboxSet
) -> None:
    """``MessageArriving`` (before the commit) makes the notification; its ``MessageAdded`` (stored)
    then only lists it. Catch-up mail has no ``MessageArriving``: its ``MessageAdded`` does both,
    the announcement first."""
    controller = InboxController(inbox, AppSignals())
    order: list[str] = []
    controller.new_message.connect(lambda news: order.append(f"announced {news.message_id}"))
    controller.signals.message_added.connect(lambda _address, summary: order.append(f"listed {summary.id}"))
    try:
        live = summary("live", subject="Code 551234")
        mailboxes.events.emit(MessageArriving(ADDRESS, live))
        assert order == ["announced live"]
        mailboxes.events.emit(MessageAdded(ADDRESS, live, announced=True))
        mailboxes.events.emit(MessageAdded(ADDRESS, summary("caught-up")))
        assert order == ["announced live", "listed live", "announced caught-up", "listed caught-up"]
    finally:
        controller.close()


async def test_a_message_is_shown_before_its_source_is_downloaded(
    qtbot: QtBot, inbox: Inbox, store: Store
) -> None:
    """open_message answers with the cached body at once (``source_pending``, no download first) and
    then asks for the source, answered by ``message_source_loaded`` (None here: the address is not
    open, so there is nothing to download it from)."""
    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    store.save_message(ADDRESS, message("m1"))
    controller = InboxController(inbox, AppSignals())
    heard: list[tuple[str, object]] = []
    controller.signals.message_loaded.connect(
        lambda _a, _m, loaded: heard.append(("body", loaded.source_pending))
    )
    controller.signals.message_source_loaded.connect(lambda _a, _m, raw: heard.append(("source", raw)))
    try:
        controller.open_message(ADDRESS, "m1")
        await settled(controller.tasks)
        assert heard == [("body", True), ("source", None)]
        store.save_raw("m1", b"Subject: Hello\r\n\r\nhi\r\n")
        heard.clear()
        controller.open_message(ADDRESS, "m1")  # cached now: one answer, with the source
        await settled(controller.tasks)
        assert heard == [("body", False)]
    finally:
        controller.close()


async def test_new_without_a_keyring_says_how_to_go_on(qtbot: QtBot) -> None:
    store = Store(None)
    inbox = Inbox(store, PasswordVault(), local_provider("http://127.0.0.1:9", "http://127.0.0.1:9"))
    try:
        reply = RecordingReply()
        _commands(inbox).handle("new", {}, reply)  # type: ignore[arg-type]
        (answer,) = reply.sent
        assert answer["ok"] is False
        assert "No system keyring" in answer["error"]
        assert "temp-inbox new --session-only" in answer["error"]
        assert store.list_addresses() == []
    finally:
        store.close()


@pytest.mark.parametrize("agreed", [True, False])
@pytest.mark.timing
async def test_window_without_a_keyring_asks_before_a_session_only_address(
    qtbot: QtBot, agreed: bool
) -> None:
    store = Store(None)  # PasswordVault() below gets the test session's 'fail' keyring backend
    inbox = Inbox(store, PasswordVault(), local_provider("http://127.0.0.1:9", "http://127.0.0.1:9"))
    controller = InboxController(inbox, AppSignals())
    asked: list[bool] = []
    controller.ask_session_only = lambda: asked.append(True) or agreed
    calls: list[dict[str, Any]] = []

    async def create_address(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        raise asyncio.CancelledError  # stop here: what matters is how it was asked to create

    failures: list[str] = []
    controller.signals.address_add_failed.connect(failures.append)
    inbox.create_address = create_address  # type: ignore[method-assign]
    try:
        controller.create_address(None, None, "", "pw-shown-to-the-user")
        await settled(controller.tasks)
        assert asked == [True]
        if agreed:
            assert calls == [
                {
                    "password": "pw-shown-to-the-user",
                    "session_only": True,
                    "provider": inbox.provider,
                    "expires_in": None,
                }
            ]
            assert failures == []
        else:
            assert calls == []
            assert failures and "No system keyring" in failures[0]
    finally:
        controller.close()
        store.close()


@pytest.mark.timing
async def test_an_offline_address_still_tells_the_window_a_message_was_read(
    qtbot: QtBot, inbox: Inbox, store: Store
) -> None:
    """Without a live mailbox the inbox itself emits the event the window listens to."""
    from desktop_app.core.models import Message

    store.add_address(ADDRESS, inbox.provider.id, state=AddressState.ACTIVE)
    store.save_summaries(ADDRESS, [summary("m1")])
    store.save_message(ADDRESS, Message(summary=summary("m1")))
    controller = InboxController(inbox, AppSignals())
    updates: list[tuple[str, str, bool]] = []
    loaded: list[str] = []
    controller.signals.message_updated.connect(lambda a, m, seen: updates.append((a, m, seen)))
    controller.signals.message_loaded.connect(lambda a, m, *_: loaded.append(m))
    try:
        controller.open_message(ADDRESS, "m1")
        await settled(controller.tasks)
        assert loaded == ["m1"]
        assert updates == [(ADDRESS, "m1", True)]  # once: from the event, not echoed by the controller
        assert store.unread_counts().get(ADDRESS, 0) == 0
    finally:
        controller.close()
