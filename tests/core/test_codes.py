"""One-time code extraction: a table of real-looking mails, positives and negatives, several languages."""

from __future__ import annotations

import pytest

from desktop_app.core.codes.extract import extract, find_codes

# (subject, text, html, expected code or None)
CORPUS: list[tuple[str, str, str | None, str | None]] = [
    # --- English positives
    ("Your code", "Your verification code is 482913. It expires in 10 minutes.", None, "482913"),
    ("G-123456 is your Google verification code", "", None, "G-123456"),
    ("Sign in", "Use code K7F-29Q to sign in.\nOrder #12345 shipped.", None, "K7F-29Q"),
    ("", "Your one-time passcode: AB12CD\nDo not share it.", None, "AB12CD"),
    ("Login", "Your OTP is 1234", None, "1234"),
    ("PIN", "Your new PIN: 8841", None, "8841"),
    ("Security", "Here is your security code\n\n  551 903\n\nIt is valid for 15 minutes.", None, "551903"),
    (
        "Confirm",
        "Enter 73920184 to confirm your email address.\nThat is your confirmation code.",
        None,
        "73920184",
    ),
    ("", "123456 is your Instagram code. Don't share it.", None, "123456"),
    ("Your code: 662211", "Hello! Thanks for signing up.", None, "662211"),
    ("Code", "Verification code: 2024", None, "2024"),  # a year only when the label points straight at it
    # --- other languages
    ("Bestätigung", "Ihr Bestätigungscode lautet: 739201", None, "739201"),
    ("Anmeldung", "Dein Code für die Anmeldung: 445566. Bestellnummer 9988776", None, "445566"),
    ("Verificación", "Tu código de verificación es 830417", None, "830417"),
    ("Vérification", "Votre code de vérification : 605123", None, "605123"),
    ("Verifica", "Il tuo codice di verifica è 917364", None, "917364"),
    ("Weryfikacja", "Twój kod weryfikacyjny to 284615", None, "284615"),
    ("Подтверждение", "Ваш код подтверждения: 390571", None, "390571"),
    ("验证", "您的验证码是 582019，5分钟内有效。", None, "582019"),
    ("認証", "認証コード：204817 を入力してください。", None, "204817"),
    ("인증", "인증 코드 [305918]을 입력하세요", None, "305918"),
    ("Código", "Seu código de verificação é 771204", None, "771204"),
    # --- HTML
    (
        "Confirm your account",
        "",
        "<html><head><style>.btn{color:#ff0000;background:#00ff00} td{padding:12px}</style></head>"
        "<body><p>Your verification code</p><table><tr><td style='font-size:32px'>918273</td></tr>"
        "</table><p>Questions? Call 0800 123 4567.</p></body></html>",
        "918273",
    ),
    (
        "Welcome",
        "",
        "<div>Code&nbsp;:&nbsp;<b>4&#55;2918</b></div><script>var pin = 999999;</script>",
        "472918",
    ),
    # --- negatives: numbers that are not codes
    ("Your order", "Your order number is 123456. Total: $49.99", None, None),
    ("Receipt", "Order #558812 — paid €1299 on 12.05.2024", None, None),
    ("Hello", "Call us at +1 (555) 123-4567 or visit us in 2024.", None, None),
    ("Meeting", "See you on 2024-05-12 at 14:30 in room 4521.", None, None),
    ("Offices", "Visit 1600 Amphitheatre Parkway, Mountain View, CA 94043.", None, None),
    ("Sale", "Use promo code SAVE20 for 20% off. Coupon code SUMMER2024.", None, None),
    ("Error", "The server answered with error code 5003. Try again.", None, None),
    ("Newsletter", "We have 25000 subscribers and 1200 new articles since 2019.", None, None),
    ("Code valid", "Your code expires in 2025. Unicode 15.1 supports 149186 characters.", None, None),
    (
        "Style",
        "",
        "<html><head><style>body{color:#123456} .x{width:600px}</style></head><body>"
        "<p style='color:#AB12CD'>Hello there</p><font color='#998877'>Hi</font></body></html>",
        None,
    ),
    ("Invoice", "Invoice 20240511 for your subscription. Reference: AB12CD34", None, None),
    ("Shipping", "Tracking number 9400111899223344. Your order will arrive on 05/14.", None, None),
    ("Zip", "Our office: Main Street 5, 10115 Berlin. Phone 030 1234567.", None, None),
    ("Card", "Your card ending in 4242 was charged 19,99 EUR.", None, None),
    ("Verify", "Please verify your email by clicking the button below.", None, None),
    (
        "Footer",
        "Confirm your email.\nExample Inc., address 1600 Amphitheatre Parkway, Suite 4200",
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("subject", "text", "html", "expected"), CORPUS, ids=[c[0] or c[1][:20] for c in CORPUS]
)
def test_code_corpus(subject: str, text: str, html: str | None, expected: str | None) -> None:
    assert extract(subject, text, html).code == expected


def test_corpus_is_big_and_balanced() -> None:
    assert len(CORPUS) >= 30
    assert sum(1 for c in CORPUS if c[3] is None) >= 12
    assert sum(1 for c in CORPUS if c[3] is not None) >= 18


def test_nearest_label_wins_when_several_numbers_are_labelled() -> None:
    text = "Order number: 887766\nYour verification code: 445511\nCustomer number 223344"
    assert find_codes(text) == ["445511"]


def test_all_candidates_are_listed_best_first() -> None:
    result = extract("Codes", "Your code is 111222. Backup code: 33334444", None)
    assert result.code == "111222"
    assert set(result.codes) == {"111222", "33334444"}


def test_digit_codes_lose_their_grouping_separator() -> None:
    assert extract("", "Your code: 123-456", None).code == "123456"
    assert extract("", "Your code: 123 456", None).code == "123456"


def test_url_and_mail_fragments_never_become_codes() -> None:
    text = "Your code is in this link: https://ex.com/c/998877?pin=445566 or ask pin4455@example.com"
    assert extract("", text, None).code is None


def test_text_part_is_enough_and_html_is_only_parsed_without_it() -> None:
    html = "<p>Your code: 999111</p><a href='https://ex.com/verify/1'>Verify</a>"
    assert extract("", "Your code: 123456", html).code == "123456"  # the text part answered
    assert extract("", "", html) == extract("", "Please see the HTML version.", html)
    assert extract("", "", html).link == "https://ex.com/verify/1"


def test_huge_body_is_cut_not_choked_on() -> None:
    html = "<p>" + "lorem ipsum 12 " * 50_000 + "</p><p>Your code: 123456</p>"
    assert extract("", "", html).code is None  # beyond the bounded prefix we look at
    assert extract("", "", "<p>Your code: 123456</p>" + html).code == "123456"
