"""The facade the chat actions call: licences, their status, renewal quotes and support cases.

Calls are synchronous and touch the database; run them off the event loop.
The rules live in licences.py, quotes.py, checklist.py and cases.py; this only
wires storage, the clock and the delivery settings to them.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Mapping, Optional, Sequence

from sqlalchemy.engine import Engine

from renewals import canned_replies, notice_service, reseller_access
from renewals.canned_replies import CannedReply
from renewals.case_service import (
    add_note,
    hand_to_reseller,
    open_handoff_case,
    open_renewal_case,
    record_reply,
    request_answer_by_email,
    resolve_case,
    take_case,
)
from renewals.cases import Case, CaseStatus, EventKind, waiting_since
from renewals.chat_emails import (
    TranscriptLine,
    email_address,
    transcript_dedupe_key,
    transcript_email,
)
from renewals.chat_ratings import ChatRating
from renewals.checklist import (
    FieldCheck,
    ProductMatch,
    RenewalChecklist,
    match_product,
    rank_products,
    validate_expiry,
)
from renewals.clock import SYDNEY, Clock, SystemClock, clock_from_env
from renewals.codes import normalise_activation_code
from renewals.conflicts import AlreadyRecorded
from renewals.delivery.slack_notices import slack_notices_configured
from renewals.delivery.webhook import webhook_configured
from renewals.delivery.worker import DeliveryWorker
from renewals.licences import Licence, LicenceStatus, licence_status
from renewals.notice_links import LinkSecretMissing
from renewals.notice_service import NoticeSettings
from renewals.notices import NoticeRecord, NoticeStanding
from renewals.outbox import CASE_SLACK_TOPIC, CASE_WEBHOOK_TOPIC, CHAT_EMAIL_TOPIC, encode_payload
from renewals.pricelist import PriceList, Product, RegionTerms, UserBand
from renewals.queue_standing import QueueStanding, queue_standing
from renewals.quotes import PriceListUnavailable, Quote, quote_renewal
from renewals.resellers import Reseller, reseller_id_for_slack
from renewals.storage.db import database_url_from_env, make_engine
from renewals.storage.unit_of_work import UnitOfWork
from renewals.support_hours import earliest
from renewals.time_zones import licence_today, licence_zone
from renewals.typing import Typing, typing_now

# The dashboard's window for end-of-chat ratings.
RATINGS_WINDOW = timedelta(days=7)


class Renewals:
    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        case_delivery_topics: Sequence[str] = (),
        notice_settings: Optional[NoticeSettings] = None,
    ):
        """`case_delivery_topics`: outbox topics each new case is queued for (none: cases stay local).
        `notice_settings`: for re-sending renewal notices and opening their links (None: neither)."""
        self._engine = engine
        self._clock = clock
        self._case_delivery_topics = tuple(case_delivery_topics)
        self._notice_settings = notice_settings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Renewals:
        """Uses DATABASE_URL (default var/renewals.db), RENEWALS_TODAY (default: Sydney's date),
        CASE_WEBHOOK_URL (when set, new cases are queued for the webhook) and SLACK_BOT_TOKEN
        (when set, new cases routed to a reseller with a Slack channel are queued for it)."""
        topics: tuple[str, ...] = (CASE_WEBHOOK_TOPIC,) if webhook_configured(environ) else ()
        if slack_notices_configured(environ):
            topics += (CASE_SLACK_TOPIC,)  # only cases routed to a reseller with a Slack channel get one
        try:
            notices: Optional[NoticeSettings] = NoticeSettings.from_env(environ)
        except LinkSecretMissing:
            notices = None  # no NOTICE_LINK_SECRET: notices can't be re-sent nor their links opened
        return cls(make_engine(database_url_from_env(environ)), clock_from_env(environ), topics, notices)

    def today(self, licence: Optional[Licence] = None) -> date:
        """Today's date where the licence is (its own time zone); Sydney's without one."""
        return licence_today(self._clock, licence)

    def find_licence(self, code: str) -> Optional[Licence]:
        """The licence for an Activation Code typed in any case or spacing; None if malformed or unknown."""
        canonical = normalise_activation_code(code)
        if canonical is None:
            return None
        with UnitOfWork(self._engine) as uow:
            return uow.licences.get(canonical)

    def status(self, licence: Licence) -> LicenceStatus:
        return licence_status(licence, self.today(licence))

    def quote(
        self,
        licence: Licence,
        renewal_date: Optional[date] = None,
        years: int = 1,
        users: Optional[int] = None,
    ) -> Quote:
        """Raises a QuoteError subclass, whose message is for the customer, when no quote can be given."""
        return quote_renewal(
            licence,
            self._active_price_list(),
            today=self.today(licence),
            renewal_date=renewal_date,
            years=years,
            users=users,
        )

    def product(self, code: str) -> Product:
        """Raises UnknownProduct when the active price list has no such product."""
        return self._active_price_list().product(code)

    def match_product(self, text: Any) -> Optional[ProductMatch]:
        """The product (and platform) the customer's words most plausibly name, or None; confirm it unless
        exact.

        Raises PriceListUnavailable when there is no price list.
        """
        return match_product(text, self._active_price_list())

    def product_candidates(self, text: Any, limit: int = 3) -> list[ProductMatch]:
        """Products to offer when match_product finds none or several, best first."""
        return rank_products(text, self._active_price_list())[:limit]

    def validate_expiry(self, text: Any, licence: Optional[Licence] = None) -> FieldCheck[date]:
        """The licence expiry date the customer typed (day first), read against today where the licence is."""
        return validate_expiry(text, self._clock, licence_zone(licence))

    def open_renewal_case(
        self,
        checklist: RenewalChecklist,
        conversation_id: str,
        channel: Optional[str],
        licence: Optional[Licence] = None,
    ) -> Case:
        """Open the case for a confirmed checklist, or return the one these details already opened.

        Raises IncompleteChecklist or InvalidChecklist (renewals.checklist), whose
        messages name fields only. Safe to call again after a timeout or retry.
        """
        with UnitOfWork(self._engine, immediate=True) as uow:
            return open_renewal_case(
                uow,
                checklist,
                conversation_id,
                channel,
                licence,
                clock=self._clock,
                delivery_topics=self._case_delivery_topics,
            )

    # --- renewal notices (renewals.notice_service) ---

    def notice_standing(self, licence: Licence) -> NoticeStanding:
        return notice_service.standing(self._engine, self._clock, licence)

    def notice_history(self, licence: Licence) -> list[NoticeRecord]:
        with UnitOfWork(self._engine) as uow:
            return uow.notices.for_licence(licence.activation_code)

    def resend_notice(self, licence: Licence) -> notice_service.Resend:
        return notice_service.resend_notice(self._engine, self._clock, self._notices(), licence)

    def open_notice_link(self, token: Optional[str]) -> notice_service.LinkOpening:
        return notice_service.open_link(self._engine, self._clock, self._notices(), token)

    def request_contact_change(self, licence: Licence, conversation_id: str, channel: Optional[str]) -> Case:
        return notice_service.request_contact_change(
            self._engine, self._clock, licence, conversation_id, channel, self._case_delivery_topics
        )

    def _notices(self) -> NoticeSettings:
        if self._notice_settings is None:
            raise LinkSecretMissing("NOTICE_LINK_SECRET is not set")
        return self._notice_settings

    def reseller_name(self, reseller_id: str) -> Optional[str]:
        """The reseller's business name (e.g. for "Harbour Systems will contact you"), or None if unknown."""
        with UnitOfWork(self._engine) as uow:
            reseller = uow.resellers.get(reseller_id)
        return reseller.name if reseller is not None else None

    def case(self, reference: str) -> Optional[Case]:
        with UnitOfWork(self._engine) as uow:
            return uow.cases.get(reference.strip().upper())

    def cases_linked_to(self, reference: str) -> list[str]:
        """The hand-off cases asked for during this renewal case, by reference."""
        with UnitOfWork(self._engine) as uow:
            return uow.cases.linked_from(reference)

    def conversation_case(self, reference: str, conversation_id: str) -> Optional[Case]:
        """The case, only when it was opened in this conversation: a reference alone proves nothing."""
        case = self.case(reference)
        return case if case is not None and case.conversation_id == conversation_id else None

    def reseller(self, reseller_id: str) -> Optional[Reseller]:
        with UnitOfWork(self._engine) as uow:
            return uow.resellers.get(reseller_id)

    def products(self) -> list[Product]:
        return list(self._active_price_list().products.values())

    def list_prices(
        self, product_code: str, region: str
    ) -> tuple[RegionTerms, tuple[tuple[UserBand, Decimal], ...]]:
        """The region's currency and GST, and the product's annual rate per user for each user band."""
        price_list = self._active_price_list()
        return price_list.terms(region), price_list.band_rates(product_code, region)

    # --- resellers in Slack (rules: renewals.reseller_access) ------------------------------

    def reseller_for_slack(self, user_id: Optional[str], team_id: Optional[str]) -> Optional[Reseller]:
        """The reseller a verified Slack user acts for (their user link, else their workspace's), or None."""
        with UnitOfWork(self._engine) as uow:
            reseller_id = reseller_id_for_slack(uow.slack_links.matching(user_id, team_id), user_id, team_id)
            return uow.resellers.get(reseller_id) if reseller_id else None

    def reseller_licence(self, reseller_id: str, code: str) -> Licence:
        """The licence if it is one of the reseller's customers'; raises NotYourCustomer otherwise (unknown
        too)."""
        with UnitOfWork(self._engine) as uow:
            return reseller_access.licence_for_reseller(uow, reseller_id, code)

    def find_customers(self, reseller_id: str, text: str) -> list[reseller_access.CompanyMatch]:
        """The reseller's customers whose company the text names (one when clear; several to choose from)."""
        with UnitOfWork(self._engine) as uow:
            return reseller_access.find_customers(uow, reseller_id, text)

    def expiry_report(
        self, reseller_id: str, request: reseller_access.ExpiryRequest
    ) -> reseller_access.ExpiryReport:
        with UnitOfWork(self._engine) as uow:
            return reseller_access.expiry_report(uow, reseller_id, request, self._clock)

    def reseller_cases(self, reseller_id: str, include_resolved: bool = False) -> list[Case]:
        with UnitOfWork(self._engine) as uow:
            return reseller_access.cases_for(uow, reseller_id, include_resolved)

    def mark_case(
        self, reseller_id: str, reference: str, status: CaseStatus, actor: str
    ) -> reseller_access.CaseUpdate:
        """Raises NotYourCase, StatusNotForResellers or TransitionNotAllowed (messages name no personal
        data)."""
        with UnitOfWork(self._engine, immediate=True) as uow:
            return reseller_access.mark_case(uow, reseller_id, reference, status, actor, clock=self._clock)

    def _active_price_list(self) -> PriceList:
        with UnitOfWork(self._engine) as uow:
            price_list = uow.price_lists.active()
        if price_list is None:
            raise PriceListUnavailable(
                "Prices aren't available right now. Please try again later or ask your reseller for a quote."
            )
        return price_list

    # --- hand-off and the agent console ---------------------------------------------------
    # (imports are local so this block stays self-contained)

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def engine(self) -> Engine:
        return self._engine

    def open_handoff_case(
        self,
        conversation_id: str,
        channel: Optional[str],
        reason_note: str,
        checklist: Optional[RenewalChecklist] = None,
        licence: Optional[Licence] = None,
    ) -> Case:
        """Attach a request for a person to the conversation's unresolved case, or open a hand-off case."""

        # The helpdesk webhook hears of it; the reseller only when an agent hands the case over.
        topics = tuple(t for t in self._case_delivery_topics if t != CASE_SLACK_TOPIC)
        with UnitOfWork(self._engine, immediate=True) as uow:
            return open_handoff_case(
                uow,
                conversation_id,
                channel,
                reason_note,
                checklist,
                licence,
                clock=self._clock,
                delivery_topics=topics,
            )

    def support_availability(self, region: Optional[str] = None):
        """Whether a person can join now (renewals.support_hours.Availability)."""

        return earliest(self._clock.now(), region)

    def take_case(self, reference: str, agent: str, display_name: Optional[str] = None) -> Case:
        """`display_name`: announced in a chat waiting for a person ("Alice Nguyen … has joined")."""
        with UnitOfWork(self._engine, immediate=True) as uow:
            return take_case(uow, reference, agent, clock=self._clock, display_name=display_name)

    def record_reply(self, reference: str, agent: str, text: str, signature: str) -> Case:
        """Record the agent's reply and queue it for the customer's chat (see
        deliver_conversation_messages)."""

        with UnitOfWork(self._engine, immediate=True) as uow:
            case = record_reply(uow, reference, agent, text, signature=signature, clock=self._clock)
            if case.conversation_id:
                # The reply is on its way: the customer no longer reads that the agent is typing.
                uow.chat_typing.report(case.conversation_id, {"agent_at": None, "agent_name": None})
            return case

    def add_note(self, reference: str, agent: str, text: str) -> Case:

        with UnitOfWork(self._engine, immediate=True) as uow:
            return add_note(uow, reference, agent, text, clock=self._clock)

    def hand_to_reseller(self, reference: str, agent: str, note: Optional[str] = None):
        """Status 'handed to reseller', with a notification queued on the reseller Slack topic when Slack is
        configured and the reseller has a channel (renewals.case_service.HandedOver says which)."""

        topics = (CASE_SLACK_TOPIC,) if CASE_SLACK_TOPIC in self._case_delivery_topics else ()
        with UnitOfWork(self._engine, immediate=True) as uow:
            return hand_to_reseller(uow, reference, agent, note, clock=self._clock, notify_topics=topics)

    def resolve_case(
        self,
        reference: str,
        agent: str,
        note: Optional[str] = None,
        signature: Optional[str] = None,
        closing: Optional[str] = None,
    ) -> Case:
        """Resolve the case; a chat its hand-off paused is given back to the assistant with `closing`
        signed `signature` (by default, the assistant says the case is resolved)."""

        with UnitOfWork(self._engine, immediate=True) as uow:
            return resolve_case(
                uow, reference, agent, note, signature=signature, closing=closing, clock=self._clock
            )

    def deliver_conversation_messages(self, sender, reference: str) -> int:
        """Deliver queued conversation messages now, as an agent waits to see theirs go; how many of case
        `reference`'s are still waiting. Those not delivered stay queued and the outbox worker retries
        them."""

        DeliveryWorker(self._engine, sender, SystemClock()).deliver_due()
        with UnitOfWork(self._engine) as uow:
            return sum(
                1
                for m in uow.outbox.for_case(reference)
                if m.topic in sender.topics and m.delivered_at is None
            )

    def console_cases(
        self,
        statuses: Optional[Sequence[str]] = None,
        region: Optional[str] = None,
        reseller: Optional[str] = None,
    ) -> list:
        """The agents' queue: (case, region) pairs, chats waiting for a person first (longest wait first)."""

        with UnitOfWork(self._engine) as uow:
            rows = uow.cases.list_for_console(statuses, region, reseller)

        def order(pair):
            waiting = waiting_since(pair[0])
            return (0, waiting.timestamp()) if waiting else (1, -pair[0].updated_at.timestamp())

        return sorted(rows, key=order)

    def licence_by_code(self, code: Optional[str]) -> Optional[Licence]:
        if not code:
            return None
        with UnitOfWork(self._engine) as uow:
            return uow.licences.get(code)

    def resellers(self) -> list:
        with UnitOfWork(self._engine) as uow:
            return uow.resellers.list()

    def queue_standing(self, conversation_id: str, target: timedelta) -> Optional[QueueStanding]:
        """Where the conversation's request for a person stands, or None when it waits for nobody."""
        unresolved = [status.value for status in CaseStatus if status is not CaseStatus.RESOLVED]
        with UnitOfWork(self._engine) as uow:
            asked = uow.cases.list_for_console(unresolved, limit=None, with_event=EventKind.HANDOFF_REQUESTED)
        return queue_standing(asked, conversation_id, self._clock.now(), target)

    def canned_replies(self) -> list[CannedReply]:
        with UnitOfWork(self._engine) as uow:
            return uow.canned_replies.all()

    def save_canned_reply(self, reply_id: Optional[int], title: str, body: str, agent: str) -> CannedReply:
        """Add (no id) or change a saved reply; InvalidCannedReply says what is wrong with it."""
        title, body = canned_replies.checked(title, body)
        reply = CannedReply(reply_id, title, body, agent, self._clock.now())
        try:
            with UnitOfWork(self._engine) as uow:
                stored_id = uow.canned_replies.save(reply)
        except AlreadyRecorded:
            raise canned_replies.InvalidCannedReply(
                f"There is already a saved reply called {title!r}."
            ) from None
        except LookupError:
            raise canned_replies.InvalidCannedReply("That saved reply was deleted meanwhile.") from None
        return replace(reply, reply_id=stored_id)

    def delete_canned_reply(self, reply_id: int) -> bool:
        with UnitOfWork(self._engine) as uow:
            return uow.canned_replies.delete(reply_id)

    def report_typing(self, conversation_id: str, agent_name: Optional[str] = None) -> None:
        """The customer (no agent name) or an agent is typing in the conversation now."""
        now = self._clock.now()
        values = {"customer_at": now} if agent_name is None else {"agent_at": now, "agent_name": agent_name}
        with UnitOfWork(self._engine) as uow:
            uow.chat_typing.report(conversation_id, values)

    def typing(self, conversation_id: str) -> Typing:
        with UnitOfWork(self._engine) as uow:
            customer_at, agent_at, agent_name = uow.chat_typing.get(conversation_id)
        return typing_now(customer_at, agent_at, agent_name, self._clock.now())

    def rate_chat(self, conversation_id: str, solved: bool) -> ChatRating:
        """Record the customer's answer to "Did this solve your problem?" (a later answer replaces it)."""
        rating = ChatRating(conversation_id, solved, self._clock.now())
        with UnitOfWork(self._engine) as uow:
            uow.chat_ratings.record(rating)
        return rating

    def request_answer_by_email(self, conversation_id: str, text: str) -> Case:
        """The customer waiting for a person wants the replies by email too
        (renewals.case_service.request_answer_by_email)."""
        with UnitOfWork(self._engine, immediate=True) as uow:
            return request_answer_by_email(uow, conversation_id, text, clock=self._clock)

    def email_transcript(self, conversation_id: str, text: str, lines: Sequence[TranscriptLine]) -> str:
        """Queue a copy of the conversation for the address in `text` (InvalidEmailAddress if there is
        none); the address. The same copy asked for twice is sent once."""
        address = email_address(text)
        if not lines:
            raise ValueError("the conversation has no messages yet")
        now = self._clock.now()
        try:
            with UnitOfWork(self._engine) as uow, uow.savepoint():
                uow.outbox.add(
                    topic=CHAT_EMAIL_TOPIC,
                    dedupe_key=transcript_dedupe_key(conversation_id, address, lines),
                    payload=encode_payload(transcript_email(address, lines, now)),
                    created_at=now,
                )
        except AlreadyRecorded:
            pass  # queued before: the copy is on its way
        return address

    def chat_rating(self, conversation_id: str) -> Optional[ChatRating]:
        with UnitOfWork(self._engine) as uow:
            return uow.chat_ratings.get(conversation_id)

    def dashboard(self, days_ahead: int = 30) -> dict[str, Any]:
        """Figures for the console's home page (no personal data)."""
        now = self._clock.now()
        today = self._clock.today()
        unresolved = [status.value for status in CaseStatus if status is not CaseStatus.RESOLVED]
        with UnitOfWork(self._engine) as uow:
            counts = uow.dashboard.unresolved_counts()
            asked_for_a_person = uow.cases.list_for_console(
                unresolved, limit=None, with_event=EventKind.HANDOFF_REQUESTED
            )
            # A licence's today is its own zone's, at most a day from Sydney's: the window is read wide, then
            # each licence is checked against its own date.
            candidates = uow.licences.expiring_between(
                today - timedelta(days=1), today + timedelta(days_ahead + 1)
            )
            start_of_day = datetime.combine(today, time(0), SYDNEY)
            handed_off_today = uow.dashboard.conversations_with_event_since(
                EventKind.HANDOFF_REQUESTED, start_of_day
            )
            ratings = uow.chat_ratings.summary_since(now - RATINGS_WINDOW)
        expiring = [
            licence
            for licence in candidates
            if 0 <= (licence.expiry_date - self.today(licence)).days <= days_ahead
        ]
        by_status: dict[str, int] = {}
        by_region: dict[str, int] = {}
        for status, region, count in counts:
            by_status[status] = by_status.get(status, 0) + count
            by_region[region or "unknown"] = by_region.get(region or "unknown", 0) + count
        waiting: list[dict[str, Any]] = []
        for case, _ in asked_for_a_person:
            since = waiting_since(case)
            if since is not None:
                waiting.append(
                    {
                        "reference": case.reference,
                        "waiting_seconds": max(0, int((now - since).total_seconds())),
                    }
                )
        waiting.sort(key=lambda w: -w["waiting_seconds"])
        return {
            "open_by_status": by_status,
            "open_by_region": by_region,
            "waiting_chats": waiting,
            "expiring_licences": {
                "days": days_ahead,
                "count": len(expiring),
                "by_region": {
                    r: sum(1 for licence in expiring if licence.region == r)
                    for r in sorted({licence.region for licence in expiring})
                },
            },
            "handed_off_today": len(handed_off_today),
            "handed_off_conversations_today": sorted(handed_off_today),
            "start_of_day": start_of_day.isoformat(),
            "chat_ratings": {
                "days": RATINGS_WINDOW.days,
                "solved": ratings.solved,
                "not_solved": ratings.not_solved,
            },
        }
