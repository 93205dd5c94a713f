"""Finding the verification / magic / reset link of a mail.

Only ``http`` and ``https`` links are ever returned (never ``javascript:``, ``data:``, ``file:``...).
A link must say what it is for, in its anchor text or in its URL, to be returned at all: "the first
link in the mail" is usually a logo or a "view in browser" link, and a wrong link is worse than none.
Obvious redirect wrappers (``?url=https://...``) are unwrapped and ``utm_*`` parameters dropped; the
rest of the URL is kept byte for byte, because signed links break when their query is re-encoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from desktop_app.core.codes.html import Anchor
from desktop_app.core.sealed import domain_in_text, same_site

_URL_IN_TEXT = re.compile(r"""https?://[^\s<>"'`\u00a0\u200b]+""", re.IGNORECASE)
_TRAILING = ".,;:!?'\"»”’>"

_PURPOSE = re.compile(
    r"verif|confirm|activat|magic|log[-_ ]?in|sign[-_ ]?in|signin|reset|validat|authori[sz]|"
    r"passwordless|one[-_ ]?click|otp|"
    r"bestätig|bestaetig|aktivier|anmeld|verifizier|best%C3%A4tig|"
    r"confirmar|verificar|activar|iniciar sesi|vérifi|verifi|confirmer|activer|connexion|"
    r"conferma|verifica|attiva|accedi|potwierd|aktywuj|weryfik|zaloguj|bevestig|inloggen|"
    r"подтверд|актив|войти|вход|确认|验证|激活|登录|確認|認証|ログイン|有効化|인증|확인|로그인",
    re.IGNORECASE,
)
_NOT_IT = re.compile(
    r"unsubscribe|abmelden|abbestell|désabonn|desuscrib|darse de baja|disiscriv|opt[-_]?out|"
    r"preferences|privacy|datenschutz|terms|legal|impressum|/help|support|faq|feedback|"
    r"view[-_ ]?(?:it[-_ ]?)?(?:in|online|browser)|webversion|"
    r"(?://|\.)(?:facebook|twitter|x|instagram|linkedin|youtube|tiktok)\.com\b|apps\.apple\.|play\.google\.|"
    r"wasn.?t[-_ ]you|not[-_ ]you|"
    r"report|cancel",
    re.IGNORECASE,
)
# Query parameters that carry the real destination of a click-tracking redirect.
_WRAPPER_KEYS = frozenset({"url", "u", "q", "target", "dest", "destination", "link", "redirect", "to"})
# Labels that end a registrable name ("paypal.com"): inside a longer host ("paypal.com.evil.example")
# they are the shape of a look-alike, not of a subdomain.
_GENERIC_TLDS = frozenset({"com", "net", "org", "info", "biz", "gov", "edu", "io", "co", "app", "dev"})
# A long opaque path or query segment: the shape of a single-use token.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-.%]{24,}")


@dataclass(frozen=True)
class LinkCandidate:
    url: str
    text: str
    score: int
    position: int


def _clean_text_url(url: str) -> str:
    url = url.rstrip(_TRAILING)
    # A closing parenthesis belongs to the URL only if the URL opened one (Wikipedia-style links).
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_TRAILING)
    return url


def _is_web(url: str) -> bool:
    scheme = url.split(":", 1)[0].strip().lower()
    return scheme in {"http", "https"} and "://" in url[:10]


def _unwrap(url: str, depth: int = 0) -> str:
    """Follow ``?url=https://...`` style redirect wrappers whose own URL says nothing."""
    if depth > 3:
        return url
    parts = urlsplit(url)
    pairs = [p for p in parts.query.split("&") if p]
    for index, pair in enumerate(pairs):
        key, _, value = pair.partition("=")
        if key.lower() not in _WRAPPER_KEYS:
            continue
        inner = unquote(value).strip()
        if not _is_web(inner):
            continue
        outer = urlunsplit(parts._replace(query="&".join(pairs[:index] + pairs[index + 1 :])))
        if _PURPOSE.search(outer) or "token" in outer.lower():
            return url  # the outer link is itself the login/verify link; the parameter is a return URL
        return _unwrap(inner, depth + 1)
    return url


def _without_utm(url: str) -> str:
    parts = urlsplit(url)
    if "utm_" not in parts.query:
        return url
    kept = [p for p in parts.query.split("&") if p and not p.lower().startswith("utm_")]
    return urlunsplit(parts._replace(query="&".join(kept)))


def normalise_link(url: str) -> str | None:
    """The link as we would hand it to a browser, or None if it is not an http(s) link."""
    url = url.strip()
    if not _is_web(url):
        return None
    try:
        url = _without_utm(_unwrap(url))
    except ValueError:  # urlsplit refuses e.g. "https://[login": an unparsable URL is not a link
        return None
    return url if _is_web(url) else None


def _looks_alike(host: str) -> bool:
    """``paypal.com.account-verify.example``: a whole other domain at the front of the host. A second
    level like ``co.uk`` / ``com.au`` (a generic label right before a two-letter country) is fine."""
    labels = host.lower().rstrip(".").split(".")
    for index, label in enumerate(labels[:-1]):
        if label not in _GENERIC_TLDS or index == 0:
            continue
        country_second_level = index == len(labels) - 2 and len(labels[-1]) == 2
        if not country_second_level:
            return True
    return False


def _deceptive(url: str, text: str) -> bool:
    """Never a verification link: its text names another site than it goes to, or its host imitates
    another site. The prompt would warn about it; the "Open link…" bar must not vouch for it."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return True
    shown = domain_in_text(text)
    return (bool(shown) and not same_site(shown or "", host)) or _looks_alike(host)


def _score(url: str, text: str) -> int:
    score = 0
    if _PURPOSE.search(text):
        score += 4
    if _PURPOSE.search(url):
        score += 3
    if score and _TOKEN_SHAPE.search(url.split("://", 1)[-1]):
        score += 1
    if _NOT_IT.search(text) or _NOT_IT.search(url):
        score -= 100  # an unsubscribe link that says "confirm" is still an unsubscribe link
    return score


def rank_links(anchors: Iterable[Anchor], text: str) -> list[LinkCandidate]:
    """Purpose-revealing links, best first; links from anchors come before bare URLs in the text."""
    seen: set[str] = set()
    found: list[LinkCandidate] = []
    raw: list[tuple[str, str]] = [(a.href, a.text) for a in anchors]
    raw += [(_clean_text_url(m.group()), "") for m in _URL_IN_TEXT.finditer(text)]
    for position, (href, label) in enumerate(raw):
        url = normalise_link(href)
        if url is None or url in seen:
            continue
        seen.add(url)
        if _deceptive(url, label) or (url != href.strip() and _deceptive(href.strip(), label)):
            continue
        score = _score(url, label)
        if score > 0:
            found.append(LinkCandidate(url, label, score, position))
    found.sort(key=lambda c: (-c.score, c.position))
    return found
