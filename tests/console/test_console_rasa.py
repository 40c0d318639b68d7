"""What the case page reads from the conversation Rasa returns."""

from datetime import datetime, timezone

from console.rasa import last_customer_message
from renewals.storage.tracker_store import CustomerMessage


def test_the_last_customer_message_comes_from_the_conversation_already_read():
    events = [
        {"event": "user", "text": "when does my licence expire", "timestamp": 1764288000.0},
        {"event": "bot", "text": "It expires on 27 May 2027.", "timestamp": 1764288001.0},
        {"event": "user", "text": " is anyone there? ", "timestamp": 1764288060.0},
        {"event": "action", "name": "action_listen", "timestamp": 1764288061.0},
    ]
    assert last_customer_message(events) == CustomerMessage(
        "is anyone there?", datetime.fromtimestamp(1764288060.0, timezone.utc)
    )


def test_a_conversation_without_a_customer_message_has_none():
    assert last_customer_message([{"event": "bot", "text": "G'day!", "timestamp": 1.0}]) is None
    assert last_customer_message([]) is None
