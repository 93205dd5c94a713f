"""``spawn_reported``: the one way the controller and the instance commands hear how a task ended."""

from __future__ import annotations

import asyncio

from desktop_app.core.tasks import NamedTasks, spawn_reported


async def _value() -> int:
    return 7


async def _boom() -> int:
    raise ValueError("boom")


async def test_exactly_one_outcome_is_reported() -> None:
    tasks = NamedTasks("test")
    heard: list[object] = []
    ok = spawn_reported(tasks, "ok", _value(), on_ok=heard.append, on_error=heard.append)
    bad = spawn_reported(tasks, "bad", _boom(), on_ok=heard.append, on_error=lambda e: heard.append(repr(e)))
    slow = spawn_reported(
        tasks,
        "slow",
        asyncio.sleep(60),
        on_ok=heard.append,
        on_error=heard.append,
        on_cancelled=lambda: heard.append("cancelled"),
    )
    await asyncio.wait([ok, bad])
    slow.cancel()
    await asyncio.wait([slow])
    await asyncio.sleep(0)  # done-callbacks are scheduled, not run, when a task ends
    assert heard == [7, "ValueError('boom')", "cancelled"]
    await tasks.close(1.0)
