"""Where Temp Inbox keeps its files: the per-user data directory, overridable with ``--data-dir``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "temp-inbox"
STORE_FILENAME = "cache.sqlite3"


def data_dir(override: Path | str | None = None, *, create: bool = True) -> Path:
    """The user data directory (``~/.local/share/temp-inbox`` on Linux) or ``override`` if given.

    Created owner-only: the cache holds other people's mail addressed to the user.
    """
    path = Path(override).expanduser() if override is not None else Path(platformdirs.user_data_dir(APP_NAME))
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def store_path(directory: Path | str | None = None) -> Path:
    """The SQLite cache file inside ``directory`` (default: the user data directory)."""
    return data_dir(directory) / STORE_FILENAME


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` readable by the owner only (0600), replacing ``path`` atomically.

    The temporary file is created with mode 0600 from the start, so the content is never visible to
    other users, not even for a moment, and a crash leaves either the old file or the new one.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
