"""The life of an address: create, log in to an existing one, delete, and recover half-created ones.

mail.tm has no password reset, so creation is ordered so that a crash at any step can be finished
or undone on the next start, and the password is never lost:

1. ``recorded``        the address is in the cache as ``pending``
2. ``password-saved``  its password is in the keyring (or in memory, for a session-only address)
3. ``account-created`` ``POST /accounts`` succeeded
4. ``logged-in``       ``POST /token`` succeeded; the address is then marked ``active``

``reconcile_pending()`` (run at start-up) settles every address still ``pending``: no saved password
means the service was never asked, so the record is dropped; otherwise log in, or create the account
and log in. "Taken" after our own earlier attempt means that attempt reached the service: log in again;
if the password is still refused the address is marked ``failed`` and its password kept.

Over 300 lines: creating, deleting and recovering an address rest on the same ordering of cache,
keyring and service steps; apart, each would have to restate the others' rules.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from desktop_app.core.accounts.names import (
    generate_password,
    random_local_part,
    split_address,
    validate_local_part,
)
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import MailTmClient, Provider
from desktop_app.core.errors import (
    AccountGoneError,
    AddressNotRecoveredError,
    AddressTakenError,
    ApiError,
    DeletionUnconfirmedError,
    ExpiryCancelledError,
    InvalidCredentialsError,
    KeyringUnavailableError,
    KeyringUnreadableError,
    NotFoundError,
    PasswordMissingError,
    SecretsError,
    UsageError,
    ValidationError,
)
from desktop_app.core.store import AddressState, Store, StoredAddress, mailbox_key

log = logging.getLogger(__name__)

ClientFactory = Callable[[Provider], MailTmClient]  # the shared, not-logged-in client of a provider
Checkpoint = Callable[[str], None]  # called after each creation step (tests use it to simulate a crash)

RANDOM_NAME_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class OpenAddress:
    record: StoredAddress
    provider: Provider
    client: MailTmClient  # logged in, ready for the mailbox


@dataclass(frozen=True, slots=True)
class ReconcileOutcome:
    address: str
    state: AddressState | None  # None: the record was dropped (the service was never asked)
    reason: str = ""


class AddressBook:
    def __init__(
        self,
        store: Store,
        vault: PasswordVault,
        client_for: ClientFactory,
        *,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self._store = store
        self._vault = vault
        self._client_for = client_for
        self._checkpoint = checkpoint or (lambda step: None)

    # -- create ----------------------------------------------------------------------------------

    async def create(
        self,
        provider: Provider,
        *,
        local_part: str | None = None,
        domain: str | None = None,
        label: str = "",
        password: str | None = None,
        session_only: bool = False,
        expires_at: datetime | None = None,
    ) -> OpenAddress:
        """A new address: ``local_part`` or a random readable one, on ``domain`` or a usable one.
        ``password`` is the one the user was shown; by default a strong one is generated.
        ``expires_at`` is recorded with the first step, so no crash can leave it out."""
        custom = validate_local_part(local_part) if local_part is not None else None
        service = self._client_for(provider)
        if domain is None:
            usable = await service.usable_domains()
            if not usable:
                raise UsageError("The mail service offers no public domain for new addresses right now.")
            domain = secrets.choice(usable).domain
        else:
            domain = split_address(f"xyz@{domain}")[1]
        for attempt in range(1 if custom else RANDOM_NAME_ATTEMPTS):
            address = f"{custom or random_local_part()}@{domain}"
            if self._store.get_address(address) is not None:
                if custom:
                    raise UsageError(f"{address} is already in your list.")
                continue
            try:
                return await self._create_one(
                    provider, service, address, label, password, session_only, expires_at=expires_at
                )
            except AddressTakenError:
                if custom or attempt == RANDOM_NAME_ATTEMPTS - 1:
                    raise
                log.info("random name %s was taken, trying another", address)
        raise AddressTakenError()

    async def _create_one(
        self,
        provider: Provider,
        service: MailTmClient,
        address: str,
        label: str,
        password: str | None,
        session_only: bool,
        *,
        expires_at: datetime | None = None,
    ) -> OpenAddress:
        password = password or generate_password()
        self._store.save_provider(provider)
        self._store.add_address(
            address, provider.id, state=AddressState.PENDING, label=label, expires_at=expires_at
        )
        self._checkpoint("recorded")
        try:
            await self._vault.save(provider.id, address, password, session_only=session_only)
        except BaseException:
            self._store.forget_address(address)  # the service was never asked: nothing to keep
            raise
        self._checkpoint("password-saved")
        try:
            account = await service.create_account(address, password)
        except ValidationError:
            # Refused (taken, bad domain…): certainly not created, so undo steps 1–2. Any other error
            # leaves it unknown whether the account exists; it stays pending for reconcile_pending().
            await self._discard(provider, address)
            raise
        self._store.set_state(address, AddressState.PENDING, account_id=account.id)
        self._checkpoint("account-created")
        client = service.for_account(address, password, account_id=account.id)
        await client.login()
        self._checkpoint("logged-in")
        return self._activate(provider, client, session_only)

    def _activate(self, provider: Provider, client: MailTmClient, session_only: bool) -> OpenAddress:
        assert client.address is not None
        kept_in_memory = session_only or self._vault.is_in_memory(provider.id, client.address)
        state = AddressState.SESSION_ONLY if kept_in_memory else AddressState.ACTIVE
        self._store.set_state(client.address, state, account_id=client.account_id)
        record = self._store.get_address(client.address)
        assert record is not None
        return OpenAddress(record, provider, client)

    async def _discard(self, provider: Provider, address: str) -> None:
        self._store.forget_address(address)
        try:
            await self._vault.delete(provider.id, address)
        except SecretsError as exc:
            log.warning("could not remove the password of discarded %s: %s", address, exc.detail)

    # -- log in to an existing address -------------------------------------------------------------

    async def add_existing(
        self, provider: Provider, address: str, password: str, *, label: str = "", session_only: bool = False
    ) -> OpenAddress:
        """Add an address the user already owns; the password is checked with the service first."""
        local, domain = split_address(address, strict=False)
        key = f"{local}@{domain}"
        if self._store.get_address(key) is not None:
            raise UsageError(f"{key} is already in your list.")
        client = self._client_for(provider).for_account(key, password)
        await client.login()  # InvalidCredentialsError: wrong address or password; nothing is saved
        self._store.save_provider(provider)
        self._store.add_address(
            key, provider.id, state=AddressState.PENDING, account_id=client.account_id, label=label
        )
        try:
            await self._vault.save(provider.id, key, password, session_only=session_only)
        except BaseException:
            self._store.forget_address(key)
            raise
        return self._activate(provider, client, session_only)

    # -- open, delete ------------------------------------------------------------------------------

    def _record(self, address: str) -> tuple[StoredAddress, Provider]:
        record = self._store.get_address(address)
        provider = self._store.get_provider(record.provider_id) if record else None
        if record is None or provider is None:
            raise UsageError(f"{mailbox_key(address)} is not in your list.")
        return record, provider

    async def open(self, address: str) -> MailTmClient:
        """A client for a stored address with its password (it logs in on first use)."""
        record, provider = self._record(address)
        password = await self._vault.load(provider.id, record.address)
        if password is None:
            raise PasswordMissingError(detail=f"no keyring entry for {provider.id}:{record.address}")
        return self._client_for(provider).for_account(record.address, password, account_id=record.account_id)

    async def delete(
        self, address: str, *, confirm: bool = False, still_wanted: Callable[[], bool] | None = None
    ) -> bool:
        """Delete the account on the service, its password and its cached mail. Cannot be undone.
        True when the account is gone from the service (deleted now, or the service says it is gone);
        False when it was removed here only (no password saved, or the user's Delete met a refused one).

        ``still_wanted`` (an automatic deletion) is asked right before the remote DELETE, after the
        keyring and the login were awaited: False raises ``ExpiryCancelledError`` with nothing deleted.
        An automatic deletion also takes a keyring that cannot be read as a failure to retry
        (``KeyringUnreadableError``), not as "no password": the account must not be left on the
        service because the keyring daemon was not up yet; and a refused password likewise
        (``DeletionUnconfirmedError``), not as "already gone"."""
        if not confirm:
            raise UsageError("Deleting an address cannot be undone; confirm to delete it.")
        record, provider = self._record(address)
        try:
            password = await self._vault.load(provider.id, record.address)
        except KeyringUnavailableError as exc:
            if still_wanted is not None:
                raise KeyringUnreadableError(detail=exc.detail) from exc
            password = None  # the user's Delete with no keyring at all: nothing to log in with
        # Any other keyring error (locked, D-Bus trouble) propagates: retry once it is readable, or the
        # remote account could never be deleted.
        deleted_there = False
        if password is not None:
            client = self._client_for(provider).for_account(
                record.address, password, account_id=record.account_id
            )
            deleted_there = True
            try:
                await client.login()
                _check_wanted(still_wanted)
                await client.delete_account()
            except (AccountGoneError, NotFoundError) as exc:
                # Already gone: nothing is left to delete remotely. (The caller makes sure the answer
                # came from the address's own service.)
                log.info("%s: already gone from the service (%s)", record.address, exc.detail)
                _check_wanted(still_wanted)
            except InvalidCredentialsError as exc:
                # The saved password refused: gone, or a password changed elsewhere; nothing says
                # which. At expiry that is a failure to retry; the user's own Delete removes it here
                # and does not claim the service deleted it.
                if still_wanted is not None:
                    raise DeletionUnconfirmedError(status=exc.status, detail=exc.detail) from exc
                log.info("%s: the service refused the saved password (%s)", record.address, exc.detail)
                deleted_there = False
        else:
            _check_wanted(still_wanted)
            log.info("%s: no password saved, so it stays on the service", record.address)
        self._store.forget_address(record.address)
        try:
            await self._vault.delete(provider.id, record.address)
        except SecretsError as exc:
            log.warning("could not remove the password of deleted %s: %s", record.address, exc.detail)
        return deleted_there

    def forget_session_only(self) -> list[str]:
        """At start-up: drop addresses whose password only lived in a previous session's memory."""
        gone = [
            a.address
            for a in self._store.list_addresses(AddressState.SESSION_ONLY)
            if not self._vault.is_in_memory(a.provider_id, a.address)
        ]
        for address in gone:
            self._store.forget_address(address)
        return gone

    # -- recovery ----------------------------------------------------------------------------------

    async def reconcile_pending(self) -> list[ReconcileOutcome]:
        """Settle every ``pending`` address. Run it at start-up, before any new ``create()``."""
        return [await self._reconcile(r) for r in self._store.list_addresses(AddressState.PENDING)]

    async def _reconcile(self, record: StoredAddress) -> ReconcileOutcome:
        _, provider = self._record(record.address)
        address = record.address
        try:
            password = await self._vault.load(provider.id, address)
        except SecretsError as exc:
            return ReconcileOutcome(address, AddressState.PENDING, str(exc))  # cannot look now: keep all
        if password is None:
            self._store.forget_address(address)
            return ReconcileOutcome(address, None, "the service was never asked to create it")
        try:
            # No client for a provider that cannot be asked now (this computer's server not running
            # here: ``ProviderNotRunningError``): it stays pending, like an unreachable service.
            service = self._client_for(provider)
            client = service.for_account(address, password)
            try:
                await client.login()
            except InvalidCredentialsError:
                # "Taken": our earlier POST went through (or someone else took the name): log in again.
                with contextlib.suppress(AddressTakenError):
                    await service.create_account(address, password)
                await client.login()
        except InvalidCredentialsError as exc:
            failed = AddressNotRecoveredError(detail=exc.detail)
            self._store.set_state(address, AddressState.FAILED, reason=str(failed))
            return ReconcileOutcome(address, AddressState.FAILED, str(failed))
        except ValidationError as exc:  # e.g. the domain was withdrawn: it can never be created
            self._store.set_state(address, AddressState.FAILED, reason=str(exc))
            return ReconcileOutcome(address, AddressState.FAILED, str(exc))
        except ApiError as exc:  # offline, server trouble, rate limit: try again next time
            return ReconcileOutcome(address, AddressState.PENDING, str(exc))
        opened = self._activate(provider, client, session_only=False)
        return ReconcileOutcome(address, opened.record.state)


def _check_wanted(still_wanted: Callable[[], bool] | None) -> None:
    if still_wanted is not None and not still_wanted():
        raise ExpiryCancelledError()
