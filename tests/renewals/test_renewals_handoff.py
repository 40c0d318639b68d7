"""Hand-off cases, agents' actions on cases, and support hours."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, timezone

import pytest

from renewals.cases import (
    ASSISTANT,
    TECHNICAL_SUPPORT,
    CaseReason,
    CaseStatus,
    EventKind,
    TransitionNotAllowed,
    assigned_agent,
    waiting_since,
)
from renewals.checklist import RenewalChecklist
from renewals.outbox import CASE_SLACK_TOPIC
from renewals.service import Renewals
from renewals.storage.db import make_engine
from renewals.storage.unit_of_work import UnitOfWork
from renewals.support_hours import availability, describe_next_open, earliest
from tests.support.clocks import ManualClock
from tests.support.renewals_data import QUOKKA_TRAVEL

UTC = timezone.utc


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def service(demo_engine, clock):
    return Renewals(demo_engine, clock)


@pytest.fixture
def sqlite_service(demo_sqlite_template, tmp_path, clock):
    path = tmp_path / "renewals.db"
    shutil.copyfile(demo_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield Renewals(engine, clock)
    engine.dispose()


def test_asking_for_a_person_opens_a_handoff_case_with_the_valid_details_so_far(service):
    partial = RenewalChecklist(
        company_name="Quokka Travel",
        phone="0412 345 678",
        contact_email="not an email",
        product_code="NO-SUCH",
        user_count=10,
    )
    case = service.open_handoff_case("conv-1", "socketio", "asked for a person", partial, QUOKKA_TRAVEL)

    assert case.reason == CaseReason.HANDOFF == "human_handoff"
    assert case.status is CaseStatus.OPEN
    assert case.routed_to == QUOKKA_TRAVEL.reseller_id
    assert case.licence_code == QUOKKA_TRAVEL.activation_code
    assert case.checklist.company_name == "Quokka Travel"
    assert case.checklist.phone == "+61412345678"
    assert case.checklist.contact_email is None and case.checklist.product_code is None
    assert [e.kind for e in case.history] == [EventKind.STATUS, EventKind.HANDOFF_REQUESTED]
    assert case.history[1].note == "asked for a person" and case.history[1].actor == ASSISTANT
    assert waiting_since(case) == case.created_at


def test_without_a_licence_the_case_goes_to_technical_support(service):
    case = service.open_handoff_case("conv-2", "rest", "after two misunderstood messages")
    assert case.routed_to == TECHNICAL_SUPPORT and case.checklist == RenewalChecklist()


def test_asking_again_attaches_to_the_open_case_and_adds_nothing_while_waiting(service, clock):
    first = service.open_handoff_case("conv-3", "rest", "asked for a person")
    clock.advance(minutes=1)
    again = service.open_handoff_case("conv-3", "rest", "asked for a person")
    assert again.reference == first.reference and again.history == first.history


def test_a_request_after_an_agent_answered_is_recorded_on_the_same_case(service, clock):
    case = service.open_handoff_case("conv-4", "rest", "asked for a person")
    service.take_case(case.reference, "alice")
    clock.advance(minutes=5)
    again = service.open_handoff_case("conv-4", "rest", "asked for a person")
    assert again.reference == case.reference
    assert again.history[-1].kind == EventKind.HANDOFF_REQUESTED
    assert waiting_since(again) == clock.now()


def test_a_handoff_during_a_renewal_is_its_own_case_linked_to_the_renewal_with_its_details(service):
    from tests.support.cases import ACME_CHECKLIST

    renewal = service.open_renewal_case(ACME_CHECKLIST, "conv-5", "rest")
    case = service.open_handoff_case("conv-5", "rest", "asked for a person")

    assert case.reference != renewal.reference and case.reason == CaseReason.HANDOFF
    assert case.linked_to == renewal.reference and service.case(case.reference).linked_to == renewal.reference
    assert case.checklist == ACME_CHECKLIST and case.routed_to == renewal.routed_to
    assert [e.kind for e in service.case(renewal.reference).history] == [EventKind.STATUS]
    assert service.open_handoff_case("conv-5", "rest", "hello?").reference == case.reference


def test_resolving_the_handoff_leaves_the_renewal_open_and_the_other_way_round(service):
    from tests.support.cases import ACME_CHECKLIST

    renewal = service.open_renewal_case(ACME_CHECKLIST, "conv-5b", "rest")
    handoff = service.open_handoff_case("conv-5b", "rest", "asked for a person")
    service.resolve_case(handoff.reference, "alice", "answered")
    assert service.case(renewal.reference).status is CaseStatus.OPEN

    again = service.open_handoff_case("conv-5b", "rest", "asked for a person")
    assert (
        again.reference not in (handoff.reference, renewal.reference) and again.linked_to == renewal.reference
    )
    service.resolve_case(renewal.reference, "bob", "renewed")
    assert service.case(again.reference).status is CaseStatus.OPEN and waiting_since(
        service.case(again.reference)
    )


def test_after_resolution_a_new_request_opens_a_new_case(service):
    case = service.open_handoff_case("conv-6", "rest", "asked for a person")
    service.resolve_case(case.reference, "alice", "answered")
    again = service.open_handoff_case("conv-6", "rest", "asked for a person")
    assert again.reference != case.reference and again.status is CaseStatus.OPEN


def test_agent_actions_are_recorded_with_agent_and_time(service, clock):
    case = service.open_handoff_case("conv-7", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    clock.advance(minutes=2)
    taken = service.take_case(case.reference, "alice")
    assert taken.status is CaseStatus.IN_PROGRESS and assigned_agent(taken) == "alice"
    assert waiting_since(taken) is None
    service.record_reply(case.reference, "alice", "Hi, I'm Alice from support.", "Alice")
    service.add_note(case.reference, "alice", "customer wants 2 years")
    handed = service.hand_to_reseller(case.reference, "alice", "please call them")
    assert handed.case.status is CaseStatus.HANDED_TO_RESELLER
    resolved = service.resolve_case(case.reference, "bob", "done")
    kinds = [(e.kind, e.actor, e.note) for e in resolved.history[2:]]
    assert kinds == [
        (EventKind.TAKEN, "alice", None),
        (EventKind.REPLY, "alice", "Hi, I'm Alice from support."),
        (EventKind.NOTE, "alice", "customer wants 2 years"),
        (EventKind.HANDED_TO_RESELLER, "alice", "please call them"),
        (EventKind.RESOLVED, "bob", "done"),
    ]
    assert resolved.history[2].at == clock.now()
    with pytest.raises(TransitionNotAllowed):
        service.record_reply(case.reference, "alice", "too late", "Alice")


def test_a_case_without_reseller_cannot_be_handed_to_one(service):
    case = service.open_handoff_case("conv-8", "rest", "asked for a person")
    with pytest.raises(TransitionNotAllowed):
        service.hand_to_reseller(case.reference, "alice")


def test_the_queue_lists_waiting_chats_first_and_filters(service, clock):
    old = service.open_handoff_case("conv-a", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    service.take_case(old.reference, "alice")
    clock.advance(minutes=1)
    waiting = service.open_handoff_case("conv-b", "rest", "asked for a person")
    clock.advance(minutes=1)
    queue = service.console_cases()
    assert [c.reference for c, _ in queue] == [waiting.reference, old.reference]
    assert dict((c.reference, r) for c, r in queue) == {waiting.reference: None, old.reference: "AU"}
    assert [c.reference for c, _ in service.console_cases(region="AU")] == [old.reference]
    assert [c.reference for c, _ in service.console_cases(region="unknown")] == [waiting.reference]
    assert [c.reference for c, _ in service.console_cases(statuses=["open"])] == [waiting.reference]
    assert [c.reference for c, _ in service.console_cases(reseller=QUOKKA_TRAVEL.reseller_id)] == [
        old.reference
    ]


def test_dashboard_figures(service, clock):
    service.open_handoff_case("conv-d1", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    service.open_handoff_case("conv-d2", "rest", "asked for a person")
    clock.advance(minutes=3)
    figures = service.dashboard()
    assert figures["open_by_status"] == {"open": 2}
    assert figures["open_by_region"] == {"AU": 1, "unknown": 1}
    assert [w["waiting_seconds"] for w in figures["waiting_chats"]] == [180, 180]
    assert figures["handed_off_today"] == 2


def test_the_dashboard_counts_only_unresolved_cases_and_only_chats_nobody_has_answered(service, clock):
    answered = service.open_handoff_case("conv-d1", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    waiting = service.open_handoff_case("conv-d2", "rest", "asked for a person")
    done = service.open_handoff_case("conv-d3", "rest", "asked for a person")
    service.take_case(answered.reference, "alice")
    service.record_reply(answered.reference, "alice", "Hi, Alice here", signature="Alice (support team)")
    service.resolve_case(done.reference, "alice")

    figures = service.dashboard()

    assert figures["open_by_status"] == {"in_progress": 1, "open": 1}
    assert [w["reference"] for w in figures["waiting_chats"]] == [waiting.reference]


@pytest.mark.parametrize("days", [0, 7, 30, 60])
def test_expiring_licences_are_those_within_the_window_by_each_licences_own_date(demo_engine, service, days):
    with UnitOfWork(demo_engine) as uow:
        every_licence = uow.licences.list()
    expected = [lic for lic in every_licence if 0 <= (lic.expiry_date - service.today(lic)).days <= days]

    figures = service.dashboard(days_ahead=days)["expiring_licences"]

    assert figures["count"] == len(expected)
    assert sum(figures["by_region"].values()) == len(expected)
    if days == 30:
        assert figures["count"] == 7  # the demo licences expiring from 28 November to 28 December 2026


def test_concurrent_handoffs_for_one_conversation_open_one_case(sqlite_service):
    results, errors = [], []

    def ask():
        try:
            results.append(
                sqlite_service.open_handoff_case("conv-race", "rest", "asked for a person").reference
            )
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1


# --- support hours ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "now_utc, region, open_now, next_open",
    [
        # Friday 27 Nov 2026 10:00 in Sydney (AEDT, UTC+11) = 23:00 UTC Thursday
        (datetime(2026, 11, 26, 23, 0, tzinfo=UTC), "AU", True, None),
        # Friday 17:30 in Sydney: closed, opens Monday 08:30
        (datetime(2026, 11, 27, 6, 30, tzinfo=UTC), "AU", False, datetime(2026, 11, 30, 8, 30)),
        # Saturday noon in Sydney
        (datetime(2026, 11, 28, 1, 0, tzinfo=UTC), "AU", False, datetime(2026, 11, 30, 8, 30)),
        # Monday 07:00 in Auckland (NZDT, UTC+13): opens at 08:30 the same day
        (datetime(2026, 11, 29, 18, 0, tzinfo=UTC), "NZ", False, datetime(2026, 11, 30, 8, 30)),
        # Monday 08:30 exactly in Auckland: open
        (datetime(2026, 11, 29, 19, 30, tzinfo=UTC), "NZ", True, None),
    ],
)
def test_business_hours(now_utc, region, open_now, next_open):
    is_open, when = availability(now_utc, region)
    assert is_open is open_now
    if next_open is not None:
        assert when.replace(tzinfo=None) == next_open
        assert str(when.tzinfo) in ("Australia/Sydney", "Pacific/Auckland")


def test_without_a_region_the_team_that_opens_first_answers():
    # Sunday 21:00 UTC = Monday 10:00 in Auckland, 08:00 in Sydney: NZ is open.
    a = earliest(datetime(2026, 11, 29, 21, 0, tzinfo=UTC))
    assert a.open_now and a.region == "NZ"
    closed = earliest(datetime(2026, 11, 28, 1, 0, tzinfo=UTC))  # Saturday
    assert not closed.open_now and closed.region == "NZ"
    assert describe_next_open(closed) == "Monday 30 November at 8:30 am Auckland time"


def test_handing_to_the_reseller_queues_a_slack_notice_only_when_slack_is_configured(demo_engine, clock):
    from sqlalchemy import select

    from renewals.storage.db import outbox

    topics = (CASE_SLACK_TOPIC,)
    plain = Renewals(demo_engine, clock)
    case = plain.open_handoff_case("conv-s1", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    plain.hand_to_reseller(case.reference, "alice")
    slack = Renewals(demo_engine, clock, case_delivery_topics=topics)
    case = slack.open_handoff_case("conv-s2", "rest", "asked for a person", licence=QUOKKA_TRAVEL)
    with demo_engine.connect() as connection:  # opening doesn't tell the reseller
        keys = connection.execute(select(outbox.c.dedupe_key)).scalars().all()
    assert keys == [
        "conversation.message:RN-2026-000001:resumed:1"
    ]  # the first customer, told of the hand-over
    assert slack.hand_to_reseller(case.reference, "alice", "please call").notified_in_slack is True
    with demo_engine.connect() as connection:
        keys = connection.execute(select(outbox.c.dedupe_key)).scalars().all()
    # The Slack notice, and for each case the message that tells the customer and resumes their chat.
    assert sorted(keys) == sorted(
        [
            f"{topics[0]}:{case.reference}:handed:1",
            f"conversation.message:{case.reference}:resumed:1",
            "conversation.message:RN-2026-000001:resumed:1",
        ]
    )


def test_handing_to_a_reseller_without_a_slack_channel_queues_no_slack_notice(demo_engine, clock):
    # A notice for a reseller with no channel would be retried for ever and never reach anyone.
    from sqlalchemy import select, update

    from renewals.storage.db import outbox, resellers

    topics = (CASE_SLACK_TOPIC,)
    with demo_engine.begin() as connection:
        connection.execute(
            update(resellers).where(resellers.c.reseller_id == "R-AU-002").values(slack_channel_id=None)
        )
    service = Renewals(demo_engine, clock, case_delivery_topics=topics)
    case = service.open_handoff_case(
        "conv-s3", "rest", "asked for a person", licence=QUOKKA_TRAVEL
    )  # Harbour Systems
    handed = service.hand_to_reseller(case.reference, "alice")
    with demo_engine.connect() as connection:  # only the message to the customer: no Slack notice
        keys = connection.execute(select(outbox.c.dedupe_key)).scalars().all()
    assert keys == [f"conversation.message:{case.reference}:resumed:1"]
    # The console tells the agent so, and how to reach the reseller instead.
    assert handed.notified_in_slack is False and handed.reseller.name == "Harbour Systems Pty Ltd"
