"""The ASGI entry point: counts requests, applies faults and the rate limit, and dispatches to the
REST app, the hub or the loopback-only admin endpoint."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from desktop_app.server import problems, wire
from desktop_app.server.faults import FAILURE_KINDS, FaultInjector, ServerStats
from desktop_app.server.hub_http import HUB_PATH, HubEndpoint
from desktop_app.server.ratelimit import RateLimiter

ADMIN_PREFIX = "/_admin/"
_LOOPBACK = ("127.", "::1", "::ffff:127.")
_MALFORMED = (
    b'{"@context":"/contexts/Message","@id":"/messages","@type":"hydra:Collection","hydra:member":[{"@id"'
)
_SERVER_ERROR = problems.hydra_error(500, "Internal Server Error", ld=True)
_UNAUTHORIZED = problems.lexik_error("Invalid JWT Token")


async def send_body(send: Send, status: int, body: bytes, content_type: str | None) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def read_body(receive: Receive, limit: int = 1 << 20) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body") or sum(map(len, chunks)) > limit:
            break
    return b"".join(chunks)


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


class Gateway:
    def __init__(
        self,
        rest: Starlette,
        hub: HubEndpoint,
        faults: FaultInjector,
        stats: ServerStats,
        limiter: RateLimiter,
        *,
        allow_faults: bool = False,
    ) -> None:
        # Off by default: the endpoint can make every request hang or fail, and any web page in the
        # user's browser can POST to a predictable loopback port.
        self.allow_faults = allow_faults
        self._rest = rest
        self._hub = hub
        self._faults = faults
        self._stats = stats
        self.limiter = limiter
        # Host values answered (DNS-rebinding protection), set by LocalMailServer once the port is
        # known; None answers any. Bound to a wildcard address, the address a connection arrived on
        # is accepted too.
        self.allowed_hosts: frozenset[str] | None = None
        self.any_local_address = False

    def host_allowed(self, scope: Scope) -> bool:
        """Whether the request's ``Host`` names this server. A page that rebinds its own DNS name to
        127.0.0.1 still sends that name, so it is refused here before any route runs."""
        if self.allowed_hosts is None:
            return True
        host = b""
        for key, value in scope.get("headers", []):
            if key.lower() == b"host":
                host = bytes(value)
                break
        name = host.decode("latin-1").strip().lower()
        if not name or name in self.allowed_hosts:
            return True  # no Host at all: HTTP/1.0 tools, never a browser
        server = scope.get("server")
        if self.any_local_address and server:
            local = str(server[0])
            local = f"[{local}]" if ":" in local else local
            return name in (local, f"{local}:{server[1]}")
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._rest(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        client = scope.get("client")
        self._stats.saw_peer((str(client[0]), int(client[1])) if client else None)
        if not self.host_allowed(scope):
            body = b"Misdirected Request: this server does not answer for that Host\n"
            await send_body(send, 421, body, "text/plain; charset=utf-8")
            return
        path = scope["path"]
        if path.startswith(ADMIN_PREFIX):
            await self._admin(scope, receive, send)
        elif path == HUB_PATH:
            await self._hub(scope, receive, send)
        else:
            await self._rest_request(scope, receive, send)

    async def _rest_request(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._stats.requests += 1
        delay = self._faults.current_delay
        if delay > 0:
            await asyncio.sleep(delay)
        failure = self._faults.take_failure(hub=False)
        if failure == "401":
            await send_body(send, 401, wire.dumps(_UNAUTHORIZED), "application/json")
            return
        if failure == "429":
            await send_body(send, 429, b"", None)
            return
        if failure == "500":
            await send_body(send, 500, wire.dumps(_SERVER_ERROR), wire.JSONLD_TYPE)
            return
        if failure == "malformed":
            await send_body(send, 200, _MALFORMED, wire.JSONLD_TYPE)
            return
        client = scope.get("client")
        if not self.limiter.allow(str(client[0]) if client else "?"):
            self._stats.rate_limited += 1
            # The real 429 body is empty and carries no Retry-After (reference §3).
            await send_body(send, 429, b"", None)
            return
        await self._rest(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        host = str(client[0]) if client else ""
        if not host.startswith(_LOOPBACK):
            await send_body(send, 404, wire.dumps(problems.hydra_error(404, ld=True)), wire.JSONLD_TYPE)
            return
        path, method = scope["path"], scope["method"]
        if path == "/_admin/stats" and method == "GET":
            await send_body(send, 200, wire.dumps(self._stats.as_dict()), wire.JSON_TYPE)
            return
        if path != "/_admin/faults" or method not in ("GET", "POST"):
            await send_body(send, 404, wire.dumps(problems.hydra_error(404, ld=True)), wire.JSONLD_TYPE)
            return
        if not self.allow_faults:
            body = wire.dumps({"error": "fault injection is off; start the server with --allow-faults"})
            await send_body(send, 403, body, wire.JSON_TYPE)
            return
        if method == "POST" and _content_type(scope) != "application/json":
            # A cross-site form or fetch can send text/plain without asking; application/json needs a
            # CORS preflight, which this server never grants.
            body = wire.dumps({"error": "Content-Type must be application/json"})
            await send_body(send, 415, body, wire.JSON_TYPE)
            return
        if method == "POST":
            try:
                self.apply_faults(json.loads(await read_body(receive) or b"{}"))
            except (ValueError, TypeError, KeyError) as error:
                body = wire.dumps({"error": str(error)})
                await send_body(send, 400, body, wire.JSON_TYPE)
                return
        await send_body(send, 200, wire.dumps(self._faults.state()), wire.JSON_TYPE)

    def apply_faults(self, request: Any) -> None:
        """``{"reset": true, "drop_streams": true, "fail_next": {"count": 2, "kind": "500", "hub": false},
        "delay": 0.5, "glitch_next": 3}`` — any subset, applied in that order."""
        if not isinstance(request, dict):
            raise TypeError("expected a JSON object")
        if request.get("reset"):
            self._faults.reset()
        if "fail_next" in request:
            spec = request["fail_next"]
            kind = str(spec["kind"])
            if kind not in FAILURE_KINDS:
                raise ValueError(f"kind must be one of {FAILURE_KINDS}")
            self._faults.fail_next(int(spec.get("count", 1)), kind, hub=bool(spec.get("hub", False)))
        if "delay" in request:
            self._faults.delay(float(request["delay"]))
        if "glitch_next" in request:
            self._faults.glitch_next(int(request["glitch_next"]))
        if request.get("drop_streams"):
            self._faults.drop_streams()
        if request.get("forget_history"):
            self._faults.forget_history()
