"""The architecture checks itself: the one-way import rule and the rooms' rules, read from the
source with ``ast`` (nothing is imported, so a violation is found even in code no test runs).

config <- storage <- bot (rules, services, runtime) <- handlers <- bot/app.py (the composition
root) <- bot/cli.py (the commands) <- bot/launcher.py (the entry point). ``storage/`` and
``config/`` never import ``telegram``; ``handlers/`` never imports ``storage`` nor reaches the
repositories (it calls services); SQL is written only in ``storage/``; rule modules never import
``telegram`` or ``aiosqlite``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
PACKAGES: Final = ("config", "storage", "bot", "handlers")

LAYERS: Final = {"config": 0, "storage": 1, "bot": 2, "handlers": 3}
"""Each package's place in the one-way rule: a module imports only from its layer and below."""
COMPOSITION: Final = {"bot.app": 4, "bot.cli": 5, "bot.launcher": 6}
"""The composition root (the only importer of handlers) and the command line that runs it."""

PENDING: Final[frozenset[str]] = frozenset()
"""Handler modules not yet moved onto their services: still allowed to import ``storage`` and
use ``context.repos``. It must be empty: remove a module once its feature has its service."""

PURE_MODULES: Final = (
    "bot.access",
    "bot.announcements",
    "bot.commands",
    "bot.continents",
    "bot.countries",
    "bot.experiences",
    "bot.meetings",
    "bot.meetings.recurrence",
    "bot.meetings.slots",
    "bot.permissions",
    "bot.rendering",
    "bot.reviews",
    "bot.routing",
    "bot.start",
)
"""Rule modules outside a feature package (each feature package's ``rules.py`` is one too).
A module listed here that became a package is checked as ``<package>/rules.py``."""
FRAMEWORKS: Final = ("telegram", "aiosqlite")

SQL: Final = re.compile(
    r"\b(SELECT\s[\s\S]+?\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE)\b"
)
"""SQL as written in ``storage/`` (upper-case keywords, so English prose never matches)."""


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def package(self) -> str:
        return self.name.split(".")[0]

    @property
    def layer(self) -> int:
        return COMPOSITION.get(self.name, LAYERS[self.package])

    @property
    def tree(self) -> ast.Module:
        return _parse(self.path)

    def imports(self) -> Iterator[tuple[str, int]]:
        """Every module this one imports (anywhere in it), with the line."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield node.module, node.lineno
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", node.lineno


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> tuple[Module, ...]:
    found = [
        Module(_module_name(path), path)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if ".venv" not in path.parts
    ]
    return tuple(found)


def _in(package: str) -> list[Module]:
    return [module for module in modules() if module.package == package]


def _layer_of(imported: str) -> int | None:
    """The layer of an imported module of the project; None for the standard library and
    third-party packages."""
    top = imported.split(".")[0]
    if top not in LAYERS:
        return None
    for name, layer in COMPOSITION.items():
        if imported == name or imported.startswith(f"{name}."):
            return layer
    return LAYERS[top]


def _is(imported: str, package: str) -> bool:
    return imported == package or imported.startswith(f"{package}.")


def test_the_rooms_are_where_the_design_says() -> None:
    names = {module.name for module in modules()}
    assert {"config", "storage", "bot", "handlers", "bot.app", "bot.cli"} <= names
    assert len(_in("handlers")) >= 10


def test_imports_go_one_way() -> None:
    wrong = [
        f"{module.path.relative_to(ROOT)}:{line} imports {imported}"
        for module in modules()
        for imported, line in module.imports()
        if (layer := _layer_of(imported)) is not None and layer > module.layer
    ]
    assert wrong == []


def test_only_the_composition_root_imports_handlers() -> None:
    importers = {
        module.name
        for module in modules()
        if module.package != "handlers"
        and any(_is(imported, "handlers") for imported, _line in module.imports())
    }
    assert importers == {"bot.app"}


@pytest.mark.parametrize("package", ["config", "storage"])
def test_config_and_storage_never_import_telegram(package: str) -> None:
    wrong = [
        f"{module.path.relative_to(ROOT)}:{line} imports {imported}"
        for module in _in(package)
        for imported, line in module.imports()
        if _is(imported, "telegram")
    ]
    assert wrong == []


def test_handlers_never_import_storage() -> None:
    wrong = [
        f"{module.path.relative_to(ROOT)}:{line} imports {imported}"
        for module in _in("handlers")
        if module.name not in PENDING
        for imported, line in module.imports()
        if _is(imported, "storage")
    ]
    assert wrong == []


def test_handlers_never_reach_the_repositories() -> None:
    """``context.repos`` (or any ``.repos``) is for services; a handler calls a service."""
    wrong = [
        f"{module.path.relative_to(ROOT)}:{node.lineno} uses .repos"
        for module in _in("handlers")
        if module.name not in PENDING
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Attribute) and node.attr == "repos"
    ]
    assert wrong == []


HANDLER_LINES: Final = 450
"""A handler module that grows past this has taken on what belongs in a service."""


def test_no_handler_module_grows_past_450_lines() -> None:
    long = {
        str(module.path.relative_to(ROOT)): lines
        for module in _in("handlers")
        if (lines := len(module.path.read_text(encoding="utf-8").splitlines())) > HANDLER_LINES
    }
    assert long == {}


def test_the_pending_handlers_exist() -> None:
    """A module that left PENDING (or was renamed) must not linger in it."""
    names = {module.name for module in _in("handlers")}
    assert sorted(PENDING - names) == []


def _strings(tree: ast.Module) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def test_no_sql_outside_storage() -> None:
    wrong = [
        f"{module.path.relative_to(ROOT)}:{node.lineno}: {str(node.value)[:60]!r}"
        for module in modules()
        if module.package != "storage"
        for node in _strings(module.tree)
        if SQL.search(str(node.value))
    ]
    assert wrong == []


def test_the_sql_pattern_finds_sql_and_not_prose() -> None:
    assert SQL.search("SELECT id FROM people WHERE telegram_id = ?")
    assert SQL.search("INSERT OR IGNORE INTO chats (id) VALUES (?)")
    assert SQL.search("UPDATE people SET language = ? WHERE id = ?")
    assert SQL.search("DELETE FROM drafts WHERE person_id = ?")
    assert SQL.search("PRAGMA user_version")
    assert not SQL.search("Select a group from the list, then delete from your notes.")
    assert not SQL.search("Delete my data")


def rule_modules() -> list[Module]:
    by_name = {module.name: module for module in modules()}
    rules = [module for module in _in("bot") if module.name.endswith(".rules")]
    for name in PURE_MODULES:
        module = by_name.get(name) or by_name.get(f"{name}.rules")
        assert module is not None, f"{name} is gone: update PURE_MODULES"
        rules.append(module)
    return rules


def test_rule_modules_never_import_telegram_or_aiosqlite() -> None:
    checked = rule_modules()
    wrong = [
        f"{module.path.relative_to(ROOT)}:{line} imports {imported}"
        for module in checked
        for imported, line in module.imports()
        if any(_is(imported, framework) for framework in FRAMEWORKS)
    ]
    assert {"bot.groups.rules", "bot.profile.rules", "bot.access"} <= {m.name for m in checked}
    assert wrong == []


def test_the_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    """The walker sees imports anywhere in a module, the way the checks read them."""
    source = tmp_path / "sample.py"
    source.write_text(
        "import telegram\n"
        "def f():\n"
        "    from storage import Person\n"
        "    return context.repos.people\n"
        "SQL = 'SELECT * FROM people'\n",
        encoding="utf-8",
    )
    module = Module("handlers.sample", source)
    imported = [name for name, _line in module.imports()]
    assert "telegram" in imported
    assert "storage.Person" in imported
    assert any(isinstance(n, ast.Attribute) and n.attr == "repos" for n in ast.walk(module.tree))
    assert any(SQL.search(str(n.value)) for n in _strings(module.tree))
    assert _layer_of("handlers.groups") == 3 > Module("bot.x", source).layer
