"""The client's request budget per provider: mail.tm's 8/s for mail.tm and mail.gw, far more on loopback."""

from __future__ import annotations

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import (
    MAILGW,
    MAILTM,
    MAILTM_REQUESTS_PER_SECOND,
    Provider,
    custom_provider,
    local_provider,
    request_budget,
)
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store


@pytest.mark.parametrize(
    ("provider", "local"),
    [
        (MAILTM, False),
        (MAILGW, False),
        (custom_provider("https://mail.example.org"), False),
        (custom_provider("https://127.example.org"), False),
        (local_provider("http://127.0.0.1:40123", "http://127.0.0.1:40123/.well-known/mercure"), True),
        (custom_provider("http://127.0.0.1:8025"), True),  # `temp-inbox serve`
        (custom_provider("http://localhost:8025"), True),
        (custom_provider("http://[::1]:8025"), True),
    ],
)
def test_loopback_servers_get_a_budget_far_above_mailtms(provider: Provider, local: bool) -> None:
    budget = request_budget(provider)
    assert (budget >= 100 * MAILTM_REQUESTS_PER_SECOND) if local else (budget == MAILTM_REQUESTS_PER_SECOND)


def test_the_inbox_paces_each_provider_by_its_budget() -> None:
    store = Store(None)
    try:
        local = local_provider("http://127.0.0.1:9", "http://127.0.0.1:9")
        inbox = Inbox(store, PasswordVault(), local)
        # The client the inbox builds for a provider (shared by all of its addresses).
        assert inbox._service(local)._limiter.per_second >= 800
        assert inbox._service(MAILTM)._limiter.per_second == pytest.approx(8.0)
    finally:
        store.close()
