"""Named background tasks and the event emitter that mailboxes are built on."""

from __future__ import annotations

import asyncio
import logging

import pytest

from desktop_app.core.events import EventEmitter, MessageRemoved
from desktop_app.core.tasks import NamedTasks


async def test_spawning_a_name_again_cancels_the_previous_task() -> None:
    tasks = NamedTasks("test")
    first = tasks.spawn("load", asyncio.sleep(10))
    second = tasks.spawn("load", asyncio.sleep(10))
    await asyncio.sleep(0)
    assert first.cancelled() and not second.done()
    assert tasks.names() == ["load"] and tasks.get("load") is second
    assert await tasks.close(1.0)
    assert second.cancelled()


async def test_spawning_without_replace_keeps_the_running_task() -> None:
    tasks = NamedTasks()
    first = tasks.spawn("live", asyncio.sleep(10))
    assert tasks.spawn("live", asyncio.sleep(10), replace=False) is first
    assert await tasks.close()


async def test_finished_tasks_are_forgotten_and_failures_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def fail() -> None:
        raise ValueError("boom")

    tasks = NamedTasks("owner")
    task = tasks.spawn("bad", fail())
    with caplog.at_level(logging.ERROR):
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
    assert tasks.names() == []
    assert "owner:bad failed" in caplog.text


async def test_close_reports_a_task_that_ignores_cancellation() -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        while True:
            try:
                await release.wait()
                return
            except asyncio.CancelledError:
                continue

    tasks = NamedTasks()
    task = tasks.spawn("stubborn", stubborn())
    await asyncio.sleep(0)
    assert not await tasks.close(0.1)
    with pytest.raises(RuntimeError):
        tasks.spawn("late", asyncio.sleep(0))
    release.set()
    await task


def test_a_failing_listener_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    emitter = EventEmitter()
    seen: list[object] = []

    def broken(event: object) -> None:
        raise RuntimeError("listener bug")

    emitter.subscribe(broken)
    unsubscribe = emitter.subscribe(seen.append)
    event = MessageRemoved("me@example.org", "m1")
    with caplog.at_level(logging.ERROR):
        emitter.emit(event)
    assert seen == [event]
    assert "listener bug" in caplog.text
    unsubscribe()
    emitter.emit(event)
    assert seen == [event]
