"""The mail server on this computer, started when something needs it: the user picks "This computer",
``temp-inbox new --provider local`` asks for it, or a stored address lives on it.

The core may not import the server (docs/architecture.md): the composition root hands in a blocking
``starter`` that runs it and says where it listens. Here it runs once in a worker thread, whoever asks
first (a second caller waits for the same start), and a failure becomes a ``LocalServerError`` in the
user's words; the next ask tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.api import Provider, local_provider
from desktop_app.core.errors import LocalServerError, TempInboxError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LocalEndpoints:
    """Where the running server listens, and how to stop it (blocking, from any thread)."""

    api_url: str
    hub_url: str
    smtp_host: str
    smtp_port: int
    stop: Callable[[], None]

    @property
    def smtp(self) -> str:
        return f"{self.smtp_host}:{self.smtp_port}"

    @property
    def provider(self) -> Provider:
        return local_provider(self.api_url, self.hub_url)


# Start the server (blocking), preferably with its REST API on this port (0: any free one).
Starter = Callable[[int], LocalEndpoints]
StartListener = Callable[[LocalEndpoints], None]


# How long quitting waits for a start under way: a starter that hangs must not hang the quit.
STOP_WAIT_S = 10.0


class LocalService:
    def __init__(self, starter: Starter) -> None:
        self._starter = starter
        self._starting: asyncio.Future[LocalEndpoints] | None = None
        self._listeners: list[StartListener] = []
        self._stopped = False  # stop() began (the app quits): nothing starts any more
        self.running: LocalEndpoints | None = None

    def on_started(self, listener: StartListener) -> None:
        """Call ``listener`` (on the loop) each time the server has started; at once if it runs."""
        self._listeners.append(listener)
        if self.running is not None:
            listener(self.running)

    async def ensure(self, preferred_port: int = 0) -> LocalEndpoints:
        """The running server, started first if need be; ``LocalServerError`` when it cannot start."""
        if self._stopped:
            raise LocalServerError(
                "The mail server on this computer is not started: Temp Inbox is quitting.",
                detail="ensure() after stop()",
            )
        if self.running is not None:
            return self.running
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start(preferred_port))
            # Its failure is each caller's to hear; when they all went away (cancelled), it is
            # still retrieved here, not logged by asyncio as "Task exception was never retrieved".
            self._starting.add_done_callback(_retrieve)
        # Shielded: a dialog closed while the server starts must not stop the start for everyone else.
        return await asyncio.shield(self._starting)

    async def _start(self, preferred_port: int) -> LocalEndpoints:
        try:
            endpoints = await asyncio.to_thread(self._starter, preferred_port)
        except TempInboxError:
            raise
        except Exception as exc:  # any failure of the server is told in words, not as a traceback
            log.error("the local mail server could not start", exc_info=exc)
            raise LocalServerError(detail=repr(exc)) from exc
        finally:
            self._starting = None
        if self._stopped:  # ended after stop() began (or gave up waiting): stopped, never announced
            await asyncio.to_thread(endpoints.stop)
            log.info("local mail server started while quitting: stopped (smtp %s)", endpoints.smtp)
            raise LocalServerError(detail="started after stop()")
        self.running = endpoints
        for listener in list(self._listeners):
            try:
                listener(endpoints)
            except Exception:
                log.exception("a listener of the local mail server's start failed")
        return endpoints

    async def stop(self, timeout: float = STOP_WAIT_S) -> bool:
        """Stop the server if it runs, and for good: ``ensure()`` raises from now on. A start under way
        is waited for up to ``timeout`` (it stops its server itself when it ends). False when that
        start was still going at the end of the wait."""
        self._stopped = True
        starting = self._starting
        if starting is not None:
            await asyncio.wait([starting], timeout=timeout)
            if not starting.done():
                log.warning("the local mail server was still starting after %.0f s; quitting anyway", timeout)
        running, self.running = self.running, None
        if running is not None:
            await asyncio.to_thread(running.stop)
            log.info("local mail server stopped (smtp %s)", running.smtp)
        return starting is None or starting.done()


def _retrieve(start: asyncio.Future[LocalEndpoints]) -> None:
    if not start.cancelled():
        start.exception()
