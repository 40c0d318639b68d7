"""Fixtures for the Slack tests: a demo database (SQLite) and a clock the test moves."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from renewals.db import make_engine
from renewals.importers import load_demo
from tests.support.clocks import ManualClock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def demo_database_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("slack-demo") / "renewals.db"
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, ROOT / "demo")
    engine.dispose()
    return path


@pytest.fixture
def demo_url(demo_database_template, tmp_path) -> str:
    path = tmp_path / "renewals.db"
    shutil.copyfile(demo_database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def demo_engine(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
