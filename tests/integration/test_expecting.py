"""Expecting mail and the delivery probe against the embedded server.

The window's "Expect mail…" through the real controller: the matching mail is announced once, with the
code read from its body, and the window raised on it; a timeout checks the address and tells its
verdict. The health check's probe: a test mail timed through the live stream, never shown as mail and
deleted; with the hub down, the verdict names it."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import waiting
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import local_provider
from desktop_app.core.events import ExpectationChanged, MessageAdded, MessageRemoved, UsageChanged
from desktop_app.core.inbox import Inbox, NoMailInTime
from desktop_app.core.notice import NewMessage
from desktop_app.core.store.cache import Store
from desktop_app.core.sync import MailboxSet
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.inbox_controller import InboxController
from tests.integration.support import poll_until
from tests.integration.test_inbox import (
    Recorded,
    _live,
    inbox_fixture,
    mailboxes_fixture,
    server_fixture,
    store_fixture,
    vault_fixture,
)

__all__ = ["inbox_fixture", "mailboxes_fixture", "server_fixture", "store_fixture", "vault_fixture"]

pytestmark = [pytest.mark.timeout(60), pytest.mark.timing]


@pytest.fixture(name="recorded")
def recorded_fixture(inbox: Inbox) -> Recorded:
    recorded = Recorded()
    inbox.subscribe(recorded)
    return recorded


@pytest.fixture(name="live_address")
async def live_address_fixture(inbox: Inbox, recorded: Recorded) -> AsyncIterator[str]:
    record = await inbox.create_address(session_only=True)
    await _live(inbox, recorded, record.address)
    yield record.address


@pytest.fixture(name="controller")
def controller_fixture(qtbot: QtBot, inbox: Inbox) -> AsyncIterator[InboxController]:
    controller = InboxController(inbox, AppSignals())
    yield controller
    controller.close()


def changes(recorded: Recorded) -> list[tuple[str | None, str]]:
    return [(e.ended, e.expectation.origin) for e in recorded.events if isinstance(e, ExpectationChanged)]


async def test_expected_mail_is_announced_once_with_its_code_and_raises_the_window(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded, controller: InboxController
) -> None:
    announced: list[NewMessage] = []
    raised: list[tuple[str, str]] = []
    told: list[ExpectationChanged] = []
    controller.new_message.connect(announced.append)
    controller.signals.show_message_requested.connect(lambda a, m: raised.append((a, m)))
    controller.signals.expectation_changed.connect(told.append)
    controller.expect_mail(live_address, "acme", "", 30.0, True)
    await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended is None)
    (waiting,) = controller.expectations()
    assert (waiting.address, waiting.sender, waiting.origin) == (live_address, "acme", "window")
    # Another sender's mail is ordinary mail: announced at once, the wait goes on.
    await send_mail(server, live_address, "Newsletter", "Deals!", sender="Shop <news@shop.example>")
    await recorded.until(lambda e: isinstance(e, MessageAdded) and e.summary.subject == "Newsletter")
    assert [n.subject for n in announced] == ["Newsletter"] and controller.expectations()
    # The code is in the body only: the announcement of the expected mail has it from there.
    await send_mail(
        server,
        live_address,
        "Your sign-in",
        "Hello,\n\nyour one-time code is 482913. It expires in 10 minutes.",
        sender="ACME <noreply@acme.example>",
    )
    await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended == "arrived")
    await poll_until(lambda: len(announced) == 2)
    expected = announced[1]
    assert expected.subject == "Your sign-in"
    assert expected.extraction is not None and expected.extraction.code == "482913"
    assert raised == [(live_address, expected.message_id)]
    assert controller.expectations() == []
    assert [t.ended for t in told] == [None, "arrived"]
    # Not announced a second time by the ordinary path.
    assert [n.subject for n in announced] == ["Newsletter", "Your sign-in"]


async def test_a_timed_out_wait_checks_the_address_and_tells_its_verdict(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded, controller: InboxController
) -> None:
    told: list[ExpectationChanged] = []
    controller.signals.expectation_changed.connect(told.append)
    controller.expect_mail(live_address, "acme", "", 0.3, False)
    checked = await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended == "checked", 30)
    assert isinstance(checked, ExpectationChanged) and checked.report is not None
    assert checked.report.address == live_address
    assert checked.report.verdict.code == "ok"  # a healthy address: nobody sent anything
    assert [t.ended for t in told] == [None, "timed-out", "checked"]
    assert controller.expectations() == []


async def test_a_command_wait_is_an_expectation_and_its_timeout_says_why(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded
) -> None:
    await server.stop()
    with pytest.raises(NoMailInTime) as timed_out:
        await inbox.wait_for_message(live_address, subject="verify", timeout=0.3, check_on_timeout=True)
    assert timed_out.value.report is not None
    assert timed_out.value.report.verdict.code == "provider-down"
    assert changes(recorded) == [(None, "command"), ("timed-out", "command"), ("checked", "command")]
    checked = recorded.events[-1]
    assert isinstance(checked, ExpectationChanged) and checked.expectation.subject == "verify"


async def test_stop_waiting_ends_the_wait_with_a_reason(
    inbox: Inbox, live_address: str, recorded: Recorded
) -> None:
    import asyncio

    from desktop_app.core.errors import WaitStoppedError

    waiting = asyncio.ensure_future(inbox.wait_for_message(live_address, sender="acme"))
    await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended is None)
    (expectation,) = inbox.expectations()
    assert inbox.stop_waiting(expectation.id)
    with pytest.raises(WaitStoppedError):
        await waiting
    assert changes(recorded)[-1] == ("cancelled", "command") and inbox.expectations() == []


async def test_the_probe_is_timed_through_the_hub_and_leaves_no_mail(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded, controller: InboxController
) -> None:
    inbox.probe_smtp[inbox.provider.id] = (server.smtp_host, server.smtp_port)
    announced: list[NewMessage] = []
    listed: list[str] = []
    controller.new_message.connect(announced.append)
    controller.signals.message_added.connect(lambda _a, s: listed.append(s.subject))
    progress: list[str] = []
    report = await inbox.check_address(live_address, lambda check: progress.append(check.name))
    assert report.verdict.code == "ok", report
    assert progress[-1] == "probe"
    probe = report.checks[-1]
    assert probe.ok and probe.detail.startswith("delivered through the live connection in ")
    assert probe.detail.endswith(" ms")
    # It arrived, was never the user's mail, and is deleted on the service and here.
    added = await recorded.until(lambda e: isinstance(e, MessageAdded) and inbox.is_probe(e.summary))
    assert isinstance(added, MessageAdded) and added.pushed
    await recorded.until(lambda e: isinstance(e, MessageRemoved) and e.message_id == added.summary.id)
    assert announced == [] and listed == []
    assert server.store.message(added.summary.id) is None
    assert inbox.list_messages(live_address, 0, 50) == []
    # Nor do its bytes stay in the address's storage as the sidebar shows it.
    await poll_until(lambda: inbox.address_rows()[0].used == 0, timeout=10)
    assert any(isinstance(e, UsageChanged) and e.used == 0 for e in recorded.events)
    assert inbox.address_rows()[0].unread == 0
    # Nor does it answer a wait.
    assert inbox.expectations() == []


async def test_with_the_hub_down_the_probe_fails_and_the_verdict_names_the_hub(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded
) -> None:
    inbox.probe_smtp[inbox.provider.id] = (server.smtp_host, server.smtp_port)
    inbox.probe_timeout = 2.0
    server.faults.fail_next(2000, "500", hub=True)
    server.faults.drop_streams()
    await recorded.until(
        lambda e: getattr(e, "address", "") == live_address and not inbox.is_live(live_address)
    )
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "hub-down", report
    assert "live connection is down" in report.verdict.text
    probe = report.checks[-1]
    assert probe.name == "probe" and not probe.ok
    assert "not through the live connection" in probe.detail or "did not arrive in 2 s" in probe.detail


async def test_smtp_accepting_but_nothing_arriving_is_its_own_verdict(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded
) -> None:
    """The stream looks live, SMTP takes the mail, yet nothing comes through (here: the probe goes to
    another server's SMTP, whose mail never reaches this hub)."""
    async with LocalMailServer(rate_limit=None) as elsewhere:
        other = await _address_on(elsewhere, live_address)
        inbox.probe_smtp[inbox.provider.id] = (elsewhere.smtp_host, elsewhere.smtp_port)
        inbox.probe_timeout = 1.0
        report = await inbox.check_address(live_address)
        assert other
    assert report.verdict.code == "probe-lost", report
    assert "did not come through the live connection in time" in report.verdict.text
    assert "did not arrive in 1 s" in report.verdict.text
    assert report.verdict.action == "reconnect"


async def test_smtp_refusing_the_probe_is_its_own_verdict(
    inbox: Inbox, server: LocalMailServer, live_address: str
) -> None:
    # Nothing listens on port 9.
    inbox.probe_smtp[inbox.provider.id] = ("127.0.0.1", 9)
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "probe-refused", report
    assert "SMTP at 127.0.0.1:9 did not take a test mail (connection refused)" in report.verdict.text


async def _address_on(server: LocalMailServer, address: str) -> str:
    """The same address on another server, so that its SMTP accepts mail for it."""
    import httpx

    from desktop_app.server.wire import new_id

    server.store.configure_domains([address.rpartition("@")[2]], new_id)
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        answer = await http.post("/accounts", json={"address": address, "password": "probe-test-pw"})
        answer.raise_for_status()
        return str(answer.json()["address"])


async def test_a_wait_for_any_address_tells_its_verdict_on_the_address_checked(
    inbox: Inbox, live_address: str, recorded: Recorded
) -> None:
    inbox.current_address = live_address
    with pytest.raises(NoMailInTime) as timed_out:
        await inbox.wait_for_message(timeout=0.2, check_on_timeout=True)
    assert timed_out.value.report is not None and timed_out.value.report.address == live_address
    started, checked = (
        e for e in recorded.events if isinstance(e, ExpectationChanged) and e.ended != "timed-out"
    )
    assert started.address == "" and started.expectation.address is None
    # The window shows the verdict on the address that was checked.
    assert checked.ended == "checked" and checked.address == live_address


class BodyGate:
    """Holds every fetch of a message's body until opened: a slow body, as when the client retries."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.held = 0

    def transport(self) -> httpx.AsyncBaseTransport:
        gate = self

        class Held(httpx.AsyncHTTPTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.method == "GET" and re.fullmatch(r"/messages/[^/]+", request.url.path):
                    gate.held += 1
                    await gate.open.wait()
                return await super().handle_async_request(request)

        return Held()


@pytest.fixture(name="gate")
def gate_fixture() -> BodyGate:
    return BodyGate()


@pytest.fixture(name="slow_inbox")
async def slow_inbox_fixture(
    server: LocalMailServer, store: Store, mailboxes: MailboxSet, vault: PasswordVault, gate: BodyGate
) -> AsyncIterator[Inbox]:
    provider = local_provider(server.api_url, server.hub_url)
    inbox = Inbox(
        store,
        vault,
        provider,
        client_factory=lambda p: MailTmClient(p.api_url, transport=gate.transport(), backoff_base=0.01),
        mailboxes=mailboxes,
    )
    await inbox.start()
    yield inbox
    gate.open.set()
    assert await inbox.aclose(2.0)


async def _expect_with_a_slow_body(
    inbox: Inbox, server: LocalMailServer, gate: BodyGate, controller: InboxController, timeout: float
) -> tuple[Recorded, str, list[NewMessage], list[ExpectationChanged]]:
    """A window wait on a live address, whose mail has come and whose body is being fetched (held)."""
    recorded = Recorded()
    inbox.subscribe(recorded)
    address = (await inbox.create_address(session_only=True)).address
    await _live(inbox, recorded, address)
    announced: list[NewMessage] = []
    told: list[ExpectationChanged] = []
    controller.new_message.connect(announced.append)
    controller.signals.expectation_changed.connect(told.append)
    controller.expect_mail(address, "acme", "", timeout, False)
    await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended is None, 30)
    gate.open.clear()
    await send_mail(
        server, address, "Your sign-in", "Your one-time code is 482913.", sender="ACME <noreply@acme.example>"
    )
    await recorded.until(lambda e: isinstance(e, MessageAdded) and e.summary.subject == "Your sign-in", 30)
    await poll_until(lambda: gate.held > 0)  # the body is on its way, and held
    return recorded, address, announced, told


@pytest.mark.timeout(150)  # room for the 20 s wait to run out (when broken) and each step's bound
async def test_expected_mail_whose_body_outlasts_the_wait_is_still_announced(
    qtbot: QtBot, slow_inbox: Inbox, server: LocalMailServer, gate: BodyGate
) -> None:
    """The wait ran out while the body was fetched for the code: the mail was held back from the
    ordinary notice and never announced, and the bar said nothing had come ("the sender has not
    sent yet") with the mail in the list."""
    controller = InboxController(slow_inbox, AppSignals())
    try:
        # 20 s: time for the mail to come (send, push, MessageAdded) on a loaded machine too. The body
        # is held past it: a wait that ended only once the body was read would run out ("timed-out").
        recorded, address, announced, told = await _expect_with_a_slow_body(
            slow_inbox, server, gate, controller, 20.0
        )
        ended = await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended is not None, 60)
        assert isinstance(ended, ExpectationChanged) and ended.ended == "arrived"
        assert announced == [] and slow_inbox.expectations() == []
        gate.open.set()
        await poll_until(lambda: announced != [], timeout=20)
        (news,) = announced
        assert news.subject == "Your sign-in" and news.address == address
        assert news.extraction is not None and news.extraction.code == "482913"  # from the body
        # Nothing came after: no timeout, no verdict, no second notice.
        await poll_until(lambda: not controller.tasks.names(), timeout=10)
        assert [t.ended for t in told] == [None, "arrived"] and len(announced) == 1
    finally:
        gate.open.set()
        controller.close()


async def test_stop_waiting_while_the_body_is_fetched_still_announces_the_mail(
    qtbot: QtBot, slow_inbox: Inbox, server: LocalMailServer, gate: BodyGate
) -> None:
    controller = InboxController(slow_inbox, AppSignals())
    try:
        _recorded, address, announced, told = await _expect_with_a_slow_body(
            slow_inbox, server, gate, controller, 60.0
        )
        (waiting,) = [t.expectation for t in told if t.ended is None]
        controller.stop_waiting(waiting.id)  # the user's "Stop waiting", a moment too late
        gate.open.set()
        await poll_until(lambda: announced != [], timeout=20)
        assert [n.subject for n in announced] == ["Your sign-in"] and announced[0].address == address
        await poll_until(lambda: not controller.tasks.names(), timeout=10)
        assert [t.ended for t in told] == [None, "arrived"] and len(announced) == 1
    finally:
        gate.open.set()
        controller.close()


async def test_a_body_that_does_not_come_leaves_the_code_to_the_preview(
    qtbot: QtBot,
    slow_inbox: Inbox,
    server: LocalMailServer,
    gate: BodyGate,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The mail has come: its notice does not wait for ever on the body (the code is in its preview)."""
    monkeypatch.setattr(waiting, "BODY_FOR_CODE_S", 0.5)
    controller = InboxController(slow_inbox, AppSignals())
    try:
        _recorded, _address, announced, told = await _expect_with_a_slow_body(
            slow_inbox, server, gate, controller, 60.0
        )
        await poll_until(lambda: announced != [], timeout=20)  # the body is still held
        assert not gate.open.is_set()
        (news,) = announced
        assert news.extraction is not None and news.extraction.code == "482913"
        assert [t.ended for t in told] == [None, "arrived"]
    finally:
        gate.open.set()
        controller.close()


async def test_expected_mail_found_by_a_catch_up_is_announced_once(
    inbox: Inbox, server: LocalMailServer, live_address: str, recorded: Recorded, controller: InboxController
) -> None:
    """Not pushed (the hub is down): the catch-up's arrival settles the wait before the ordinary notice
    asks whether the window waits for it; the answer is still yes, so it is announced once."""
    announced: list[NewMessage] = []
    controller.new_message.connect(announced.append)
    controller.expect_mail(live_address, "acme", "", 60.0, False)
    await recorded.until(lambda e: isinstance(e, ExpectationChanged) and e.ended is None)
    server.faults.fail_next(2000, "500", hub=True)
    server.faults.drop_streams()
    await recorded.until(
        lambda e: getattr(e, "address", "") == live_address and not inbox.is_live(live_address)
    )
    await send_mail(server, live_address, "Your code", "Code: 731905", sender="ACME <noreply@acme.example>")
    inbox.request_catch_up(live_address, "the test asks")
    added = await recorded.until(lambda e: isinstance(e, MessageAdded) and e.summary.subject == "Your code")
    assert isinstance(added, MessageAdded) and not added.announced
    await poll_until(lambda: announced != [], timeout=20)
    await poll_until(lambda: not controller.tasks.names(), timeout=10)
    assert [(n.subject, n.extraction.code if n.extraction else None) for n in announced] == [
        ("Your code", "731905")
    ]
    server.faults.reset()
