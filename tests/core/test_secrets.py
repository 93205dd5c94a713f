"""The password vault: backend detection, session-only mode, and the real Secret Service."""

from __future__ import annotations

import textwrap
import threading
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend

from desktop_app.core.accounts.secrets import SERVICE, PasswordVault, keyring_status
from desktop_app.core.errors import KeyringUnavailableError, SecretsError
from tests.core.secret_service import needs_gnome_keyring, run_with_secret_service


class DictKeyring(KeyringBackend):
    """A well-behaved in-process keyring that records which thread called it."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.threads: set[int] = set()

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.add(threading.get_ident())
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.add(threading.get_ident())
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.threads.add(threading.get_ident())
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


class ForgetfulKeyring(DictKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        pass


class PlaintextFileKeyring(DictKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (not installed here)."""


PlaintextFileKeyring.__module__ = "keyrings.alt.file"


async def test_passwords_round_trip_off_the_event_loop_thread() -> None:
    backend = DictKeyring()
    vault = PasswordVault(backend)
    assert vault.status().usable
    await vault.save("mail.tm", "Me@Example.org", "pw-1")
    await vault.save("mail.gw", "me@example.org", "pw-2")
    assert backend.entries == {
        (SERVICE, "mail.tm:me@example.org"): "pw-1",
        (SERVICE, "mail.gw:me@example.org"): "pw-2",
    }
    assert await vault.load("mail.tm", "me@example.org") == "pw-1"
    assert await vault.load("mail.gw", "ME@example.org") == "pw-2"
    assert await vault.load("mail.tm", "other@example.org") is None
    await vault.delete("mail.tm", "me@example.org")
    await vault.delete("mail.tm", "me@example.org")  # a second delete is harmless
    assert await vault.load("mail.tm", "me@example.org") is None
    assert threading.get_ident() not in backend.threads and backend.threads


async def test_fail_backend_says_plainly_that_no_keyring_exists() -> None:
    vault = PasswordVault(keyring.backends.fail.Keyring())
    status = vault.status()
    assert not status.usable and "fail" in status.backend and "no keyring service" in status.reason
    with pytest.raises(KeyringUnavailableError) as caught:
        await vault.save("mail.tm", "me@example.org", "pw")
    assert "No system keyring is available" in str(caught.value)
    assert "session only" in str(caught.value)
    assert "pw" not in caught.value.detail.split(":")[-1]
    with pytest.raises(KeyringUnavailableError):
        await vault.load("mail.tm", "me@example.org")


def test_default_backend_follows_the_environment() -> None:
    # tests/conftest.py pins the fail backend; the vault must see it as unusable.
    assert not PasswordVault().status().usable


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.null.Keyring(), PlaintextFileKeyring()],
    ids=["null", "keyrings.alt-file"],
)
async def test_backends_that_lose_or_expose_passwords_are_refused(backend: KeyringBackend) -> None:
    vault = PasswordVault(backend)
    assert not vault.status().usable
    with pytest.raises(KeyringUnavailableError):
        await vault.save("mail.tm", "me@example.org", "pw")
    assert getattr(backend, "entries", {}) == {}


def test_chainer_is_judged_by_the_backend_it_writes_to() -> None:
    class FakeChainer(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self, backends: list[KeyringBackend]) -> None:
            super().__init__()
            self.backends = backends

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            pass

        def delete_password(self, service: str, username: str) -> None:
            pass

    FakeChainer.__module__ = "keyring.backends.chainer"
    assert keyring_status(FakeChainer([DictKeyring(), PlaintextFileKeyring()])).usable
    assert not keyring_status(FakeChainer([PlaintextFileKeyring(), DictKeyring()])).usable
    assert not keyring_status(FakeChainer([])).usable


async def test_a_backend_that_drops_the_password_is_caught() -> None:
    vault = PasswordVault(ForgetfulKeyring())
    with pytest.raises(SecretsError, match="keyring"):
        await vault.save("mail.tm", "me@example.org", "pw")


async def test_session_only_keeps_passwords_in_memory_only() -> None:
    vault = PasswordVault(keyring.backends.fail.Keyring())
    await vault.save("mail.tm", "one@example.org", "pw-1", session_only=True)
    assert await vault.load("mail.tm", "one@example.org") == "pw-1"
    assert vault.is_in_memory("mail.tm", "one@example.org")
    vault.use_session_only()
    assert vault.session_only
    await vault.save("mail.tm", "two@example.org", "pw-2")
    assert await vault.load("mail.tm", "two@example.org") == "pw-2"
    await vault.delete("mail.tm", "two@example.org")
    with pytest.raises(KeyringUnavailableError):  # gone from memory, and there is no keyring to look in
        await vault.load("mail.tm", "two@example.org")

    backend = DictKeyring()
    mixed = PasswordVault(backend)
    await mixed.save("mail.tm", "temp@example.org", "pw", session_only=True)
    assert backend.entries == {}


async def test_keyring_errors_become_secrets_errors_without_the_password() -> None:
    class Locked(DictKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.KeyringLocked("locked")

    class Broken(DictKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise OSError("dbus went away")

    with pytest.raises(SecretsError, match="keyring") as caught:
        await PasswordVault(Locked()).save("p", "a@b.c", "hunter2-secret")
    assert "hunter2-secret" not in caught.value.detail and "locked" in caught.value.detail
    with pytest.raises(SecretsError) as caught_load:
        await PasswordVault(Broken()).load("p", "a@b.c")
    assert "dbus went away" in caught_load.value.detail


REAL_KEYRING_SCRIPT = textwrap.dedent(
    """
    import asyncio, json
    from desktop_app.core.accounts.secrets import PasswordVault

    async def main():
        vault = PasswordVault()
        out = {"status": [vault.status().usable, vault.status().backend]}
        await vault.save("local", "Someone@Example.org", "correct horse battery")
        await vault.save("mail.gw", "someone@example.org", "another one")
        out["loaded"] = await vault.load("local", "someone@example.org")
        out["other_provider"] = await vault.load("mail.gw", "someone@example.org")
        out["secret_tool_sees"] = lookup("local:someone@example.org")
        # A new vault (as after a restart of the app) reads what the first one stored.
        out["fresh_vault"] = await PasswordVault().load("local", "someone@example.org")
        await vault.delete("local", "someone@example.org")
        out["after_delete"] = await vault.load("local", "someone@example.org")
        out["secret_tool_after_delete"] = lookup("local:someone@example.org")
        print(json.dumps(out))

    asyncio.run(main())
    """
)


@needs_gnome_keyring
def test_real_secret_service_under_a_private_dbus_session(tmp_path: Path) -> None:
    result = run_with_secret_service(tmp_path, REAL_KEYRING_SCRIPT)
    assert result == {
        "status": [True, "keyring.backends.SecretService.Keyring"],
        "loaded": "correct horse battery",
        "other_provider": "another one",
        "secret_tool_sees": "correct horse battery",
        "fresh_vault": "correct horse battery",
        "after_delete": None,
        "secret_tool_after_delete": None,
    }


async def test_the_default_backend_is_found_on_first_use_and_off_the_loop_by_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding keyring's backend imports all of them (tens of ms): not when the vault is made (before the
    window), and ``ready()`` (the inbox's start) does it in a worker thread."""
    from desktop_app.core.accounts import secrets

    found_in: list[int] = []
    backend = DictKeyring()

    def find() -> KeyringBackend:
        found_in.append(threading.get_ident())
        return backend

    monkeypatch.setattr(secrets, "_default_backend", find)
    vault = PasswordVault()
    assert found_in == []
    status = await vault.ready()
    assert status.usable and status.backend.endswith("DictKeyring")
    assert found_in and found_in[0] != threading.get_ident()
    await vault.save("mail.tm", "me@example.org", "pw")
    assert await vault.load("mail.tm", "me@example.org") == "pw"
    assert len(found_in) == 1  # found once, then kept

    later = PasswordVault()  # used before anyone called ready(): found then, on the spot
    assert later.status().usable and len(found_in) == 2
