"""A custom provider's SMTP endpoint for delivery probes: parsed, stored, and absent from old caches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.cli import parse
from desktop_app.core.api.providers import custom_provider, format_smtp, parse_smtp
from desktop_app.core.errors import UsageError
from desktop_app.core.store.cache import Store
from desktop_app.core.store.schema import MIGRATIONS, SCHEMA_VERSION


@pytest.mark.parametrize(
    ("text", "endpoint"),
    [
        ("127.0.0.1:2525", ("127.0.0.1", 2525)),
        (" localhost:25 ", ("localhost", 25)),
        ("mail.example.org:587", ("mail.example.org", 587)),
        ("[::1]:2525", ("::1", 2525)),
        ("none", None),
        ("", None),
    ],
)
def test_smtp_endpoints_parse_and_read_back(text: str, endpoint: tuple[str, int] | None) -> None:
    assert parse_smtp(text) == endpoint
    assert parse_smtp(format_smtp(endpoint)) == endpoint


@pytest.mark.parametrize(
    "bad", ["127.0.0.1", "host:", ":25", "host:0", "host:65536", "host:x", "::1:25", "a b:25", "smtp://h:25"]
)
def test_bad_smtp_endpoints_say_what_to_give(bad: str) -> None:
    with pytest.raises(
        UsageError, match=r"is not an SMTP endpoint: give host:port, for example 127\.0\.0\.1:2525"
    ):
        parse_smtp(bad)


def test_the_cli_checks_smtp_before_anything_runs(capsys: pytest.CaptureFixture[str]) -> None:
    options = parse(["providers", "add", "http://127.0.0.1:8025", "--smtp", "127.0.0.1:2525"])
    assert options.args["smtp"] == "127.0.0.1:2525"
    assert parse(["providers", "add", "http://127.0.0.1:8025", "--smtp", "NONE"]).args["smtp"] == "none"
    assert parse(["providers", "add", "http://127.0.0.1:8025"]).args["smtp"] is None
    with pytest.raises(SystemExit) as exited:
        parse(["providers", "add", "http://127.0.0.1:8025", "--smtp", "127.0.0.1"])
    assert exited.value.code == 2
    assert "'127.0.0.1' is not an SMTP endpoint: give host:port" in capsys.readouterr().err


def test_the_smtp_is_stored_with_the_provider_and_survives_a_plain_save(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    provider = custom_provider("http://127.0.0.1:8025")
    store.save_provider(provider)
    store.set_provider_smtp(provider.id, ("127.0.0.1", 2525))
    store.save_provider(provider)  # as making an address on it does: the endpoint stays
    store.close()
    store = Store(tmp_path / "cache.sqlite3")
    assert store.get_provider(provider.id).smtp == ("127.0.0.1", 2525)  # type: ignore[union-attr]
    store.set_provider_smtp(provider.id, None)
    assert store.get_provider(provider.id).smtp is None  # type: ignore[union-attr]
    store.close()


def test_a_cache_from_before_smtp_loads_its_providers_without_one(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for migration in MIGRATIONS[:6]:
        migration(conn)
    conn.execute("PRAGMA user_version = 6")
    conn.execute(
        "INSERT INTO providers (id, name, api_url, hub_url) VALUES "
        "('custom-1', 'old', 'http://127.0.0.1:8025', 'http://127.0.0.1:8025/.well-known/mercure')"
    )
    conn.close()
    store = Store(path)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 7
    (provider,) = store.list_providers()
    assert (provider.id, provider.name, provider.api_url, provider.smtp) == (
        "custom-1",
        "old",
        "http://127.0.0.1:8025",
        None,
    )
    store.close()


def test_a_damaged_stored_smtp_reads_as_none(tmp_path: Path) -> None:
    store = Store(None)
    provider = custom_provider("http://127.0.0.1:8025")
    store.save_provider(provider)
    store._conn.execute("UPDATE providers SET smtp = 'garbage'")
    assert store.get_provider(provider.id).smtp is None  # type: ignore[union-attr]
    store.close()
