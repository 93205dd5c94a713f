"""``BackgroundMailServer``: the local mail service on its own thread and event loop.

For the Qt app's ``--local`` mode, whose loop belongs to Qt: the server must keep answering while the
GUI is busy, and the GUI must not depend on the server's loop.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from desktop_app.server.app import LocalMailServer
from desktop_app.server.faults import FaultInjector, ServerStats


class BackgroundMailServer:
    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: LocalMailServer | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self.api_url = ""
        self.hub_url = ""
        self.smtp_host = ""
        self.smtp_port = 0

    @property
    def server(self) -> LocalMailServer:
        if self._server is None:
            raise RuntimeError("the background mail server is not running")
        return self._server

    @property
    def faults(self) -> FaultInjector:
        return self.server.faults

    @property
    def stats(self) -> ServerStats:
        return self.server.stats

    def create_account_direct(self, address: str, password: str) -> str:
        return self.server.create_account_direct(address, password)

    def start(self) -> None:
        """Start the thread and block until the server listens; re-raises a start-up failure."""
        if self._thread is not None:
            return
        self._started.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="local-mail-server", daemon=True)
        self._thread.start()
        self._started.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        server = self.server
        self.api_url, self.hub_url = server.api_url, server.hub_url
        self.smtp_host, self.smtp_port = server.smtp_host, server.smtp_port

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = LocalMailServer(**self._kwargs)
            loop.run_until_complete(self._server.start())
        except BaseException as error:  # handed to the starting thread
            if self._server is not None:  # its SQLite store is open: one leaked per failed attempt
                self._server.store.close()
                self._server = None
            self._error = error
            self._started.set()
            loop.close()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._server is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._server.stop(), loop)
        try:
            future.result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            self._thread = None
            self._loop = None
