"""The delivery probe of "Why hasn't my mail arrived?": where Temp Inbox can send mail to the address
(the embedded local server's SMTP), it sends a test mail and times its arrival through the live stream.

A probe is marked by a token in its subject. The ``Inbox`` deletes every probe that arrives (a late one
too, the tokens of this session are kept), and no listener announces it or answers a wait with it: it
must never look like the user's mail.
"""

from __future__ import annotations

import asyncio
import secrets
import smtplib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal

from desktop_app.core.events import Listener, MailboxEvent, MessageAdded
from desktop_app.core.models import MessageSummary
from desktop_app.core.tasks import NamedTasks

PROBE_TIMEOUT_S = 10.0
PROBE_SENDER = "delivery-probe@temp-inbox.invalid"
SUBJECT_PREFIX = "Temp Inbox delivery probe "
SMTP_TIMEOUT_S = 10.0

Smtp = tuple[str, int]


@dataclass(frozen=True)
class ProbeOutcome:
    ok: bool
    detail: str
    failure: Literal["", "refused", "lost"] = ""


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, refusal = next(iter(exc.recipients.values()))
        return f"{code} {refusal.decode(errors='replace')}"
    if isinstance(exc, smtplib.SMTPResponseException):
        error: bytes | str = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else error
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return "no answer" if isinstance(exc, TimeoutError) else type(exc).__name__


def _send(smtp: Smtp, address: str, subject: str) -> None:
    message = EmailMessage()
    message["From"] = f"Temp Inbox <{PROBE_SENDER}>"
    message["To"] = address
    message["Subject"] = subject
    message.set_content("A test mail of Temp Inbox's delivery check. It is deleted when it arrives.")
    with smtplib.SMTP(smtp[0], smtp[1], timeout=SMTP_TIMEOUT_S) as client:
        client.send_message(message, PROBE_SENDER, [address])


class DeliveryProbes:
    def __init__(self) -> None:
        self._tokens: set[str] = set()
        self._pending: dict[str, asyncio.Future[tuple[MessageAdded, float]]] = {}

    def _token(self, summary: MessageSummary) -> str | None:
        subject = summary.subject
        if not subject.startswith(SUBJECT_PREFIX):
            return None
        token = subject.removeprefix(SUBJECT_PREFIX).strip()
        return token if token in self._tokens else None

    def is_probe(self, summary: MessageSummary) -> bool:
        return self._token(summary) is not None

    def on_event(self, event: MailboxEvent) -> None:
        if isinstance(event, MessageAdded) and (token := self._token(event.summary)) is not None:
            future = self._pending.get(token)
            if future is not None and not future.done():
                future.set_result((event, time.monotonic()))

    async def probe(self, smtp: Smtp, address: str, timeout: float = PROBE_TIMEOUT_S) -> ProbeOutcome:
        """Send one probe to ``address`` through ``smtp`` and wait up to ``timeout`` for it."""
        token = secrets.token_hex(6)
        self._tokens.add(token)
        future = self._pending[token] = asyncio.get_running_loop().create_future()
        started = time.monotonic()
        try:
            try:
                await asyncio.to_thread(_send, smtp, address, SUBJECT_PREFIX + token)
            except (OSError, smtplib.SMTPException) as exc:
                where = f"{smtp[0]}:{smtp[1]}"
                return ProbeOutcome(
                    False, f"SMTP at {where} did not take a test mail ({_smtp_reason(exc)})", "refused"
                )
            try:
                async with asyncio.timeout(timeout):
                    event, arrived = await future
            except TimeoutError:
                return ProbeOutcome(
                    False, f"a test mail was accepted but did not arrive in {timeout:g} s", "lost"
                )
            ms = round((arrived - started) * 1000)
            if not event.pushed:
                return ProbeOutcome(
                    False,
                    f"a test mail arrived in {ms} ms, but by catching up, not through the live connection",
                    "lost",
                )
            return ProbeOutcome(True, f"delivered through the live connection in {ms} ms")
        finally:
            self._pending.pop(token, None)


def deleting_probes(
    probes: DeliveryProbes, tasks: NamedTasks, delete: Callable[[str, str], Coroutine[Any, Any, None]]
) -> Listener:
    """The listener that deletes every probe that arrives (a late one too): ``delete(address, message
    id)``, in a task of ``tasks``."""

    def on_event(event: MailboxEvent) -> None:
        if isinstance(event, MessageAdded) and probes.is_probe(event.summary):
            tasks.spawn(
                f"delete probe {event.summary.id}", delete(event.address, event.summary.id), replace=False
            )

    return on_event
