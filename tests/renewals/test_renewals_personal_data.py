"""Personal data stays in the cases table and the tracker store: never in logs, reprs or error messages,
and it can be deleted on request or when its retention period ends."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.exc import IntegrityError

from renewals.case_service import transition
from renewals.cases import CaseStatus, idempotency_key
from renewals.checklist import InvalidChecklist
from renewals.delivery.webhook import WebhookConfig, WebhookSender
from renewals.delivery.worker import DeliveryWorker, run_worker
from renewals.outbox import CASE_WEBHOOK_TOPIC, Backoff
from renewals.privacy import forget_customer, purge_resolved_cases
from renewals.service import Renewals
from renewals.storage.db import case_events, cases, make_engine, outbox
from renewals.storage.unit_of_work import UnitOfWork
from tests.support.cases import ACME_CHECKLIST, ACME_PERSONAL_DATA, WEBHOOK_SECRET, WebhookReceiver
from tests.support.clocks import ManualClock
from tests.support.renewals_data import QUOKKA_TRAVEL

OTHER_CUSTOMER = replace(
    ACME_CHECKLIST,
    company_name="Kiwi Dental Ltd",
    contact_name="Aroha Ngata",
    contact_email="aroha@kiwidental.co.nz",
    phone="+6495550404",
)


@pytest.fixture
def clock():
    return ManualClock()


def counts(engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (cases, case_events, outbox)
        )


def leaked(text: str) -> list[str]:
    return [value for value in ACME_PERSONAL_DATA if value.casefold() in text.casefold()]


# --- logs ------------------------------------------------------------------------------


def test_personal_data_never_appears_in_log_output(demo_engine, clock, caplog):
    caplog.set_level(logging.DEBUG)
    renewals = Renewals(demo_engine, clock, case_delivery_topics=(CASE_WEBHOOK_TOPIC,))
    action_log = logging.getLogger("actions.cases")  # as a chat action would report problems

    # Opening: refused, incomplete, opened, opened again.
    for attempt in (
        replace(ACME_CHECKLIST, contact_email="jordan.quill@example.com"),
        replace(ACME_CHECKLIST, phone=None),
    ):
        try:
            renewals.open_renewal_case(attempt, "conversation-1", "web")
        except ValueError as error:
            action_log.warning("Could not open the case: %s", error)
            action_log.debug("Checklist was %r", attempt)
    case = renewals.open_renewal_case(
        ACME_CHECKLIST, "conversation-1", "web", renewals.find_licence(QUOKKA_TRAVEL.activation_code)
    )
    renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    action_log.info("Opened %r", case)

    # Delivering: 500, a dropped connection, a refusal, then success.
    with WebhookReceiver(script=["500", "drop", "404"]) as receiver:
        sender = WebhookSender(WebhookConfig(url=receiver.url, secret=WEBHOOK_SECRET))
        worker = DeliveryWorker(demo_engine, sender, clock, backoff=Backoff(random=lambda: 0.0))
        for _ in range(5):
            worker.deliver_due()
            clock.advance(minutes=15)
        assert len(receiver.accepted()) == 1

    # A worker round that blows up with personal data in the exception message.
    renewals.open_renewal_case(ACME_CHECKLIST, "conversation-2", "web")

    class LeakySender:
        topics = (CASE_WEBHOOK_TOPIC,)

        def send(self, message, now):
            raise ValueError(f"bad contact {json.loads(message.payload)['checklist']['contact_email']}")

    DeliveryWorker(demo_engine, LeakySender(), clock).run_once()
    exploding = DeliveryWorker(demo_engine, LeakySender(), clock)

    def explode():
        stop.set()
        raise RuntimeError(f"lost row for {ACME_CHECKLIST.contact_email}")

    stop = threading.Event()
    exploding.run_once = explode
    run_worker(demo_engine, LeakySender(), clock, 0, stop, worker=exploding)

    # Working the case, and forgetting the customer.
    with UnitOfWork(demo_engine) as uow:
        transition(uow, case.reference, CaseStatus.IN_PROGRESS, "Sam Agent", clock=clock)
    forget_customer(demo_engine, "JORDAN.QUILL@acmewidgets.com.au")

    messages = caplog.text
    assert "Opened case RN-2026-000001" in messages and "failed on attempt" in messages
    assert "Outbox delivery round failed (RuntimeError)" in messages
    assert leaked(messages) == []


def test_database_errors_do_not_quote_personal_data(demo_engine, clock):
    case = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    with pytest.raises(IntegrityError) as raised:
        with UnitOfWork(demo_engine) as uow:
            uow.cases.add(case, idempotency_key("renewal", "conversation-1", ACME_CHECKLIST))

    assert leaked(str(raised.value)) == []


def test_reprs_and_checklist_errors_leave_out_personal_data(demo_engine, clock):
    case = Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "+61412345678", "whatsapp")
    with pytest.raises(InvalidChecklist) as raised:
        replace(ACME_CHECKLIST, contact_email="jordan.quill@example.com", phone="0412 345").validated(
            clock.today()
        )

    assert leaked(repr(case)) == []
    assert leaked(str(raised.value)) == []
    assert "RN-2026-000001" in repr(case)


# --- forgetting a customer -------------------------------------------------------------


@pytest.fixture
def tracker(tmp_path):
    """A tracker store laid out like Rasa's SQLTrackerStore, with three conversations."""
    engine = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    events = Table(
        "events",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Integer),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    )
    events.metadata.create_all(engine)

    def said(sender_id, text):
        return {
            "sender_id": sender_id,
            "type_name": "user",
            "data": json.dumps({"event": "user", "text": text}),
        }

    with engine.begin() as connection:
        connection.execute(
            insert(events),
            [
                said("conversation-1", "I'd like to renew"),
                said("conversation-1", "0412 345 678"),
                said("conversation-7", "my email is Jordan.Quill@AcmeWidgets.com.au"),  # no case opened here
                said("conversation-9", "hello"),
                said(
                    "conversation-9", "jordan_quill@acmewidgets.com.au"
                ),  # a different address: _ is literal
            ],
        )
    yield engine, events
    engine.dispose()


def tracker_conversations(tracker) -> list[str]:
    engine, events = tracker
    with engine.connect() as connection:
        return sorted(set(connection.execute(select(events.c.sender_id)).scalars()))


def test_forgetting_a_customer_deletes_their_cases_history_outbox_and_conversations(
    demo_engine, clock, tracker
):
    renewals = Renewals(demo_engine, clock, case_delivery_topics=(CASE_WEBHOOK_TOPIC,))
    mine = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    renewals.open_renewal_case(replace(ACME_CHECKLIST, user_count=60), "conversation-1", "web")
    other = renewals.open_renewal_case(OTHER_CUSTOMER, "conversation-9", "web")
    with UnitOfWork(demo_engine) as uow:
        transition(uow, mine.reference, CaseStatus.IN_PROGRESS, "Sam Agent", clock=clock)
    renewals.rate_chat("conversation-1", True)
    renewals.rate_chat("conversation-9", False)

    report = forget_customer(demo_engine, "  JORDAN.QUILL@acmewidgets.com.au ", tracker[0])

    assert report.chat_ratings == 1 and renewals.chat_rating("conversation-1") is None
    assert renewals.chat_rating("conversation-9") is not None
    assert (report.cases, report.case_events, report.outbox_messages) == (2, 3, 2)
    assert (report.conversations, report.tracker_events) == (2, 3)
    assert counts(demo_engine) == (1, 1, 1)
    assert renewals.case(other.reference) is not None and renewals.case(mine.reference) is None
    assert tracker_conversations(tracker) == ["conversation-9"]


def test_forgetting_an_unknown_address_changes_nothing(demo_engine, clock, tracker):
    Renewals(demo_engine, clock).open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")

    report = forget_customer(demo_engine, "nobody@acmewidgets.com.au", tracker[0])

    assert (report.cases, report.tracker_events) == (0, 0)
    assert counts(demo_engine) == (1, 1, 0)
    assert len(tracker_conversations(tracker)) == 3


def test_forgetting_reports_licence_records_that_still_list_the_address(demo_engine):
    with UnitOfWork(demo_engine) as uow:
        listed = uow.licences.get(QUOKKA_TRAVEL.activation_code).contact_email

    report = forget_customer(demo_engine, listed.upper())

    # Imported licence data is corrected at its source and re-imported, so it is only counted.
    assert report.licences_listing_address == 1


def test_forgetting_needs_an_email_address(demo_engine):
    with pytest.raises(ValueError):
        forget_customer(demo_engine, "Jordan Quill")


# --- retention -------------------------------------------------------------------------


def test_resolved_cases_are_purged_after_the_retention_period(demo_engine, clock):
    renewals = Renewals(demo_engine, clock)
    old = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-1", "web")
    still_open = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-2", "web")
    with UnitOfWork(demo_engine) as uow:
        transition(uow, old.reference, CaseStatus.RESOLVED, "Sam Agent", clock=clock)
    clock.advance(days=365)
    recent = renewals.open_renewal_case(ACME_CHECKLIST, "conversation-3", "web")
    with UnitOfWork(demo_engine) as uow:
        transition(uow, recent.reference, CaseStatus.RESOLVED, "Sam Agent", clock=clock)
    clock.advance(days=366)

    report = purge_resolved_cases(demo_engine, clock)

    assert (report.cases, report.case_events) == (1, 2)
    assert renewals.case(old.reference) is None
    assert renewals.case(still_open.reference) is not None and renewals.case(recent.reference) is not None
    assert purge_resolved_cases(demo_engine, clock, retention=timedelta(days=1)).cases == 1
