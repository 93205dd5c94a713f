"""SMTP intake with aiosmtpd, served from the caller's event loop (no extra thread).

Plain ESMTP, no TLS or AUTH (reference §12.11): unknown recipients get 550 at RCPT, a full mailbox
552; the DATA bytes are stored exactly as received (after dot-unstuffing).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import weakref
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from desktop_app.server.faults import ServerStats
from desktop_app.server.limits import ServerLimits
from desktop_app.server.mailroom import MailService, RecipientVerdict

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 40_000_000  # one message can at most fill a whole mailbox
# How long a 250 may wait for the hub streams to write the arrival (Hub.handed_over): they take well
# under a millisecond; one that does not keep up costs its sender this, never more.
HUB_FIRST_TIMEOUT = 0.02


class SessionGate:
    """Counts open SMTP sessions against the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0


class LenientSMTP(SMTP):
    # RFC 5321 caps lines at 1000 octets, but real senders overrun it; refusing their mail helps nobody.
    line_length_limit = 1 << 20

    def __init__(self, *args: Any, gate: SessionGate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = gate
        self._admitted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._gate.open >= self._gate.limit:
            # Over the cap: a 421 greeting tells the sender to come back later (RFC 5321 §3.8).
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(b"421 4.7.0 Too many connections, try again later\r\n")
            transport.close()
            return
        self._admitted = True
        self._gate.open += 1
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if not self._admitted:
            return  # aiosmtpd never saw this connection
        self._admitted = False
        self._gate.open -= 1
        super().connection_lost(error)


class IntakeHandler:
    def __init__(self, mail: MailService, stats: ServerStats) -> None:
        self._mail = mail
        self._stats = stats

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        verdict = self._mail.check_recipient(address)
        if verdict is RecipientVerdict.UNKNOWN:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        if verdict is RecipientVerdict.FULL:
            return f"552 5.2.2 <{address}>: Mailbox full"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = (
                content if isinstance(content, bytes) else (content or "").encode("utf-8", "surrogateescape")
            )
        try:
            delivered = await self._mail.deliver(raw, envelope.rcpt_tos)
        except Exception:
            log.exception("could not store a message for %s", envelope.rcpt_tos)
            return "451 4.3.0 Error: could not store the message"
        if not delivered:
            return "552 5.2.2 Mailbox full"
        self._stats.smtp_messages += 1
        # Stored and published: the live streams are written before the 250 instead of racing it, so
        # a subscriber hears of the mail no later than its sender hears it was accepted.
        await self._mail.hub.handed_over(self._mail.topics_of(delivered), HUB_FIRST_TIMEOUT)
        return f"250 2.0.0 OK: queued as {delivered[0]}"


class SmtpIntake:
    """The listening SMTP server plus its live sessions, so that stopping also ends open sessions."""

    def __init__(self, server: asyncio.Server, sessions: weakref.WeakSet[LenientSMTP]) -> None:
        self.server = server
        self._sessions = sessions

    @property
    def port(self) -> int:
        return int(self.server.sockets[0].getsockname()[1])

    def close(self) -> None:
        self.server.close()
        for session in list(self._sessions):
            if session.transport is not None:
                session.transport.close()


async def start_smtp(
    mail: MailService,
    stats: ServerStats,
    host: str,
    port: int,
    *,
    hostname: str = "temp-inbox.local",
    limits: ServerLimits | None = None,
) -> SmtpIntake:
    limits = limits or ServerLimits()
    handler = IntakeHandler(mail, stats)
    loop = asyncio.get_running_loop()
    sessions: weakref.WeakSet[LenientSMTP] = weakref.WeakSet()
    gate = SessionGate(limits.max_smtp_sessions)

    def protocol() -> Any:
        # An explicit hostname: aiosmtpd would otherwise call the slow socket.getfqdn() per connection.
        session = LenientSMTP(
            handler,
            hostname=hostname,
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
            loop=loop,
            timeout=limits.smtp_idle_timeout,
            gate=gate,
        )
        sessions.add(session)
        return session

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server = await loop.create_server(protocol, host=host, port=port, family=family, reuse_address=True)
    return SmtpIntake(server, sessions)
