"""Mail services that speak the mail.tm API, each with its Mercure hub."""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_app.core.errors import UsageError


@dataclass(frozen=True, slots=True)
class Provider:
    id: str
    name: str
    api_url: str
    hub_url: str
    credit_url: str | None = None  # services whose terms require a visible credit link
    # Where the health check may send a test mail to this service's addresses: configured by the
    # user for a server they run, never guessed.
    smtp: tuple[str, int] | None = None

    @property
    def requires_credit(self) -> bool:
        return self.credit_url is not None


MAILTM = Provider(
    id="mail.tm",
    name="mail.tm",
    api_url="https://api.mail.tm",
    hub_url="https://mercure.mail.tm/.well-known/mercure",
    credit_url="https://mail.tm",
)

MAILGW = Provider(
    id="mail.gw",
    name="mail.gw",
    api_url="https://api.mail.gw",
    hub_url="https://mercure.mail.gw/.well-known/mercure",
    credit_url="https://mail.gw",
)

BUILTIN: tuple[Provider, ...] = (MAILTM, MAILGW)
DEFAULT = MAILTM

LOCAL_ID = "local"  # the embedded server's provider id, whatever port it listens on this run
LOCAL_NAME = "This computer"


MAILTM_REQUESTS_PER_SECOND = 8.0  # mail.tm's documented limit per IP address
# A server on this computer: `temp-inbox serve` and the embedded one have no limit by default, so a
# burst of 1,000 mails gets its bodies in seconds, not two minutes. One that does limit (--rate-limit)
# answers 429, and the client then pauses as it would for mail.tm.
LOCAL_REQUESTS_PER_SECOND = 1000.0


def _on_this_computer(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name, not an address: somewhere on the network
        return False


def request_budget(provider: Provider) -> float:
    """Requests per second the client allows itself towards ``provider``'s API."""
    if provider.id == LOCAL_ID or _on_this_computer(provider.api_url):
        return LOCAL_REQUESTS_PER_SECOND
    return MAILTM_REQUESTS_PER_SECOND


def sends_in_clear(url: str) -> bool:
    """Whether passwords sent to ``url`` cross the network unencrypted (plain http:// to another host).
    On this computer they never leave it, so a local test server needs no warning."""
    return url.strip().lower().startswith("http://") and not _on_this_computer(url.strip())


def _check_url(url: str, what: str) -> str:
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0  # .port raises on "host:99999" and "host:x"
    except ValueError:  # "https://[" and other malformed hosts
        port_ok = False
    if not port_ok or parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"The {what} must be an http:// or https:// address, for example https://api.example.org."
        )
    return url


def parse_smtp(text: str) -> tuple[str, int] | None:
    """The SMTP endpoint ``host:port`` (``[::1]:2525`` for IPv6) the user gave; None for "none"."""
    text = text.strip()
    if text.lower() in ("", "none"):
        return None
    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):  # an IPv6 address, as in URLs
        host = host[1:-1]
    elif ":" in host:  # an IPv6 address without brackets: where its port starts is a guess
        host = ""
    if (
        not sep
        or not host
        or any(c.isspace() or c in "/@[]" for c in host)
        or not port.isdigit()
        or not 0 < int(port) < 65536
    ):
        raise UsageError(
            f"{text!r} is not an SMTP endpoint: give host:port, for example 127.0.0.1:2525 (or none)."
        )
    return host, int(port)


def format_smtp(smtp: tuple[str, int] | None) -> str:
    """``smtp`` as :func:`parse_smtp` reads it back ("" for none)."""
    if smtp is None:
        return ""
    host, port = smtp
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def custom_provider(api_url: str, hub_url: str | None = None, *, name: str | None = None) -> Provider:
    """Any mail.tm-compatible service. The hub defaults to ``<api-url>/.well-known/mercure``."""
    api = _check_url(api_url, "API URL")
    hub = _check_url(hub_url, "hub URL") if hub_url else f"{api}/.well-known/mercure"
    for builtin in BUILTIN:
        if builtin.api_url == api and builtin.hub_url == hub:
            return builtin
    digest = hashlib.sha256(f"{api} {hub}".encode()).hexdigest()[:10]
    return Provider(id=f"custom-{digest}", name=name or urlsplit(api).netloc, api_url=api, hub_url=hub)


def local_provider(api_url: str, hub_url: str) -> Provider:
    """The embedded local server; its id stays stable across runs whatever port it gets."""
    api, hub = _check_url(api_url, "API URL"), _check_url(hub_url, "hub URL")
    return Provider(id=LOCAL_ID, name=LOCAL_NAME, api_url=api, hub_url=hub)


def local_port(provider: Provider | None) -> int:
    """The port the embedded server listened on when ``provider`` was last saved (0: none known)."""
    try:
        return (urlsplit(provider.api_url).port or 0) if provider is not None else 0
    except ValueError:
        return 0
