"""Cyclic garbage is collected on the GUI thread only (desktop_app/ui/gc_guard.py)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject, QTimer

from desktop_app.ui.gc_guard import MainThreadGarbageCollector, collect_due_generation


class _Cyclic(QObject):
    """A QObject with a running timer that only a reference cycle keeps alive: what used to be
    destroyed in a worker thread and later crash the GUI thread's timer list."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self, interval=60_000)
        self.timer.start()
        self.me = self


@pytest.fixture
def low_threshold() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(10, 1, 1)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def test_nothing_is_collected_off_the_gui_thread_and_the_timer_collects_it(qtbot, low_threshold) -> None:  # type: ignore[no-untyped-def]
    off_thread: list[str] = []

    def watch(phase: str, _info: dict[str, int]) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            off_thread.append(threading.current_thread().name)

    guard = MainThreadGarbageCollector(interval_ms=10)
    guard.start()
    gc.callbacks.append(watch)
    try:
        ref = weakref.ref(_Cyclic())
        assert ref() is not None  # only the cycle holds it

        def allocate() -> None:
            for _ in range(20_000):
                [[] for _ in range(3)]  # container allocations: would trigger automatic GC

        worker = threading.Thread(target=allocate, name="allocating-worker")
        worker.start()
        worker.join()
        assert off_thread == []
        assert ref() is not None
        qtbot.waitUntil(lambda: ref() is None, timeout=5_000)
    finally:
        gc.callbacks.remove(watch)
        guard.stop()


def test_stop_restores_automatic_collection_as_it_was() -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        guard = MainThreadGarbageCollector()
        guard.start()
        assert not gc.isenabled()
        guard.stop()
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()


def test_collecting_from_a_worker_thread_is_refused() -> None:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            collect_due_generation()
        except RuntimeError as error:
            errors.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert len(errors) == 1
