"""Block decisions, the bar's text and body preparation, without a browser."""

from __future__ import annotations

import pytest

from desktop_app.core.sealed.html_policy import (
    MAIL_SCHEME,
    BlockDecision,
    ResourceKind,
    ResourceRequest,
    blocked_summary,
    content_id_from_path,
    content_security_policy,
    decide_request,
    normalise_content_id,
    part_path,
    prepare_html,
    url_refused_by_csp,
)

TOKEN = "0123abcd"


def request(scheme: str, host: str, kind: ResourceKind, page: str | None = TOKEN) -> ResourceRequest:
    return ResourceRequest(scheme=scheme, host=host, kind=kind, page_token=page)


@pytest.mark.parametrize(
    "kind", [ResourceKind.DOCUMENT, ResourceKind.IMAGE, ResourceKind.STYLESHEET, ResourceKind.FONT]
)
def test_own_body_and_parts_load(kind: ResourceKind) -> None:
    assert decide_request(request(MAIL_SCHEME, TOKEN, kind), remote_allowed=False) == BlockDecision(True)


@pytest.mark.parametrize(
    "kind", [ResourceKind.FRAME, ResourceKind.SCRIPT, ResourceKind.OBJECT, ResourceKind.FETCH]
)
def test_own_scheme_is_not_for_frames_scripts_or_objects(kind: ResourceKind) -> None:
    assert decide_request(request(MAIL_SCHEME, TOKEN, kind), remote_allowed=True) == BlockDecision(False)


def test_another_messages_parts_are_refused_and_not_counted() -> None:
    decision = decide_request(request(MAIL_SCHEME, "feedbeef", ResourceKind.IMAGE), remote_allowed=True)
    assert decision == BlockDecision(False, None)


@pytest.mark.parametrize("kind", list(ResourceKind))
@pytest.mark.parametrize("scheme", ["http", "https", "ftp", "ws", "wss"])
def test_remote_is_blocked_and_counted_by_default(scheme: str, kind: ResourceKind) -> None:
    decision = decide_request(request(scheme, "tracker.example", kind), remote_allowed=False)
    assert decision == BlockDecision(False, "tracker.example")


@pytest.mark.parametrize("kind", list(ResourceKind))
def test_allowance_covers_web_images_css_fonts_only(kind: ResourceKind) -> None:
    expected = kind in {ResourceKind.IMAGE, ResourceKind.STYLESHEET, ResourceKind.FONT}
    for scheme in ("http", "https"):
        assert decide_request(request(scheme, "cdn.example", kind), remote_allowed=True).allow is expected
    for scheme in ("ftp", "ws", "file"):
        assert not decide_request(request(scheme, "cdn.example", kind), remote_allowed=True).allow


def test_file_urls_are_blocked_and_counted_as_local_files() -> None:
    decision = decide_request(request("file", "", ResourceKind.IMAGE), remote_allowed=True)
    assert decision == BlockDecision(False, "local files")


def test_data_urls_only_for_images_and_fonts() -> None:
    assert decide_request(request("data", "", ResourceKind.IMAGE), remote_allowed=False).allow
    assert decide_request(request("data", "", ResourceKind.FONT), remote_allowed=False).allow
    for kind in (ResourceKind.FRAME, ResourceKind.DOCUMENT, ResourceKind.SCRIPT, ResourceKind.OBJECT):
        assert decide_request(request("data", "", kind), remote_allowed=True) == BlockDecision(False)


def test_requests_from_unknown_pages_get_nothing() -> None:
    for scheme, host in ((MAIL_SCHEME, TOKEN), ("https", "cdn.example"), ("data", "")):
        decision = decide_request(request(scheme, host, ResourceKind.IMAGE, page=None), remote_allowed=True)
        assert not decision.allow


def test_blocked_summary() -> None:
    assert blocked_summary({}) == ""
    assert blocked_summary({"tracker.example": 1}) == "1 remote resource blocked from tracker.example"
    assert (
        blocked_summary({"cdn.example": 1, "tracker.example": 2})
        == "3 remote resources blocked from tracker.example, cdn.example"
    )
    many = {f"h{i}.example": 1 for i in range(5)}
    assert (
        blocked_summary(many)
        == "5 remote resources blocked from h0.example, h1.example, h2.example and 2 more"
    )


def test_url_refused_by_csp() -> None:
    message = (
        "Refused to frame 'http://127.0.0.1:4000/x.html' because it violates the following "
        "Content Security Policy directive: \"frame-src 'none'\"."
    )
    assert url_refused_by_csp(message) == "http://127.0.0.1:4000/x.html"
    assert url_refused_by_csp("Uncaught ReferenceError: x is not defined") is None


def test_content_ids_match_in_header_and_url_form() -> None:
    assert normalise_content_id("<Logo@Example.COM>") == normalise_content_id("logo%40example.com")
    assert normalise_content_id("cid:logo@example.com") == "logo@example.com"
    assert content_id_from_path(part_path("<a b/c@x>")) == "a b/c@x"
    assert content_id_from_path("/body") is None
    assert "/" not in part_path("a/../../b")[len("/cid/") :]


def test_prepare_html_puts_csp_first_and_rewrites_cid() -> None:
    html = '<!DOCTYPE html><html><head><title>x</title></head><body><img src="cid:Logo@x"></body></html>'
    prepared = prepare_html(html, TOKEN)
    assert prepared.startswith('<!DOCTYPE html><meta http-equiv="Content-Security-Policy"')
    assert f'src="{MAIL_SCHEME}://{TOKEN}/cid/logo%40x"' in prepared
    assert content_security_policy() in prepared


def test_prepare_html_neutralises_link_meta_and_base() -> None:
    html = (
        '<link rel=preconnect href="http://t/"><LINK\nREL=dns-prefetch href=//t>'
        '<meta http-equiv="refresh" content="0;url=http://t/">'
        '<base href="http://t/"><link/rel=prefetch href=x>'
    )
    prepared = prepare_html(html, TOKEN)
    lowered = prepared.lower()
    assert "<link" not in lowered
    assert "<base" not in lowered
    assert lowered.count("<meta") == 1  # only our own CSP
    assert "<x-sealed-link" in lowered


def test_prepare_html_leaves_prose_mentioning_tags_alone() -> None:
    assert "&lt;link&gt;" in prepare_html("<p>&lt;link&gt; tags</p>", TOKEN)


def test_csp_forbids_scripts_frames_objects_and_forms() -> None:
    policy = content_security_policy()
    for directive in (
        "default-src 'none'",
        "script-src 'none'",
        "frame-src 'none'",
        "object-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "connect-src 'none'",
    ):
        assert directive in policy
