"""The application service: every address's mailbox, the address book and the cache, behind one
Qt-free object that the window (through its controller), the tray, notifications and the command
line all use.

Start-up is offline-first: the cache is readable at once; ``start()`` then settles half-created
addresses and opens a live mailbox for every address, without blocking the window.

Over 300 lines: the door answers every question of three front ends; the rules it applies are in the
modules it imports (``accounts.rows``, ``notice``, ``waiting``, ``probe``, ``codes``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from desktop_app.core import errors, health
from desktop_app.core.accounts import (
    AddressBook,
    AddressRow,
    ExportReport,
    ImportReport,
    KeyringStatus,
    OpenAddress,
    PasswordVault,
    address_row,
    transfer,
)
from desktop_app.core.api import (
    BUILTIN,
    LOCAL_ID,
    LOCAL_NAME,
    MailTmClient,
    Provider,
    custom_provider,
    local_port,
    local_provider,
    parse_smtp,
    request_budget,
)
from desktop_app.core.codes import Extraction, extract_from_message, extract_from_summary
from desktop_app.core.events import (
    ConnectionState,
    Expectation,
    Listener,
    UsageChanged,
)
from desktop_app.core.lifetime import AddressLifetimes, Clock, check_future
from desktop_app.core.local_service import LocalEndpoints, LocalService
from desktop_app.core.models import Message, MessageSummary
from desktop_app.core.paths import write_private_file
from desktop_app.core.probe import PROBE_TIMEOUT_S, DeliveryProbes, ProbeOutcome, Smtp, deleting_probes
from desktop_app.core.sealed import inline_parts_async
from desktop_app.core.store import (
    AddressedSummary,
    AddressState,
    MessageSort,
    Store,
    StoredAddress,
    mailbox_key,
)
from desktop_app.core.sync import MailboxSet, SyncSettings
from desktop_app.core.tasks import NamedTasks
from desktop_app.core.waiting import ArrivedMessage, MessageWaiters, NoMailInTime, WaitOrigin

log = logging.getLogger(__name__)

OPEN_STATES = (AddressState.ACTIVE, AddressState.SESSION_ONLY)

__all__ = ["OPEN_STATES", "ArrivedMessage", "Expectation", "Inbox", "LoadedMessage", "NoMailInTime"]

# "This computer" in the lists before its server first ran here: resolved by starting it, never saved.
LOCAL_NOT_STARTED = local_provider("http://127.0.0.1", "http://127.0.0.1/.well-known/mercure")


@dataclass(frozen=True, slots=True)
class LoadedMessage:
    message: Message
    inline_parts: dict[str, tuple[str, bytes]]
    raw: bytes | None
    source_pending: bool = False  # raw is None for now: ``Inbox.load_source`` fetches it


class Inbox:
    """The one door into the core: its store, keyring and mailboxes are its own (private), and it
    answers every question the window, the tray and the command line ask, with core values."""

    def __init__(
        self,
        store: Store,
        vault: PasswordVault,
        provider: Provider,
        *,
        sync_settings: SyncSettings | None = None,
        client_factory: Callable[[Provider], MailTmClient] | None = None,
        mailboxes: MailboxSet | None = None,
        clock: Clock | None = None,
        probe_smtp: Smtp | None = None,
        local: LocalService | None = None,
    ) -> None:
        self._store = store
        self._vault = vault
        self.provider = provider
        self._clients: dict[str, MailTmClient] = {}
        self._client_factory = client_factory or (
            lambda p: MailTmClient(p.api_url, rate_limit=request_budget(p))
        )
        self.book = AddressBook(store, vault, self._service)
        # A test that drives the mailboxes' events or watches their catch-ups passes its own set.
        self._mailboxes = MailboxSet(store, settings=sync_settings) if mailboxes is None else mailboxes
        self.tasks = NamedTasks("inbox")
        # Addresses kept for one session only by an earlier run, found and dropped by start(): the
        # window says they are gone instead of letting them vanish silently.
        self.gone_session_only: list[str] = []
        self._accounts: dict[str, MailTmClient] = {}
        # Where the health check may send a test mail to the provider's addresses (local mode's SMTP).
        self.probe_smtp: dict[str, Smtp] = {provider.id: probe_smtp} if probe_smtp else {}
        self.probe_timeout = PROBE_TIMEOUT_S
        self._probes = DeliveryProbes()
        self._waiters = MessageWaiters(
            self.tasks, self.extraction, ignore=self._probes.is_probe, on_change=self._mailboxes.events.emit
        )
        # Why an address could not be opened at start-up (no password, keyring locked): shown in the
        # sidebar instead of a silent "offline (cached)". Kept in memory only: a later start may succeed.
        self.open_problems: dict[str, str] = {}
        self.current_address: str | None = None
        self._mailboxes.events.subscribe(self._probes.on_event)
        self._mailboxes.events.subscribe(self._waiters.on_event)
        self._mailboxes.events.subscribe(deleting_probes(self._probes, self.tasks, self._delete_probe))
        # Deletes each address at the expiry the user chose (a test passes a clock it moves itself).
        self._lifetimes = AddressLifetimes(
            self.addresses, self._delete_expired, self._mailboxes.events.emit, clock=clock
        )
        store.save_provider(provider)  # refreshes the URL of a provider whose port changes (local)
        # The server on this computer, started when an address on it or the user's choice needs it.
        self._local = local
        self._opening: set[str] = set()
        self._opened_once = False
        self._closed = False  # aclose() began: a server start that ends now opens nothing
        if local is not None:
            local.on_started(self._local_started)

    def _service(self, provider: Provider) -> MailTmClient:
        """The provider's shared client. None for this computer's server while it does not run here:
        every call (open, create, settle, delete, check) would reach whatever listens at last run's
        port, and a "no such account" from it would pass for "already deleted"."""
        if not self.provider_running(provider.id):
            raise errors.ProviderNotRunningError(detail=f"{provider.id} at {provider.api_url}: not ours now")
        client = self._clients.get(provider.id)
        if client is None:
            client = self._clients[provider.id] = self._client_factory(provider)
        return client

    # -- start and stop ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Open a live mailbox for every address, then settle half-created ones (and open those).

        Settling needs the network; a slow or unreachable service must not hold up the other addresses."""
        await self._vault.ready()  # finding the keyring backend is slow: in a worker thread, not here
        self.gone_session_only = self.book.forget_session_only()
        for address in self.gone_session_only:
            log.info("%s was kept for one session only and is gone", address)
        # Addresses on this computer's server come back live with it; the others need not wait for it.
        local_start = self.tasks.spawn("local mail server", self._start_local_for_addresses())
        await self._open_all()
        self._opened_once = True
        # Before settling half-created ones (network, perhaps slow): what expired while the app was
        # closed goes now.
        self.tasks.spawn("address lifetimes", self._lifetimes.run())
        await asyncio.wait([local_start])  # half-created addresses on it are settled against it
        for outcome in await self.book.reconcile_pending():
            log.info("recovered %s: %s %s", outcome.address, outcome.state, outcome.reason)
        await self._open_all()
        if self.current_address is None and self.addresses():
            self.current_address = self.addresses()[0].address

    async def _open_all(self) -> None:
        for record in self.addresses():
            address = record.address
            if record.state not in OPEN_STATES or address in self._accounts or address in self._opening:
                continue
            if record.provider_id == LOCAL_ID and self.starts_on_demand(LOCAL_ID):
                continue  # opened once its server runs (_local_started), not at an earlier run's port
            self._opening.add(address)
            try:
                self._attach(await self.book.open(address), record)
            except errors.TempInboxError as exc:
                log.warning("cannot open %s: %s (%s)", address, exc, exc.detail)
                self.open_problems[address] = str(exc)
            finally:
                self._opening.discard(address)

    def _attach(self, client: MailTmClient, record: StoredAddress) -> None:
        provider = self._store.get_provider(record.provider_id)
        if provider is None or self._store.get_address(record.address) is None:
            return  # deleted meanwhile (e.g. it expired while it was being opened)
        self._accounts[record.address] = client
        self.open_problems.pop(record.address, None)
        self._mailboxes.add(client, provider.hub_url)

    async def aclose(self, timeout: float = 2.0) -> bool:
        """Stop everything within about ``timeout``; True when every task and mailbox ended in time."""
        self._closed = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._waiters.cancel_all()
        tasks_ended = await self.tasks.close(timeout / 2)
        mailboxes_ended = await self._mailboxes.aclose(max(0.1, deadline - loop.time()))
        for client in self._clients.values():
            await client.aclose()
        return tasks_ended and mailboxes_ended

    # -- addresses --------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Hear every mailbox event (new mail, seen, removed, usage, connection); returns unsubscribe."""
        return self._mailboxes.events.subscribe(listener)

    def addresses(self) -> list[StoredAddress]:
        return self._store.list_addresses()

    def address_rows(self) -> list[AddressRow]:
        """Every address as the sidebar, the tray and ``temp-inbox list`` show it."""
        unread = self._store.unread_counts()
        providers = {p.id: p for p in self.providers()}
        now = self._lifetimes.clock.now()
        rows = []
        for record in self.addresses():
            provider = providers.get(record.provider_id)
            rows.append(
                address_row(
                    record,
                    self.connection_state(record.address),
                    open_problem=self.open_problems.get(record.address),
                    unread=unread.get(record.address, 0),
                    provider_name=provider.name if provider else record.provider_id,
                    current=record.address == self.current_address,
                    now=now,
                    expiry_problem=self._lifetimes.problems.get(record.address),
                )
            )
        return rows

    def unread_total(self) -> int:
        return sum(self._store.unread_counts().values())

    def connection_state(self, address: str) -> ConnectionState:
        mailbox = self._mailboxes.get(address)
        if mailbox is None:
            return ConnectionState("stopped", "offline")
        return mailbox.state

    def is_live(self, address: str) -> bool:
        return self.connection_state(address).kind == "live"

    def is_open(self, address: str) -> bool:
        """Whether the address has a live mailbox (logged in), whatever its connection state."""
        return self._mailboxes.get(mailbox_key(address)) is not None

    def request_catch_up(self, address: str, reason: str) -> None:
        """Ask the service again for the address's list, from page 1 down to a known message."""
        mailbox = self._mailboxes.get(address)
        if mailbox is not None:
            mailbox.request_catch_up(reason)

    def keyring_status(self) -> KeyringStatus:
        return self._vault.status()

    async def keyring_ready(self) -> KeyringStatus:
        """``keyring_status()`` without blocking the loop while the backend is first looked for."""
        return await self._vault.ready()

    def can_keep_passwords(self) -> bool:
        """False when a new address would need the user's consent to live for this session only."""
        return self._vault.status().usable or self._vault.session_only

    def rename_address(self, address: str, label: str) -> None:
        self._store.set_label(address, label.strip())

    async def usable_domains(self, provider: Provider | None = None) -> list[str]:
        """The domains a new address can have on ``provider`` (the default one unless given)."""
        return [d.domain for d in await self._service(await self._ready(provider)).usable_domains()]

    # -- the mail server on this computer ---------------------------------------------------------

    def starts_on_demand(self, provider_id: str) -> bool:
        """Whether using this provider first starts the mail server on this computer."""
        return provider_id == LOCAL_ID and self._local is not None and self._local.running is None

    @property
    def local_smtp(self) -> Smtp | None:
        """Where the server on this computer takes mail, while it runs."""
        running = self._local.running if self._local is not None else None
        return (running.smtp_host, running.smtp_port) if running is not None else None

    async def start_local_server(self) -> Provider:
        """The server on this computer, started if need be, on the port it had last time when that is
        free (``LocalServerError`` when it cannot start)."""
        if self._local is None:
            raise errors.UsageError("This Temp Inbox has no mail server of its own.")
        endpoints = await self._local.ensure(local_port(self._store.get_provider(LOCAL_ID)))
        return endpoints.provider

    async def _ready(self, provider: Provider | None) -> Provider:
        """``provider`` (the default one for None) ready to be asked: this computer's server running."""
        chosen = provider or self.provider
        if chosen.id == LOCAL_ID and self._local is not None:
            # The running server's, started if need be: never the caller's copy (the list's "starts
            # when used" entry, or one from before a restart), which create_address would save.
            return await self.start_local_server()
        return chosen

    async def _start_local_for_addresses(self) -> None:
        if not self.starts_on_demand(LOCAL_ID) or not any(
            r.provider_id == LOCAL_ID for r in self.addresses()
        ):
            return
        try:
            await self.start_local_server()
        except errors.TempInboxError as exc:  # said on each of its addresses; the others are unaffected
            log.warning("cannot start the local mail server: %s (%s)", exc, exc.detail)
            for record in self.addresses():
                if record.provider_id == LOCAL_ID:
                    self.open_problems[record.address] = str(exc)

    def _local_started(self, endpoints: LocalEndpoints) -> None:
        """The server listens (at a new port, perhaps): its provider, client and SMTP follow it."""
        provider = endpoints.provider
        self._store.save_provider(provider)
        if self.provider.id == LOCAL_ID:
            self.provider = provider
        if self._closed:  # quitting while it started: it is stopped next, nothing to open or close
            return
        stale = self._clients.pop(LOCAL_ID, None)
        if stale is not None:
            self.tasks.spawn("close the old local client", stale.aclose())
        self.probe_smtp[LOCAL_ID] = (endpoints.smtp_host, endpoints.smtp_port)
        if self._opened_once:  # its addresses (start() opens them itself before that)
            self.tasks.spawn("open local addresses", self._open_all())

    # -- providers --------------------------------------------------------------------------------

    def providers(self) -> list[Provider]:
        """mail.tm and mail.gw, then every provider an address or the user added, the default first."""
        known: dict[str, Provider] = {self.provider.id: self.provider}
        # This computer's entry under today's name: a cache from before it was renamed keeps the old
        # one until its server first runs here (and `new --provider "This computer"` must find it).
        kept = [replace(p, name=LOCAL_NAME) if p.id == LOCAL_ID else p for p in self._store.list_providers()]
        if self._local is not None:  # "This computer" is always there, next to the built-in ones
            kept.insert(0, next((p for p in kept if p.id == LOCAL_ID), LOCAL_NOT_STARTED))
        for provider in (*BUILTIN, *kept):
            known.setdefault(provider.id, provider)
        return list(known.values())

    def providers_for_new_addresses(self) -> list[Provider]:
        """Where an address can be made or logged in to now: every provider, the default first. This
        computer's server is started when chosen; without one (an Inbox built without it), a "local"
        provider kept by an earlier run is left out: nothing listens at its port any more."""
        if self._local is not None:
            return self.providers()
        return [p for p in self.providers() if p.id != LOCAL_ID or p.id == self.provider.id]

    def credited_providers(self) -> list[Provider]:
        """The providers in use whose terms ask for a visible credit link: the default one (new
        addresses go there) and every one holding an address (mail.tm, mail.gw)."""
        in_use = {self.provider.id} | {record.provider_id for record in self.addresses()}
        return [p for p in self.providers() if p.id in in_use and p.requires_credit]

    def find_provider(self, name: str) -> Provider | None:
        """A known provider by its id, its name or its API URL (as ``new --provider`` takes it)."""
        wanted = name.strip().lower().rstrip("/")
        return next(
            (p for p in self.providers() if wanted in (p.id.lower(), p.name.lower(), p.api_url.lower())), None
        )

    async def add_provider(
        self, api_url: str, hub_url: str | None = None, name: str | None = None, smtp: str | None = None
    ) -> Provider:
        """A custom mail.tm-compatible service, kept once its ``GET /domains`` answered. ``smtp``
        (``host:port``) is where the health check may send it a test mail; "none" forgets a kept one,
        None keeps it. Adding a kept service again updates it."""
        endpoint = parse_smtp(smtp) if smtp is not None else None
        provider = custom_provider(api_url, hub_url, name=name)
        if endpoint is not None and provider in BUILTIN:
            raise errors.UsageError(
                f"{provider.name} is built in: an SMTP server for test mail is for a server you configure."
            )
        probe = MailTmClient(provider.api_url, max_retries=0, rate_limit=request_budget(provider))
        try:
            await probe.domains()
        except errors.NetworkError as exc:
            raise errors.UsageError(
                f"{provider.api_url} did not answer as a mail.tm-compatible service: nothing answered "
                "there. Check the address, and that the server is running.",
                detail=exc.detail,
            ) from exc
        except (errors.ServerError, errors.RateLimitedError) as exc:  # it is one, with trouble now
            raise errors.UsageError(
                f"{provider.api_url} did not answer as a mail.tm-compatible service: {exc}", detail=exc.detail
            ) from exc
        except errors.ApiError as exc:
            raise errors.UsageError(
                f"{provider.api_url} did not answer as a mail.tm-compatible service: something answered, "
                "but with no list of domains. Check that this is the address of its API, not its web site.",
                detail=exc.detail,
            ) from exc
        finally:
            await probe.aclose()
        self._store.save_provider(provider)
        if smtp is not None:
            self._store.set_provider_smtp(provider.id, endpoint)
        return self._store.get_provider(provider.id) or provider

    def remove_provider(self, name: str) -> Provider:
        provider = self.find_provider(name)
        if provider is None:
            raise errors.UsageError(f"There is no provider called {name!r}.")
        built_in = {p.id for p in BUILTIN} | ({LOCAL_ID} if self._local is not None else set())
        if provider.id in built_in or provider.id == self.provider.id:
            raise errors.UsageError(f"{provider.name} is built in or the default provider: it stays.")
        in_use = [r.address for r in self.addresses() if r.provider_id == provider.id]
        if in_use:
            raise errors.UsageError(
                f"{provider.name} still holds {len(in_use)} address(es), e.g. {in_use[0]}: delete them first."
            )
        self._store.forget_provider(provider.id)
        return provider

    async def provider_for(self, name_or_url: str) -> Provider:
        """``new --provider``: a known provider, or a new service by its URL (checked, then kept)."""
        known = self.find_provider(name_or_url)
        if known is not None:
            return known
        if "://" in name_or_url:
            return await self.add_provider(name_or_url)
        names = ", ".join(p.name for p in self.providers())
        raise errors.UsageError(
            f"There is no provider called {name_or_url!r} (known: {names}); give its URL."
        )

    # -- addresses (continued) ----------------------------------------------------------------------

    async def create_address(
        self,
        local_part: str | None = None,
        domain: str | None = None,
        label: str = "",
        *,
        password: str | None = None,
        session_only: bool = False,
        provider: Provider | None = None,
        expires_in: timedelta | None = None,
    ) -> StoredAddress:
        """A new address on ``provider`` (the default one unless given); several providers live side
        by side, each address with its own provider's budget and hub. ``expires_in``: delete it
        automatically that long from now."""
        chosen = await self._ready(provider)
        self._store.save_provider(chosen)
        opened = await self.book.create(
            chosen,
            local_part=local_part,
            domain=domain,
            label=label,
            password=password,
            session_only=session_only,
            expires_at=self._lifetimes.clock.now() + expires_in if expires_in else None,
        )
        if expires_in:
            self._lifetimes.changed(opened.record.address)
        return self._opened(opened)

    async def login_address(
        self,
        address: str,
        password: str,
        label: str = "",
        *,
        session_only: bool = False,
        provider: Provider | None = None,
    ) -> StoredAddress:
        """An existing address on ``provider`` (the default one unless given)."""
        chosen = await self._ready(provider)
        return self._opened(
            await self.book.add_existing(chosen, address, password, label=label, session_only=session_only)
        )

    def _opened(self, opened: OpenAddress) -> StoredAddress:
        self._attach(opened.client, opened.record)
        self.current_address = opened.record.address
        return opened.record

    async def delete_address(self, address: str) -> bool:
        """The user's Delete; True when the account is gone from the service too (False: removed here
        only, e.g. no password was saved to log in with)."""
        return await self._delete(mailbox_key(address))

    async def _delete_expired(self, address: str, still_due: Callable[[], bool]) -> bool:
        """The scheduler's deletion: ``still_due`` is asked once more right before the remote DELETE
        (a "Keep address" during the first steps calls it off). True when it is gone from the service."""
        return await self._delete(address, still_due)

    def provider_running(self, provider_id: str) -> bool:
        """Whether an answer at the provider's stored URL comes from that provider: always for a
        service out there; for the server on this computer, only while this run serves it (the one
        an earlier run kept has that run's port)."""
        if provider_id != LOCAL_ID:
            return True
        if self._local is not None:
            return self._local.running is not None
        return self.provider.id == LOCAL_ID  # an Inbox handed a running server of its own (tests)

    async def _reach_local(self) -> None:
        """Before anything is asked of an address on this computer's server: that server started here
        (on demand; it may not be up yet at start-up), else ``ProviderNotRunningError``, nothing asked."""
        if self.starts_on_demand(LOCAL_ID):
            try:
                await self.start_local_server()
            except errors.LocalServerError as exc:
                raise errors.ProviderNotRunningError.not_deleted(True, exc.detail or str(exc)) from exc
        if not self.provider_running(LOCAL_ID):
            raise errors.ProviderNotRunningError.not_deleted(False, f"{LOCAL_ID} is not running here")

    async def _delete(self, key: str, still_wanted: Callable[[], bool] | None = None) -> bool:
        record = self._store.get_address(key)
        if record is not None and record.provider_id == LOCAL_ID:
            await self._reach_local()  # not deleted, and kept whole: tried again (expiry) or said
        await self._mailboxes.remove(key)
        client = self._accounts.pop(key, None)
        try:
            deleted_there = await self.book.delete(key, confirm=True, still_wanted=still_wanted)
        except BaseException:
            # Not deleted (offline, keyring locked…): the address stays, so it must stay live too.
            record = self._store.get_address(key)
            if client is not None and record is not None:
                self._attach(client, record)
            raise
        self.open_problems.pop(key, None)
        self._lifetimes.forget(key)
        if self.current_address == key:
            remaining = self.addresses()
            self.current_address = remaining[0].address if remaining else None
        return deleted_there

    def set_expiry(self, address: str, expires_at: datetime | None) -> StoredAddress:
        """Delete ``address`` automatically at ``expires_at`` (a time to come), or never (None)."""
        key = mailbox_key(address)
        if self._store.get_address(key) is None:
            raise errors.UsageError(f"{key} is not one of your addresses.")
        if expires_at is not None:
            check_future(expires_at, self._lifetimes.clock.now())
        self._store.set_expiry(key, expires_at)
        self._lifetimes.changed(key)
        record = self._store.get_address(key)
        assert record is not None
        return record

    def set_lifetime(self, address: str, lifetime: timedelta | None) -> StoredAddress:
        """Delete ``address`` automatically ``lifetime`` from now, or never (None)."""
        return self.set_expiry(address, self._lifetimes.clock.now() + lifetime if lifetime else None)

    def now(self) -> datetime:
        """The time lifetimes are measured by (the command line resolves ``--expires 1d`` with it)."""
        return self._lifetimes.clock.now()

    async def export_addresses(self, path: Path, *, include_passwords: bool = False) -> ExportReport:
        """Every address to ``path`` (owner-only); passwords only when asked (``accounts/transfer.py``)."""
        return await transfer.export_addresses(
            self._store, self._vault, path, include_passwords=include_passwords
        )

    async def import_addresses(self, path: Path, *, session_only: bool = False) -> ImportReport:
        """The file's new addresses, all or nothing, then live like the others (those with a password)."""
        report = await transfer.import_addresses(
            self._store, self._vault, path, session_only=session_only, now=self._lifetimes.clock.now()
        )
        await self._start_local_for_addresses()  # an address on this computer's server brings it up
        await self._open_all()
        self._lifetimes.changed()
        if self.current_address is None and report.added:
            self.current_address = mailbox_key(report.added[0])
        return report

    async def check_address(
        self, address: str, progress: health.Progress | None = None
    ) -> health.HealthReport:
        """Why hasn't my mail arrived? The live checks of :mod:`desktop_app.core.health` for one address."""
        key = mailbox_key(address)
        record = self._store.get_address(key)
        if record is not None and self.starts_on_demand(record.provider_id):
            await self.start_local_server()  # LocalServerError: said instead of a check at a stale port
        provider = self._store.get_provider(record.provider_id) if record is not None else None
        if record is None or provider is None:
            raise errors.UsageError(f"{address} is not one of your addresses.")
        password: str | None = None
        problem = ""
        try:
            password = await self._vault.load(provider.id, record.address)
        except errors.SecretsError as exc:
            problem = str(exc)
        facts = health.AddressFacts(
            address=record.address,
            password=password,
            password_problem=problem,
            session_only=self._vault.is_in_memory(provider.id, record.address),
            account_id=record.account_id,
            live=self.connection_state(key),
            hub_url=provider.hub_url,
        )
        # No retries: a failing service must show at once, not after the client's patient backoff.
        service = MailTmClient(
            provider.api_url,
            http=self._service(provider).http,
            max_retries=0,
            rate_limit=request_budget(provider),
        )
        # The local server's SMTP of this run, or the one the user configured for a provider.
        smtp = self.probe_smtp.get(provider.id) or provider.smtp

        async def probe() -> ProbeOutcome:
            assert smtp is not None
            return await self._probes.probe(smtp, record.address, self.probe_timeout)

        return await health.check_address(
            facts, service, progress=progress, probe=probe if smtp is not None else None
        )

    def is_probe(self, summary: MessageSummary) -> bool:
        """A test mail of the health check: not the user's mail, never announced, deleted on arrival."""
        return self._probes.is_probe(summary)

    async def _delete_probe(self, address: str, message_id: str) -> None:
        await self.delete_message(address, message_id)
        # The service pushed the usage with the probe in it and pushes nothing on a deletion: read it
        # again, so the sidebar does not keep the probe's bytes.
        me = await self.client(address).me()
        self._store.set_usage(mailbox_key(address), me.used, me.quota)
        self._mailboxes.events.emit(UsageChanged(mailbox_key(address), me.used, me.quota))

    def reconnect(self, address: str) -> None:
        """Restart the live stream of ``address`` now (no backoff left to sit out); an address that
        could not be opened at start (keyring locked then) is opened now."""
        mailbox = self._mailboxes.get(mailbox_key(address))
        if mailbox is not None:
            mailbox.reconnect()
        else:
            self.tasks.spawn(f"open {address}", self._open_all())

    def client(self, address: str) -> MailTmClient:
        client = self._accounts.get(mailbox_key(address))
        if client is None:
            raise errors.UsageError(f"{address} is not open; check its password or connection.")
        return client

    # -- messages ---------------------------------------------------------------------------------

    def list_messages(
        self,
        address: str,
        offset: int,
        limit: int,
        search: str | None = None,
        *,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[MessageSummary]:
        """A page of the address's cached messages, newest first unless ``sort``/``ascending`` say."""
        return self._store.list_summaries(address, offset, limit, search, sort=sort, ascending=ascending)

    def count_messages(self, address: str, search: str | None = None) -> int:
        return self._store.count_summaries(address, search)

    def list_all_messages(
        self,
        offset: int,
        limit: int,
        search: str | None = None,
        *,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[AddressedSummary]:
        """A page of every address's cached mail together ("All addresses"), each with its address."""
        return self._store.list_all_summaries(offset, limit, search, sort=sort, ascending=ascending)

    def count_all_messages(self, search: str | None = None) -> int:
        return self._store.count_all_summaries(search)

    def message_address(self, message_id: str) -> str | None:
        """The address a cached message belongs to (None when it is not in the cache)."""
        return self._store.message_address(message_id)

    async def _full_message(self, address: str, message_id: str) -> Message:
        """The full message from the cache, or from the service (then cached)."""
        message = self._store.get_message(message_id)
        if message is None:
            client = self._accounts.get(mailbox_key(address))
            if client is None:
                raise errors.NetworkError("This message is not in the offline cache yet.")
            message = await client.message(message_id)
            self._store.save_message(mailbox_key(address), message)
        return message

    async def load_message(self, address: str, message_id: str) -> LoadedMessage:
        """The full message, marked seen, with its raw source when it is cached or its HTML needs the
        inline parts in it. Otherwise ``source_pending``: the body is shown without waiting for a
        download (tens of ms), and ``load_source`` fetches the source for the headers and sizes."""
        message = await self._full_message(address, message_id)
        needs_parts = any("cid:" in h for h in message.html)
        raw = self._store.get_raw(message_id)
        if raw is None and needs_parts:
            raw = await self.load_source(address, message_id)
        # Off the event loop: the source is the sender's, and parsing it may cost seconds.
        parts = await inline_parts_async(raw) if raw and needs_parts else {}
        if not message.summary.seen:
            self._mailboxes.note_seen(mailbox_key(address), message_id, True)
            client = self._accounts.get(mailbox_key(address))
            if client is not None:
                self.tasks.spawn(f"seen {message_id}", self._push_seen(client, message_id, True))
            # What the caller shows is the message as it is now: opened, so seen. (The window heard
            # MessageUpdated before it had the message, and kept "Mark unread" greyed out.)
            message = replace(message, summary=replace(message.summary, seen=True))
        return LoadedMessage(message, parts, raw, source_pending=raw is None and not needs_parts)

    async def load_source(self, address: str, message_id: str) -> bytes | None:
        """``raw_source``, or None when it cannot be had (logged; the window says it is missing)."""
        try:
            return await self.raw_source(address, message_id)
        except (errors.ApiError, errors.UsageError) as exc:
            log.info("source of %s not available: %s", message_id, exc.detail or exc)
            return None

    async def _push_seen(self, client: MailTmClient, message_id: str, seen: bool) -> None:
        try:
            await client.mark_seen(message_id, seen)
        except errors.ApiError as exc:
            log.warning("could not mark %s seen=%s: %s", message_id, seen, exc.detail)

    async def set_seen(self, address: str, message_id: str, seen: bool) -> None:
        client = self.client(address)
        self._mailboxes.note_seen(mailbox_key(address), message_id, seen)
        await client.mark_seen(message_id, seen)

    async def delete_message(self, address: str, message_id: str) -> None:
        await self.client(address).delete_message(message_id)
        self._mailboxes.note_deleted(mailbox_key(address), message_id)

    async def raw_source(self, address: str, message_id: str) -> bytes:
        raw = self._store.get_raw(message_id)
        if raw is None:
            raw = await self.client(address).source(message_id)
            self._store.save_raw(message_id, raw)
        return raw

    async def attachment(self, address: str, message_id: str, attachment_id: str) -> bytes:
        return await self.client(address).attachment(message_id, attachment_id)

    async def save_source(self, address: str, message_id: str, path: Path) -> None:
        """Save the message as a ``.eml`` file, readable by the owner only."""
        await asyncio.to_thread(write_private_file, path, await self.raw_source(address, message_id))

    async def save_attachment(self, address: str, message_id: str, attachment_id: str, path: Path) -> None:
        data = await self.attachment(address, message_id, attachment_id)
        await asyncio.to_thread(write_private_file, path, data)

    async def extraction(self, address: str, summary: MessageSummary) -> Extraction:
        """Code and link of a message: from its body when it can be had, else subject and intro."""
        try:
            message = await self._full_message(address, summary.id)
            return extract_from_message(message)
        except errors.TempInboxError:
            return extract_from_summary(summary)

    # -- waiting for mail (temp-inbox wait) ---------------------------------------------------------

    async def wait_for_message(
        self,
        address: str | None = None,
        sender: str | None = None,
        timeout: float | None = None,
        *,
        subject: str | None = None,
        origin: WaitOrigin = "command",
        check_on_timeout: bool = False,
        on_registered: Callable[[], None] | None = None,
    ) -> ArrivedMessage:
        """The next message that arrives (to ``address``, from a sender matching ``sender``, with a
        subject matching ``subject``). ``on_registered`` is called once the waiter is in place: mail
        that arrives after it counts. With ``check_on_timeout``, a timeout checks the address (or the
        current one) and raises :class:`NoMailInTime` with the report, also told to listeners as an
        ``ExpectationChanged(ended="checked")``."""
        key = mailbox_key(address) if address else None
        if key is not None and self._store.get_address(key) is None:
            raise errors.UsageError(f"{key} is not one of your addresses.")
        registered = None if on_registered is None else lambda _mine: on_registered()
        if not check_on_timeout:
            return await self._waiters.wait(key, sender, timeout, registered, subject=subject, origin=origin)
        # The address checked is the current one when the time runs out, for a wait for any address.
        return await self._waiters.wait_or_say_why(
            key,
            sender,
            timeout,
            registered,
            self.check_address,
            lambda: key or self.current_address,
            subject=subject,
            origin=origin,
        )

    def expectations(self) -> list[Expectation]:
        """Every wait for mail now running (the window's and ``temp-inbox wait``'s)."""
        return self._waiters.expectations()

    def expected_by_window(self, address: str, summary: MessageSummary) -> bool:
        """Whether the window waits for this arrival: it then announces it itself, with the code."""
        return self._waiters.expected_by_window(mailbox_key(address), summary)

    def stop_waiting(self, expectation_id: int) -> bool:
        """End one wait ("Stop waiting"); its caller gets ``WaitStoppedError``."""
        return self._waiters.cancel(expectation_id)
