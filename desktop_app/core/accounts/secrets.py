"""Passwords in the OS keyring, never in the cache, the settings or the logs.

mail.tm has no password reset: a lost password is a lost address. So the vault refuses to pretend:
keyring's ``fail`` backend (nothing available), its ``null`` backend (silently forgets) and the
``keyrings.alt`` file backends (plain text or base64 on disk) all count as *no usable keyring*, and
saving then raises ``KeyringUnavailableError``. The only fallback is the explicit session-only mode the
user chooses: passwords kept in this process's memory and gone when it quits.

Keyring calls can block (an unlock prompt, a slow D-Bus service), so they run in a worker thread.
Entries are filed under the service ``"Temp Inbox"`` with the user name ``"<provider id>:<address>"`` so
the same address on two providers does not collide.

The default backend is found on first use, not when the vault is made: finding it imports keyring and
every installed backend (one of them runs ``ldconfig`` to look for macOS's Security framework), about
40 ms that start-up spends in a worker thread after the window is on screen (``ready()``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from desktop_app.core.errors import KeyringUnavailableError, SecretsError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "Temp Inbox"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    usable: bool
    backend: str  # e.g. "keyring.backends.SecretService.Keyring"
    reason: str = ""  # why it is not usable (for the log and the details pane)


def _name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def keyring_status(backend: KeyringBackend) -> KeyringStatus:
    """Whether ``backend`` keeps passwords safely and for good."""
    name = _name(backend)
    module = type(backend).__module__
    if module.startswith("keyring.backends.chainer"):
        # The chainer writes to the first of its backends that accepts the password.
        chained: list[KeyringBackend] = list(getattr(backend, "backends", []))
        if not chained:
            return KeyringStatus(False, name, "no keyring backend is installed or running")
        first = keyring_status(chained[0])
        return KeyringStatus(first.usable, f"{name}({first.backend})", first.reason)
    if module.startswith("keyring.backends.fail"):
        return KeyringStatus(False, name, "no keyring service (such as GNOME Keyring or KWallet) is running")
    if module.startswith("keyring.backends.null"):
        return KeyringStatus(False, name, "the 'null' keyring backend forgets every password")
    if module.startswith("keyrings.alt"):
        return KeyringStatus(False, name, "keyrings.alt backends keep passwords in a file, not a keyring")
    return KeyringStatus(True, name)


def _username(provider_id: str, address: str) -> str:
    return f"{provider_id}:{address.strip().lower()}"


def _default_backend() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


class PasswordVault:
    def __init__(self, backend: KeyringBackend | None = None, *, service: str = SERVICE) -> None:
        self._backend: KeyringBackend | None = None
        self._status = KeyringStatus(False, "", "")
        self._service = service
        self._memory: dict[str, str] = {}
        self._session_only = False
        if backend is not None:
            self._use(backend)

    def _use(self, backend: KeyringBackend) -> KeyringBackend:
        if self._backend is None:  # a ready() in a worker thread and a first use may both find one
            self._backend = backend
            self._status = keyring_status(backend)
            if not self._status.usable:
                log.warning("no usable keyring (%s): %s", self._status.backend, self._status.reason)
        return self._backend

    def _keyring(self) -> KeyringBackend:
        return self._backend if self._backend is not None else self._use(_default_backend())

    async def ready(self) -> KeyringStatus:
        """The status, finding the default backend in a worker thread if nobody has needed it yet."""
        if self._backend is None:
            self._use(await asyncio.to_thread(_default_backend))
        return self._status

    def status(self) -> KeyringStatus:
        self._keyring()
        return self._status

    @property
    def session_only(self) -> bool:
        """True once the user chose to keep every password of this session in memory only."""
        return self._session_only

    def use_session_only(self) -> None:
        self._session_only = True

    def is_in_memory(self, provider_id: str, address: str) -> bool:
        return _username(provider_id, address) in self._memory

    def _unavailable(self) -> KeyringUnavailableError:
        return KeyringUnavailableError(detail=f"{self._status.backend}: {self._status.reason}")

    async def _call(self, what: str, call: Callable[[], T]) -> T:
        import keyring.errors

        try:
            return await asyncio.to_thread(call)
        except keyring.errors.NoKeyringError as exc:
            raise KeyringUnavailableError(detail=f"{what}: {exc}") from exc
        except keyring.errors.KeyringLocked as exc:
            raise SecretsError(detail=f"{what}: the keyring is locked: {exc}") from exc
        except Exception as exc:  # D-Bus and backend errors come in many types; none carry the password
            raise SecretsError(detail=f"{what}: {type(exc).__name__}: {exc}") from exc

    async def save(
        self, provider_id: str, address: str, password: str, *, session_only: bool = False
    ) -> None:
        """Store the password; ``session_only`` (or the vault's session-only mode) keeps it in memory."""
        user = _username(provider_id, address)
        if session_only or self._session_only:
            self._memory[user] = password
            return
        backend = self._keyring()
        if not self._status.usable:
            raise self._unavailable()
        await self._call("save", lambda: backend.set_password(self._service, user, password))
        # Read back: a backend that accepts a password and drops it would lose the address for good.
        stored = await self._call("verify", lambda: backend.get_password(self._service, user))
        if stored != password:
            raise SecretsError(detail=f"{self._status.backend} did not keep the password for {user}")
        self._memory.pop(user, None)

    async def load(self, provider_id: str, address: str) -> str | None:
        """The password, or None if none was saved. Raises ``KeyringUnavailableError`` if it cannot look."""
        user = _username(provider_id, address)
        if user in self._memory:
            return self._memory[user]
        backend = self._keyring()
        if not self._status.usable:
            raise self._unavailable()
        return await self._call("load", lambda: backend.get_password(self._service, user))

    async def delete(self, provider_id: str, address: str) -> None:
        """Forget the password (memory and keyring); deleting a missing entry is not an error."""
        user = _username(provider_id, address)
        in_memory = self._memory.pop(user, None) is not None
        backend = self._keyring()
        if not self._status.usable:
            if in_memory:
                return
            raise self._unavailable()

        def delete_entry() -> None:
            import keyring.errors

            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # nothing stored under it
                backend.delete_password(self._service, user)

        await self._call("delete", delete_entry)
