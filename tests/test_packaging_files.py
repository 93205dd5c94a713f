"""The desktop entry and the AppStream metainfo in packaging/ pass the freedesktop validators.

Software centres and desktops silently drop a desktop file or metainfo that does not validate, so a
broken one is a shipping bug that no other test sees. `make test` installs both validators
(desktop-file-utils and appstream, scripts/system-deps.sh --test).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app import APP_ID

PACKAGING = Path(__file__).resolve().parents[1] / "packaging"
DESKTOP_FILE = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which(argv[0])
    assert tool is not None, f"{argv[0]} is missing: make test installs it (scripts/system-deps.sh --test)"
    return subprocess.run([tool, *argv[1:]], capture_output=True, text=True, timeout=60)


def test_desktop_file_validates() -> None:
    result = _run("desktop-file-validate", str(DESKTOP_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    # desktop-file-validate exits 0 on warnings and hints; they are not acceptable either.
    assert result.stdout.strip() == "", result.stdout


def test_metainfo_validates() -> None:
    # --no-net: CI has no network to check URLs with, and the result must not depend on it.
    # --strict: infos (an unknown tag, a summary ending in a dot) fail too; only pedantic hints pass
    # (the reverse-DNS id's upper-case letters are one; changing the id would rename the installed entry).
    result = _run("appstreamcli", "validate", "--no-net", "--strict", "--explain", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [DESKTOP_FILE, METAINFO])
def test_packaging_files_name_the_app_id(path: Path) -> None:
    """The desktop file's name, its icon name and the metainfo's id and launchable are one id."""
    text = path.read_text(encoding="utf-8")
    if path == DESKTOP_FILE:
        assert f"Icon={APP_ID}\n" in text
    else:
        assert f"<id>{APP_ID}</id>" in text
        assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in text
