"""HS512 JWTs shaped like mail.tm's (reference §2.2: no ``exp``) and password hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any

_HEADER = {"typ": "JWT", "alg": "HS512"}
_PBKDF2_ROUNDS = 20_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _unb64(text: str) -> bytes:
    """Strict base64url without padding (RFC 7515 §2): a "=", a character outside the alphabet or
    unused trailing bits make the text invalid, so one signature has exactly one spelling."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("non-canonical base64url")
    return data


class TokenSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, account_id: str, address: str) -> str:
        claims = {
            "iat": int(time.time()),
            "roles": ["ROLE_USER"],
            "address": address,
            "id": account_id,
            "mercure": {"subscribe": [f"/accounts/{account_id}"]},
        }
        head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signature = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha512).digest()
        return f"{head}.{body}.{_b64(signature)}"

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of a well-formed token signed with our secret, else None."""
        parts = token.strip().split(".")
        if len(parts) != 3:
            return None
        head, body, signature = parts
        expected = hmac.new(self._secret, f"{head}.{body}".encode(), hashlib.sha512).digest()
        try:
            if not hmac.compare_digest(expected, _unb64(signature)):
                return None
            header = json.loads(_unb64(head))
            claims = json.loads(_unb64(body))
        except (ValueError, TypeError):
            return None
        if not isinstance(header, dict) or header.get("alg") != "HS512" or not isinstance(claims, dict):
            return None
        if not isinstance(claims.get("id"), str):
            return None
        return claims


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; None when absent or empty."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, rounds, salt, digest = stored.split("$")
        candidate = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    except ValueError:
        return False
    return hmac.compare_digest(candidate.hex(), digest)
