"""A local mail server, its provider, and an AddressBook wired to it (imported by the address tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from desktop_app.core.accounts.book import AddressBook, Checkpoint
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.client import MailTmClient
from desktop_app.core.api.providers import Provider, local_provider
from desktop_app.core.store.cache import Store
from desktop_app.server import LocalMailServer
from tests.core.test_secrets import DictKeyring


@dataclass
class Rig:
    server: LocalMailServer
    provider: Provider
    service: MailTmClient
    store: Store
    keyring: DictKeyring
    vault: PasswordVault
    book: AddressBook

    def new_book(self, *, store: Store | None = None, checkpoint: Checkpoint | None = None) -> AddressBook:
        return AddressBook(
            store or self.store, self.vault, lambda provider: self.service, checkpoint=checkpoint
        )


@pytest.fixture(name="server")
async def server_fixture() -> AsyncIterator[LocalMailServer]:
    async with LocalMailServer(rate_limit=None) as running:
        yield running


@pytest.fixture(name="rig")
async def rig_fixture(server: LocalMailServer) -> AsyncIterator[Rig]:
    provider = local_provider(server.api_url, server.hub_url)
    service = MailTmClient(server.api_url, backoff_base=0.01)
    store = Store(None)
    backend = DictKeyring()
    vault = PasswordVault(backend)
    book = AddressBook(store, vault, lambda p: service)
    yield Rig(server, provider, service, store, backend, vault, book)
    await service.aclose()
    store.close()


async def login_works(server: LocalMailServer, address: str, password: str) -> bool:
    from desktop_app.core.errors import InvalidCredentialsError

    client = MailTmClient(server.api_url)
    try:
        await client.login(address, password)
        return True
    except InvalidCredentialsError:
        return False
    finally:
        await client.aclose()
