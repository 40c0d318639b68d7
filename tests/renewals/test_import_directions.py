"""Imports run one way: entry points -> services -> domain; storage, delivery and jobs serve them; nothing in
the domain knows a database, a sender or Rasa, and no module imports another's private names or forms a cycle.

- domain: the flat modules of `renewals/` (rules, models, parsing), except the services below;
- services (`SERVICES`): use cases run in a unit of work, for the actions, the console and the command line;
- `renewals/storage`, `renewals/delivery`, `renewals/jobs`, `renewals/cli`: the packages named so;
- `actions/`: the Rasa actions, which call the services and never SQLAlchemy.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from renewals.storage.db import PROJECT_ROOT

SERVICES = {
    "service",
    "case_service",
    "notice_service",
    "agents",
    "importers",
    "privacy",
    "rate_limits",
    "reseller_access",
}
PACKAGES = ("storage", "delivery", "jobs", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[ast.ImportFrom | ast.Import]:
    return [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in imports_of(path):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def is_domain(path: Path) -> bool:
    relative = path.relative_to(PROJECT_ROOT / "renewals")
    return len(relative.parts) == 1 and relative.stem not in SERVICES | {"__main__", "__init__"}


RENEWALS = sorted((PROJECT_ROOT / "renewals").rglob("*.py"))
DOMAIN = [path for path in RENEWALS if is_domain(path)]
ACTIONS = sorted((PROJECT_ROOT / "actions").glob("*.py"))
FOLDERS = ("renewals", "actions", "action_server", "channels", "console", "web", "nlu_components")
ALL_SOURCES = sorted(
    path
    for folder in FOLDERS
    for path in (PROJECT_ROOT / folder).rglob("*.py")
    if "node_modules" not in path.parts
)


def ids(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


@pytest.mark.parametrize("source", DOMAIN, ids=ids)
def test_the_domain_imports_no_storage_delivery_jobs_or_database(source):
    forbidden = [f"renewals.{package}" for package in PACKAGES] + ["sqlalchemy", "alembic"]
    found = {name for name in imported_names(source) if any(name.startswith(f) for f in forbidden)}
    assert not found


@pytest.mark.parametrize("source", ACTIONS, ids=ids)
def test_actions_import_no_sqlalchemy_and_no_storage(source):
    found = {n for n in imported_names(source) if n.startswith(("sqlalchemy", "renewals.storage"))}
    assert not found


@pytest.mark.parametrize("source", ALL_SOURCES, ids=ids)
def test_no_module_imports_a_private_name_from_another(source):
    private = [
        f"{node.module}.{alias.name}"
        for node in imports_of(source)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert not private


def modules_imported(path: Path, known: set[str]) -> set[str]:
    """The project's modules `path` imports: for `from package import module`, the module, not the package."""
    found = set()
    for node in imports_of(path):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            found |= submodules or ({node.module} & known)
    return found


def test_no_import_cycles_between_modules():
    known = {module_name(path) for path in ALL_SOURCES}
    graph = {module_name(path): modules_imported(path, known) - {module_name(path)} for path in ALL_SOURCES}
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "visiting"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "visiting":
                cycles.append(trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles
