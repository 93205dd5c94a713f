from __future__ import annotations

from email.message import EmailMessage

from desktop_app.core.sealed.inline_parts import inline_parts

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def test_cid_image_is_found_and_decoded() -> None:
    message = EmailMessage()
    message["Subject"] = "logo"
    message.set_content("text")
    message.add_alternative('<img src="cid:logo123@x">', subtype="html")
    html = message.get_payload()[1]
    html.add_related(PNG, maintype="image", subtype="png", cid="<logo123@x>")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    parts = inline_parts(message.as_bytes())
    assert parts == {"logo123@x": ("image/png", PNG)}


def test_garbage_never_raises() -> None:
    assert inline_parts(b"\x00\xff garbage\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--") == {}
    assert inline_parts(b"") == {}
