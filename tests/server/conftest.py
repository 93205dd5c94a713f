"""Fixtures for the local mail service: real servers on port 0, raw httpx clients, ready accounts."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from desktop_app.server import LocalMailServer

DOMAIN = "temp-inbox.test"
PASSWORD = "correct horse battery"


@dataclass
class Inbox:
    """An account created over HTTP, with its token."""

    id: str
    address: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def topic(self) -> str:
        return f"/accounts/{self.id}"


@pytest.fixture
async def local_server() -> AsyncIterator[LocalMailServer]:
    """A started in-memory server, rate limit off."""
    async with LocalMailServer(rate_limit=None) as server:
        yield server


@pytest.fixture
async def limited_server() -> AsyncIterator[LocalMailServer]:
    """A started in-memory server with the default 8 req/s rate limit."""
    async with LocalMailServer() as server:
        yield server


@pytest.fixture
async def http(local_server: LocalMailServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=local_server.api_url, timeout=10) as client:
        yield client


async def make_inbox(client: httpx.AsyncClient, local: str | None = None) -> Inbox:
    address = f"{local or 'user-' + secrets.token_hex(4)}@{DOMAIN}"
    created = await client.post("/accounts", json={"address": address, "password": PASSWORD})
    assert created.status_code == 201, created.text
    token = await client.post("/token", json={"address": address.lower(), "password": PASSWORD})
    assert token.status_code == 200, token.text
    return Inbox(id=created.json()["id"], address=address.lower(), token=token.json()["token"])


@pytest.fixture
async def inbox(http: httpx.AsyncClient) -> Inbox:
    return await make_inbox(http)
