"""Where the cache lives, and owner-only file writing."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from desktop_app.core import paths


def test_data_dir_defaults_to_the_platform_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    directory = paths.data_dir()
    assert directory == tmp_path / "xdg" / "temp-inbox"
    assert directory.is_dir() and stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert paths.store_path() == directory / "cache.sqlite3"


def test_data_dir_override_wins_and_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    override = tmp_path / "custom" / "nested"
    assert paths.data_dir(str(override)) == override and override.is_dir()
    assert paths.store_path(override) == override / "cache.sqlite3"
    assert not (tmp_path / "xdg").exists()
    assert paths.data_dir(tmp_path / "not-made", create=False) == tmp_path / "not-made"
    assert not (tmp_path / "not-made").exists()


def test_write_private_file_is_owner_only_and_atomic(tmp_path: Path) -> None:
    target = tmp_path / "secret.json"
    target.write_text("old")
    os.chmod(target, 0o666)
    old_umask = os.umask(0)  # even with a permissive umask the file must come out 0600
    try:
        paths.write_private_file(target, b"new")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["secret.json"]


def test_write_private_file_leaves_the_old_file_when_it_fails(tmp_path: Path) -> None:
    target = tmp_path / "keep.json"
    target.write_text("old")

    with pytest.raises(TypeError):
        paths.write_private_file(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["keep.json"]
