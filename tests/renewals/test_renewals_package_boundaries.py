"""The domain package stays free of Rasa and of hidden clocks."""

from __future__ import annotations

import ast

import pytest

from renewals.storage.db import PROJECT_ROOT

SOURCES = sorted((PROJECT_ROOT / "renewals").rglob("*.py"))
source_files = pytest.mark.parametrize(
    "source", SOURCES, ids=lambda path: str(path.relative_to(PROJECT_ROOT))
)


def imported_modules(tree: ast.AST) -> set[str]:
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def called_names(tree: ast.AST) -> set[str]:
    return {
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }


@source_files
def test_no_module_imports_rasa(source):
    modules = imported_modules(ast.parse(source.read_text()))

    assert not [module for module in modules if module.split(".")[0] in ("rasa", "rasa_sdk")]


@source_files
def test_only_the_clock_reads_the_system_date(source):
    if source.name == "clock.py":
        return
    calls = called_names(ast.parse(source.read_text()))

    assert not calls & {"date.today", "datetime.today", "datetime.now", "datetime.utcnow"}
