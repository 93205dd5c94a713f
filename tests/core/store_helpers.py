"""Builders shared by the store, address and transfer tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop_app.core.api.providers import Provider
from desktop_app.core.models import Address, Message, MessageSummary
from desktop_app.core.store.cache import AddressState, Store

PROVIDER = Provider(id="test", name="Test", api_url="http://127.0.0.1:1", hub_url="http://127.0.0.1:1/hub")
T0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def summary(
    message_id: str,
    *,
    minutes: int = 0,
    subject: str = "Hello",
    sender: str = "alice@example.org",
    name: str = "Alice",
    intro: str = "intro text",
    seen: bool = False,
) -> MessageSummary:
    return MessageSummary(
        id=message_id,
        account_id="acc1",
        sender=Address(sender, name),
        subject=subject,
        intro=intro,
        to=(Address("me@example.org"),),
        seen=seen,
        size=100,
        created_at=T0 + timedelta(minutes=minutes),
        updated_at=T0 + timedelta(minutes=minutes),
    )


def message(message_id: str, **kwargs: object) -> Message:
    return Message(summary=summary(message_id, **kwargs), text="body of " + message_id, html=("<p>hi</p>",))  # type: ignore[arg-type]


def store_with(*addresses: str, path: object = None) -> Store:
    store = Store(path)  # type: ignore[arg-type]
    store.save_provider(PROVIDER)
    for address in addresses:
        store.add_address(address, PROVIDER.id, state=AddressState.ACTIVE, account_id="acc-" + address)
    return store
