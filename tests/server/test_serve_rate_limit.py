"""``temp-inbox serve`` has no rate limit unless asked: on loopback mail.tm's 8/s fails working clients."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server.test_serve_cli import _start

BURST = 40  # well past mail.tm's 8 requests per second, sent as fast as loopback allows


def _statuses(api: str) -> list[int]:
    with httpx.Client(base_url=api, timeout=30) as http:
        return [http.get("/domains").status_code for _ in range(BURST)]


@pytest.mark.parametrize("options", [(), ("--no-rate-limit",)])
def test_serve_answers_a_burst_without_429_by_default(options: tuple[str, ...]) -> None:
    process, endpoints = _start(None, *options)
    try:
        assert set(_statuses(endpoints["api"])) == {200}
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)


def test_rate_limit_n_gives_mailtms_429() -> None:
    process, endpoints = _start(None, "--rate-limit", "8")
    try:
        statuses = _statuses(endpoints["api"])
        assert 429 in statuses and statuses[:8] == [200] * 8
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=15)


@pytest.mark.parametrize("bad", [("--rate-limit", "0"), ("--rate-limit", "8", "--no-rate-limit")])
def test_contradictory_or_zero_limits_are_usage_errors(bad: tuple[str, ...]) -> None:
    from desktop_app.server.cli import _parser

    with pytest.raises(SystemExit):
        _parser().parse_args(list(bad))


def test_the_server_the_app_embeds_has_no_rate_limit_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked of the server itself (a burst alone passes with any limit above it, or on a slow machine)."""
    import desktop_app.server
    from desktop_app.app import start_local_server

    made: list[dict[str, Any]] = []
    real = desktop_app.server.BackgroundMailServer

    def recording(**kwargs: Any) -> desktop_app.server.BackgroundMailServer:
        made.append(kwargs)
        return real(**kwargs)

    # As start_local_server imports it, at its call.
    monkeypatch.setattr(desktop_app.server, "BackgroundMailServer", recording)
    local_server = start_local_server(tmp_path, smtp_port=0)  # not the machine's shared 2525
    try:
        assert made and all(kwargs.get("rate_limit", "its default") is None for kwargs in made), made
        assert set(_statuses(local_server.api_url)) == {200}  # and it behaves so
    finally:
        local_server.stop()
