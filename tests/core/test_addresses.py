"""Creating, adding, opening and deleting addresses against the embedded local server."""

from __future__ import annotations

import re

import keyring.backends.fail
import pytest

from desktop_app.core.accounts import book as addresses_module
from desktop_app.core.accounts.book import AddressBook
from desktop_app.core.accounts.names import (
    generate_password,
    random_local_part,
    split_address,
    validate_local_part,
)
from desktop_app.core.accounts.secrets import SERVICE, PasswordVault
from desktop_app.core.errors import (
    AddressTakenError,
    InvalidCredentialsError,
    KeyringUnavailableError,
    PasswordMissingError,
    SecretsError,
    UsageError,
)
from desktop_app.core.store.cache import AddressState
from tests.core.address_fixtures import Rig, login_works, rig_fixture, server_fixture  # noqa: F401

DOMAIN = "temp-inbox.test"


# -- names and passwords ---------------------------------------------------------------------------


def test_random_local_parts_are_readable_valid_and_varied() -> None:
    names = {random_local_part() for _ in range(200)}
    assert len(names) > 190
    for name in names:
        assert re.fullmatch(r"[a-z]+\.[a-z]+\d{4}", name)
        assert validate_local_part(name) == name


@pytest.mark.parametrize("name", ["Mixed.Case_1", "abc", "a-b.c_d", "x" * 64])
def test_valid_custom_local_parts(name: str) -> None:
    assert validate_local_part(f"  {name} ") == name.lower()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ab", "3 to 64"),
        ("x" * 65, "3 to 64"),
        ("with space", "letters a–z"),
        (".dot-first", "start and end"),
        ("dot-last.", "start and end"),
        ("two..dots", "letters a–z"),
        ("üml", "letters a–z"),
        ("plus+tag", "letters a–z"),
        ("at@sign", "letters a–z"),
    ],
)
def test_invalid_custom_local_parts_say_why(name: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        validate_local_part(name)


def test_split_address_is_strict_only_for_names_we_create() -> None:
    assert split_address("Quiet.Otter@Example.ORG") == ("quiet.otter", "example.org")
    assert split_address("o'brien+x@example.org", strict=False) == ("o'brien+x", "example.org")
    for bad in ("no-at-sign", "@example.org", "a b@example.org", "me@nodot", "me@-bad-.org"):
        with pytest.raises(UsageError):
            split_address(bad, strict=False)


def test_generated_passwords_are_long_and_unique() -> None:
    passwords = {generate_password() for _ in range(100)}
    assert len(passwords) == 100
    assert all(len(p) >= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", p) for p in passwords)


# -- create ----------------------------------------------------------------------------------------


async def test_create_random_address_end_to_end(rig: Rig) -> None:
    opened = await rig.book.create(rig.provider, label="shopping")
    address = opened.record.address
    assert address.endswith("@" + DOMAIN) and opened.record.label == "shopping"
    assert opened.record.state is AddressState.ACTIVE
    assert opened.client.token and opened.record.account_id == opened.client.account_id
    password = rig.keyring.entries[(SERVICE, f"{rig.provider.id}:{address}")]
    assert password == opened.client.password and len(password) >= 32
    assert await login_works(rig.server, address, password)
    assert (await opened.client.me()).address == address
    assert rig.store.get_provider(rig.provider.id) == rig.provider


async def test_create_custom_name_on_a_given_domain(rig: Rig) -> None:
    opened = await rig.book.create(rig.provider, local_part="My.Name", domain=DOMAIN.upper())
    assert opened.record.address == f"my.name@{DOMAIN}"
    with pytest.raises(UsageError, match="already in your list"):
        await rig.book.create(rig.provider, local_part="my.name", domain=DOMAIN)


async def test_invalid_custom_name_never_reaches_the_service(rig: Rig) -> None:
    before = rig.server.stats.requests
    with pytest.raises(UsageError):
        await rig.book.create(rig.provider, local_part="no", domain=DOMAIN)
    assert rig.server.stats.requests == before
    assert rig.store.list_addresses() == []


async def test_a_taken_custom_name_leaves_nothing_behind(rig: Rig) -> None:
    rig.server.create_account_direct(f"taken@{DOMAIN}", "someone-elses-password")
    with pytest.raises(AddressTakenError):
        await rig.book.create(rig.provider, local_part="taken", domain=DOMAIN)
    assert rig.store.list_addresses() == []
    assert rig.keyring.entries == {}


async def test_a_taken_random_name_is_replaced_by_another(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    rig.server.create_account_direct(f"busy.bee0001@{DOMAIN}", "someone-elses-password")
    names = iter(["busy.bee0001", "free.fox0002"])
    monkeypatch.setattr(addresses_module, "random_local_part", lambda: next(names))
    opened = await rig.book.create(rig.provider)
    assert opened.record.address == f"free.fox0002@{DOMAIN}"
    assert [a.address for a in rig.store.list_addresses()] == [f"free.fox0002@{DOMAIN}"]


async def test_without_a_keyring_creation_stops_before_the_service_is_asked(rig: Rig) -> None:
    vault = PasswordVault(keyring.backends.fail.Keyring())
    book = AddressBook(rig.store, vault, lambda p: rig.service)
    with pytest.raises(KeyringUnavailableError, match="session only"):
        await book.create(rig.provider, local_part="nokeyring", domain=DOMAIN)
    assert rig.store.list_addresses() == []
    assert not await login_works(rig.server, f"nokeyring@{DOMAIN}", "anything")
    assert rig.server.create_account_direct(f"nokeyring@{DOMAIN}", "pw-12345678")  # the name is still free


async def test_session_only_addresses_live_in_memory_and_are_dropped_next_start(rig: Rig) -> None:
    vault = PasswordVault(keyring.backends.fail.Keyring())
    book = AddressBook(rig.store, vault, lambda p: rig.service)
    opened = await book.create(rig.provider, session_only=True)
    assert opened.record.state is AddressState.SESSION_ONLY
    client = await book.open(opened.record.address)
    assert await login_works(rig.server, opened.record.address, client.password or "")
    assert book.forget_session_only() == []  # still this session: kept
    next_start = AddressBook(rig.store, PasswordVault(keyring.backends.fail.Keyring()), lambda p: rig.service)
    assert next_start.forget_session_only() == [opened.record.address]
    assert rig.store.list_addresses() == []


# -- existing addresses, open, delete ----------------------------------------------------------------


async def test_add_existing_checks_the_password_first(rig: Rig) -> None:
    address = f"mine@{DOMAIN}"
    rig.server.create_account_direct(address, "right-password")
    with pytest.raises(InvalidCredentialsError):
        await rig.book.add_existing(rig.provider, address, "wrong-password")
    assert rig.store.list_addresses() == [] and rig.keyring.entries == {}
    opened = await rig.book.add_existing(
        rig.provider, " Mine@" + DOMAIN.upper(), "right-password", label="old"
    )
    assert opened.record.address == address and opened.record.state is AddressState.ACTIVE
    assert rig.keyring.entries == {(SERVICE, f"{rig.provider.id}:{address}"): "right-password"}
    with pytest.raises(UsageError, match="already in your list"):
        await rig.book.add_existing(rig.provider, address, "right-password")


async def test_open_gives_a_working_client_or_a_clear_error(rig: Rig) -> None:
    opened = await rig.book.create(rig.provider)
    client = await rig.book.open(opened.record.address.upper())
    assert client.token is None and (await client.messages()).items == ()
    rig.keyring.entries.clear()
    with pytest.raises(PasswordMissingError, match="Log in again"):
        await rig.book.open(opened.record.address)
    with pytest.raises(UsageError, match="not in your list"):
        await rig.book.open(f"nobody@{DOMAIN}")


async def test_delete_needs_confirmation_and_removes_everything(rig: Rig) -> None:
    from tests.core.store_helpers import summary

    opened = await rig.book.create(rig.provider)
    address, password = opened.record.address, opened.client.password or ""
    rig.store.save_summaries(address, [summary("m1")])
    with pytest.raises(UsageError, match="cannot be undone"):
        await rig.book.delete(address)
    assert await login_works(rig.server, address, password)
    await rig.book.delete(address, confirm=True)
    assert not await login_works(rig.server, address, password)
    assert rig.store.get_address(address) is None and rig.store.get_summary("m1") is None
    assert rig.keyring.entries == {}


async def test_delete_of_an_address_already_gone_remotely_still_cleans_up(rig: Rig) -> None:
    opened = await rig.book.create(rig.provider)
    await opened.client.delete_account()
    await rig.book.delete(opened.record.address, confirm=True)
    assert rig.store.list_addresses() == [] and rig.keyring.entries == {}


async def test_delete_waits_for_a_locked_keyring_instead_of_orphaning_the_account(rig: Rig) -> None:
    import keyring.errors

    opened = await rig.book.create(rig.provider)
    address, password = opened.record.address, opened.client.password or ""

    def locked(service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    unlocked = rig.keyring.get_password
    rig.keyring.get_password = locked  # type: ignore[method-assign]
    with pytest.raises(SecretsError):
        await rig.book.delete(address, confirm=True)
    assert rig.store.get_address(address) is not None and await login_works(rig.server, address, password)
    rig.keyring.get_password = unlocked  # type: ignore[method-assign]
    await rig.book.delete(address, confirm=True)
    assert not await login_works(rig.server, address, password)
