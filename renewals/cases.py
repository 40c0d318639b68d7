"""Support cases: opened from the chat with the renewal checklist, routed, and followed to resolution.

A customer who wants to renew gives the assistant the checklist a reseller
needs (renewals.checklist); confirming it opens a case. The case goes to the
licence's reseller, or to Technical Support when the reseller is unknown, and
keeps a history of who changed its status, when and why.

Opening is idempotent: the same conversation confirming the same details
again (or a retried action call) gets the same case back, even when the two
requests race. References look like RN-2026-000123: the year and a number
that counts up through the year.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Callable, Optional

from renewals import checklist as checks
from renewals.checklist import CHECKLIST_FIELDS, RenewalChecklist
from renewals.licences import Licence

log = logging.getLogger(__name__)

TECHNICAL_SUPPORT = "technical-support"
ASSISTANT = "assistant"  # the actor for what the chat assistant does
MAX_ACTOR_LENGTH = 100
MAX_NOTE_LENGTH = 4000
MAX_CONVERSATION_ID_LENGTH = 255
MAX_CHANNEL_LENGTH = 50


class CaseReason:
    """Why a case was opened. Plain strings in the database, so new reasons need no migration."""

    RENEWAL = "renewal"
    HANDOFF = "human_handoff"  # the customer asked for a person, or the assistant offered one
    CONTACT_CHANGE = "contact_change"  # the registered contact (where notices go) is out of date


class CaseStatus(Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    HANDED_TO_RESELLER = "handed_to_reseller"
    RESOLVED = "resolved"


# Where a case may go from each status. A resolved case is closed for good.
ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.HANDED_TO_RESELLER, CaseStatus.RESOLVED}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.HANDED_TO_RESELLER, CaseStatus.RESOLVED}),
    CaseStatus.HANDED_TO_RESELLER: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED}),
    CaseStatus.RESOLVED: frozenset(),
}


def can_transition(current: CaseStatus, new: CaseStatus) -> bool:
    return new in ALLOWED_TRANSITIONS[current]


class EventKind:
    """What a history entry records. Plain strings: agents' notes and actions come later."""

    STATUS = "status"
    # Hand-off and agents' actions (see open_handoff_case and the agent functions below).
    HANDOFF_REQUESTED = "handoff_requested"  # note: why; the conversation is paused from here
    TAKEN = "taken"  # status: in_progress
    REPLY = "reply"  # note: what the agent wrote to the customer
    NOTE = "note"  # note: internal, never shown to the customer
    HANDED_TO_RESELLER = "handed_to_reseller"  # status: handed_to_reseller
    RESOLVED = "resolved"  # status: resolved; the conversation goes back to the assistant
    # The customer left an email address (now the case's contact email) for the agents' replies.
    ANSWER_BY_EMAIL = "answer_by_email"


@dataclass(frozen=True)
class CaseEvent:
    """One entry in a case's history."""

    at: datetime
    kind: str  # EventKind
    actor: str  # ASSISTANT, or the name of the person who acted
    status: Optional[CaseStatus] = None  # the new status, for EventKind.STATUS
    note: Optional[str] = field(default=None, repr=False)  # free text may hold personal data


@dataclass(frozen=True)
class Case:
    reference: str  # "RN-2026-000123"
    reason: str  # CaseReason
    status: CaseStatus
    checklist: RenewalChecklist  # its repr() leaves out contact details
    # A channel's sender id can be a phone number, so it stays out of repr() too.
    conversation_id: Optional[str] = field(repr=False)
    channel: Optional[str]
    licence_code: Optional[str] = field(repr=False)  # the licence's Activation Code, if known
    routed_to: str  # a reseller id, or TECHNICAL_SUPPORT
    created_at: datetime
    updated_at: datetime
    history: tuple[CaseEvent, ...] = ()
    # A hand-off asked for during a renewal is its own case, linked to the renewal case (its reference):
    # resolving one never resolves the other.
    linked_to: Optional[str] = None

    @property
    def reseller_id(self) -> Optional[str]:
        return None if self.routed_to == TECHNICAL_SUPPORT else self.routed_to


class CaseError(Exception):
    """A case operation that can't be done. Messages never contain personal data."""


class CaseNotFound(CaseError, LookupError):
    pass


class NoConversation(CaseError):
    """The case has no chat to send a message to (it was opened by another channel)."""


class TransitionNotAllowed(CaseError):
    pass


def routing_target(licence: Optional[Licence]) -> str:
    """The licence's reseller; Technical Support when the licence or its reseller is unknown."""
    if licence is not None and licence.reseller_id:
        return licence.reseller_id
    return TECHNICAL_SUPPORT


def idempotency_key(reason: str, conversation_id: Optional[str], checklist: RenewalChecklist) -> str:
    """SHA-256 of the conversation and the normalised details: equal inputs, equal key.

    Text compares without regard to case or spacing, so "Acme Pty Ltd" typed
    again as "ACME  pty ltd" is the same request.
    """

    def canonical(value: Any) -> Any:
        if isinstance(value, str):
            return " ".join(value.split()).casefold()
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    content = [reason, conversation_id] + [canonical(getattr(checklist, name)) for name in CHECKLIST_FIELDS]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def checklist_document(checklist: RenewalChecklist) -> dict[str, Any]:
    """The checklist as JSON: the webhook's case document and the agents' API share it."""
    return {
        "company_name": checklist.company_name,
        "address": checklist.address,
        "phone": checklist.phone,
        "contact_name": checklist.contact_name,
        "contact_email": checklist.contact_email,
        "product_code": checklist.product_code,
        "platform": checklist.platform,
        "user_count": checklist.user_count,
        "licence_expiry": checklist.licence_expiry.isoformat() if checklist.licence_expiry else None,
    }


def case_document(case: Case) -> dict[str, Any]:
    """The case as the JSON document the webhook sends (see docs/cases.md)."""
    return {
        "reference": case.reference,
        "status": case.status.value,
        "reason": case.reason,
        "checklist": checklist_document(case.checklist),
        "licence_code": case.licence_code,
        "routing": {"target": case.routed_to, "reseller_id": case.reseller_id},
        "conversation_id": case.conversation_id,
        "channel": case.channel,
        "linked_to": case.linked_to,
        "created_at": case.created_at.isoformat(),
    }


# --- hand-off to a person, and what agents do with a case ---------------------------------

# A chat is "waiting" for a person from its latest hand-off request until an agent takes
# the case, answers, hands it on or resolves it.
AGENT_RESPONSE_KINDS = frozenset(
    {EventKind.TAKEN, EventKind.REPLY, EventKind.HANDED_TO_RESELLER, EventKind.RESOLVED}
)


def waiting_since(case: Case) -> Optional[datetime]:
    """When the customer started waiting for a person in this case's chat; None if nobody is waited for."""
    return requested_since(case, AGENT_RESPONSE_KINDS)


def requested_since(case: Case, answered_by: frozenset) -> Optional[datetime]:
    """When the customer first asked for a person after the last event of a kind in `answered_by`;
    None if they have not asked since, or the case is resolved."""
    if case.status is CaseStatus.RESOLVED:
        return None
    since = None
    for event in case.history:
        if event.kind == EventKind.HANDOFF_REQUESTED:
            since = since or event.at
        elif event.kind in answered_by:
            since = None
    return since


def reply_email(case: Case) -> Optional[str]:
    """The address the customer left for the agents' replies (the case's contact email since), or None."""
    asked = any(event.kind == EventKind.ANSWER_BY_EMAIL for event in case.history)
    return case.checklist.contact_email if asked else None


def pauses_its_conversation(case: Case) -> bool:
    """Whether the case's chat is paused for a person: a hand-off was asked for and the case has not been
    handed to the reseller or resolved since."""
    paused = False
    for event in case.history:
        if event.kind == EventKind.HANDOFF_REQUESTED:
            paused = True
        elif event.kind in (EventKind.HANDED_TO_RESELLER, EventKind.RESOLVED):
            paused = False
    return paused


def assigned_agent(case: Case) -> Optional[str]:
    """The agent who last took the case, while it is in progress."""
    if case.status is not CaseStatus.IN_PROGRESS:
        return None
    for event in reversed(case.history):
        if event.kind == EventKind.TAKEN:
            return event.actor
    return None


def partial_checklist(checklist: Optional[RenewalChecklist], today, price_list=None) -> RenewalChecklist:
    """The valid items of a checklist still being filled in, normalised; invalid or unknown ones left out."""
    if checklist is None:
        return RenewalChecklist()
    validators: dict[str, Callable[[Any], checks.FieldCheck]] = {
        "company_name": checks.validate_company_name,
        "address": checks.validate_address,
        "phone": checks.validate_phone,
        "contact_name": checks.validate_contact_name,
        "contact_email": checks.validate_email,
        "user_count": checks.validate_user_count,
    }
    values: dict[str, Any] = {}
    for name, check in validators.items():
        value = getattr(checklist, name)
        if value in (None, ""):
            continue
        result = check(value)
        if result.ok:
            values[name] = result.value
    if checklist.licence_expiry is not None and hasattr(checklist.licence_expiry, "isoformat"):
        values["licence_expiry"] = checklist.licence_expiry
    product = (
        price_list.products.get(checklist.product_code)
        if price_list is not None and checklist.product_code
        else None
    )
    if product is not None:
        values["product_code"] = product.code
        if checklist.platform in product.platforms:
            values["platform"] = checklist.platform
    return RenewalChecklist(**values)
