"""The verdicts that a real server state cannot easily produce, with ``httpx.MockTransport``: an
account the service reports disabled or deleted, a full quota, a hub that refuses a fresh token, an
unreadable answer; and the verdict order (the first failed check names the cause)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from desktop_app.core.api import MailTmClient
from desktop_app.core.events import ConnectionState
from desktop_app.core.health import VERDICTS, AddressFacts, check_address

ADDRESS = "someone@example.test"


def service(
    me: dict[str, object] | None = None, *, domains: Callable[[], httpx.Response] | None = None
) -> MailTmClient:
    account = {"id": "acc1", "address": ADDRESS, "quota": 40_000_000, "used": 1_000, "isDisabled": False,
               "isDeleted": False} | (me or {})  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/domains":
            if domains is not None:
                return domains()
            return httpx.Response(200, json=[{"id": "d1", "domain": "example.test", "isActive": True}])
        if request.url.path == "/token":
            assert json.loads(request.content)["password"] == "pw"
            return httpx.Response(200, json={"id": "acc1", "token": "tok"})
        if request.url.path == "/me":
            return httpx.Response(200, json=account)
        return httpx.Response(404)

    return MailTmClient("http://mail.test", transport=httpx.MockTransport(answer), max_retries=0)


def facts(**changes: object) -> AddressFacts:
    values: dict[str, object] = {"address": ADDRESS, "password": "pw", "live": ConnectionState("live")}
    return AddressFacts(**(values | changes))  # type: ignore[arg-type]


async def hub_says(status: int | None) -> Callable[[str, str, str], object]:
    async def probe(_url: str, account_id: str, token: str) -> int | None:
        assert (account_id, token) == ("acc1", "tok")
        return status

    return probe


@pytest.mark.parametrize(
    ("me", "code", "words"),
    [
        ({"isDeleted": True}, "account-gone", "deleted on the service"),
        ({"isDisabled": True}, "account-gone", "disabled on the service"),
        ({"used": 40_000_000}, "quota-full", "storage is full (40 MB of 40 MB)"),
        ({"used": 39_500_000}, "quota-full", "storage is full (39.5 MB of 40 MB)"),
    ],
)
async def test_what_the_account_says(me: dict[str, object], code: str, words: str) -> None:
    report = await check_address(facts(), service(me))
    assert report.verdict.code == code and words in report.verdict.text
    assert report.verdict.action == VERDICTS[code].action  # type: ignore[index]


async def test_a_hub_that_refuses_a_fresh_token() -> None:
    stream_down = ConnectionState("retrying", "hub 401", retry_in=4.0)
    report = await check_address(facts(live=stream_down), service(), probe_hub=await hub_says(401))
    assert report.verdict.code == "token-refused" and "hub 401" in report.verdict.text
    assert [c.name for c in report.checks][-1] == "hub"


async def test_a_live_stream_needs_no_probe() -> None:
    async def never(*_args: str) -> int | None:
        raise AssertionError("probed a live hub")

    report = await check_address(facts(), service(), probe_hub=never)
    assert report.verdict.code == "ok"


async def test_an_unreadable_answer_is_a_service_problem() -> None:
    report = await check_address(facts(), service(domains=lambda: httpx.Response(200, text="<html>")))
    assert report.verdict.code == "provider-down" and "an unreadable answer" in report.verdict.text


async def test_the_first_failed_check_names_the_cause() -> None:
    """No password and a full quota cannot both be seen (no log-in without a password); a missing
    password and an inactive domain can, and the verdict is the earlier check's."""
    inactive = lambda: httpx.Response(200, json=[{"id": "d1", "domain": "example.test", "isActive": False}])  # noqa: E731
    report = await check_address(
        facts(password=None, password_problem="the keyring is locked"), service(domains=inactive)
    )
    assert report.verdict.code == "keyring-missing" and "the keyring is locked" in report.verdict.text
    assert {c.name: c.ok for c in report.checks} == {"password": False, "provider": True, "domain": False}


@pytest.mark.parametrize(
    ("live", "says"),
    [
        (ConnectionState("failed", "token refused (401)"), "failed: token refused (401)"),
        (
            ConnectionState("stopped", "the keyring was locked"),
            "not open in Temp Inbox (the keyring was locked)",
        ),
    ],
)
async def test_a_stream_that_is_down_is_named_once(live: ConnectionState, says: str) -> None:
    report = await check_address(facts(live=live), service(), probe_hub=await hub_says(200))
    assert report.verdict.code == "hub-down" and report.verdict.action == "reconnect"
    assert f"({says})" in report.verdict.text
    assert report.verdict.text.count("token refused") <= 1


async def test_a_hub_refusing_the_token_is_not_blamed_on_the_password() -> None:
    report = await check_address(
        facts(live=ConnectionState("retrying", "hub 401")), service(), probe_hub=await hub_says(403)
    )
    assert report.verdict.code == "token-refused" and "although the password works" in report.verdict.text
    assert report.verdict.action == "reconnect"


@pytest.mark.parametrize(
    ("live_for", "words"),
    [
        (42.2, "live for 42 s"),
        (122.0, "live for 2 min"),
        (3600 * 3 + 330, "live for 3 h 5 min"),
        (7200, "live for 2 h"),
    ],
)
async def test_the_live_check_says_how_long_as_a_person_would(live_for: float, words: str) -> None:
    """The health panel read "Live connection: live for 122 s"; the sidebar says "40 MB", not "40.0 MB"."""
    since = time.monotonic() - live_for
    report = await check_address(facts(live=ConnectionState("live", since=since)), service({"used": 5_100}))
    details = {c.name: c.detail for c in report.checks}
    assert details["hub"] == words
    assert details["quota"] == "5.1 kB of 40 MB"
