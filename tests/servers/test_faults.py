"""A part fails: the customer still gets an answer, and nothing is lost."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from channels.replies import NO_REPLY_APOLOGY
from scripts.live_assistant import http, running_assistant

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


@pytest.fixture(scope="module")
def fragile(tmp_path_factory):
    """A live assistant of its own: these tests stop its action server."""
    with running_assistant(tmp_path_factory.mktemp("faults")) as live:
        yield live


def test_with_the_action_server_killed_mid_form_the_customer_gets_an_apology_not_silence(fragile):
    sender = f"fault-{uuid.uuid4().hex}"
    assert "company" in fragile.say(sender, "I want to renew my maintenance").lower()
    actions = fragile.processes["actions"]
    actions.kill()
    actions.wait(timeout=30)

    assert fragile.say(sender, "Acme Widgets Pty Ltd") == NO_REPLY_APOLOGY
    assert fragile.say(sender, "hello?") == NO_REPLY_APOLOGY
    # What the customer typed is still in the conversation for when the assistant is back.
    texts = [e.get("text") for e in fragile.tracker(sender)["events"] if e["event"] == "user"]
    assert texts[-2:] == ["Acme Widgets Pty Ltd", "hello?"]


def test_while_the_conversations_database_is_down_rest_answers_503_and_the_conversation_survives(
    tmp_path_factory,
):
    # Rasa's default would carry on from an empty conversation kept in memory, losing it for good.
    with running_assistant(tmp_path_factory.mktemp("tracker-down")) as live:
        sender = f"fault-{uuid.uuid4().hex}"
        assert "company" in live.say(sender, "I want to renew my maintenance").lower()
        database = Path(live.env["TRACKER_DB"])
        away = database.with_name("tracker.db.away")
        database.rename(away)
        database.mkdir()  # the database can't be opened: as good as a stopped server
        try:
            status, body = http(
                "POST",
                f"{live.rasa_url}/webhooks/rest/webhook",
                {"sender": sender, "message": "Acme Widgets Pty Ltd"},
                {"Authorization": f"Bearer {live.rest_token}"},
            )
            assert (status, body["text"]) == (503, NO_REPLY_APOLOGY)
            assert http("GET", f"{live.rasa_url}/webhooks/rest/")[0] == 503  # the health check is red
        finally:
            database.rmdir()
            away.rename(database)

        assert http("GET", f"{live.rasa_url}/webhooks/rest/")[0] == 200
        # Back where it was: the form asks for the company again, and takes it.
        assert "address" in live.say(sender, "Acme Widgets Pty Ltd").lower()
