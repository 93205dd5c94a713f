"""One published Python mail.tm client, run unchanged against ``temp-inbox serve``.

``compat/run.py`` runs this file inside the client's own scratch venv (the clients are plain
``requests`` programs and two of them install a module of the same name). The only thing changed is
where ``https://api.mail.tm`` points: every request of the client's ``requests`` session is sent to
the local server instead, exactly as a proxy would. Prints one JSON object: the steps and how each went.
"""

from __future__ import annotations

import json
import os
import secrets
import smtplib
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import requests

API = os.environ["COMPAT_API"]
SMTP_HOST, SMTP_PORT = os.environ["COMPAT_SMTP"].rsplit(":", 1)
REAL_API = "https://api.mail.tm"
_send = requests.Session.request


def _to_local(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
    if isinstance(url, str) and url.startswith(REAL_API):
        url = API + url[len(REAL_API) :]
    return _send(self, method, url, *args, **kwargs)


requests.Session.request = _to_local  # type: ignore[method-assign]

steps: list[dict[str, Any]] = []


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    except Exception as exc:  # a client's failure is the result, not a crash of the runner
        detail = f"{type(exc).__name__}: {exc}"
        steps.append(
            {"step": name, "ok": False, "detail": detail[:300], "trace": traceback.format_exc()[-800:]}
        )
        raise SystemExit(_report(1)) from None
    steps.append({"step": name, "ok": True, "ms": round((time.monotonic() - started) * 1000)})


def skipped(name: str, why: str) -> None:
    steps.append({"step": name, "ok": None, "detail": why})


def _report(code: int) -> int:
    print(json.dumps({"steps": steps}))
    return code


def send_mail(to: str) -> tuple[str, str]:
    """A mail with a one-time code, through the server's SMTP intake."""
    subject = f"Compat check {secrets.token_hex(4)}"
    code = str(100000 + secrets.randbelow(900000))
    message = EmailMessage()
    message["From"] = "Compat <compat@example.test>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"Your verification code is {code}.\n")
    with smtplib.SMTP(SMTP_HOST, int(SMTP_PORT), timeout=30) as smtp:
        smtp.send_message(message)
    return subject, code


def until(what: str, probe: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"no {what} after {timeout} s")


def password() -> str:
    return "Pw-" + secrets.token_urlsafe(12)


def pymailtm_flow() -> None:
    from pymailtm.pymailtm import Account, MailTm

    secret = password()
    with step("create"):
        created = MailTm().get_account(password=secret)
    with step("login"):
        account = Account(created.id_, created.address, secret)
    subject, code = send_mail(account.address)
    with step("receive"):
        message = until(
            "message", lambda: next((m for m in account.get_messages() if m.subject == subject), None)
        )
    with step("read"):
        assert code in message.text, message.text
    for name in ("seen", "source", "delete message"):
        skipped(name, "the client has no call for it")
    with step("delete account"):
        assert account.delete_account()


def mailtm_081_flow() -> None:
    from mailtm import Email

    client = Email()
    secret = password()
    with step("create"):
        client.register(password=secret)
    with step("login"):
        client.get_token(secret)
        assert client.token
    subject, code = send_mail(client.address)
    with step("receive"):
        found = until(
            "message", lambda: next((m for m in client.message_list() if m["subject"] == subject), None)
        )
    with step("read"):
        full = client.message(found["id"])
        assert code in full["text"], full
    for name in ("seen", "source", "delete message", "delete account"):
        skipped(name, "the client has no call for it")


def mailtm_python_flow() -> None:
    from mailtm.client import MailTMClient

    secret = password()
    with step("create"):
        domain = MailTMClient.get_domains()[0].domain
        address = f"compat{secrets.token_hex(4)}@{domain}"
        MailTMClient.create_account(address, secret)
    with step("login"):
        client = MailTMClient(account=address, password=secret)
        assert client.token
    subject, code = send_mail(address)
    with step("receive"):
        found = until(
            "message", lambda: next((m for m in client.get_messages() if m.subject == subject), None)
        )
    with step("read"):
        full = client.get_message_by_id(found.id)
        assert code in full.text, full.text
    try:
        client.mark_message_as_read(found.id)
    except requests.HTTPError as exc:
        if exc.response is None or exc.response.status_code != 415:
            raise
        # Its PATCH has no body and no merge-patch content type: mail.tm answers 415 the same way
        # (docs: shared reference §5.10), so the local server is right to refuse it.
        steps.append(
            {"step": "seen", "ok": None, "detail": "415 as on mail.tm: the client's PATCH lacks merge-patch"}
        )
    else:
        raise AssertionError("a PATCH without merge-patch was accepted; mail.tm answers 415")
    with step("source"):
        source = client.get_message_source(found.id)
        assert subject in source.data
    with step("delete message"):
        assert client.delete_message(found.id)
        assert all(m.id != found.id for m in client.get_messages())
    with step("delete account"):
        assert client.account is not None
        assert client.delete_account(client.account.id)


FLOWS = {"pymailtm": pymailtm_flow, "MailTm": mailtm_081_flow, "mailtm-python": mailtm_python_flow}

if __name__ == "__main__":
    FLOWS[sys.argv[1]]()
    sys.exit(_report(0))
