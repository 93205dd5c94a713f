"""Named, cancellable background tasks.

asyncio only keeps weak references to tasks, so a fire-and-forget ``create_task`` can be garbage-collected
mid-flight. ``NamedTasks`` keeps a strong reference to every task it starts, lets a caller replace a
task by name (starting "load message B" cancels the still-running "load message A"), and closes
everything within a deadline on shutdown. ``spawn_reported`` is the one way a front end (the window's
controller, the instance commands) starts a task and hears how it ended.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from desktop_app.core.errors import TempInboxError

log = logging.getLogger(__name__)
T = TypeVar("T")


class NamedTasks:
    """A registry of running tasks keyed by name; at most one task per name."""

    def __init__(self, owner: str = "") -> None:
        self._owner = owner
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        # Tasks whose failures someone hears (spawn_reported): an expected failure of ours is theirs
        # to tell, so it is not logged here as if it were a bug.
        self._reported: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, name: str, coro: Coroutine[Any, Any, Any], *, replace: bool = True) -> asyncio.Task[Any]:
        """Start ``coro`` under ``name``. An existing task of that name is cancelled first (``replace``),
        or kept and returned (``replace=False``, in which case ``coro`` is closed unstarted)."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self._owner or 'task registry'} is closed")
        current = self._tasks.get(name)
        if current is not None and not current.done():
            if not replace:
                coro.close()
                return current
            current.cancel()
        task = asyncio.get_running_loop().create_task(
            coro, name=f"{self._owner}:{name}" if self._owner else name
        )
        self._tasks[name] = task
        task.add_done_callback(functools.partial(self._forget, name))
        return task

    def _forget(self, name: str, task: asyncio.Task[Any]) -> None:
        if self._tasks.get(name) is task:
            del self._tasks[name]
        reported = task in self._reported
        self._reported.discard(task)
        if task.cancelled() or (exc := task.exception()) is None:
            return
        if reported and isinstance(exc, TempInboxError):
            log.info("task %s ended: %s", task.get_name(), exc)
        else:
            # A background task must handle its own errors; reaching here is a bug worth a stack trace.
            log.error("background task %s failed", task.get_name(), exc_info=exc)

    def mark_reported(self, task: asyncio.Task[Any]) -> None:
        """``task``'s own failures (``TempInboxError``) are told to the user by whoever started it."""
        if not task.done():
            self._reported.add(task)

    def get(self, name: str) -> asyncio.Task[Any] | None:
        return self._tasks.get(name)

    def names(self) -> list[str]:
        return sorted(name for name, task in self._tasks.items() if not task.done())

    def cancel(self, name: str) -> None:
        task = self._tasks.get(name)
        if task is not None:
            task.cancel()

    async def close(self, timeout: float = 2.0) -> bool:
        """Cancel every task and wait for them to finish; True when all ended within ``timeout``."""
        self._closed = True
        tasks = [t for t in self._tasks.values() if not t.done()]
        for task in tasks:
            task.cancel()
        if not tasks:
            return True
        _done, pending = await asyncio.wait(tasks, timeout=timeout)
        for task in pending:
            log.warning("task %s did not stop within %.1f s", task.get_name(), timeout)
        return not pending


def spawn_reported(
    tasks: NamedTasks,
    name: str,
    coro: Coroutine[Any, Any, T],
    *,
    on_ok: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None],
    on_cancelled: Callable[[], None] | None = None,
) -> asyncio.Task[T]:
    """Start ``coro`` under ``name`` and call exactly one of the three with its outcome."""
    task: asyncio.Task[T] = tasks.spawn(name, coro)
    tasks.mark_reported(task)

    def done(t: asyncio.Task[T]) -> None:
        if t.cancelled():
            if on_cancelled is not None:
                on_cancelled()
            return
        exc = t.exception()
        if exc is not None:
            on_error(exc)
        elif on_ok is not None:
            on_ok(t.result())

    task.add_done_callback(done)
    return task
