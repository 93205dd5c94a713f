"""User-facing text lives in ``desktop_app/ui/texts.py`` (the project rule), so that wording is reviewed
and changed in one place. The modules below had words of their own (a check's name in the health
panel, the notification's buttons, the credit line, the server fields' accessible names); this keeps
them out. A word for the user is a string that starts with a capitalised word ("Open", "Keep address",
"Powered by …"); log lines, docstrings, identifiers and markup are not."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import desktop_app.ui as ui_package

UI = Path(ui_package.__file__).parent
MODULES = ("banner", "health_dialog", "link_label", "notify_backends", "provider_picker")
WORDS = re.compile(r"[A-Z][a-z]+\b")


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return {
        id(body[0].value)
        for body in (n.body for n in nodes)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    }


def _logged(tree: ast.Module) -> set[int]:
    """The strings of ``log.info(...)`` and the like: for the developer, not the user."""
    inside: set[int] = set()
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "log":
            inside.update(id(n) for arg in call.args for n in ast.walk(arg))
    return inside


def words_for_the_user(source: str) -> list[str]:
    tree = ast.parse(source)
    skipped = _docstrings(tree) | _logged(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and WORDS.match(node.value)
    ]


@pytest.mark.parametrize("module", MODULES)
def test_the_modules_words_are_in_texts(module: str) -> None:
    assert words_for_the_user((UI / f"{module}.py").read_text(encoding="utf-8")) == []


def test_the_check_finds_a_word_for_the_user() -> None:
    source = 'log.info("Notify failed")\nLABEL = QPushButton("Keep address")\nx = f"Powered by {y}"\n'
    assert words_for_the_user(source) == ["Keep address", "Powered by "]
