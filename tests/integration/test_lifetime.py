"""Address lifetime end to end: the Inbox against the embedded server (port 0), with a keyring, on a
clock the test moves. An expired address is gone from the server, the cache and the keyring."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import keyring.errors
import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, custom_provider, local_provider
from desktop_app.core.errors import UsageError
from desktop_app.core.events import AddressExpired, AddressExpiring, ExpiryFailed
from desktop_app.core.inbox import Inbox
from desktop_app.core.lifetime import RETRY_CAP
from desktop_app.core.paths import store_path
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from tests.core.test_lifetime import ManualClock
from tests.core.test_secrets import DictKeyring
from tests.integration.harness import FAST_SYNC
from tests.integration.test_inbox import Recorded
from tests.integration.test_local_on_demand import Runs
from tests.integration.test_local_on_demand import until as local_until

pytestmark = [pytest.mark.timeout(60)]

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _fast_client(provider: Provider) -> MailTmClient:
    return MailTmClient(provider.api_url, backoff_base=0.01)


class Rig:
    def __init__(self, server: LocalMailServer) -> None:
        self.server = server
        self.store = Store(None)
        self.keyring = DictKeyring()
        self.vault = PasswordVault(self.keyring)
        self.clock = ManualClock(NOW)
        self.recorded = Recorded()
        self.clock.on_sleep = self.recorded.changed.set
        self.inboxes: list[Inbox] = []

    async def start(self) -> Inbox:
        provider = local_provider(self.server.api_url, self.server.hub_url)
        inbox = Inbox(
            self.store,
            self.vault,
            provider,
            client_factory=_fast_client,
            sync_settings=FAST_SYNC,
            clock=self.clock,
        )
        inbox.subscribe(self.recorded)
        self.inboxes.append(inbox)
        await inbox.start()
        return inbox

    async def stop(self, inbox: Inbox) -> None:
        self.inboxes.remove(inbox)
        assert await inbox.aclose(2.0)

    def everywhere(self, address: str) -> tuple[bool, bool, bool]:
        """Whether the server, the cache and the keyring still have ``address``."""
        return (
            self.server.store.account_by_address(address) is not None,
            self.store.get_address(address) is not None,
            any(address in user for _, user in self.keyring.entries),
        )

    async def until(self, predicate: Callable[[], bool], timeout: float = 20.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.recorded.changed.clear()
                await self.recorded.changed.wait()

    def expired(self, address: str) -> bool:
        """The deletion of ``address`` at its expiry has returned (its event comes last, after the
        keyring entry went: waiting for the entry alone could look before the Inbox is done)."""
        return any(isinstance(e, AddressExpired) and e.address == address for e in self.recorded.events)

    async def asleep_after(self, passes: int) -> None:
        """Wait until the scheduler has ended ``passes`` more passes (it sleeps after each)."""
        target = len(self.clock.sleeps) + passes
        await self.until(lambda: len(self.clock.sleeps) >= target)


@pytest.fixture(name="rig")
async def rig_fixture() -> AsyncIterator[Rig]:
    async with LocalMailServer(rate_limit=None) as server:
        rig = Rig(server)
        yield rig
        for inbox in list(rig.inboxes):
            await rig.stop(inbox)
        rig.store.close()


async def test_an_address_that_expired_while_the_app_was_closed_is_gone_after_start(rig: Rig) -> None:
    first = await rig.start()
    doomed = await first.create_address(expires_in=timedelta(hours=1))
    kept = await first.create_address()
    assert rig.everywhere(doomed.address) == (True, True, True)
    await rig.stop(first)  # the app quits; a day passes
    rig.clock.advance(timedelta(days=1))

    await rig.start()
    await rig.until(lambda: rig.expired(doomed.address))
    assert rig.everywhere(doomed.address) == (False, False, False)
    assert rig.everywhere(kept.address) == (True, True, True)


async def test_an_address_expiring_while_running_is_reminded_then_deleted_at_its_time(rig: Rig) -> None:
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    assert record.expires_at == NOW + timedelta(hours=1)
    (row,) = inbox.address_rows()
    assert row.expiry_text == "deletes in 1 h" and not row.expiry_urgent
    await rig.asleep_after(1)

    rig.clock.advance(timedelta(minutes=50))
    await rig.until(lambda: any(isinstance(e, AddressExpiring) for e in rig.recorded.events))
    assert inbox.address_rows()[0].expiry_text == "deletes in 10 min"
    assert inbox.address_rows()[0].expiry_urgent
    assert rig.everywhere(record.address) == (True, True, True)  # not a moment early
    await rig.asleep_after(1)

    rig.clock.advance(timedelta(minutes=10))
    await rig.until(lambda: rig.expired(record.address))
    assert rig.everywhere(record.address) == (False, False, False)
    assert inbox.address_rows() == [] and inbox.current_address is None


async def test_a_service_that_is_down_at_the_time_is_retried_then_the_address_is_deleted(rig: Rig) -> None:
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    await rig.asleep_after(1)
    rig.server.faults.fail_next(10_000, "500")  # the service is down when the hour is up

    rig.clock.advance(timedelta(hours=1))
    await rig.until(lambda: any(isinstance(e, ExpiryFailed) for e in rig.recorded.events))
    assert rig.everywhere(record.address) == (True, True, True)  # nothing lost
    (row,) = inbox.address_rows()
    assert row.expiry_text.startswith("not deleted yet · retry ")
    assert "could not be" in row.expiry_detail
    await rig.asleep_after(1)

    rig.server.faults.reset()  # back up
    rig.clock.advance(timedelta(seconds=RETRY_CAP))
    await rig.until(lambda: rig.expired(record.address))
    assert rig.everywhere(record.address) == (False, False, False)


async def test_an_account_the_provider_deleted_first_is_kept_here_until_the_user_deletes_it(
    rig: Rig,
) -> None:
    """Its login answers 401, which a refused password answers too (and mail.tm, now and then, for an
    account that exists): not taken as "gone" at expiry; the user's own Delete removes it here."""
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    account = rig.server.store.account_by_address(record.address)
    assert account is not None
    rig.server.store.delete_account(account.id)  # the provider deleted it first
    await rig.asleep_after(1)

    rig.clock.advance(timedelta(hours=1))
    failed = await rig.recorded.until(lambda e: isinstance(e, ExpiryFailed), timeout=20)
    assert isinstance(failed, ExpiryFailed) and "may be gone already" in failed.error
    assert rig.everywhere(record.address) == (False, True, True)
    assert await inbox.delete_address(record.address) is False
    assert rig.everywhere(record.address) == (False, False, False)


async def test_keep_address_clears_the_expiry(rig: Rig) -> None:
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(minutes=5))
    await rig.until(lambda: any(isinstance(e, AddressExpiring) for e in rig.recorded.events))
    inbox.set_expiry(record.address, None)
    assert inbox.address_rows()[0].expiry_text == ""
    await rig.asleep_after(1)
    rig.clock.advance(timedelta(hours=2))
    await rig.asleep_after(1)
    assert rig.everywhere(record.address) == (True, True, True)
    with pytest.raises(UsageError, match="already passed"):
        inbox.set_expiry(record.address, NOW)  # a time gone by would delete it at once: refused


class HeldVault(PasswordVault):
    """A keyring whose read of ``held`` waits until the test lets it go (a slow keyring daemon)."""

    def __init__(self, keyring: DictKeyring) -> None:
        super().__init__(keyring)
        self.held: str | None = None
        self.reading = asyncio.Event()
        self.release = asyncio.Event()

    async def load(self, provider_id: str, address: str) -> str | None:
        if address == self.held:
            self.reading.set()
            await self.release.wait()
        return await super().load(provider_id, address)


async def test_keep_address_during_the_first_steps_of_the_deletion_keeps_it(rig: Rig) -> None:
    vault = rig.vault = HeldVault(rig.keyring)
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    await rig.asleep_after(1)
    vault.held = record.address

    rig.clock.advance(timedelta(hours=1))  # due: the deletion starts and reads the keyring
    async with asyncio.timeout(20):
        await vault.reading.wait()
    inbox.set_expiry(record.address, None)  # "Keep address", clicked now
    vault.release.set()
    await rig.asleep_after(2)

    assert rig.everywhere(record.address) == (True, True, True)
    assert not rig.expired(record.address)
    assert not any(isinstance(e, ExpiryFailed) for e in rig.recorded.events)  # called off, not failed
    (row,) = inbox.address_rows()
    assert row.expiry_text == ""
    await rig.until(lambda: inbox.is_open(record.address))  # and its mailbox is live again


async def test_an_old_export_does_not_delete_an_address_kept_since(rig: Rig, tmp_path: Path) -> None:
    """Exported on machine A with "1 day", kept on A since; a day later the old file is imported on
    B: B must not delete the account A still uses. It is imported kept, and the report says so."""
    first = await rig.start()
    record = await first.create_address(expires_in=timedelta(days=1))
    export = tmp_path / "addresses.json"
    await first.export_addresses(export, include_passwords=True)
    first.set_expiry(record.address, None)  # "Keep this address" on A
    await rig.stop(first)  # B's scheduler alone counts the passes below
    rig.clock.advance(timedelta(days=1, hours=1))

    other_store = Store(None)
    machine_b = Inbox(
        other_store,
        PasswordVault(DictKeyring()),
        local_provider(rig.server.api_url, rig.server.hub_url),
        client_factory=_fast_client,
        sync_settings=FAST_SYNC,
        clock=rig.clock,
    )
    machine_b.subscribe(rig.recorded)
    try:
        passes = len(rig.clock.sleeps)
        await machine_b.start()
        await rig.until(lambda: len(rig.clock.sleeps) > passes)  # its first pass is over
        report = await machine_b.import_addresses(export)
        assert report.added == [record.address] and report.expiry_passed == [record.address]
        await rig.asleep_after(1)  # it looked again after the import
        (row,) = machine_b.address_rows()
        assert row.expiry_text == "" and other_store.get_address(record.address).expires_at is None  # type: ignore[union-attr]
        assert rig.server.store.account_by_address(record.address) is not None
        assert not rig.expired(record.address)
        await rig.until(lambda: machine_b.is_open(record.address))  # and it is live on B
    finally:
        assert await machine_b.aclose(2.0)
        other_store.close()


class FlakyKeyring(DictKeyring):
    """A keyring whose daemon is not up yet while ``down`` (the app started before it)."""

    down = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.down:
            raise keyring.errors.NoKeyringError("no daemon yet")
        return super().get_password(service, username)

    def delete_password(self, service: str, username: str) -> None:
        if self.down:
            raise keyring.errors.NoKeyringError("no daemon yet")
        super().delete_password(service, username)


async def test_a_keyring_that_cannot_be_read_is_a_failure_to_retry_not_no_password(rig: Rig) -> None:
    flaky = FlakyKeyring()
    rig.keyring, rig.vault = flaky, PasswordVault(flaky)
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    await rig.asleep_after(1)
    flaky.down = True

    rig.clock.advance(timedelta(hours=1))
    failed = await rig.recorded.until(lambda e: isinstance(e, ExpiryFailed), timeout=20)
    assert isinstance(failed, ExpiryFailed) and "keyring cannot be read" in failed.error
    assert rig.everywhere(record.address) == (True, True, True)  # not "deleted" with the account left
    (row,) = inbox.address_rows()
    assert row.expiry_text.startswith("not deleted yet · retry ") and "keyring" in row.expiry_detail
    await rig.asleep_after(1)

    flaky.down = False  # the daemon is up
    rig.clock.advance(timedelta(seconds=RETRY_CAP))
    await rig.until(lambda: rig.expired(record.address))
    assert rig.everywhere(record.address) == (False, False, False)
    (done,) = [e for e in rig.recorded.events if isinstance(e, AddressExpired)]
    assert done.remote_deleted


async def test_an_address_without_a_saved_password_is_removed_here_and_said_so(rig: Rig) -> None:
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    await rig.asleep_after(1)
    rig.keyring.entries.clear()  # the keyring is readable, and has nothing for it

    rig.clock.advance(timedelta(hours=1))
    await rig.until(lambda: rig.expired(record.address))
    (done,) = [e for e in rig.recorded.events if isinstance(e, AddressExpired)]
    assert not done.remote_deleted  # the notice must not say it was deleted on the service
    assert rig.everywhere(record.address) == (True, False, False)


async def test_an_address_of_the_local_server_is_not_taken_as_gone_while_it_does_not_run(rig: Rig) -> None:
    first = await rig.start()
    record = await first.create_address(expires_in=timedelta(hours=1))
    await rig.stop(first)
    rig.clock.advance(timedelta(hours=2))
    # The next run is without --local: whatever answers at the old port is not the address's server.
    elsewhere = Inbox(
        rig.store,
        rig.vault,
        custom_provider("http://127.0.0.1:9/api"),
        client_factory=_fast_client,
        sync_settings=FAST_SYNC,
        clock=rig.clock,
    )
    elsewhere.subscribe(rig.recorded)
    rig.inboxes.append(elsewhere)
    await elsewhere.start()
    failed = await rig.recorded.until(lambda e: isinstance(e, ExpiryFailed), timeout=20)
    assert isinstance(failed, ExpiryFailed) and "not running" in failed.error
    assert rig.everywhere(record.address) == (True, True, True)
    assert not rig.expired(record.address)


async def test_an_address_on_this_computer_is_deleted_on_its_server_started_for_it(tmp_path: Path) -> None:
    """Expired while the app was closed, on "This computer" (started on demand): the first pass, which
    may come before start-up has started that server, starts it and deletes the account there."""
    runs = Runs(tmp_path / "data")
    try:
        first = runs.start()
        await first.inbox.start()
        record = await first.inbox.create_address(
            password="pw-on-this-computer", provider=await first.inbox.start_local_server()
        )
        await runs.stop(first)
        with Store(store_path(runs.data_dir)) as store:  # a day passed while closed
            store.set_expiry(record.address, datetime.now(UTC) - timedelta(hours=1))

        second = runs.start()
        await second.inbox.start()
        await local_until(lambda: any(isinstance(e, AddressExpired) for e in second.events))
        assert not any(isinstance(e, ExpiryFailed) for e in second.events)
        (done,) = [e for e in second.events if isinstance(e, AddressExpired)]
        assert done.address == record.address and done.remote_deleted
        running = second.local.running
        assert running is not None
        async with httpx.AsyncClient() as http:  # gone from its server, not just from the list
            answer = await http.post(
                f"{running.api_url}/token",
                json={"address": record.address, "password": "pw-on-this-computer"},
            )
        assert answer.status_code == 401
    finally:
        await runs.stop_all()


def _refuse_the_saved_password(rig: Rig, address: str) -> None:
    """The keyring's password no longer logs in (changed elsewhere): the service answers 401."""
    (entry,) = [key for key in rig.keyring.entries if key[1].endswith(f":{address}")]
    rig.keyring.entries[entry] = "not-the-password-any-more"


async def test_a_refused_password_at_expiry_is_a_failure_to_retry_not_deleted(rig: Rig) -> None:
    """A 401 cannot tell "gone" from "password changed": the account may still be there."""
    inbox = await rig.start()
    record = await inbox.create_address(expires_in=timedelta(hours=1))
    await rig.asleep_after(1)
    _refuse_the_saved_password(rig, record.address)

    rig.clock.advance(timedelta(hours=1))
    failed = await rig.recorded.until(lambda e: isinstance(e, ExpiryFailed), timeout=20)
    assert isinstance(failed, ExpiryFailed) and "refused the saved password" in failed.error
    assert rig.everywhere(record.address) == (True, True, True)
    assert not rig.expired(record.address)
    (row,) = inbox.address_rows()
    assert row.expiry_text.startswith("not deleted yet · retry ")
    assert "could not be: The mail service refused the saved password" in row.expiry_detail


async def test_the_users_delete_with_a_refused_password_removes_it_here_only(rig: Rig) -> None:
    inbox = await rig.start()
    record = await inbox.create_address()
    _refuse_the_saved_password(rig, record.address)
    assert await inbox.delete_address(record.address) is False  # not "deleted on the service"
    assert rig.everywhere(record.address) == (True, False, False)
    other = await inbox.create_address()
    assert await inbox.delete_address(other.address) is True
    assert rig.everywhere(other.address) == (False, False, False)
