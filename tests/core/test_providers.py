from __future__ import annotations

import pytest

from desktop_app.core.api.providers import MAILGW, MAILTM, custom_provider, local_provider
from desktop_app.core.errors import UsageError


def test_builtin_providers_have_hubs_and_credit() -> None:
    assert MAILTM.hub_url == "https://mercure.mail.tm/.well-known/mercure"
    assert MAILTM.requires_credit and MAILGW.api_url == "https://api.mail.gw"


def test_custom_provider_defaults_hub_and_is_stable() -> None:
    provider = custom_provider("http://127.0.0.1:8025/")
    assert provider.api_url == "http://127.0.0.1:8025"
    assert provider.hub_url == "http://127.0.0.1:8025/.well-known/mercure"
    assert provider.id == custom_provider("http://127.0.0.1:8025").id
    assert provider.id != custom_provider("http://127.0.0.1:8026").id
    assert not provider.requires_credit


def test_custom_provider_matching_builtin_is_the_builtin() -> None:
    assert custom_provider("https://api.mail.tm", "https://mercure.mail.tm/.well-known/mercure") is MAILTM


@pytest.mark.parametrize("bad", ["", "api.mail.tm", "ftp://x", "http://"])
def test_custom_provider_rejects_bad_urls(bad: str) -> None:
    with pytest.raises(UsageError, match="http"):
        custom_provider(bad)


def test_local_provider_id_is_stable_across_ports() -> None:
    one = local_provider("http://127.0.0.1:1/", "http://127.0.0.1:1/.well-known/mercure")
    two = local_provider("http://127.0.0.1:2", "http://127.0.0.1:2/.well-known/mercure")
    assert one.id == two.id == "local"
