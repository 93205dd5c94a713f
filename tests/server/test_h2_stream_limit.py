"""One HTTP/2 connection may carry every hub stream a client opens (issue 14, item 3): the server
advertises as many concurrent streams per connection as it accepts connections (512), so
500 live addresses share one connection instead of five (Hypercorn's default is 100)."""

from __future__ import annotations

import asyncio

import h2.config
import h2.connection
import h2.events

from desktop_app.server import LocalMailServer


async def test_the_server_allows_as_many_streams_per_connection_as_connections(
    local_server: LocalMailServer,
) -> None:
    reader, writer = await asyncio.open_connection(local_server.host, local_server.http_port)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    writer.write(connection.data_to_send())
    try:
        async with asyncio.timeout(10):
            while True:
                events = connection.receive_data(await reader.read(65536))
                if any(isinstance(e, h2.events.RemoteSettingsChanged) for e in events):
                    break
        limit = connection.remote_settings.max_concurrent_streams
        assert limit >= local_server.limits.max_connections >= 500, limit
    finally:
        writer.close()
        await writer.wait_closed()
