"""The embedded, mail.tm-compatible local mail service (REST + Mercure hub + SMTP intake).

LocalMailServer       runs in the caller's asyncio loop (tests, ``temp-inbox serve``)
BackgroundMailServer  the same on its own thread (the Qt app's ``--local`` mode)
"""

from desktop_app.server.app import LocalMailServer
from desktop_app.server.background import BackgroundMailServer
from desktop_app.server.faults import FaultInjector, ServerStats

__all__ = ["BackgroundMailServer", "FaultInjector", "LocalMailServer", "ServerStats"]
