"""SQLite persistence across restarts, domain configuration changes and the retention purge."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.server.conftest import PASSWORD, make_inbox
from tests.server.sse import subscribe


async def test_restart_keeps_accounts_mail_and_tokens_and_rebinds_the_same_ports(tmp_path: Path) -> None:
    first = LocalMailServer(rate_limit=None, data_dir=tmp_path)
    await first.start()
    async with httpx.AsyncClient(base_url=first.api_url) as http:
        inbox = await make_inbox(http)
        await send_mail(
            first, inbox.address, "kept", "survives", attachments=[("a.txt", b"payload", "text/plain")]
        )
        before = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"][0]
        raw_before = (await http.get(before["downloadUrl"], headers=inbox.auth)).content
    ports = (first.http_port, first.smtp_port)
    await first.stop()

    second = LocalMailServer(rate_limit=None, data_dir=tmp_path, http_port=ports[0], smtp_port=ports[1])
    await second.start()
    try:
        assert (second.http_port, second.smtp_port) == ports
        async with httpx.AsyncClient(base_url=second.api_url) as http:
            me = await http.get("/me", headers=inbox.auth)  # token issued before the restart
            assert me.status_code == 200 and me.json()["used"] == before["size"]
            after = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
            assert after == [before]
            assert (await http.get(before["downloadUrl"], headers=inbox.auth)).content == raw_before
            full = (await http.get(before["@id"], headers=inbox.auth)).json()
            attachment = await http.get(full["attachments"][0]["downloadUrl"], headers=inbox.auth)
            assert attachment.content == b"payload"
            login = await http.post("/token", json={"address": inbox.address, "password": PASSWORD})
            assert login.status_code == 200
        await send_mail(second, inbox.address, "after restart", "x")
        assert second.store.count_messages(inbox.id) == 2
    finally:
        await second.stop()


async def test_in_memory_servers_share_nothing() -> None:
    async with LocalMailServer(rate_limit=None) as one, LocalMailServer(rate_limit=None) as two:
        one.create_account_direct("only@temp-inbox.test", "pw")
        assert two.store.account_by_address("only@temp-inbox.test") is None
        assert one.store.signing_secret() != two.store.signing_secret()


async def test_active_public_domains_are_listed_first(tmp_path: Path) -> None:
    async with LocalMailServer(rate_limit=None, data_dir=tmp_path, domains=["old.test"]):
        pass
    async with (
        LocalMailServer(rate_limit=None, data_dir=tmp_path, domains=["new.test", "other.test"]) as server,
        httpx.AsyncClient(base_url=server.api_url) as http,
    ):
        members = (await http.get("/domains")).json()["hydra:member"]
        assert [(d["domain"], d["isActive"]) for d in members] == [
            ("new.test", True),
            ("other.test", True),
            ("old.test", False),
        ]
        refused = await http.post("/accounts", json={"address": "x@old.test", "password": "pw"})
        assert refused.status_code == 422
        assert (
            await http.post("/accounts", json={"address": "x@other.test", "password": "pw"})
        ).status_code == 201


async def test_retention_date_and_purge(local_server: LocalMailServer, http: httpx.AsyncClient) -> None:
    inbox = await make_inbox(http)
    await send_mail(local_server, inbox.address, "old", "x")
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    full = (await http.get(item["@id"], headers=inbox.auth)).json()
    created = time.mktime(time.strptime(full["createdAt"][:19], "%Y-%m-%dT%H:%M:%S"))
    retention = time.mktime(time.strptime(full["retentionDate"][:19], "%Y-%m-%dT%H:%M:%S"))
    assert retention - created == 7 * 86400
    assert local_server.mail.purge_expired(now=time.time() + 6 * 86400) == 0
    assert local_server.mail.purge_expired(now=time.time() + 8 * 86400) == 1
    assert (await http.get(item["@id"], headers=inbox.auth)).status_code == 404
    assert (await http.get("/me", headers=inbox.auth)).json()["used"] == 0


async def test_purge_runs_by_itself_and_publishes_the_delete() -> None:
    async with (
        LocalMailServer(rate_limit=None, retention_days=0.5 / 86400) as server,
        httpx.AsyncClient(base_url=server.api_url) as http,
    ):
        inbox = await make_inbox(http)
        async with subscribe(http, server.hub_url, inbox.token, inbox.topic) as stream:
            await send_mail(server, inbox.address, "short-lived", "x")
            arrived = await stream.next_event()
            await stream.next_event()  # Account
            gone = await stream.next_event(timeout=10)
        assert gone.json == {"@id": arrived.json["@id"]}
        assert server.store.count_messages(inbox.id) == 0
