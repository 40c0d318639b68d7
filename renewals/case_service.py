"""What is done to support cases, each in the caller's unit of work: opening a renewal or hand-off case
(idempotently, with its outbox messages), and what agents and resellers do with one (take, reply, note,
hand to the reseller, resolve). The case itself, its statuses and rules are in renewals.cases.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Callable, Optional, Sequence

from renewals.case_references import (
    format_reference,
)
from renewals.cases import (
    ASSISTANT,
    MAX_ACTOR_LENGTH,
    MAX_CHANNEL_LENGTH,
    MAX_CONVERSATION_ID_LENGTH,
    MAX_NOTE_LENGTH,
    Case,
    CaseEvent,
    CaseNotFound,
    CaseReason,
    CaseStatus,
    EventKind,
    NoConversation,
    TransitionNotAllowed,
    can_transition,
    case_document,
    idempotency_key,
    partial_checklist,
    pauses_its_conversation,
    reply_email,
    routing_target,
    waiting_since,
)
from renewals.chat_emails import answer_email, email_address
from renewals.checklist import RenewalChecklist
from renewals.clock import Clock
from renewals.conflicts import AlreadyRecorded
from renewals.conversation_messages import (
    CONVERSATION_TOPIC,
    handed_to_reseller_message,
    joined_message,
    queue_message,
    resolved_message,
)
from renewals.licences import Licence
from renewals.outbox import CASE_SLACK_TOPIC, CHAT_EMAIL_TOPIC, encode_payload
from renewals.time_zones import licence_today

log = logging.getLogger(__name__)


def open_renewal_case(
    uow,
    checklist: RenewalChecklist,
    conversation_id: str,
    channel: Optional[str],
    licence: Optional[Licence] = None,
    *,
    clock: Clock,
    delivery_topics: Sequence[str] = (),
) -> Case:
    """Open a renewal case for a confirmed checklist, or return the one this conversation already opened.

    The checklist must be complete and valid (IncompleteChecklist /
    InvalidChecklist otherwise); it is stored normalised. One outbox message
    per topic in `delivery_topics` is written in the same transaction, so the
    case and its messages commit or roll back together. Use a unit of work
    opened with `immediate=True` (see UnitOfWork) so concurrent opens on
    SQLite queue rather than fail.
    """
    conversation_id = _required_text(conversation_id, "conversation_id", MAX_CONVERSATION_ID_LENGTH)
    channel = _optional_text(channel, "channel", MAX_CHANNEL_LENGTH)
    checklist = checklist.validated(
        licence_today(clock, licence),
        uow.price_lists.active(),
        recorded_phone=licence.phone if licence is not None else None,
    )
    key = idempotency_key(CaseReason.RENEWAL, conversation_id, checklist)

    existing = uow.cases.get_by_key(key)
    if existing is not None:
        log.info("Case %s was already opened for these details; returning it", existing.reference)
        return existing

    def renewal_case(reference: str, now: datetime) -> Case:
        return _new_case(reference, now, CaseReason.RENEWAL, checklist, conversation_id, channel, licence)

    case, queued = _insert_case(uow, key, renewal_case, delivery_topics, clock)
    if queued is not None:
        log.info(
            "Opened case %s (reason %s, routed to %s, %d delivery message(s) queued)",
            case.reference,
            case.reason,
            case.routed_to,
            queued,
        )
    return case


def _new_case(
    reference: str,
    now: datetime,
    reason: str,
    checklist: RenewalChecklist,
    conversation_id: str,
    channel: Optional[str],
    licence: Optional[Licence],
    *more_history: CaseEvent,
) -> Case:
    """A case just opened by the assistant, routed by its licence."""
    return Case(
        reference=reference,
        reason=reason,
        status=CaseStatus.OPEN,
        checklist=checklist,
        conversation_id=conversation_id,
        channel=channel,
        licence_code=licence.activation_code if licence is not None else None,
        routed_to=routing_target(licence),
        created_at=now,
        updated_at=now,
        history=(
            CaseEvent(at=now, kind=EventKind.STATUS, actor=ASSISTANT, status=CaseStatus.OPEN),
            *more_history,
        ),
    )


def _insert_case(
    uow, key: str, make_case: Callable[[str, datetime], Case], delivery_topics: Sequence[str], clock: Clock
) -> tuple[Case, Optional[int]]:
    """Insert the case `make_case(reference, now)` under idempotency `key`, with one outbox
    message per topic that takes it, all in one savepoint.

    Returns the case and how many messages were queued; when a concurrent request
    committed the same key first, that case and None.
    """
    try:
        with uow.savepoint():
            year = clock.today().year
            now = clock.now()
            case = make_case(format_reference(year, uow.cases.next_reference_number(year)), now)
            case_id = uow.cases.add(case, key)
            queued = [topic for topic in delivery_topics if _delivers_to(uow, topic, case)]
            for topic in queued:
                uow.outbox.add(
                    topic=topic,
                    dedupe_key=f"{topic}:{case.reference}:opened",
                    payload=encode_payload(case_document(case)),
                    case_id=case_id,
                    created_at=now,
                )
    except AlreadyRecorded:
        # Another request with the same key committed first: that case is the answer.
        existing = uow.cases.get_by_key(key)
        if existing is None:
            raise
        log.info("Case %s was opened concurrently; returning it", existing.reference)
        return existing, None
    return case, len(queued)


def _delivers_to(uow, topic: str, case: Case) -> bool:
    """Whether `topic` takes this case: a reseller's Slack notice needs a reseller with a Slack channel."""
    if topic != CASE_SLACK_TOPIC:
        return True
    reseller = uow.resellers.get(case.reseller_id) if case.reseller_id else None
    return reseller is not None and bool(reseller.slack_channel_id)


def transition(
    uow,
    reference: str,
    new_status: CaseStatus,
    actor: str,
    note: Optional[str] = None,
    *,
    clock: Clock,
    closing: Optional[str] = None,
) -> Case:
    """Move the case to `new_status`, recording who did it (and why, in `note`) in its history.

    Resolving a case whose hand-off paused its conversation gives the conversation
    back to the assistant with `closing` (by default, that the case is resolved).
    Raises CaseNotFound, or TransitionNotAllowed when ALLOWED_TRANSITIONS
    forbids the move or the case changed status meanwhile.
    """
    new_status = CaseStatus(new_status)
    actor = _required_text(actor, "actor", MAX_ACTOR_LENGTH)
    note = _optional_text(note, "note", MAX_NOTE_LENGTH)
    case = uow.cases.get(reference)
    if case is None:
        raise CaseNotFound(f"no case {reference}")
    if not can_transition(case.status, new_status):
        raise TransitionNotAllowed(
            f"case {reference} is {case.status.value} and can't become {new_status.value}"
        )
    paused = pauses_its_conversation(case)
    now = clock.now()
    if not uow.cases.update_status(reference, case.status, new_status, now):
        raise TransitionNotAllowed(f"case {reference} changed status meanwhile; reload it and try again")
    uow.cases.add_event(
        reference, CaseEvent(at=now, kind=EventKind.STATUS, actor=actor, status=new_status, note=note)
    )
    log.info("Case %s is now %s", reference, new_status.value)
    case = uow.cases.get(reference)
    if new_status is CaseStatus.RESOLVED and paused:
        _give_back_conversation(uow, case, closing or resolved_message(reference), None, clock)
    return case


def _required_text(value: Any, name: str, max_length: int) -> str:
    text = _optional_text(value, name, max_length)
    if text is None:
        raise ValueError(f"{name} is required")
    return text


def _optional_text(value: Any, name: str, max_length: int) -> Optional[str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    value = value.strip()
    if len(value) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return value


def open_handoff_case(
    uow,
    conversation_id: str,
    channel: Optional[str],
    reason_note: str,
    checklist: Optional[RenewalChecklist] = None,
    licence: Optional[Licence] = None,
    *,
    clock: Clock,
    delivery_topics: Sequence[str] = (),
) -> Case:
    """Ask for a person: attach to the conversation's hand-off case that is not resolved yet, or open one.

    The request is recorded as a HANDOFF_REQUESTED event with `reason_note`
    ("asked for a person", ...). Asking again while already waiting adds
    nothing. A new case carries the valid items of `checklist` gathered so far
    and is routed like a renewal case. When the conversation has another case
    open (a renewal), the hand-off is its own case linked to it, with its details
    and licence where the chat gave none: the agent sees the whole story, and
    resolving the hand-off leaves the renewal to its reseller. Concurrent requests
    for one conversation open one case (same key, unique constraint); use
    `immediate=True` units of work.
    """
    conversation_id = _required_text(conversation_id, "conversation_id", MAX_CONVERSATION_ID_LENGTH)
    channel = _optional_text(channel, "channel", MAX_CHANNEL_LENGTH)
    reason_note = _optional_text(reason_note, "reason_note", MAX_NOTE_LENGTH) or "asked for a person"
    now = clock.now()
    existing = uow.cases.open_case_for_conversation(conversation_id, CaseReason.HANDOFF)
    if existing is not None:
        return _attach_handoff(uow, existing, reason_note, now)
    linked = uow.cases.open_case_for_conversation(conversation_id)
    if linked is not None:
        checklist = _with_missing_items_from(checklist, linked.checklist)
        if licence is None and linked.licence_code:
            licence = uow.licences.get(linked.licence_code)

    # The nth hand-off case of this conversation: a resolved one never blocks a new one.
    sequence = uow.cases.count_for_conversation(conversation_id)
    key = hashlib.sha256(
        json.dumps([CaseReason.HANDOFF, conversation_id, sequence]).encode("utf-8")
    ).hexdigest()
    details = partial_checklist(checklist, licence_today(clock, licence), uow.price_lists.active())

    def handoff_case(reference: str, now: datetime) -> Case:
        requested = CaseEvent(at=now, kind=EventKind.HANDOFF_REQUESTED, actor=ASSISTANT, note=reason_note)
        case = _new_case(
            reference, now, CaseReason.HANDOFF, details, conversation_id, channel, licence, requested
        )
        return replace(case, linked_to=linked.reference) if linked is not None else case

    case, queued = _insert_case(uow, key, handoff_case, delivery_topics, clock)
    if queued is None:
        return case
    log.info("Opened hand-off case %s (routed to %s)", case.reference, case.routed_to)
    return case


CONTACT_CHANGE_NOTE = "asked to change the registered contact, where renewal notices are sent"


def open_contact_change_case(
    uow,
    licence: Licence,
    conversation_id: str,
    channel: Optional[str],
    *,
    clock: Clock,
    delivery_topics: Sequence[str] = (),
) -> Case:
    """A case for the licence's reseller (or Technical Support) to change its registered contact; asking
    again in the same conversation returns the same case. The chat is not paused: nobody needs to reply
    in it, the new contact is checked with the customer outside the chat."""
    conversation_id = _required_text(conversation_id, "conversation_id", MAX_CONVERSATION_ID_LENGTH)
    channel = _optional_text(channel, "channel", MAX_CHANNEL_LENGTH)
    key = hashlib.sha256(
        json.dumps([CaseReason.CONTACT_CHANGE, conversation_id, licence.activation_code]).encode("utf-8")
    ).hexdigest()
    existing = uow.cases.get_by_key(key)
    if existing is not None:
        return existing
    details = partial_checklist(None, licence_today(clock, licence), uow.price_lists.active())

    def contact_change_case(reference: str, now: datetime) -> Case:
        asked = CaseEvent(at=now, kind=EventKind.NOTE, actor=ASSISTANT, note=CONTACT_CHANGE_NOTE)
        return _new_case(
            reference, now, CaseReason.CONTACT_CHANGE, details, conversation_id, channel, licence, asked
        )

    case, queued = _insert_case(uow, key, contact_change_case, delivery_topics, clock)
    if queued is not None:
        log.info("Opened contact-change case %s (routed to %s)", case.reference, case.routed_to)
    return case


def _with_missing_items_from(
    checklist: Optional[RenewalChecklist], other: RenewalChecklist
) -> RenewalChecklist:
    """`checklist` with its empty items taken from `other`."""
    if checklist is None:
        return other
    missing = {
        item.name: getattr(other, item.name)
        for item in fields(checklist)
        if getattr(checklist, item.name) in (None, "")
    }
    return replace(checklist, **missing)


def _attach_handoff(uow, case: Case, reason_note: str, now: datetime) -> Case:
    if waiting_since(case) is not None:
        return case  # already waiting for a person: a repeat (or a retried call) changes nothing
    uow.cases.add_event(
        case.reference, CaseEvent(at=now, kind=EventKind.HANDOFF_REQUESTED, actor=ASSISTANT, note=reason_note)
    )
    log.info("Hand-off requested on case %s", case.reference)
    return uow.cases.get(case.reference)


def take_case(uow, reference: str, agent: str, *, clock: Clock, display_name: Optional[str] = None) -> Case:
    """The agent takes the case: it is in progress and theirs. Taking it again (e.g. from a colleague) is
    allowed. A chat waiting for a person is told `display_name` joined."""
    case = _require(uow, reference)
    if case.status is CaseStatus.IN_PROGRESS:
        taken = _record(uow, case, EventKind.TAKEN, agent, None, clock)
    else:
        taken = _agent_transition(uow, case, CaseStatus.IN_PROGRESS, EventKind.TAKEN, agent, None, clock)
    if display_name:
        _announce_joined(uow, taken, display_name, clock)
    return taken


def _announce_joined(uow, case: Case, display_name: str, clock: Clock) -> None:
    """Tells a waiting chat that a person joined: once per agent in a row (a second click says nothing)."""
    if not case.conversation_id or not pauses_its_conversation(case):
        return
    takers = [e.actor for e in case.history if e.kind == EventKind.TAKEN]
    if len(takers) > 1 and takers[-1] == takers[-2]:
        return
    takes = len(takers)
    queue_message(
        uow,
        uow.cases.id_of(case.reference),
        case.conversation_id,
        joined_message(display_name),
        f"{CONVERSATION_TOPIC}:{case.reference}:joined:{takes}",
        agent=None,
        resume=False,
        clock=clock,
        notice="joined",
    )


def record_reply(uow, reference: str, agent: str, text: str, *, signature: str, clock: Clock) -> Case:
    """Records what the agent wrote to the customer and queues it for their chat, signed
    `signature` (the agent's name), in one transaction: the history shows every message sent."""
    case = _require(uow, reference)
    if case.status is CaseStatus.RESOLVED:
        raise TransitionNotAllowed(f"case {reference} is resolved")
    conversation_id = case.conversation_id
    if not conversation_id:
        raise NoConversation(f"case {reference} has no conversation")
    text = _required_text(text, "reply", MAX_NOTE_LENGTH)
    if case.status is CaseStatus.OPEN:
        case = _agent_transition(uow, case, CaseStatus.IN_PROGRESS, EventKind.TAKEN, agent, None, clock)
    case = _record(uow, case, EventKind.REPLY, agent, text, clock)
    message_id = uuid.uuid4()
    queue_message(
        uow,
        uow.cases.id_of(reference),
        conversation_id,
        text,
        f"{CONVERSATION_TOPIC}:{reference}:{message_id}",
        agent=signature,
        resume=False,
        clock=clock,
    )
    address = reply_email(case)
    if address:
        uow.outbox.add(
            topic=CHAT_EMAIL_TOPIC,
            dedupe_key=f"{CHAT_EMAIL_TOPIC}:{reference}:{message_id}",
            payload=encode_payload(answer_email(address, reference, signature, text)),
            case_id=uow.cases.id_of(reference),
            created_at=clock.now(),
        )
    return case


ANSWER_BY_EMAIL_NOTE = "asked for the support team's replies by email"


def request_answer_by_email(uow, conversation_id: str, text: str, *, clock: Clock) -> Case:
    """The customer waiting for a person leaves an address: it becomes the hand-off case's contact email,
    and every reply an agent writes in the chat from now on is also emailed to it. InvalidEmailAddress for
    text that is not one address; NoConversation when the chat has no unresolved hand-off case."""
    address = email_address(text)
    case = uow.cases.open_case_for_conversation(conversation_id, CaseReason.HANDOFF)
    if case is None:
        raise NoConversation("this chat has no request for a person")
    if reply_email(case) == address:
        return case  # asked twice: nothing changes
    now = clock.now()
    uow.cases.update_contact_email(case.reference, address, now)
    return _record(uow, case, EventKind.ANSWER_BY_EMAIL, ASSISTANT, ANSWER_BY_EMAIL_NOTE, clock)


def add_note(uow, reference: str, agent: str, text: str, *, clock: Clock) -> Case:
    """An internal note; allowed on any case, resolved ones included."""
    case = _require(uow, reference)
    text = _required_text(text, "note", MAX_NOTE_LENGTH)
    return _record(uow, case, EventKind.NOTE, agent, text, clock)


@dataclass(frozen=True)
class HandedOver:
    """A case handed to its reseller, and whether a Slack notice is on its way to them."""

    case: Case
    reseller: Any  # renewals.resellers.Reseller
    notified_in_slack: bool


def hand_to_reseller(
    uow,
    reference: str,
    agent: str,
    note: Optional[str] = None,
    *,
    clock: Clock,
    notify_topics: Sequence[str] = (),
) -> HandedOver:
    """Status 'handed to reseller'; one outbox message per topic (e.g. the reseller's Slack) in the same
    transaction."""
    case = _require(uow, reference)
    reseller = uow.resellers.get(case.reseller_id) if case.reseller_id else None
    if reseller is None:
        raise TransitionNotAllowed(f"case {reference} has no reseller to hand it to")
    paused = pauses_its_conversation(case)
    case = _agent_transition(
        uow, case, CaseStatus.HANDED_TO_RESELLER, EventKind.HANDED_TO_RESELLER, agent, note, clock
    )
    if paused:  # the customer is told who takes it from here, and the assistant answers again
        _give_back_conversation(
            uow, case, handed_to_reseller_message(case.reference, reseller.name), None, clock
        )
    case_id = uow.cases.id_of(reference)
    count = sum(1 for e in case.history if e.kind == EventKind.HANDED_TO_RESELLER)
    notified = False
    for topic in (t for t in notify_topics if _delivers_to(uow, t, case)):
        document = case_document(case)
        document["event"] = "handed_to_reseller"
        document["note"] = note
        uow.outbox.add(
            topic=topic,
            dedupe_key=f"{topic}:{reference}:handed:{count}",
            payload=encode_payload(document),
            case_id=case_id,
            created_at=clock.now(),
        )
        notified = notified or topic == CASE_SLACK_TOPIC
    return HandedOver(case, reseller, notified)


def resolve_case(
    uow,
    reference: str,
    agent: str,
    note: Optional[str] = None,
    *,
    signature: Optional[str] = None,
    closing: Optional[str] = None,
    clock: Clock,
) -> Case:
    """Resolve the case; a conversation it paused is given back to the assistant with `closing`, signed
    `signature` (without them, the assistant says the case is resolved)."""
    case = _require(uow, reference)
    paused = pauses_its_conversation(case)
    case = _agent_transition(uow, case, CaseStatus.RESOLVED, EventKind.RESOLVED, agent, note, clock)
    if paused:
        _give_back_conversation(
            uow, case, closing or resolved_message(case.reference), signature if closing else None, clock
        )
    return case


def _give_back_conversation(uow, case: Case, text: str, signature: Optional[str], clock: Clock) -> None:
    """The case paused its conversation: queue the message that resumes it (once per hand-off asked for)."""
    if not case.conversation_id:
        return
    requests = sum(1 for e in case.history if e.kind == EventKind.HANDOFF_REQUESTED)
    queue_message(
        uow,
        uow.cases.id_of(case.reference),
        case.conversation_id,
        text,
        f"{CONVERSATION_TOPIC}:{case.reference}:resumed:{requests}",
        agent=signature,
        resume=True,
        clock=clock,
    )


def _require(uow, reference: str) -> Case:
    case = uow.cases.get((reference or "").strip().upper())
    if case is None:
        raise CaseNotFound(f"no case {reference}")
    return case


def _record(uow, case: Case, kind: str, agent: str, note: Optional[str], clock: Clock) -> Case:
    agent = _required_text(agent, "actor", MAX_ACTOR_LENGTH)
    uow.cases.add_event(case.reference, CaseEvent(at=clock.now(), kind=kind, actor=agent, note=note))
    return uow.cases.get(case.reference)


def _agent_transition(
    uow, case: Case, new_status: CaseStatus, kind: str, agent: str, note: Optional[str], clock: Clock
) -> Case:
    agent = _required_text(agent, "actor", MAX_ACTOR_LENGTH)
    note = _optional_text(note, "note", MAX_NOTE_LENGTH)
    if not can_transition(case.status, new_status):
        raise TransitionNotAllowed(
            f"case {case.reference} is {case.status.value} and can't become {new_status.value}"
        )
    now = clock.now()
    if not uow.cases.update_status(case.reference, case.status, new_status, now):
        raise TransitionNotAllowed(f"case {case.reference} changed status meanwhile; reload it and try again")
    uow.cases.add_event(
        case.reference, CaseEvent(at=now, kind=kind, actor=agent, status=new_status, note=note)
    )
    log.info("Case %s is now %s (%s)", case.reference, new_status.value, kind)
    return uow.cases.get(case.reference)
