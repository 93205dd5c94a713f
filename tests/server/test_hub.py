"""The Mercure hub: framing, event order, auth, heartbeats, replay, write timeout, HTTP/2 multiplexing."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable

import h2.config
import h2.connection
import h2.events
import httpx

from desktop_app.server import LocalMailServer
from desktop_app.server.testing import send_mail
from tests.server.conftest import Inbox, make_inbox
from tests.server.sse import subscribe
from tests.server.test_rest_conformance import ACCOUNT_KEYS, ITEM_KEYS

UUID_ID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _token_with_topics(server: LocalMailServer, account_id: str, topics: list[str]) -> str:
    """A token signed with the server's secret whose mercure claim covers several topics."""
    head = _b64(b'{"typ":"JWT","alg":"HS512"}')
    claims = {
        "iat": int(time.time()),
        "roles": ["ROLE_USER"],
        "id": account_id,
        "mercure": {"subscribe": topics},
    }
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(server.store.signing_secret(), f"{head}.{body}".encode(), hashlib.sha512).digest()
    return f"{head}.{body}.{_b64(signature)}"


async def test_hub_errors(local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox) -> None:
    hub = local_server.hub_url
    no_token = await http.get(f"{hub}?topic={inbox.topic}")
    assert (no_token.status_code, no_token.text) == (401, "Unauthorized")
    bad = await http.get(f"{hub}?topic={inbox.topic}", headers={"Authorization": "Bearer " + "x" * 60})
    assert (bad.status_code, bad.text) == (401, "Unauthorized")
    short = await http.get(f"{hub}?topic={inbox.topic}", headers={"Authorization": "Bearer abc"})
    assert short.status_code == 401
    no_topic = await http.get(hub, headers=inbox.auth)
    assert (no_topic.status_code, no_topic.text) == (400, 'Missing "topic" parameter.')


async def test_headers_and_initial_comment_arrive_before_any_event(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        headers = stream.response.headers
        assert stream.response.status_code == 200
        assert headers["content-type"] == "text/event-stream"
        assert headers["cache-control"] == "private, no-cache, no-store, must-revalidate, max-age=0"
        assert headers["x-accel-buffering"] == "no"
        assert headers["transfer-encoding"] == "chunked"
        first = await stream.next_block(timeout=30)
        assert first.is_comment and first.lines == [":"]
    assert local_server.stats.hub_connections == 1


async def test_arrival_gives_message_then_account_event(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await stream.next_block()
        await send_mail(local_server, inbox.address, "Live!", "pushed body")
        message = await stream.next_event()
        account = await stream.next_event()
    assert UUID_ID.match(message.id or "") and UUID_ID.match(account.id or "") and message.id != account.id
    data = message.json
    assert set(data) == ITEM_KEYS | {"@context"}
    assert (data["@context"], data["@type"], data["subject"], data["intro"]) == (
        "/contexts/Message",
        "Message",
        "Live!",
        "pushed body",
    )
    assert data["accountId"] == inbox.topic and data["seen"] is False
    assert set(account.json) == ACCOUNT_KEYS
    assert account.json["@type"] == "Account" and account.json["used"] == data["size"] > 0
    assert all(len(block.data_lines) <= 1 for block in stream.received)


async def test_seen_and_delete_events(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    await send_mail(local_server, inbox.address, "s", "b")
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await stream.next_block()
        merge = {**inbox.auth, "Content-Type": "application/merge-patch+json"}
        await http.patch(item["@id"], content=b'{"seen":true}', headers=merge)
        seen = await stream.next_event()
        assert seen.json["@type"] == "Message" and seen.json["seen"] is True and seen.json["id"] == item["id"]
        await http.delete(item["@id"], headers=inbox.auth)
        deleted = await stream.next_event()
        assert deleted.json == {"@id": item["@id"]}


async def test_heartbeats_while_idle(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    local_server.heartbeat = 0.1
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        blocks = [await stream.next_block(timeout=30) for _ in range(3)]
    assert all(block.is_comment for block in blocks)


async def test_last_event_id_replays_from_history(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await send_mail(local_server, inbox.address, "first", "1")
        await stream.next_event()
        last_seen = (await stream.next_event()).id
    assert last_seen
    await send_mail(local_server, inbox.address, "second", "2")  # while disconnected
    other = await make_inbox(http)
    await send_mail(local_server, other.address, "not yours", "x")
    resume = {"Last-Event-ID": last_seen}
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic, headers=resume) as stream:
        replayed = [await stream.next_event(timeout=30), await stream.next_event(timeout=30)]
    assert [b.json["@type"] for b in replayed] == ["Message", "Account"]
    assert replayed[0].json["subject"] == "second"
    earliest = {"Last-Event-ID": "earliest"}
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic, headers=earliest) as stream:
        subjects = [(await stream.next_event()).json.get("subject") for _ in range(4)]
    assert subjects == ["first", None, "second", None]


async def test_history_is_bounded() -> None:
    async with (
        LocalMailServer(rate_limit=None, history_size=2) as server,
        httpx.AsyncClient(base_url=server.api_url) as http,
    ):
        inbox = await make_inbox(http)
        for n in range(3):
            await send_mail(server, inbox.address, f"m{n}", "x")
        resume = {"Last-Event-ID": "earliest"}
        async with subscribe(http, server.hub_url, inbox.token, inbox.topic, headers=resume) as stream:
            replayed = [await stream.next_event(), await stream.next_event()]
            assert [b.json["@type"] for b in replayed] == ["Message", "Account"]
            assert replayed[0].json["subject"] == "m2"


async def test_write_timeout_closes_the_stream(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    local_server.write_timeout = 0.3
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        assert await stream.ended(timeout=30)
    assert local_server.stats.hub_open == 0


async def test_several_topics_on_one_connection(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    other = await make_inbox(http)
    both = _token_with_topics(local_server, inbox.id, [inbox.topic, other.topic])
    async with subscribe(http, local_server.hub_url, both, inbox.topic, other.topic) as stream:
        await send_mail(local_server, inbox.address, "to first", "x")
        await send_mail(local_server, other.address, "to second", "x")
        events = [await stream.next_event() for _ in range(4)]
    assert [e.json.get("subject") for e in events] == ["to first", None, "to second", None]
    # A token only receives the topics its claim covers, even when it asks for more.
    async with subscribe(http, local_server.hub_url, inbox.token, other.topic, inbox.topic) as stream:
        await send_mail(local_server, other.address, "hidden", "x")
        await send_mail(local_server, inbox.address, "visible", "x")
        assert (await stream.next_event()).json["subject"] == "visible"


async def _until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll server-side state that no event announces (the hub's bookkeeping after a client leaves)."""
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110 (no event announces this server-side bookkeeping)
            await asyncio.sleep(0.02)


async def test_http2_multiplexes_50_streams_and_rest_on_one_connection(
    local_server: LocalMailServer, inbox: Inbox
) -> None:
    peers_before = local_server.stats.tcp_connections
    async with httpx.AsyncClient(base_url=local_server.api_url, http1=False, http2=True) as h2:
        async with contextlib.AsyncExitStack() as stack:
            opened = [
                await stack.enter_async_context(subscribe(h2, local_server.hub_url, inbox.token, inbox.topic))
                for _ in range(50)
            ]
            assert all(s.response.http_version == "HTTP/2" for s in opened)
            for s in opened:
                assert (await s.next_block()).is_comment
            me = await h2.get("/me", headers=inbox.auth)
            assert me.http_version == "HTTP/2" and me.status_code == 200
            await send_mail(local_server, inbox.address, "fan-out", "x")
            firsts = await asyncio.gather(*(s.next_event() for s in opened))
            assert {b.json["subject"] for b in firsts} == {"fan-out"}
            assert local_server.stats.hub_open == 50
        assert (await h2.get("/domains")).status_code == 200
    # httpcore does not reset a stream it stops reading; closing the connection frees them all
    await _until(lambda: local_server.stats.hub_open == 0)
    assert local_server.stats.tcp_connections == peers_before + 1


async def test_a_reset_http2_stream_is_freed_while_the_connection_stays(
    local_server: LocalMailServer, inbox: Inbox
) -> None:
    reader, writer = await asyncio.open_connection(local_server.host, local_server.http_port)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    request = [
        (":method", "GET"),
        (":scheme", "http"),
        (":authority", f"127.0.0.1:{local_server.http_port}"),
        (":path", f"/.well-known/mercure?topic={inbox.topic}"),
        ("authorization", f"Bearer {inbox.token}"),
    ]
    for stream_id in (1, 3):
        connection.send_headers(stream_id, request)
    writer.write(connection.data_to_send())
    comments: set[int] = set()
    async with asyncio.timeout(5):
        while comments != {1, 3}:
            for event in connection.receive_data(await reader.read(65536)):
                if isinstance(event, h2.events.DataReceived) and event.data.startswith(b":"):
                    comments.add(event.stream_id)
            writer.write(connection.data_to_send())
    assert local_server.stats.hub_open == 2
    connection.reset_stream(1)
    writer.write(connection.data_to_send())
    await _until(lambda: local_server.stats.hub_open == 1)
    writer.close()
    await writer.wait_closed()
    await _until(lambda: local_server.stats.hub_open == 0)


async def test_http1_client_going_away_frees_its_stream(
    local_server: LocalMailServer, http: httpx.AsyncClient, inbox: Inbox
) -> None:
    async with subscribe(http, local_server.hub_url, inbox.token, inbox.topic) as stream:
        await stream.next_block()
        assert local_server.stats.hub_open == 1
    await _until(lambda: local_server.stats.hub_open == 0)


async def test_stop_ends_live_streams_promptly() -> None:
    server = LocalMailServer(rate_limit=None)
    await server.start()
    async with httpx.AsyncClient(base_url=server.api_url) as http:
        other = await make_inbox(http)
        async with subscribe(http, server.hub_url, other.token, other.topic) as stream:
            await stream.next_block()
            loop = asyncio.get_running_loop()
            started = loop.time()
            await server.stop()
            assert loop.time() - started < 2.5
            assert await stream.ended(timeout=30)


async def test_a_stalled_stream_holds_back_only_its_own_topics_mail() -> None:
    """``handed_over`` waits for the streams of the topics a mail went to, and only those: a subscriber
    of another account that stopped reading must not hold every sender's 250 for the full bound."""
    from desktop_app.server.faults import FaultInjector
    from desktop_app.server.hub import Hub

    hub = Hub(FaultInjector())
    stalled, _ = hub.subscribe(frozenset({"/accounts/stalled"}), None)
    mine, _ = hub.subscribe(frozenset({"/accounts/mine"}), None)
    hub.publish("/accounts/stalled", {"n": 1})  # never read: its stream stays busy
    # An hour's bound: were the stalled stream waited for, this would not end within 30 s.
    await asyncio.wait_for(hub.handed_over({"/accounts/mine"}, 3600), 30)

    hub.publish("/accounts/mine", {"n": 2})
    waiting = asyncio.ensure_future(hub.handed_over({"/accounts/mine"}, 3600))
    await asyncio.sleep(0)
    assert not waiting.done()  # its own stream has not handed the event over yet
    mine.idle.set()  # what the stream's pump does once its queue is empty
    await asyncio.wait_for(waiting, 30)
    assert not stalled.idle.is_set()
