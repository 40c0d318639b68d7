"""A "yes" takes up what the assistant offered in its last turn, and nothing older."""

from actions.offers import ActionAcceptOffer
from tests.support.trackers import run, user_tracker

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def tracker_with(events, slots):
    from rasa_sdk import Tracker

    latest = {"text": "yes", "intent": {"name": "affirm", "confidence": 0.9}, "entities": []}
    return Tracker(
        "t",
        slots,
        latest,
        events + [{"event": "user", "text": "yes", "parse_data": latest}],
        False,
        None,
        {},
        "action_listen",
    )


async def test_yes_to_a_quote_offered_just_now_gives_the_quote():
    events = [{"event": "user", "text": "check it"}, {"event": "slot", "name": "offer", "value": "quote"}]
    messages, _ = await run(
        ActionAcceptOffer(), tracker_with(events, {"offer": "quote", "activation_code": QUOKKA})
    )
    assert "Total: AUD 2,294.05 incl. GST" in messages[0]["text"]


async def test_yes_after_the_conversation_moved_on_does_not_take_up_an_old_offer():
    events = [
        {"event": "user", "text": "quote please"},
        {"event": "slot", "name": "offer", "value": "renewal"},
        {"event": "user", "text": "blorp"},
        {"event": "bot", "text": "Did you mean ...?"},
    ]
    messages, _ = await run(ActionAcceptOffer(), tracker_with(events, {"offer": "renewal"}))
    assert messages[0]["text"].startswith("Great. What would you like to do next?")


async def test_after_the_rule_on_lapsing_a_customer_with_a_known_licence_is_offered_its_exact_figure():
    from actions.faq import ActionAnswerFaq

    code = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
    asked = user_tracker("do we really pay for the gap?", "faq", slots={"activation_code": code})
    asked.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/lapsed_maintenance", "confidence": 0.9}}
    }
    messages, events = await run(ActionAnswerFaq(), asked)
    assert messages[-1]["text"] == "Would you like the exact figure for your licence?"
    assert {"event": "slot", "name": "offer", "value": "quote", "timestamp": None} in events
