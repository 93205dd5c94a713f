"""The whole address life cycle with the real Secret Service (gnome-keyring on a private D-Bus session)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.core.secret_service import needs_gnome_keyring, run_with_secret_service

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from desktop_app.core.accounts.book import AddressBook
    from desktop_app.core.api.client import MailTmClient
    from desktop_app.core.api.providers import local_provider
    from desktop_app.core.accounts.secrets import PasswordVault
    from desktop_app.core.store.cache import Store
    from desktop_app.server import LocalMailServer

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


@needs_gnome_keyring
def test_create_restart_delete_with_the_real_secret_service(tmp_path: Path) -> None:
    result = run_with_secret_service(tmp_path, SCRIPT, str(tmp_path / "cache.sqlite3"))
    assert result == {
        "keyring_has_password": True,
        "db_has_no_password": True,
        "reopened_login": True,
        "after_delete": [None, []],
    }
