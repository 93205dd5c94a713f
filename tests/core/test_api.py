"""MailTmClient against httpx.MockTransport: every endpoint, success and error statuses."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from desktop_app.core import errors
from desktop_app.core.api.client import MERGE_PATCH, MailTmClient
from desktop_app.core.api.ratelimit import RateLimiter
from tests.core.mailtm_fixtures import Router, fixture_response, load

BASE = "https://api.example.test"
ACCOUNT_ID = "671fed8fc747b11c3405311b"


def make_client(router: Router, **kwargs: object) -> MailTmClient:
    kwargs.setdefault("limiter", RateLimiter(1000))
    kwargs.setdefault("backoff_base", 0.001)
    return MailTmClient(BASE, transport=httpx.MockTransport(router), **kwargs)  # type: ignore[arg-type]


def logged_in(router: Router, **kwargs: object) -> MailTmClient:
    client = make_client(router, **kwargs).for_account(
        "Zaid@Example.TEST", "pw", token="T1", account_id=ACCOUNT_ID
    )
    return client


# -- success paths ----------------------------------------------------------------------------


async def test_domains_jsonld_and_usable_filter() -> None:
    router = Router()
    router.add("GET", "/domains", fixture_response(200, "domains_mixed.json"))
    client = make_client(router)
    assert [d.domain for d in await client.usable_domains()] == ["uniromax.com", "trimmed.example"]
    request = router.requests[0]
    assert request.headers["accept"] == "application/ld+json"
    assert "authorization" not in request.headers
    assert request.url.params["page"] == "1"


async def test_create_account_lowercases_and_posts_json() -> None:
    router = Router()
    router.add("POST", "/accounts", fixture_response(201, "account_201.json"))
    account = await make_client(router).create_account("  ZaidSaheb@LivinItLarge.net ", "s3cret")
    body = json.loads(router.requests[0].content)
    assert body == {"address": "zaidsaheb@livinitlarge.net", "password": "s3cret"}
    assert router.requests[0].headers["content-type"] == "application/json"
    assert account.id == ACCOUNT_ID


async def test_login_stores_token_and_notifies() -> None:
    router = Router()
    router.add("POST", "/token", fixture_response(200, "token.json"))
    client = make_client(router)
    seen: list[str] = []
    client.on_token_changed = seen.append
    token = await client.login("ZAID@livinitlarge.net", "pw")
    assert json.loads(router.requests[0].content)["address"] == "zaid@livinitlarge.net"
    assert client.token == token.token == seen[0] and client.account_id == ACCOUNT_ID


async def test_me_messages_message_source_attachment() -> None:
    router = Router()
    router.add("GET", "/me", fixture_response(200, "account_201.json"))
    router.add("GET", "/messages", fixture_response(200, "messages_2024.json"))
    router.add("GET", "/messages/66b9d17cf26da89c18382e2c", fixture_response(200, "message_2024.json"))
    router.add("GET", "/messages/m1/download", httpx.Response(200, content=b"Subject: x\r\n\r\nbody\xff\r\n"))
    router.add("GET", "/messages/m1/attachment/ATTACH000001", httpx.Response(200, content=b"\x89PNG..."))
    client = logged_in(router)
    assert (await client.me()).address == "zaidsaheb@livinitlarge.net"
    page = await client.messages()
    assert page.total == 1 and page.has_next is False and page.items[0].subject == "Hello Subject"
    assert (await client.message("66b9d17cf26da89c18382e2c")).summary.intro == "test"
    assert await client.source("m1") == b"Subject: x\r\n\r\nbody\xff\r\n"
    assert await client.attachment("m1", "ATTACH000001") == b"\x89PNG..."
    assert all(r.headers["authorization"] == "Bearer T1" for r in router.requests)


async def test_messages_bare_array_has_next_guess() -> None:
    router = Router()
    item = load("messages_2024.json")["hydra:member"][0]
    router.add("GET", "/messages", httpx.Response(200, json=[{**item, "id": f"{i:024x}"} for i in range(30)]))
    page = await logged_in(router).messages(page=2)
    assert page.total is None and page.has_next is True and len(page.items) == 30
    assert router.requests[0].url.params["page"] == "2"


async def test_mark_seen_uses_merge_patch() -> None:
    router = Router()
    router.add("PATCH", "/messages/m1", fixture_response(200, "message_2024.json"))
    await logged_in(router).mark_seen("m1", seen=False)
    request = router.requests[0]
    assert request.headers["content-type"] == MERGE_PATCH
    assert json.loads(request.content) == {"seen": False}


async def test_delete_message_and_account_204() -> None:
    router = Router()
    router.add("DELETE", "/messages/m1", httpx.Response(204))
    router.add("DELETE", f"/accounts/{ACCOUNT_ID}", httpx.Response(204))
    client = logged_in(router)
    await client.delete_message("m1")
    await client.delete_account()
    assert [r.method for r in router.requests] == ["DELETE", "DELETE"]


async def test_delete_message_already_gone_is_fine() -> None:
    router = Router()
    router.add("DELETE", "/messages/m1", httpx.Response(404, json={"hydra:description": "Not Found"}))
    await logged_in(router).delete_message("m1")


# -- error statuses ---------------------------------------------------------------------------

ENDPOINTS = {
    "domains": ("GET", "/domains", lambda c: c.domains()),
    "create_account": ("POST", "/accounts", lambda c: c.create_account("a@b.test", "pw")),
    "login": ("POST", "/token", lambda c: c.login("a@b.test", "pw")),
    "me": ("GET", "/me", lambda c: c.me()),
    "messages": ("GET", "/messages", lambda c: c.messages()),
    "message": ("GET", "/messages/m1", lambda c: c.message("m1")),
    "mark_seen": ("PATCH", "/messages/m1", lambda c: c.mark_seen("m1")),
    "delete_message": ("DELETE", "/messages/m1", lambda c: c.delete_message("m1")),
    "source": ("GET", "/messages/m1/download", lambda c: c.source("m1")),
    "attachment": ("GET", "/messages/m1/attachment/A1", lambda c: c.attachment("m1", "A1")),
    "delete_account": ("DELETE", f"/accounts/{ACCOUNT_ID}", lambda c: c.delete_account()),
}
# The recorded success answer of each endpoint whose body the client parses.
RECORDED_SUCCESS = {
    "domains": (200, "domains_2024.json"),
    "create_account": (201, "account_201.json"),
    "login": (200, "token.json"),
    "me": (200, "account_201.json"),
    "messages": (200, "messages_2024.json"),
    "message": (200, "message_2024.json"),
}
JSON_ENDPOINTS = list(RECORDED_SUCCESS)


def success_for(name: str, otherwise: httpx.Response) -> httpx.Response:
    """The recorded answer for a JSON endpoint, ``otherwise`` for the others."""
    recorded = RECORDED_SUCCESS.get(name)
    return fixture_response(*recorded) if recorded else otherwise


def client_for(name: str, router: Router) -> MailTmClient:
    if name in ("domains", "create_account", "login"):
        return make_client(router)
    return logged_in(router)


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_5xx_is_a_server_error(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    router.add(method, path, fixture_response(500, "error_500_v3.json"))
    client = client_for(name, router)
    with pytest.raises(errors.ServerError) as info:
        await call(client)
    assert "Internal Server Error" in info.value.detail
    # Idempotent calls are retried a bounded number of times; account creation never is.
    assert len(router.calls(method, path)) == (1 if name == "create_account" else 4)


@pytest.mark.parametrize("name", [n for n in ENDPOINTS if n != "delete_message"])
async def test_404(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    router.add(method, path, httpx.Response(404, json={"hydra:description": "Not Found"}))
    with pytest.raises(errors.NotFoundError):
        await call(client_for(name, router))


@pytest.mark.parametrize("name", list(ENDPOINTS))
async def test_429_pauses_then_succeeds(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    ok = success_for(name, httpx.Response(204 if method == "DELETE" else 200, content=b"x"))
    router.add(method, path, httpx.Response(429, headers={"Retry-After": "0.05"}), ok)
    await call(_with_limiter(name, router, RateLimiter(1000)))
    assert len(router.calls(method, path)) == 2


def _with_limiter(name: str, router: Router, limiter: RateLimiter) -> MailTmClient:
    client = make_client(router, limiter=limiter)
    if name in ("domains", "create_account", "login"):
        return client
    return client.for_account("zaid@example.test", "pw", token="T1", account_id=ACCOUNT_ID)


async def test_429_forever_gives_up_with_rate_limited_error() -> None:
    router = Router()
    router.add("GET", "/domains", httpx.Response(429, headers={"Retry-After": "0"}))
    with pytest.raises(errors.RateLimitedError):
        await make_client(router, max_retries=1).domains()
    assert len(router.calls("GET", "/domains")) == 4


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
async def test_malformed_json_is_a_protocol_error(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    router.add(
        method,
        path,
        httpx.Response(200, content=b'{"hydra:member": [', headers={"content-type": "application/ld+json"}),
    )
    with pytest.raises(errors.ProtocolError):
        await call(client_for(name, router))


@pytest.mark.parametrize("name", JSON_ENDPOINTS)
async def test_wrong_shape_json_is_a_protocol_error(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    router.add(method, path, httpx.Response(200, json={"unexpected": True}))
    with pytest.raises(errors.ProtocolError):
        await call(client_for(name, router))


async def test_duplicate_address_422() -> None:
    router = Router()
    router.add("POST", "/accounts", fixture_response(422, "error_422_taken_v2.json"))
    with pytest.raises(errors.AddressTakenError) as info:
        await make_client(router).create_account("a@b.test", "pw")
    assert info.value.violations == [("address", "This value is already used.")]
    assert "already taken" in str(info.value)


@pytest.mark.parametrize(
    "fixture,status", [("error_422_invalid_v3.json", 422), ("error_400_problem_v2.json", 400)]
)
async def test_invalid_address_is_a_validation_error(fixture: str, status: int) -> None:
    router = Router()
    router.add("POST", "/accounts", fixture_response(status, fixture))
    with pytest.raises(errors.ValidationError) as info:
        await make_client(router).create_account("not-an-address", "pw")
    assert not isinstance(info.value, errors.AddressTakenError)
    assert "not a valid email address" in str(info.value)


async def test_415_on_patch() -> None:
    router = Router()
    router.add(
        "PATCH",
        "/messages/m1",
        httpx.Response(415, text='The content-type "application/json" is not supported'),
    )
    with pytest.raises(errors.UnsupportedMediaError):
        await logged_in(router).mark_seen("m1")


async def test_wrong_password_401() -> None:
    router = Router()
    router.add("POST", "/token", fixture_response(401, "error_401_invalid_credentials.json"))
    with pytest.raises(errors.InvalidCredentialsError) as info:
        await make_client(router).login("a@b.test", "wrong")
    assert str(info.value) == "Wrong address or password."


@pytest.mark.parametrize("name", [n for n in ENDPOINTS if n not in ("domains", "create_account", "login")])
async def test_401_relogs_in_once_then_retries(name: str) -> None:
    method, path, call = ENDPOINTS[name]
    router = Router()
    ok = success_for(name, httpx.Response(200, content=b"ok"))
    router.add(method, path, fixture_response(401, "error_401_invalid_jwt.json"), ok)
    router.add("POST", "/token", httpx.Response(200, json={"token": "T2", "id": ACCOUNT_ID}))
    client = logged_in(router)
    await call(client)
    assert client.token == "T2"
    calls = router.calls(method, path)
    assert [c.headers["authorization"] for c in calls] == ["Bearer T1", "Bearer T2"]
    assert json.loads(router.calls("POST", "/token")[0].content) == {
        "address": "zaid@example.test",
        "password": "pw",
    }


async def test_second_401_means_the_account_is_gone() -> None:
    router = Router()
    router.add("GET", "/me", fixture_response(401, "error_401_invalid_jwt.json"))
    router.add("POST", "/token", httpx.Response(200, json={"token": "T2", "id": ACCOUNT_ID}))
    with pytest.raises(errors.AccountGoneError) as info:
        await logged_in(router).me()
    assert str(info.value) == "This address no longer exists or its password is wrong."
    assert len(router.calls("GET", "/me")) == 2 and len(router.calls("POST", "/token")) == 1


async def test_relogin_with_wrong_password_means_gone() -> None:
    router = Router()
    router.add("GET", "/messages", fixture_response(401, "error_401_invalid_jwt.json"))
    router.add("POST", "/token", fixture_response(401, "error_401_invalid_credentials.json"))
    with pytest.raises(errors.AccountGoneError):
        await logged_in(router).messages()


async def test_401_without_password_is_auth_error() -> None:
    router = Router()
    router.add("GET", "/me", fixture_response(401, "error_401_invalid_jwt.json"))
    client = make_client(router).for_account("a@b.test", None, token="T1")
    with pytest.raises(errors.AuthError):
        await client.me()
    assert len(router.requests) == 1


async def test_concurrent_401s_share_one_relogin() -> None:
    router = Router()
    router.add(
        "GET",
        "/me",
        lambda r: (
            fixture_response(401, "error_401_invalid_jwt.json")
            if r.headers["authorization"] == "Bearer T1"
            else fixture_response(200, "account_201.json")
        ),
    )
    router.add("POST", "/token", httpx.Response(200, json={"token": "T2", "id": ACCOUNT_ID}))
    client = logged_in(router)
    await asyncio.gather(*(client.me() for _ in range(5)))
    assert len(router.calls("POST", "/token")) == 1


async def test_timeouts_retry_idempotent_calls_only() -> None:
    attempts = {"GET": 0, "POST": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        attempts[request.method] += 1
        if request.method == "GET" and attempts["GET"] < 3:
            raise httpx.ReadTimeout("slow", request=request)
        if request.method == "POST":
            raise httpx.ReadTimeout("slow", request=request)
        return fixture_response(200, "domains_2024.json")

    client = MailTmClient(
        BASE, transport=httpx.MockTransport(handler), limiter=RateLimiter(1000), backoff_base=0.001
    )
    assert len(await client.domains()) == 1 and attempts["GET"] == 3
    with pytest.raises(errors.NetworkError):
        await client.create_account("a@b.test", "pw")
    assert attempts["POST"] == 1  # never a duplicate POST /accounts


async def test_connection_refused_is_network_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = MailTmClient(
        BASE, transport=httpx.MockTransport(handler), limiter=RateLimiter(1000), backoff_base=0.001
    )
    with pytest.raises(errors.NetworkError) as info:
        await client.domains()
    assert "Cannot reach the mail service" in str(info.value)
