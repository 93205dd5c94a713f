"""docs/architecture.md stays true to the code: every module it names exists, and every
``path.py::Name`` or ``path.py::Class.method`` it names is defined there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
REFERENCE = re.compile(r"(desktop_app/[\w/]+\.py)(?:::([\w.]+))?")
# The layout block names modules and packages relative to desktop_app/.
LAYOUT = re.compile(r"^(core/[\w/]*[\w.]+)", re.M)


def _defines(path: Path, qualified: str) -> bool:
    scope: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for part in qualified.split("."):
        found = [
            node
            for node in scope
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.name == part
        ]
        if not found:
            return False
        scope = found[0].body
    return True


def _references() -> list[tuple[str, str | None]]:
    found = {(m.group(1), m.group(2)) for m in REFERENCE.finditer(DOC.read_text(encoding="utf-8"))}
    return sorted(found, key=lambda ref: (ref[0], ref[1] or ""))


def test_the_page_names_modules_at_all() -> None:
    assert len(_references()) > 30


@pytest.mark.parametrize(("module", "name"), _references())
def test_every_named_module_and_function_exists(module: str, name: str | None) -> None:
    path = ROOT / module
    assert path.is_file(), module
    if name is not None:
        assert _defines(path, name), f"{module} defines no {name}"


def test_every_module_of_the_core_layout_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = [m.group(1) for m in LAYOUT.finditer(text)]
    named += re.findall(r"(?<=, )(core/[\w/]+\.py)", text)
    assert len(named) > 10
    missing = [n for n in named if not (ROOT / "desktop_app" / n).exists()]
    assert missing == []


def test_a_renamed_function_would_be_caught(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("class A:\n    def b(self) -> None: ...\n", encoding="utf-8")
    assert _defines(module, "A.b")
    assert not _defines(module, "A.c")
    assert not _defines(module, "B")
