"""What a clicked link in a message really points at, and why it might be a trap. No Qt.

The sealed view never navigates: a click shows this analysis in a prompt, and only an
``openable`` link is handed to the system browser, after the user confirms.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

OPENABLE_SCHEMES = frozenset({"http", "https", "mailto"})
# Schemes that run code, read local files or smuggle a whole document: never handed to anything.
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "file", "data", "blob", "filesystem"})


@dataclass(frozen=True)
class LinkWarning:
    code: str  # stable identifier for tests and styling
    message: str  # user-facing sentence


@dataclass(frozen=True)
class LinkAnalysis:
    href: str
    scheme: str
    host: str  # as in the URL (punycode stays punycode)
    display_host: str  # Unicode form of the host, for showing next to the punycode
    openable: bool
    warnings: tuple[LinkWarning, ...]

    def has(self, code: str) -> bool:
        return any(warning.code == code for warning in self.warnings)


# A domain written in link text: "paypal.com", "www.paypal.com/login", "https://paypal.com".
_TEXT_DOMAIN = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://)?((?:[\w-]+\.)+[a-z\u00a1-\uffff]{2,}|\d{1,3}(?:\.\d{1,3}){3})(?=[/:\s]|$)",
    re.IGNORECASE,
)


def analyse_link(href: str, text: str = "") -> LinkAnalysis:
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:  # e.g. "https://[login": a malformed bracketed host is no link to anywhere
        warning = LinkWarning("malformed", "This link is malformed; Temp Inbox does not open it.")
        return LinkAnalysis(href, "", "", "", False, (warning,))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    display_host = _unicode_host(host)
    warnings: list[LinkWarning] = []

    if scheme in DANGEROUS_SCHEMES:
        warnings.append(
            LinkWarning(
                "dangerous-scheme",
                f"“{scheme}:” links can run code or open local files; Temp Inbox never opens them.",
            )
        )
    elif scheme not in OPENABLE_SCHEMES:
        label = f"“{scheme}:”" if scheme else "This"
        warnings.append(
            LinkWarning("unsupported-scheme", f"{label} links would start another program; not opened.")
        )
    elif scheme == "mailto":
        warnings.append(LinkWarning("other-app", "This link opens your e-mail program."))
    elif scheme == "http":
        warnings.append(LinkWarning("unencrypted", "The connection to this site is not encrypted."))

    if parts.username is not None or "@" in parts.netloc:
        warnings.append(
            LinkWarning(
                "credentials",
                f"The part before “@” is not the site: this link goes to {display_host or host}.",
            )
        )
    if host and is_ip_address(host):
        warnings.append(
            LinkWarning("ip-address", f"The link goes to a bare IP address ({host}), not a name.")
        )
    if any(label.startswith("xn--") for label in host.split(".")):
        warnings.append(
            LinkWarning(
                "punycode",
                f"The address uses international characters ({display_host}, written {host}); "
                "it may imitate another site.",
            )
        )
    shown = domain_in_text(text)
    if shown and host and not same_site(shown, host):
        warnings.append(
            LinkWarning(
                "text-mismatch",
                f"The link text shows {shown}, but the link goes to {display_host}.",
            )
        )
    openable = scheme in OPENABLE_SCHEMES and (bool(host) or scheme == "mailto")
    return LinkAnalysis(href, scheme, host, display_host, openable, tuple(warnings))


def is_ip_address(host: str) -> bool:
    """True for IPv6, dotted IPv4 and the forms browsers also accept (``3232235777``, ``0x7f.1``)."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if not re.fullmatch(r"[0-9a-fx.]+", host, re.IGNORECASE) or not re.search(r"\d", host):
        return False
    try:
        socket.inet_aton(host)
        return True
    except OSError:
        return False


def domain_in_text(text: str) -> str | None:
    match = _TEXT_DOMAIN.search(text.strip())
    if not match:
        return None
    return _ascii_host(match.group(1).rstrip(".").lower())


def same_site(shown: str, actual: str) -> bool:
    """``www.example.com`` shown for ``example.com`` (or a subdomain of what is shown) is fine;
    ``example.com.evil.io`` is not."""
    shown, actual = _strip_www(_ascii_host(shown)), _strip_www(_ascii_host(actual))
    return actual == shown or actual.endswith("." + shown)


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _ascii_host(host: str) -> str:
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _unicode_host(host: str) -> str:
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host
