"""Verification / magic link extraction, and a property: text without code words yields no code."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.core.codes.extract import extract
from desktop_app.core.codes.html import html_content
from desktop_app.core.codes.links import normalise_link

NEWSLETTER_HEAD = (
    '<a href="https://ex.com/view?id=1">View in browser</a>'
    '<a href="https://ex.com/"><img src="cid:logo" alt="Example"></a>'
)


def test_anchor_text_says_verify() -> None:
    html = NEWSLETTER_HEAD + (
        '<p>Welcome!</p><a href="https://click.ex.com/ls/abc123def456ghi789jkl012">Confirm my email</a>'
        '<a href="https://ex.com/unsubscribe?u=1">Unsubscribe</a>'
    )
    assert extract("Welcome", "", html).link == "https://click.ex.com/ls/abc123def456ghi789jkl012"


def test_url_says_magic_login() -> None:
    magic = "https://app.ex.com/auth/magic?t=Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Ng"
    html = f'<a href="https://ex.com/blog">Our blog</a><a href="{magic}">Click here</a>'
    assert extract("Log in", "", html).link == magic


def test_image_button_alt_text_counts() -> None:
    html = '<a href="https://ex.com/go/77"><img src="cid:btn" alt="Activate account"></a>'
    assert extract("", "", html).link == "https://ex.com/go/77"


def test_plain_text_link_with_trailing_punctuation() -> None:
    text = "Reset your password here: https://ex.com/reset-password?token=abc.def-123.\nThanks!"
    assert extract("Password reset", text, None).link == "https://ex.com/reset-password?token=abc.def-123"


def test_other_languages() -> None:
    html = '<a href="https://ex.de/x/9f8e7d">E-Mail-Adresse bestätigen</a>'
    assert extract("", "", html).link == "https://ex.de/x/9f8e7d"
    html = '<a href="https://ex.ru/a/1">Подтвердить почту</a>'
    assert extract("", "", html).link == "https://ex.ru/a/1"


def test_javascript_and_other_schemes_are_never_returned() -> None:
    html = (
        '<a href="javascript:verify()">Verify</a><a href="JaVaScRiPt:alert(1)">Confirm</a>'
        '<a href="data:text/html,verify">Verify</a><a href="file:///etc/verify">Verify</a>'
        '<a href=" javascript:confirm()">Confirm account</a>'
    )
    result = extract("Verify", "", html)
    assert result.link is None and result.links == ()


def test_unsubscribe_and_social_links_are_not_verification_links() -> None:
    html = (
        '<a href="https://ex.com/unsubscribe?confirm=1">Confirm unsubscribe</a>'
        '<a href="https://twitter.com/ex">Twitter</a><a href="https://ex.com/privacy">Privacy</a>'
    )
    assert extract("", "", html).link is None


def test_obvious_redirect_wrapper_is_unwrapped_and_utm_dropped() -> None:
    wrapped = (
        "https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fex.com%2Fverify%3Ft%3Dabc"
        "&data=05%7C01&reserved=0"
    )
    assert normalise_link(wrapped) == "https://ex.com/verify?t=abc"
    assert (
        normalise_link("https://www.google.com/url?q=https://ex.com/confirm/1&sa=D")
        == "https://ex.com/confirm/1"
    )
    assert (
        normalise_link("https://ex.com/verify?t=a%2Bb&utm_source=mail&utm_medium=x")
        == "https://ex.com/verify?t=a%2Bb"
    )


def test_login_link_with_return_url_is_not_unwrapped() -> None:
    link = "https://app.ex.com/login?token=s3cr3t&redirect=https%3A%2F%2Fapp.ex.com%2Fhome"
    assert normalise_link(link) == link


def test_a_wrapper_pointing_at_javascript_is_dropped() -> None:
    assert (
        normalise_link("https://t.ex.com/r?url=javascript:alert(1)")
        == "https://t.ex.com/r?url=javascript:alert(1)"
    )
    assert normalise_link("javascript:alert(1)") is None


def test_html_text_skips_style_and_script_and_keeps_blocks() -> None:
    content = html_content("<style>p{color:#fff}</style><p>One</p><p>Two<br>Three</p><script>x=1</script>")
    assert content.text.split() == ["One", "Two", "Three"]
    assert "color" not in content.text and "x=1" not in content.text


_FILLER_WORDS = [
    "hello", "thanks", "for", "joining", "the", "team", "meeting", "is", "at", "room", "price", "total",
    "weather", "today", "items", "shipped", "newsletter", "monday", "welcome", "see", "you", "soon",
]  # fmt: skip
_NUMBERISH = st.one_of(
    st.integers(0, 10**12).map(str),
    st.from_regex(r"[A-Z]{1,3}[0-9]{1,5}", fullmatch=True),
    st.from_regex(r"[0-9]{2}[./-][0-9]{2}[./-][0-9]{2,4}", fullmatch=True),
    # "2FA" is a code word, and this alphabet can spell it: such text would have a code word after all.
    st.text(alphabet=string.digits + "ABCDEF-#+$()., ", min_size=1, max_size=12).filter(
        lambda word: "2fa" not in word.lower()
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FILLER_WORDS), _NUMBERISH), max_size=40))
def test_text_without_code_words_yields_no_code(words: list[str]) -> None:
    text = " ".join(words)
    assert extract("Hello", text, f"<p>{text}</p>").code is None
