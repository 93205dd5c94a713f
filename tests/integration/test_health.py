"""Why hasn't my mail arrived? Every verdict of ``Inbox.check_address`` driven by a real state of the
embedded server: its fault injection, a deactivated domain, an account deleted on the server, a
stopped server, a refusing hub and a missing password. Each asserts the code, the words the user
reads and the one action offered."""

from __future__ import annotations

import smtplib
from collections.abc import AsyncIterator

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.health import HealthReport
from desktop_app.core.inbox import Inbox
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from desktop_app.server.wire import new_id
from tests.integration.test_inbox import (
    Recorded,
    _live,
    inbox_fixture,
    mailboxes_fixture,
    server_fixture,
    store_fixture,
    vault_fixture,
)

# The fixtures, shared with the inbox's own tests.
__all__ = ["inbox_fixture", "mailboxes_fixture", "server_fixture", "store_fixture", "vault_fixture"]


@pytest.fixture(name="live_address")
async def live_address_fixture(inbox: Inbox) -> AsyncIterator[str]:
    recorded = Recorded()
    inbox.subscribe(recorded)
    record = await inbox.create_address(session_only=True)
    await _live(inbox, recorded, record.address)
    yield record.address


def names(report: HealthReport) -> dict[str, bool]:
    return {check.name: check.ok for check in report.checks}


async def test_a_healthy_address_passes_every_check(inbox: Inbox, live_address: str) -> None:
    progress: list[str] = []
    report = await inbox.check_address(live_address, lambda check: progress.append(check.name))
    assert report.verdict.code == "ok", report
    assert progress == ["password", "provider", "domain", "login", "account", "quota", "hub"]
    assert all(names(report).values())
    assert report.verdict.action == "new-address-other-domain"
    assert "No problem found" in report.verdict.text
    assert report.as_dict()["verdict"] == {
        "code": "ok",
        "text": report.verdict.text,
        "action": "new-address-other-domain",
    }


async def test_a_service_answering_500_is_down(
    inbox: Inbox, live_address: str, server: LocalMailServer
) -> None:
    server.faults.fail_next(5, "500")
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "provider-down"
    assert "HTTP 500" in report.verdict.text and "keeps retrying" in report.verdict.text
    assert report.verdict.action == "wait"
    assert names(report) == {"password": True, "provider": False}
    assert server.faults.served()["rest_500"] >= 1


async def test_a_stopped_server_is_down(inbox: Inbox, live_address: str, server: LocalMailServer) -> None:
    await server.stop()
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "provider-down"
    assert "no connection" in report.verdict.text


async def test_429s_are_rate_limiting(inbox: Inbox, live_address: str, server: LocalMailServer) -> None:
    server.faults.fail_next(10, "429")
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "rate-limited"
    assert "slow down" in report.verdict.text and "nothing is lost" in report.verdict.text
    assert server.faults.served()["rest_429"] >= 1


async def test_a_domain_no_longer_offered(inbox: Inbox, live_address: str, server: LocalMailServer) -> None:
    server.store.configure_domains(["elsewhere.test"], new_id)
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "domain-inactive"
    domain = live_address.rpartition("@")[2]
    assert f"no longer offers the domain {domain}" in report.verdict.text
    assert report.verdict.action == "new-address-other-domain"
    assert names(report)["domain"] is False


async def test_an_account_deleted_on_the_server(
    inbox: Inbox, live_address: str, server: LocalMailServer
) -> None:
    account = server.store.account_by_address(live_address)
    assert account is not None
    server.store.delete_account(account.id)
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "token-refused"
    assert "deleted on the service" in report.verdict.text
    assert report.verdict.action == "new-address"


async def test_a_missing_password(inbox: Inbox, live_address: str, vault: PasswordVault) -> None:
    await vault.delete(inbox.provider.id, live_address)
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "keyring-missing"
    assert report.verdict.action == "log-in-again"
    # The service is still asked about: a second problem there would show in the checks.
    assert names(report) == {"password": False, "provider": True, "domain": True}


async def test_a_hub_that_refuses_connections(
    inbox: Inbox, live_address: str, server: LocalMailServer
) -> None:
    recorded = Recorded()
    inbox.subscribe(recorded)
    # More refusals than the mailbox's reconnects (at most one per 0.05-0.5 s) can use up during the
    # test on any machine: the stream stays down, and the check's own subscription is refused too.
    server.faults.fail_next(2000, "500", hub=True)
    server.faults.drop_streams()
    await recorded.until(
        lambda e: getattr(e, "address", "") == live_address and not inbox.is_live(live_address)
    )
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "hub-down", report
    assert report.verdict.action == "reconnect"
    assert names(report)["hub"] is False and names(report)["login"] is True
    assert server.faults.served()["hub_500"] >= 1


async def test_a_hub_that_refuses_the_token_the_service_gave(
    inbox: Inbox, live_address: str, server: LocalMailServer
) -> None:
    """REST accepts the password; the hub answers 401 to every subscription (more refusals queued
    than the stream's re-logins and reconnects can use up during the test)."""
    recorded = Recorded()
    inbox.subscribe(recorded)
    server.faults.fail_next(2000, "401", hub=True)
    server.faults.drop_streams()
    await recorded.until(
        lambda e: getattr(e, "address", "") == live_address and not inbox.is_live(live_address)
    )
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "token-refused", report
    assert "although the password works" in report.verdict.text and report.verdict.action == "reconnect"
    assert names(report)["login"] is True and names(report)["hub"] is False
    assert server.faults.served()["hub_401"] >= 1


async def test_a_full_mailbox(inbox: Inbox, live_address: str, server: LocalMailServer) -> None:
    """Mail until the server refuses more (552, as mail.tm does): the address is full."""
    filler = "x" * 990_000
    refused = False
    for n in range(45):
        try:
            await send_mail(server, live_address, f"Big {n}", filler)
        except smtplib.SMTPException:  # 552 Mailbox full
            refused = True
            break
    assert refused
    report = await inbox.check_address(live_address)
    assert report.verdict.code == "quota-full", report
    assert "storage is full" in report.verdict.text and report.verdict.action == "delete-old-mail"
