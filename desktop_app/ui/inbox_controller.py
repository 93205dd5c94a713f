"""The window's ``AppController``, implemented over the Qt-free ``Inbox`` service.

Every command schedules the service's coroutine as a named task and returns at once; a done-callback
turns the outcome into an ``AppSignals`` emission. Mailbox events (new mail, seen, removed, usage,
connection state) are forwarded as signals too, with address-list refreshes coalesced so a flood of
mail re-reads the sidebar a few times a second at most.

Over 300 lines: one short method for each call of the window's ``AppController`` protocol.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app.core import errors
from desktop_app.core.accounts import ImportReport, generate_password
from desktop_app.core.api import Provider
from desktop_app.core.errors import user_text
from desktop_app.core.events import (
    AddressExpired,
    AddressExpiring,
    ConnectionChanged,
    Expectation,
    ExpectationChanged,
    ExpiryFailed,
    MailboxEvent,
    MessageAdded,
    MessageArriving,
    MessageRemoved,
    MessageUpdated,
    SyncProblem,
    UsageChanged,
)
from desktop_app.core.inbox import ArrivedMessage, Inbox, LoadedMessage
from desktop_app.core.lifetime import exact_expiry
from desktop_app.core.models import MessageSummary
from desktop_app.core.notice import NewMessage, announcement
from desktop_app.core.store import AddressedSummary, MessageSort, StoredAddress, mailbox_key
from desktop_app.core.tasks import NamedTasks, spawn_reported
from desktop_app.ui import texts
from desktop_app.ui.address_feedback import copy_address, report_new_address
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.controller import AddressInfo, AppSignals, ProviderCredit
from desktop_app.ui.transfer_dialogs import Outcome, export_summary, import_summary

log = logging.getLogger(__name__)
T = TypeVar("T")

ADDRESS_REFRESH_MS = 150
# While an address has an expiry, its row's "deletes in 42 min" is re-read this often. (The deletion
# itself is the core's timer: this only keeps the text current.)
EXPIRY_TEXT_REFRESH_MS = 30_000


class InboxController(QObject):
    quit_requested = Signal()
    new_message = Signal(object)  # NewMessage, for notifications and the tray
    # The warning before an expiry: (address, label, expires_at, now), and the deletion: (address, label).
    address_expiring = Signal(str, str, object, object)
    address_expired = Signal(str, str, bool)  # address, label, deleted on the service too

    def __init__(self, inbox: Inbox, signals: AppSignals, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.inbox = inbox
        self.signals = signals
        self.tasks = NamedTasks("controller")
        self.tray: QSystemTrayIcon | None = None
        # Asked when no keyring can keep a password: may this address live for this session only?
        # The window supplies the question; without one the answer is no.
        self.ask_session_only: Callable[[], bool] = lambda: False
        self.clear_clipboard_after: float | None = None
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(ADDRESS_REFRESH_MS)
        self._refresh.timeout.connect(self.signals.addresses_changed)
        self._waits = 0
        self._expiry_text = QTimer(self)
        self._expiry_text.setInterval(EXPIRY_TEXT_REFRESH_MS)
        self._expiry_text.timeout.connect(self.signals.addresses_changed)
        self._unsubscribe = inbox.subscribe(self._on_event)

    def close(self) -> None:
        self._unsubscribe()
        self._refresh.stop()
        self._expiry_text.stop()

    # -- running service work ---------------------------------------------------------------------

    def _run(
        self,
        name: str,
        coro: Coroutine[Any, Any, T],
        on_ok: Callable[[T], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        report = on_error or self.signals.error.emit
        spawn_reported(self.tasks, name, coro, on_ok=on_ok, on_error=lambda exc: report(user_text(exc)))

    # -- synchronous reads ------------------------------------------------------------------------

    def addresses(self) -> list[AddressInfo]:
        rows = self.inbox.address_rows()
        counting_down = any(row.expires_at is not None for row in rows)
        if counting_down and not self._expiry_text.isActive():
            self._expiry_text.start()
        elif not counting_down:
            self._expiry_text.stop()
        return rows

    def list_messages(
        self,
        address: str,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[MessageSummary]:
        return self.inbox.list_messages(
            address, offset, limit, search or None, sort=sort, ascending=ascending
        )

    def count_messages(self, address: str, search: str) -> int:
        return self.inbox.count_messages(address, search or None)

    def list_all_messages(
        self,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[AddressedSummary]:
        return self.inbox.list_all_messages(offset, limit, search or None, sort=sort, ascending=ascending)

    def count_all_messages(self, search: str) -> int:
        return self.inbox.count_all_messages(search or None)

    def provider(self) -> ProviderCredit:
        p = self.inbox.provider
        return ProviderCredit(p.name, p.credit_url)

    def credits(self) -> list[ProviderCredit]:
        return [ProviderCredit(p.name, p.credit_url) for p in self.inbox.credited_providers()]

    def providers(self) -> list[Provider]:
        return self.inbox.providers_for_new_addresses()

    def starts_on_demand(self, provider_id: str) -> bool:
        return self.inbox.starts_on_demand(provider_id)

    def _provider(self, provider_id: str | None) -> Provider | None:
        """The provider a dialog chose (by id; the default one for None); None when it is no longer
        known (removed with ``temp-inbox providers remove`` while the dialog was open)."""
        if provider_id is None:
            return self.inbox.provider
        return next((p for p in self.providers() if p.id == provider_id), None)

    def has_tray(self) -> bool:
        return self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.isSystemTrayAvailable()

    # -- commands ---------------------------------------------------------------------------------

    def select_address(self, address: str | None) -> None:
        self.inbox.current_address = mailbox_key(address) if address else None

    def open_message(self, address: str, message_id: str) -> None:
        def loaded(result: LoadedMessage) -> None:
            self.signals.message_loaded.emit(address, message_id, result)
            if result.source_pending:  # shown already; the headers and exact sizes follow
                self._run(
                    f"source {message_id}",
                    self.inbox.load_source(address, message_id),
                    lambda raw: self.signals.message_source_loaded.emit(address, message_id, raw),
                )

        self._run(
            "open message",
            self.inbox.load_message(address, message_id),
            loaded,
            lambda text: self.signals.message_failed.emit(address, message_id, text),
        )

    def set_seen(self, address: str, message_id: str, seen: bool) -> None:
        # The window hears of the change through the inbox's MessageUpdated event.
        self._run(f"seen {message_id}", self.inbox.set_seen(address, message_id, seen))

    def delete_message(self, address: str, message_id: str) -> None:
        def done(_: None) -> None:
            self.signals.status.emit(texts.MESSAGE_DELETED)  # the list hears it through MessageRemoved

        def failed(text: str) -> None:
            # The row stays (the service still has the message): say so, not "Deleted".
            self.signals.error.emit(texts.MESSAGE_NOT_DELETED.format(reason=text))

        self._run(f"delete {message_id}", self.inbox.delete_message(address, message_id), done, failed)

    def check_address(self, address: str, run: int = 0) -> None:
        signals = self.signals
        self._run(
            f"check {address} #{run}",
            self.inbox.check_address(
                address, lambda check: signals.health_progress.emit(address, run, check)
            ),
            lambda report: signals.health_done.emit(address, run, report),
            lambda text: signals.health_failed.emit(address, run, text),
        )

    def expectations(self) -> list[Expectation]:
        return self.inbox.expectations()

    def expect_mail(
        self, address: str, sender: str, subject: str, timeout: float | None, raise_window: bool
    ) -> None:
        def arrived(message: ArrivedMessage) -> None:
            # The arrival was held back from the ordinary notice (_on_event): announce it now, with the
            # code read from its body.
            self.new_message.emit(NewMessage(message.address, message.summary, message.extraction))
            if raise_window:
                self.signals.show_message_requested.emit(message.address, message.summary.id)

        def failed(exc: BaseException) -> None:
            # A timeout is told by expectation_changed (with the check's verdict); a stop was asked for.
            if not isinstance(exc, TimeoutError | errors.WaitStoppedError):
                self.signals.error.emit(user_text(exc))

        self._waits += 1
        spawn_reported(
            self.tasks,
            f"expect {address} #{self._waits}",
            self.inbox.wait_for_message(
                address,
                sender or None,
                timeout,
                subject=subject or None,
                origin="window",
                check_on_timeout=True,
            ),
            on_ok=arrived,
            on_error=failed,
        )

    def stop_waiting(self, expectation_id: int) -> None:
        self.inbox.stop_waiting(expectation_id)

    def retry_now(self, address: str) -> None:
        self.inbox.reconnect(address)  # no backoff left to sit out; opens an address not open yet

    def catch_up(self, address: str) -> None:
        self.inbox.request_catch_up(address, "the list was scrolled to its end")

    def request_domains(self, provider_id: str | None = None) -> None:
        provider = self._provider(provider_id)
        if provider is None:  # answered, or the dialog would show "Loading domains…" for ever
            self.signals.domains_failed.emit(str(provider_id), texts.PROVIDER_GONE)
            return
        self._run(
            f"domains of {provider.id}",
            self.inbox.usable_domains(provider),
            lambda domains: self.signals.domains_loaded.emit(provider.id, domains),
            lambda text: self.signals.domains_failed.emit(provider.id, text),
        )

    def add_provider(self, api_url: str, hub_url: str, smtp: str = "") -> None:
        self._run(
            f"add provider {api_url}",
            self.inbox.add_provider(api_url, hub_url or None, smtp=smtp or None),
            self.signals.provider_added.emit,
            self.signals.provider_add_failed.emit,
        )

    def generate_password(self) -> str:
        return generate_password()

    def _session_only_agreed(self) -> bool | None:
        """None when the keyring works; otherwise whether the user agreed to a session-only address."""
        if self.inbox.can_keep_passwords():
            return None
        return self.ask_session_only()

    def create_address(
        self,
        local_part: str | None,
        domain: str | None,
        label: str,
        password: str,
        provider_id: str | None = None,
        expires_in: timedelta | None = None,
    ) -> None:
        provider = self._provider(provider_id)
        if provider is None:
            self.signals.address_add_failed.emit(texts.PROVIDER_GONE)
            return
        session_only = self._session_only_agreed()
        if session_only is False:
            self.signals.address_add_failed.emit(str(errors.KeyringUnavailableError()))
            return
        self._run(
            "create address",
            self.inbox.create_address(
                local_part,
                domain,
                label,
                password=password,
                session_only=bool(session_only),
                provider=provider,
                expires_in=expires_in,
            ),
            self._address_added,
            self.signals.address_add_failed.emit,
        )

    def login_address(self, address: str, password: str, label: str, provider_id: str | None = None) -> None:
        provider = self._provider(provider_id)
        if provider is None:
            self.signals.address_add_failed.emit(texts.PROVIDER_GONE)
            return
        session_only = self._session_only_agreed()
        if session_only is False:
            self.signals.address_add_failed.emit(str(errors.KeyringUnavailableError()))
            return
        self._run(
            "log in",
            self.inbox.login_address(
                address,
                password,
                label,
                session_only=bool(session_only),
                provider=provider,
            ),
            lambda record: self._address_added(record, logged_in=True),
            self.signals.address_add_failed.emit,
        )

    def _address_added(self, record: StoredAddress, *, logged_in: bool = False) -> None:
        report_new_address(self.signals, record.address, self.signals.address_added, logged_in=logged_in)

    def rename_address(self, address: str, label: str) -> None:
        self.inbox.rename_address(address, label)
        self.signals.addresses_changed.emit()

    def set_lifetime(self, address: str, lifetime: timedelta | None) -> None:
        try:
            record = self.inbox.set_lifetime(address, lifetime)
        except errors.TempInboxError as exc:
            self.signals.error.emit(user_text(exc))
            return
        self.signals.addresses_changed.emit()
        if record.expires_at is None:
            self.signals.status.emit(texts.ADDRESS_KEPT.format(address=address))
        else:
            self.signals.status.emit(
                texts.ADDRESS_EXPIRES.format(address=address, when=exact_expiry(record.expires_at))
            )

    def delete_address(self, address: str) -> None:
        def done(deleted_there: bool) -> None:
            self.signals.addresses_changed.emit()
            said = texts.ADDRESS_DELETED if deleted_there else texts.ADDRESS_DELETED_HERE_ONLY
            self.signals.status.emit(said.format(address=address))

        self._run(f"delete {address}", self.inbox.delete_address(address), done)

    def export_addresses(self, path: str, with_passwords: bool, on_done: Outcome, on_error: Outcome) -> None:
        self._run(
            "export addresses",
            self.inbox.export_addresses(Path(path), include_passwords=with_passwords),
            lambda report: on_done(export_summary(report, path)),
            on_error,
        )

    def import_addresses(self, path: str, on_done: Outcome, on_error: Outcome) -> None:
        session_only = self._session_only_agreed()
        if session_only is False:
            on_error(str(errors.KeyringUnavailableError()))
            return

        def imported(report: ImportReport) -> None:
            self.signals.addresses_changed.emit()
            on_done(import_summary(report))

        self._run(
            "import addresses",
            self.inbox.import_addresses(Path(path), session_only=bool(session_only)),
            imported,
            on_error,
        )

    def save_eml(self, address: str, message_id: str, path: str) -> None:
        self._run(
            f"save {message_id}",
            self.inbox.save_source(address, message_id, Path(path)),
            lambda _: self.signals.status.emit(f"Saved {path}."),
        )

    def save_attachment(self, address: str, message_id: str, attachment_id: str, path: str) -> None:
        self._run(
            f"save {attachment_id}",
            self.inbox.save_attachment(address, message_id, attachment_id, Path(path)),
            lambda _: self.signals.status.emit(f"Saved {path}."),
        )

    def copy_current_address(self) -> None:
        address = self.inbox.current_address
        if address is None:
            self.signals.status.emit("No address yet: create one with Ctrl+N.")
            return
        copy_address(self.signals, address)

    def copy_to_clipboard(self, text: str, description: str, sensitive: bool = False) -> None:
        copy_text(text, clear_after=self.clear_clipboard_after if sensitive else None)
        self.signals.status.emit(f"Copied {description} to the clipboard.")

    def open_external(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def quit(self) -> None:
        self.quit_requested.emit()

    # -- mailbox events ---------------------------------------------------------------------------

    def _announce(self, address: str, summary: MessageSummary) -> None:
        if self.inbox.is_probe(summary) or self.inbox.expected_by_window(address, summary):
            return  # a health-check probe is not mail; mail the window waits for, it announces itself
        news = announcement(address, summary)
        if news is not None:
            self.new_message.emit(news)

    def _on_event(self, event: MailboxEvent) -> None:
        if isinstance(event, MessageArriving):
            self._announce(event.address, event.summary)  # live mail, before its commit: nothing else
        elif isinstance(event, MessageAdded):
            if self.inbox.is_probe(event.summary):
                return  # the health check's test mail: deleted at once, never the user's mail
            if not event.announced:
                self._announce(event.address, event.summary)  # first: the list can wait, the popup not
            self.signals.message_added.emit(event.address, event.summary)
            self._refresh.start()
        elif isinstance(event, ExpectationChanged):
            self.signals.expectation_changed.emit(event)
        elif isinstance(event, MessageUpdated):
            self.signals.message_updated.emit(event.address, event.message_id, event.seen)
            self._refresh.start()
        elif isinstance(event, MessageRemoved):
            self.signals.message_removed.emit(event.address, event.message_id)
            self._refresh.start()
        elif isinstance(event, UsageChanged):
            self._refresh.start()
        elif isinstance(event, ConnectionChanged):
            self.signals.connection_changed.emit(event.address, event.state)
        elif isinstance(event, SyncProblem):
            self.signals.status.emit(f"{event.address}: {event.error}")
        elif isinstance(event, AddressExpiring):
            label = next((r.label for r in self.inbox.addresses() if r.address == event.address), "")
            self.address_expiring.emit(event.address, label, event.expires_at, self.inbox.now())
            self._refresh.start()
        elif isinstance(event, AddressExpired):
            said = texts.ADDRESS_EXPIRED if event.remote_deleted else texts.ADDRESS_EXPIRED_HERE_ONLY
            self.signals.status.emit(said.format(address=event.address))
            self.address_expired.emit(event.address, event.label, event.remote_deleted)
            self.signals.addresses_changed.emit()  # at once: the row must not linger after the notice
        elif isinstance(event, ExpiryFailed):
            self._refresh.start()  # the row says "not deleted yet · retry …"; its tooltip says why
