"""Mechanical checks of the architecture rules."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import desktop_app

PACKAGE = Path(desktop_app.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _resolved_imports(path: Path, root: Path) -> set[str]:
    """Absolute module names imported by ``path`` (relative imports resolved against ``root``'s package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = [root.name, *path.relative_to(root).parent.parts]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            # `from desktop_app import server` imports the package named by the alias.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


# Which parts of the package each part may import. The client core is reusable without any front end;
# the local server is a test double of the real service, so it must share nothing with the client it
# tests (each checks the other); widgets talk to the service, never to the server's internals.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("ui", "server", "app", "cli", "ipc", "instance_commands", "platform_env"),
    "server": ("core", "ui", "app", "cli", "ipc", "instance_commands", "platform_env"),
    "ui": ("server",),
}


def layer_violations(root: Path) -> list[str]:
    """``file: imported module`` for every import that crosses a forbidden arrow, under package ``root``."""
    found = []
    for layer, banned in FORBIDDEN.items():
        for path in sorted((root / layer).rglob("*.py")):
            for name in sorted(_resolved_imports(path, root)):
                parts = name.split(".")
                if parts[0] == root.name and len(parts) > 1 and parts[1] in banned:
                    found.append(f"{path.relative_to(root)}: {name}")
    return found


def test_the_layers_import_only_what_they_may() -> None:
    assert layer_violations(PACKAGE) == []


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("core/models.py", "from desktop_app.ui import style\n"),
        ("core/models.py", "import desktop_app.server.wire\n"),
        ("core/models.py", "from desktop_app import cli\n"),
        ("core/models.py", "from ..app import Application\n"),
        ("server/wire.py", "from desktop_app.core.models import Message\n"),
        ("server/wire.py", "from desktop_app import core\n"),
        ("server/wire.py", "def lazily():\n    from desktop_app.ui import style\n"),
        ("ui/style.py", "from desktop_app.server import LocalMailServer\n"),
        ("ui/style.py", "from ..server.wire import dumps\n"),
    ],
)
def test_each_layer_rule_catches_a_planted_import(tmp_path: Path, module: str, planted: str) -> None:
    copy = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert layer_violations(copy) == []
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    assert len(layer_violations(copy)) >= 1, planted


def _modules_under(folder: str) -> list[Path]:
    files = sorted((PACKAGE / folder).rglob("*.py"))
    assert files, f"no modules found under {folder}"
    return files


def test_core_never_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"PySide6", "shiboken6", "qasync"}
        )
        for path in _modules_under("core")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_server_never_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"PySide6", "shiboken6"}
        )
        for path in _modules_under("server")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_widgets_hold_no_async_def() -> None:
    """Widgets call services and react to their signals; coroutines live in services."""
    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                if any(b.startswith(("Q", "PySide6")) for b in bases):
                    for item in node.body:
                        if isinstance(item, ast.AsyncFunctionDef):
                            offenders.append(f"{path.name}:{node.name}.{item.name}")
    assert offenders == []


def test_the_check_has_teeth(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport PySide6\n", encoding="utf-8")
    assert {"PySide6.QtCore", "PySide6"} <= _imports(bad)
