"""Which providers the address dialogs offer, and which URLs get the "unencrypted" warning (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import sends_in_clear
from desktop_app.core.api.providers import MAILGW, MAILTM, custom_provider, local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.local_service import LocalEndpoints, LocalService
from desktop_app.core.store.cache import AddressState, Store

OLD_LOCAL = local_provider("http://127.0.0.1:40001", "http://127.0.0.1:40001/.well-known/mercure")
NOW_LOCAL = local_provider("http://127.0.0.1:40002", "http://127.0.0.1:40002/.well-known/mercure")
KEPT = custom_provider("https://api.example.org")


@pytest.fixture(name="store")
def store_fixture() -> Iterator[Store]:
    store = Store(None)
    store.save_provider(OLD_LOCAL)  # an earlier run with --local kept it, with that run's port
    store.save_provider(KEPT)
    yield store
    store.close()


def test_without_local_the_old_embedded_server_is_not_offered(store: Store) -> None:
    inbox = Inbox(store, PasswordVault(), MAILTM)
    assert {p.id for p in inbox.providers()} == {"mail.tm", "mail.gw", "local", KEPT.id}
    offered = inbox.providers_for_new_addresses()
    assert offered[:2] == [MAILTM, MAILGW] and set(offered) == {MAILTM, MAILGW, KEPT}


def test_with_local_the_running_embedded_server_comes_first(store: Store) -> None:
    inbox = Inbox(store, PasswordVault(), NOW_LOCAL)
    offered = inbox.providers_for_new_addresses()
    assert offered[0] == NOW_LOCAL and set(offered) == {NOW_LOCAL, MAILTM, MAILGW, KEPT}


@pytest.mark.parametrize(
    ("url", "in_clear"),
    [
        ("http://mail.example.org", True),
        (" HTTP://mail.example.org/ ", True),
        ("http://10.0.0.7:8025", True),  # the next room's server still means the network
        ("http://127.0.0.1:8025", False),
        ("http://127.1.2.3:8025", False),
        ("http://localhost:8025", False),
        ("http://[::1]:8025", False),
        ("https://mail.example.org", False),
        ("", False),
    ],
)
def test_plain_http_off_this_computer_sends_passwords_in_clear(url: str, in_clear: bool) -> None:
    assert sends_in_clear(url) is in_clear


def test_the_credited_providers_are_the_default_and_those_holding_addresses(store: Store) -> None:
    inbox = Inbox(store, PasswordVault(), MAILTM)
    assert inbox.credited_providers() == [MAILTM]  # nothing else in use
    store.save_provider(MAILGW)  # as the book does when an address is made there
    store.add_address("a@gw.example", MAILGW.id, state=AddressState.ACTIVE)
    store.add_address("b@kept.example", KEPT.id, state=AddressState.ACTIVE)  # asks for no credit
    assert inbox.credited_providers() == [MAILTM, MAILGW]
    local = Inbox(store, PasswordVault(), NOW_LOCAL)
    assert local.credited_providers() == [MAILGW]  # the embedded server asks for none


@pytest.mark.parametrize("with_local_service", [True, False])
def test_a_cache_from_before_the_rename_offers_this_computer_by_its_name(with_local_service: bool) -> None:
    """Kept as "Local (this computer)" by an earlier version: listed, and found, as "This computer"
    before its server first runs here (that run saves it under the new name)."""

    def never_started(port: int) -> LocalEndpoints:
        raise AssertionError("listing the providers must not start the server")

    with Store(None) as store:
        store.save_provider(replace(OLD_LOCAL, name="Local (this computer)"))
        local = LocalService(never_started) if with_local_service else None
        inbox = Inbox(store, PasswordVault(), MAILTM, local=local)
        names = {p.id: p.name for p in inbox.providers()}
        assert names["local"] == "This computer"
        found = inbox.find_provider("This computer")
        assert found is not None and found.id == "local"
        assert inbox.find_provider("Local (this computer)") is None
