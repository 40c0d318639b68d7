"""Fixtures for the Slack tests: a demo database (SQLite) and a clock the test moves."""
from __future__ import annotations

import shutil
import threading
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from renewals.clock import SYDNEY
from renewals.db import make_engine
from renewals.importers import load_demo

ROOT = Path(__file__).resolve().parents[2]
DEMO_TODAY = date(2026, 11, 28)


class ManualClock:
    """Today is the demo date; now() starts at noon in Sydney and moves only when told."""

    def __init__(self) -> None:
        self._now = datetime.combine(DEMO_TODAY, time(12), SYDNEY).astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return self.now().astimezone(SYDNEY).date()

    def advance(self, **delta) -> None:
        with self._lock:
            self._now += timedelta(**delta)


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
