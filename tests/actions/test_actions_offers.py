"""A "yes" takes up what the assistant offered in its last turn, and nothing older."""

import pytest

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


async def test_after_what_happens_without_renewing_a_customer_with_a_known_licence_is_offered_its_figure():
    from actions.faq import ActionAnswerFaq

    code = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
    asked = _faq_tracker("what if we don't renew?", "faq/no_renewal_consequences", {"activation_code": code})
    messages, events = await run(ActionAnswerFaq(), asked)
    assert messages[-1]["text"] == "Would you like the exact figure for your licence?"
    assert {"event": "slot", "name": "offer", "value": "quote", "timestamp": None} in events


async def test_the_rule_on_lapsing_offers_the_quote_itself_once_and_a_yes_takes_it_up():
    from actions.faq import ActionAnswerFaq

    code = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
    asked = _faq_tracker("do we really pay for the gap?", "faq/lapsed_maintenance", {"activation_code": code})
    messages, events = await run(ActionAnswerFaq(), asked)
    # The answer ends "I can work out exactly what that would cost for your licence. [Quote my renewal]".
    assert [m.get("response") for m in messages] == ["utter_faq/lapsed_maintenance"]
    assert {"event": "slot", "name": "offer", "value": "quote", "timestamp": None} in events


def _faq_tracker(text: str, topic: str, slots=None):
    tracker = user_tracker(text, "faq", slots=slots)
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": topic, "confidence": 0.9}}
    }
    return tracker


@pytest.mark.parametrize(
    "text, topic",
    [
        ("and then what happens", "faq/no_renewal_consequences"),
        ("What are the next steps now that I have sent the details?", "faq/renewal_info_required"),
    ],
)
async def test_once_a_case_is_open_a_next_steps_question_gets_its_status_whatever_the_topic(text, topic):
    from actions.faq import ActionAnswerFaq

    asked = _faq_tracker(text, topic, slots={"case_reference": "RN-2026-000001"})
    messages, _ = await run(ActionAnswerFaq(), asked)
    # The case status answer (this test's database has no such case: it says so, naming the reference).
    assert "RN-2026-000001" in messages[0]["text"]


async def test_once_a_case_is_open_what_happens_if_it_runs_out_still_gets_the_faq_answer():
    from actions.faq import ActionAnswerFaq

    asked = _faq_tracker(
        "what happens next if it runs out",
        "faq/no_renewal_consequences",
        slots={"case_reference": "RN-2026-000001"},
    )
    messages, _ = await run(ActionAnswerFaq(), asked)
    assert messages[0]["response"] == "utter_faq/no_renewal_consequences"


async def test_without_a_case_and_then_what_happens_gets_the_faq_answer():
    from actions.faq import ActionAnswerFaq

    messages, _ = await run(ActionAnswerFaq(), _faq_tracker("and then what happens", "faq/how_to_renew"))
    assert messages[0]["response"] == "utter_faq/how_to_renew"


async def test_once_the_licence_is_known_who_do_we_go_thru_names_its_reseller():
    from actions.faq import ActionAnswerFaq

    asked = _faq_tracker(
        "who do we go thru for this",
        "faq/how_to_renew",
        slots={"activation_code": "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"},
    )
    messages, _ = await run(ActionAnswerFaq(), asked)
    assert (
        "Your reseller for the Worry-Free Business Security Standard licence is Harbour Systems"
        in (messages[0]["text"])
    )


async def test_without_a_licence_who_do_we_renew_through_gets_the_how_to_renew_answer():
    from actions.faq import ActionAnswerFaq

    messages, _ = await run(ActionAnswerFaq(), _faq_tracker("who do we renew through", "faq/how_to_renew"))
    assert messages[0]["response"] == "utter_faq/how_to_renew"
