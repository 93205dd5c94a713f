"""Session-only addresses (no keyring) are marked in the sidebar, and after a restart the app says
that last session's ones are gone instead of dropping them silently."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from desktop_app.core.accounts.secrets import PasswordVault
from desktop_app.core.api.providers import local_provider
from desktop_app.core.inbox import Inbox
from desktop_app.core.store.cache import AddressState, Store
from desktop_app.ui.address_list import AddressListModel, AddressSidebar
from desktop_app.ui.controller import AddressInfo, AppSignals
from desktop_app.ui.inbox_controller import InboxController
from desktop_app.ui.session_notice import session_only_gone_notice
from tests.core.test_secrets import DictKeyring

A1 = "quiet.otter@example.com"


@pytest.fixture(autouse=True)
def _deleted_later() -> Iterator[None]:
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _row_image(sidebar: AddressSidebar, info: AddressInfo) -> QImage:
    sidebar.model.set_addresses([info])
    option = QStyleOptionViewItem()
    option.initFrom(sidebar.view)
    option.widget = sidebar.view
    size = sidebar.view.itemDelegate().sizeHint(option, sidebar.model.index(0))
    option.rect = sidebar.view.visualRect(sidebar.model.index(0))
    option.rect.setSize(QSize(260, size.height()))
    image = QImage(260, size.height(), QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    sidebar.view.itemDelegate().paint(painter, option, sidebar.model.index(0))
    painter.end()
    return image


def test_a_session_only_address_wears_a_badge(qtbot: QtBot) -> None:
    sidebar = AddressSidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(260, 400)
    kept = AddressInfo(A1, "Shop", state_kind="live", state_text="live")
    fleeting = AddressInfo(A1, "Shop", state_kind="live", state_text="live", session_only=True)
    assert "this session only" in AddressListModel.describe(fleeting)
    assert "this session only" not in AddressListModel.describe(kept)
    # The row is drawn differently (the chip), and only its footer line changes.
    a, b = _row_image(sidebar, kept), _row_image(sidebar, fleeting)
    assert a != b
    line = sidebar.fontMetrics().height()
    top = a.copy(0, 0, 260, 2 * line)
    assert top == b.copy(0, 0, 260, 2 * line)


@pytest.fixture(name="store")
def store_fixture() -> Iterator[Store]:
    store = Store(None)  # nothing listens on port 9: these tests never reach the network
    yield store
    store.close()


@pytest.fixture(name="inbox")
def inbox_fixture(store: Store) -> Inbox:
    return Inbox(
        store, PasswordVault(DictKeyring()), local_provider("http://127.0.0.1:9", "http://127.0.0.1:9")
    )


async def test_the_sidebar_hears_which_addresses_are_session_only(
    qtbot: QtBot, inbox: Inbox, store: Store
) -> None:
    store.add_address(A1, inbox.provider.id, state=AddressState.SESSION_ONLY)
    store.add_address("kept@temp-inbox.test", inbox.provider.id, state=AddressState.ACTIVE)
    controller = InboxController(inbox, AppSignals())
    try:
        flags = {info.address: info.session_only for info in controller.addresses()}
        assert flags == {A1: True, "kept@temp-inbox.test": False}
    finally:
        controller.close()


async def test_a_restart_reports_last_sessions_addresses_as_gone(
    qtbot: QtBot, inbox: Inbox, store: Store
) -> None:
    # Stored as session-only by an earlier run; this run's vault does not hold its password.
    store.add_address(A1, inbox.provider.id, state=AddressState.SESSION_ONLY)
    await inbox.start()
    try:
        assert inbox.gone_session_only == [A1]
        assert store.get_address(A1) is None
        notice = session_only_gone_notice(inbox.gone_session_only)
        assert notice is not None
        assert notice.title == f"Gone after the restart: {A1}"
        assert notice.body.startswith("It was kept for one session only")
        assert len(notice.body) <= 100  # the in-app banner shows 100 characters of a line
    finally:
        await inbox.aclose(2.0)


def test_the_notice_names_a_few_and_counts_the_rest() -> None:
    assert session_only_gone_notice([]) is None
    notice = session_only_gone_notice([f"a{i}@x.test" for i in range(5)])
    assert notice is not None
    assert notice.title.endswith("a2@x.test and 2 more") and notice.body.startswith("They were kept")


def test_a_long_notice_does_not_widen_the_window(qtbot: QtBot) -> None:
    from desktop_app.ui.banner import NotificationBanner

    banner = NotificationBanner()
    qtbot.addWidget(banner)
    before = banner.minimumSizeHint().width()
    notice = session_only_gone_notice([f"a.rather.long.name{i}@temp-inbox.test" for i in range(3)])
    assert notice is not None
    banner.show_notice(notice)
    assert banner.minimumSizeHint().width() <= max(before, 600)
    assert banner.detail.toolTip() == notice.body
