"""Helpers for tests that need real mail delivered to a local server over real SMTP.

    await send_mail(server, "bob@temp-inbox.test", "Subject", "Body",
                    html="<p>Body</p>", attachments=[("a.txt", b"data", "text/plain")])

``server`` is anything with ``smtp_host`` and ``smtp_port`` (``LocalMailServer``,
``BackgroundMailServer``). smtplib runs in a worker thread so the server's loop keeps serving.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

Attachment = tuple[str, bytes, str]  # filename, data, content type


class HasSmtp(Protocol):
    smtp_host: str
    smtp_port: int


def build_message(
    to: str | Sequence[str],
    subject: str,
    body: str,
    *,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    inline_images: Sequence[tuple[str, bytes, str]] = (),
    sender: str = "Sender <sender@example.com>",
    cc: Sequence[str] = (),
) -> EmailMessage:
    """A standard multipart message; ``inline_images`` are (content id, data, type) for ``cid:`` use,
    named after their content id."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="sender.example")
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
        if inline_images:
            html_part = list(message.iter_parts())[-1]
            for cid, data, content_type in inline_images:
                maintype, _, subtype = content_type.partition("/")
                html_part.add_related(
                    data,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{cid}>",
                    disposition="inline",
                    filename=cid,
                )
    for filename, data, content_type in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _deliver(
    host: str, port: int, sender: str, recipients: Sequence[str], raw: bytes
) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP(host, port, timeout=30) as client:
        return client.sendmail(sender, list(recipients), raw)


async def send_raw(
    server: HasSmtp, recipients: str | Sequence[str], raw: bytes, *, sender: str = "sender@example.com"
) -> dict[str, tuple[int, bytes]]:
    """Send exact bytes; returns smtplib's refused-recipients map (raises if all are refused)."""
    rcpts = [recipients] if isinstance(recipients, str) else list(recipients)
    return await asyncio.to_thread(_deliver, server.smtp_host, server.smtp_port, sender, rcpts, raw)


async def send_mail(
    server: HasSmtp,
    to: str | Sequence[str],
    subject: str,
    body: str,
    *,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    inline_images: Sequence[tuple[str, bytes, str]] = (),
    sender: str = "Sender <sender@example.com>",
    cc: Sequence[str] = (),
) -> EmailMessage:
    """Build and send a message to ``to`` (and ``cc``); returns the message as sent."""
    message = build_message(
        to,
        subject,
        body,
        html=html,
        attachments=attachments,
        inline_images=inline_images,
        sender=sender,
        cc=cc,
    )
    envelope_sender = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    recipients = ([to] if isinstance(to, str) else list(to)) + list(cc)
    wire_bytes = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))  # SMTP wants CRLF
    await send_raw(server, recipients, wire_bytes, sender=envelope_sender)
    return message
