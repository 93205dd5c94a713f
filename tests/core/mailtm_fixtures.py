"""Recorded mail.tm payloads (tests/fixtures/mailtm) and a scriptable MockTransport router."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mailtm"

Handler = Callable[[httpx.Request], httpx.Response]


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_response(status: int, name: str, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), **kwargs)


class Router:
    """Maps (method, path) to a queue of responses; records every request it sees."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Handler | httpx.Response]] = {}
        self.requests: list[httpx.Request] = []

    def add(self, method: str, path: str, *responses: Handler | httpx.Response) -> None:
        self.routes.setdefault((method, path), []).extend(responses)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(404, json={"hydra:description": "Not Found"})
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        return item(request) if callable(item) else item

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]
