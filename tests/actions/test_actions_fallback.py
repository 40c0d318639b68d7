"""Two-stage fallback: suggestions first, a person after a second miss."""

from actions.fallback import ActionAnswerOffTopic, ActionHandleFallback, suggested_topics
from tests.support.trackers import entity, run, user_tracker


def unsure_parse():
    return {
        "intent": {"name": "nlu_fallback", "confidence": 0.6},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.6},
            {"name": "faq", "confidence": 0.55},
            {"name": "check_license_expiry", "confidence": 0.30},
            {"name": "greet", "confidence": 0.05},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/lost_activation_code", "confidence": 0.5},
                    {"intent_response_key": "faq/activation_code_after_renewal", "confidence": 0.4},
                    {"intent_response_key": "faq/how_to_renew", "confidence": 0.1},
                ]
            }
        },
    }


def test_suggestions_rank_faq_topics_and_task_intents_together():
    assert suggested_topics(unsure_parse()) == [
        "check_license_expiry",
        "faq/lost_activation_code",
        "faq/activation_code_after_renewal",
    ]


async def test_first_miss_offers_did_you_mean_buttons_that_are_real_questions():
    tracker = user_tracker("activation thingy renewal??", "nlu_fallback")
    tracker.latest_message.update(unsure_parse())
    messages, events = await run(ActionHandleFallback(), tracker)
    assert "Did you mean" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "When does my licence expire?",
        "How can I replace a lost Activation Code?",
        "Do I need a new Activation Code after renewal?",
    ]
    assert events == []


async def test_second_miss_in_a_row_offers_a_person():
    tracker = user_tracker("hmm", "nlu_fallback", earlier_intents=["greet", "nlu_fallback"])
    messages, events = await run(ActionHandleFallback(), tracker)
    assert "put you in touch with a person" in messages[0]["text"]
    assert {"event": "slot", "name": "offer", "value": "handoff", "timestamp": None} in events


async def test_a_miss_after_an_understood_message_starts_over():
    tracker = user_tracker("hmm", "nlu_fallback", earlier_intents=["nlu_fallback", "greet"])
    messages, _ = await run(ActionHandleFallback(), tracker)
    assert "Did you mean" in messages[0]["text"]


async def test_an_activation_code_is_understood_even_when_the_wording_is_not():
    code = "WS-2ZDQ-YG9N8-TZCHQ-444XL-FXQN5-BKM22"
    tracker = user_tracker(f"errr {code} ??", "nlu_fallback", slots={"pending_task": "expiry"})
    messages, _ = await run(ActionHandleFallback(), tracker)
    assert "2 January 2028" in messages[0]["text"]


async def test_an_unclear_message_with_a_user_count_changes_the_last_quote():
    code = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
    slots = {"activation_code": code, "quoted_code": code, "user_count": 20.0}
    tracker = user_tracker(
        "and for 20 seats?",
        "nlu_fallback",
        slots=slots,
        entities=[{"entity": "user_count", "value": 20, "start": 8, "end": 16}],
    )
    messages, _ = await run(ActionHandleFallback(), tracker)
    assert "(1 year, 20 users): AUD 840.00" in messages[0]["text"]


async def test_an_unclear_request_to_lodge_a_renewal_starts_the_checklist():
    tracker = user_tracker("need to lodge a renewal, no code handy", "nlu_fallback")
    messages, events = await run(ActionHandleFallback(), tracker)
    # as many details as the summary's "change" buttons: nine
    assert "I'll collect the 9 details your reseller needs to renew" in messages[0]["text"]
    assert any(event["event"] == "followup" and event["name"] == "renewal_form" for event in events)


async def test_an_unclear_question_about_how_to_lodge_a_renewal_does_not_start_it():
    tracker = user_tracker("how do i lodge a renewal", "nlu_fallback")
    messages, events = await run(ActionHandleFallback(), tracker)
    assert not any(event.get("name") == "renewal_form" for event in events)


async def test_once_a_case_is_open_an_unclear_when_do_we_get_the_certificate_is_about_that_case():
    tracker = user_tracker(
        "what happens now? when do we get the certificate",
        "nlu_fallback",
        slots={"case_reference": "RN-2026-000001"},
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.6},
        {"name": "faq", "confidence": 1.0},
    ]
    tracker.latest_message["response_selector"] = {
        "faq": {"response": {"intent_response_key": "faq/renewal_time", "confidence": 0.43}}
    }
    messages, _ = await run(ActionHandleFallback(), tracker)
    # The case status answer (no such case in this test's database: it says so, naming the reference).
    assert "RN-2026-000001" in messages[0]["text"] and "not sure I understood" not in messages[0]["text"]


async def test_an_unclear_message_that_is_most_likely_off_topic_gets_the_off_topic_answer():
    tracker = user_tracker("how much does it cost to fly syd to queenstown these days", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "out_of_scope", "confidence": 0.49},
        {"name": "lapse_charge_quote", "confidence": 0.44},
    ]
    messages, _ = await run(ActionHandleFallback(), tracker)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


async def test_an_unclear_i_want_to_renew_that_one_too_starts_the_checklist():
    tracker = user_tracker("I want to renew that one too", "nlu_fallback")
    messages, events = await run(ActionHandleFallback(), tracker)
    assert any(event["event"] == "followup" and event["name"] == "renewal_form" for event in events)


async def test_an_unclear_renewal_request_the_nlu_thinks_off_topic_does_not_start_the_checklist():
    tracker = user_tracker("I would like to renew my passport", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "out_of_scope", "confidence": 0.45},
    ]
    messages, events = await run(ActionHandleFallback(), tracker)
    assert not any(event.get("name") == "renewal_form" for event in events)


QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # WFBS-STD AU, 50 users, expired 29 Oct 2026


def off_topic_with_a_quote_runner_up(text: str, date: str, slots: dict):
    tracker = user_tracker(text, "out_of_scope", slots=slots, entities=[entity("date", date)])
    tracker.latest_message["intent_ranking"] = [
        {"name": "out_of_scope", "confidence": 0.74},
        {"name": "adjust_quote", "confidence": 0.26},
    ]
    return tracker


async def test_just_after_a_quote_a_new_date_with_talk_of_directors_changes_the_quote():
    text = "what if we renew on 1/12/2026 instead, need sign off from the directors first"
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "renewal_date": "1/12/2026"}
    messages, _ = await run(
        ActionAnswerOffTopic(), off_topic_with_a_quote_runner_up(text, "1/12/2026", slots)
    )
    assert "renewing on 1 December 2026" in messages[0]["text"]
    assert "(32 days, 50 users)" in messages[0]["text"]


async def test_without_a_quote_a_dated_off_topic_question_gets_the_off_topic_answer():
    tracker = off_topic_with_a_quote_runner_up("what if we fly on 1/12/2026 instead", "1/12/2026", {})
    messages, _ = await run(ActionAnswerOffTopic(), tracker)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


async def test_after_a_quote_an_off_topic_question_with_no_value_gets_the_off_topic_answer():
    tracker = user_tracker(
        "how much does it cost to spay a puppy",
        "out_of_scope",
        slots={"activation_code": QUOKKA, "quoted_code": QUOKKA},
    )
    tracker.latest_message["overruled_by_evidence"] = {
        "name": "lapse_charge_quote",
        "confidence": 0.9,
        "evidence": -3.0,
    }
    messages, _ = await run(ActionAnswerOffTopic(), tracker)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


async def test_after_a_quote_a_dated_question_the_guard_overruled_changes_the_quote():
    tracker = user_tracker(
        "ok and if the directors sign on 1/12/2026",
        "out_of_scope",
        slots={"activation_code": QUOKKA, "quoted_code": QUOKKA, "renewal_date": "1/12/2026"},
        entities=[entity("date", "1/12/2026")],
    )
    tracker.latest_message["overruled_by_evidence"] = {
        "name": "adjust_quote",
        "confidence": 0.8,
        "evidence": -2.0,
    }
    messages, _ = await run(ActionAnswerOffTopic(), tracker)
    assert "renewing on 1 December 2026" in messages[0]["text"]


async def test_an_unclear_are_you_a_bot_after_a_lead_in_is_answered_as_the_bot_it_is():
    tracker = user_tracker("haha fair. are you a bot?", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.5},
        {"name": "bot_challenge", "confidence": 0.5},
        {"name": "out_of_scope", "confidence": 0.47},
    ]
    messages, _ = await run(ActionHandleFallback(), tracker)
    assert [m.get("response") for m in messages] == ["utter_iamabot"]


async def test_thanks_the_nlu_took_for_off_topic_is_welcomed_not_refused():
    messages, _ = await run(ActionAnswerOffTopic(), user_tracker("lol worth a shot. cheers", "out_of_scope"))
    assert [m.get("response") for m in messages] == ["utter_you_are_welcome"]
    messages, _ = await run(
        ActionAnswerOffTopic(), user_tracker("nah that's all for now, thanks love", "out_of_scope")
    )
    assert [m.get("response") for m in messages] == ["utter_goodbye"]


def ranked(tracker, *ranking):
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    return tracker


async def test_a_renewal_request_taken_for_off_topic_starts_the_checklist_when_renewing_is_the_next_guess():
    said = (
        "Kia ora, I want to renew our Trend Micro for the Karori Rugby Football Club, can you do that here? "
        "I'm the club secretary"
    )
    tracker = ranked(user_tracker(said, "out_of_scope"), ("out_of_scope", 0.8), ("renewal_request", 0.15))
    messages, events = await run(ActionAnswerOffTopic(), tracker)
    assert "I've noted the company name: Karori Rugby Football Club." in messages[0]["text"]
    assert {"event": "followup", "name": "renewal_form", "timestamp": None} in events


async def test_wanting_to_renew_a_passport_stays_off_topic():
    tracker = ranked(
        user_tracker("I want to renew my passport", "out_of_scope"), ("out_of_scope", 0.95), ("greet", 0.03)
    )
    messages, _ = await run(ActionAnswerOffTopic(), tracker)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


def test_after_a_quote_a_new_user_count_with_a_price_question_changes_it_whatever_the_nlu_said():
    from actions.conversation import changes_the_quote_given

    code = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"
    said = "we closed the kennels so we only really need 60 now, what does that come to"
    users = [entity("user_count", 60)]
    assert changes_the_quote_given(user_tracker(said, "out_of_scope", {"quoted_code": code}, users))
    assert not changes_the_quote_given(user_tracker(said, "out_of_scope", {}, users))  # no quote yet
    assert not changes_the_quote_given(user_tracker("we need 60, ok", "inform", {"quoted_code": code}, users))
