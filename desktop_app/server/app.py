"""``LocalMailServer``: REST + hub (Hypercorn, HTTP/1.1 and h2c on one port) and SMTP in one loop.

Sockets are bound here, before Hypercorn sees them, so that port 0 works and the chosen port is
known; ``SO_REUSEADDR`` lets a restarted server take the same ports at once. The HTTP accept loop
is ours rather than Hypercorn's ``worker_serve``, because that has no connection cap.

Over 300 lines: the server's own composition (HTTP, hub, SMTP, purge) in start-up order, read as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, cast

from hypercorn.asyncio.lifespan import Lifespan
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.typing import AppWrapper
from hypercorn.utils import wrap_app

from desktop_app.server.faults import FaultInjector, ServerStats
from desktop_app.server.gateway import Gateway
from desktop_app.server.hub import Hub
from desktop_app.server.hub_http import HUB_PATH, HubEndpoint
from desktop_app.server.limits import WILDCARD_HOSTS, ServerLimits, allowed_hosts
from desktop_app.server.mailroom import MailService
from desktop_app.server.ratelimit import RateLimiter
from desktop_app.server.rest import RestApi
from desktop_app.server.smtp import SmtpIntake, start_smtp
from desktop_app.server.store import MailStore

log = logging.getLogger(__name__)

DB_NAME = "mail.sqlite3"


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the listening
    # socket's proto says TCP; without it every reply waits ~40 ms for the peer's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after: 1\r\nconnection: close\r\n\r\n"
)


async def serve_http(
    app: AppWrapper,
    config: Config,
    sock: socket.socket,
    shutdown: asyncio.Event,
    max_connections: int,
) -> None:
    """Hypercorn's ``worker_serve`` for one plain socket, plus a cap on open connections.

    A connection over the cap is answered 503 and closed at once, so that a flood of half-open
    connections cannot use up the process's file descriptors (REST and SMTP share them).
    """
    loop = asyncio.get_running_loop()
    state: dict[str, Any] = {}
    lifespan = Lifespan(app, config, loop, state)
    lifespan_task = loop.create_task(lifespan.handle_lifespan())
    await lifespan.wait_for_startup()
    context = WorkerContext(None)
    connections: set[asyncio.Task[Any]] = set()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(connections) >= max_connections:
            with contextlib.suppress(OSError, RuntimeError):
                writer.write(_BUSY)
                writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        connections.add(task)
        task.add_done_callback(connections.discard)
        await TCPServer(app, loop, config, context, state, reader, writer)

    server = await asyncio.start_server(on_connection, sock=sock, backlog=config.backlog)
    try:
        await shutdown.wait()
    finally:
        await context.terminated.set()
        server.close()
        await server.wait_closed()
        if connections:
            await asyncio.wait(set(connections), timeout=config.graceful_timeout)
        await lifespan.wait_for_shutdown()
        lifespan_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lifespan_task


class LocalMailServer:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        http_port: int = 0,
        smtp_port: int = 0,
        domains: Sequence[str] = ("temp-inbox.test",),
        data_dir: Path | None = None,
        rate_limit: float | None = 8.0,
        heartbeat: float = 15.0,
        write_timeout: float | None = None,
        retention_days: float = 7.0,
        history_size: int = 1000,
        smtp_host: str | None = None,
        allow_faults: bool = False,
        limits: ServerLimits | None = None,
        allowed_hosts: Sequence[str] = (),
    ) -> None:
        """``allowed_hosts``: more ``Host`` names to answer besides the loopback names and ``host``
        (e.g. the machine's name when bound to 0.0.0.0)."""
        self.host = host
        self.limits = limits or ServerLimits()
        self._extra_hosts = tuple(allowed_hosts)
        self._http_port = http_port
        self._smtp_port = smtp_port
        self.data_dir = data_dir
        self.retention_days = retention_days
        self.faults = FaultInjector()
        self.stats = ServerStats()
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        self.store = MailStore(None if data_dir is None else data_dir / DB_NAME)
        self.hub = Hub(self.faults, history_size=history_size)
        self.mail = MailService(
            self.store,
            self.hub,
            domains=domains,
            retention_days=retention_days,
            max_parsers=self.limits.max_parsers,
        )
        self.hub_endpoint = HubEndpoint(
            self.hub,
            self.mail.hub_claims,
            self.faults,
            self.stats,
            heartbeat=heartbeat,
            write_timeout=write_timeout,
        )
        self.gateway = Gateway(
            RestApi(self.mail, self.limits).app(),
            self.hub_endpoint,
            self.faults,
            self.stats,
            RateLimiter(rate_limit),
            allow_faults=allow_faults,
        )
        self.api_url = ""
        self.hub_url = ""
        self.smtp_host = smtp_host or host
        self.smtp_port = 0
        self.http_port = 0
        self._shutdown = asyncio.Event()
        self._http_task: asyncio.Task[None] | None = None
        self._purge_task: asyncio.Task[None] | None = None
        self._smtp: SmtpIntake | None = None
        self._running = False

    # --- run-time knobs, for tests -------------------------------------------------------------

    @property
    def rate_limit(self) -> float | None:
        return self.gateway.limiter.rate

    @rate_limit.setter
    def rate_limit(self, value: float | None) -> None:
        self.gateway.limiter = RateLimiter(value)

    @property
    def heartbeat(self) -> float:
        return self.hub_endpoint.heartbeat

    @heartbeat.setter
    def heartbeat(self, seconds: float) -> None:
        self.hub_endpoint.heartbeat = seconds

    @property
    def write_timeout(self) -> float | None:
        return self.hub_endpoint.write_timeout

    @write_timeout.setter
    def write_timeout(self, seconds: float | None) -> None:
        self.hub_endpoint.write_timeout = seconds

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._running:
            return
        loop = asyncio.get_running_loop()
        self.hub.bind_loop(loop)
        self._shutdown = asyncio.Event()
        http_socket = _listening_socket(self.host, self._http_port)
        try:
            self._smtp = await start_smtp(
                self.mail, self.stats, self.smtp_host, self._smtp_port, limits=self.limits
            )
        except BaseException:
            http_socket.close()
            raise
        self.http_port = int(http_socket.getsockname()[1])
        self.smtp_port = self._smtp.port
        self.api_url = f"http://{_url_host(self.host)}:{self.http_port}"
        self.hub_url = self.api_url + HUB_PATH
        self.gateway.allowed_hosts = allowed_hosts(self.host, self.http_port, self._extra_hosts)
        self.gateway.any_local_address = self.host in WILDCARD_HOSTS
        config = Config()
        config.graceful_timeout = 1.0
        config.include_server_header = False
        config.accesslog = None
        config.errorlog = logging.getLogger("desktop_app.server.http")
        config.keep_alive_timeout = self.limits.header_timeout
        config.backlog = 1024
        # Hypercorn's default of 100 streams per HTTP/2 connection made a client with 500 live addresses
        # open 5 connections; one connection may carry as many streams as the server takes connections.
        config.h2_max_concurrent_streams = self.limits.max_connections
        app = wrap_app(cast(Any, self.gateway), config.wsgi_max_body_size, "asgi")
        self._http_task = loop.create_task(
            serve_http(app, config, http_socket, self._shutdown, self.limits.max_connections),
            name="local-mail-http",
        )
        self._purge_task = loop.create_task(self._purge_forever(), name="local-mail-retention")
        self._running = True
        self.mail.purge_expired()
        log.info("local mail service: api %s, smtp %s:%s", self.api_url, self.smtp_host, self.smtp_port)

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        self.hub.close()
        self._shutdown.set()
        if self._smtp is not None:
            self._smtp.close()
        if self._purge_task is not None:
            self._purge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._purge_task
        if self._http_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._http_task), timeout=2.0)
            except TimeoutError:
                self._http_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._http_task
            except Exception:
                log.exception("local mail service: error while stopping")
        self.store.close()

    async def __aenter__(self) -> LocalMailServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _purge_forever(self) -> None:
        interval = min(60.0, max(0.05, self.retention_days * 86400.0 / 4))
        while True:
            await asyncio.sleep(interval)
            try:
                purged = self.mail.purge_expired()
            except Exception:
                log.exception("retention purge failed")
                continue
            if purged:
                log.info("retention: purged %d message(s)", purged)

    # --- helpers for tests and the app ---------------------------------------------------------

    def create_account_direct(self, address: str, password: str) -> str:
        """Create an account without HTTP; returns its id. Raises ValueError with the violation."""
        result = self.mail.create_account(address, password)
        if isinstance(result, list):
            raise ValueError("; ".join(f"{path}: {message}" for path, message in result))
        return result.id

    def token_for(self, address: str) -> str:
        """A valid token for an existing address, without knowing its password."""
        account = self.store.account_by_address(address.lower())
        if account is None:
            raise KeyError(address)
        return self.mail.issue_token(account)

    @property
    def domains(self) -> list[str]:
        return [d.domain for d in self.store.domains() if d.is_active]

    def describe(self) -> dict[str, Any]:
        return {"api": self.api_url, "hub": self.hub_url, "smtp": f"{self.smtp_host}:{self.smtp_port}"}
