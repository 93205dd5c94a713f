"""REST conformance with raw httpx: statuses, headers and exact JSON keys (API reference §4, §5, §9, §12)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import re

import httpx

from desktop_app.server import LocalMailServer
from desktop_app.server.ratelimit import RateLimiter
from desktop_app.server.testing import send_raw
from tests.server.conftest import DOMAIN, PASSWORD, Inbox, make_inbox

HEX24 = re.compile(r"^[0-9a-f]{24}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
JSON = {"Accept": "application/json"}

DOMAIN_KEYS = {"@id", "@type", "id", "domain", "isActive", "isPrivate", "createdAt", "updatedAt"}
ACCOUNT_KEYS = {"@context", "@id", "@type", "id", "address", "quota", "used", "isDisabled", "isDeleted"} | {
    "createdAt",
    "updatedAt",
}
ITEM_KEYS = {
    "@id", "@type", "id", "accountId", "msgid", "from", "to", "subject", "intro", "seen", "isDeleted",
    "hasAttachments", "size", "downloadUrl", "sourceUrl", "createdAt", "updatedAt",
}  # fmt: skip
FULL_KEYS = (
    ITEM_KEYS | {"@context", "cc", "bcc", "flagged", "verifications", "retention", "retentionDate"}
) | {
    "text",
    "html",
    "attachments",
}


def _b64json(part: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


async def _deliver(server: LocalMailServer, to: str, subject: str, body: str = "Hello") -> None:
    raw = f"From: Alice <alice@example.com>\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()
    assert await server.mail.deliver(raw, [to])


# --- domains -------------------------------------------------------------------------------------


async def test_domains_are_a_hydra_collection_without_view(http: httpx.AsyncClient) -> None:
    response = await http.get("/domains")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    body = response.json()
    assert set(body) == {"@context", "@id", "@type", "hydra:totalItems", "hydra:member"}
    assert (body["@context"], body["@id"], body["@type"]) == (
        "/contexts/Domain",
        "/domains",
        "hydra:Collection",
    )
    assert body["hydra:totalItems"] == 1
    (member,) = body["hydra:member"]
    assert set(member) == DOMAIN_KEYS
    assert member["domain"] == DOMAIN and member["isActive"] is True and member["isPrivate"] is False
    assert HEX24.match(member["id"]) and member["@id"] == f"/domains/{member['id']}"
    assert DATE.match(member["createdAt"]) and DATE.match(member["updatedAt"])


async def test_accept_json_gives_bare_arrays(http: httpx.AsyncClient) -> None:
    response = await http.get("/domains", headers=JSON)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list)
    assert set(body[0]) == {k for k in DOMAIN_KEYS if not k.startswith("@")}


async def test_accept_negotiation_follows_quality_and_order(http: httpx.AsyncClient) -> None:
    for accept, ld in [
        ("*/*", True),
        ("application/ld+json", True),
        ("application/json, text/plain, */*", False),
        ("application/ld+json;q=0.5, application/json", False),
        ("text/html", True),
    ]:
        body = (await http.get("/domains", headers={"Accept": accept})).json()
        assert isinstance(body, dict) is ld, accept


async def test_domain_item_and_unknown_domain(http: httpx.AsyncClient) -> None:
    listed = (await http.get("/domains")).json()["hydra:member"][0]
    item = await http.get(listed["@id"])
    assert item.status_code == 200
    assert item.json() == {"@context": "/contexts/Domain", **listed}
    missing = await http.get("/domains/0123456789abcdef01234567")
    assert missing.status_code == 404
    assert missing.json()["hydra:description"] == "Not Found"


# --- accounts and tokens ---------------------------------------------------------------------------


async def test_create_account_is_201_lower_cased(http: httpx.AsyncClient) -> None:
    response = await http.post("/accounts", json={"address": f"Mixed.Case@{DOMAIN}", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == ACCOUNT_KEYS
    assert body["address"] == f"mixed.case@{DOMAIN}"
    assert (body["quota"], body["used"], body["isDisabled"], body["isDeleted"]) == (40000000, 0, False, False)
    assert HEX24.match(body["id"]) and body["@id"] == f"/accounts/{body['id']}"
    assert body["@type"] == "Account" and body["@context"] == "/contexts/Account"
    # mail.tm lower-cases on create, so the original spelling no longer logs in
    refused = await http.post("/token", json={"address": f"Mixed.Case@{DOMAIN}", "password": PASSWORD})
    assert refused.status_code == 401
    assert refused.json() == {"code": 401, "message": "Invalid credentials."}


async def test_duplicate_address_is_a_422_constraint_violation_list(
    http: httpx.AsyncClient, inbox: Inbox
) -> None:
    response = await http.post("/accounts", json={"address": inbox.address.upper(), "password": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["@context"] == "/contexts/ConstraintViolationList"
    assert body["@type"] == "ConstraintViolationList"
    assert body["hydra:title"] == "An error occurred"
    assert body["hydra:description"] == "address: This value is already used."
    assert body["violations"][0]["propertyPath"] == "address"
    assert body["violations"][0]["message"] == "This value is already used."
    # API Platform 3.x keys alongside
    assert body["title"] == "An error occurred" and body["status"] == 422
    assert body["detail"] == "address: This value is already used." and body["type"].startswith(
        "/validation_errors/"
    )
    plain = (
        await http.post("/accounts", json={"address": inbox.address, "password": "x"}, headers=JSON)
    ).json()
    assert not any(k.startswith("@") for k in plain)
    assert plain["detail"] == "address: This value is already used." and plain["violations"]


async def test_invalid_addresses_and_blank_fields_are_422(http: httpx.AsyncClient) -> None:
    cases = [
        (
            {"address": "not-an-address", "password": "pw"},
            "address: This value is not a valid email address.",
        ),
        ({"address": "someone@elsewhere.example", "password": "pw"}, "address: "),
        ({"address": f"nopw@{DOMAIN}", "password": ""}, "password: This value should not be blank."),
        ({"password": "pw"}, "address: This value should not be blank."),
    ]
    for payload, description in cases:
        response = await http.post("/accounts", json=payload)
        assert response.status_code == 422, payload
        assert response.json()["hydra:description"].startswith(description), payload


async def test_bad_bodies_are_400_or_415(http: httpx.AsyncClient) -> None:
    broken = await http.post("/accounts", content=b"{nope", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    form = await http.post("/accounts", data={"address": "a@b.c"})
    assert form.status_code == 415
    missing = await http.post("/token", json={"address": "a@b.c"})
    assert missing.status_code == 400


async def test_token_is_hs512_with_mailtm_claims_and_no_exp(
    http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox
) -> None:
    response = await http.post("/token", json={"address": inbox.address, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "@id", "id"}
    assert body["id"] == inbox.id and body["@id"] == f"/accounts/{inbox.id}"
    head, claims_part, signature = body["token"].split(".")
    assert _b64json(head) == {"typ": "JWT", "alg": "HS512"}
    claims = _b64json(claims_part)
    assert set(claims) == {"iat", "roles", "address", "id", "mercure"}
    assert (
        claims["roles"] == ["ROLE_USER"] and claims["address"] == inbox.address and claims["id"] == inbox.id
    )
    assert claims["mercure"] == {"subscribe": [f"/accounts/{inbox.id}"]}
    secret = local_server.store.signing_secret()
    expected = hmac.new(secret, f"{head}.{claims_part}".encode(), hashlib.sha512).digest()
    assert base64.urlsafe_b64encode(expected).rstrip(b"=").decode() == signature


async def test_lexik_401_bodies(http: httpx.AsyncClient, inbox: Inbox) -> None:
    missing = await http.get("/me")
    assert missing.status_code == 401
    assert missing.json() == {"code": 401, "message": "JWT Token not found"}
    garbage = await http.get("/me", headers={"Authorization": "Bearer not.a.token"})
    assert garbage.json() == {"code": 401, "message": "Invalid JWT Token"}
    tampered = inbox.token[:-4] + ("AAAA" if not inbox.token.endswith("AAAA") else "BBBB")
    assert (await http.get("/me", headers={"Authorization": f"Bearer {tampered}"})).status_code == 401
    wrong = await http.post("/token", json={"address": inbox.address, "password": "wrong"})
    assert wrong.json() == {"code": 401, "message": "Invalid credentials."}


async def test_public_routes_ignore_a_bogus_authorization_header(http: httpx.AsyncClient) -> None:
    for header in ("Bearer garbage", "Bearer", "Bearer undefined"):
        auth = {"Authorization": header}
        assert (await http.get("/domains", headers=auth)).status_code == 200
        address = f"bogus-{len(header)}@{DOMAIN}"
        created = await http.post("/accounts", json={"address": address, "password": PASSWORD}, headers=auth)
        assert created.status_code == 201
        token = await http.post("/token", json={"address": address, "password": PASSWORD}, headers=auth)
        assert token.status_code == 200


async def test_me_and_account_access(http: httpx.AsyncClient, inbox: Inbox) -> None:
    me = await http.get("/me", headers=inbox.auth)
    assert me.status_code == 200 and set(me.json()) == ACCOUNT_KEYS and me.json()["id"] == inbox.id
    own = await http.get(f"/accounts/{inbox.id}", headers=inbox.auth)
    assert own.json() == me.json()
    other = await make_inbox(http)
    assert (await http.get(f"/accounts/{other.id}", headers=inbox.auth)).status_code == 403
    assert (await http.get("/accounts/0123456789abcdef01234567", headers=inbox.auth)).status_code == 404


async def test_delete_account_is_204_then_everything_is_401(http: httpx.AsyncClient, inbox: Inbox) -> None:
    deleted = await http.delete(f"/accounts/{inbox.id}", headers=inbox.auth)
    assert deleted.status_code == 204 and deleted.content == b""
    for path in ("/me", f"/accounts/{inbox.id}", "/messages"):
        response = await http.get(path, headers=inbox.auth)
        assert response.status_code == 401
        assert response.json()["code"] == 401
    assert (
        await http.post("/token", json={"address": inbox.address, "password": PASSWORD})
    ).status_code == 401
    # the address is released
    again = await http.post("/accounts", json={"address": inbox.address, "password": PASSWORD})
    assert again.status_code == 201


# --- messages ------------------------------------------------------------------------------------


async def test_empty_mailbox(http: httpx.AsyncClient, inbox: Inbox) -> None:
    body = (await http.get("/messages", headers=inbox.auth)).json()
    assert body == {
        "@context": "/contexts/Message",
        "@id": "/messages",
        "@type": "hydra:Collection",
        "hydra:totalItems": 0,
        "hydra:member": [],
    }
    assert (await http.get("/messages", headers={**inbox.auth, **JSON})).json() == []


async def test_pagination_30_newest_first_view_only_when_paged(
    http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox
) -> None:
    for n in range(65):
        await _deliver(local_server, inbox.address, f"message {n:02d}")
    first = (await http.get("/messages", headers=inbox.auth)).json()
    assert first == (await http.get("/messages?page=1", headers=inbox.auth)).json()
    assert first["hydra:totalItems"] == 65 and len(first["hydra:member"]) == 30
    assert [m["subject"] for m in first["hydra:member"][:2]] == ["message 64", "message 63"]
    assert first["hydra:view"] == {
        "@id": "/messages?page=1",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": "/messages?page=1",
        "hydra:last": "/messages?page=3",
        "hydra:next": "/messages?page=2",
    }
    last = (await http.get("/messages?page=3", headers=inbox.auth)).json()
    assert [m["subject"] for m in last["hydra:member"]] == [f"message {n:02d}" for n in range(4, -1, -1)]
    assert (
        "hydra:next" not in last["hydra:view"] and last["hydra:view"]["hydra:previous"] == "/messages?page=2"
    )
    past = await http.get("/messages?page=4", headers=inbox.auth)
    assert past.status_code == 200 and past.json()["hydra:member"] == []
    plain = (await http.get("/messages?page=2", headers={**inbox.auth, **JSON})).json()
    assert isinstance(plain, list) and len(plain) == 30 and plain[0]["subject"] == "message 34"
    assert (await http.get("/messages?page=0", headers=inbox.auth)).status_code == 400
    assert (await http.get("/messages?page=x", headers=inbox.auth)).status_code == 400


async def test_message_shapes(http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox) -> None:
    await _deliver(local_server, inbox.address, "Shapes", "Body text")
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    assert set(item) == ITEM_KEYS
    assert item["accountId"] == f"/accounts/{inbox.id}" and HEX24.match(item["id"])
    assert item["from"] == {"address": "alice@example.com", "name": "Alice"}
    assert item["to"] == [{"address": inbox.address, "name": ""}]
    assert item["intro"] == "Body text" and item["seen"] is False and item["hasAttachments"] is False
    assert (
        item["downloadUrl"] == f"/messages/{item['id']}/download"
        and item["sourceUrl"] == f"/sources/{item['id']}"
    )
    full = (await http.get(item["@id"], headers=inbox.auth)).json()
    assert set(full) == FULL_KEYS
    assert full["text"] == "Body text\n" and full["html"] == [] and full["attachments"] == []
    assert full["verifications"] == {"tls": False, "spf": False, "dkim": False}
    assert full["retention"] is True and DATE.match(full["retentionDate"])
    assert full["retentionDate"] > full["createdAt"]
    me = (await http.get("/me", headers=inbox.auth)).json()
    assert me["used"] == item["size"] > 0
    assert (await http.get("/messages/0123456789abcdef01234567", headers=inbox.auth)).status_code == 404
    other = await make_inbox(http)
    assert (await http.get(item["@id"], headers=other.auth)).status_code == 404


async def test_patch_needs_merge_patch_and_returns_the_message(
    http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox
) -> None:
    await _deliver(local_server, inbox.address, "Patch me")
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    wrong = await http.patch(item["@id"], json={"seen": True}, headers=inbox.auth)
    assert wrong.status_code == 415
    assert 'The content-type "application/json" is not supported' in wrong.json()["hydra:description"]
    merge = {**inbox.auth, "Content-Type": "application/merge-patch+json"}
    seen = await http.patch(item["@id"], content=b'{"seen": true}', headers=merge)
    assert seen.status_code == 200
    assert set(seen.json()) == FULL_KEYS and seen.json()["seen"] is True
    assert seen.json()["updatedAt"] > item["updatedAt"]
    unseen = await http.patch(item["@id"], content=b'{"seen": false}', headers=merge)
    assert unseen.json()["seen"] is False and unseen.json()["updatedAt"] > seen.json()["updatedAt"]
    missing = await http.patch("/messages/0123456789abcdef01234567", content=b'{"seen":true}', headers=merge)
    assert missing.status_code == 404


async def test_delete_message_and_used_follow(
    http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox
) -> None:
    await _deliver(local_server, inbox.address, "one")
    await _deliver(local_server, inbox.address, "two", "a longer body than the first")
    items = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    me = (await http.get("/me", headers=inbox.auth)).json()
    assert me["used"] == sum(m["size"] for m in items)
    # GET and DELETE with a JSON content type and no body are accepted
    empty_json = {**inbox.auth, "Content-Type": "application/json"}
    assert (await http.get(items[0]["@id"], headers=empty_json)).status_code == 200
    deleted = await http.delete(items[0]["@id"], headers=empty_json)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await http.get(items[0]["@id"], headers=inbox.auth)).status_code == 404
    after = (await http.get("/messages", headers=inbox.auth)).json()
    assert after["hydra:totalItems"] == 1
    assert (await http.get("/me", headers=inbox.auth)).json()["used"] == items[1]["size"]


async def test_source_download_and_exact_bytes(
    http: httpx.AsyncClient, local_server: LocalMailServer, inbox: Inbox
) -> None:
    raw = (
        b"From: Bob <bob@example.com>\r\nTo: " + inbox.address.encode() + b"\r\nSubject: exact\r\n"
        b"X-Odd:   spacing kept  \r\n\r\nline one\r\n.a line starting with a dot\r\n\r\nlast\r\n"
    )
    await send_raw(local_server, inbox.address, raw)
    (item,) = (await http.get("/messages", headers=inbox.auth)).json()["hydra:member"]
    assert item["size"] == len(raw)
    source = await http.get(f"/sources/{item['id']}", headers=inbox.auth)
    assert source.status_code == 200
    body = source.json()
    assert set(body) == {"@context", "@id", "@type", "id", "downloadUrl", "data"}
    assert body["@type"] == "Source" and body["data"] == raw.decode()
    download = await http.get(item["downloadUrl"], headers=inbox.auth)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("message/rfc822")
    assert download.content == raw
    assert (await http.get(body["downloadUrl"], headers=inbox.auth)).content == raw
    assert (await http.get(item["downloadUrl"])).status_code == 401


async def test_wrong_methods_are_405_and_unknown_routes_404(http: httpx.AsyncClient, inbox: Inbox) -> None:
    for method, path in [
        ("GET", "/token"),
        ("POST", "/messages"),
        ("PATCH", "/me"),
        ("PUT", f"/accounts/{inbox.id}"),
        ("PATCH", f"/accounts/{inbox.id}"),
    ]:
        response = await http.request(method, path, headers=inbox.auth)
        assert response.status_code == 405, (method, path)
        assert response.json()["@type"] == "hydra:Error"
        assert response.headers["allow"]
    unknown = await http.get("/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["status"] == 404


# --- rate limit and counters -----------------------------------------------------------------------


async def test_rate_limit_answers_429_beyond_8_per_second(limited_server: LocalMailServer) -> None:
    async with httpx.AsyncClient(base_url=limited_server.api_url) as client:
        # 40 at once: even on a loaded machine they finish long before the bucket could refill 32 tokens
        responses = await asyncio.gather(*(client.get("/domains") for _ in range(40)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) >= 8 and statuses.count(429) >= 1
        limited = next(r for r in responses if r.status_code == 429)
        assert limited.content == b"" and "retry-after" not in limited.headers
        assert limited_server.stats.rate_limited == statuses.count(429)
        limited_server.rate_limit = None  # switchable at run time
        assert all(
            r.status_code == 200 for r in await asyncio.gather(*(client.get("/domains") for _ in range(40)))
        )


def test_token_bucket_refills_at_the_rate() -> None:
    bucket = RateLimiter(8.0)
    assert all(bucket.allow("1.2.3.4", now=100.0) for _ in range(8))
    assert not bucket.allow("1.2.3.4", now=100.0)
    assert bucket.allow("5.6.7.8", now=100.0)  # per client IP
    assert bucket.allow("1.2.3.4", now=100.125) and not bucket.allow("1.2.3.4", now=100.125)
    assert sum(bucket.allow("1.2.3.4", now=110.0) for _ in range(20)) == 8  # bursts cap at the rate
    assert all(RateLimiter(None).allow("x") for _ in range(100))


async def test_stats_count_rest_requests(local_server: LocalMailServer, http: httpx.AsyncClient) -> None:
    before = local_server.stats.requests
    for _ in range(3):
        await http.get("/domains")
    assert local_server.stats.requests == before + 3
    assert local_server.stats.tcp_connections >= 1
