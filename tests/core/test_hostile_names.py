"""Hostile file names and address exports (issue 9, defect 10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.accounts.transfer import FORMAT, import_addresses
from desktop_app.core.errors import SecretsError, UsageError
from desktop_app.core.sealed.filenames import assess_filename, sanitize_filename
from desktop_app.core.store.cache import Store
from tests.core.test_secrets import DictKeyring


@pytest.mark.parametrize("name", ["\ud800.pdf", "a\udfffb.txt", "\ud83d", "x" * 300 + "\ud800" * 40 + ".pdf"])
def test_lone_surrogates_are_replaced(name: str) -> None:
    safe = sanitize_filename(name)
    safe.encode("utf-8")  # would raise with a surrogate left in
    assert safe and len(safe.encode("utf-8")) <= 200


@pytest.mark.parametrize(
    "name",
    [
        "CON .txt", "con", "CON.tar.gz", "COM¹", "com².txt", "LPT³", "COM0", "lpt0.doc",
        "CONIN$", "conout$.log", "CLOCK$", "clock$.txt", "nul .", "AUX  .txt",
    ],
)  # fmt: skip
def test_windows_device_names_are_defused(name: str) -> None:
    assert sanitize_filename(name).startswith("_")


@pytest.mark.parametrize("name", ["console.txt", "com10.txt", "common.pdf", "clock.txt", "nullable.csv"])
def test_names_that_merely_start_like_devices_are_kept(name: str) -> None:
    assert sanitize_filename(name) == name


@pytest.mark.parametrize(
    "name",
    ["page.html", "page.HTM", "logo.svg", "report.docm", "sheet.xlsm", "deck.pptm", "help.chm",
     "console.msc", "setup.dmg", "setup.pkg", "tool.py", "script.pl", "invoice.pdf.html"],
)  # fmt: skip
def test_script_carrying_types_are_flagged(name: str) -> None:
    assert assess_filename(name).risky


@pytest.mark.parametrize("name", ["report.pdf", "photo.jpg", "notes.txt", "sheet.xlsx", "letter.docx"])
def test_plain_documents_are_not_flagged(name: str) -> None:
    assert not assess_filename(name).risky


def _entry(address: str, **extra: object) -> dict[str, object]:
    return {
        "address": address,
        "provider": {
            "id": "x",
            "api_url": "https://api.example.org",
            "hub_url": "https://api.example.org/hub",
        },
        **extra,
    }


def _write(path: Path, entries: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "addresses": entries}))
    return path


class BreaksOnSecond(DictKeyring):
    """Saves the first password, then fails (a keyring locked halfway through an import)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.entries:
            raise RuntimeError("keyring locked")
        super().set_password(service, username, password)


async def test_an_import_failing_halfway_changes_nothing(tmp_path: Path) -> None:
    target = _write(
        tmp_path / "in.json",
        [_entry("a@example.org", password="pw-a"), _entry("b@example.org", password="pw-b")],
    )
    backend = BreaksOnSecond()
    store = Store(None)
    with pytest.raises(SecretsError):
        await import_addresses(store, PasswordVault(backend), target)
    assert store.list_addresses() == []
    assert backend.entries == {}  # the first password is taken back as well


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_entry("a\ud800@example.org"), "“address”"),
        (_entry("a@example.org", label="x\udfff"), "“label”"),
        (_entry("a@example.org", password="\ud800"), "“password”"),
        (_entry("a@example.org", created="9999-12-31T23:59:59-23:59"), "“created”"),
    ],
)
async def test_undigestible_values_are_refused_before_anything_changes(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    target = _write(tmp_path / "in.json", [_entry("first@example.org"), entry])
    store = Store(None)
    with pytest.raises(UsageError) as caught:
        await import_addresses(store, PasswordVault(DictKeyring()), target)
    assert message in str(caught.value)
    assert store.list_addresses() == []


async def test_deeply_nested_json_is_not_an_export(tmp_path: Path) -> None:
    target = tmp_path / "deep.json"
    target.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(UsageError, match="not a JSON file"):
        await import_addresses(Store(None), PasswordVault(DictKeyring()), target)


@pytest.mark.parametrize(
    "api_url", ["javascript:alert(1)", "file:///etc/passwd", "https://[", "http://h:99999"]
)
async def test_a_local_provider_id_does_not_skip_the_url_check(tmp_path: Path, api_url: str) -> None:
    entry = _entry("a@example.org")
    entry["provider"] = {
        "id": "local",
        "api_url": api_url,
        "hub_url": "http://127.0.0.1:1/.well-known/mercure",
    }
    target = _write(tmp_path / "in.json", [entry])
    store = Store(None)
    with pytest.raises(UsageError, match="The API URL must be"):
        await import_addresses(store, PasswordVault(DictKeyring()), target)
    assert store.list_addresses() == [] and store.get_provider("local") is None
