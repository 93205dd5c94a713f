"""The HTTP/2 stream transport against the local server's Hypercorn (h2c with prior knowledge)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from desktop_app.core.h2streams import HTTP2StreamTransport, HTTP2Unsupported
from desktop_app.core.mercure import SseFrameDecoder, SseLineSplitter
from desktop_app.server import LocalMailServer

PASSWORD = "correct horse battery"


async def _accounts(server: LocalMailServer, count: int) -> list[tuple[str, str, str]]:
    """(address, account id, token) for ``count`` new accounts."""
    result = []
    for index in range(count):
        address = f"h2user{index}@temp-inbox.test"
        account_id = server.create_account_direct(address, PASSWORD)
        result.append((address, account_id, server.token_for(address)))
    return result


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
                group.create_task(
                    client.send(
                        client.build_request(
                            "GET",
                            server.hub_url,
                            params={"topic": f"/accounts/{account_id}"},
                            headers={"Authorization": f"Bearer {token}"},
                        ),
                        stream=True,
                    )
                )
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


async def _wait_for(predicate: object, timeout: float = 5.0) -> None:
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
        first = await client.send(
            client.build_request(
                "GET",
                server.hub_url,
                params={"topic": f"/accounts/{first_id}"},
                headers={"Authorization": f"Bearer {first_token}"},
            ),
            stream=True,
        )
        second = await client.send(
            client.build_request(
                "GET",
                server.hub_url,
                params={"topic": f"/accounts/{second_id}"},
                headers={"Authorization": f"Bearer {second_token}"},
            ),
            stream=True,
        )
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
            response = await client.send(
                client.build_request(
                    "GET",
                    server.hub_url,
                    params={"topic": f"/accounts/{account_id}"},
                    headers={"Authorization": f"Bearer {token}"},
                ),
                stream=True,
            )
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
