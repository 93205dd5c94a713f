"""The whole address life cycle with the real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, subprocess, sys
    from pathlib import Path
    from desktop_app.core.addresses import AddressBook
    from desktop_app.core.api import MailTmClient
    from desktop_app.core.providers import local_provider
    from desktop_app.core.secrets import PasswordVault
    from desktop_app.core.store import Store
    from desktop_app.server import LocalMailServer

    def lookup(user):
        done = subprocess.run(["secret-tool", "lookup", "service", "Temp Inbox", "username", user],
                              capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else None

    async def main():
        out = {}
        store_file = Path(sys.argv[1])
        async with LocalMailServer(rate_limit=None) as server:
            provider = local_provider(server.api_url, server.hub_url)
            service = MailTmClient(server.api_url)
            with Store(store_file) as store:
                opened = await AddressBook(store, PasswordVault(), lambda p: service).create(provider)
                address = opened.record.address
                out["keyring_has_password"] = lookup(f"local:{address}") == opened.client.password
                cache_bytes = b"".join(p.read_bytes() for p in store_file.parent.glob(store_file.name + "*"))
                out["db_has_no_password"] = address.encode() in cache_bytes and (
                    opened.client.password.encode() not in cache_bytes)
            # "Restart": a new store and vault find the address and its password again.
            with Store(store_file) as store:
                book = AddressBook(store, PasswordVault(), lambda p: service)
                client = await book.open(address)
                out["reopened_login"] = (await client.me()).address == address
                await book.delete(address, confirm=True)
                out["after_delete"] = [lookup(f"local:{address}"), store.list_addresses()]
            await service.aclose()
        print(json.dumps(out))

    asyncio.run(main())
    """
)


@pytest.mark.skipif(shutil.which("gnome-keyring-daemon") is None, reason="gnome-keyring is not installed")
def test_create_restart_delete_with_the_real_secret_service(tmp_path: Path) -> None:
    script = tmp_path / "lifecycle.py"
    script.write_text(SCRIPT)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    shell = (
        "echo -n test-login | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
        f'exec "{sys.executable}" "{script}" "{tmp_path / "cache.sqlite3"}"'
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "keyring_has_password": True,
        "db_has_no_password": True,
        "reopened_login": True,
        "after_delete": [None, []],
    }
