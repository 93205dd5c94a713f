"""``LocalService`` at quit: a start that hangs does not hang the shutdown, nothing starts after
``stop()``, and a failed start whose caller went away is not left as an unretrieved task exception.
The starter is the test's own (blocking, in the service's worker thread, as the real one)."""

from __future__ import annotations

import asyncio
import gc
import threading
from typing import Any

import pytest

from desktop_app.core.errors import LocalServerError
from desktop_app.core.local_service import LocalEndpoints, LocalService

pytestmark = pytest.mark.timeout(30)


class Starter:
    """Blocks until released, then starts (or fails); records every stop of what it started."""

    def __init__(self, *, fail: bool = False) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.fail = fail
        self.calls = 0
        self.stopped = threading.Event()

    def __call__(self, port: int) -> LocalEndpoints:
        self.calls += 1
        self.entered.set()
        self.release.wait(20)
        if self.fail:
            raise LocalServerError(detail="the test's starter fails")
        url = "http://127.0.0.1:1"
        return LocalEndpoints(url, f"{url}/hub", "127.0.0.1", 2, self.stopped.set)


async def until(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_a_start_that_hangs_does_not_hang_the_stop_and_is_stopped_when_it_ends() -> None:
    starter = Starter()
    service = LocalService(starter)
    heard: list[LocalEndpoints] = []
    service.on_started(heard.append)
    asking = asyncio.ensure_future(service.ensure())
    await until(starter.entered.is_set)
    assert await service.stop(timeout=0.2) is False  # gave up waiting: the quit goes on
    assert service.running is None
    starter.release.set()  # the start ends after all
    with pytest.raises(LocalServerError):
        await asking
    await until(starter.stopped.is_set)  # stopped at once, never announced as running
    assert heard == [] and service.running is None


async def test_nothing_starts_after_stop() -> None:
    starter = Starter()
    starter.release.set()
    service = LocalService(starter)
    assert await service.stop() is True
    with pytest.raises(LocalServerError, match="quitting"):
        await service.ensure()
    assert starter.calls == 0


async def test_a_failed_start_whose_caller_was_cancelled_leaves_no_unretrieved_exception() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    before = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        starter = Starter(fail=True)
        service = LocalService(starter)
        asking = asyncio.ensure_future(service.ensure())
        await until(starter.entered.is_set)
        asking.cancel()  # the dialog that asked was closed
        starter.release.set()
        await until(lambda: service._starting is None)
        await asyncio.sleep(0)  # the start's callbacks run
        del asking
        gc.collect()
        assert [c.get("message") for c in reported] == []
    finally:
        loop.set_exception_handler(before)
