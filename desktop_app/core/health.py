"""Why hasn't my mail arrived? Live checks of one address, in order, ending in one verdict.

The checks, each timed and reported as it ends (``progress``):

1. ``password``  the keyring (or this session) holds the address's password;
2. ``provider``  the service answers (``GET /domains``): down, rate-limited or fine;
3. ``domain``    the address's domain is still offered and active;
4. ``login``     the service accepts the saved password (``POST /token``);
5. ``account``   the account is neither disabled nor deleted (``GET /me``);
6. ``quota``     the account has room for mail (``used`` of ``quota``);
7. ``hub``       the live stream: connected in the app, or else a short subscription with a fresh
                 token shows whether the hub accepts it;
8. ``probe``     where Temp Inbox can send mail to the address (the embedded local server's SMTP while
                 it runs, or the SMTP configured for the provider), a test mail, timed from SMTP to its
                 arrival through the live stream (``core/probe.py``).

A check that cannot run because an earlier one failed (no login without a password, nothing at all
when the service is down) is left out. The verdict is the first failed check's, so it names the
cause nearest the root; with none failed it says so and suggests what is left. Verdict codes are
stable (``temp-inbox check --json`` and the README document them); their words live in ``VERDICTS``.

Over 300 lines: the verdicts' words sit beside the checks that choose them, so that a code, its text
and its one next step are read together.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Literal

import httpx

from desktop_app.core import errors
from desktop_app.core.api import MailTmClient
from desktop_app.core.events import ConnectionState
from desktop_app.core.probe import ProbeOutcome

VerdictCode = Literal[
    "ok",
    "provider-down",
    "token-refused",
    "account-gone",
    "domain-inactive",
    "quota-full",
    "rate-limited",
    "hub-down",
    "keyring-missing",
    "probe-refused",
    "probe-lost",
]
# What the user can do next: the window offers it as one button, the CLI names it.
Action = Literal[
    "wait", "log-in-again", "new-address", "new-address-other-domain", "delete-old-mail", "reconnect"
]

HUB_PROBE_TIMEOUT_S = 8.0
# Less room than this is "full": the service refuses any mail that does not fit, and a newsletter or
# a mail with a logo is bigger (a test that fills the local server stops at 39.1 of 40 MB).
QUOTA_ROOM_BYTES = 1_000_000


@dataclass(frozen=True)
class VerdictText:
    text: str
    action: Action
    action_label: str


VERDICTS: dict[VerdictCode, VerdictText] = {
    "ok": VerdictText(
        "No problem found: the address is live and the service accepts it. The sender may not have sent "
        "yet, or may refuse this domain: try an address on another domain.",
        "new-address-other-domain",
        "New address on another domain…",
    ),
    "provider-down": VerdictText(
        "The mail service is not answering ({detail}); check your connection. Temp Inbox keeps retrying; "
        "mail the service accepted meanwhile appears when it answers again.",
        "wait",
        "Check again",
    ),
    "rate-limited": VerdictText(
        "The mail service asks Temp Inbox to slow down (too many requests). It waits and tries again by "
        "itself; nothing is lost.",
        "wait",
        "Check again",
    ),
    "keyring-missing": VerdictText(
        "The password of this address is not available ({detail}), so Temp Inbox cannot log in. Log in "
        "again with the password if you kept it.",
        "log-in-again",
        "Log in again…",
    ),
    "domain-inactive": VerdictText(
        "The service no longer offers the domain {domain}: mail to this address is not accepted. Create "
        "the same name on another domain?",
        "new-address-other-domain",
        "New address on another domain…",
    ),
    "token-refused": VerdictText(
        "The service refuses this address's password ({detail}): the address was deleted on the service "
        "or its password changed. Its mail can no longer be read; create a new address.",
        "new-address",
        "New address…",
    ),
    "account-gone": VerdictText(
        "The address was {detail} on the service: it receives no more mail. Create a new address.",
        "new-address",
        "New address…",
    ),
    "quota-full": VerdictText(
        "The address's storage is full ({detail}): the service refuses mail that does not fit in what is "
        "left. Delete old mail to make room.",
        "delete-old-mail",
        "Delete old mail…",
    ),
    "hub-down": VerdictText(
        "The live connection is down ({detail}); mail still arrives but is only seen when Temp Inbox "
        "catches up. Reconnect now?",
        "reconnect",
        "Reconnect now",
    ),
    "probe-refused": VerdictText(
        "The mail service's SMTP did not take a test mail to this address ({detail}), so mail sent to it "
        "is likely refused too. Check again in a moment; if it stays so, create a new address.",
        "wait",
        "Check again",
    ),
    "probe-lost": VerdictText(
        "A test mail to this address was accepted but did not come through the live connection in time "
        "({detail}): mail is held up between the service and Temp Inbox. Reconnect now?",
        "reconnect",
        "Reconnect now",
    ),
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    ms: int


@dataclass(frozen=True)
class Verdict:
    code: VerdictCode
    text: str
    action: Action
    action_label: str


@dataclass(frozen=True)
class HealthReport:
    address: str
    verdict: Verdict
    checks: tuple[CheckResult, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The shape of ``temp-inbox check --json``."""
        verdict = {"code": self.verdict.code, "text": self.verdict.text, "action": self.verdict.action}
        return {"address": self.address, "verdict": verdict, "checks": [asdict(c) for c in self.checks]}


@dataclass(frozen=True)
class AddressFacts:
    """What the app knows of the address before any request."""

    address: str
    password: str | None
    password_problem: str = ""  # why there is no password: "no keyring entry", "the keyring is locked"…
    session_only: bool = False
    account_id: str | None = None
    live: ConnectionState = field(default_factory=lambda: ConnectionState("stopped", "not open"))
    hub_url: str = ""

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]


Progress = Callable[[CheckResult], None]


# token-refused when the log-in worked but the live hub refuses the token it gave: not the password.
HUB_REFUSES_TOKEN = VerdictText(
    "The live service refuses a fresh log-in token ({detail}) although the password works: new mail is "
    "only seen when Temp Inbox catches up. Reconnect now; if it keeps happening, the service has a problem.",
    "reconnect",
    "Reconnect now",
)


def verdict(
    code: VerdictCode, *, detail: str = "", domain: str = "", words: VerdictText | None = None
) -> Verdict:
    chosen = words or VERDICTS[code]
    return Verdict(code, chosen.text.format(detail=detail, domain=domain), chosen.action, chosen.action_label)


def _megabytes(n: int) -> str:
    """Sizes as the sidebar shows them: "230 B", "4.2 kB", "40 MB" (it said "40.0 MB" there)."""
    if n < 1000:
        return f"{n} B"
    text = f"{n / 1000:.1f} kB" if n < 1_000_000 else f"{n / 1_000_000:.1f} MB"
    return text.replace(".0 ", " ")


def _duration(seconds: float) -> str:
    """How long a stream has been live, as a person says it: "42 s", "2 min", "3 h 5 min"."""
    whole = max(0, round(seconds))
    if whole < 120:
        return f"{whole} s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min" if minutes % 60 else f"{minutes // 60} h"


class _Run:
    """One check run: records each check as it ends and keeps the first failure's verdict."""

    def __init__(self, facts: AddressFacts, progress: Progress | None) -> None:
        self.facts = facts
        self.checks: list[CheckResult] = []
        self.first_failure: Verdict | None = None
        self._progress = progress
        self._started = time.monotonic()

    def start(self) -> None:
        self._started = time.monotonic()

    def done(self, name: str, ok: bool, detail: str, failure: Verdict | None = None) -> bool:
        result = CheckResult(name, ok, detail, round((time.monotonic() - self._started) * 1000))
        self.checks.append(result)
        if not ok and self.first_failure is None:
            self.first_failure = failure
        if self._progress is not None:
            self._progress(result)
        return ok

    def service_failed(self, name: str, exc: errors.ApiError) -> bool:
        """A request the service did not answer usefully: down or rate-limited, named as such."""
        if isinstance(exc, errors.RateLimitedError):
            return self.done(name, False, "rate-limited (429)", verdict("rate-limited"))
        if isinstance(exc, errors.ProtocolError):
            reason = "an unreadable answer"
        elif isinstance(exc, errors.NetworkError):
            reason = "no connection"
        else:
            reason = f"HTTP {exc.status}" if exc.status else "an error"
        return self.done(name, False, reason, verdict("provider-down", detail=reason))

    def report(self) -> HealthReport:
        final = self.first_failure or verdict("ok")
        return HealthReport(self.facts.address, final, tuple(self.checks))


async def check_address(
    facts: AddressFacts,
    service: MailTmClient,
    *,
    progress: Progress | None = None,
    probe_hub: Callable[[str, str, str], Awaitable[int | None]] | None = None,
    probe: Callable[[], Awaitable[ProbeOutcome]] | None = None,
) -> HealthReport:
    """Run the checks for ``facts.address`` with ``service`` (a client of its provider without
    retries, so a failing service shows at once). ``probe_hub`` is for tests; see :func:`probe_hub`.
    ``probe`` sends a test mail to the address and says how it arrived (only where Temp Inbox can send)."""
    run = _Run(facts, progress)
    if facts.password is not None:
        run.done("password", True, "kept for this session only" if facts.session_only else "in the keyring")
    else:
        problem = facts.password_problem or "no keyring entry"
        run.done("password", False, problem, verdict("keyring-missing", detail=problem))

    run.start()
    try:
        domains = await service.domains()
    except errors.ApiError as exc:
        run.service_failed("provider", exc)
        return run.report()
    run.done("provider", True, "answers")

    run.start()
    offered = next((d for d in domains if d.domain.lower() == facts.domain.lower()), None)
    if offered is None or not offered.is_active:
        state = "not offered any more" if offered is None else "inactive"
        run.done("domain", False, f"{facts.domain} {state}", verdict("domain-inactive", domain=facts.domain))
    else:
        run.done("domain", True, f"{facts.domain} offered")
    if facts.password is None:
        return run.report()

    run.start()
    account = service.for_account(facts.address, facts.password, account_id=facts.account_id)
    try:
        token = await account.login()
    except errors.InvalidCredentialsError:
        run.done("login", False, "password refused (401)", verdict("token-refused", detail="401 on log-in"))
        return run.report()
    except errors.ApiError as exc:
        run.service_failed("login", exc)
        return run.report()
    run.done("login", True, "password accepted")

    run.start()
    try:
        me = await account.me()
    except (errors.AuthError, errors.NotFoundError) as exc:
        gone = f"HTTP {exc.status}" if exc.status else "refused"
        run.done("account", False, gone, verdict("account-gone", detail=f"not found ({gone})"))
        return run.report()
    except errors.ApiError as exc:
        run.service_failed("account", exc)
        return run.report()
    if me.is_deleted or me.is_disabled:
        what = "deleted" if me.is_deleted else "disabled"
        run.done("account", False, what, verdict("account-gone", detail=what))
        return run.report()
    run.done("account", True, "active")

    run.start()
    used = f"{_megabytes(me.used)} of {_megabytes(me.quota)}"
    if me.quota > 0 and me.quota - me.used < QUOTA_ROOM_BYTES:
        run.done("quota", False, used, verdict("quota-full", detail=used))
    else:
        run.done("quota", True, used)

    run.start()
    await _check_hub(run, facts, token.id, token.token, probe_hub or probe_hub_status)
    if probe is not None:
        run.start()
        outcome = await probe()
        failure = None
        if not outcome.ok:
            code: VerdictCode = "probe-refused" if outcome.failure == "refused" else "probe-lost"
            failure = verdict(code, detail=outcome.detail)
        run.done("probe", outcome.ok, outcome.detail, failure)
    return run.report()


async def _check_hub(
    run: _Run,
    facts: AddressFacts,
    account_id: str,
    token: str,
    probe_hub: Callable[[str, str, str], Awaitable[int | None]],
) -> None:
    live = facts.live
    if live.kind == "live":
        run.done("hub", True, f"live for {_duration(time.monotonic() - live.since)}")
        return
    status = await probe_hub(facts.hub_url, account_id, token)
    if live.kind == "stopped":
        stream = "not open in Temp Inbox" + (f" ({live.reason})" if live.reason else "")
    else:  # describe() already names the reason of a failed or retrying stream
        stream = live.describe() + (
            f": {live.reason}" if live.reason and live.kind not in ("retrying", "failed") else ""
        )
    if status in (401, 403):
        run.done(
            "hub",
            False,
            f"the hub refuses the token ({status})",
            verdict("token-refused", detail=f"hub {status}", words=HUB_REFUSES_TOKEN),
        )
    elif status == 200:
        run.done(
            "hub",
            False,
            f"the hub accepts the token; the app's stream is {stream}",
            verdict("hub-down", detail=stream),
        )
    else:
        reason = f"HTTP {status}" if status else "no answer"
        run.done("hub", False, f"the hub does not answer ({reason})", verdict("hub-down", detail=reason))


async def probe_hub_status(hub_url: str, account_id: str, token: str) -> int | None:
    """The status of a short subscription to the account's topic (None: no answer in time). It reads
    only the response head, so a healthy hub's endless stream is closed at once."""
    params = {"topic": f"/accounts/{account_id}"}
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    try:
        async with (
            httpx.AsyncClient(timeout=HUB_PROBE_TIMEOUT_S) as http,
            http.stream("GET", hub_url, params=params, headers=headers) as response,
        ):
            return response.status_code
    except httpx.HTTPError:
        return None
