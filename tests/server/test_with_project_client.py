"""The project's own MailTmClient against the local server: each checks the other."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from desktop_app.core import errors
from desktop_app.core.api.client import MailTmClient
from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.server.conftest import DOMAIN, PASSWORD


@pytest.fixture
async def client(local_server: LocalMailServer) -> AsyncIterator[MailTmClient]:
    api = MailTmClient(local_server.api_url, rate_limit=1000.0, max_retries=2, backoff_base=0.01)
    yield api
    await api.aclose()


async def test_full_round_trip(local_server: LocalMailServer, client: MailTmClient) -> None:
    (domain,) = await client.domains()
    assert domain.domain == DOMAIN and domain.is_active and not domain.is_private
    account = await client.create_account(f"Round.Trip@{DOMAIN}", PASSWORD)
    assert account.address == f"round.trip@{DOMAIN}" and account.quota == 40_000_000
    token = await client.login(account.address, PASSWORD)
    assert token.id == account.id
    assert (await client.me()).id == account.id

    await send_mail(
        local_server,
        account.address,
        "Hello client",
        "Your code is 424242",
        html="<p>Your code is <b>424242</b></p>",
        attachments=[("note.txt", b"attached", "text/plain")],
    )
    page = await client.messages(page=1)
    assert page.total == 1 and page.has_next is False
    (summary,) = page.items
    assert summary.subject == "Hello client" and summary.intro == "Your code is 424242"
    assert summary.account_id in (account.id, f"/accounts/{account.id}")
    message = await client.message(summary.id)
    assert message.text.strip() == "Your code is 424242"
    assert message.html and "<b>424242</b>" in message.html[0]
    (attachment,) = message.attachments
    assert attachment.filename == "note.txt"
    assert await client.attachment(summary.id, attachment.id) == b"attached"
    assert await client.source(summary.id) == local_server.store.raw_source(summary.id)

    await client.mark_seen(summary.id, True)
    assert (await client.message(summary.id)).summary.seen is True
    await client.mark_seen(summary.id, False)
    assert (await client.message(summary.id)).summary.seen is False
    await client.delete_message(summary.id)
    assert (await client.messages()).total == 0
    assert (await client.me()).used == 0

    await client.delete_account(account.id)
    with pytest.raises(errors.AuthError):
        await client.me()


async def test_paging_and_errors(local_server: LocalMailServer, client: MailTmClient) -> None:
    account = await client.create_account(f"pager@{DOMAIN}", PASSWORD)
    await client.login(account.address, PASSWORD)
    for n in range(31):
        assert await local_server.mail.deliver(f"Subject: n{n}\r\n\r\nx\r\n".encode(), [account.address])
    first = await client.messages(page=1)
    assert first.total == 31 and len(first.items) == 30 and first.has_next is True
    second = await client.messages(page=2)
    assert len(second.items) == 1 and second.has_next is False and second.items[0].subject == "n0"
    with pytest.raises(errors.AddressTakenError):
        await client.create_account(account.address, PASSWORD)
    with pytest.raises(errors.ValidationError):
        await client.create_account("nobody@nowhere.example", PASSWORD)
    with pytest.raises(errors.NotFoundError):
        await client.message("0123456789abcdef01234567")
    stranger = client.for_account(account.address, "wrong password")
    with pytest.raises(errors.InvalidCredentialsError):
        await stranger.login()


async def test_client_survives_injected_faults(local_server: LocalMailServer, client: MailTmClient) -> None:
    local_server.faults.fail_next(1, "500")
    local_server.faults.fail_next(1, "429")
    assert (await client.domains())[0].domain == DOMAIN
    local_server.faults.fail_next(1, "malformed")
    with pytest.raises(errors.ProtocolError):
        await client.domains()
