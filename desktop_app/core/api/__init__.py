"""The mail.tm REST API: the client, the providers it can talk to, the request budget per host it
shares, and the one backoff every retry in the core waits by.

    client     MailTmClient: accounts, tokens, messages, sources, attachments (bounded retries)
    providers  Provider and the built-in ones (mail.tm, mail.gw, the local server, a custom URL)
    ratelimit  RateLimiter, one per host, shared by every account on it
    backoff    exponential backoff with equal jitter
"""

from __future__ import annotations

from desktop_app.core.api.backoff import Backoff, backoff_delay
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import (
    BUILTIN,
    DEFAULT,
    LOCAL_ID,
    LOCAL_NAME,
    Provider,
    custom_provider,
    local_port,
    local_provider,
    parse_smtp,
    request_budget,
    sends_in_clear,
)
from desktop_app.core.api.ratelimit import RateLimiter

__all__ = [
    "BUILTIN",
    "DEFAULT",
    "LOCAL_ID",
    "LOCAL_NAME",
    "Backoff",
    "MailTmClient",
    "Provider",
    "RateLimiter",
    "backoff_delay",
    "custom_provider",
    "local_port",
    "local_provider",
    "parse_smtp",
    "request_budget",
    "sends_in_clear",
]
