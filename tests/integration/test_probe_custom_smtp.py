"""The delivery probe through an SMTP server the user configured for a custom provider.

The embedded server (port 0) is added as a *custom* provider, not as "This computer": the Inbox knows
no SMTP of its own (``probe_smtp`` stays empty), so every probe here goes where the provider record
says. Ok, refused (a closed port) and lost (a second server's SMTP, whose mail never reaches this hub),
and the SMTP endpoint kept, changed and forgotten with the provider."""

from __future__ import annotations

import socket

import pytest

from desktop_app.core.api.providers import Provider
from desktop_app.core.errors import UsageError
from desktop_app.core.events import MessageAdded, MessageRemoved
from desktop_app.core.inbox import Inbox
from desktop_app.server import LocalMailServer
from tests.integration.test_expecting import _address_on
from tests.integration.test_inbox import (
    Recorded,
    _live,
    inbox_fixture,
    mailboxes_fixture,
    server_fixture,
    store_fixture,
    vault_fixture,
)

__all__ = ["inbox_fixture", "mailboxes_fixture", "server_fixture", "store_fixture", "vault_fixture"]

pytestmark = [pytest.mark.timeout(60), pytest.mark.timing]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def custom_address(inbox: Inbox, server: LocalMailServer, smtp: str) -> tuple[Provider, str]:
    provider = await inbox.add_provider(server.api_url, server.hub_url, smtp=smtp)
    assert provider.id.startswith("custom-") and inbox.probe_smtp == {}  # the configured path only
    recorded = Recorded()
    inbox.subscribe(recorded)
    record = await inbox.create_address(session_only=True, provider=provider)
    await _live(inbox, recorded, record.address)
    return provider, record.address


async def test_the_probe_goes_through_the_configured_smtp_and_is_deleted(
    inbox: Inbox, server: LocalMailServer
) -> None:
    provider, address = await custom_address(inbox, server, f"127.0.0.1:{server.smtp_port}")
    assert provider.smtp == ("127.0.0.1", server.smtp_port)
    recorded = Recorded()
    inbox.subscribe(recorded)
    report = await inbox.check_address(address)
    assert report.verdict.code == "ok", report
    probe = report.checks[-1]
    assert probe.name == "probe" and probe.ok, report
    assert probe.detail.startswith("delivered through the live connection in ") and probe.detail.endswith(
        " ms"
    )
    added = await recorded.until(lambda e: isinstance(e, MessageAdded) and inbox.is_probe(e.summary))
    assert isinstance(added, MessageAdded)
    await recorded.until(lambda e: isinstance(e, MessageRemoved) and e.message_id == added.summary.id)
    assert server.store.message(added.summary.id) is None
    assert inbox.list_messages(address, 0, 50) == []


async def test_a_closed_smtp_port_is_probe_refused(inbox: Inbox, server: LocalMailServer) -> None:
    port = closed_port()
    _provider, address = await custom_address(inbox, server, f"127.0.0.1:{port}")
    report = await inbox.check_address(address)
    assert report.verdict.code == "probe-refused", report
    assert f"SMTP at 127.0.0.1:{port} did not take a test mail (connection refused)" in report.verdict.text


async def test_another_servers_smtp_is_probe_lost(inbox: Inbox, server: LocalMailServer) -> None:
    async with LocalMailServer(rate_limit=None) as elsewhere:
        _provider, address = await custom_address(inbox, server, f"127.0.0.1:{elsewhere.smtp_port}")
        assert await _address_on(elsewhere, address)  # so that its SMTP accepts the probe
        inbox.probe_timeout = 1.0
        report = await inbox.check_address(address)
    assert report.verdict.code == "probe-lost", report
    assert "did not arrive in 1 s" in report.verdict.text


async def test_without_smtp_there_is_no_probe(inbox: Inbox, server: LocalMailServer) -> None:
    provider = await inbox.add_provider(server.api_url, server.hub_url)
    assert provider.smtp is None
    record = await inbox.create_address(session_only=True, provider=provider)
    report = await inbox.check_address(record.address)
    assert "probe" not in [check.name for check in report.checks], report


async def test_adding_again_changes_keeps_or_forgets_the_smtp(inbox: Inbox, server: LocalMailServer) -> None:
    await inbox.add_provider(server.api_url, server.hub_url, smtp="127.0.0.1:2525")
    changed = await inbox.add_provider(server.api_url, server.hub_url, smtp="[::1]:2526")
    assert changed.smtp == ("::1", 2526)
    kept = await inbox.add_provider(server.api_url, server.hub_url)  # no --smtp: the kept one stays
    assert kept.smtp == ("::1", 2526)
    record = await inbox.create_address(session_only=True, provider=kept)  # saves the provider again
    assert inbox.find_provider(kept.name).smtp == ("::1", 2526)  # type: ignore[union-attr]
    forgotten = await inbox.add_provider(server.api_url, server.hub_url, smtp="none")
    assert forgotten.smtp is None and inbox.find_provider(kept.name).smtp is None  # type: ignore[union-attr]
    assert record.address


async def test_a_bad_smtp_is_refused_before_anything_is_kept(inbox: Inbox, server: LocalMailServer) -> None:
    before = inbox.providers()
    with pytest.raises(UsageError, match=r"'mail\.example' is not an SMTP endpoint: give host:port"):
        await inbox.add_provider(server.api_url, server.hub_url, smtp="mail.example")
    assert inbox.providers() == before
    with pytest.raises(UsageError, match="built in"):
        # Refused before any request: mail.tm's SMTP is not the user's to configure.
        await inbox.add_provider(
            "https://api.mail.tm", "https://mercure.mail.tm/.well-known/mercure", smtp="127.0.0.1:25"
        )
