"""A link that lies about where it goes is never offered as the mail's "verification link"."""

from __future__ import annotations

import pytest

from desktop_app.core.codes.extract import extract


@pytest.mark.parametrize(
    "anchor",
    [
        # a newsletter's phishing link: another domain at the front of the host
        '<a href="https://paypal.com.account-verify.example/verify?t=abc">Verify your account</a>',
        '<a href="https://login.microsoft.net.secure-check.example/confirm">Confirm your sign-in</a>',
        # the text names another site than the link goes to
        '<a href="https://evil.example/verify?t=abc">https://paypal.com/verify</a>',
        '<a href="https://evil.example/verify?t=abc">Verify at www.paypal.com</a>',
        # hidden behind a redirect wrapper whose target is a look-alike
        '<a href="https://t.example/r?url=https%3A%2F%2Fpaypal.com.verify-now.example%2Fconfirm">Confirm</a>',
    ],
)
def test_deceptive_links_are_not_offered(anchor: str) -> None:
    found = extract("Please verify your account", "", f"<p>Hello</p>{anchor}")
    assert found.link is None and found.links == ()


@pytest.mark.parametrize(
    ("anchor", "link", "text"),
    [
        (
            '<a href="https://accounts.example.co.uk/verify?t=abc">Verify your account</a>',
            "https://accounts.example.co.uk/verify?t=abc",
            "Verify your account",
        ),
        (
            '<a href="https://www.example.com/confirm/abc">example.com/confirm</a>',
            "https://www.example.com/confirm/abc",
            "example.com/confirm",
        ),
        (
            '<a href="https://id.shop.example.com.au/activate?k=1">Activate</a>',
            "https://id.shop.example.com.au/activate?k=1",
            "Activate",
        ),
    ],
)
def test_honest_links_are_offered_with_their_anchor_text(anchor: str, link: str, text: str) -> None:
    found = extract("Welcome", "", anchor)
    assert (found.link, found.link_text) == (link, text)


def test_a_deceptive_link_does_not_hide_the_honest_one() -> None:
    html = (
        '<a href="https://paypal.com.account-verify.example/verify?t=1">Verify now</a>'
        '<a href="https://example.org/verify?t=2">Verify your e-mail</a>'
    )
    assert extract("Verify", "", html).link == "https://example.org/verify?t=2"
