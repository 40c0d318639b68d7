"""Rasa's tracker store, read from outside Rasa: today's customers, idle conversations, erasure."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from renewals.storage.db import make_engine
from renewals.storage.tracker_store import TrackerStore
from tests.support.tracker_events import event, tracker_with

NOW = datetime(2026, 11, 28, 1, 0, tzinfo=timezone.utc)


def store_with(tmp_path, events) -> TrackerStore:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    tracker_with(url, events)
    return TrackerStore(make_engine(url))


def test_todays_customers_are_the_conversations_with_a_customer_message_since_midnight(tmp_path):
    store = store_with(tmp_path, [
        event("asked-today", "user", NOW - timedelta(minutes=5), text="hi"),
        event("bot-only-today", "bot", NOW - timedelta(minutes=5), text="Hello!"),
        event("asked-yesterday", "user", NOW - timedelta(days=1), text="hi"),
    ])  # fmt: skip
    assert store.customers_since(NOW - timedelta(hours=1)) == {"asked-today"}


def test_a_store_rasa_has_not_written_to_yet_has_nothing_to_count_or_delete(tmp_path):
    store = TrackerStore(make_engine(f"sqlite:///{tmp_path / 'empty.db'}"))
    assert store.customers_since(NOW) == set() and store.idle_since(NOW) == []
    assert store.mentioning("a@b.co") == set() and store.delete(["anyone"]) == (0, 0)


def test_conversations_mentioning_an_address_are_found_in_any_letter_case_and_deleted_whole(tmp_path):
    store = store_with(tmp_path, [
        event("jordan", "user", NOW, text="it's Jordan.Quill@AcmeWidgets.com.au"),
        event("jordan", "bot", NOW, text="Thanks"),
        event("someone-else", "user", NOW, text="jordan_quill@acme.com"),  # "_" is no wildcard
    ])  # fmt: skip
    found = store.mentioning("jordan.quill@acmewidgets.com.au")
    assert found == {"jordan"}
    assert store.delete(found) == (1, 2)
    assert store.mentioning("jordan") == {"someone-else"}


def test_each_conversations_last_customer_message_is_its_latest_user_event(tmp_path):
    store = store_with(tmp_path, [
        event("waiting", "user", NOW - timedelta(minutes=9), text="I need a person"),
        event("waiting", "bot", NOW - timedelta(minutes=8), text="Someone will join"),
        event("waiting", "user", NOW - timedelta(minutes=2), text="  hello? anyone there?  "),
        event("waiting", "bot", NOW - timedelta(minutes=1), text="Added to your case"),
        event("bot-only", "bot", NOW, text="Hello!"),
        event("not-asked-for", "user", NOW, text="hi"),
    ])  # fmt: skip
    last = store.last_customer_messages(["waiting", "bot-only", "unknown"])

    assert last == {"waiting": ("hello? anyone there?", NOW - timedelta(minutes=2))}
    assert store.last_customer_messages([]) == {}
