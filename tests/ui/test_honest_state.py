"""Honest, visible state: the offline banner (countdown, Retry now), and wording that says what
happened — logged in vs created, not "Deleted" before the service deleted, no doubled state words,
no "127.0.0.1:34031 has no password reset"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app.core import errors
from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import custom_provider, local_provider
from desktop_app.core.events import ConnectionState
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import Store
from desktop_app.ui.controller import AppSignals
from desktop_app.ui.dialogs import NewAddressDialog
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.style import state_description
from tests.core.test_secrets import DictKeyring
from tests.ui.fakes import FakeController, make_summary
from tests.ui.test_app_glue import settled
from tests.ui.windows import shown_window

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

A1, A2 = "quiet.otter@example.com", "brisk.heron@mail.test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_banner_counts_down_to_the_next_attempt_and_retries_now(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.add_address(A2, "", state_kind="live", state_text="live")
    window = shown_window(qtbot, fake)
    banner = window.connection_banner
    clock = Clock()
    banner._clock = clock
    assert window.current_address() == A1 and banner.isHidden()

    fake.signals.connection_changed.emit(A1, ConnectionState("retrying", "server error 502", 23.0))
    assert banner.isVisible()
    assert banner.detail.text() == "Server error 502"
    assert banner.seconds_shown() == 23
    clock.now += 10.2
    qtbot.waitUntil(lambda: banner.seconds_shown() == 13, timeout=30_000)  # the countdown ticks

    qtbot.mouseClick(banner.retry_button, Qt.MouseButton.LeftButton)
    assert fake.called("retry_now") == [(A1,)]
    assert not banner.retry_button.isEnabled() and banner.countdown.text() == "Reconnecting…"

    fake.signals.connection_changed.emit(A1, ConnectionState("live"))
    assert banner.isHidden()


def test_the_banner_belongs_to_the_address_on_show(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.add_address(A2, "", state_kind="failed", state_text="wrong password")
    window = shown_window(qtbot, fake)
    banner = window.connection_banner
    fake.signals.connection_changed.emit(A2, ConnectionState("retrying", "connection lost", 5.0))
    assert banner.isHidden()  # A1 is on show and live
    window.select_address(A2)
    assert banner.isVisible() and banner.detail.text() == "Connection lost"
    window.select_address(A1)
    assert banner.isHidden()


def test_a_cached_only_address_says_so_without_a_useless_retry(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="offline", state_text="cached mail only")
    window = shown_window(qtbot, fake)
    banner = window.connection_banner
    assert banner.isVisible() and not banner.retry_button.isVisible()
    assert "saved on this computer" in banner.detail.text()
    assert window.state_label.text() == "Offline: cached mail only"


@pytest.mark.parametrize(
    ("kind", "text", "shown"),
    [
        ("offline", "offline (cached)", "Offline (cached)"),
        ("offline", "cached mail only", "Offline: cached mail only"),
        ("retrying", "retrying in 4 s (server error 502)", "Reconnecting (server error 502)"),
        ("retrying", "retrying in 4 s", "Reconnecting"),
        (
            "failed",
            "failed: the live service refused the login",
            "Offline: the live service refused the login",
        ),
        ("live", "live", "Live"),
    ],
)
def test_state_words_are_not_said_twice(kind: str, text: str, shown: str) -> None:
    assert state_description(kind, text) == shown


def test_an_offline_delete_does_not_say_deleted(qtbot: QtBot) -> None:
    fake = FakeController(AppSignals())
    fake.add_address(A1, "Shop", state_kind="live", state_text="live")
    fake.messages[A1] = [make_summary(1, subject="Keep me")]
    window = shown_window(qtbot, fake)
    window.list_view.setCurrentIndex(window.model.index(0, 0))
    window.delete_current_message()
    assert "Deleted" not in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage() == "Deleting “Keep me”…"


def test_the_password_note_is_right_for_any_provider(qtbot: QtBot) -> None:
    dialog = NewAddressDialog("pw", lambda _t: None, providers=[custom_provider("http://127.0.0.1:34031")])
    qtbot.addWidget(dialog)
    notes = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "127.0.0.1:34031 has no password reset" not in notes
    assert "no password reset" in notes
    assert dialog.windowTitle() == "New address on 127.0.0.1:34031"


@pytest.fixture(name="inbox")
def inbox_fixture() -> Iterator[Inbox]:
    store = Store(None)  # nothing listens on port 9: these tests never reach the network
    inbox = Inbox(
        store, PasswordVault(DictKeyring()), local_provider("http://127.0.0.1:9", "http://127.0.0.1:9")
    )
    yield inbox
    store.close()


class _Record:
    address = "found@temp-inbox.test"


async def test_logging_in_says_logged_in_and_creating_says_created(qtbot: QtBot, inbox: Inbox) -> None:
    controller = InboxController(inbox, AppSignals())
    said: list[str] = []
    controller.signals.status.connect(said.append)

    async def done(*_args: Any, **_kwargs: Any) -> _Record:
        return _Record()

    inbox.login_address = done  # type: ignore[method-assign]
    inbox.create_address = done  # type: ignore[method-assign]
    try:
        controller.login_address("found@temp-inbox.test", "pw", "")
        await settled(controller.tasks)
        controller.create_address(None, None, "", "pw")
        await settled(controller.tasks)
        assert said == [
            "Logged in to found@temp-inbox.test and copied it to the clipboard.",
            "Created found@temp-inbox.test and copied it to the clipboard.",
        ]
    finally:
        controller.close()


async def test_a_failed_delete_says_it_was_not_deleted(qtbot: QtBot, inbox: Inbox) -> None:
    controller = InboxController(inbox, AppSignals())
    said: list[str] = []
    errors_seen: list[str] = []
    controller.signals.status.connect(said.append)
    controller.signals.error.connect(errors_seen.append)

    async def offline(*_args: Any) -> None:
        await asyncio.sleep(0)
        raise errors.NetworkError()

    inbox.delete_message = offline  # type: ignore[method-assign]
    try:
        controller.delete_message(A1, "m1")
        await settled(controller.tasks)
        assert said == []
        assert errors_seen and errors_seen[0].startswith("The message was not deleted: Cannot reach")
    finally:
        controller.close()
