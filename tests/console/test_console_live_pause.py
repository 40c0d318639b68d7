"""Against a real Rasa and action server: asking for a person pauses the bot, messages during the pause
are recorded and answered only with a notice that they reached the case, an agent's reply is recorded
and then delivered through Rasa, and resolving gives the chat back."""

from __future__ import annotations

import re
import uuid

import pytest

from console.rasa import transcript
from renewals.cases import EventKind
from renewals.delivery.rasa_conversations import RasaApiConfig, RasaConversationSender
from renewals.service import Renewals
from scripts.live_assistant import running_assistant

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("console-live")) as assistant:
        yield assistant


def test_handoff_pauses_the_bot_until_an_agent_resolves(live):
    sender = f"live-{uuid.uuid4().hex}"
    reply = live.say(sender, "I'd like to talk to a person")
    reference = re.search(r"RN-\d{4}-\d{6}", reply).group(0)
    assert "keeps your place" in reply  # the demo date is a Saturday: nobody can join now
    assert live.tracker(sender)["paused"] is True

    # Recorded, not answered by the assistant: the channel says the message reached the case, and when.
    [notice] = live.send(sender, "hello, is anyone there?")
    assert notice["custom"] == {"notice": True}
    assert notice["text"] == (
        f"Added to your case {reference}. Someone from the support team will reply here from Monday "
        "30 November at 8:30 am Auckland time: you can keep typing."  # no licence: the first to open
    )
    assert live.say(sender, "How do I renew my maintenance?").startswith(f"Added to your case {reference}.")
    assert "You're welcome. Your case" in live.say(sender, "thanks heaps")
    assert "I'm the virtual assistant" in live.say(sender, "wait am I talking to a bot?")
    lines = transcript(live.tracker(sender)["events"])
    paused_lines = [line["text"] for line in lines if line.get("while_paused")]
    assert paused_lines == [
        "hello, is anyone there?",
        "How do I renew my maintenance?",
        "thanks heaps",
        "wait am I talking to a bot?",
    ]

    renewals = Renewals.from_env(live.env)
    case = renewals.case(reference)
    assert case.conversation_id == sender and case.history[-1].kind == EventKind.HANDOFF_REQUESTED
    chat = RasaConversationSender(RasaApiConfig(live.rasa_url, live.token))

    renewals.record_reply(reference, "alice", "Hi, this is Alice from support.", "Alice")
    assert renewals.deliver_conversation_messages(chat, reference) == 0
    tracker = live.tracker(sender)
    assert tracker["paused"] is True
    assert tracker["events"][-1]["text"] == "Alice (support team): Hi, this is Alice from support."
    assert tracker["events"][-1]["metadata"]["agent"] == "Alice"

    renewals.resolve_case(reference, "alice", None, "Alice", "Handing you back to the assistant.")
    assert renewals.deliver_conversation_messages(chat, reference) == 0
    tracker = live.tracker(sender)
    assert tracker["paused"] is False
    assert [e.get("text") for e in tracker["events"] if e["event"] == "bot"][-1] == (
        "Alice (support team): Handing you back to the assistant."
    )
    answer = live.say(sender, "How do I renew my maintenance?")
    assert "reseller" in answer.lower()
