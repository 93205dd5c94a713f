"""Hostile mail sources. Large ones are built in code so the repository stays small."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def encoded_word_bomb(words: int = 30_000) -> bytes:
    """A ~480 kB mail whose Subject is 30,000 RFC 2047 words folded into short lines (issue 9, defect 1):
    ``policy.default`` needs ~6 GB and minutes for it. The HTML refers to a ``cid:`` image so the client
    looks for inline parts."""
    subject = b"\r\n ".join([b"=?utf-8?q?a?="] * words)
    return (
        b"From: a@example.org\r\nSubject: " + subject + b"\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
        b'--b\r\nContent-Type: text/html\r\n\r\n<img src="cid:logo@x">\r\n'
        b"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )


def content_type_bomb(words: int = 30_000) -> bytes:
    """The words as a parameter of the top-level Content-Type, which every MIME walk must read."""
    junk = b"\r\n ".join([b"=?utf-8?b?YQ==?="] * words)
    return (
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b; x=\r\n " + junk + b"\r\n\r\n"
        b"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )


def content_id_bomb(words: int = 30_000) -> bytes:
    """The words in an inner part's Content-ID (a real one follows in the next part)."""
    junk = b"\r\n ".join([b"=?utf-8?q?a?="] * words)
    return (
        b"Content-Type: multipart/related; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: image/png\r\nContent-ID: " + junk + b"\r\n\r\nx\r\n"
        b"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n"
    )


def deep_multipart(depth: int = 2_000) -> bytes:
    opening = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth)
    )
    return opening + b"Content-Type: image/png\r\nContent-ID: <deep@x>\r\n\r\nx\r\n"


def many_parts(count: int = 5_000) -> bytes:
    body = b"".join(
        b"--b\r\nContent-Type: image/png\r\nContent-ID: <p%d@x>\r\n\r\nx\r\n" % i for i in range(count)
    )
    return b"Content-Type: multipart/related; boundary=b\r\n\r\n" + body + b"--b--\r\n"


def files(pattern: str) -> list[Path]:
    return sorted((HERE / "files").glob(pattern))
