"""LiveSubscription against a scripted hub (httpx.MockTransport) and, for the HTTP/1.1 fallback, a real
socket server that only speaks HTTP/1.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from desktop_app.core import errors
from desktop_app.core.events import ConnectionState
from desktop_app.core.live.mercure import HubUpdate, MessageGone, MessagePushed, Unreadable
from desktop_app.core.live.subscription import HubStreams, LiveSettings, LiveSubscription
from tests.integration.support import FakeMailClient, ScriptedHub, frame, message_event

FAST = LiveSettings(idle_timeout=5.0, backoff_base=0.01, backoff_cap=0.05, healthy_after=60.0)
HUB = "http://hub.test/.well-known/mercure"


class Recorder:
    def __init__(self) -> None:
        self.updates: list[HubUpdate] = []
        self.states: list[ConnectionState] = []
        self.changed = asyncio.Event()

    def update(self, update: HubUpdate) -> None:
        self.updates.append(update)
        self.changed.set()

    def state(self, state: ConnectionState) -> None:
        self.states.append(state)
        self.changed.set()

    def kinds(self) -> list[str]:
        return [s.kind for s in self.states]

    async def until(self, predicate: object, timeout: float = 30.0) -> None:
        assert callable(predicate)
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


@asynccontextmanager
async def run_subscription(
    hub: ScriptedHub, client: FakeMailClient, settings: LiveSettings = FAST
) -> AsyncIterator[tuple[LiveSubscription, Recorder, asyncio.Task[None]]]:
    recorder = Recorder()
    streams = HubStreams(hub.client())
    subscription = LiveSubscription(
        streams, client, HUB, on_update=recorder.update, on_state=recorder.state, settings=settings
    )
    task = asyncio.create_task(subscription.run())
    try:
        yield subscription, recorder, task
    finally:
        if not task.done():
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        await streams.http.aclose()


@pytest.fixture
def hub() -> ScriptedHub:
    return ScriptedHub()


async def test_subscribes_with_bearer_and_topic_and_delivers_updates(hub: ScriptedHub) -> None:
    client = FakeMailClient()
    async with run_subscription(hub, client) as (_sub, recorder, _task):
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("m1"), "urn:uuid:1"))
        stream.send(frame({"@id": "/messages/m0"}, "urn:uuid:2"))
        stream.send(frame("2", "urn:uuid:3"))
        await recorder.until(lambda: len(recorder.updates) == 3)
        request = hub.requests[0]
        assert request.headers["authorization"] == "Bearer token-1"
        assert request.url.params["topic"] == "/accounts/acc1"
        assert "last-event-id" not in request.headers
        assert request.headers["accept"] == "text/event-stream"
        first, second, third = recorder.updates
        assert isinstance(first, MessagePushed) and first.summary.id == "m1"
        assert second == MessageGone("m0")
        assert isinstance(third, Unreadable)
        assert recorder.kinds() == ["connecting", "live"]


async def test_reconnects_with_last_event_id_after_the_stream_ends(hub: ScriptedHub) -> None:
    async with run_subscription(hub, FakeMailClient()) as (sub, recorder, _task):
        stream = await hub.wait_streams(1)
        stream.send(frame(message_event("m1"), "urn:uuid:41"))
        await recorder.until(lambda: len(recorder.updates) == 1)
        stream.send(None)  # the hub closes the stream (write timeout, restart…)
        await hub.wait_streams(2)
        assert hub.requests[1].headers["last-event-id"] == "urn:uuid:41"
        await recorder.until(lambda: recorder.kinds().count("live") == 2)
        retrying = [s for s in recorder.states if s.kind == "retrying"]
        assert len(retrying) == 1 and retrying[0].retry_in is not None
        assert sub.connections == 2


@pytest.mark.timing
async def test_a_silent_stream_is_abandoned_after_the_idle_timeout(hub: ScriptedHub) -> None:
    settings = LiveSettings(idle_timeout=0.3, backoff_base=0.01, backoff_cap=0.02)
    async with run_subscription(hub, FakeMailClient(), settings) as (_sub, recorder, _task):
        first = await hub.wait_streams(1)
        await hub.wait_streams(2)
        await asyncio.wait_for(first.closed.wait(), 30)
        reasons = [s.reason for s in recorder.states if s.kind == "retrying"]
        assert reasons == ["no data from the live service"]


@pytest.mark.timing
async def test_heartbeat_comments_keep_a_stream_alive(hub: ScriptedHub) -> None:
    # A heartbeat every 0.05 s against an idle timeout of 1.5 s: the loop may stall for 1.4 s on a
    # loaded machine without a false reconnect. The test runs 2 s, past the idle timeout, so a stream
    # that ignored heartbeats would have been abandoned (the test's teeth).
    settings = LiveSettings(idle_timeout=1.5, backoff_base=0.01, backoff_cap=0.02)
    async with run_subscription(hub, FakeMailClient(), settings) as (sub, recorder, _task):
        stream = await hub.wait_streams(1)
        loop = asyncio.get_running_loop()
        until = loop.time() + 2.0
        while loop.time() < until:
            await asyncio.sleep(0.05)
            stream.send(b":\n")
        assert sub.connections == 1 and len(hub.requests) == 1
        assert recorder.kinds() == ["connecting", "live"]


async def test_a_401_triggers_one_relogin_then_a_new_subscription(hub: ScriptedHub) -> None:
    hub.statuses = [401]
    client = FakeMailClient()
    async with run_subscription(hub, client) as (_sub, recorder, _task):
        await hub.wait_streams(1)
        await recorder.until(lambda: "live" in recorder.kinds())
        assert client.logins == 1
        assert [r.headers["authorization"] for r in hub.requests] == ["Bearer token-1", "Bearer token-2"]
        assert "retrying" not in recorder.kinds()  # the re-login path does not wait


async def test_a_second_401_after_relogin_fails_with_a_reason(hub: ScriptedHub) -> None:
    hub.statuses = [401, 401]
    client = FakeMailClient()
    async with run_subscription(hub, client) as (_sub, recorder, task):
        await asyncio.wait_for(asyncio.shield(task), 5)
        assert client.logins == 1
        assert recorder.states[-1].kind == "failed"
        assert "refused" in recorder.states[-1].describe()


async def test_wrong_password_on_relogin_fails(hub: ScriptedHub) -> None:
    hub.statuses = [401]
    client = FakeMailClient(login_error=errors.InvalidCredentialsError(status=401))
    async with run_subscription(hub, client) as (_sub, recorder, task):
        await asyncio.wait_for(asyncio.shield(task), 5)
        assert recorder.states[-1].kind == "failed"
        assert recorder.states[-1].reason == "Wrong address or password."


@pytest.mark.timing
async def test_server_errors_and_network_errors_are_retried_with_backoff(hub: ScriptedHub) -> None:
    hub.statuses = [500, 429, 502]
    async with run_subscription(hub, FakeMailClient()) as (_sub, recorder, _task):
        await hub.wait_streams(1)
        await recorder.until(lambda: "live" in recorder.kinds())
        assert recorder.kinds() == ["connecting", "retrying"] * 3 + ["connecting", "live"]
        assert len(hub.requests) == 4


async def test_a_client_error_other_than_401_fails_for_good(hub: ScriptedHub) -> None:
    hub.statuses = [404]
    async with run_subscription(hub, FakeMailClient()) as (_sub, recorder, task):
        await asyncio.wait_for(asyncio.shield(task), 5)
        assert recorder.states[-1].kind == "failed"
        assert "404" in recorder.states[-1].reason


@pytest.mark.timing
async def test_backoff_resets_after_a_healthy_connection(hub: ScriptedHub) -> None:
    settings = LiveSettings(idle_timeout=5, backoff_base=0.02, backoff_cap=10.0, healthy_after=0.2)
    hub.statuses = [500, 500, 500]
    async with run_subscription(hub, FakeMailClient(), settings) as (sub, recorder, _task):
        stream = await hub.wait_streams(1)
        await recorder.until(lambda: recorder.kinds()[-1] == "live")
        await asyncio.sleep(0.3)  # from the moment it was live: longer than healthy_after, however slow
        stream.send(None)
        await hub.wait_streams(2)
        delays = [s.retry_in for s in recorder.states if s.kind == "retrying"]
        assert delays[3] is not None and delays[3] <= 0.02  # back to the first step, not 0.16
        assert sub.connections == 2


async def test_cancelling_reports_stopped_and_closes_the_stream(hub: ScriptedHub) -> None:
    async with run_subscription(hub, FakeMailClient()) as (_sub, recorder, task):
        stream = await hub.wait_streams(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.closed.is_set()
        assert recorder.kinds()[-1] == "stopped"


async def _http1_only_hub(events: list[bytes]) -> tuple[asyncio.Server, list[bytes]]:
    """A hub that speaks HTTP/1.1 only: it hangs up on the HTTP/2 preface, like most h1 servers."""
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.read(4096)
        seen.append(head)
        if head.startswith(b"PRI * HTTP/2.0"):
            writer.close()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n:\n\n")
        for event in events:
            writer.write(event)
        await writer.drain()
        await reader.read()  # hold the stream open until the client goes away
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, seen


async def test_falls_back_to_http1_when_a_plain_http_hub_refuses_h2c() -> None:
    server, seen = await _http1_only_hub([frame(json.dumps(message_event("m9")), "urn:uuid:9")])
    port = server.sockets[0].getsockname()[1]
    hub_url = f"http://127.0.0.1:{port}/.well-known/mercure"
    recorder = Recorder()
    streams = HubStreams()
    subscription = LiveSubscription(
        streams, FakeMailClient(), hub_url, on_update=recorder.update, on_state=recorder.state, settings=FAST
    )
    task = asyncio.create_task(subscription.run())
    try:
        await recorder.until(lambda: len(recorder.updates) == 1)
        assert streams.uses_http1(hub_url)
        assert seen[0].startswith(b"PRI * HTTP/2.0") and seen[1].startswith(
            b"GET /.well-known/mercure?topic="
        )
        assert recorder.kinds() == ["connecting", "live"]  # the fallback is not a visible retry
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await streams.aclose()
        server.close()
        await server.wait_closed()


async def test_a_hub_that_is_down_is_retried_not_fatal() -> None:
    recorder = Recorder()
    streams = HubStreams(httpx.AsyncClient())
    subscription = LiveSubscription(
        streams,
        FakeMailClient(),
        "http://127.0.0.1:9/.well-known/mercure",
        on_update=recorder.update,
        on_state=recorder.state,
        settings=FAST,
    )
    task = asyncio.create_task(subscription.run())
    await recorder.until(lambda: recorder.kinds().count("retrying") >= 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await streams.http.aclose()
    assert recorder.states[1].reason == "connection lost"


async def test_an_unexpected_error_is_retried_not_fatal(hub: ScriptedHub) -> None:
    client = FakeMailClient(token=None)
    calls = 0
    original = client.login

    async def broken_once(address: str | None = None, password: str | None = None) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await original(address, password)

    client.login = broken_once  # type: ignore[method-assign]
    async with run_subscription(hub, client) as (_sub, recorder, _task):
        await recorder.until(lambda: "live" in recorder.kinds())
        assert [s.reason for s in recorder.states if s.kind == "retrying"] == ["unexpected error"]
