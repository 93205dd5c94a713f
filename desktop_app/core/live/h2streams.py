"""An httpx transport that multiplexes long-lived response streams over one HTTP/2 connection.

Why not httpx's own HTTP/2 (httpcore)? There, every stream reads the shared socket in turn under one lock:
the stream holding the lock blocks on the network while another stream's frames, already received, wait
behind it. For short requests that is harmless; for fifty Mercure streams that mostly idle it delays a
pushed message until some unrelated frame arrives (we measured 10 s stalls against the local server). Here
a single reader task per connection owns the socket and hands each frame to its stream's queue at once.

Scope: what a hub subscription needs (GET with small or no body, streamed responses), over ``http://``
with prior knowledge or ``https://`` with ALPN. A server that will not speak HTTP/2 raises
``HTTP2Unsupported`` so the caller can fall back to HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import httpx

_HOP_BY_HOP = frozenset(
    {b"host", b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}
)
_CONNECTION_WINDOW = 2**24  # so one stream whose reader is slow never starves the others


class HTTP2Unsupported(httpx.RemoteProtocolError):
    """The server does not speak HTTP/2 (no ALPN ``h2``, or it hung up on the connection preface)."""


@dataclass(eq=False)
class _Stream:
    stream_id: int
    headers: asyncio.Future[list[tuple[bytes, bytes]]]
    chunks: asyncio.Queue[tuple[bytes, int] | BaseException | None] = field(default_factory=asyncio.Queue)
    ended: bool = False

    def fail(self, error: BaseException) -> None:
        if not self.headers.done():
            self.headers.set_exception(error)
        self.chunks.put_nowait(error)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, authority: str) -> None:
        self._reader, self._writer, self.authority = reader, writer, authority
        self._h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding=None)
        )
        self._streams: dict[int, _Stream] = {}
        self._write_lock = asyncio.Lock()
        self.error: BaseException | None = None
        self._saw_frames = False
        self._h2.initiate_connection()
        self._h2.increment_flow_control_window(_CONNECTION_WINDOW)
        self._writer.write(self._h2.data_to_send())
        self._reader_task = asyncio.get_running_loop().create_task(self._read_forever(), name="h2-reader")

    @property
    def usable(self) -> bool:
        limit = self._h2.remote_settings.max_concurrent_streams
        return self.error is None and not self._writer.is_closing() and len(self._streams) < limit

    async def _flush(self) -> None:
        async with self._write_lock:
            data = self._h2.data_to_send()
            if data and not self._writer.is_closing():
                try:
                    self._writer.write(data)
                    await self._writer.drain()
                except OSError as exc:
                    raise httpx.WriteError(str(exc)) from exc

    async def _read_forever(self) -> None:
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    if not self._saw_frames:
                        raise HTTP2Unsupported("the server closed the connection at the HTTP/2 preface")
                    raise httpx.RemoteProtocolError("the server closed the HTTP/2 connection")
                try:
                    events = self._h2.receive_data(data)
                except h2.exceptions.ProtocolError as exc:
                    if not self._saw_frames:
                        raise HTTP2Unsupported(f"not an HTTP/2 server: {exc}") from exc
                    raise httpx.RemoteProtocolError(f"HTTP/2 protocol error: {exc}") from exc
                self._saw_frames = True
                for event in events:
                    self._dispatch(event)
                await self._flush()  # settings and ping acknowledgements, window updates
        except asyncio.CancelledError:
            self._fail_all(httpx.ReadError("the HTTP/2 connection was closed"))
            raise
        except Exception as exc:  # whatever broke the connection, every stream on it must hear of it
            self._fail_all(exc if isinstance(exc, httpx.HTTPError) else httpx.ReadError(repr(exc)))
        finally:
            self._writer.close()

    def _dispatch(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.ConnectionTerminated):
            self._fail_all(
                httpx.RemoteProtocolError(f"the server ended the connection ({event.error_code!r})")
            )
            return
        stream = self._streams.get(getattr(event, "stream_id", 0) or 0)
        if stream is None:
            return
        if isinstance(event, h2.events.ResponseReceived) and not stream.headers.done():
            stream.headers.set_result([(bytes(k), bytes(v)) for k, v in event.headers or []])
        elif isinstance(event, h2.events.DataReceived):
            stream.chunks.put_nowait((bytes(event.data or b""), event.flow_controlled_length or 0))
        elif isinstance(event, h2.events.StreamEnded):
            stream.ended = True
            stream.chunks.put_nowait(None)
        elif isinstance(event, h2.events.StreamReset):
            stream.ended = True
            stream.fail(httpx.RemoteProtocolError(f"the server reset the stream ({event.error_code!r})"))

    def _fail_all(self, error: BaseException) -> None:
        if self.error is None:
            self.error = error
        for stream in self._streams.values():
            stream.fail(error)

    async def open_stream(self, request: httpx.Request, body: bytes) -> _Stream:
        if self.error is not None:
            raise self.error
        try:
            stream_id = self._h2.get_next_available_stream_id()
        except h2.exceptions.NoAvailableStreamIDError as exc:
            self.error = httpx.LocalProtocolError("this HTTP/2 connection has used all its stream ids")
            raise self.error from exc
        stream = _Stream(stream_id, asyncio.get_running_loop().create_future())
        self._streams[stream_id] = stream
        url = request.url
        headers = [
            (b":method", request.method.encode()),
            (b":authority", self.authority.encode()),
            (b":scheme", url.scheme.encode()),
            (b":path", url.raw_path),
        ] + [(k.lower(), v) for k, v in request.headers.raw if k.lower() not in _HOP_BY_HOP]
        try:
            self._h2.send_headers(stream_id, headers, end_stream=not body)
            if body:
                self._h2.send_data(stream_id, body, end_stream=True)
        except h2.exceptions.H2Error as exc:
            self._streams.pop(stream_id, None)
            raise httpx.LocalProtocolError(f"cannot open an HTTP/2 stream: {exc!r}") from exc
        await self._flush()
        return stream

    async def chunks(self, stream: _Stream) -> AsyncIterator[bytes]:
        while True:
            item = await stream.chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            data, flow_controlled = item
            if flow_controlled and self.error is None:
                with contextlib.suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                    self._h2.acknowledge_received_data(flow_controlled, stream.stream_id)
                await self._flush()
            yield data

    async def close_stream(self, stream: _Stream) -> None:
        self._streams.pop(stream.stream_id, None)
        if stream.ended or self.error is not None:
            return
        with contextlib.suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            self._h2.reset_stream(stream.stream_id, h2.errors.ErrorCodes.CANCEL)
        with contextlib.suppress(OSError):
            await self._flush()

    async def aclose(self) -> None:
        self._reader_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader_task


class _ResponseBody(httpx.AsyncByteStream):
    def __init__(self, connection: _Connection, stream: _Stream) -> None:
        self._connection, self._stream = connection, stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._connection.chunks(self._stream):
            yield chunk

    async def aclose(self) -> None:
        await self._connection.close_stream(self._stream)


class HTTP2StreamTransport(httpx.AsyncBaseTransport):
    """Connections are kept per origin and reused while they have room for another stream."""

    def __init__(self, *, connect_timeout: float = 15.0, ssl_context: ssl.SSLContext | None = None) -> None:
        self._connect_timeout = connect_timeout
        self._ssl_context = ssl_context
        self._connections: dict[tuple[str, str, int], list[_Connection]] = {}
        self._connect_locks: dict[tuple[str, str, int], asyncio.Lock] = {}

    def connection_count(self) -> int:
        return sum(1 for conns in self._connections.values() for c in conns if c.error is None)

    async def _connection(self, url: httpx.URL) -> _Connection:
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.scheme, url.host, port)
        # Fifty subscribers starting together wait for, and share, the first connection to their origin.
        async with self._connect_locks.setdefault(key, asyncio.Lock()):
            alive = [c for c in self._connections.get(key, []) if c.error is None]
            self._connections[key] = alive
            for connection in alive:
                if connection.usable:
                    return connection
            connection = await self._connect(url.scheme, url.host, port)
            alive.append(connection)
            return connection

    async def _connect(self, scheme: str, host: str, port: int) -> _Connection:
        context: ssl.SSLContext | None = None
        if scheme == "https":
            context = self._ssl_context or httpx.create_ssl_context()  # certifi, like the REST client
            context.set_alpn_protocols(["h2", "http/1.1"])
        try:
            async with asyncio.timeout(self._connect_timeout):
                reader, writer = await asyncio.open_connection(host, port, ssl=context)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from exc
        if context is not None:
            ssl_object = writer.get_extra_info("ssl_object")
            if ssl_object is None or ssl_object.selected_alpn_protocol() != "h2":
                writer.close()
                raise HTTP2Unsupported(f"{host}:{port} did not offer HTTP/2")
        default_port = 443 if scheme == "https" else 80
        authority = host if port == default_port else f"{host}:{port}"
        return _Connection(reader, writer, authority)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        connection = await self._connection(request.url)
        stream = await connection.open_stream(request, body)
        try:
            raw_headers = await stream.headers
        except BaseException:
            await connection.close_stream(stream)
            raise
        status = next((int(v) for k, v in raw_headers if k == b":status"), 0)
        headers = [(k, v) for k, v in raw_headers if not k.startswith(b":")]
        return httpx.Response(
            status,
            headers=headers,
            stream=_ResponseBody(connection, stream),
            extensions={"http_version": b"HTTP/2"},
        )

    async def aclose(self) -> None:
        connections = [c for conns in self._connections.values() for c in conns]
        self._connections.clear()
        await asyncio.gather(*(c.aclose() for c in connections), return_exceptions=True)
