"""The demo data in SQLite: loaded once per test session, copied for each test.

Import the fixtures by name where they are used (`from tests.support.demo_data import ...`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from actions import backend
from renewals.importers import load_demo
from renewals.storage.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_database_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "renewals.db"
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, ROOT / "demo")
    engine.dispose()
    return path


def copy_of(template: Path, directory: Path) -> str:
    """A fresh copy of the demo database in `directory`, as a database URL."""
    path = directory / "renewals.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_database(tmp_path, monkeypatch, demo_database_template):
    """A fresh copy of the demo data, the clock at 2026-11-28 (a Saturday), for the action server's facade."""
    url = copy_of(demo_database_template, tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-28")
    monkeypatch.setenv("RENEWALS_NOW", "2026-11-28T12:00+11:00")  # midday: support-hours answers are fixed
    monkeypatch.setenv("NOTICE_LINK_SECRET", "a-test-secret-for-renewal-notice-links")
    backend.renewals.cache_clear()
    yield url
    backend.renewals.cache_clear()
