"""action_human_handoff: opens or joins the hand-off case, tells the customer honestly, pauses the bot."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions import backend
from actions.handoff import REASON_ASKED, REASON_FALLBACKS, REASON_FORM, ActionHumanHandoff
from actions.offers import ActionAcceptOffer
from renewals.cases import CaseReason, EventKind
from tests.support.trackers import run, user_tracker

pytestmark = pytest.mark.usefixtures("demo_database")

QUOKKA = "WS-ZHQ7-9WPK9-UPNRR-JJJW3-LXPH8-S7UHD"


def paused(events) -> bool:
    return any(e.get("event") == "pause" for e in events)


def stored_case(reference):
    return backend.renewals().case(reference)


@pytest.mark.asyncio
async def test_asking_for_a_person_opens_a_case_and_pauses_the_bot():
    messages, events = await run(
        ActionHumanHandoff(), user_tracker("I want to talk to a person", "human_handoff")
    )
    reference = next(e["value"] for e in events if e.get("name") == "case_reference")
    text = messages[0]["text"]
    assert reference in text and paused(events)
    # 2026-11-28 (the demo date) is a Saturday: nobody can join now, and the customer is told when.
    assert "nobody can join this chat right now" in text and "Monday 30 November at 8:30 am" in text
    assert "keeps your place" in text
    case = stored_case(reference)
    assert case.reason == CaseReason.HANDOFF and case.conversation_id == "test-user"
    assert case.history[-1].kind == EventKind.HANDOFF_REQUESTED and case.history[-1].note == REASON_ASKED


@pytest.mark.asyncio
async def test_during_business_hours_a_person_joins_here(monkeypatch):
    monkeypatch.setenv("RENEWALS_TODAY", "2026-11-27")
    monkeypatch.setenv("RENEWALS_NOW", "2026-11-27T12:00+11:00")  # a Friday, midday in Sydney
    backend.renewals.cache_clear()
    messages, events = await run(ActionHumanHandoff(), user_tracker("a human please", "human_handoff"))
    assert "join this chat" in messages[0]["text"] and "shortly" in messages[0]["text"] and paused(events)


@pytest.mark.asyncio
async def test_the_licence_and_the_checklist_so_far_go_into_the_case():
    tracker = user_tracker(
        "talk to a person",
        "human_handoff",
        slots={
            "renewal_licence_code": QUOKKA,
            "company_name": "Quokka Travel",
            "phone": "+61412345678",
            "renewal_user_count": 40.0,
            "form_failures": {"contact_email": 3},
        },
    )
    tracker.active_loop = {"name": "renewal_form"}
    messages, events = await run(ActionHumanHandoff(), tracker)
    case = stored_case(next(e["value"] for e in events if e.get("name") == "case_reference"))
    assert case.licence_code == QUOKKA and case.routed_to == "R-AU-002"
    assert (case.checklist.company_name, case.checklist.phone, case.checklist.user_count) == (
        "Quokka Travel",
        "+61412345678",
        40,
    )
    assert case.history[-1].note == REASON_FORM
    assert {"event": "active_loop", "name": None, "timestamp": None} in events and paused(events)


@pytest.mark.asyncio
async def test_yes_to_the_offer_after_two_fallbacks_hands_over_with_that_reason():
    parse = {"intent": {"name": "affirm", "confidence": 0.9}, "entities": [], "text": "yes"}
    events = [
        {"event": "user", "text": "blah", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "user", "text": "blah blah", "parse_data": {"intent": {"name": "nlu_fallback"}}},
        {"event": "slot", "name": "offer", "value": "handoff"},
        {"event": "user", "text": "yes", "parse_data": parse},
    ]
    tracker = Tracker("test-user", {"offer": "handoff"}, parse, events, False, None, {}, "action_listen")
    messages, result = await run(ActionAcceptOffer(), tracker)
    reference = next(e["value"] for e in result if e.get("name") == "case_reference")
    assert stored_case(reference).history[-1].note == REASON_FALLBACKS and paused(result)


@pytest.mark.asyncio
async def test_asking_twice_keeps_one_case():
    _, first = await run(ActionHumanHandoff(), user_tracker("person", "human_handoff"))
    _, second = await run(ActionHumanHandoff(), user_tracker("person!", "human_handoff"))
    ref = lambda events: next(e["value"] for e in events if e.get("name") == "case_reference")  # noqa: E731
    assert ref(first) == ref(second)


@pytest.mark.asyncio
async def test_without_a_database_the_customer_gets_the_routes_to_a_person_and_no_pause(monkeypatch):
    def broken(work):
        raise RuntimeError("database is down")

    async def failing_call(work):
        broken(work)

    monkeypatch.setattr("actions.handoff.call", failing_call)
    messages, events = await run(ActionHumanHandoff(), user_tracker("person", "human_handoff"))
    assert "contact your reseller" in messages[0]["text"] and not paused(events)


@pytest.mark.asyncio
async def test_asking_for_a_person_after_the_renewal_case_opened_names_both_cases():
    from tests.support.cases import ACME_CHECKLIST

    renewal = backend.renewals().open_renewal_case(ACME_CHECKLIST, "test-user", "rest")
    messages, events = await run(ActionHumanHandoff(), user_tracker("can I talk to someone", "human_handoff"))
    reference = next(e["value"] for e in events if e.get("name") == "case_reference")

    assert reference != renewal.reference and stored_case(reference).linked_to == renewal.reference
    assert (
        f"Your renewal case {renewal.reference} stays open, and the person who joins can see it."
        in messages[0]["text"]
    )
