"""Trackers built the way Rasa sends them to the action server, and a way to run an action."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


def user_tracker(
    text: str,
    intent: str,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    earlier_intents: Optional[List[str]] = None,
) -> Tracker:
    """The tracker after the user said `text`, with slots as Rasa would have set them."""
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.95},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": 0.95}],
    }
    events = [
        {"event": "user", "text": f"earlier {i}", "parse_data": {"intent": {"name": i, "confidence": 0.9}}}
        for i in earlier_intents or []
    ] + [{"event": "user", "text": text, "parse_data": parse}]
    return Tracker(
        "test-user", {"failed_lookups": 0, **(slots or {})}, parse, events, False, None, {}, "action_listen"
    )


def entity(name: str, value: Any) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "DomainEntityExtractor"}


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(action, tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events
