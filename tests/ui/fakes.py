"""An in-memory AppController for widget tests: records every call and answers through AppSignals.

It behaves like the real controller in the ways the window relies on (newest-first lists, search over
sender/subject/intro, answers as signals) but answers synchronously, so tests need no event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from desktop_app.core.api import BUILTIN, Provider, custom_provider
from desktop_app.core.events import Expectation
from desktop_app.core.inbox import LoadedMessage
from desktop_app.core.models import Address, Attachment, Message, MessageSummary
from desktop_app.core.store.cache import AddressedSummary, MessageSort
from desktop_app.ui.controller import ALL_ADDRESSES, AddressInfo, AppSignals, ProviderCredit

BASE_TIME = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def make_summary(
    n: int,
    *,
    subject: str | None = None,
    sender: str = "shop@example.com",
    name: str = "Example Shop",
    intro: str = "Thanks for signing up",
    seen: bool = False,
    attachments: bool = False,
    minutes: int | None = None,
) -> MessageSummary:
    return MessageSummary(
        id=f"m{n:06d}",
        account_id="acc",
        sender=Address(sender, name),
        subject=f"Message {n}" if subject is None else subject,
        intro=intro,
        seen=seen,
        has_attachments=attachments,
        created_at=BASE_TIME + timedelta(minutes=n if minutes is None else minutes),
    )


def make_message(summary: MessageSummary, *, text: str = "", html: str = "", attachments=()) -> Message:
    return Message(
        summary=summary,
        text=text or f"Hello,\n\n{summary.intro}\n",
        html=(html,) if html else (),
        attachments=tuple(attachments),
    )


def make_attachment(filename: str, content_type: str = "application/pdf", size: int = 12_345) -> Attachment:
    return Attachment(id=f"att-{filename}", filename=filename, content_type=content_type, size=size)


@dataclass
class FakeController:
    signals: AppSignals
    infos: list[AddressInfo] = field(default_factory=list)
    messages: dict[str, list[MessageSummary]] = field(default_factory=dict)
    bodies: dict[str, Message] = field(default_factory=dict)
    raw: dict[str, bytes] = field(default_factory=dict)
    domains_list: list[str] = field(default_factory=lambda: ["example.com", "mail.test"])
    credit: ProviderCredit = field(default_factory=lambda: ProviderCredit("mail.tm", "https://mail.tm"))
    more_credits: list[ProviderCredit] = field(default_factory=list)  # providers holding addresses
    tray: bool = False
    answer_domains: bool = True
    domains_error: str | None = None  # set: request_domains fails with this text
    provider_list: list[Provider] = field(default_factory=lambda: list(BUILTIN))  # the default first
    on_demand: set[str] = field(default_factory=set)  # provider ids whose server starts when asked
    # A provider's own domains (by id); providers not in it answer ``domains_list``.
    provider_domains: dict[str, list[str]] = field(default_factory=dict)
    add_provider_error: str | None = None  # set: add_provider fails with this text
    answer_add_provider: bool = True
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    list_calls: list[tuple[str, int, int, str]] = field(default_factory=list)
    current: str | None = None
    waits: list[Expectation] = field(default_factory=list)  # what expectations() answers
    lifetimes: list[timedelta | None] = field(default_factory=list)  # each create_address's expires_in

    # --- test helpers ---
    def called(self, name: str) -> list[tuple[object, ...]]:
        return [args for call, args in self.calls if call == name]

    def _record(self, name: str, *args: object) -> None:
        self.calls.append((name, args))

    def add_address(self, address: str, label: str = "", **kwargs: object) -> None:
        self.infos.append(AddressInfo(address=address, label=label, **kwargs))  # type: ignore[arg-type]
        self.messages.setdefault(address, [])
        self.signals.addresses_changed.emit()

    def deliver(self, address: str, summary: MessageSummary, message: Message | None = None) -> None:
        """A message arrives: store it and announce it, as the sync service does."""
        self.messages.setdefault(address, []).append(summary)
        self._sort(address)
        if message is not None:
            self.bodies[summary.id] = message
        self.signals.message_added.emit(address, summary)

    def _sort(self, address: str) -> None:
        self.messages[address].sort(key=lambda s: (s.created_at, s.id), reverse=True)

    def _matching(self, address: str, search: str) -> list[MessageSummary]:
        rows = self.messages.get(address, [])
        needle = search.strip().casefold()
        if not needle:
            return rows
        return [
            s
            for s in rows
            if needle in f"{s.sender.name} {s.sender.address} {s.subject} {s.intro}".casefold()
        ]

    # --- AppController: reads ---
    def addresses(self) -> list[AddressInfo]:
        return list(self.infos)

    def list_messages(
        self,
        address: str,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[MessageSummary]:
        """As the store sorts: ``messages`` are kept newest first, which stays the order within ties."""
        self.list_calls.append((address, offset, limit, search))
        rows = self._matching(address, search)
        if sort is MessageSort.RECEIVED:
            rows = rows[::-1] if ascending else rows
        else:

            def key(s: MessageSummary) -> str:
                return (
                    s.sender.name or s.sender.address if sort is MessageSort.SENDER else s.subject
                ).lower()

            rows = sorted(rows, key=key, reverse=not ascending)  # stable both ways: ties newest first
        return rows[offset : offset + limit]

    def count_messages(self, address: str, search: str) -> int:
        return len(self._matching(address, search))

    def list_all_messages(
        self,
        offset: int,
        limit: int,
        search: str,
        sort: MessageSort = MessageSort.RECEIVED,
        ascending: bool = False,
    ) -> list[AddressedSummary]:
        """Every address's mail, newest first (as the store's messages_by_time index reads it)."""
        self.list_calls.append((ALL_ADDRESSES, offset, limit, search))
        rows = [
            AddressedSummary(address, s) for address in self.messages for s in self._matching(address, search)
        ]
        rows.sort(key=lambda item: (item.summary.created_at, item.summary.id), reverse=True)
        if sort is MessageSort.RECEIVED and ascending:
            rows.reverse()
        elif sort is not MessageSort.RECEIVED:

            def key(item: AddressedSummary) -> str:
                s = item.summary
                return (
                    s.sender.name or s.sender.address if sort is MessageSort.SENDER else s.subject
                ).lower()

            rows = sorted(rows, key=key, reverse=not ascending)
        return rows[offset : offset + limit]

    def count_all_messages(self, search: str) -> int:
        return sum(len(self._matching(address, search)) for address in self.messages)

    def provider(self) -> ProviderCredit:
        return self.credit

    def credits(self) -> list[ProviderCredit]:
        return [c for c in (self.credit, *self.more_credits) if c.credit_url]

    def providers(self) -> list[Provider]:
        return list(self.provider_list)

    def starts_on_demand(self, provider_id: str) -> bool:
        return provider_id in self.on_demand

    def has_tray(self) -> bool:
        return self.tray

    # --- AppController: commands ---
    def select_address(self, address: str | None) -> None:
        self._record("select_address", address)
        self.current = address

    def open_message(self, address: str, message_id: str) -> None:
        self._record("open_message", address, message_id)
        summary = next((s for s in self.messages.get(address, []) if s.id == message_id), None)
        if summary is None:
            self.signals.message_failed.emit(address, message_id, "That message no longer exists.")
            return
        message = self.bodies.get(message_id) or make_message(summary)
        self.signals.message_loaded.emit(
            address, message_id, LoadedMessage(message, {}, self.raw.get(message_id))
        )

    def set_seen(self, address: str, message_id: str, seen: bool) -> None:
        self._record("set_seen", address, message_id, seen)
        rows = self.messages.get(address, [])
        for i, s in enumerate(rows):
            if s.id == message_id:
                rows[i] = replace(s, seen=seen)
        self.signals.message_updated.emit(address, message_id, seen)

    def delete_message(self, address: str, message_id: str) -> None:
        self._record("delete_message", address, message_id)
        self.messages[address] = [s for s in self.messages.get(address, []) if s.id != message_id]
        self.signals.message_removed.emit(address, message_id)

    def check_address(self, address: str, run: int = 0) -> None:
        self._record("check_address", address, run)

    def expectations(self) -> list[Expectation]:
        return list(self.waits)

    def expect_mail(
        self, address: str, sender: str, subject: str, timeout: float | None, raise_window: bool
    ) -> None:
        self._record("expect_mail", address, sender, subject, timeout, raise_window)

    def stop_waiting(self, expectation_id: int) -> None:
        self._record("stop_waiting", expectation_id)

    def retry_now(self, address: str) -> None:
        self._record("retry_now", address)

    def catch_up(self, address: str) -> None:
        self._record("catch_up", address)

    def request_domains(self, provider_id: str | None = None) -> None:
        self._record("request_domains", provider_id)
        provider_id = provider_id or self.provider_list[0].id
        if self.domains_error is not None:
            self.signals.domains_failed.emit(provider_id, self.domains_error)
        elif self.answer_domains:
            domains = self.provider_domains.get(provider_id, self.domains_list)
            self.signals.domains_loaded.emit(provider_id, list(domains))

    def add_provider(self, api_url: str, hub_url: str, smtp: str = "") -> None:
        self._record("add_provider", api_url, hub_url, smtp)
        if not self.answer_add_provider:  # the answer is still on its way
            return
        if self.add_provider_error is not None:
            self.signals.provider_add_failed.emit(self.add_provider_error)
        else:
            provider = custom_provider(api_url, hub_url or None)
            if provider not in self.provider_list:
                self.provider_list.append(provider)
            self.signals.provider_added.emit(provider)

    def generate_password(self) -> str:
        return "Gen3rated-Passw0rd-xyz"

    def create_address(
        self,
        local_part: str | None,
        domain: str | None,
        label: str,
        password: str,
        provider_id: str | None = None,
        expires_in: timedelta | None = None,
    ) -> None:
        self._record("create_address", local_part, domain, label, password, provider_id)
        self.lifetimes.append(expires_in)  # apart, so that a call's last item stays its provider

    def set_lifetime(self, address: str, lifetime: timedelta | None) -> None:
        self._record("set_lifetime", address, lifetime)

    def login_address(self, address: str, password: str, label: str, provider_id: str | None = None) -> None:
        self._record("login_address", address, password, label, provider_id)

    def rename_address(self, address: str, label: str) -> None:
        self._record("rename_address", address, label)

    def delete_address(self, address: str) -> None:
        self._record("delete_address", address)

    def export_addresses(
        self,
        path: str,
        with_passwords: bool,
        on_done: Callable[[str], None],
        on_error: Callable[[str], None],
    ) -> None:
        self._record("export_addresses", path, with_passwords)

    def import_addresses(
        self, path: str, on_done: Callable[[str], None], on_error: Callable[[str], None]
    ) -> None:
        self._record("import_addresses", path)

    def save_eml(self, address: str, message_id: str, path: str) -> None:
        self._record("save_eml", address, message_id, path)

    def save_attachment(self, address: str, message_id: str, attachment_id: str, path: str) -> None:
        self._record("save_attachment", address, message_id, attachment_id, path)

    def copy_current_address(self) -> None:
        self._record("copy_current_address")
        if self.current:
            self.signals.status.emit(f"Copied {self.current} to the clipboard")

    def copy_to_clipboard(self, text: str, description: str, sensitive: bool = False) -> None:
        self._record("copy_to_clipboard", text, description, sensitive)
        self.signals.status.emit(f"Copied {description} to the clipboard")

    def open_external(self, url: str) -> None:
        self._record("open_external", url)

    def quit(self) -> None:
        self._record("quit")


class FakeHtmlView(QPlainTextEdit):
    """Stands in for the sealed view in widget tests (no QtWebEngine process needed)."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.shown: list[tuple[str, str]] = []

    def show_message(self, message_id: str, html: str, inline_parts: object) -> None:
        self.shown.append((message_id, html))
        self.setPlainText(html)

    def clear(self) -> None:  # type: ignore[override]
        super().clear()
