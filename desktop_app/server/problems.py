"""Error bodies as mail.tm sends them (reference §4): Lexik 401s, Hydra errors, ConstraintViolationLists.

Hydra errors carry the API Platform 2.x keys and the 3.x RFC 7807 keys side by side, so clients of
either era find what they read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JsonDict = dict[str, Any]

_STATUS_TEXT = {
    400: "Bad Request",
    403: "Access Denied.",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}


def lexik_error(message: str) -> JsonDict:
    return {"code": 401, "message": message}


def hydra_error(status: int, description: str | None = None, *, ld: bool) -> JsonDict:
    """API Platform error with the 2.x Hydra keys and the 3.x RFC 7807 keys side by side."""
    detail = description or _STATUS_TEXT.get(status, "An error occurred")
    problem: JsonDict = {
        "title": "An error occurred",
        "detail": detail,
        "status": status,
        "type": f"/errors/{status}",
    }
    if not ld:
        return problem
    return {
        "@context": "/contexts/Error",
        "@id": "/errors",
        "@type": "hydra:Error",
        **problem,
        "hydra:title": "An error occurred",
        "hydra:description": detail,
    }


VIOLATION_CODES = {
    "This value is already used.": "23bd9dbf-6b9b-41cd-a99e-4844bcf3077f",
    "This value is not a valid email address.": "bd79c0ab-ddba-46cc-a703-a7a4b08de310",
    "This value should not be blank.": "c1051bb4-d103-4f74-8988-acbcafc7fdc3",
}


def violations_error(violations: Sequence[tuple[str, str]], *, ld: bool) -> JsonDict:
    items = [
        {"propertyPath": path, "message": message, "code": VIOLATION_CODES.get(message, "")}
        for path, message in violations
    ]
    detail = "\n".join(f"{path}: {message}" for path, message in violations)
    first_code = items[0]["code"] if items else ""
    problem: JsonDict = {
        "title": "An error occurred",
        "detail": detail,
        "status": 422,
        "type": f"/validation_errors/{first_code}",
        "violations": items,
    }
    if not ld:
        return {**problem, "type": "https://tools.ietf.org/html/rfc2616#section-10"}
    return {
        "@context": "/contexts/ConstraintViolationList",
        "@type": "ConstraintViolationList",
        "hydra:title": "An error occurred",
        "hydra:description": detail,
        **problem,
    }
