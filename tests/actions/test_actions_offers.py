"""A "yes" takes up what the assistant offered in its last turn, and nothing older."""
from actions.offers import ActionAcceptOffer
from tests.support.trackers import run

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def tracker_with(events, slots):
    from rasa_sdk import Tracker

    latest = {"text": "yes", "intent": {"name": "affirm", "confidence": 0.9}, "entities": []}
    return Tracker("t", slots, latest, events + [{"event": "user", "text": "yes", "parse_data": latest}],
                   False, None, {}, "action_listen")


async def test_yes_to_a_quote_offered_just_now_gives_the_quote():
    events = [{"event": "user", "text": "check it"}, {"event": "slot", "name": "offer", "value": "quote"}]
    messages, _ = await run(ActionAcceptOffer(), tracker_with(events, {"offer": "quote", "activation_code": QUOKKA}))
    assert "Total: AUD 2,294.05 incl. GST" in messages[0]["text"]


async def test_yes_after_the_conversation_moved_on_does_not_take_up_an_old_offer():
    events = [
        {"event": "user", "text": "quote please"}, {"event": "slot", "name": "offer", "value": "renewal"},
        {"event": "user", "text": "blorp"}, {"event": "bot", "text": "Did you mean ...?"},
    ]
    messages, _ = await run(ActionAcceptOffer(), tracker_with(events, {"offer": "renewal"}))
    assert messages[0]["text"].startswith("Great. What would you like to do next?")
