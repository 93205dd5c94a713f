"""Export and import of the address list as JSON.

Passwords go into an export only when the caller asks (``include_passwords=True``), and every export
is written owner-only (0600). An import checks the whole file before changing anything, says plainly
what is wrong with a bad file, skips addresses already in the list, and never replaces a password
already in the keyring.

An expiry in the file is the exporting machine's plan, perhaps stale (the address was kept there
since): one already passed, or due within the reminder window, is not applied (the address is
imported kept, and the report says so), and the others are applied only once every entry is in, so
no automatic deletion acts on an import that may still be taken back.

Over 300 lines: the writer, the checks of every field and the all-or-nothing import are one file
format; apart, a field added to one could be missed by the others.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop_app.core.accounts.names import split_address
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api import BUILTIN, LOCAL_ID, Provider, custom_provider, local_provider
from desktop_app.core.errors import KeyringUnavailableError, PasswordMissingError, UsageError
from desktop_app.core.lifetime import REMIND_BEFORE
from desktop_app.core.paths import write_private_file
from desktop_app.core.store import AddressState, Store

log = logging.getLogger(__name__)

FORMAT = "temp-inbox/addresses"
VERSION = 1

# Said before every export with passwords (window and command line alike).
PASSWORDS_WARNING = (
    "A file with passwords opens every address in it: whoever reads it can read all their mail and "
    "take the addresses over, and mail.tm has no password reset. Keep it private, and delete it once "
    "it has been imported."
)


@dataclass
class ExportReport:
    count: int = 0
    without_password: list[str] = field(default_factory=list)  # asked for passwords, none saved


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (address, why)
    without_password: list[str] = field(default_factory=list)  # added, but unusable until logged in
    kept_saved_password: list[str] = field(default_factory=list)  # the file's password differed
    expiry_passed: list[str] = field(default_factory=list)  # imported kept: the file's expiry had come
    with_expiry: list[str] = field(default_factory=list)  # added with the file's (future) expiry


@dataclass(frozen=True)
class _Entry:
    address: str
    provider: Provider
    label: str
    created: datetime
    password: str | None
    expires_at: datetime | None = None


async def export_addresses(
    store: Store,
    vault: PasswordVault,
    path: Path,
    *,
    include_passwords: bool = False,
    addresses: Sequence[str] | None = None,
) -> ExportReport:
    """Write the address list (or ``addresses``) to ``path``; passwords only if asked."""
    report = ExportReport()
    wanted = {a.strip().lower() for a in addresses} if addresses is not None else None
    items: list[dict[str, Any]] = []
    for record in store.list_addresses():
        if wanted is not None and record.address not in wanted:
            continue
        provider = store.get_provider(record.provider_id)
        assert provider is not None  # a foreign key guarantees it
        item: dict[str, Any] = {
            "address": record.address,
            "provider": {
                "id": provider.id,
                "name": provider.name,
                "api_url": provider.api_url,
                "hub_url": provider.hub_url,
            },
            "label": record.label,
            "created": record.created.isoformat(),
        }
        if record.expires_at is not None:
            item["expires"] = record.expires_at.isoformat()  # absent: kept for good
        if include_passwords:
            password = await vault.load(provider.id, record.address)  # KeyringUnavailableError: stop
            if password is None:
                report.without_password.append(record.address)
            else:
                item["password"] = password
        items.append(item)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported": datetime.now(UTC).isoformat(),
        "addresses": items,
    }
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    await asyncio.to_thread(write_private_file, path, data)
    report.count = len(items)
    return report


def _bad(path: Path, why: str) -> UsageError:
    return UsageError(f"{path.name} cannot be imported: {why}")


def _text(item: Mapping[str, Any], key: str, where: str, path: Path, *, required: bool = True) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or not _encodable(value):
        raise _bad(path, f"{where} has no valid “{key}”.")
    return value


def _encodable(value: str) -> bool:
    """False for text with lone surrogates (JSON allows "\\ud800"), which neither the cache nor the
    keyring can store: refused while checking the file, not halfway through the import."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _provider(data: object, where: str, path: Path) -> Provider:
    if not isinstance(data, Mapping):
        raise _bad(path, f"{where} has no “provider”.")
    api_url = _text(data, "api_url", f"{where} provider", path)
    hub_url = _text(data, "hub_url", f"{where} provider", path, required=False) or None
    name = _text(data, "name", f"{where} provider", path, required=False) or None
    provider_id = _text(data, "id", f"{where} provider", path, required=False)
    try:
        if provider_id == LOCAL_ID and hub_url:
            return local_provider(api_url, hub_url)
        return custom_provider(api_url, hub_url, name=name)
    except UsageError as exc:
        raise _bad(path, f"{where}: {exc}") from exc


def _parse(path: Path) -> list[_Entry]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _bad(path, "it is not a JSON file.") from exc
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise _bad(path, "it is not a Temp Inbox address export.")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(path, "its format version is missing or invalid.")
    if version > VERSION:
        raise _bad(path, f"it was made by a newer Temp Inbox (format {version}; this one reads {VERSION}).")
    items = document.get("addresses")
    if not isinstance(items, list):
        raise _bad(path, "it has no list of addresses.")
    entries = []
    for number, item in enumerate(items, start=1):
        where = f"entry {number}"
        if not isinstance(item, Mapping):
            raise _bad(path, f"{where} is not an object.")
        try:
            local, domain = split_address(_text(item, "address", where, path), strict=False)
        except UsageError as exc:
            raise _bad(path, f"{where}: {exc}") from exc
        created_text = _text(item, "created", where, path, required=False)
        try:
            created = datetime.fromisoformat(created_text) if created_text else datetime.now(UTC)
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            created.astimezone(UTC)  # 9999-12-31T23:59:59-23:59 parses but has no UTC form
        except (ValueError, OverflowError) as exc:
            raise _bad(path, f"{where} has an invalid “created” date.") from exc
        expires_text = _text(item, "expires", where, path, required=False)
        try:
            expires_at = datetime.fromisoformat(expires_text) if expires_text else None
            if expires_at is not None and expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=UTC)
            if expires_at is not None:
                expires_at.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise _bad(path, f"{where} has an invalid “expires” date.") from exc
        password = item.get("password")
        if password is not None and (
            not isinstance(password, str) or not password or not _encodable(password)
        ):
            raise _bad(path, f"{where} has an invalid “password”.")
        entries.append(
            _Entry(
                address=f"{local}@{domain}",
                provider=_provider(item.get("provider"), where, path),
                label=_text(item, "label", where, path, required=False),
                created=created,
                password=password,
                expires_at=expires_at,
            )
        )
    return entries


async def import_addresses(
    store: Store,
    vault: PasswordVault,
    path: Path,
    *,
    session_only: bool = False,
    now: datetime | None = None,
    keep_within: timedelta = REMIND_BEFORE,
) -> ImportReport:
    """Add the file's addresses that are not in the list yet. All or nothing: a bad file, or a failure
    halfway (the keyring, the cache), leaves the list and the keyring as they were. An expiry before
    ``now + keep_within`` is dropped (see the module's docstring)."""
    entries = await asyncio.to_thread(_parse, path)
    earliest = (now or datetime.now(UTC)) + keep_within
    needs_keyring = any(e.password for e in entries) and not (session_only or vault.session_only)
    if needs_keyring and not vault.status().usable:
        raise KeyringUnavailableError(detail=f"import {path}: {vault.status().reason}")
    report = ImportReport()
    seen: set[str] = set()
    started: list[_Entry] = []  # added to the cache (perhaps only in part): undone if a later one fails
    saved_passwords: list[_Entry] = []  # passwords this import put into the keyring
    expiries: list[tuple[str, datetime]] = []  # set once every entry is in
    try:
        for entry in entries:
            if entry.address in seen:
                report.skipped.append((entry.address, "listed twice in the file"))
                continue
            seen.add(entry.address)
            if store.get_address(entry.address) is not None:
                report.skipped.append((entry.address, "already in your list"))
                continue
            started.append(entry)
            await _add(store, vault, replace(entry, expires_at=None), session_only, report, saved_passwords)
            if entry.expires_at is None:
                continue
            if entry.expires_at <= earliest:
                # Deleting it now, without a word, could take an account the user still uses elsewhere.
                report.expiry_passed.append(entry.address)
            else:
                expiries.append((entry.address, entry.expires_at))
        # No await from here to the return: the scheduler, which runs during the awaits above, first
        # sees these expiries once nothing can be taken back.
        for address, expires_at in expiries:
            store.set_expiry(address, expires_at)
            report.with_expiry.append(address)
    except BaseException:
        await _undo(store, vault, started, saved_passwords)
        raise
    return report


async def _undo(store: Store, vault: PasswordVault, started: list[_Entry], saved: list[_Entry]) -> None:
    """All or nothing: take back what a failed import added, so the list is as it was."""
    for entry in reversed(started):
        try:
            store.forget_address(entry.address)
        except Exception:
            log.exception("import: could not take back %s", entry.address)
    for entry in saved:
        try:
            await vault.delete(entry.provider.id, entry.address)
        except Exception:
            log.exception("import: could not take back the saved password of %s", entry.address)


async def _add(
    store: Store,
    vault: PasswordVault,
    entry: _Entry,
    session_only: bool,
    report: ImportReport,
    saved_passwords: list[_Entry],
) -> None:
    provider = store.get_provider(entry.provider.id) or next(
        (p for p in BUILTIN if p.id == entry.provider.id), entry.provider
    )
    store.save_provider(provider)
    store.add_address(
        entry.address,
        provider.id,
        state=AddressState.PENDING,
        label=entry.label,
        created=entry.created,
        expires_at=entry.expires_at,
    )
    try:
        saved = None if session_only or vault.session_only else await vault.load(provider.id, entry.address)
    except KeyringUnavailableError:
        saved = None
    if saved is not None and entry.password is not None and saved != entry.password:
        report.kept_saved_password.append(entry.address)  # never overwrite a password silently
    elif saved is None and entry.password is not None:
        await vault.save(provider.id, entry.address, entry.password, session_only=session_only)
        saved_passwords.append(replace(entry, provider=provider))
        saved = entry.password
    if saved is None:
        store.set_state(entry.address, AddressState.FAILED, reason=str(PasswordMissingError()))
        report.without_password.append(entry.address)
    else:
        in_memory = vault.is_in_memory(provider.id, entry.address)
        store.set_state(entry.address, AddressState.SESSION_ONLY if in_memory else AddressState.ACTIVE)
    report.added.append(entry.address)
