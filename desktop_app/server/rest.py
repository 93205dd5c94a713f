"""The REST API of reference §5 as a Starlette application.

Over 300 lines: the mail.tm routes in one table, beside the request checks they all share.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from desktop_app.server import problems, wire
from desktop_app.server.limits import ServerLimits
from desktop_app.server.mailroom import AuthFailure, MailService
from desktop_app.server.records import StoredAccount, StoredMessage
from desktop_app.server.tokens import bearer_token

MERGE_PATCH = "application/merge-patch+json"


def is_ld(request: Request) -> bool:
    return wire.wants_jsonld(request.headers.get("accept"))


def json_response(
    data: object, *, status: int = 200, ld: bool = True, headers: dict[str, str] | None = None
) -> Response:
    media = wire.JSONLD_TYPE if ld else wire.JSON_TYPE
    return Response(wire.dumps(data), status_code=status, media_type=media, headers=headers)


def error(request: Request, status: int, description: str | None = None) -> Response:
    ld = is_ld(request)
    return json_response(problems.hydra_error(status, description, ld=ld), status=status, ld=ld)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported_media(request: Request, content_type: str, allowed: tuple[str, ...]) -> Response:
    supported = '", "'.join(allowed)
    return error(
        request,
        415,
        f'The content-type "{content_type}" is not supported. Supported MIME types are "{supported}".',
    )


def unauthorized(message: str) -> Response:
    # Lexik's JWT layer answers before API Platform, always as plain JSON.
    return Response(wire.dumps(problems.lexik_error(message)), status_code=401, media_type=wire.JSON_TYPE)


_DRAIN_FACTOR = 4


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is over ``limit``. An oversized body is still read (not kept) up to
    a few times the limit: closing a socket with unread data sends a reset, and the client would
    see a broken connection instead of the 413."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit * _DRAIN_FACTOR:
            break
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


class RestApi:
    def __init__(self, mail: MailService, limits: ServerLimits | None = None) -> None:
        self.mail = mail
        self.limits = limits or ServerLimits()

    # --- plumbing ----------------------------------------------------------------------------

    def _account(self, request: Request) -> StoredAccount | Response:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return unauthorized("JWT Token not found")
        result = self.mail.authenticate(token)
        if isinstance(result, AuthFailure):
            return unauthorized(result.value)
        return result

    @staticmethod
    def _page(request: Request) -> int | Response:
        raw = request.query_params.get("page", "1") or "1"
        try:
            page = int(raw)
        except ValueError:
            return error(request, 400, "Page should be an integer")
        if page < 1:
            return error(request, 400, "Page should not be less than 1")
        return page

    async def _body(self, request: Request, *, allowed: tuple[str, ...]) -> dict[str, Any] | Response:
        content_type = media_type(request)
        if content_type and content_type not in allowed:
            return unsupported_media(request, content_type, allowed)
        limit = self.limits.max_body_bytes
        declared = request.headers.get("content-length", "")
        too_large = error(request, 413, f"The request body is larger than {limit} bytes.")
        if declared.isdecimal() and (len(declared) > 18 or int(declared) > limit * _DRAIN_FACTOR):
            return too_large  # not worth reading
        try:
            raw = await asyncio.wait_for(_read_limited(request, limit), self.limits.body_timeout)
        except TimeoutError:
            return error(request, 408, "The request body did not arrive in time.")
        if raw is None:
            return too_large
        try:
            data = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested 1,000 deep
            return error(request, 400, "Syntax error")
        if not isinstance(data, dict):
            return error(request, 400, "Syntax error")
        return data

    def _own_message(self, request: Request) -> tuple[StoredAccount, StoredMessage] | Response:
        """The caller's account and the message named in the path, which must be theirs."""
        account = self._account(request)
        if isinstance(account, Response):
            return account
        message = self.mail.store.message(request.path_params["id"])
        if message is None or message.account_id != account.id:
            return error(request, 404, "Not Found")
        return account, message

    # --- domains -----------------------------------------------------------------------------

    async def domains(self, request: Request) -> Response:
        page = self._page(request)
        if isinstance(page, Response):
            return page
        ld = is_ld(request)
        everything = self.mail.store.domains()
        chosen = everything[(page - 1) * wire.PAGE_SIZE : page * wire.PAGE_SIZE]
        members = [wire.domain_json(d, ld=ld, context=False) for d in chosen]
        body = wire.collection(
            members, total=len(everything), page=page, path="/domains", resource="Domain", ld=ld
        )
        return json_response(body, ld=ld)

    async def domain(self, request: Request) -> Response:
        for domain in self.mail.store.domains():
            if domain.id == request.path_params["id"]:
                ld = is_ld(request)
                return json_response(wire.domain_json(domain, ld=ld, context=True), ld=ld)
        return error(request, 404, "Not Found")

    # --- accounts and tokens -----------------------------------------------------------------

    async def create_account(self, request: Request) -> Response:
        body = await self._body(request, allowed=("application/json", "application/ld+json"))
        if isinstance(body, Response):
            return body
        ld = is_ld(request)
        result = self.mail.create_account(body.get("address"), body.get("password"))
        if isinstance(result, list):
            return json_response(problems.violations_error(result, ld=ld), status=422, ld=ld)
        headers = {"location": f"/accounts/{result.id}"}
        return json_response(wire.account_json(result, ld=ld), status=201, ld=ld, headers=headers)

    async def token(self, request: Request) -> Response:
        body = await self._body(request, allowed=("application/json", "application/ld+json"))
        if isinstance(body, Response):
            return body
        address, password = body.get("address"), body.get("password")
        for key, value in (("address", address), ("password", password)):
            if not isinstance(value, str):
                return error(request, 400, f'The key "{key}" must be provided.')
        assert isinstance(address, str) and isinstance(password, str)
        account = self.mail.login(address, password)
        if account is None:
            return unauthorized("Invalid credentials.")
        data = {"token": self.mail.issue_token(account), "@id": f"/accounts/{account.id}", "id": account.id}
        return Response(wire.dumps(data), media_type=wire.JSON_TYPE)

    async def me(self, request: Request) -> Response:
        account = self._account(request)
        if isinstance(account, Response):
            return account
        ld = is_ld(request)
        return json_response(wire.account_json(account, ld=ld), ld=ld)

    async def account(self, request: Request) -> Response:
        account = self._account(request)
        if isinstance(account, Response):
            return account
        target = request.path_params["id"]
        if target != account.id:
            exists = self.mail.store.account_by_id(target) is not None
            return error(request, 403 if exists else 404, "Access Denied." if exists else "Not Found")
        if request.method == "DELETE":
            self.mail.delete_account(account)
            return Response(status_code=204)
        ld = is_ld(request)
        return json_response(wire.account_json(account, ld=ld), ld=ld)

    # --- messages ----------------------------------------------------------------------------

    async def messages(self, request: Request) -> Response:
        account = self._account(request)
        if isinstance(account, Response):
            return account
        page = self._page(request)
        if isinstance(page, Response):
            return page
        ld = is_ld(request)
        total = self.mail.store.count_messages(account.id)
        offset = (page - 1) * wire.PAGE_SIZE
        # A page past the end is empty (as on mail.tm); not asking SQLite spares it offsets past 2**63.
        found = self.mail.store.list_messages(account.id, offset, wire.PAGE_SIZE) if offset < total else []
        members = [wire.message_item_json(m, ld=ld) for m in found]
        body = wire.collection(members, total=total, page=page, path="/messages", resource="Message", ld=ld)
        return json_response(body, ld=ld)

    async def message(self, request: Request) -> Response:
        found = self._own_message(request)
        if isinstance(found, Response):
            return found
        account, message = found
        ld = is_ld(request)
        if request.method == "DELETE":
            self.mail.delete_message(message.id, account.id)
            return Response(status_code=204)
        if request.method == "PATCH":
            content_type = media_type(request)
            # Unlike POST, a PATCH without a content-type is refused too.
            if content_type != MERGE_PATCH:
                return unsupported_media(request, content_type, (MERGE_PATCH,))
            body = await self._body(request, allowed=(MERGE_PATCH,))
            if isinstance(body, Response):
                return body
            seen = body.get("seen", message.seen)
            if not isinstance(seen, bool):
                return error(request, 400, 'The type of the "seen" attribute must be "bool".')
            if seen != message.seen:
                message = self.mail.set_seen(message, seen)
        full = wire.message_full_json(message, ld=ld, retention_seconds=self.mail.retention_seconds)
        return json_response(full, ld=ld)

    async def source(self, request: Request) -> Response:
        found = self._own_message(request)
        if isinstance(found, Response):
            return found
        _, message = found
        ld = is_ld(request)
        raw = self.mail.store.raw_source(message.id) or b""
        return json_response(wire.source_json(message.id, raw, ld=ld), ld=ld)

    async def download(self, request: Request) -> Response:
        found = self._own_message(request)
        if isinstance(found, Response):
            return found
        _, message = found
        raw = self.mail.store.raw_source(message.id) or b""
        disposition = f'attachment; filename="{message.id}.eml"'
        return Response(raw, media_type="message/rfc822", headers={"content-disposition": disposition})

    async def attachment(self, request: Request) -> Response:
        found = self._own_message(request)
        if isinstance(found, Response):
            return found
        _, message = found
        wanted = request.path_params["attachment_id"]
        meta = next((a for a in message.attachments if a["id"] == wanted), None)
        payload = self.mail.store.attachment_payload(message.id, wanted)
        if meta is None or payload is None:
            return error(request, 404, "Not Found")
        disposition = f"{meta['disposition']}; filename*=UTF-8''{quote(meta['filename'])}"
        return Response(payload, media_type=meta["contentType"], headers={"content-disposition": disposition})

    # --- the app -----------------------------------------------------------------------------

    async def _http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        description = f'No route found for "{request.method} {request.url.path}"'
        if status == 405:
            headers = exc.headers if isinstance(exc, HTTPException) and exc.headers else {}
            allow = next((v for k, v in headers.items() if k.lower() == "allow"), "")
            response = error(request, 405, f"{description}: Method Not Allowed (Allow: {allow})")
            response.headers["allow"] = allow
            return response
        return error(request, status, description if status == 404 else None)

    async def _crash(self, request: Request, exc: Exception) -> Response:
        return error(request, 500)

    def app(self) -> Starlette:
        routes = [
            Route("/domains", self.domains, methods=["GET"]),
            Route("/domains/{id}", self.domain, methods=["GET"]),
            Route("/accounts", self.create_account, methods=["POST"]),
            Route("/accounts/{id}", self.account, methods=["GET", "DELETE"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/me", self.me, methods=["GET"]),
            Route("/messages", self.messages, methods=["GET"]),
            Route("/messages/{id}", self.message, methods=["GET", "PATCH", "DELETE"]),
            Route("/messages/{id}/download", self.download, methods=["GET"]),
            Route("/messages/{id}/attachment/{attachment_id}", self.attachment, methods=["GET"]),
            Route("/sources/{id}", self.source, methods=["GET"]),
            Route("/sources/{id}/download", self.download, methods=["GET"]),
        ]
        handlers: Any = {HTTPException: self._http_error, Exception: self._crash}
        return Starlette(routes=routes, exception_handlers=handlers)
