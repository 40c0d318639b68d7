"""Fixtures for the Slack tests: a demo database (SQLite) and a clock the test moves."""

from __future__ import annotations

import pytest

from renewals.storage.db import make_engine
from tests.support.clocks import ManualClock
from tests.support.demo_data import copy_of


@pytest.fixture
def demo_url(demo_database_template, tmp_path) -> str:
    return copy_of(demo_database_template, tmp_path)


@pytest.fixture
def demo_engine(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
