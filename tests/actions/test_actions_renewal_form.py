"""The renewal checklist form: validation per item, pre-fill, corrections, cancel, submit."""

from datetime import date

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import backend
from actions.offers import ActionAcceptOffer
from actions.renewal_form import (
    ActionAskRenewalConfirmed,
    ActionExplainField,
    ActionStartRenewal,
    ActionSubmitRenewal,
    ValidateRenewalForm,
)
from tests.support.trackers import run, slot_events, user_tracker

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"  # Quokka Travel, reseller R-AU-002
NULLARBOR = "SM-KYVR-4K5AD-GN4K2-5F3K3-DVKZC-4Y2JY"  # no reseller

COMPLETE = {
    "company_name": "Acme Pty Ltd",
    "address": "5 George Street, Sydney NSW 2000",
    "phone": "+61295550101",
    "contact_name": "Jo Citizen",
    "contact_email": "jo@acme.com.au",
    "product": "WFBS-ADV",
    "platform": "Windows",
    "renewal_user_count": 20.0,
    "licence_expiry": "2026-12-27",
}


async def validate(slot, value, text=None, slots=None, intent="inform"):
    """Runs the form's validation for one answer, as Rasa would after extracting it."""
    tracker = user_tracker(
        text or str(value), intent, slots={"requested_slot": slot, slot: value, **(slots or {})}
    )
    tracker.active_loop = {"name": "renewal_form"}
    tracker.events.append({"event": "slot", "name": slot, "value": value})
    dispatcher = CollectingDispatcher()
    events = await ValidateRenewalForm().run(
        dispatcher, tracker, {"forms": {"renewal_form": {"required_slots": [slot]}}}
    )
    return dispatcher.messages, slot_events(events)


@pytest.mark.parametrize(
    "slot, typed, stored",
    [
        ("company_name", "it's Acme Pty Ltd", "Acme Pty Ltd"),
        (
            "address",
            "the address is Level 3, 45 Pitt Street, Sydney NSW 2000",
            "Level 3, 45 Pitt Street, Sydney NSW 2000",
        ),
        ("phone", "0412 345 678", "+61412345678"),
        ("phone", "(02) 9555 0101", "+61295550101"),
        ("phone", "+64 21 123 4567", "+64211234567"),
        ("contact_name", "my name is Sarah O'Brien", "Sarah O'Brien"),
        ("contact_email", "it's Jo.Citizen@Acme.COM.AU", "Jo.Citizen@acme.com.au"),
        ("licence_expiry", "27/11/2027", "2027-11-27"),
        ("licence_expiry", "27 November 2027", "2027-11-27"),
        ("renewal_user_count", "45 seats", 45.0),
    ],
)
async def test_valid_answers_are_normalised(slot, typed, stored):
    messages, slots = await validate(slot, typed)
    assert slots[slot] == stored
    assert not messages


@pytest.mark.parametrize(
    "slot, typed, reason",
    [
        ("company_name", "x", "too short"),
        ("address", "Sydney", "too short"),
        ("phone", "12345", "too short"),
        ("phone", "call me maybe", "doesn't look like a phone number"),
        ("contact_name", "R2D2", "digits"),
        ("contact_email", "jo at acme", "needs an @"),
        ("contact_email", "jo@example.com", "example address"),
        ("licence_expiry", "31/2/2027", "doesn't exist"),
        ("licence_expiry", "whenever", "couldn't read that as a date"),
        ("renewal_user_count", "-4", "negative"),
        ("renewal_user_count", "lots", "couldn't read a number"),
    ],
)
async def test_a_wrong_answer_gets_a_specific_reason_and_is_asked_again(slot, typed, reason):
    messages, slots = await validate(slot, typed)
    assert slots[slot] is None
    assert reason in messages[0]["text"]
    assert slots["form_failures"] == {slot: 1}


async def test_a_product_typo_is_matched_and_said_back():
    messages, slots = await validate("product", "worry free advanced on windows")
    assert slots["product"] == "WFBS-ADV" and slots["platform"] == "Windows"
    assert "Worry-Free Business Security Advanced" in messages[0]["text"]


async def test_a_single_platform_product_fills_the_platform_too():
    _, slots = await validate("product", "scanmail")
    assert slots["product"] == "SMEX" and slots["platform"] == "Windows"


async def test_an_unknown_product_is_refused():
    messages, slots = await validate("product", "a toaster")
    assert slots["product"] is None
    assert "couldn't match that" in messages[0]["text"]


async def test_a_platform_the_product_does_not_have_is_refused():
    messages, slots = await validate("platform", "Linux", slots={"product": "WFBS-ADV"})
    assert slots["platform"] is None
    assert "Windows, Mac, Microsoft Exchange" in messages[0]["text"]


async def test_the_third_failure_on_one_item_offers_a_person_and_keeps_the_form_going():
    messages, slots = await validate("phone", "12", slots={"form_failures": {"phone": 2}})
    assert (
        "try number 3" in messages[0]["text"]
        and "details you've given so far are kept" in messages[0]["text"]
    )
    assert messages[0]["buttons"][0]["title"] == "Yes, a person please"
    assert slots["offer"] == "handoff" and slots["phone"] is None
    assert "requested_slot" not in slots or slots["requested_slot"] == "phone"


async def test_fewer_users_than_the_licence_is_noted_as_a_downsize():
    messages, slots = await validate("renewal_user_count", "20", slots={"renewal_licence_code": QUOKKA})
    assert slots["renewal_user_count"] == 20.0
    assert "fewer than the 50 users" in messages[0]["text"] and "in writing" in messages[0]["text"]


async def test_a_known_licence_prefills_every_item():
    tracker = user_tracker(f"I want to renew {QUOKKA}", "renewal_request")
    messages, events = await run(ActionStartRenewal(), tracker)
    slots = slot_events(events)
    assert slots["company_name"] == "Quokka Travel"
    assert slots["product"] == "WFBS-STD" and slots["platform"] == "Windows"
    assert slots["renewal_user_count"] == 50.0 and slots["licence_expiry"] == "2026-10-29"
    assert slots["contact_email"] == "jack.williams@quokkatravel.com.au"
    assert "on file" in messages[0]["text"]


async def test_a_quote_for_fewer_users_carries_into_the_checklist():
    slots = {"activation_code": QUOKKA, "quoted_code": QUOKKA, "user_count": 20.0}
    _, events = await run(
        ActionStartRenewal(), user_tracker("go ahead and renew", "renewal_request", slots=slots)
    )
    assert slot_events(events)["renewal_user_count"] == 20.0


async def test_the_summary_masks_contact_details_that_came_from_the_licence():
    slots = {
        "renewal_licence_code": QUOKKA,
        "company_name": "Quokka Travel",
        "address": "16 King Street, Perth WA 6000",
        "phone": "+61283747051",
        "contact_name": "Jack Williams",
        "contact_email": "jack.williams@quokkatravel.com.au",
        "product": "WFBS-STD",
        "platform": "Windows",
        "renewal_user_count": 50.0,
        "licence_expiry": "2026-10-29",
    }
    messages, _ = await run(ActionAskRenewalConfirmed(), user_tracker("ok", "inform", slots=slots))
    text = messages[0]["text"]
    assert "jack.williams" not in text and "j…@quokkatravel.com.au (on file)" in text
    assert "Jack Williams" not in text and "J. W. (on file)" in text
    assert "+61283747051" not in text
    assert "Worry-Free Business Security Standard (Windows)" in text
    assert "29 October 2026" in text
    assert [b["title"] for b in messages[0]["buttons"]] == ["Confirm", "Change something"]


async def test_the_summary_shows_what_the_customer_typed_in_full():
    messages, _ = await run(ActionAskRenewalConfirmed(), user_tracker("ok", "inform", slots=COMPLETE))
    text = messages[0]["text"]
    for shown in ("Acme Pty Ltd", "jo@acme.com.au", "(02) 9555 0101", "Jo Citizen", "20", "27 December 2026"):
        assert shown in text


async def test_change_with_an_item_named_clears_just_that_item_and_asks_it_next():
    _, slots = await validate("renewal_confirmed", "the phone number is wrong", slots=COMPLETE)
    assert slots["phone"] is None and slots["renewal_confirmed"] is None
    assert slots["correcting"] == "phone" and slots["requested_slot"] == "phone"
    assert slots["company_name"] == COMPLETE["company_name"] if "company_name" in slots else True


async def test_change_with_the_new_value_applies_it_and_says_it_back():
    messages, slots = await validate(
        "renewal_confirmed", "change the company name to Acme Holdings Pty Ltd", slots=COMPLETE
    )
    assert slots["company_name"] == "Acme Holdings Pty Ltd" and slots["renewal_confirmed"] is None
    assert "changed the company name to Acme Holdings Pty Ltd" in messages[0]["text"]


async def test_change_without_an_item_asks_which_one():
    messages, slots = await validate("renewal_confirmed", "I need to change something", slots=COMPLETE)
    assert slots["renewal_confirmed"] is None and slots["correcting"] == "?"
    assert "Which detail" in messages[0]["text"] and len(messages[0]["buttons"]) == 9


async def test_a_yes_in_any_form_confirms_the_summary():
    for reply in ("spot on", "yup", "all good", "sweet as"):
        _, slots = await validate("renewal_confirmed", reply, slots=COMPLETE)
        assert slots["renewal_confirmed"] == "yes", reply
    _, slots = await validate(
        "renewal_confirmed", "Confirm, those details are correct", slots=COMPLETE, intent="confirm_details"
    )
    assert slots["renewal_confirmed"] == "yes"


async def test_a_name_starting_with_no_is_a_name_not_a_no():
    messages, slots = await validate("contact_name", "Noah Brown", intent="deny")
    assert slots["contact_name"] == "Noah Brown" and messages == []


async def test_confirming_opens_a_case_routed_to_the_reseller():
    slots = {**COMPLETE, "renewal_confirmed": "yes", "renewal_licence_code": QUOKKA}
    messages, events = await run(
        ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots)
    )
    reference = slot_events(events)["case_reference"]
    assert reference.startswith(f"RN-{date(2026, 11, 28).year}-")
    text = messages[0]["text"]
    assert reference in text and "Harbour Systems Pty Ltd will contact Jo Citizen" in text
    assert "updated licence certificate will be emailed to jo@acme.com.au" in text


async def test_confirming_twice_gives_the_same_case():
    slots = {**COMPLETE, "renewal_confirmed": "yes"}
    _, first = await run(ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots))
    _, second = await run(ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots))
    assert slot_events(first)["case_reference"] == slot_events(second)["case_reference"]
    assert backend.renewals().case(slot_events(first)["case_reference"]).routed_to == "technical-support"


async def test_nothing_is_opened_without_confirmation():
    messages, events = await run(
        ActionSubmitRenewal(), user_tracker("x", "inform", slots={**COMPLETE, "renewal_confirmed": None})
    )
    assert messages == [] and events == []


async def test_yes_to_stopping_the_renewal_discards_every_item_and_leaves_the_form():
    tracker = user_tracker("yep", "affirm", slots=COMPLETE)
    tracker.events.insert(0, {"event": "user", "text": "cancel this"})
    tracker.events.insert(
        1,
        {
            "event": "bot",
            "text": "Do you want to stop…?",
            "metadata": {"utter_action": "utter_ask_cancel_renewal"},
        },
    )
    messages, events = await run(ActionAcceptOffer(), tracker)
    slots = slot_events(events)
    assert all(slots[slot] is None for slot in COMPLETE)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert "discarded" in messages[0]["text"]


async def test_why_do_you_need_my_phone_number_is_explained():
    messages, _ = await run(
        ActionExplainField(), user_tracker("why do you need my phone number?", "ask_why_needed")
    )
    assert "call" in messages[0]["text"]


async def test_two_concurrent_confirmations_open_one_case():
    import asyncio

    slots = {**COMPLETE, "renewal_confirmed": "yes"}
    results = await asyncio.gather(
        *(
            run(ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots))
            for _ in range(2)
        )
    )
    references = {slot_events(events)["case_reference"] for _, events in results}
    assert len(references) == 1


async def test_a_database_failure_on_confirm_apologises_and_offers_a_person(monkeypatch):
    async def broken(work):
        raise OSError("database is down")

    monkeypatch.setattr("actions.renewal_form.call", broken)
    slots = {**COMPLETE, "renewal_confirmed": "yes"}
    messages, events = await run(
        ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots)
    )
    assert "couldn't open your renewal case" in messages[0]["text"]
    assert messages[0]["buttons"][0]["title"] == "Talk to a person"
    assert slot_events(events)["offer"] == "handoff"


async def test_after_a_renewal_the_checklist_is_cleared_for_the_next_one():
    slots = {**COMPLETE, "renewal_confirmed": "yes", "renewal_licence_code": QUOKKA}
    _, events = await run(ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=slots))
    cleared = slot_events(events)
    assert all(cleared[slot] is None for slot in COMPLETE) and cleared["renewal_licence_code"] is None
    assert cleared["case_reference"].startswith("RN-")


async def test_the_confirmation_never_shows_contact_details_that_came_from_the_licence():
    on_file = {
        "renewal_licence_code": QUOKKA,
        "company_name": "Quokka Travel",
        "address": "16 King Street, Perth WA 6000",
        "phone": "+61283747051",
        "contact_name": "Jack Williams",
        "contact_email": "jack.williams@quokkatravel.com.au",
        "product": "WFBS-STD",
        "platform": "Windows",
        "renewal_user_count": 50.0,
        "licence_expiry": "2026-10-29",
        "renewal_confirmed": "yes",
    }
    messages, _ = await run(ActionSubmitRenewal(), user_tracker("confirm", "confirm_details", slots=on_file))
    text = messages[0]["text"]
    assert "Jack Williams" not in text and "jack.williams" not in text
    assert "the contact on file" in text and "the email address on file" in text


async def off_topic_answer(slot, text, fills_slot):
    """The form's validation for a message the NLU called off-topic while `slot` is asked. Free-text items
    take any text (so `fills_slot`); the others' mappings leave an off-topic message out."""
    tracker = user_tracker(
        text, "out_of_scope", slots={"requested_slot": slot, slot: text if fills_slot else None}
    )
    tracker.active_loop = {"name": "renewal_form"}
    if fills_slot:
        tracker.events.append({"event": "slot", "name": slot, "value": text})
    dispatcher = CollectingDispatcher()
    events = await ValidateRenewalForm().run(
        dispatcher, tracker, {"forms": {"renewal_form": {"required_slots": [slot]}}}
    )
    return [m.get("response") or m.get("text") for m in dispatcher.messages], slot_events(events)


async def test_an_off_topic_question_while_the_address_is_asked_is_answered_not_taken_as_the_address():
    replies, slots = await off_topic_answer(
        "address", "hang on whats the weather doing in brissy this arvo", True
    )
    assert replies == ["utter_out_of_scope"]
    assert slots["address"] is None and slots["requested_slot"] == "address" and "form_failures" not in slots


async def test_an_address_the_nlu_calls_off_topic_is_still_the_address():
    replies, slots = await off_topic_answer("address", "5 Trade St, Capalaba QLD 4157", True)
    assert slots["address"] == "5 Trade St, Capalaba QLD 4157" and "utter_out_of_scope" not in replies


async def test_a_mangled_email_the_nlu_calls_off_topic_counts_as_a_failed_email():
    replies, slots = await off_topic_answer("contact_email", "becATcoastlinerealty.com.au", False)
    assert "doesn't look like an email address" in replies[0]
    assert slots["form_failures"] == {"contact_email": 1} and slots["requested_slot"] == "contact_email"


async def test_an_off_topic_question_while_the_email_is_asked_gets_the_off_topic_answer():
    replies, slots = await off_topic_answer("contact_email", "who won the footy last night", False)
    assert replies[0] == "utter_out_of_scope" and "form_failures" not in slots


@pytest.mark.parametrize(
    "slots, examples",
    [
        ({"renewal_licence_code": "SM-Z9FK-KAMVG-ZUXQB-LHUMJ-6SMRT-VPE5B"}, "09 555 0188 or 021 555 0188"),
        ({"address": "Level 2, 10 Queen Street, Auckland 1010"}, "09 555 0188 or 021 555 0188"),
        ({"renewal_licence_code": QUOKKA}, "02 9555 0101 or 0412 345 678)"),
        ({}, "02 9555 0101 or 0412 345 678, or in New Zealand 09 555 0188 or 021 555 0188"),
    ],
)
async def test_the_phone_question_gives_examples_from_the_customers_country(slots, examples):
    from actions.renewal_form import ActionAskPhone

    messages, _ = await run(ActionAskPhone(), user_tracker("Level 2, 10 Queen Street", "inform", slots=slots))
    assert examples in messages[0]["text"]


async def test_a_new_zealand_customers_mobile_is_read_as_a_new_zealand_number():
    _, slots = await validate(
        "phone", "021 555 0188", slots={"renewal_licence_code": "SM-Z9FK-KAMVG-ZUXQB-LHUMJ-6SMRT-VPE5B"}
    )
    assert slots["phone"] == "+64215550188"
