"""What the sealed HTML view may load, and how it prepares a message body: plain functions, no Qt.

The view (``desktop_app/ui/sealed_view.py``) turns each Chromium request into a small
:class:`ResourceRequest` and asks :func:`decide_request`; it never decides anything itself, so
every rule here is unit-tested without a browser.

Policy (the layers, outermost first):
1. A message body is served from our own scheme (:data:`MAIL_SCHEME`) under a random per-display
   token as host; it may load only its *own* inline (``cid:``) parts, as images, CSS or fonts.
2. Every other request is blocked and, when it would have left the machine, counted per host for
   the "remote content blocked" bar.
3. "Load remote content" (per message, never persisted) allows plain ``http``/``https`` *images,
   stylesheets and fonts* only — what a newsletter needs to look right. Never scripts (JavaScript
   stays off anyway), frames, objects, media, prefetches, pings, XHR or web sockets.
4. Belt and braces: the body also carries a strict Content-Security-Policy (as a response header
   and as the first ``<meta>`` in the document). It still lists ``http:``/``https:`` for images,
   CSS and fonts on purpose: a request refused by CSP never reaches the interceptor and could not
   be counted in the bar; the interceptor is the layer that blocks those.
5. ``<link>``, ``<meta>`` and ``<base>`` elements of the message are neutralised (renamed) before
   rendering: ``<link rel=preconnect>`` opens a TCP connection that neither the request
   interceptor nor CSP ever sees (measured), ``<meta http-equiv=refresh>`` navigates and
   ``<base>`` re-targets relative URLs. Remote stylesheets in ``<link>`` therefore never load, even
   after "Load remote content"; ``@import`` and ``url()`` in ``<style>`` do.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

MAIL_SCHEME = "tempinbox-mail"
WEB_SCHEMES = frozenset({"http", "https"})


class ResourceKind(enum.Enum):
    DOCUMENT = "document"
    FRAME = "frame"
    SCRIPT = "script"
    STYLESHEET = "stylesheet"
    IMAGE = "image"
    FONT = "font"
    MEDIA = "media"
    OBJECT = "object"
    WORKER = "worker"
    PREFETCH = "prefetch"
    PING = "ping"
    FETCH = "fetch"
    WEBSOCKET = "websocket"
    OTHER = "other"


# Every member of QWebEngineUrlRequestInfo.ResourceType, by name. A test fails when Qt adds one we
# have not placed, so a new kind of request is never silently treated like an old one.
QT_RESOURCE_KINDS: Mapping[str, ResourceKind] = {
    "ResourceTypeMainFrame": ResourceKind.DOCUMENT,
    "ResourceTypeSubFrame": ResourceKind.FRAME,
    "ResourceTypeStylesheet": ResourceKind.STYLESHEET,
    "ResourceTypeScript": ResourceKind.SCRIPT,
    "ResourceTypeImage": ResourceKind.IMAGE,
    "ResourceTypeFontResource": ResourceKind.FONT,
    "ResourceTypeSubResource": ResourceKind.OTHER,
    "ResourceTypeObject": ResourceKind.OBJECT,
    "ResourceTypeMedia": ResourceKind.MEDIA,
    "ResourceTypeWorker": ResourceKind.WORKER,
    "ResourceTypeSharedWorker": ResourceKind.WORKER,
    "ResourceTypePrefetch": ResourceKind.PREFETCH,
    "ResourceTypeFavicon": ResourceKind.IMAGE,
    "ResourceTypeXhr": ResourceKind.FETCH,
    "ResourceTypePing": ResourceKind.PING,
    "ResourceTypeServiceWorker": ResourceKind.WORKER,
    "ResourceTypeCspReport": ResourceKind.PING,
    "ResourceTypePluginResource": ResourceKind.OBJECT,
    "ResourceTypeNavigationPreloadMainFrame": ResourceKind.PREFETCH,
    "ResourceTypeNavigationPreloadSubFrame": ResourceKind.PREFETCH,
    "ResourceTypeJson": ResourceKind.FETCH,
    "ResourceTypeWebSocket": ResourceKind.WEBSOCKET,
    "ResourceTypeUnknown": ResourceKind.OTHER,
}

OWN_PART_KINDS = frozenset({ResourceKind.IMAGE, ResourceKind.STYLESHEET, ResourceKind.FONT})
REMOTE_ALLOWANCE_KINDS = frozenset({ResourceKind.IMAGE, ResourceKind.STYLESHEET, ResourceKind.FONT})
DATA_URL_KINDS = frozenset({ResourceKind.IMAGE, ResourceKind.FONT})


@dataclass(frozen=True)
class ResourceRequest:
    scheme: str  # lower case
    host: str  # lower case, "" when the URL has none
    kind: ResourceKind
    page_token: str | None  # host of the page that asked, when that page is one of our messages


@dataclass(frozen=True)
class BlockDecision:
    allow: bool
    # Set when a blocked request would have left the app (or read local files): the bar counts it.
    counted_as: str | None = None


def decide_request(request: ResourceRequest, *, remote_allowed: bool) -> BlockDecision:
    """The single rule for every request a sealed page makes (see the module docstring)."""
    if request.scheme == MAIL_SCHEME:
        own = request.page_token is not None and request.host == request.page_token
        if own and (request.kind is ResourceKind.DOCUMENT or request.kind in OWN_PART_KINDS):
            return BlockDecision(True)
        return BlockDecision(False)
    if request.page_token is None:
        return BlockDecision(False, _label(request))
    if request.scheme == "data":
        return BlockDecision(request.kind in DATA_URL_KINDS)
    if remote_allowed and request.scheme in WEB_SCHEMES and request.kind in REMOTE_ALLOWANCE_KINDS:
        return BlockDecision(True)
    return BlockDecision(False, _label(request))


def _label(request: ResourceRequest) -> str | None:
    if request.scheme in {"about", "blob", "data", MAIL_SCHEME}:
        return None  # never leaves the app
    if request.scheme == "file":
        return "local files"
    return request.host or f"{request.scheme}:"


def blocked_summary(counts: Mapping[str, int], *, max_hosts: int = 3) -> str:
    """ "3 remote resources blocked from tracker.example, cdn.example" — or "" when none were."""
    total = sum(counts.values())
    if total <= 0:
        return ""
    hosts = sorted(counts, key=lambda host: (-counts[host], host))
    shown = ", ".join(hosts[:max_hosts])
    if len(hosts) > max_hosts:
        shown += f" and {len(hosts) - max_hosts} more"
    noun = "resource" if total == 1 else "resources"
    return f"{total} remote {noun} blocked from {shown}"


_CSP_BLOCKED_URL = re.compile(r"^Refused to [a-z ]+ '([^']+)' because it violates", re.IGNORECASE)


def url_refused_by_csp(console_message: str) -> str | None:
    """The URL Chromium names in a console "Refused to load … because it violates the CSP" line.

    Requests CSP stops (frames, objects, …) never reach the request interceptor; this is how the
    view still counts them for the bar."""
    match = _CSP_BLOCKED_URL.match(console_message)
    return match.group(1) if match else None


def content_security_policy() -> str:
    own = f"{MAIL_SCHEME}:"
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "child-src 'none'",
            "worker-src 'none'",
            "connect-src 'none'",
            "media-src 'none'",
            "manifest-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            f"img-src {own} data: http: https:",
            f"style-src 'unsafe-inline' {own} http: https:",
            f"font-src {own} data: http: https:",
        ]
    )


def normalise_content_id(content_id: str) -> str:
    """``<Logo@Example>`` (header form) and ``cid:Logo%40Example`` (URL form) name the same part."""
    value = content_id.strip()
    if value[:4].lower() == "cid:":
        value = value[4:]
    return unquote(value.strip().strip("<>").strip()).lower()


def part_path(content_id: str) -> str:
    return "/cid/" + quote(normalise_content_id(content_id), safe="")


def content_id_from_path(path: str) -> str | None:
    if not path.startswith("/cid/"):
        return None
    return normalise_content_id(unquote(path[len("/cid/") :]))


_NEUTRALISED_TAG = re.compile(r"<(/?)(link|meta|base)(?=[\s/>])", re.IGNORECASE)
_CID_REFERENCE = re.compile(r"(?<=[=\"'(,\s])cid:([^\s\"'()<>\\,]+)", re.IGNORECASE)
_LEADING_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)


def prepare_html(html: str, token: str) -> str:
    """Neutralise ``<link>``/``<meta>``/``<base>``, point ``cid:`` references at our scheme and put
    the CSP ``<meta>`` before any of the message's own markup."""
    body = _NEUTRALISED_TAG.sub(lambda m: f"<{m.group(1)}x-sealed-{m.group(2).lower()}", html)
    body = _CID_REFERENCE.sub(lambda m: f"{MAIL_SCHEME}://{token}{part_path(m.group(1))}", body)
    csp = f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">'
    doctype = _LEADING_DOCTYPE.match(body)
    if doctype:
        return body[: doctype.end()] + csp + body[doctype.end() :]
    return csp + body
