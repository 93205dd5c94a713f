"""Python's cyclic garbage collector runs in whichever thread happens to allocate when a threshold is
crossed: a to_thread worker, the local mail server's thread, a keyring call. A QObject caught in a
reference cycle is then destroyed in that thread; if it (or a child, e.g. a QTimer or a web page)
had timers running, Qt warns "Timers cannot be stopped from another thread" and leaves the dead
timers registered with the GUI thread, which later fires one at freed memory (a segfault in
QTimerInfoList::activateTimers). So automatic collection is switched off and the same generational
collections are run from the GUI thread instead.
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QTimer


def collect_due_generation() -> int | None:
    """Run the collection automatic GC would have run by now (same thresholds); return its generation.
    Must be called on the GUI thread."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("garbage must be collected on the GUI thread")
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = None
    for generation in range(3):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            due = generation
    if due is not None:
        gc.collect(due)
    return due


class MainThreadGarbageCollector(QObject):
    """While started, cyclic garbage is only ever collected here, on the GUI thread."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(collect_due_generation)
        self._was_enabled = gc.isenabled()

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
