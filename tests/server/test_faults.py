"""Fault injection through the Python handle and the loopback-only admin endpoint."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from desktop_app.server import LocalMailServer
from desktop_app.server.faults import MAX_DELAY_S, MAX_QUEUED
from desktop_app.server.testing import send_mail
from tests.server.conftest import Inbox
from tests.server.sse import subscribe


async def test_fail_next_with_500_then_recovers(
    local_server: LocalMailServer, http: httpx.AsyncClient
) -> None:
    local_server.faults.fail_next(2, "500")
    first, second, third = [await http.get("/domains") for _ in range(3)]
    assert first.status_code == second.status_code == 500
    assert first.json()["hydra:description"] == "Internal Server Error" and first.json()["status"] == 500
    assert third.status_code == 200


async def test_fail_next_with_429_and_malformed(
    local_server: LocalMailServer, http: httpx.AsyncClient
) -> None:
    local_server.faults.fail_next(1, "429")
    local_server.faults.fail_next(1, "malformed")
    limited = await http.get("/domains")
    assert limited.status_code == 429 and limited.content == b""
    malformed = await http.get("/domains")
    assert malformed.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        malformed.json()
    assert (await http.get("/domains")).json()["hydra:totalItems"] == 1


async def test_delay_holds_responses(local_server: LocalMailServer, http: httpx.AsyncClient) -> None:
    local_server.faults.delay(0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await http.get("/domains")).status_code == 200
    assert loop.time() - started >= 0.3
    local_server.faults.reset()
    assert local_server.faults.state()["delay"] == 0.0


async def test_glitch_sends_two_then_the_json(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    local_server.faults.glitch_next(1)
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await send_mail(local_server, inbox.address, "glitchy", "x")
        glitched = await stream.next_event()
        normal = await stream.next_event()
    assert glitched.data_lines[0] == "2"
    assert json.loads(glitched.data_lines[1])["subject"] == "glitchy"
    # joined as an SSE client joins data lines: "2\n{json}"
    assert "\n".join(glitched.data_lines).startswith("2\n{")
    assert len(normal.data_lines) == 1 and normal.json["@type"] == "Account"


async def test_drop_streams_ends_every_live_stream(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    async with (
        subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as one,
        subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as two,
    ):
        await one.next_block()
        await two.next_block()
        local_server.faults.drop_streams()
        assert await one.ended() and await two.ended()
    # reconnecting works at once
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as again:
        assert (await again.next_block()).is_comment


async def test_hub_connections_can_fail_too(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    local_server.faults.fail_next(1, "500", hub=True)
    rest = await http.get("/domains")
    assert rest.status_code == 200  # REST is not affected by hub faults
    failed = await http.get(f"{local_server.hub_url}?topic={inbox.topic}", headers=inbox.auth)
    assert failed.status_code == 500


async def test_admin_endpoint_drives_the_same_faults(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    local_server.gateway.allow_faults = True  # as `temp-inbox serve --allow-faults`
    state = await http.post(
        "/_admin/faults", json={"fail_next": {"count": 1, "kind": "500"}, "glitch_next": 2}
    )
    assert state.status_code == 200
    assert state.json()["fail_next"] == ["500"] and state.json()["glitch_next"] == 2
    assert (await http.get("/domains")).status_code == 500
    assert (await http.post("/_admin/faults", json={"reset": True})).json()["glitch_next"] == 0
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await stream.next_block()
        assert (await http.post("/_admin/faults", json={"drop_streams": True})).status_code == 200
        assert await stream.ended()
    bad = await http.post("/_admin/faults", json={"fail_next": {"count": 1, "kind": "teapot"}})
    assert bad.status_code == 400
    stats = (await http.get("/_admin/stats")).json()
    assert stats["requests"] >= 1 and stats["hub_connections"] == 1
    # admin requests are neither counted nor rate limited
    assert stats["requests"] == local_server.stats.requests


async def test_admin_endpoint_is_loopback_only(local_server: LocalMailServer) -> None:
    transport = httpx.ASGITransport(app=local_server.gateway, client=("192.0.2.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as remote:
        response = await remote.post("/_admin/faults", json={"fail_next": {"count": 5, "kind": "500"}})
        assert response.status_code == 404
        assert (await remote.get("/domains")).status_code == 200
    assert local_server.faults.state()["fail_next"] == []


async def test_admin_faults_are_off_unless_asked_for(
    local_server: LocalMailServer, http: httpx.AsyncClient
) -> None:
    """A web page in the user's browser can POST to 127.0.0.1:8025; by default it can change nothing."""
    refused = await http.post("/_admin/faults", json={"delay": 1e9, "fail_next": {"count": 5, "kind": "500"}})
    assert refused.status_code == 403
    assert "--allow-faults" in refused.json()["error"]
    assert local_server.faults.state()["delay"] == 0.0 and local_server.faults.state()["fail_next"] == []
    assert (await http.get("/domains")).status_code == 200


async def test_admin_faults_refuse_a_cross_site_simple_post(
    local_server: LocalMailServer, http: httpx.AsyncClient
) -> None:
    """A form or ``fetch`` with ``text/plain`` needs no CORS preflight; application/json does."""
    local_server.gateway.allow_faults = True
    body = '{"fail_next": {"count": 5, "kind": "500"}}'
    refused = await http.post("/_admin/faults", content=body, headers={"content-type": "text/plain"})
    assert refused.status_code == 415
    assert local_server.faults.state()["fail_next"] == []


async def test_admin_faults_are_bounded(local_server: LocalMailServer, http: httpx.AsyncClient) -> None:
    local_server.gateway.allow_faults = True
    state = (
        await http.post(
            "/_admin/faults",
            json={"fail_next": {"count": 100_000_000, "kind": "500"}, "delay": 1e9, "glitch_next": 10**9},
        )
    ).json()
    assert len(state["fail_next"]) == MAX_QUEUED
    assert state["delay"] == MAX_DELAY_S
    assert state["glitch_next"] == MAX_QUEUED
    nan = await http.post(
        "/_admin/faults", content='{"delay": NaN}', headers={"content-type": "application/json"}
    )
    assert nan.status_code == 400


async def test_served_counts_what_was_answered_not_what_was_asked(
    local_server: LocalMailServer, http: httpx.AsyncClient
) -> None:
    local_server.faults.fail_next(3, "500")
    assert local_server.faults.served()["rest_500"] == 0
    assert (await http.get("/domains")).status_code == 500
    assert local_server.faults.served()["rest_500"] == 1
    assert local_server.faults.served()["hub_500"] == 0
