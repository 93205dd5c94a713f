"""What start-up imports, and in which order (docs/performance.md, start-up). Each check runs in a fresh
interpreter: this test process has long imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def _run(code: str, tmp_path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_claiming_the_data_directory_loads_no_qt(tmp_path: Path) -> None:
    """The launch that becomes the instance imports its Qt-free core before Qt (app.py), so claiming
    the directory must not import Qt; only a launch that forwards to a running instance needs it."""
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from desktop_app.instance.forward import claim_or_forward\n"
        "from desktop_app.options import Options\n"
        "claim = claim_or_forward(Options(Path(sys.argv[1]), False, None, None, False, None, {}))\n"
        "print(json.dumps({'claimed': not isinstance(claim, int),"
        " 'qt': sorted(m for m in sys.modules if m.startswith('PySide6'))}))\n"
    )
    assert _run(code, tmp_path) == {"claimed": True, "qt": []}


def test_the_core_comes_before_qt_and_the_keyring_after_the_window(tmp_path: Path) -> None:
    """PySide6 reads the source of every module imported after it; the core start-up needs must all be
    in before the first Qt import. Keyring (and its backends) is not imported until the vault is used."""
    code = (
        "import json, sys\n"
        "import desktop_app.app as app\n"
        "app.import_core_before_qt()\n"
        "before = set(sys.modules)\n"
        "from desktop_app.core.accounts.secrets import PasswordVault\n"
        "from desktop_app.core.inbox import Inbox\n"
        "from desktop_app.core.store.cache import Store\n"
        "from desktop_app.core.api.providers import DEFAULT\n"
        "inbox = Inbox(Store(None), PasswordVault(), DEFAULT)\n"
        "print(json.dumps({'qt': sorted(m for m in before if m.startswith('PySide6')),"
        " 'new': sorted(m for m in set(sys.modules) - before if m.startswith('desktop_app.core')),"
        " 'keyring': sorted(m for m in sys.modules if m.split('.')[0] in ('keyring', 'secretstorage'))}))\n"
    )
    assert _run(code, tmp_path) == {"qt": [], "new": [], "keyring": []}
