"""Mechanical checks of the architecture rules."""

from __future__ import annotations

import ast
import shutil
import tomllib
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
    "core": ("ui", "server", "app", "cli", "instance", "options", "settings", "desktop"),
    "server": ("core", "ui", "app", "cli", "instance", "options", "settings", "desktop"),
    "ui": ("server", "app", "cli", "instance"),
    "instance": ("server", "app", "cli"),
    "desktop": ("core", "ui", "server", "app", "cli", "instance"),
}


def _layer_files(root: Path, layer: str) -> list[Path]:
    package = root / layer
    return sorted(package.rglob("*.py")) if package.is_dir() else [root / f"{layer}.py"]


def layer_violations(root: Path) -> list[str]:
    """``file: imported module`` for every import that crosses a forbidden arrow, under package ``root``."""
    found = []
    for layer, banned in FORBIDDEN.items():
        for path in _layer_files(root, layer):
            for name in sorted(_resolved_imports(path, root)):
                parts = name.split(".")
                if parts[0] == root.name and len(parts) > 1 and parts[1] in banned:
                    found.append(f"{path.relative_to(root)}: {name}")
    return found


def test_the_layers_import_only_what_they_may() -> None:
    assert layer_violations(PACKAGE) == []


def _package_copy(tmp_path: Path) -> Path:
    """A copy of the package to plant a violation in: each check's teeth, shown on real code."""
    copy = tmp_path / PACKAGE.name
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _plant(copy: Path, module: str, code: str) -> None:
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + code, encoding="utf-8")


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
        ("ui/style.py", "from desktop_app.instance.commands import InstanceCommands\n"),
        ("core/models.py", "from desktop_app.instance import lock\n"),
        ("core/models.py", "from desktop_app.settings import Environment\n"),
        ("server/wire.py", "from desktop_app.options import Options\n"),
        ("instance/commands.py", "from desktop_app import app\n"),
        ("desktop/dbus_notify.py", "from desktop_app.ui import style\n"),
    ],
)
def test_each_layer_rule_catches_a_planted_import(tmp_path: Path, module: str, planted: str) -> None:
    copy = _package_copy(tmp_path)
    assert layer_violations(copy) == []
    _plant(copy, module, planted)
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


def test_the_desktop_glue_never_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in _imports(path) if n.split(".")[0] in {"PySide6", "shiboken6", "qasync"}
        )
        for path in _modules_under("desktop")
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


# -- import cycles -------------------------------------------------------------------------------------


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that can run: imports inside functions count (they run when called), imports under
    ``if TYPE_CHECKING:`` do not (annotations may name a module that imports this one)."""
    found: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        found.append(node)
        if _is_type_checking(node):
            stack.extend(node.orelse)  # type: ignore[attr-defined]
        else:
            stack.extend(ast.iter_child_nodes(node))
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports at run time (``from a import b`` names ``a.b`` when
    ``b`` is a module, else ``a``)."""
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                for alias in node.names:
                    if f"{module}.{alias.name}" in modules:
                        targets.add(f"{module}.{alias.name}")
                    elif module in modules:
                        targets.add(module)
        graph[name] = targets - {name}
    return graph


def import_cycles(root: Path) -> list[list[str]]:
    """Each set of modules that import one another, directly or round about (Tarjan's components)."""
    graph = import_graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_itself_round_about() -> None:
    assert import_cycles(PACKAGE) == []


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("options.py", "def lazily():\n    from desktop_app import cli\n"),
        ("core/models.py", "from desktop_app.core.inbox import Inbox\n"),
        ("instance/lock.py", "def lazily():\n    from desktop_app.instance import forward\n"),
    ],
)
def test_the_cycle_check_catches_a_planted_cycle(tmp_path: Path, module: str, planted: str) -> None:
    copy = _package_copy(tmp_path)
    assert import_cycles(copy) == []
    _plant(copy, module, planted)
    assert len(import_cycles(copy)) == 1, planted


def test_an_annotation_only_import_is_no_cycle(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    planted = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from desktop_app import cli\n"
    _plant(copy, "options.py", planted)
    assert import_cycles(copy) == []


# -- strict typing -------------------------------------------------------------------------------------


def _strict_patterns() -> list[str]:
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns: list[str] = []
    for override in config["tool"]["mypy"]["overrides"]:
        if override.get("strict"):
            module = override["module"]
            patterns.extend([module] if isinstance(module, str) else module)
    return patterns


def _covered(module: str, patterns: list[str]) -> bool:
    return any(
        module == p or (p.endswith(".*") and (module == p[:-2] or module.startswith(p[:-1])))
        for p in patterns
    )


def test_strict_mypy_covers_every_qt_free_module() -> None:
    patterns = _strict_patterns()
    uncovered = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if any(n.split(".")[0] in {"PySide6", "shiboken6", "qasync"} for n in _imports(path)):
            continue
        parts = [PACKAGE.name, *path.relative_to(PACKAGE).with_suffix("").parts]
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not _covered(module, patterns):
            uncovered.append(module)
    assert uncovered == []


# -- module size ---------------------------------------------------------------------------------------

MAX_LINES = 300


def test_a_module_over_300_lines_says_why_at_its_top() -> None:
    unexplained = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_LINES and "Over 300 lines: " not in (
            ast.get_docstring(ast.parse(text)) or ""
        ):
            unexplained.append(str(path.relative_to(PACKAGE)))
    assert unexplained == []


# -- the Inbox is the door -----------------------------------------------------------------------------

INBOX_INTERNALS = {"store", "vault", "mailboxes", "_store", "_vault", "_mailboxes", "events"}


def inbox_reach_ins(root: Path, extra: list[Path]) -> list[str]:
    """``file:line`` for every ``<something inbox-like>.store/.vault/.mailboxes`` outside the core."""
    found = []
    files = [p for p in root.rglob("*.py") if "core" not in p.relative_to(root).parts[:1]] + extra
    for path in sorted(files):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in INBOX_INTERNALS:
                owner = ast.unparse(node.value)
                if "inbox" in owner.lower():
                    found.append(f"{path.name}:{node.lineno}: {owner}.{node.attr}")
    return found


def test_nothing_outside_the_core_reaches_past_the_inbox() -> None:
    tests = sorted(Path(__file__).parent.rglob("*.py"))
    assert inbox_reach_ins(PACKAGE, [t for t in tests if t.name != Path(__file__).name]) == []


def test_the_reach_in_check_has_teeth(tmp_path: Path) -> None:
    copy = _package_copy(tmp_path)
    assert inbox_reach_ins(copy, []) == []
    planted = "\n\ndef peek(controller):\n    return controller.inbox.store.unread_counts()\n"
    _plant(copy, "ui/inbox_controller.py", planted)
    assert len(inbox_reach_ins(copy, [])) == 1
