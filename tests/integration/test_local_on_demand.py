""" "This computer" as a provider picked at any time (issue 12), against the real embedded server that
the app starts (``desktop_app.app.start_local_server``) in a data directory of the test's own: offered
without ``--local``, started when chosen, started again at start-up for an address kept on it (live,
with its mail), and an honest error when it cannot start."""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import logging
import shutil
import smtplib
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from desktop_app.app import start_local_server
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import LOCAL_ID, Provider, custom_provider
from desktop_app.core.api.providers import MAILTM
from desktop_app.core.errors import LocalServerError
from desktop_app.core.events import ConnectionChanged, MailboxEvent, MessageAdded
from desktop_app.core.inbox import Inbox
from desktop_app.core.local_service import LocalEndpoints, LocalService
from desktop_app.core.paths import store_path
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC

pytestmark = [pytest.mark.timeout(90), pytest.mark.timing]


@dataclass
class Run:
    """One run of the app's core: its Inbox and the embedded server it may start."""

    inbox: Inbox
    local: LocalService
    starts: list[int]  # the preferred port of each start asked of the real starter
    events: list[MailboxEvent]


class Runs:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.keyring = DictKeyring()  # the system keyring: it outlives each run
        self._open: list[tuple[Run, Store]] = []
        # The SMTP port the app's server prefers: the app's 2525 is the machine's, shared with every
        # other run (and the user's Temp Inbox); 0, any free one, unless a test holds one of its own.
        self.smtp_port = 0
        self.any_rest_port = 0  # what "any free REST port" gives: a port the test reserved, if one

    def starter(self) -> Callable[[int], LocalEndpoints]:
        """The app's real starter, in the runs' data directory, preferring the runs' SMTP port."""
        real = functools.partial(start_local_server, self.data_dir, smtp_port=self.smtp_port)
        return lambda port: real(port or self.any_rest_port)

    def start(self, default: Provider = MAILTM) -> Run:
        starts: list[int] = []
        real = self.starter()

        def counted(port: int) -> LocalEndpoints:
            starts.append(port)
            return real(port)

        store = Store(store_path(self.data_dir))
        local = LocalService(counted)
        events: list[MailboxEvent] = []
        inbox = Inbox(store, PasswordVault(self.keyring), default, sync_settings=FAST_SYNC, local=local)
        inbox.subscribe(events.append)
        run = Run(inbox, local, starts, events)
        self._open.append((run, store))
        return run

    async def stop(self, run: Run) -> None:
        for i, (kept, store) in enumerate(self._open):
            if kept is run:
                del self._open[i]
                assert await run.inbox.aclose(2.0)
                await run.local.stop()
                store.close()
                return

    async def stop_all(self) -> None:
        for run, _ in list(self._open):
            await self.stop(run)


@pytest.fixture(name="runs")
async def runs_fixture(tmp_path: Path) -> AsyncIterator[Runs]:
    runs = Runs(tmp_path / "data")
    try:
        yield runs
    finally:
        await runs.stop_all()


async def until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    """Poll what another thread (the server) or a task sets, within a generous bound."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)


def reserve(port: int = 0) -> socket.socket:
    """``port`` (any free one for 0) kept from every other program, still open to this test's servers:
    bound but not listening, with SO_REUSEADDR, which the servers' listening sockets set too. Linux's
    own choice of a free port (bind to 0, a connect's source port) never falls on it meanwhile."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))
    except BaseException:
        holder.close()
        raise
    return holder


def local_entry(inbox: Inbox) -> Provider:
    return next(p for p in inbox.providers_for_new_addresses() if p.id == LOCAL_ID)


def send(smtp: tuple[str, int], to: str, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "app@example.com", to, subject
    message.set_content("hello")
    with smtplib.SMTP(*smtp, timeout=10) as client:
        client.send_message(message)


def arrived(run: Run, subject: str) -> bool:
    return any(isinstance(e, MessageAdded) and e.summary.subject == subject for e in run.events)


async def test_this_computer_is_offered_without_local_and_starts_only_when_chosen(runs: Runs) -> None:
    run = runs.start()
    await run.inbox.start()  # no address on it: start-up does not start it
    entry = local_entry(run.inbox)
    assert entry.name == "This computer" and run.inbox.starts_on_demand(LOCAL_ID)
    assert run.starts == [] and run.inbox.local_smtp is None

    assert await run.inbox.usable_domains(entry) == ["temp-inbox.test"]  # chosen: started, then asked
    assert run.starts == [0] and not run.inbox.starts_on_demand(LOCAL_ID)
    assert run.inbox.local_smtp is not None
    record = await run.inbox.create_address(password="pw-on-this-computer", provider=local_entry(run.inbox))
    assert record.provider_id == LOCAL_ID and run.starts == [0]  # one server, not one per question
    # The address is on that server: it takes the password there.
    running = run.local.running
    assert running is not None and run.inbox.providers()[0] == MAILTM  # the default stays mail.tm
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{running.api_url}/token", json={"address": record.address, "password": "pw-on-this-computer"}
        )
    assert answer.status_code == 200


async def test_two_questions_at_once_start_one_server(runs: Runs) -> None:
    run = runs.start()
    entry = local_entry(run.inbox)
    first, second = await asyncio.gather(run.inbox.usable_domains(entry), run.inbox.usable_domains(entry))
    assert first == second == ["temp-inbox.test"] and run.starts == [0]


async def test_a_restart_without_local_brings_its_address_back_live_with_its_mail(runs: Runs) -> None:
    with reserve() as holder:  # no other program can take last run's port before the restart
        runs.any_rest_port = holder.getsockname()[1]
        await _restart_brings_the_address_back(runs, runs.any_rest_port)


async def _restart_brings_the_address_back(runs: Runs, rest_port: int) -> None:
    first = runs.start()
    await first.inbox.start()
    record = await first.inbox.create_address(provider=local_entry(first.inbox))
    smtp = first.inbox.local_smtp
    assert smtp is not None
    await until(lambda: first.inbox.is_live(record.address))
    await asyncio.to_thread(send, smtp, record.address, "Before the restart")
    await until(lambda: arrived(first, "Before the restart"))
    assert first.local.running is not None
    port = int(first.local.running.api_url.rsplit(":", 1)[1])
    assert first.starts == [0] and port == rest_port  # any free port: the one the test keeps for it
    await runs.stop(first)

    second = runs.start()  # no --local: mail.tm is the default
    assert second.inbox.starts_on_demand(LOCAL_ID)
    await second.inbox.start()
    assert second.starts == [port]  # asked for last run's port, so the kept URL stays right
    assert second.local.running is not None and second.local.running.api_url.endswith(f":{port}")
    await until(lambda: second.inbox.is_live(record.address))
    assert [m.subject for m in second.inbox.list_messages(record.address, 0, 10, None)] == [
        "Before the restart"
    ]
    smtp = second.inbox.local_smtp
    assert smtp is not None
    await asyncio.to_thread(send, smtp, record.address, "After the restart")
    await until(lambda: arrived(second, "After the restart"))
    assert record.address not in second.inbox.open_problems


@pytest.mark.parametrize("running_before", [False, True])
async def test_an_imported_address_on_this_computer_is_live_at_the_running_servers_url(
    runs: Runs, tmp_path: Path, running_before: bool
) -> None:
    """Not at the port in the file: without a server, the import starts one; with one, it is that one."""
    first = runs.start()
    record = await first.inbox.create_address(provider=local_entry(first.inbox))
    export = tmp_path / "export.json"
    await first.inbox.export_addresses(export, include_passwords=True)
    await runs.stop(first)
    document = json.loads(export.read_text(encoding="utf-8"))
    for entry in document["addresses"]:  # exported by a run whose server had another port
        entry["provider"].update(
            api_url="http://127.0.0.1:9", hub_url="http://127.0.0.1:9/.well-known/mercure"
        )
    export.write_text(json.dumps(document), encoding="utf-8")
    store = Store(store_path(runs.data_dir))
    store.forget_address(record.address)  # gone here (not on the server): the import brings it back
    store.close()

    second = runs.start()
    await second.inbox.start()
    assert second.starts == []  # no address on it any more
    if running_before:  # e.g. chosen in a dialog meanwhile
        await second.inbox.start_local_server()
    report = await second.inbox.import_addresses(export)
    assert report.added == [record.address]
    await until(lambda: second.inbox.is_live(record.address))
    running = second.local.running
    assert running is not None
    assert local_entry(second.inbox).api_url == running.api_url  # the running server's, not :9


async def test_a_start_that_ends_after_the_inbox_closed_is_stopped_quietly(
    runs: Runs, caplog: pytest.LogCaptureFixture
) -> None:
    """Quitting while the server starts: shutdown closes the Inbox, then stops the server once its
    start is over; the late start must not try to open addresses on a closed Inbox (an ERROR)."""
    run = runs.start()
    await run.inbox.start()  # from now on a start opens the addresses on it
    release = threading.Event()
    real = runs.starter()

    def slow(port: int) -> LocalEndpoints:
        release.wait(30)
        return real(port)

    run.local._starter = slow
    asking = asyncio.ensure_future(run.inbox.usable_domains(local_entry(run.inbox)))
    await until(lambda: run.local._starting is not None)
    asking.cancel()  # as the app's shutdown cancels the controller's tasks first
    assert await run.inbox.aclose(2.0)
    release.set()
    await run.local.stop()  # waits for the start, then stops it
    assert run.local.running is None and asking.cancelled()
    errors_logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors_logged == [], [r.getMessage() for r in errors_logged]


@pytest.fixture(name="usual_smtp_port")
def usual_smtp_port_fixture() -> Iterator[int]:
    """The SMTP port the server prefers (the app's 2525), taken by another program for the whole test:
    a port of the test's own, which no other run can take or let go of meanwhile."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield holder.getsockname()[1]
    finally:
        holder.close()


async def test_with_the_usual_smtp_port_taken_smtp_keeps_last_runs_port(
    runs: Runs, usual_smtp_port: int
) -> None:
    runs.smtp_port = usual_smtp_port
    first = runs.start()
    await first.inbox.start_local_server()
    smtp = first.inbox.local_smtp
    assert smtp is not None and smtp[1] != usual_smtp_port
    await runs.stop(first)
    # Kept from other programs until the next run binds it. Linux chose it, so it can be taken only in
    # the instant between the stop and this line: then there is nothing to test.
    try:
        holder = reserve(smtp[1])
    except OSError as exc:
        assert exc.errno == errno.EADDRINUSE, exc
        pytest.skip(f"another program took port {smtp[1]} the moment this test's server let it go")
    with holder:
        second = runs.start()
        await second.inbox.start_local_server()
        assert second.inbox.local_smtp == smtp  # other programs pointed at it find it again


async def test_a_server_that_cannot_start_is_said_and_breaks_nothing_else(runs: Runs) -> None:
    async with LocalMailServer(rate_limit=None, domains=("elsewhere.test",)) as elsewhere:
        first = runs.start()
        await first.inbox.start()
        on_local = await first.inbox.create_address(provider=local_entry(first.inbox))
        other = await first.inbox.create_address(provider=custom_provider(elsewhere.api_url))
        await runs.stop(first)
        # Its data folder cannot be made: a file is where it would be.
        folder = runs.data_dir / "local-server"
        shutil.rmtree(folder)
        folder.write_text("not a folder")

        second = runs.start()
        await second.inbox.start()
        problem = second.inbox.open_problems.get(on_local.address, "")
        assert "could not start" in problem and str(folder) in problem
        await until(lambda: second.inbox.is_live(other.address))  # the other provider's address is live
        with pytest.raises(LocalServerError, match=r"its data folder .* cannot be used"):
            await second.inbox.usable_domains(local_entry(second.inbox))
        assert second.inbox.starts_on_demand(LOCAL_ID)  # asked again next time, not given up for good
        assert len(second.starts) == 2  # at start-up, then when chosen
        states = [
            e for e in second.events if isinstance(e, ConnectionChanged) and e.address == on_local.address
        ]
        assert states == []  # never tried at an earlier run's port
