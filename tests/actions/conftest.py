"""Action tests: a real SQLite database with the demo data, the clock at 2026-11-28,
and trackers built the way Rasa sends them to the action server."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import backend
from renewals.db import make_engine
from renewals.importers import load_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def demo_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'renewals.db'}"
    engine = make_engine(url)
    load_demo(engine, ROOT / "demo")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-28")
    backend.renewals.cache_clear()
    yield url
    backend.renewals.cache_clear()


def user_tracker(
    text: str,
    intent: str,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    earlier_intents: Optional[List[str]] = None,
) -> Tracker:
    """The tracker after the user said `text`, with slots as Rasa would have set them."""
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities or [],
             "intent_ranking": [{"name": intent, "confidence": 0.95}]}
    events = [
        {"event": "user", "text": f"earlier {i}", "parse_data": {"intent": {"name": i, "confidence": 0.9}}}
        for i in earlier_intents or []
    ] + [{"event": "user", "text": text, "parse_data": parse}]
    return Tracker("test-user", {"failed_lookups": 0, **(slots or {})}, parse, events, False, None, {}, "action_listen")


def entity(name: str, value: Any) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "DomainEntityExtractor"}


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events
