"""Mechanical checks of the architecture rules."""

from __future__ import annotations

import ast
from pathlib import Path

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
