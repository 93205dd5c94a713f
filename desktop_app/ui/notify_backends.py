"""The links of the notification chain: D-Bus, tray balloon, in-app banner, null.

Each backend shows a ``Notice`` and routes the user's answer ("Copy code", "Open") to two callables.
None of them is a QObject; the chain itself lives in ``notifications.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from typing import Protocol

from PySide6.QtWidgets import QSystemTrayIcon

from desktop_app.core.notice import Notice, NoticeKind
from desktop_app.desktop.dbus_notify import DBusNotifier
from desktop_app.ui import texts
from desktop_app.ui.banner import NotificationBanner

log = logging.getLogger(__name__)

CopyCode = Callable[[str], None]
OpenMessage = Callable[[str, str], None]  # address, message id
KeepAddress = Callable[[str], None]  # "Keep address" on the warning before an expiry
BALLOON_MS = 10_000
REMEMBERED = 200  # notifications whose actions we can still answer


class NotificationBackend(Protocol):
    name: str

    def show(self, notice: Notice) -> None: ...


def dbus_actions(notice: Notice) -> list[tuple[str, str]]:
    """ "Copy code" only when there is a code; "default" is what a click on the popup itself does, and
    the servers that list actions (dunst's menu, mako) list it as "Open". A second, named "Open"
    action beside it read "Open, Open" there."""
    if notice.kind is NoticeKind.EXPIRING:
        return [("keep", texts.NOTIFY_KEEP_ADDRESS), ("default", texts.NOTIFY_OPEN)]
    if notice.kind is NoticeKind.EXPIRED:
        return []  # nothing left to open
    if notice.code:
        return [("copy-code", texts.NOTIFY_COPY_CODE), ("default", texts.NOTIFY_OPEN)]
    return [("default", texts.NOTIFY_OPEN)]


class DBusBackend:
    """Shows notices through its notifier and answers their action buttons itself: the notifier's
    ``ActionInvoked``/``NotificationClosed`` come straight here."""

    name = "dbus"

    def __init__(
        self,
        notifier: DBusNotifier,
        on_copy: CopyCode,
        on_open: OpenMessage,
        *,
        fallback: Callable[[Notice], None],
        on_keep: KeepAddress | None = None,
    ) -> None:
        self.notifier = notifier
        self._on_copy = on_copy
        self._on_open = on_open
        self._on_keep = on_keep or (lambda address: None)
        self._fallback = fallback
        self._shown: OrderedDict[int, Notice] = OrderedDict()
        self._summary_id = 0
        notifier.on_action = self.action_invoked
        notifier.on_closed = self._closed

    def retire(self) -> None:
        """The chain no longer uses this backend: the popups it showed no longer answer."""
        self._shown.clear()

    def show(self, notice: Notice) -> None:
        caps = self.notifier.capabilities
        body = notice.markup_body if "body-markup" in caps else notice.body
        actions = dbus_actions(notice) if "actions" in caps else []
        # A new summary replaces the previous one while it is still on screen: one popup per flood.
        replaces = (
            self._summary_id if notice.kind is NoticeKind.SUMMARY and self._summary_id in self._shown else 0
        )
        reply = self.notifier.notify(notice.title, body, actions=actions, replaces_id=replaces)
        reply.add_done_callback(partial(self._sent, notice))

    def _sent(self, notice: Notice, reply: asyncio.Future[int]) -> None:
        if reply.cancelled() or reply.exception() is not None:
            log.info("Notify failed: %r", None if reply.cancelled() else reply.exception())
            self._fallback(notice)
            return
        notification_id = reply.result()
        self._shown[notification_id] = notice
        self._shown.move_to_end(notification_id)
        while len(self._shown) > REMEMBERED:
            self._shown.popitem(last=False)
        if notice.kind is NoticeKind.SUMMARY:
            self._summary_id = notification_id

    def action_invoked(self, notification_id: int, action: str) -> None:
        notice = self._shown.get(notification_id)
        if notice is None:
            return  # not ours (another app's notification) or long forgotten
        if action == "copy-code" and notice.code:
            self._on_copy(notice.code)
        elif action == "keep" and notice.kind is NoticeKind.EXPIRING and notice.address:
            self._on_keep(notice.address)
        elif action == "default":
            self._on_open(notice.address or "", notice.message_id or "")

    def _closed(self, notification_id: int, reason: int) -> None:
        self._shown.pop(notification_id, None)


class TrayBalloonBackend:
    """``showMessage`` has no buttons: the code is in the text, a click opens the message."""

    name = "tray"

    def __init__(self, tray: QSystemTrayIcon, on_open: OpenMessage) -> None:
        self.tray = tray
        self._on_open = on_open
        self._last: Notice | None = None
        tray.messageClicked.connect(self._clicked)

    def show(self, notice: Notice) -> None:
        self._last = notice
        self.tray.showMessage(notice.title, notice.body, self.tray.icon(), BALLOON_MS)

    def _clicked(self) -> None:
        if self._last is not None:
            self._on_open(self._last.address or "", self._last.message_id or "")


class BannerBackend:
    name = "banner"

    def __init__(self, banner: NotificationBanner, on_copy: CopyCode, on_open: OpenMessage) -> None:
        self.banner = banner
        banner.copy_code_clicked.connect(on_copy)
        banner.open_clicked.connect(on_open)

    def show(self, notice: Notice) -> None:
        self.banner.show_notice(notice)


class NullBackend:
    """Nowhere to show anything (no bus, no tray, no window yet): keep the last few for inspection."""

    name = "null"

    def __init__(self) -> None:
        self.shown: list[Notice] = []

    def show(self, notice: Notice) -> None:
        self.shown = [*self.shown[-9:], notice]
