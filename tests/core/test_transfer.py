"""Export/import of the address list: owner-only files, passwords only on request, clear errors."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import keyring.backends.fail
import pytest

from desktop_app.core.accounts.book import AddressBook
from desktop_app.core.accounts.secrets import SERVICE, PasswordVault
from desktop_app.core.accounts.transfer import FORMAT, export_addresses, import_addresses
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import MAILGW, custom_provider
from desktop_app.core.errors import KeyringUnavailableError, PasswordMissingError, UsageError
from desktop_app.core.store.cache import AddressState, Store
from tests.core.address_fixtures import Rig, rig_fixture, server_fixture  # noqa: F401
from tests.core.test_secrets import DictKeyring

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


async def _filled() -> tuple[Store, PasswordVault, DictKeyring]:
    store, backend = Store(None), DictKeyring()
    vault = PasswordVault(backend)
    other = custom_provider("https://mail.example.net")
    for provider, address, label, password in [
        (MAILGW, "one@mail.gw.test", "shop", "pw-one-123456"),
        (other, "two@example.net", "", "pw-two-123456"),
        (MAILGW, "nopass@mail.gw.test", "", None),
    ]:
        store.save_provider(provider)
        store.add_address(address, provider.id, state=AddressState.ACTIVE, label=label, created=CREATED)
        if password:
            await vault.save(provider.id, address, password)
    return store, vault, backend


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_export_without_passwords_is_owner_only_and_has_no_secret(tmp_path: Path) -> None:
    store, vault, _ = await _filled()
    target = tmp_path / "addresses.json"
    target.write_text("old content")
    os.chmod(target, 0o644)
    report = await export_addresses(store, vault, target)
    assert report.count == 3 and _mode(target) == 0o600
    raw = target.read_text()
    assert "pw-one" not in raw and "password" not in raw
    document = json.loads(raw)
    assert document["format"] == FORMAT and document["version"] == 1
    assert document["addresses"][0] == {
        "address": "one@mail.gw.test",
        "provider": {
            "id": "mail.gw",
            "name": "mail.gw",
            "api_url": MAILGW.api_url,
            "hub_url": MAILGW.hub_url,
        },
        "label": "shop",
        "created": CREATED.isoformat(),
    }
    assert os.listdir(tmp_path) == [target.name]  # no temporary file left behind


async def test_export_with_passwords_only_when_asked(tmp_path: Path) -> None:
    store, vault, _ = await _filled()
    target = tmp_path / "with-passwords.json"
    report = await export_addresses(
        store, vault, target, include_passwords=True, addresses=["ONE@mail.gw.test", "nopass@mail.gw.test"]
    )
    assert report.count == 2 and report.without_password == ["nopass@mail.gw.test"]
    assert _mode(target) == 0o600
    items = json.loads(target.read_text())["addresses"]
    assert [(i["address"], i.get("password")) for i in items] == [
        ("one@mail.gw.test", "pw-one-123456"),
        ("nopass@mail.gw.test", None),
    ]


async def test_export_of_passwords_without_a_keyring_fails_and_writes_nothing(tmp_path: Path) -> None:
    store, _, _ = await _filled()
    target = tmp_path / "out.json"
    with pytest.raises(KeyringUnavailableError):
        await export_addresses(
            store, PasswordVault(keyring.backends.fail.Keyring()), target, include_passwords=True
        )
    assert not target.exists()


async def test_round_trip_into_a_fresh_store_and_keyring(tmp_path: Path) -> None:
    store, vault, _ = await _filled()
    target = tmp_path / "all.json"
    await export_addresses(store, vault, target, include_passwords=True)
    fresh_store, fresh_backend = Store(None), DictKeyring()
    report = await import_addresses(fresh_store, PasswordVault(fresh_backend), target)
    assert report.added == ["one@mail.gw.test", "two@example.net", "nopass@mail.gw.test"]
    assert report.skipped == [] and report.without_password == ["nopass@mail.gw.test"]
    assert [(a.address, a.provider_id, a.label, a.created) for a in fresh_store.list_addresses()] == [
        (a.address, a.provider_id, a.label, a.created) for a in store.list_addresses()
    ]
    assert fresh_store.list_providers() == store.list_providers()
    assert fresh_backend.entries == {
        (SERVICE, "mail.gw:one@mail.gw.test"): "pw-one-123456",
        (SERVICE, f"{custom_provider('https://mail.example.net').id}:two@example.net"): "pw-two-123456",
    }
    states = {a.address: (a.state, a.state_reason) for a in fresh_store.list_addresses()}
    assert states["one@mail.gw.test"] == (AddressState.ACTIVE, "")
    assert states["nopass@mail.gw.test"] == (AddressState.FAILED, str(PasswordMissingError()))


async def test_import_skips_duplicates_and_never_replaces_a_saved_password(tmp_path: Path) -> None:
    store, vault, backend = await _filled()
    target = tmp_path / "in.json"
    entry = {"provider": {"id": "mail.gw", "api_url": MAILGW.api_url, "hub_url": MAILGW.hub_url}}
    target.write_text(
        json.dumps(
            {
                "format": FORMAT,
                "version": 1,
                "addresses": [
                    {**entry, "address": "one@mail.gw.test", "password": "something-else"},
                    {**entry, "address": "new@mail.gw.test", "password": "from-the-file"},
                    {**entry, "address": "NEW@mail.gw.test", "password": "second-copy"},
                    {**entry, "address": "orphan@mail.gw.test", "password": "from-the-file"},
                ],
            }
        )
    )
    # A password left in the keyring for an address that is not in the list (e.g. an earlier install).
    await vault.save("mail.gw", "orphan@mail.gw.test", "already-in-keyring")
    report = await import_addresses(store, vault, target)
    assert report.added == ["new@mail.gw.test", "orphan@mail.gw.test"]
    assert report.skipped == [
        ("one@mail.gw.test", "already in your list"),
        ("new@mail.gw.test", "listed twice in the file"),
    ]
    assert report.kept_saved_password == ["orphan@mail.gw.test"]
    assert backend.entries[(SERVICE, "mail.gw:one@mail.gw.test")] == "pw-one-123456"
    assert backend.entries[(SERVICE, "mail.gw:new@mail.gw.test")] == "from-the-file"
    assert backend.entries[(SERVICE, "mail.gw:orphan@mail.gw.test")] == "already-in-keyring"


async def test_import_without_a_keyring_needs_the_session_only_choice(tmp_path: Path) -> None:
    store, vault, _ = await _filled()
    target = tmp_path / "all.json"
    await export_addresses(store, vault, target, include_passwords=True)
    no_keyring = PasswordVault(keyring.backends.fail.Keyring())
    empty = Store(None)
    with pytest.raises(KeyringUnavailableError):
        await import_addresses(empty, no_keyring, target)
    assert empty.list_addresses() == []
    report = await import_addresses(empty, no_keyring, target, session_only=True)
    assert len(report.added) == 3
    assert empty.get_address("one@mail.gw.test").state is AddressState.SESSION_ONLY  # type: ignore[union-attr]
    assert await no_keyring.load("mail.gw", "one@mail.gw.test") == "pw-one-123456"


def _doc(**changes: object) -> dict[str, object]:
    entry = {
        "address": "a@example.org",
        "provider": {
            "id": "x",
            "api_url": "https://api.example.org",
            "hub_url": "https://api.example.org/hub",
        },
        "label": "",
        "created": CREATED.isoformat(),
    }
    document: dict[str, object] = {"format": FORMAT, "version": 1, "addresses": [entry]}
    for key, value in changes.items():
        if key.startswith("entry_"):
            field_name = key.removeprefix("entry_")
            if value is None:
                entry.pop(field_name)
            else:
                entry[field_name] = value
        else:
            document[key] = value
    return document


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not a JSON file"),
        (b"\xff\xfe\x00garbage", "not a JSON file"),
        (json.dumps([1, 2]).encode(), "not a Temp Inbox address export"),
        (json.dumps(_doc(format="something-else")).encode(), "not a Temp Inbox address export"),
        (json.dumps(_doc(version=None)).encode(), "version is missing or invalid"),
        (json.dumps(_doc(version="1")).encode(), "version is missing or invalid"),
        (json.dumps(_doc(version=7)).encode(), "newer Temp Inbox (format 7; this one reads 1)"),
        (json.dumps(_doc(addresses={"a": 1})).encode(), "no list of addresses"),
        (json.dumps(_doc(addresses=["a@example.org"])).encode(), "entry 1 is not an object"),
        (json.dumps(_doc(entry_address=None)).encode(), "entry 1 has no valid “address”"),
        (
            json.dumps(_doc(entry_address="not-an-address")).encode(),
            "entry 1: “not-an-address” is not an e-mail",
        ),
        (json.dumps(_doc(entry_provider=None)).encode(), "entry 1 has no “provider”"),
        (json.dumps(_doc(entry_provider={"id": "x"})).encode(), "entry 1 provider has no valid “api_url”"),
        (json.dumps(_doc(entry_provider={"api_url": "ftp://x"})).encode(), "entry 1: The API URL must be"),
        (json.dumps(_doc(entry_created="yesterday")).encode(), "entry 1 has an invalid “created” date"),
        (json.dumps(_doc(entry_password=1234)).encode(), "entry 1 has an invalid “password”"),
        (json.dumps(_doc(entry_label=["x"])).encode(), "entry 1 has no valid “label”"),
    ],
)
async def test_bad_files_are_refused_with_a_clear_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    target = tmp_path / "bad.json"
    target.write_bytes(content)
    store = Store(None)
    with pytest.raises(UsageError) as caught:
        await import_addresses(store, PasswordVault(DictKeyring()), target)
    assert str(caught.value).startswith("bad.json cannot be imported: ")
    assert message in str(caught.value)
    assert store.list_addresses() == []


async def test_a_bad_entry_late_in_the_file_changes_nothing(tmp_path: Path) -> None:
    document = _doc()
    good = document["addresses"][0]  # type: ignore[index]
    document["addresses"] = [good, {**good, "address": "b@example.org", "created": "bad date"}]  # type: ignore[dict-item]
    target = tmp_path / "half.json"
    target.write_text(json.dumps(document))
    store = Store(None)
    with pytest.raises(UsageError, match="entry 2"):
        await import_addresses(store, PasswordVault(DictKeyring()), target)
    assert store.list_addresses() == []


async def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="Cannot read"):
        await import_addresses(Store(None), PasswordVault(DictKeyring()), tmp_path / "nope.json")


async def test_imported_address_works_against_the_server(rig: Rig, tmp_path: Path) -> None:
    opened = await rig.book.create(rig.provider, label="travel")
    target = tmp_path / "export.json"
    await export_addresses(rig.store, rig.vault, target, include_passwords=True)
    other_store, other_vault = Store(None), PasswordVault(DictKeyring())
    report = await import_addresses(other_store, other_vault, target)
    assert report.added == [opened.record.address]
    service = MailTmClient(rig.server.api_url)
    try:
        client = await AddressBook(other_store, other_vault, lambda p: service).open(opened.record.address)
        assert (await client.me()).id == opened.record.account_id
    finally:
        await service.aclose()
