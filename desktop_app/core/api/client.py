"""Async client for the mail.tm REST API and every service that speaks it.

One ``MailTmClient`` per address holds that address's credentials and token; clients derived with
``for_account`` share one ``httpx.AsyncClient`` (HTTP/2 over TLS) and the per-host rate limiter.

Failure policy:
* 429 — the whole host pauses (``Retry-After`` when given, else 1 s doubling), then the call is retried;
  after ``max_retries`` it raises ``RateLimitedError``. Never a storm: the pause is shared.
* timeouts, connection errors, 5xx — bounded retries with jittered backoff, **for idempotent calls
  only**; ``POST /accounts`` is never repeated, so no duplicate account can be created.
* 401 on a logged-in call — one silent re-login with the stored password, then the call again; a
  second 401 raises ``AccountGoneError``.

Over 300 lines: one class mirrors the service's endpoints, with the one retry loop they all go through.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from desktop_app.core import errors
from desktop_app.core.api.backoff import backoff_delay
from desktop_app.core.api.ratelimit import RateLimiter, limiter_for_host
from desktop_app.core.models import Account, Domain, Message, MessageSummary, Page, Token, parse_collection

log = logging.getLogger(__name__)

JSONLD = "application/ld+json"
MERGE_PATCH = "application/merge-patch+json"
RETRY_CAP = 8.0  # seconds: a request that still fails after this long is better reported
_TAKEN_MARKERS = ("already used", "already exists", "already taken")


def _error_text(response: httpx.Response) -> str:
    """The most specific message a 2.x, 3.x or Lexik error body carries."""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return response.text.strip()[:300]
    if isinstance(body, Mapping):
        for key in ("message", "hydra:description", "detail", "title", "hydra:title"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return response.text.strip()[:300]


def _violations(response: httpx.Response) -> list[tuple[str, str]]:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        return []
    items = body.get("violations") if isinstance(body, Mapping) else None
    if not isinstance(items, list):
        return []
    return [
        (str(v.get("propertyPath", "")), str(v.get("message", ""))) for v in items if isinstance(v, Mapping)
    ]


def _summaries(members: list[object]) -> Iterator[MessageSummary]:
    """The listed messages that can be read: one unreadable member must not hide the rest of the page."""
    for member in members:
        try:
            yield MessageSummary.from_json(member)
        except errors.ProtocolError as exc:
            log.warning("skipping an unreadable message in a listing: %s", exc.detail)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, min(float(value), 120.0))
    except ValueError:
        return None


POOL_CONNECTIONS = 100  # httpx's own limit of open ones; now all of them are also kept


class MailTmClient:
    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        rate_limit: float = 8.0,
        max_retries: int = 3,
        timeout: float = 20.0,
        backoff_base: float = 0.5,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            transport=transport,
            http2=transport is None,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"Accept": JSONLD, "User-Agent": "TempInbox/0.1"},
            follow_redirects=False,
            # As many connections kept as opened: with httpx's 100 open / 20 kept, each burst (500
            # addresses catching up) opened 100 and closed 80, and the local server's connection cap
            # filled with sockets it had not finished closing (503s). Over HTTP/2 it is one anyway.
            limits=httpx.Limits(max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_CONNECTIONS),
        )
        try:
            host = urlsplit(self.base_url).netloc or self.base_url
        except ValueError:
            host = self.base_url
        self._limiter = limiter or limiter_for_host(host, rate_limit)
        self._max_retries = max_retries
        self._backoff_base = backoff_base
        self.address: str | None = None
        self.password: str | None = None
        self.account_id: str | None = None
        self.token: str | None = None
        self.on_token_changed: Callable[[str], None] | None = None
        self._relogin_lock = asyncio.Lock()

    # -- sessions -------------------------------------------------------------------------------

    def for_account(
        self,
        address: str,
        password: str | None = None,
        *,
        token: str | None = None,
        account_id: str | None = None,
    ) -> MailTmClient:
        """A client for one address that shares this client's connection pool and rate limit."""
        child = MailTmClient(
            self.base_url,
            http=self._http,
            max_retries=self._max_retries,
            backoff_base=self._backoff_base,
            limiter=self._limiter,
        )
        child.address = address.strip().lower()
        child.password = password
        child.token = token
        child.account_id = account_id
        return child

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # -- endpoints ------------------------------------------------------------------------------

    async def domains(self, page: int = 1) -> list[Domain]:
        body = await self._json("GET", "/domains", params={"page": page}, auth=False)
        members, _, _ = parse_collection(body, "Domain collection")
        return [Domain.from_json(m) for m in members]

    async def usable_domains(self) -> list[Domain]:
        """Active, public domains, in the service's order (page 1 holds up to 30)."""
        return [d for d in await self.domains() if d.usable]

    async def create_account(self, address: str, password: str) -> Account:
        body = await self._json(
            "POST",
            "/accounts",
            json_body={"address": address.strip().lower(), "password": password},
            auth=False,
            idempotent=False,
        )
        return Account.from_json(body)

    async def login(self, address: str | None = None, password: str | None = None) -> Token:
        if address is not None:
            self.address = address.strip().lower()
        if password is not None:
            self.password = password
        if not self.address or self.password is None:
            raise errors.UsageError("An address and a password are needed to log in.")
        try:
            body = await self._json(
                "POST",
                "/token",
                json_body={"address": self.address, "password": self.password},
                auth=False,
            )
        except errors.AuthError as exc:
            raise errors.InvalidCredentialsError(status=exc.status, detail=exc.detail) from exc
        token = Token.from_json(body)
        self.token = token.token
        self.account_id = token.id
        if self.on_token_changed is not None:
            self.on_token_changed(token.token)
        return token

    async def me(self) -> Account:
        return Account.from_json(await self._json("GET", "/me"))

    async def account(self, account_id: str) -> Account:
        return Account.from_json(await self._json("GET", f"/accounts/{account_id}"))

    async def messages(self, page: int = 1) -> Page:
        body = await self._json("GET", "/messages", params={"page": page})
        members, total, has_next = parse_collection(body, "Message collection")
        items = tuple(_summaries(members))
        if has_next is None:
            has_next = len(members) >= 30
        return Page(items=items, total=total, has_next=has_next)

    async def message(self, message_id: str) -> Message:
        return Message.from_json(await self._json("GET", f"/messages/{message_id}"))

    async def mark_seen(self, message_id: str, seen: bool = True) -> None:
        await self._request(
            "PATCH",
            f"/messages/{message_id}",
            content=json.dumps({"seen": seen}).encode(),
            headers={"Content-Type": MERGE_PATCH},
        )

    async def delete_message(self, message_id: str) -> None:
        try:
            await self._request("DELETE", f"/messages/{message_id}")
        except errors.NotFoundError:
            # Already gone (deleted elsewhere, or our first attempt went through before a retry).
            return

    async def source(self, message_id: str) -> bytes:
        """The raw RFC 822 message, byte for byte."""
        response = await self._request("GET", f"/messages/{message_id}/download", headers={"Accept": "*/*"})
        return response.content

    async def attachment(self, message_id: str, attachment_id: str) -> bytes:
        response = await self._request(
            "GET", f"/messages/{message_id}/attachment/{attachment_id}", headers={"Accept": "*/*"}
        )
        return response.content

    async def delete_account(self, account_id: str | None = None) -> None:
        target = account_id or self.account_id
        if not target:
            raise errors.UsageError("This address has no account id yet; log in first.")
        await self._request("DELETE", f"/accounts/{target}")

    # -- plumbing -------------------------------------------------------------------------------

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: object = None,
        auth: bool = True,
        idempotent: bool = True,
    ) -> object:
        content = None
        headers: dict[str, str] = {}
        if json_body is not None:
            content = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        response = await self._request(
            method, path, params=params, content=content, headers=headers, auth=auth, idempotent=idempotent
        )
        try:
            return response.json()
        except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested thousands deep
            raise errors.ProtocolError(
                status=response.status_code,
                detail=f"{method} {path}: malformed JSON: {response.text[:200]!r}",
            ) from exc

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        idempotent: bool = True,
    ) -> httpx.Response:
        relogged = False
        rate_limited = 0
        failures = 0
        while True:
            request_headers = dict(headers or {})
            if auth:
                if self.token is None:
                    await self._relogin()
                    relogged = True
                request_headers["Authorization"] = f"Bearer {self.token}"
            await self._limiter.acquire()
            try:
                response = await self._http.request(
                    method, self.base_url + path, params=params, content=content, headers=request_headers
                )
            except httpx.TransportError as exc:  # timeouts included
                failures += 1
                if not idempotent or failures > self._max_retries:
                    reason = "timeout" if isinstance(exc, httpx.TimeoutException) else repr(exc)
                    raise errors.NetworkError(detail=f"{method} {path}: {reason}") from exc
                await self._backoff(failures)
                continue

            status = response.status_code
            if status < 400:
                return response
            if status == 429:
                rate_limited += 1
                if rate_limited > self._max_retries + 2:
                    raise errors.RateLimitedError(status=429, detail=f"{method} {path}")
                delay = _retry_after(response)
                self._limiter.pause(delay if delay is not None else min(2.0 ** (rate_limited - 1), 30.0))
                continue
            if status >= 500:
                failures += 1
                if not idempotent or failures > self._max_retries:
                    raise errors.ServerError(
                        status=status, detail=f"{method} {path}: {_error_text(response)}"
                    )
                await self._backoff(failures)
                continue
            if status == 401 and auth and not relogged and self.password is not None:
                relogged = True
                await self._relogin()
                continue
            raise self._error_for(response, method, path, auth=auth)

    async def _relogin(self) -> None:
        if self.password is None or not self.address:
            raise errors.AuthError(detail="no stored password to log in with")
        stale = self.token
        async with self._relogin_lock:
            if self.token is not None and self.token != stale:
                return  # another call re-logged in while we waited
            log.info("re-logging in %s", self.address)
            try:
                await self.login()
            except errors.InvalidCredentialsError as exc:
                raise errors.AccountGoneError(status=401, detail=exc.detail) from exc

    async def _backoff(self, attempt: int) -> None:
        await asyncio.sleep(backoff_delay(self._backoff_base, RETRY_CAP, attempt - 1))

    def _error_for(self, response: httpx.Response, method: str, path: str, *, auth: bool) -> errors.ApiError:
        status = response.status_code
        text = _error_text(response)
        detail = f"{method} {path} → {status}: {text}"
        if status == 401:
            if auth and self.password is not None:
                return errors.AccountGoneError(status=status, detail=detail)
            return errors.AuthError(status=status, detail=detail)
        if status == 404:
            return errors.NotFoundError(status=status, detail=detail)
        if status == 415:
            return errors.UnsupportedMediaError(status=status, detail=detail)
        if status in (400, 422):
            violations = _violations(response)
            if any(marker in text.lower() for marker in _TAKEN_MARKERS):
                return errors.AddressTakenError(status=status, detail=detail, violations=violations)
            message = "; ".join(f"{p}: {m}" if p else m for p, m in violations) or text or None
            return errors.ValidationError(message, status=status, detail=detail, violations=violations)
        return errors.ApiError(status=status, detail=detail)
