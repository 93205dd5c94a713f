"""The fake controller the widget tests use, the real one and the ``AppController`` protocol agree on
every command's parameters: a widget test must not pass on a call the real app would refuse."""

from __future__ import annotations

import inspect

import pytest

from desktop_app.ui.controller import AppController
from desktop_app.ui.inbox_controller import InboxController
from tests.ui.fakes import FakeController

METHODS = sorted(
    name for name, value in vars(AppController).items() if callable(value) and not name.startswith("_")
)


def _parameters(cls: type, name: str) -> list[tuple[str, object, object]]:
    signature = inspect.signature(getattr(cls, name))
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]


def test_the_protocol_has_commands() -> None:
    assert {"create_address", "login_address", "request_domains", "add_provider", "providers"} <= set(METHODS)


@pytest.mark.parametrize("implementation", [InboxController, FakeController])
@pytest.mark.parametrize("name", METHODS)
def test_each_controller_takes_what_the_protocol_says(implementation: type, name: str) -> None:
    assert _parameters(implementation, name) == _parameters(AppController, name)
