"""What one client may cost the local server: timeouts, connection and size caps (issue 9, defect 7).

Every limit is a constructor argument of ``LocalMailServer`` (``limits=ServerLimits(...)``) and a
``temp-inbox serve`` flag. The defaults are far above what the app and mail.tm-style clients need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True, slots=True)
class ServerLimits:
    # Seconds a connection may sit without a complete request head: covers half-sent requests and
    # idle keep-alive (Hypercorn's ``keep_alive_timeout`` runs until a whole head has arrived).
    # Above httpx's 5 s keep-alive expiry, so clients close idle connections first.
    header_timeout: float = 10.0
    body_timeout: float = 30.0  # seconds to send a REST request body once the head is in → 408
    max_body_bytes: int = 1_000_000  # a REST request body → 413
    max_connections: int = 512  # open HTTP connections, hub streams included; more are refused with 503
    smtp_idle_timeout: float = 60.0  # seconds an SMTP session may wait for the next command or line
    max_smtp_sessions: int = 64  # concurrent SMTP sessions; more are answered 421 and closed
    max_parsers: int = 2  # mails parsed at once (a 40 MB mail costs a few hundred MB while parsed)

    def __post_init__(self) -> None:
        for name in self.__slots__:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")


def allowed_hosts(bind_host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """``Host`` header values the HTTP side answers (DNS-rebinding protection), lower case.

    The loopback names and the bind address, each bare or with the real port; a browser sends the
    port whenever it is not 80, so a rebinding page cannot send one of these values.
    """
    bracketed = f"[{bind_host}]" if ":" in bind_host else bind_host
    names = {*LOOPBACK_NAMES, *(n.strip().lower() for n in extra if n.strip())}
    if bind_host not in WILDCARD_HOSTS:
        names.add(bracketed.lower())
    return frozenset({*names, *(f"{n}:{port}" for n in names)})
