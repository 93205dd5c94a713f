"""One-time codes and verification links, found without the user reading the mail.

A number or letter-digit token is a code only when a code word (code, OTP, PIN, verification,
Bestätigungscode, código, код, 验证码, 認証コード, 인증 코드...) labels it: shortly before it, or right
after it ("123456 is your code"). The label nearest before a token decides: "Order number 123456" is
not a code even in a mail that also says "verification". Tokens that look like years, prices,
decimals, dates, times, phone numbers or ``#`` references are rejected outright.

HTML is reduced to visible text first (``codes_html``), so CSS colours and script literals never
compete; URLs and e-mail addresses are blanked out so their fragments never look like codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desktop_app.core.codes.html import html_content
from desktop_app.core.codes.links import rank_links
from desktop_app.core.models import Message, MessageSummary

MAX_TEXT_CHARS = 200_000
# How far (in characters of whitespace-collapsed text) a label may be from the token it labels.
LABEL_BEFORE_REACH = 120
LABEL_AFTER_REACH = 40

_CJK_LABELS = (
    "验证码|驗證碼|校验码|校驗碼|动态码|動態碼|认证码|認證碼|确认码|確認碼|动态密码|"
    "認証コード|確認コード|認証番号|確認番号|暗証番号|ワンタイム|セキュリティコード|コード|"
    "인증\\s?코드|인증\\s?번호|확인\\s?코드|보안\\s?코드|코드"
)
# Label search runs on lower-cased text with plain literals first (``re.IGNORECASE`` and leading
# ``\w*`` made it 15x slower), then each hit is widened to its word and checked against the full rule.
_CODE_HINT = re.compile(
    r"code|c[óo]dig|codice|k[óo]d|код|koodi|otp|pin|tan|2fa|mfa|pass|verif|vérif|weryfik|верифик|"
    r"подтвержд|bestätig|confirm|security|sicherheit|authenticat|clave|contraseña|senha|hasło|пароль|"
    r"one[- ]?time|mot de passe|" + _CJK_LABELS
)
_CODE_PHRASE = re.compile(r"one[- ]?time|mot de passe|" + _CJK_LABELS)
_CODE_WORD = re.compile(
    r"\w*codes?|c[óo]digos?|codice|k[óo]d\w*|код\w*|koodi\w*|otp|pin|tan|2fa|mfa|passcodes?|password|"
    r"verif\w*|vérif\w*|weryfik\w*|верифик\w*|подтвержд\w*|bestätig\w*|confirm\w*|security|"
    r"sicherheit\w*|authenticat\w*|clave|contraseña|senha|hasło|пароль\w*"
)
# Words that end in "code" but never label a one-time code.
_NOT_CODE_WORDS = frozenset(
    {"unicode", "barcode", "barcodes", "decode", "decoded", "encode", "encoded", "zipcode", "postcode",
     "qrcode", "opcode", "geocode", "sourcecode", "promocode", "shortcode", "kodak"}
)  # fmt: skip
_OTHER_LABEL = re.compile(  # matched against lower-cased text
    r"\b(?:order|invoice|receipt|ticket|booking|reservation|reference|ref|tracking|shipment|parcel|"
    r"account (?:no|number)|customer (?:no|number|id)|member(?:ship)? (?:no|number|id)|case|"
    r"transaction|ending(?: in)?|last (?:4|four)|"
    r"bestell\w*|rechnung\w*|auftrag\w*|kundennummer|sendung\w*|pedido|factura|commande|facture|"
    r"ordine|fattura|zamówieni\w*|заказ\w*|"
    r"phone|tel|telephone|mobile|call|fax|whatsapp|address|street|avenue|suite|straße|"
    r"zip|postal|post|plz|promo\w*|coupon|voucher|discount|gift|referral|rabatt\w*|gutschein\w*|"
    r"error|status|source|qr|area|country|dress|tax|product|item|sku|model|serial|version|build|"
    r"price|total|amount|subtotal|balance)\b|订单|訂單|注文|주문|#|№"
)
_DIGITS = re.compile(r"(?<![0-9A-Za-z_])(\d{3}[ -]\d{3}|\d{4}-\d{4}|\d{4,8})(?![0-9A-Za-z_])")
_MIXED = re.compile(
    r"(?<![0-9A-Za-z_#\-./@])([A-Z0-9]{1,8}(?:-[A-Z0-9]{1,8}){0,2})(?![0-9A-Za-z_\-@]|[./][0-9A-Za-z])"
)
_NOT_CODES = re.compile(
    r"^(?:UTF-?8|UTF-?16|ISO-?\d+(?:-\d+)*|COVID-?19|SHA-?\d+|MD5|IPV[46]|H26[45]|MP[34]|1080P|720P|"
    r"X86-64|RFC\d+|ES20\d\d|PY3|HTML5|CSS3|WIN32|WIN64|X64|ARM64|A4|A5)$"
)
_URLS = re.compile(r"(?:https?|ftp|mailto|javascript|data|file):\S+|www\.\S+")
# Only runs of two or more blanks, or odd blanks: replacing every single space costs more than the rest.
_BLANKS = re.compile(
    r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u3000]{2,}|[\t\r\f\v\u00a0\u2000-\u200b\u202f\u3000]"
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£¥₹₩₽]|\b(?:USD|EUR|GBP|CHF|Rs\.?|R\$))\s?$", re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"^\s?(?:[$€£¥₹₩₽%]|(?:USD|EUR|GBP|CHF|kr|zł|руб|円|元|원|dollars?|euros?)\b)", re.IGNORECASE
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


@dataclass(frozen=True)
class Extraction:
    """What a mail asks the user to type or click. ``codes``/``links`` hold every candidate, best first."""

    code: str | None = None
    link: str | None = None
    codes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    link_text: str = ""  # the anchor text of ``link``: the prompt warns when it names another site


@dataclass(frozen=True)
class _Label:
    start: int
    end: int
    is_code: bool


def _lower(text: str) -> str:
    """Lower case with every character kept in place (``"İ".lower()`` is two characters)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _blanked_spans(lowered: str) -> list[tuple[int, int]]:
    """URLs and mail addresses: their fragments ("?pin=445566", "user4455@") are never codes."""
    spans = [m.span() for m in _URLS.finditer(lowered)]
    at = lowered.find("@")
    while at != -1:
        start, end = at, at + 1
        while start > 0 and not lowered[start - 1].isspace():
            start -= 1
        while end < len(lowered) and not lowered[end].isspace():
            end += 1
        if "." in lowered[at:end]:
            spans.append((start, end))
        at = lowered.find("@", end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _normalise(text: str) -> tuple[str, str]:
    """Whitespace-collapsed text without URLs and mail addresses, and its lower-cased twin."""
    text = _BLANKS.sub(" ", text[:MAX_TEXT_CHARS])
    text = re.sub(r" ?\n[\n ]*", "\n", text)
    lowered = _lower(text)
    spans = _blanked_spans(lowered)
    if spans:
        bounds = [0] + [i for span in spans for i in span] + [len(text)]
        pieces = list(zip(bounds[::2], bounds[1::2], strict=True))
        text = " ".join(text[a:b] for a, b in pieces)
        lowered = " ".join(lowered[a:b] for a, b in pieces)
    return text, lowered


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _code_labels(lowered: str) -> list[_Label]:
    """Code words ("code", "Bestätigungscode", "验证码"...); "Unicode" and the like come back as others."""
    found: dict[int, _Label] = {}
    for m in _CODE_HINT.finditer(lowered):
        start, end = m.span()
        if _CODE_PHRASE.fullmatch(m.group()):
            found.setdefault(start, _Label(start, end, True))
            continue
        while start > 0 and _is_word_char(lowered[start - 1]):
            start -= 1
        while end < len(lowered) and _is_word_char(lowered[end]):
            end += 1
        word = lowered[start:end]
        if word in _NOT_CODE_WORDS:
            found[start] = _Label(start, end, False)
        elif _CODE_WORD.fullmatch(word):
            found.setdefault(start, _Label(start, end, True))
    return sorted(found.values(), key=lambda label: label.start)


def _labels(lowered: str, code_labels: list[_Label]) -> list[_Label]:
    others = [_Label(m.start(), m.end(), False) for m in _OTHER_LABEL.finditer(lowered)]
    labels = list(others)
    for label in code_labels:
        # "Promo code", "order confirmation", "error code": the word in front says what it really is.
        follows_other = any(o.end <= label.start and label.start - o.end <= 2 for o in others)
        labels.append(_Label(label.start, label.end, label.is_code and not follows_other))
    return sorted(labels, key=lambda label: label.start)


def _looks_like_other_number(text: str, start: int, end: int, token: str) -> bool:
    before, after = text[max(0, start - 6) : start], text[end : end + 8]
    if re.search(r"\d[.,:/\-]$", before) or re.match(r"^[.,:/\-]\d", after):
        return True  # decimals, dates, times, IP addresses, phone number parts
    if re.search(r"[+(]$|\)\s?$|\d{2,}[ ]$", before) or re.match(r"^[ ]\d{3,}", after):
        return True  # "+49 ...", "(555) 1234", "555 123 4567"
    return bool(_CURRENCY_BEFORE.search(before) or _CURRENCY_AFTER.match(after))


def _candidates(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for m in _MIXED.finditer(text):
        token = m.group()
        plain = token.replace("-", "")
        if (
            4 <= len(plain) <= 10
            and re.search(r"[A-Z]", plain)
            and re.search(r"\d", plain)
            and not _NOT_CODES.match(token)
            and not _looks_like_other_number(text, m.start(), m.end(), token)
        ):
            found.append((m.start(), m.end(), token))
    # "G-123456": the digits inside a letter-digit code are not a second, competing code.
    mixed = [(start, end) for start, end, _ in found]
    for m in _DIGITS.finditer(text):
        inside = any(start <= m.start() and m.end() <= end for start, end in mixed)
        if not inside and not _looks_like_other_number(text, m.start(), m.end(), m.group()):
            found.append((m.start(), m.end(), re.sub(r"[ -]", "", m.group())))
    return found


def _score(text: str, start: int, end: int, code: str, labels: list[_Label]) -> int | None:
    """How plausible the token is as a code, or None when no code label claims it."""
    before = [lb for lb in labels if lb.end <= start and start - lb.end <= LABEL_BEFORE_REACH]
    after = [lb for lb in labels if lb.start >= end and lb.start - end <= LABEL_AFTER_REACH]
    if before and before[-1].is_code:
        label, distance, bonus = before[-1], start - before[-1].end, 20
    elif not before and after and after[0].is_code:
        label, distance, bonus = after[0], after[0].start - end, 10
    else:
        return None
    if _YEAR.match(code) and not re.fullmatch(r"[\s:：=\-]*", text[label.end : start]):
        return None  # "valid until 2025" — a year, unless the label points straight at it
    if code.isdigit():
        bonus += 10 if len(code) == 6 else 5
    else:
        bonus += 8
    return 200 - distance + bonus


def _neighbourhoods(code_labels: list[_Label], length: int) -> list[tuple[int, int]]:
    """Stretches of text around code labels: the only places a code can be. Scanning just these keeps
    extraction cheap on the way from "mail arrived" to the notification."""
    reach = LABEL_BEFORE_REACH + LABEL_AFTER_REACH + 24  # + room for the context checks at the edges
    spans: list[tuple[int, int]] = []
    for label in code_labels:
        if not label.is_code:
            continue
        start, end = max(0, label.start - reach), min(length, label.end + LABEL_BEFORE_REACH + 24)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def find_codes(text: str) -> list[str]:
    """Every labelled code in the text, best first."""
    text, lowered = _normalise(text)
    code_labels = _code_labels(lowered)
    scored: dict[str, int] = {}
    for start, end in _neighbourhoods(code_labels, len(text)):
        chunk = text[start:end]
        inside = [
            _Label(lb.start - start, lb.end - start, lb.is_code)
            for lb in code_labels
            if start <= lb.start and lb.end <= end
        ]
        labels = _labels(lowered[start:end], inside)
        for c_start, c_end, code in _candidates(chunk):
            score = _score(chunk, c_start, c_end, code, labels)
            if score is not None and score > scored.get(code, -1):
                scored[code] = score
    return sorted(scored, key=lambda c: -scored[c])


def extract(subject: str, text: str, html: str | None = None) -> Extraction:
    """Find the one-time code and the verification link of a mail (either may be None).

    The plain-text part is tried first; the HTML part is parsed only when the text part yields
    neither a code nor a link (HTML-only mail, or a text part that says "view this in HTML").
    """
    codes = find_codes(f"{subject}\n{text}")
    links = rank_links((), text or "")
    if html and not codes and not links:
        content = html_content(html)
        codes = find_codes(f"{subject}\n{content.text}")
        links = rank_links(content.anchors, text or "")
    urls = tuple(c.url for c in links)
    return Extraction(
        code=codes[0] if codes else None,
        link=urls[0] if urls else None,
        codes=tuple(codes),
        links=urls,
        link_text=links[0].text if links else "",
    )


def extract_from_summary(summary: MessageSummary) -> Extraction:
    """What the list knows before the body arrives: the subject and the service's intro."""
    return extract(summary.subject, summary.intro, None)


def extract_from_message(message: Message) -> Extraction:
    """The whole body: its text part first, its HTML parts when the text yields nothing."""
    return extract(message.summary.subject, message.text, "\n".join(message.html) or None)
