"""The settings schema and the environment knobs (``desktop_app/settings.py``)."""

from __future__ import annotations

import logging

import pytest

from desktop_app import settings
from desktop_app.settings import Environment


def test_every_setting_has_a_unique_key_a_default_and_a_description() -> None:
    keys = [s.key for s in settings.SCHEMA]
    assert len(keys) == len(set(keys))
    for setting in settings.SCHEMA:
        assert "/" in setting.key and setting.description.strip()
        assert isinstance(setting.default, bool | str)


class _File:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def value(self, key: str, /, defaultValue: object = None, type: object = None) -> object:
        return self.values.get(key, defaultValue)

    def setValue(self, key: str, value: object, /) -> None:
        self.values[key] = value


def test_a_flag_reads_its_default_until_written() -> None:
    file = _File()
    assert settings.read_flag(file, settings.DO_NOT_DISTURB) is False
    settings.write(file, settings.DO_NOT_DISTURB, True)
    assert settings.read_flag(file, settings.DO_NOT_DISTURB) is True
    assert settings.read_text(file, settings.COLOR_SCHEME) == "system"


def test_the_environment_knobs_and_their_defaults() -> None:
    assert Environment.read({}) == Environment()
    env = Environment.read(
        {
            "TEMP_INBOX_LOG": "info",
            "TEMP_INBOX_NOTICE_WINDOW": "-1",
            "TEMP_INBOX_NOTICE_PER_MINUTE": "0",
            "TEMP_INBOX_DEBUG_IPC": "1",
        }
    )
    assert env == Environment(log_level="INFO", notice_window=0.0, notice_per_minute=1, debug_ipc=True)


def test_an_unreadable_notice_knob_falls_back_to_the_defaults(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        env = Environment.read({"TEMP_INBOX_NOTICE_WINDOW": "soon", "TEMP_INBOX_NOTICE_PER_MINUTE": "9"})
    assert (env.notice_window, env.notice_per_minute) == (2.0, 8)
    assert "ignoring invalid TEMP_INBOX_NOTICE_*" in caplog.text
