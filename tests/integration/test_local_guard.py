"""An address on "This computer" is only ever asked of the server this run started: when that server
cannot start, its kept URL (last run's port) may be another server's now, whose "no such account"
would pass for "already deleted". A Delete, the start-up settling of half-created addresses and the
health check start the server first, or do nothing and say why (the reviewer's scenario, against
the real embedded server the app starts and another real server at the kept URL)."""

from __future__ import annotations

import errno
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import desktop_app.server as server_package
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import LOCAL_ID, local_port, local_provider
from desktop_app.core.errors import LocalServerError, ProviderNotRunningError
from desktop_app.core.local_service import LocalEndpoints
from desktop_app.core.paths import store_path
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.server import LocalMailServer
from tests.integration.test_local_on_demand import Run, Runs, local_entry

pytestmark = [pytest.mark.timeout(90), pytest.mark.timing]


def cannot_start(port: int) -> LocalEndpoints:
    raise LocalServerError(detail=f"the test's starter refuses (port {port})")


@pytest.fixture(name="runs")
async def runs_fixture(tmp_path: Path) -> AsyncIterator[Runs]:
    runs = Runs(tmp_path / "data")
    try:
        yield runs
    finally:
        await runs.stop_all()


@pytest.fixture(name="squatter")
async def squatter_fixture() -> AsyncIterator[LocalMailServer]:
    """Another mail server, same domain, now listening where the kept URL points."""
    async with LocalMailServer(rate_limit=None) as server:
        yield server


def point_kept_url_at(runs: Runs, server: LocalMailServer) -> None:
    with Store(store_path(runs.data_dir)) as store:
        store.save_provider(local_provider(server.api_url, server.hub_url))


def keyring_has(runs: Runs, address: str) -> bool:
    return any(user.endswith(f":{address}") or user == address for _, user in runs.keyring.entries)


async def second_run_that_cannot_start(runs: Runs) -> Run:
    run = runs.start()
    run.local._starter = cannot_start
    await run.inbox.start()
    return run


async def test_a_delete_while_this_computers_server_cannot_start_deletes_nothing(
    runs: Runs, squatter: LocalMailServer
) -> None:
    first = runs.start()
    record = await first.inbox.create_address(password="pw-here", provider=local_entry(first.inbox))
    await runs.stop(first)
    point_kept_url_at(runs, squatter)

    second = await second_run_that_cannot_start(runs)
    with pytest.raises(ProviderNotRunningError) as raised:
        await second.inbox.delete_address(record.address)
    assert str(raised.value).startswith(
        "The mail server on this computer could not start, so the address was not deleted"
    )
    assert [r.address for r in second.inbox.addresses()] == [record.address]  # still listed
    assert keyring_has(runs, record.address)  # its password is kept: the account can still be reached
    assert squatter.stats.requests == 0  # nothing was asked of the other server


async def test_a_half_created_address_is_not_settled_against_another_server(
    runs: Runs, squatter: LocalMailServer
) -> None:
    """Pending with its password saved: settling it at the kept URL would create it on the squatter."""
    address = "half.made@temp-inbox.test"
    with Store(store_path(runs.data_dir)) as store:
        store.save_provider(local_provider(squatter.api_url, squatter.hub_url))
        store.add_address(address, LOCAL_ID, state=AddressState.PENDING)
    await PasswordVault(runs.keyring).save(LOCAL_ID, address, "pw-half")

    second = await second_run_that_cannot_start(runs)
    (kept,) = second.inbox.addresses()
    assert kept.address == address and kept.state is AddressState.PENDING  # settled next time
    assert keyring_has(runs, address)
    assert squatter.store.account_by_address(address) is None
    assert squatter.stats.requests == 0


async def test_the_check_of_an_address_here_says_the_server_could_not_start(
    runs: Runs, squatter: LocalMailServer
) -> None:
    first = runs.start()
    record = await first.inbox.create_address(password="pw-here", provider=local_entry(first.inbox))
    await runs.stop(first)
    point_kept_url_at(runs, squatter)

    second = await second_run_that_cannot_start(runs)
    with pytest.raises(LocalServerError, match="could not start"):
        await second.inbox.check_address(record.address)
    assert squatter.stats.requests == 0


@pytest.fixture(name="preferred_port_refused")
def preferred_port_refused_fixture(monkeypatch: pytest.MonkeyPatch) -> int:
    """The kept URL's port cannot be bound, and not because it is taken (EACCES below 1024 without
    the right to it: the tests may run as root, so the bind is refused here instead)."""
    refused = 80

    class Refusing(server_package.BackgroundMailServer):
        def start(self) -> None:
            if self._kwargs.get("http_port") == refused:
                raise PermissionError(errno.EACCES, "Permission denied")
            super().start()

    monkeypatch.setattr(server_package, "BackgroundMailServer", Refusing)
    return refused


async def test_a_kept_port_that_cannot_be_bound_falls_back_and_is_not_kept(
    runs: Runs, preferred_port_refused: int
) -> None:
    refused = preferred_port_refused
    with Store(store_path(runs.data_dir)) as store:  # an edited or imported URL on a low port
        store.save_provider(local_provider(f"http://127.0.0.1:{refused}", f"http://127.0.0.1:{refused}/hub"))
    first = runs.start()
    provider = await first.inbox.start_local_server()
    assert first.starts == [refused] and local_port(provider) not in (0, refused)  # it runs elsewhere
    assert local_entry(first.inbox).api_url == provider.api_url  # and that is what is kept
    await runs.stop(first)
    second = runs.start()
    await second.inbox.start_local_server()
    assert second.starts == [local_port(provider)]  # not the refused port, for good


async def test_an_address_made_with_the_lists_entry_from_before_the_start_keeps_the_running_url(
    runs: Runs,
) -> None:
    """The dialog's entry was "starts when used" (no port); the server started meanwhile."""
    run = runs.start()
    entry = local_entry(run.inbox)
    running = await run.inbox.start_local_server()
    record = await run.inbox.create_address(provider=entry)
    assert record.provider_id == LOCAL_ID
    assert local_entry(run.inbox).api_url == running.api_url
    with Store(store_path(runs.data_dir)) as store:
        kept = store.get_provider(LOCAL_ID)
    assert kept is not None and kept.api_url == running.api_url
