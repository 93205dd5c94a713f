"""Everything the user can set, in one typed schema (qutebrowser's config data, small): each setting
has its key in ``settings.ini``, its default and what it is for; then the environment knobs, read once.

Qt-free on purpose: the schema is plain data, and ``settings.ini`` is reached through the two methods
of ``QSettings`` that ``SettingsFile`` names, so that the schema is checked by strict mypy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T", bool, str)

SETTINGS_FILENAME = "settings.ini"  # in the data directory
CLEAR_CODES_AFTER = 60.0  # seconds a copied one-time code stays on the clipboard, when the user opts in


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    key: str
    default: T
    description: str


DO_NOT_DISTURB = Setting(
    "notifications/do_not_disturb", False, "No popups for new mail; unread counts keep updating."
)
CLEAR_CODES = Setting(
    "clipboard/clear_codes",
    False,
    f"Clear a copied one-time code or password from the clipboard after {CLEAR_CODES_AFTER:.0f} s.",
)
PREFER_PLAIN_TEXT = Setting(
    "view/prefer_plain_text", False, "Open messages on their plain-text part instead of the HTML view."
)
SIDE_BY_SIDE = Setting("view/side_by_side", False, "The message beside the list instead of below it.")
COLOR_SCHEME = Setting("view/color_scheme", "system", "Light, dark, or what the desktop uses ('system').")

# Qt's own opaque state blobs (they carry a version of their own); saved at quit, restored at start.
WINDOW_GEOMETRY = "window/geometry"
MAIN_SPLITTER = "window/main_splitter"
READING_SPLITTER = "window/reading_splitter"
LIST_COLUMNS = "window/list_columns"
# The Address column's width as last fitted to its names (a width other than it is the user's own).
ADDRESS_COLUMN_FITTED = "window/address_column_fitted"

SCHEMA: tuple[Setting[bool] | Setting[str], ...] = (
    DO_NOT_DISTURB,
    CLEAR_CODES,
    PREFER_PLAIN_TEXT,
    SIDE_BY_SIDE,
    COLOR_SCHEME,
)


class SettingsFile(Protocol):
    """The part of ``QSettings`` the schema uses."""

    def value(self, key: str, /, defaultValue: object = ..., type: object = ...) -> object: ...
    def setValue(self, key: str, value: object, /) -> None: ...


def read_flag(file: SettingsFile, setting: Setting[bool]) -> bool:
    return bool(file.value(setting.key, setting.default, type=bool))


def read_text(file: SettingsFile, setting: Setting[str]) -> str:
    return str(file.value(setting.key, setting.default))


def write(file: SettingsFile, setting: Setting[T], value: T) -> None:
    file.setValue(setting.key, value)


# -- environment knobs ---------------------------------------------------------------------------------

LOG_ENV = "TEMP_INBOX_LOG"  # log level, e.g. INFO
NOTICE_WINDOW_ENV = "TEMP_INBOX_NOTICE_WINDOW"  # seconds of burst coalescing
NOTICE_PER_MINUTE_ENV = "TEMP_INBOX_NOTICE_PER_MINUTE"  # notification cap
DEBUG_IPC_ENV = "TEMP_INBOX_DEBUG_IPC"  # 1: answer `debug-pane` (end-to-end tests read the screen)


@dataclass(frozen=True, slots=True)
class Environment:
    """The knobs for benchmarks, power users and the end-to-end tests."""

    log_level: str = "WARNING"
    notice_window: float = 2.0
    notice_per_minute: int = 8
    debug_ipc: bool = False

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Environment:
        env = os.environ if environ is None else environ
        defaults = cls()
        try:
            window = float(env.get(NOTICE_WINDOW_ENV, str(defaults.notice_window)))
            per_minute = int(env.get(NOTICE_PER_MINUTE_ENV, str(defaults.notice_per_minute)))
        except ValueError:
            log.warning("ignoring invalid TEMP_INBOX_NOTICE_* settings")
            window, per_minute = defaults.notice_window, defaults.notice_per_minute
        return cls(
            log_level=env.get(LOG_ENV, defaults.log_level).upper(),
            notice_window=max(0.0, window),
            notice_per_minute=max(1, per_minute),
            debug_ipc=env.get(DEBUG_IPC_ENV) == "1",
        )
