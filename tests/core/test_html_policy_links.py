"""Link analysis for the confirm-before-opening prompt."""

from __future__ import annotations

import pytest

from desktop_app.core.sealed.link_policy import analyse_link, domain_in_text, is_ip_address, same_site


def codes(href: str, text: str = "") -> set[str]:
    return {warning.code for warning in analyse_link(href, text).warnings}


def test_plain_https_link_has_no_warnings() -> None:
    analysis = analyse_link("https://www.example.com/account", "Your account")
    assert analysis.openable
    assert analysis.warnings == ()
    assert analysis.host == "www.example.com"


@pytest.mark.parametrize(
    ("href", "text"),
    [
        ("https://evil.example.net/login", "www.paypal.com"),
        ("https://paypal.com.evil.example.net/", "https://paypal.com/signin"),
        ("https://evil.example.net/", "Sign in at paypal.com"),
    ],
)
def test_text_showing_another_domain_warns(href: str, text: str) -> None:
    analysis = analyse_link(href, text)
    assert analysis.has("text-mismatch")
    assert "paypal.com" in next(w.message for w in analysis.warnings if w.code == "text-mismatch")


@pytest.mark.parametrize(
    ("href", "text"),
    [
        ("https://paypal.com/x", "www.paypal.com"),
        ("https://www.paypal.com/x", "paypal.com"),
        ("https://mail.paypal.com/x", "paypal.com"),
        ("https://example.com/", "Click here"),
    ],
)
def test_matching_or_domainless_text_does_not_warn(href: str, text: str) -> None:
    assert "text-mismatch" not in codes(href, text)


@pytest.mark.parametrize(
    "href", ["http://192.168.1.1/login", "https://[::1]/", "http://3232235777/", "http://0x7f.1/"]
)
def test_ip_address_hosts_warn(href: str) -> None:
    assert "ip-address" in codes(href)


def test_punycode_host_warns_and_shows_unicode() -> None:
    analysis = analyse_link("https://xn--pypal-4ve.com/", "")
    assert analysis.has("punycode")
    assert analysis.display_host == "pаypal.com"  # Cyrillic а
    assert analysis.openable


def test_unicode_text_domain_is_compared_in_ascii() -> None:
    assert not analyse_link("https://xn--bcher-kva.example/", "bücher.example").has("text-mismatch")


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>x</script>",
        "vbscript:msgbox",
    ],
)
def test_code_and_local_schemes_are_never_openable(href: str) -> None:
    analysis = analyse_link(href, "Open invoice")
    assert not analysis.openable
    assert analysis.has("dangerous-scheme")
    assert "never opens" in analysis.warnings[0].message


def test_other_schemes_are_not_opened_and_mailto_says_so() -> None:
    assert not analyse_link("ms-officecmd:foo", "").openable
    assert "unsupported-scheme" in codes("ms-officecmd:foo")
    mailto = analyse_link("mailto:someone@example.com", "")
    assert mailto.openable and mailto.has("other-app")


def test_plain_http_and_credentials_warn() -> None:
    assert "unencrypted" in codes("http://example.com/")
    analysis = analyse_link("https://paypal.com@evil.example.net/", "")
    assert analysis.has("credentials")
    assert analysis.host == "evil.example.net"


def test_helpers() -> None:
    assert is_ip_address("10.0.0.1") and not is_ip_address("face.bad") and not is_ip_address("example.com")
    assert domain_in_text("Visit WWW.Example.COM today") == "www.example.com"
    assert domain_in_text("Click here") is None
    assert same_site("example.com", "a.b.example.com") and not same_site("example.com", "example.com.evil.io")
