"""Malformed URLs in hostile mail (issue 9, defect 2): an unparsable URL is simply not a link."""

from __future__ import annotations

import pytest

from desktop_app.core.api.providers import custom_provider, local_provider
from desktop_app.core.codes.extract import extract
from desktop_app.core.codes.links import normalise_link
from desktop_app.core.errors import UsageError
from desktop_app.core.sealed.link_policy import analyse_link

MALFORMED = [
    "https://[login",
    "http://[::1",
    "https://]x[/",
    "https://[not-an-ip]/verify",
    "https://good.example/next?url=https://[inner",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_text_with_a_malformed_url_still_gives_its_code(url: str) -> None:
    result = extract("Your code", f"see {url} — your code is 482913")
    assert result.code == "482913"
    assert all("[" not in link for link in result.links)


@pytest.mark.parametrize("url", MALFORMED)
def test_html_with_a_malformed_url_still_gives_its_code(url: str) -> None:
    html = f'<p>Your code is 482913</p><a href="{url}">Verify your email</a>'
    result = extract("Verify", "", html)
    assert result.code == "482913"


def test_a_good_link_next_to_a_malformed_one_is_kept() -> None:
    result = extract("x", "https://[login then verify at https://example.org/verify?token=abcdef123456")
    assert result.link == "https://example.org/verify?token=abcdef123456"


@pytest.mark.parametrize("url", MALFORMED[:4])
def test_normalise_link_refuses_without_raising(url: str) -> None:
    assert normalise_link(url) is None


@pytest.mark.parametrize("url", MALFORMED[:4])
def test_analyse_link_marks_it_malformed(url: str) -> None:
    analysis = analyse_link(url, "Log in")
    assert not analysis.openable
    assert [w.code for w in analysis.warnings] == ["malformed"]


@pytest.mark.parametrize("url", ["https://[", "http://host:99999", "http://host:x", "http://[::1"])
def test_provider_url_check_refuses_malformed_urls(url: str) -> None:
    with pytest.raises(UsageError):
        custom_provider(url)
    with pytest.raises(UsageError):
        local_provider(url, "http://127.0.0.1:1/.well-known/mercure")
