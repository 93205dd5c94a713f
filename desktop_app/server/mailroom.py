"""What the service does, independent of HTTP and SMTP: accounts, delivery, seen, delete, retention.

Every change that mail.tm would publish goes to the hub here, so REST, SMTP and the purge task all
produce the same events in the same order.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from enum import Enum
from typing import Any

from desktop_app.server import wire
from desktop_app.server.hub import Hub
from desktop_app.server.mime import ParsedMail, parse_mail
from desktop_app.server.records import StoredAccount, StoredMessage
from desktop_app.server.store import AddressTaken, MailStore
from desktop_app.server.tokens import TokenSigner, check_password, hash_password

log = logging.getLogger(__name__)

_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
# Besides letters and digits, the RFC 5322 atext a mailbox name may use, minus "/" (path tricks in
# anything that turns addresses into file names) and "|" "`" (shell tricks); "." only between others.
_LOCAL_PUNCTUATION = frozenset("!#$%&'*+-=?^_{}~.")
MAX_LOCAL_PART = 64  # RFC 5321 §4.5.3.1.1
MAX_ADDRESS = 254  # RFC 5321 path limit less the angle brackets
# Mail up to this size is parsed on the loop (about 2 ms at most here); bigger mail in a worker thread,
# max_parsers at once. Parsing is Python holding the GIL either way: the thread only keeps the loop
# answering while a big one is parsed, and for small mail its hand-off cost more than it saved.
INLINE_PARSE_BYTES = 64 * 1024
Violation = tuple[str, str]


def valid_address(address: str) -> bool:
    """A plausible lower-case mailbox: a bounded local part of letters, digits and safe punctuation
    (no controls, bidi overrides, surrogates, white space, "/" or ".."), and a DNS domain."""
    if len(address) > MAX_ADDRESS or address.count("@") != 1:
        return False
    local, domain = address.split("@")
    if not local or len(local) > MAX_LOCAL_PART or not _DOMAIN.match(domain):
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    # isalnum() is false for C0/C1 controls, DEL, format characters such as U+202E, marks and surrogates.
    return all(ch.isalnum() or ch in _LOCAL_PUNCTUATION for ch in local)


def _encodable(text: str) -> bool:
    """False for a string with lone surrogates (JSON allows them; SQLite and UTF-8 do not)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class RecipientVerdict(Enum):
    OK = "ok"
    UNKNOWN = "unknown"
    FULL = "full"


class AuthFailure(Enum):
    INVALID = "Invalid JWT Token"
    GONE = "This account no longer exists."


def topic_of(account_id: str) -> str:
    return f"/accounts/{account_id}"


class MailService:
    def __init__(
        self,
        store: MailStore,
        hub: Hub,
        *,
        domains: Sequence[str],
        retention_days: float,
        max_parsers: int = 2,
    ) -> None:
        self.store = store
        # Parsing holds a copy of the whole message and more: bound how many run at once.
        self._parsers = asyncio.Semaphore(max_parsers)
        self.hub = hub
        self.signer = TokenSigner(store.signing_secret())
        self.retention_seconds = retention_days * 86400.0
        store.configure_domains(domains, wire.new_id)

    # --- accounts and auth -------------------------------------------------------------------

    def active_domains(self) -> set[str]:
        return {d.domain for d in self.store.domains() if d.is_active}

    def create_account(self, address: object, password: object) -> StoredAccount | list[Violation]:
        violations: list[Violation] = []
        if not isinstance(address, str) or not address.strip():
            violations.append(("address", "This value should not be blank."))
        if not isinstance(password, str) or not password:
            violations.append(("password", "This value should not be blank."))
        if violations or not isinstance(address, str) or not isinstance(password, str):
            return violations
        if not _encodable(password):
            violations.append(("password", "This value is not valid."))
        normalised = address.strip().lower()
        if not valid_address(normalised):
            return [("address", "This value is not a valid email address."), *violations]
        if violations:
            return violations
        domain = normalised.rsplit("@", 1)[1]
        if domain not in self.active_domains():
            return [("address", f'The domain "{domain}" is not valid.')]
        try:
            return self.store.create_account(wire.new_id(), normalised, hash_password(password))
        except AddressTaken:
            return [("address", "This value is already used.")]

    def login(self, address: str, password: str) -> StoredAccount | None:
        # Case-sensitive on purpose: mail.tm stores lower case and rejects the original spelling.
        if not _encodable(address) or not _encodable(password):
            return None
        account = self.store.account_by_address(address)
        if account is None or not check_password(password, account.password_hash):
            return None
        return account

    def issue_token(self, account: StoredAccount) -> str:
        return self.signer.issue(account.id, account.address)

    def authenticate(self, token: str) -> StoredAccount | AuthFailure:
        claims = self.signer.verify(token)
        if claims is None:
            return AuthFailure.INVALID
        account = self.store.account_by_id(str(claims["id"]))
        return account if account is not None else AuthFailure.GONE

    def hub_claims(self, token: str) -> dict[str, Any] | None:
        """The claims of a token the hub may honour: well signed and of an account that still
        exists (mail.tm's hub answers 401 to a deleted account's token)."""
        claims = self.signer.verify(token)
        if claims is None or self.store.account_by_id(str(claims["id"])) is None:
            return None
        return claims

    def delete_account(self, account: StoredAccount) -> None:
        self.store.delete_account(account.id)
        gone = replace(account, used=0, updated_at=float(int(time.time())))
        self.hub.publish(topic_of(account.id), wire.account_json(gone, deleted=True))

    # --- intake ------------------------------------------------------------------------------

    def check_recipient(self, address: str) -> RecipientVerdict:
        normalised = address.strip().lower()
        if not _encodable(normalised):
            return RecipientVerdict.UNKNOWN
        account = self.store.account_by_address(normalised)
        if account is None:
            return RecipientVerdict.UNKNOWN
        if account.used >= wire.QUOTA:
            return RecipientVerdict.FULL
        return RecipientVerdict.OK

    async def deliver(self, raw: bytes, recipients: Sequence[str]) -> list[str]:
        """Store one copy per known recipient with room for it; return the new message ids."""
        if len(raw) <= INLINE_PARSE_BYTES:
            parsed = parse_mail(raw)
        else:
            async with self._parsers:
                parsed = await asyncio.to_thread(parse_mail, raw)
        delivered: list[str] = []
        for address in dict.fromkeys(r.strip().lower() for r in recipients):
            account = self.store.account_by_address(address)
            if account is None or account.used + len(raw) > wire.QUOTA:
                continue
            delivered.append(self._store_copy(account, raw, parsed))
        log.info(
            "mail %r from %s: %d of %d recipient(s), %d bytes",
            parsed.subject[:80],
            parsed.sender.get("address") or "?",
            len(delivered),
            len(recipients),
            len(raw),
        )
        return delivered

    def topics_of(self, message_ids: Iterable[str]) -> set[str]:
        """The hub topics the arrival of these messages was published to (their accounts')."""
        found = (self.store.message(message_id) for message_id in message_ids)
        return {topic_of(message.account_id) for message in found if message is not None}

    def _store_copy(self, account: StoredAccount, raw: bytes, parsed: ParsedMail) -> str:
        now = time.time()
        message = StoredMessage(
            id=wire.new_id(),
            account_id=account.id,
            created_at=now,
            updated_at=now,
            seen=False,
            size=len(raw),
            msgid=parsed.msgid,
            subject=parsed.subject,
            intro=parsed.intro,
            sender=parsed.sender,
            to=parsed.to,
            cc=parsed.cc,
            bcc=parsed.bcc,
            text=parsed.text,
            html=parsed.html,
            attachments=parsed.attachments,
        )
        self.store.insert_message(message, raw, parsed.payloads)
        topic = topic_of(account.id)
        self.hub.publish(topic, wire.message_item_json(message, ld=True, context=True))
        updated = replace(account, used=account.used + len(raw))
        self.hub.publish(topic, wire.account_json(updated))
        return message.id

    # --- message changes ---------------------------------------------------------------------

    def set_seen(self, message: StoredMessage, seen: bool) -> StoredMessage:
        # updatedAt has one-second resolution on the wire; keep it strictly increasing per change,
        # as clients assert that a change moves it.
        now = float(int(time.time()))
        updated_at = max(now, float(int(message.updated_at)) + 1.0)
        self.store.set_seen(message.id, seen, updated_at)
        changed = replace(message, seen=seen, updated_at=updated_at)
        self.hub.publish(topic_of(message.account_id), wire.message_item_json(changed, ld=True, context=True))
        return changed

    def delete_message(self, message_id: str, account_id: str) -> None:
        self.store.delete_message(message_id)
        # API Platform publishes only the IRI when a resource is deleted (reference §6.2).
        self.hub.publish(topic_of(account_id), {"@id": f"/messages/{message_id}"})

    def purge_expired(self, now: float | None = None) -> int:
        cutoff = (time.time() if now is None else now) - self.retention_seconds
        expired = self.store.messages_created_before(cutoff)
        for message_id, account_id in expired:
            self.delete_message(message_id, account_id)
        return len(expired)
