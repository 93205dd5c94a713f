"""A crash between any two steps of address creation is recovered on the next start.

The real thing: a child process creates an address against the local server and is SIGKILLed right
after step N; then a fresh Store on the same file and a fresh AddressBook run ``reconcile_pending()``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import textwrap
from pathlib import Path

import httpx
import keyring.backends.fail
import pytest

from desktop_app.core.accounts.book import AddressBook
from desktop_app.core.accounts.secrets import SERVICE, PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.errors import AddressNotRecoveredError, ServerError
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.server import LocalMailServer
from tests.core.address_fixtures import Rig, login_works, rig_fixture, server_fixture  # noqa: F401
from tests.core.file_keyring import FileKeyring

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = "temp-inbox.test"
STEPS = ["recorded", "password-saved", "account-created", "logged-in"]

CHILD = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    from desktop_app.core.accounts.book import AddressBook
    from desktop_app.core.api.client import MailTmClient
    from desktop_app.core.api.providers import local_provider
    from desktop_app.core.accounts.secrets import PasswordVault
    from desktop_app.core.store.cache import Store

    store_file, api_url, hub_url, crash_after, local_part = sys.argv[1:]

    def checkpoint(step):
        if step == crash_after:
            os.kill(os.getpid(), signal.SIGKILL)

    async def main():
        service = MailTmClient(api_url)
        book = AddressBook(Store(Path(store_file)), PasswordVault(), lambda p: service, checkpoint=checkpoint)
        await book.create(local_provider(api_url, hub_url), local_part=local_part, domain="temp-inbox.test")
        print("finished without crashing", flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FileKeyring:
    monkeypatch.setenv("TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    return FileKeyring()


@pytest.mark.parametrize("crash_after", STEPS)
async def test_sigkill_after_each_creation_step_is_recovered(
    server: LocalMailServer, tmp_path: Path, file_keyring: FileKeyring, crash_after: str
) -> None:
    store_file = tmp_path / "cache.sqlite3"
    address = f"crash.{crash_after}@{DOMAIN}"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.core.file_keyring.FileKeyring",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        str(store_file),
        server.api_url,
        server.hub_url,
        crash_after,
        address.split("@")[0],
        env=env,
        cwd=ROOT,
    )
    assert await asyncio.wait_for(child.wait(), 60) == -signal.SIGKILL

    service = MailTmClient(server.api_url)
    store = Store(store_file)
    try:
        before = store.get_address(address)
        assert before is not None and before.state is AddressState.PENDING
        book = AddressBook(store, PasswordVault(file_keyring), lambda p: service)
        outcomes = await book.reconcile_pending()
        saved = file_keyring.get_password(SERVICE, f"local:{address}")
        if crash_after == "recorded":
            # Killed before the password was saved: the service was never asked, so the record goes.
            assert [(o.address, o.state) for o in outcomes] == [(address, None)]
            assert store.list_addresses() == [] and saved is None
            assert not await login_works(server, address, "")
        else:
            assert [(o.address, o.state) for o in outcomes] == [(address, AddressState.ACTIVE)]
            after = store.get_address(address)
            assert after is not None and after.state is AddressState.ACTIVE and after.account_id
            assert saved is not None and await login_works(server, address, saved)
            # The address is usable right away, with the password that survived the crash.
            client = await book.open(address)
            assert (await client.me()).id == after.account_id
        assert await book.reconcile_pending() == []  # settled for good
    finally:
        store.close()
        await service.aclose()


class SimulatedCrash(BaseException):
    """Like a kill: not an Exception, so no ``except Exception`` cleans up after it."""


@pytest.mark.parametrize("crash_after", STEPS)
async def test_interrupt_after_each_step_then_reconcile_on_a_reopened_file(
    rig: Rig, tmp_path: Path, crash_after: str
) -> None:
    path = tmp_path / "cache.sqlite3"

    def crash(step: str) -> None:
        if step == crash_after:
            raise SimulatedCrash(step)

    first = Store(path)
    with pytest.raises(SimulatedCrash):
        await rig.new_book(store=first, checkpoint=crash).create(
            rig.provider, local_part="halfway", domain=DOMAIN
        )
    first.close()

    with Store(path) as reopened:
        outcomes = await rig.new_book(store=reopened).reconcile_pending()
        expected = None if crash_after == "recorded" else AddressState.ACTIVE
        assert [o.state for o in outcomes] == [expected]
        if expected:
            password = rig.keyring.entries[(SERVICE, f"local:halfway@{DOMAIN}")]
            assert await login_works(rig.server, f"halfway@{DOMAIN}", password)


async def test_server_error_on_create_leaves_it_pending_then_recovered(rig: Rig) -> None:
    rig.server.faults.fail_next(1, "500")  # POST /accounts is not retried: outcome unknown to the app
    with pytest.raises(ServerError):
        await rig.book.create(rig.provider, local_part="unsure", domain=DOMAIN)
    pending = rig.store.get_address(f"unsure@{DOMAIN}")
    assert pending is not None and pending.state is AddressState.PENDING
    rig.server.faults.fail_next(20, "500")  # still down at the next start: keep waiting, lose nothing
    [outcome] = await rig.book.reconcile_pending()
    assert outcome.state is AddressState.PENDING and "server error" in outcome.reason
    rig.server.faults.reset()
    [outcome] = await rig.book.reconcile_pending()
    assert outcome.state is AddressState.ACTIVE
    password = rig.keyring.entries[(SERVICE, f"local:unsure@{DOMAIN}")]
    assert await login_works(rig.server, f"unsure@{DOMAIN}", password)


async def test_taken_by_someone_else_is_marked_failed_and_the_password_kept(rig: Rig) -> None:
    address = f"contested@{DOMAIN}"
    rig.store.save_provider(rig.provider)
    rig.store.add_address(address, rig.provider.id, state=AddressState.PENDING)
    await rig.vault.save(rig.provider.id, address, "our-password-123")
    rig.server.create_account_direct(address, "their-password-456")
    [outcome] = await rig.book.reconcile_pending()
    assert outcome.state is AddressState.FAILED and outcome.reason == str(AddressNotRecoveredError())
    record = rig.store.get_address(address)
    assert record is not None and record.state_reason == str(AddressNotRecoveredError())
    assert await rig.vault.load(rig.provider.id, address) == "our-password-123"
    assert await rig.book.reconcile_pending() == []  # failed is final; the user decides what to do


class FirstLoginRefused(httpx.AsyncBaseTransport):
    """The service answers our first /token with 401 although the account exists (a lagging replica)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token" and not self.refused:
            self.refused += 1
            return httpx.Response(401, json={"code": 401, "message": "Invalid credentials."})
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_taken_after_our_own_earlier_post_means_log_in_again(rig: Rig) -> None:
    address = f"lagging@{DOMAIN}"
    rig.store.save_provider(rig.provider)
    rig.store.add_address(address, rig.provider.id, state=AddressState.PENDING)
    await rig.vault.save(rig.provider.id, address, "our-password-123")
    account_id = rig.server.create_account_direct(address, "our-password-123")  # our earlier POST
    transport = FirstLoginRefused()
    service = MailTmClient(rig.server.api_url, transport=transport)
    try:
        [outcome] = await AddressBook(rig.store, rig.vault, lambda p: service).reconcile_pending()
    finally:
        await service.aclose()
    assert transport.refused == 1
    assert outcome.state is AddressState.ACTIVE
    assert rig.store.get_address(address).account_id == account_id  # type: ignore[union-attr]


async def test_without_a_keyring_at_start_pending_addresses_are_left_alone(rig: Rig) -> None:
    address = f"waiting@{DOMAIN}"
    rig.store.save_provider(rig.provider)
    rig.store.add_address(address, rig.provider.id, state=AddressState.PENDING)
    await rig.vault.save(rig.provider.id, address, "our-password-123")
    no_keyring = AddressBook(rig.store, PasswordVault(keyring.backends.fail.Keyring()), lambda p: rig.service)
    [outcome] = await no_keyring.reconcile_pending()
    assert outcome.state is AddressState.PENDING and "No system keyring" in outcome.reason
    assert rig.store.get_address(address).state is AddressState.PENDING  # type: ignore[union-attr]
    assert rig.keyring.entries == {(SERVICE, f"local:{address}"): "our-password-123"}


class WatchOrder(httpx.AsyncBaseTransport):
    """Records what was already saved locally at the moment each request left the app."""

    def __init__(self, rig: Rig) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._rig = rig
        self.seen: list[tuple[str, str | None, str | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path in ("/accounts", "/token"):
            body = json.loads(request.content)
            record = self._rig.store.get_address(body["address"])
            saved = self._rig.keyring.entries.get((SERVICE, f"local:{body['address']}"))
            self.seen.append(
                (request.url.path, record and record.state, saved == body["password"] and "same")
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_the_password_is_saved_before_the_service_hears_of_the_address(rig: Rig) -> None:
    transport = WatchOrder(rig)
    service = MailTmClient(rig.server.api_url, transport=transport)
    try:
        book = AddressBook(rig.store, rig.vault, lambda p: service)
        await book.create(rig.provider, local_part="ordered", domain=DOMAIN)
    finally:
        await service.aclose()
    assert transport.seen == [
        ("/accounts", AddressState.PENDING, "same"),
        ("/token", AddressState.PENDING, "same"),
    ]
