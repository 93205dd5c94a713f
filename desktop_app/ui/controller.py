"""The seam between the window and the app's services.

The window never awaits anything. It calls an :class:`AppController` (every method returns at once;
the app's implementation schedules the async work on the qasync loop) and reacts to the Qt signals of
an :class:`AppSignals` object that the implementation emits when work finishes::

    MainWindow ──calls──► AppController (select_address, open_message, create_address, …)
        ▲                         │ schedules tasks on the qasync loop
        └──── AppSignals ◄────────┘ (addresses_changed, message_added, message_loaded, status, …)

Two kinds of controller call exist:

* **Reads from the local store** (``addresses``, ``list_messages``, ``count_messages``, ``provider``,
  ``providers``, ``credits``, ``has_tray``) are synchronous and fast (SQLite, WAL) and return data
  directly, so item models can page through thousands of messages without round trips through the loop.
* **Commands** (everything else) return ``None`` immediately; their outcome arrives as a signal:
  ``message_loaded`` after ``open_message``, ``address_added`` / ``address_add_failed`` after
  ``create_address`` or ``login_address``, ``domains_loaded`` / ``domains_failed`` after
  ``request_domains`` (each naming the provider asked, so a late answer for another can be told apart),
  ``provider_added`` / ``provider_add_failed`` after ``add_provider``,
  ``status`` / ``error`` for everything the user should read in the status bar.

Addresses are identified everywhere by the lower-cased e-mail address ("mailbox key").
Connection ``kind`` values follow ``desktop_app.core.events.ConnectionKind``:
``connecting``, ``live``, ``retrying``, ``failed``, ``stopped`` (plus ``offline`` for cached-only).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from desktop_app.core.accounts import AddressRow
from desktop_app.core.api import Provider
from desktop_app.core.events import Expectation
from desktop_app.core.models import Message, MessageSummary
from desktop_app.core.store import AddressedSummary, MessageSort

# cid (without "cid:") → (content type, bytes), as the sealed view takes them.
InlineParts = Mapping[str, tuple[str, bytes]]


# What the window shows when the sidebar's "All addresses" entry is selected, where it would name an
# address. Never a mailbox key (it has no "@"); the controller is never asked about it.
ALL_ADDRESSES = "*"

# One row of the address sidebar; built in the core, where the tray and ``temp-inbox list`` read it too.
AddressInfo = AddressRow


@dataclass(frozen=True, slots=True)
class ProviderCredit:
    """The provider in use; ``credit_url`` is set when its terms require a visible credit link."""

    name: str
    credit_url: str | None = None


class AppController(Protocol):
    # --- synchronous reads (local store) ---
    def addresses(self) -> list[AddressInfo]: ...
    def list_messages(
        self,
        address: str,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[MessageSummary]:
        """Newest first unless ``sort``/``ascending`` say otherwise (ties newest first). ``search`` is
        the user's filter text ("" for none)."""
        ...

    def count_messages(self, address: str, search: str) -> int: ...
    def list_all_messages(
        self,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[AddressedSummary]:
        """Every address's mail in one list ("All addresses"), ordered as ``list_messages``, each
        message with the address it came to."""
        ...

    def count_all_messages(self, search: str) -> int: ...
    def provider(self) -> ProviderCredit: ...
    def credits(self) -> list[ProviderCredit]:
        """A credit link for each provider in use whose terms ask for one (the default, and each
        provider holding an address); empty when none does."""
        ...

    def providers(self) -> list[Provider]:
        """Where a new address (or a log-in) can be: the default provider first."""
        ...

    def starts_on_demand(self, provider_id: str) -> bool:
        """Whether asking this provider first starts its server (the mail server on this computer)."""
        ...

    def has_tray(self) -> bool:
        """Whether closing the window should hide it to a tray icon instead of asking to quit."""
        ...

    # --- commands (return at once; results arrive on AppSignals) ---
    def select_address(self, address: str | None) -> None:
        """The address shown in the window; also what "copy the current address" copies."""
        ...

    def open_message(self, address: str, message_id: str) -> None:
        """Load the full body (and mark it seen); answered by ``message_loaded``."""
        ...

    def set_seen(self, address: str, message_id: str, seen: bool) -> None: ...
    def delete_message(self, address: str, message_id: str) -> None: ...
    def check_address(self, address: str, run: int = 0) -> None:
        """Run the live checks of ``address``: health_progress, then health_done or health_failed,
        each with ``run`` so that a late line of an earlier run can be told apart."""
        ...

    def expectations(self) -> list[Expectation]:
        """Every wait for mail now running: the window's "Expect mail…" and ``temp-inbox wait``."""
        ...

    def expect_mail(
        self, address: str, sender: str, subject: str, timeout: float | None, raise_window: bool
    ) -> None:
        """Wait for the next mail to ``address`` matching ``sender``/``subject`` ("" for any). The wait
        is heard of through ``expectation_changed``; the mail is announced with its code (and the window
        raised on it if asked); a timeout runs the address's check."""
        ...

    def stop_waiting(self, expectation_id: int) -> None: ...

    def retry_now(self, address: str) -> None:
        """Reconnect the address's live stream now instead of after the backoff."""
        ...

    def catch_up(self, address: str) -> None:
        """Ask the service for the address's list again, from its newest page down to a message the
        cache knows (the list asks when it is scrolled to its end: anything missed turns up)."""
        ...

    def request_domains(self, provider_id: str | None = None) -> None:
        """The usable domains of a provider (the default one for None); answered by ``domains_loaded``
        or ``domains_failed`` (a user-facing reason), both with the provider's id."""
        ...

    def add_provider(self, api_url: str, hub_url: str, smtp: str = "") -> None:
        """Keep another mail.tm-compatible service once its ``GET /domains`` answered (``hub_url`` ""
        for the usual place; ``smtp`` host:port for the health check's test mail, "" to leave it);
        answered by ``provider_added`` or ``provider_add_failed``."""
        ...

    def generate_password(self) -> str: ...
    def create_address(
        self,
        local_part: str | None,
        domain: str | None,
        label: str,
        password: str,
        provider_id: str | None = None,
        expires_in: timedelta | None = None,
    ) -> None:
        """``local_part`` None means a random readable name; ``domain`` None means any usable one;
        ``provider_id`` None means the default provider; ``expires_in``: delete it automatically that
        long from now (None: never)."""
        ...

    def set_lifetime(self, address: str, lifetime: timedelta | None) -> None:
        """Delete ``address`` automatically ``lifetime`` from now, or keep it (None); confirmed with
        ``status``, the row re-read through ``addresses_changed``."""
        ...

    def login_address(
        self, address: str, password: str, label: str, provider_id: str | None = None
    ) -> None: ...
    def rename_address(self, address: str, label: str) -> None: ...
    def delete_address(self, address: str) -> None:
        """Irreversible on the service; the window has already asked the user to confirm."""
        ...

    def export_addresses(
        self,
        path: str,
        with_passwords: bool,
        on_done: Callable[[str], None],
        on_error: Callable[[str], None],
    ) -> None:
        """Every address to ``path``; ``on_done``/``on_error`` get the text to show (transfer_dialogs)."""
        ...

    def import_addresses(
        self, path: str, on_done: Callable[[str], None], on_error: Callable[[str], None]
    ) -> None:
        """The file's new addresses, all or nothing; the outcome as text, as for export."""
        ...

    def save_eml(self, address: str, message_id: str, path: str) -> None: ...
    def save_attachment(self, address: str, message_id: str, attachment_id: str, path: str) -> None: ...
    def copy_current_address(self) -> None:
        """Copies the selected address; the controller confirms with ``status``."""
        ...

    def copy_to_clipboard(self, text: str, description: str, sensitive: bool = False) -> None:
        """Copy ``text`` and confirm with ``status`` ("Copied <description> to the clipboard").
        ``sensitive`` (codes, passwords) lets the app clear the clipboard later if the user asked."""
        ...

    def open_external(self, url: str) -> None:
        """Open a URL in the system browser; the window has already shown it and asked."""
        ...

    def quit(self) -> None: ...


class AppSignals(QObject):
    """Everything the window reacts to. Emitted by the controller implementation on the GUI thread."""

    # The address list (labels, unread counts, usage, connection state) changed; re-read addresses().
    addresses_changed = Signal()
    # One address's live connection changed: (address, core.events.ConnectionState).
    connection_changed = Signal(str, object)
    # A message is new in the store for an address: (address, MessageSummary); insert it, keep selection.
    message_added = Signal(str, object)
    # One message's read state changed: (address, message_id, seen).
    message_updated = Signal(str, str, bool)
    # A message left the store: (address, message_id).
    message_removed = Signal(str, str)
    # Anything else changed for an address (bulk import, older page loaded): reload its list.
    messages_changed = Signal(str)
    # (address, the message_id asked for, core.inbox.LoadedMessage: message, inline parts, raw source).
    message_loaded = Signal(str, str, object)
    # Its raw source, when message_loaded came without it (source_pending): (address, message_id,
    # bytes or None when the service has none).
    message_source_loaded = Signal(str, str, object)
    # A message could not be loaded: (address, message_id, user-facing text).
    message_failed = Signal(str, str, str)
    # Answers to create_address/login_address: the new address, or a user-facing reason.
    address_added = Signal(str)
    address_add_failed = Signal(str)
    # Answers to request_domains: (provider id, domains) or (provider id, user-facing reason).
    domains_loaded = Signal(str, list)
    domains_failed = Signal(str, str)
    # Answers to add_provider: the kept core.api.Provider, or a user-facing reason.
    provider_added = Signal(object)
    provider_add_failed = Signal(str)
    # Raise the window on a message (from `temp-inbox show` or a notification's "Open").
    show_message_requested = Signal(str, str)
    # Show one address in the window (the tray's "Open" on an address).
    show_address_requested = Signal(str)
    # "Why hasn't my mail arrived?": (address, CheckResult) as each check ends, then (address,
    # HealthReport), or (address, user-facing text) when the check itself could not run.
    # Each carries the run number the check was asked with (``check_address(address, run)``).
    health_progress = Signal(str, int, object)
    health_done = Signal(str, int, object)
    health_failed = Signal(str, int, str)
    # A wait for mail started or ended: core.events.ExpectationChanged (after a timeout, with the
    # address's HealthReport once its check has run). Re-read expectations().
    expectation_changed = Signal(object)
    status = Signal(str)
    error = Signal(str)


__all__ = [
    "ALL_ADDRESSES",
    "AddressInfo",
    "AppController",
    "AppSignals",
    "InlineParts",
    "Message",
    "ProviderCredit",
]
