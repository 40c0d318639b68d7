"""A conversation that floods the assistant is asked to slow down; its messages are not passed on."""

from __future__ import annotations

import uuid

import pytest

from channels.replies import SLOW_DOWN
from scripts.live_assistant import http, running_assistant


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    with running_assistant(
        tmp_path_factory.mktemp("limits"), extra_env={"RATE_LIMIT_MESSAGES_PER_MINUTE": "3"}
    ) as live:
        yield live


def post(live, sender, text):
    return http(
        "POST",
        f"{live.rasa_url}/webhooks/rest/webhook",
        {"sender": sender, "message": text},
        {"Authorization": f"Bearer {live.rest_token}"},
    )


def test_the_fourth_message_in_a_minute_is_answered_with_a_request_to_slow_down(limited):
    sender, other = f"flood-{uuid.uuid4().hex}", f"calm-{uuid.uuid4().hex}"
    for text in ("hi", "how do I renew?", "thanks"):
        assert post(limited, sender, text)[0] == 200

    status, replies = post(limited, sender, "hello again")

    assert (status, [reply["text"] for reply in replies]) == (429, [SLOW_DOWN])
    users = [e["text"] for e in limited.tracker(sender)["events"] if e["event"] == "user"]
    assert users == ["hi", "how do I renew?", "thanks"]  # the fourth never reached the assistant
    assert post(limited, other, "hi")[0] == 200  # another conversation has its own allowance
