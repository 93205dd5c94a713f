"""The live hub: one Mercure subscription per address over a shared HTTP/2 connection.

subscription  LiveSubscription (reconnects with backoff, reports ConnectionState), HubStreams
h2streams     the HTTP/2 transport built for many long-lived streams on one connection
mercure       the SSE frames and what a hub update says (pushed, gone, account, unreadable)
"""

from __future__ import annotations

from desktop_app.core.live.mercure import AccountPushed, HubUpdate, MessageGone, MessagePushed, Unreadable
from desktop_app.core.live.subscription import HubAccount, HubStreams, LiveSettings, LiveSubscription

__all__ = [
    "AccountPushed",
    "HubAccount",
    "HubStreams",
    "HubUpdate",
    "LiveSettings",
    "LiveSubscription",
    "MessageGone",
    "MessagePushed",
    "Unreadable",
]
