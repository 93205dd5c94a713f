"""Run a script against the real Secret Service: gnome-keyring, unlocked, on a private D-Bus session."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

needs_gnome_keyring = pytest.mark.skipif(
    shutil.which("gnome-keyring-daemon") is None, reason="gnome-keyring is not installed"
)

# Put before every script, so it can check what the desktop's own tool finds in the keyring.
LOOKUP = textwrap.dedent(
    """
    import subprocess

    def lookup(user):
        done = subprocess.run(["secret-tool", "lookup", "service", "Temp Inbox", "username", user],
                              capture_output=True, text=True)
        return done.stdout if done.returncode == 0 else None
    """
)


def run_with_secret_service(tmp_path: Path, script: str, *args: str) -> Any:
    """Run ``script`` (which may call ``lookup(user)``) with ``args``; returns the JSON it printed last."""
    script_file = tmp_path / "secret_service_script.py"
    script_file.write_text(LOOKUP + script)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    # The daemon leaves with the private bus when dbus-run-session ends.
    command = shlex.join([sys.executable, str(script_file), *args])
    unlock = "echo -n test-login | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
    shell = f"{unlock} && exec {command}"
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
