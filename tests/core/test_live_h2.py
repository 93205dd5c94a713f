"""The HTTP/2 stream transport against the local server's Hypercorn (h2c with prior knowledge)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.utils import wrap_app

from desktop_app.core.live.h2streams import HTTP2StreamTransport, HTTP2Unsupported
from desktop_app.core.live.mercure import HubUpdate, SseFrameDecoder, SseLineSplitter, Unreadable
from desktop_app.core.live.subscription import HubStreams, LiveSettings, LiveSubscription
from desktop_app.server import LocalMailServer
from tests.integration.support import FakeMailClient

PASSWORD = "correct horse battery"


async def _accounts(server: LocalMailServer, count: int) -> list[tuple[str, str, str]]:
    """(address, account id, token) for ``count`` new accounts."""
    result = []
    for index in range(count):
        address = f"h2user{index}@temp-inbox.test"
        account_id = server.create_account_direct(address, PASSWORD)
        result.append((address, account_id, server.token_for(address)))
    return result


async def _subscribe(
    client: httpx.AsyncClient, server: LocalMailServer, account_id: str, token: str
) -> httpx.Response:
    """Open the hub stream for the account's topic; the caller closes the response."""
    request = client.build_request(
        "GET",
        server.hub_url,
        params={"topic": f"/accounts/{account_id}"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return await client.send(request, stream=True)


async def _first_frame_data(response: httpx.Response) -> str:
    splitter, decoder = SseLineSplitter(), SseFrameDecoder()
    async for chunk in response.aiter_bytes():
        for line in splitter.feed(chunk):
            frame = decoder.feed(line)
            if frame is not None:
                return frame.data
    raise AssertionError("stream ended without an event")


async def test_an_event_for_one_idle_stream_is_not_held_up_by_the_others() -> None:
    """Regression: with httpcore's HTTP/2 the fifth stream's event waited for the next heartbeat."""
    async with (
        LocalMailServer(rate_limit=None, heartbeat=300.0) as server,
        httpx.AsyncClient(transport=HTTP2StreamTransport()) as client,
    ):
        accounts = await _accounts(server, 5)
        async with asyncio.TaskGroup() as group:
            opened = [
                group.create_task(_subscribe(client, server, account_id, token))
                for _address, account_id, token in accounts
            ]
        responses = [task.result() for task in opened]
        try:
            assert [r.status_code for r in responses] == [200] * 5
            assert {r.http_version for r in responses} == {"HTTP/2"}
            assert client._transport.connection_count() == 1  # type: ignore[attr-defined]
            readers = [asyncio.create_task(_first_frame_data(r)) for r in responses]
            await asyncio.sleep(0)
            for index in (4, 0, 2):
                server.hub.publish(f"/accounts/{accounts[index][1]}", {"@type": "Ping", "n": index})
                data = await asyncio.wait_for(readers[index], 5.0)
                assert json.loads(data) == {"@type": "Ping", "n": index}
            assert not any(readers[i].done() for i in (1, 3))
            for reader in readers:
                reader.cancel()
        finally:
            for response in responses:
                await response.aclose()
        await _wait_for(lambda: server.stats.hub_open == 0)


async def _wait_for(predicate: object, timeout: float = 30.0) -> None:
    assert callable(predicate)
    async with asyncio.timeout(timeout):
        while not predicate():  # noqa: ASYNC110  (server counters signal nothing)
            await asyncio.sleep(0.01)


async def test_closing_a_response_resets_only_its_stream() -> None:
    async with (
        LocalMailServer(rate_limit=None) as server,
        httpx.AsyncClient(transport=HTTP2StreamTransport()) as client,
    ):
        (_a, first_id, first_token), (_b, second_id, second_token) = await _accounts(server, 2)
        first = await _subscribe(client, server, first_id, first_token)
        second = await _subscribe(client, server, second_id, second_token)
        await _wait_for(lambda: server.stats.hub_open == 2)
        await first.aclose()
        await _wait_for(lambda: server.stats.hub_open == 1)
        reader = asyncio.create_task(_first_frame_data(second))
        server.hub.publish(f"/accounts/{second_id}", {"still": "alive"})
        assert json.loads(await asyncio.wait_for(reader, 5.0)) == {"still": "alive"}
        await second.aclose()


async def test_plain_requests_and_error_statuses_work() -> None:
    async with (
        LocalMailServer(rate_limit=None) as server,
        httpx.AsyncClient(transport=HTTP2StreamTransport()) as client,
    ):
        domains = await client.get(server.api_url + "/domains")
        assert domains.status_code == 200 and domains.http_version == "HTTP/2"
        assert domains.json()["hydra:member"][0]["domain"] == "temp-inbox.test"
        refused = await client.get(server.hub_url, params={"topic": "/accounts/x"})
        assert refused.status_code == 401 and refused.text == "Unauthorized"


async def test_a_server_going_away_fails_open_streams_with_an_httpx_error() -> None:
    server = LocalMailServer(rate_limit=None)
    await server.start()
    try:
        (_address, account_id, token) = (await _accounts(server, 1))[0]
        async with httpx.AsyncClient(transport=HTTP2StreamTransport()) as client:
            response = await _subscribe(client, server, account_id, token)
            reading = asyncio.create_task(_first_frame_data(response))
            await server.stop()
            with pytest.raises((httpx.HTTPError, AssertionError)):
                await asyncio.wait_for(reading, 5.0)
            await response.aclose()
    finally:
        await server.stop()


async def test_nobody_listening_is_a_connect_error() -> None:
    async with httpx.AsyncClient(transport=HTTP2StreamTransport(connect_timeout=2)) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://127.0.0.1:9/")


async def test_a_server_that_hangs_up_on_the_preface_is_reported_as_not_http2() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=HTTP2StreamTransport()) as client:
            with pytest.raises(HTTP2Unsupported):
                await client.get(f"http://127.0.0.1:{port}/")
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throw-away self-signed certificate for 127.0.0.1: (certificate, key)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@asynccontextmanager
async def _tls_server(
    tls_cert: tuple[Path, Path], alpn: list[str]
) -> AsyncIterator[tuple[int, ssl.SSLContext]]:
    """Hypercorn over TLS offering the ``alpn`` protocols; yields its port and a context trusting it."""
    cert, key = tls_cert

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = json.dumps({"http_version": scope["http_version"]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        await send({"type": "http.response.body", "body": b"data: " + body + b"\n\n"})

    config = Config()
    config.certfile, config.keyfile = str(cert), str(key)
    config.alpn_protocols = alpn
    config.accesslog = None
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    stop = asyncio.Event()
    serving = asyncio.create_task(
        worker_serve(
            wrap_app(app, config.wsgi_max_body_size, "asgi"),
            config,
            sockets=Sockets(secure_sockets=[sock], insecure_sockets=[], quic_sockets=[]),
            shutdown_trigger=stop.wait,
        )
    )
    context = ssl.create_default_context(cafile=str(cert))
    try:
        yield port, context
    finally:
        stop.set()
        await asyncio.wait_for(serving, 5)


async def test_https_negotiates_http2_by_alpn(tls_cert: tuple[Path, Path]) -> None:
    async with _tls_server(tls_cert, ["h2", "http/1.1"]) as (port, context):
        transport = HTTP2StreamTransport(ssl_context=context)
        async with httpx.AsyncClient(transport=transport) as client:
            response = await client.get(f"https://127.0.0.1:{port}/.well-known/mercure")
            assert response.http_version == "HTTP/2"
            assert '"http_version": "2"' in response.text


async def test_an_https_hub_without_h2_is_used_over_http1(tls_cert: tuple[Path, Path]) -> None:
    async with _tls_server(tls_cert, ["http/1.1"]) as (port, context):
        async with httpx.AsyncClient(transport=HTTP2StreamTransport(ssl_context=context)) as client:
            with pytest.raises(HTTP2Unsupported):
                await client.get(f"https://127.0.0.1:{port}/")
        updates: list[HubUpdate] = []
        states: list[str] = []
        streams = HubStreams(ssl_context=context)
        hub_url = f"https://127.0.0.1:{port}/.well-known/mercure"
        subscription = LiveSubscription(
            streams,
            FakeMailClient(),
            hub_url,
            on_update=updates.append,
            on_state=lambda s: states.append(s.kind),
            settings=LiveSettings(idle_timeout=5, backoff_base=0.01, backoff_cap=0.02),
        )
        task = asyncio.create_task(subscription.run())
        try:
            await _wait_for(lambda: bool(updates))
            assert streams.uses_http1(hub_url)
            assert states[:2] == ["connecting", "live"]
            assert updates[0] == Unreadable(
                raw='{"http_version": "1.1"}', reason="event data has neither @type nor @id"
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await streams.aclose()
