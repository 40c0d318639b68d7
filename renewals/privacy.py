"""Deleting customers' personal data: on request (forget a customer) and by retention (old resolved cases).

Contact details live in the cases table (with copies in outbox payloads until
delivered), in the recipients of renewal notices and in the chat tracker store. See docs/privacy.md.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, Optional

from sqlalchemy.engine import Engine

from renewals.clock import Clock
from renewals.storage.tracker_store import TrackerStore
from renewals.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_RESOLVED_RETENTION = timedelta(days=730)  # two years
TRACKER_RETENTION_VARIABLE = "TRACKER_RETENTION_DAYS"
DEFAULT_TRACKER_RETENTION_DAYS = 90


def tracker_retention_days(environ: Mapping[str, str] = os.environ) -> int:
    """TRACKER_RETENTION_DAYS, or the default when it is unset or not a number of days."""
    raw = environ.get(TRACKER_RETENTION_VARIABLE, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_TRACKER_RETENTION_DAYS


@dataclass(frozen=True)
class ErasureReport:
    cases: int = 0
    case_events: int = 0
    outbox_messages: int = 0
    conversations: int = 0  # tracker store conversations deleted
    tracker_events: int = 0
    licences_listing_address: int = 0  # imported licence records that still name the address
    notices: int = 0  # notices whose recipient was cleared (the rows stay, so none is sent again)
    chat_ratings: int = 0  # end-of-chat ratings of the forgotten conversations


def forget_customer(engine: Engine, email: str, tracker_engine: Optional[Engine] = None) -> ErasureReport:
    """Delete every case whose contact email is `email` (any letter case), with its history and outbox
    messages.

    With `tracker_engine` (Rasa's SQL tracker store), also delete every event
    of those cases' conversations and of any conversation whose events mention
    the address. The tracker deletion commits first and the case deletion only
    after it, so a failure part-way leaves the cases to find on a re-run.
    """
    address = email.strip().lower()
    if "@" not in address:
        raise ValueError("an email address is needed")
    with UnitOfWork(engine, immediate=True) as uow:
        found = uow.cases.ids_with_contact_email(address)
        case_ids = [case_id for case_id, _ in found]
        conversations = {conversation for _, conversation in found if conversation}
        tracker_events = tracker_conversations = 0
        if tracker_engine is not None:
            tracker = TrackerStore(tracker_engine)
            conversations |= tracker.mentioning(address)
            tracker_conversations, tracker_events = tracker.delete(conversations)
        outbox_messages = uow.outbox.delete_for_cases(case_ids)
        deleted_cases, case_events = uow.cases.delete(case_ids)
        listed = uow.licences.count_with_contact_email(address)
        notices = uow.notices.forget_recipient(address)
        ratings = uow.chat_ratings.delete_for_conversations(conversations)
    report = ErasureReport(
        cases=deleted_cases,
        case_events=case_events,
        outbox_messages=outbox_messages,
        conversations=tracker_conversations,
        tracker_events=tracker_events,
        licences_listing_address=listed,
        notices=notices,
        chat_ratings=ratings,
    )
    log.info(
        "Forgot a customer: %d case(s), %d history entries, %d outbox message(s), %d tracker event(s)",
        report.cases,
        report.case_events,
        report.outbox_messages,
        report.tracker_events,
    )
    return report


def purge_resolved_cases(
    engine: Engine, clock: Clock, retention: timedelta = DEFAULT_RESOLVED_RETENTION
) -> ErasureReport:
    """Delete resolved cases last changed more than `retention` ago, with their history and outbox
    messages."""
    with UnitOfWork(engine, immediate=True) as uow:
        case_ids = uow.cases.ids_resolved_before(clock.now() - retention)
        outbox_messages = uow.outbox.delete_for_cases(case_ids)
        cases, case_events = uow.cases.delete(case_ids)
    log.info("Purged %d resolved case(s) past retention", cases)
    return ErasureReport(cases=cases, case_events=case_events, outbox_messages=outbox_messages)


def purge_idle_conversations(tracker_engine: Engine, clock: Clock, retention: timedelta) -> tuple[int, int]:
    """Delete every conversation of Rasa's SQL tracker store whose last event is older than `retention`;
    returns (conversations, events) deleted. A conversation still in use keeps all of its events."""
    tracker = TrackerStore(tracker_engine)
    conversations, events = tracker.delete(tracker.idle_since(clock.now() - retention))
    log.info("Purged %d conversation(s) idle past retention (%d event(s))", conversations, events)
    return conversations, events
