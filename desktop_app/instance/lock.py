"""One instance per data directory, claimed from the first moment of start-up.

The local socket (``instance/ipc.py``) can only listen once Qt is up, which takes seconds (QtWebEngine): a
command arriving in between would find nobody listening and start a second instance on the same data
directory. An exclusive lock on ``<data dir>/instance.lock``, taken before anything slow, closes that
gap: whoever holds it *is* the instance (running or still starting), and a command that finds it held
waits for the socket instead of starting another. The kernel drops the lock when the process ends, so a
crashed instance never leaves a stale claim behind.
"""

from __future__ import annotations

import os
from pathlib import Path

LOCK_FILENAME = "instance.lock"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: msvcrt's byte-range lock does the same job
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


class InstanceLock:
    """The claim on a data directory; held until ``release()`` or the end of the process."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd: int | None = fd
        self.path = path

    @classmethod
    def acquire(cls, data_dir: Path) -> InstanceLock | None:
        """Claim ``data_dir``; None when another process holds it (an instance running or starting)."""
        path = data_dir / LOCK_FILENAME
        # O_CLOEXEC (Python's default): helper processes (QtWebEngine's) must not inherit the claim.
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            return None
        # The pid is for people reading the directory; nobody relies on it (the lock is the truth).
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(fd, path)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor drops the lock
            self._fd = None


def is_claimed(data_dir: Path) -> bool:
    """Whether an instance holds ``data_dir`` (running, or starting and not yet listening)."""
    fd = os.open(data_dir / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)  # a probe that got the lock gives it back at once
