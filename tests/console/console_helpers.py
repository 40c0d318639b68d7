"""Fixtures and helpers for the console tests, imported by name (a conftest.py here would
shadow tests/actions/conftest.py, which its tests import as `conftest`)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend
from renewals.db import make_engine
from renewals.importers import load_demo

ROOT = Path(__file__).resolve().parents[2]


def user_tracker(text: str, intent: str, slots: Optional[Dict[str, Any]] = None) -> Tracker:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [],
             "intent_ranking": [{"name": intent, "confidence": 0.95}]}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": parse}]
    return Tracker("test-user", {"failed_lookups": 0, **(slots or {})}, parse, events, False, None, {}, "action_listen")


async def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events



@pytest.fixture(scope="session")
def console_demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("console-demo") / "renewals.db"
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, ROOT / "demo")
    engine.dispose()
    return path


@pytest.fixture
def demo_database(tmp_path, monkeypatch, console_demo_template):
    """A fresh SQLite copy of the demo data, the clock at 2026-11-28 (a Saturday), for the action server's facade."""
    path = tmp_path / "renewals.db"
    shutil.copyfile(console_demo_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-28")
    backend.renewals.cache_clear()
    yield url
    backend.renewals.cache_clear()
