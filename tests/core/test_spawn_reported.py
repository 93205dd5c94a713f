"""``spawn_reported``: the one way the controller and the instance commands hear how a task ended."""

from __future__ import annotations

import asyncio
import logging

import pytest

from desktop_app.core.errors import NetworkError
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


async def _refused() -> int:
    raise NetworkError("no connection")


async def test_an_expected_failure_is_told_once_and_a_bug_keeps_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A refused server check is the dialog's to say: no ERROR traceback in the log for it. A bug in a
    reported task (not one of our errors) still logs its stack trace."""
    tasks = NamedTasks("test")
    heard: list[object] = []
    caplog.set_level(logging.INFO, logger="desktop_app.core.tasks")
    refused = spawn_reported(tasks, "check", _refused(), on_error=heard.append)
    bug = spawn_reported(tasks, "bug", _boom(), on_error=heard.append)
    await asyncio.wait([refused, bug])
    await asyncio.sleep(0)
    assert [type(e).__name__ for e in heard] == ["NetworkError", "ValueError"]
    records = [r for r in caplog.records if r.name == "desktop_app.core.tasks"]
    [check] = [r for r in records if "test:check" in r.getMessage()]
    [bug] = [r for r in records if "test:bug" in r.getMessage()]
    assert check.levelno == logging.INFO and check.exc_info is None, check.getMessage()
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
    await tasks.close(1.0)
