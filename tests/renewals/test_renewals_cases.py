"""Support cases: opening from a confirmed checklist, idempotency, references, routing and status changes."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from renewals.case_service import open_renewal_case, transition
from renewals.cases import (
    ALLOWED_TRANSITIONS,
    ASSISTANT,
    TECHNICAL_SUPPORT,
    CaseNotFound,
    CaseStatus,
    EventKind,
    TransitionNotAllowed,
    case_document,
)
from renewals.checklist import IncompleteChecklist, InvalidChecklist
from renewals.outbox import CASE_WEBHOOK_TOPIC
from renewals.service import Renewals
from renewals.storage.db import case_events, cases, outbox
from renewals.storage.repositories import CaseRepository, OutboxRepository
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST
from tests.support.clocks import ManualClock
from tests.support.renewals_data import QUOKKA_TRAVEL

WEBHOOK = (CASE_WEBHOOK_TOPIC,)


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def renewals(demo_engine, clock):
    return Renewals(demo_engine, clock)


def count(engine, table) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def quokka(renewals):
    return renewals.find_licence(QUOKKA_TRAVEL.activation_code)


# --- opening --------------------------------------------------------------------


def test_a_confirmed_checklist_opens_an_open_case_with_a_reference(renewals, clock):
    case = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    assert case.reference == "RN-2026-000001"
    assert case.status is CaseStatus.OPEN
    assert case.reason == "renewal"
    assert case.checklist == ACME_CHECKLIST
    assert (case.conversation_id, case.channel) == ("conversation-1", "web")
    assert case.created_at == clock.now() and case.created_at.tzinfo is not None
    assert [(e.kind, e.status, e.actor) for e in case.history] == [
        (EventKind.STATUS, CaseStatus.OPEN, ASSISTANT)
    ]


def test_an_opened_case_reads_back_exactly_as_opened(renewals):
    opened = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web", quokka(renewals))

    assert renewals.case(opened.reference) == opened
    assert renewals.case(opened.reference.lower()) == opened
    assert renewals.case("RN-2026-999999") is None


def test_a_case_for_a_known_licence_goes_to_its_reseller(renewals):
    case = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web", quokka(renewals))

    assert case.licence_code == QUOKKA_TRAVEL.activation_code
    assert case.routed_to == "R-AU-002" and case.reseller_id == "R-AU-002"


def test_a_case_without_a_known_reseller_goes_to_technical_support(renewals):
    without_licence = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    assert without_licence.routed_to == TECHNICAL_SUPPORT and without_licence.reseller_id is None


def test_a_licence_with_no_reseller_goes_to_technical_support(demo_engine, clock):
    orphan = replace(QUOKKA_TRAVEL, activation_code="WS-AAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF", reseller_id=None)
    with UnitOfWork(demo_engine) as uow:
        uow.licences.save(orphan)

    case = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "conversation-1", "web", orphan)

    assert case.routed_to == TECHNICAL_SUPPORT


def test_the_checklist_is_stored_normalised(renewals):
    typed = replace(
        ACME_CHECKLIST, phone="0412 345 678", platform="WINDOWS", company_name="Acme  Widgets Pty Ltd"
    )

    assert renewals.open_renewal_case(typed, "conversation-1", "web").checklist == ACME_CHECKLIST


def test_an_incomplete_or_invalid_checklist_opens_nothing(renewals, demo_engine):
    with pytest.raises(IncompleteChecklist):
        renewals.open_renewal_case(replace(ACME_CHECKLIST, contact_email=None), "conversation-1", "web")
    with pytest.raises(InvalidChecklist):
        renewals.open_renewal_case(replace(ACME_CHECKLIST, user_count=0), "conversation-1", "web")

    assert count(demo_engine, cases) == 0


@pytest.mark.parametrize("conversation_id", ["", "   ", None])
def test_a_case_needs_a_conversation(renewals, conversation_id):
    with pytest.raises(ValueError, match="conversation_id is required"):
        renewals.open_renewal_case(ACME_CHECKLIST, conversation_id, "web")


# --- idempotency ----------------------------------------------------------------


def test_confirming_the_same_details_twice_gives_the_same_case(renewals, demo_engine):
    first = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    again = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    assert again == first
    assert count(demo_engine, cases) == 1


def test_the_same_details_typed_differently_are_the_same_request(renewals, demo_engine):
    first = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    retyped = replace(
        ACME_CHECKLIST,
        company_name="ACME widgets  pty ltd",
        contact_email="Jordan.Quill@AcmeWidgets.com.au",
        phone="+61 412 345 678",
    )

    assert renewals.open_renewal_case(retyped, "conversation-1", "web").reference == first.reference
    assert count(demo_engine, cases) == 1


def test_changed_details_or_another_conversation_open_a_new_case(renewals):
    first = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    corrected = renewals.open_renewal_case(replace(ACME_CHECKLIST, user_count=60), "conversation-1", "web")
    elsewhere = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-2", "web")

    assert [first.reference, corrected.reference, elsewhere.reference] == [
        "RN-2026-000001",
        "RN-2026-000002",
        "RN-2026-000003",
    ]


def test_a_retried_open_does_not_queue_a_second_delivery(demo_engine, clock):
    renewals = Renewals(demo_engine, clock, case_delivery_topics=WEBHOOK)

    renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    assert count(demo_engine, outbox) == 1


def run_in_threads(count_, target):
    """Run target(i) in `count_` threads released together; returns results in thread order."""
    start = threading.Barrier(count_)
    results, errors = [None] * count_, []

    def run(index):
        try:
            start.wait()
            results[index] = target(index)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_eight_concurrent_confirmations_of_the_same_details_open_one_case(demo_engine, clock):
    renewals = Renewals(demo_engine, clock, case_delivery_topics=WEBHOOK)

    opened = run_in_threads(8, lambda _: renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web"))

    assert {case.reference for case in opened} == {"RN-2026-000001"}
    assert count(demo_engine, cases) == 1
    assert count(demo_engine, case_events) == 1
    assert count(demo_engine, outbox) == 1


def test_concurrent_cases_get_unique_consecutive_references(demo_engine, clock):
    renewals = Renewals(demo_engine, clock)

    opened = run_in_threads(
        8, lambda i: renewals.open_renewal_case(ACME_CHECKLIST, f"conversation-{i}", "web")
    )

    assert sorted(case.reference for case in opened) == [f"RN-2026-00000{n}" for n in range(1, 9)]


def test_the_open_path_recovers_when_a_concurrent_duplicate_wins_the_insert(demo_engine, clock, monkeypatch):
    # Simulate losing the race: the existing-case check misses, then the insert hits the unique key.
    renewals = Renewals(demo_engine, clock)
    first = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    real_get_by_key = CaseRepository.get_by_key
    calls = []

    def miss_once(self, key):
        calls.append(key)
        return None if len(calls) == 1 else real_get_by_key(self, key)

    monkeypatch.setattr(CaseRepository, "get_by_key", miss_once)

    assert renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web") == first
    assert count(demo_engine, cases) == 1
    monkeypatch.undo()
    # The losing attempt's reference number was rolled back with its savepoint.
    assert renewals.open_renewal_case(ACME_CHECKLIST, "conversation-2", "web").reference == "RN-2026-000002"


# --- references -------------------------------------------------------------------


def test_references_count_up_within_a_year_and_start_again_in_the_next(renewals, clock):
    assert renewals.open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference == "RN-2026-000001"
    clock.advance(days=40)  # 7 January 2027 in Sydney
    assert renewals.open_renewal_case(ACME_CHECKLIST, "c-2", "web").reference == "RN-2027-000001"
    assert renewals.open_renewal_case(ACME_CHECKLIST, "c-3", "web").reference == "RN-2027-000002"


def test_the_year_is_sydneys_not_utcs():
    # 31 Dec 2026 14:00 UTC is already 1 January 2027 in Sydney.
    clock = ManualClock(datetime(2026, 12, 31, 14, 0, tzinfo=timezone.utc))

    assert clock.today().year == 2027


def test_references_are_human_friendly(renewals):
    reference = renewals.open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference

    assert re.fullmatch(r"RN-\d{4}-\d{6}", reference)


# --- transitions -------------------------------------------------------------------

ALL_MOVES = [(a, b) for a in CaseStatus for b in CaseStatus]


def open_case_in(engine, clock, status):
    """A case brought to `status` through allowed transitions."""
    reference = Renewals(engine, clock).open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference
    path = {
        CaseStatus.OPEN: [],
        CaseStatus.IN_PROGRESS: [CaseStatus.IN_PROGRESS],
        CaseStatus.HANDED_TO_RESELLER: [CaseStatus.HANDED_TO_RESELLER],
        CaseStatus.RESOLVED: [CaseStatus.RESOLVED],
    }[status]
    for step in path:
        with UnitOfWork(engine) as uow:
            transition(uow, reference, step, "Sam Agent", clock=clock)
    return reference


def test_the_allowed_transitions_follow_the_case_lifecycle():
    assert ALLOWED_TRANSITIONS == {
        CaseStatus.OPEN: {CaseStatus.IN_PROGRESS, CaseStatus.HANDED_TO_RESELLER, CaseStatus.RESOLVED},
        CaseStatus.IN_PROGRESS: {CaseStatus.HANDED_TO_RESELLER, CaseStatus.RESOLVED},
        CaseStatus.HANDED_TO_RESELLER: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED},
        CaseStatus.RESOLVED: set(),
    }


@pytest.mark.parametrize("current, new", ALL_MOVES, ids=lambda s: s.value)
def test_a_transition_happens_only_when_allowed(demo_sqlite_engine, current, new):
    clock = ManualClock()
    reference = open_case_in(demo_sqlite_engine, clock, current)

    with UnitOfWork(demo_sqlite_engine) as uow:
        if new in ALLOWED_TRANSITIONS[current]:
            assert transition(uow, reference, new, "Sam Agent", clock=clock).status is new
        else:
            with pytest.raises(
                TransitionNotAllowed, match=f"is {current.value} and can't become {new.value}"
            ):
                transition(uow, reference, new, "Sam Agent", clock=clock)


def test_the_history_records_who_moved_the_case_when_and_why(demo_engine, clock):
    reference = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference
    steps = [
        (CaseStatus.IN_PROGRESS, "Sam Agent", None),
        (CaseStatus.HANDED_TO_RESELLER, "Sam Agent", "Sent to Harbour Systems"),
        (CaseStatus.RESOLVED, "Harbour Systems", "Renewed for 1 year"),
    ]
    for status, actor, note in steps:
        clock.advance(hours=1)
        with UnitOfWork(demo_engine) as uow:
            transition(uow, reference, status, actor, note, clock=clock)

    case = Renewals(demo_engine, clock).case(reference)

    assert case.status is CaseStatus.RESOLVED
    assert [(e.status, e.actor, e.note) for e in case.history] == [(CaseStatus.OPEN, ASSISTANT, None)] + steps
    assert [e.at for e in case.history] == [case.created_at + timedelta(hours=h) for h in range(4)]
    assert case.updated_at == case.history[-1].at


def test_transitions_name_an_existing_case_and_an_actor(demo_engine, clock):
    reference = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference
    with UnitOfWork(demo_engine) as uow:
        with pytest.raises(CaseNotFound):
            transition(uow, "RN-2026-000999", CaseStatus.RESOLVED, "Sam Agent", clock=clock)
        with pytest.raises(ValueError, match="actor is required"):
            transition(uow, reference, CaseStatus.RESOLVED, "  ", clock=clock)
        with pytest.raises(ValueError):
            transition(uow, reference, "closed", "Sam Agent", clock=clock)


def test_a_status_changed_meanwhile_is_not_overwritten(demo_engine, clock, monkeypatch):
    reference = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference
    with UnitOfWork(demo_engine) as uow:
        stale = uow.cases.get(reference)
        transition(uow, reference, CaseStatus.RESOLVED, "Sam Agent", clock=clock)
        # A second agent still looking at the open case tries to move it.
        monkeypatch.setattr(uow.cases, "get", lambda _: stale)
        with pytest.raises(TransitionNotAllowed, match="changed status meanwhile"):
            transition(uow, reference, CaseStatus.IN_PROGRESS, "Alex Agent", clock=clock)


# --- the outbox travels with the case ------------------------------------------------


def test_without_a_webhook_a_case_stays_local(renewals, demo_engine):
    renewals.open_renewal_case(ACME_CHECKLIST, "c-1", "web")

    assert count(demo_engine, outbox) == 0


def test_with_a_webhook_the_case_is_queued_in_the_same_transaction(demo_engine, clock):
    case = Renewals(demo_engine, clock, case_delivery_topics=WEBHOOK).open_renewal_case(
        ACME_CHECKLIST, "c-1", "web"
    )

    with UnitOfWork(demo_engine) as uow:
        [message] = uow.outbox.undelivered()
        stored = uow.outbox.get(message.id)
    assert (message.topic, message.case_reference, message.attempts) == (
        CASE_WEBHOOK_TOPIC,
        case.reference,
        0,
    )
    assert message.next_attempt_at is None  # due at once
    assert json.loads(stored.payload) == case_document(case)


def test_a_failure_after_the_case_insert_rolls_back_case_and_outbox(demo_engine, clock, monkeypatch):
    def broken_add(self, **values):
        raise RuntimeError("disk full")

    monkeypatch.setattr(OutboxRepository, "add", broken_add)

    with pytest.raises(RuntimeError):
        Renewals(demo_engine, clock, case_delivery_topics=WEBHOOK).open_renewal_case(
            ACME_CHECKLIST, "c-1", "web"
        )

    assert (count(demo_engine, cases), count(demo_engine, case_events), count(demo_engine, outbox)) == (
        0,
        0,
        0,
    )


def test_a_failure_later_in_the_unit_of_work_rolls_back_case_and_outbox(demo_engine, clock):
    with pytest.raises(RuntimeError):
        with UnitOfWork(demo_engine, immediate=True) as uow:
            open_renewal_case(uow, ACME_CHECKLIST, "c-1", "web", clock=clock, delivery_topics=WEBHOOK)
            raise RuntimeError("the action failed before replying")

    assert (count(demo_engine, cases), count(demo_engine, outbox)) == (0, 0)
    # Nothing was used up either: the next case still gets the first reference.
    assert (
        Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "c-1", "web").reference
        == "RN-2026-000001"
    )


def test_the_case_document_is_what_the_webhook_sends(renewals):
    case = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web", quokka(renewals))

    assert case_document(case) == {
        "reference": "RN-2026-000001",
        "status": "open",
        "reason": "renewal",
        "checklist": {
            "company_name": "Acme Widgets Pty Ltd",
            "address": "12 Harbour Street, Parramatta NSW 2150",
            "phone": "+61412345678",
            "contact_name": "Jordan Quill",
            "contact_email": "jordan.quill@acmewidgets.com.au",
            "product_code": "WFBS-STD",
            "platform": "Windows",
            "user_count": 50,
            "licence_expiry": "2026-10-29",
        },
        "licence_code": QUOKKA_TRAVEL.activation_code,
        "routing": {"target": "R-AU-002", "reseller_id": "R-AU-002"},
        "conversation_id": "conversation-1",
        "channel": "web",
        "linked_to": None,
        "created_at": "2026-11-28T01:00:00+00:00",
    }
