"""Licence expiry look-ups and renewal quotes."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies, reseller_replies
from actions.backend import call
from actions.conversation import CONTACT_CHANGE, RESEND_NOTICE, set_last_turn
from actions.sender import acting_reseller
from actions.topics import buttons
from renewals.codes import find_activation_code, looks_like_code_attempt
from renewals.licences import Licence, LicenceStatusKind
from renewals.notices import StandingKind
from renewals.parsing import parse_date
from renewals.quotes import (
    InvalidTerm,
    InvalidUserCount,
    QuoteError,
    RenewalBeforeLicenceStart,
    RenewalDateInPast,
    RenewalDateTooFarAhead,
    states_renewal_date,
)
from renewals.reseller_access import NotYourCustomer
from renewals.resellers import Reseller

EXPIRY, QUOTE, RESELLER, NOTICE = "expiry", "quote", "reseller", "notice"
# Tasks that need a licence: a bare Activation Code carries on the one pending.
LICENCE_TASKS = (EXPIRY, QUOTE, RESELLER, NOTICE)
# Activation Codes that matched no licence, per conversation, before look-ups stop.
MAX_FAILED_LOOKUPS = int(os.environ.get("RATE_LIMIT_FAILED_LOOKUPS", "").strip() or 5)
SHORT_CODE_REPLY_WORDS = 5
QUOTE_PARAMETER_SLOTS = ("term_years", "user_count", "renewal_date")
# A notice that went out (or is going out) can be sent again; one refused or not due yet cannot.
RESENDABLE = (StandingKind.SENT, StandingKind.IMPORTED, StandingKind.QUEUED)


def _failed_lookups(tracker: Tracker) -> int:
    return int(tracker.get_slot("failed_lookups") or 0)


async def reseller_of(licence: Licence) -> Optional[Reseller]:
    """The licence's reseller on record, or None (Technical Support renews it)."""
    reseller_id = licence.reseller_id
    if not reseller_id:
        return None
    return await call(lambda service: service.reseller(reseller_id))


class LicenceConversation:
    """One turn of the look-up/quote task, from the tracker to replies and events."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker):
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.events: List[Dict[Text, Any]] = []
        # A reseller in Slack (actions.resellers) may only see their own customers' licences.
        self.reseller: Optional[Reseller] = None

    def say(self, text: str, *button_keys: str) -> None:
        self.dispatcher.utter_message(text=text, buttons=buttons(*button_keys) if button_keys else [])

    async def run(self, task: str, code: Optional[str] = None) -> List[Dict[Text, Any]]:
        """`code`: the licence to use, when the caller already knows it (a reseller's company look-up)."""
        _, self.reseller = await acting_reseller(self.tracker)
        if self.reseller is not None:
            return await self._run_for_reseller(self.reseller, task, code)
        task = self._task_answered(task)
        if _failed_lookups(self.tracker) >= MAX_FAILED_LOOKUPS:
            self.say(replies.LOOKUPS_LOCKED, "human_handoff")
            return [SlotSet("offer", "handoff"), SlotSet("pending_task", None)]
        code = code or self._code(task)
        if code is None:
            return self.events
        licence = await call(lambda service: service.find_licence(code))
        if licence is None:
            return self._unknown_code(task)
        return await self._answer(task, licence)

    def _task_answered(self, task: str) -> str:
        """A short reply with a code ("hmm try WS-…", "sorry, WS-…") answers the look-up the assistant is
        waiting for, whatever the NLU made of the words around it."""
        pending = self.tracker.get_slot("pending_task")
        text = self.tracker.latest_message.get("text") or ""
        has_code = find_activation_code(text) or looks_like_code_attempt(text)
        if pending in LICENCE_TASKS and has_code and len(text.split()) <= SHORT_CODE_REPLY_WORDS:
            return pending
        return task

    async def _run_for_reseller(
        self, reseller: Reseller, task: str, code: Optional[str]
    ) -> List[Dict[Text, Any]]:
        """As run(), but only for the reseller's own customers; no look-up limit (a refusal reveals
        nothing)."""
        reseller_id = reseller.reseller_id
        if code is None:
            code = await self._code_for_reseller(reseller_id, task)
        if code is None:
            return self.events
        try:
            licence = await call(lambda service: service.reseller_licence(reseller_id, code))
        except NotYourCustomer:
            self.say(reseller_replies.not_your_customer(reseller))
            return self.events + [
                SlotSet("activation_code", None),
                SlotSet("pending_task", None),
                SlotSet("offer", None),
            ]
        self.events.append(SlotSet("activation_code", licence.activation_code))
        return await self._answer(task, licence)

    async def _code_for_reseller(self, reseller_id: str, task: str) -> Optional[str]:
        """A code in the message, else one customer the message names, else the code in the conversation."""
        text = self.tracker.latest_message.get("text") or ""
        if find_activation_code(text) or looks_like_code_attempt(text):
            return self._code(task)
        matches = await call(lambda service: service.find_customers(reseller_id, text))
        if len(matches) == 1 and len(matches[0].licences) == 1:
            return matches[0].licences[0].activation_code
        return self._code(task)

    async def _answer(self, task: str, licence) -> List[Dict[Text, Any]]:
        product = await call(lambda service: service.product(licence.product_code))
        self.events += [SlotSet("pending_task", None), SlotSet("product_brand", product.brand)]
        if task == EXPIRY:
            await self._expiry(licence, product)
        elif task == RESELLER:
            self.say(replies.reseller_reply(licence, product, await reseller_of(licence)))
        elif task == NOTICE:
            await self._notice(licence, product)
        else:
            await self._quote(licence, product)
        return self.events

    async def _notice(self, licence, product) -> None:
        """ "I never got my renewal notice": what the record says, and what can be done about it."""
        standing = await call(lambda service: service.notice_standing(licence))
        record = replies.notice_standing_reply(standing, licence)
        self.events.append(SlotSet("activation_code", licence.activation_code))
        if self.reseller is not None:
            self.say(self._for_whom(licence, record))
            return
        status = await call(lambda service: service.status(licence))
        if status.kind is LicenceStatusKind.LAPSED:
            # Past expiry the notice prevents nothing: what matters now is the lapse and what renewing costs.
            expiry = replies.expiry_reply(licence, product, status)
            self.say(f"{record}\n\n{expiry}", "lapse_charge_quote", "renewal_request")
            self.events.append(SlotSet("offer", QUOTE))
            return
        record = f"{record} {replies.renewer_sentence(await reseller_of(licence))}"
        if standing.kind in RESENDABLE:
            self.say(f"{record}\n\n{replies.offer_resend(licence)}")
            self.events.append(SlotSet("offer", RESEND_NOTICE))
        else:
            self.say(f"{record}\n\n{replies.offer_contact_change(licence)}")
            self.events.append(SlotSet("offer", CONTACT_CHANGE))

    def _code(self, task: str) -> Optional[str]:
        """The Activation Code to use, or None after asking for one."""
        text = self.tracker.latest_message.get("text") or ""
        in_message = find_activation_code(text)
        if in_message:
            return in_message
        if looks_like_code_attempt(text):
            self.say(replies.MALFORMED_CODE)
            self.events += [SlotSet("pending_task", task), SlotSet("activation_code", None)]
            return None
        in_form = (self.tracker.active_loop or {}).get("name") == "renewal_form"
        # A question asked during the renewal checklist is about the checklist's licence.
        code = (self.tracker.get_slot("renewal_licence_code") if in_form else None) or self.tracker.get_slot(
            "activation_code"
        )
        if code:
            return code
        if in_form:
            self.say(replies.QUOTE_NEEDS_CODE_IN_FORM)
            return None
        if self.reseller is None and set_last_turn(self.tracker, "pending_task") == task:
            # Asked for the code last turn and got none: don't ask the same thing again.
            self.say(replies.STILL_NO_CODE, "renewal_request", "faq/lost_activation_code", "human_handoff")
            self.events.append(SlotSet("pending_task", None))
            return None
        self.say(replies.ASK_CODE if self.reseller is None else reseller_replies.ASK_CUSTOMER)
        self.events.append(SlotSet("pending_task", task))
        return None

    def _unknown_code(self, task: str) -> List[Dict[Text, Any]]:
        failed = _failed_lookups(self.tracker) + 1
        self.events += [SlotSet("failed_lookups", failed), SlotSet("activation_code", None)]
        if failed >= MAX_FAILED_LOOKUPS:
            self.say(replies.LOOKUPS_LOCKED, "human_handoff")
            return self.events + [SlotSet("offer", "handoff"), SlotSet("pending_task", None)]
        self.say(replies.UNKNOWN_CODE, "human_handoff")
        return self.events + [SlotSet("offer", "handoff"), SlotSet("pending_task", task)]

    def _for_whom(self, licence, text: str) -> str:
        """A reseller's answers start with which customer they are about."""
        if self.reseller is None:
            return text
        return f"{reseller_replies.licence_heading(licence)}\n{text}"

    async def _expiry(self, licence, product) -> None:
        status = await call(lambda service: service.status(licence))
        notice = None
        if status.kind is LicenceStatusKind.EXPIRING_SOON:
            notice = await call(lambda service: service.notice_standing(licence))
        text = self._for_whom(licence, replies.expiry_reply(licence, product, status, notice))
        if status.kind is LicenceStatusKind.ACTIVE:
            # Months ahead, a quote helps with the budget; a renewal is not pressing yet.
            self.say(text, "lapse_charge_quote")
        else:
            self.say(text, "lapse_charge_quote", "renewal_request")
        self.events.append(SlotSet("offer", QUOTE))

    async def _quote(self, licence, product) -> None:
        parameters = await self._quote_parameters(licence)
        if parameters is None:
            return
        try:
            quote = await call(lambda service: service.quote(licence, **parameters))
        except QuoteError as error:
            self.say(str(error))
            self.events += [SlotSet(slot, None) for slot in _slots_behind(error)]
            return
        self.say(
            self._for_whom(licence, replies.quote_reply(quote, product, licence.platform)), "renewal_request"
        )
        self.events += [SlotSet("offer", "renewal"), SlotSet("quoted_code", licence.activation_code)]

    async def _quote_parameters(self, licence) -> Optional[Dict[str, Any]]:
        """Term, users and renewal date from the conversation; None after explaining a bad date."""
        slots = {name: self.tracker.get_slot(name) for name in QUOTE_PARAMETER_SLOTS}
        if licence.activation_code != self.tracker.get_slot("quoted_code"):
            # A different licence: earlier follow-ups ("2 years", "20 users") belonged
            # to the previous quote; only what this message says applies.
            said_now = {e.get("entity") for e in self.tracker.latest_message.get("entities", [])}
            entity_of = {"term_years": "term_years", "user_count": "user_count", "renewal_date": "date"}
            for name in QUOTE_PARAMETER_SLOTS:
                if entity_of[name] not in said_now and slots[name] is not None:
                    slots[name] = None
                    self.events.append(SlotSet(name, None))
        said_dates = [
            e.get("value")
            for e in self.tracker.latest_message.get("entities", [])
            if e.get("entity") == "date"
        ]
        text = self.tracker.latest_message.get("text") or ""
        if said_dates and states_renewal_date(text):
            slots["renewal_date"] = said_dates[0]
            self.events.append(SlotSet("renewal_date", said_dates[0]))
        if (self.tracker.active_loop or {}).get("name") == "renewal_form" and self.tracker.get_slot(
            "renewal_user_count"
        ):
            slots["user_count"] = self.tracker.get_slot("renewal_user_count")  # the checklist's user count
        parameters: Dict[str, Any] = {}
        if slots["term_years"] is not None:
            parameters["years"] = int(slots["term_years"])
        if slots["user_count"] is not None:
            parameters["users"] = int(slots["user_count"])
        if slots["renewal_date"]:
            today = await call(lambda service: service.today(licence))
            renewal_date = parse_date(slots["renewal_date"], today)
            if renewal_date is None:
                self.say(
                    "I couldn't read that renewal date. Please give it day first, for example 1/3/2027 "
                    "or 1 March 2027."
                )
                self.events.append(SlotSet("renewal_date", None))
                return None
            parameters["renewal_date"] = renewal_date
        return parameters


def _slots_behind(error: QuoteError) -> List[str]:
    """The follow-up slot whose value caused `error`, so the next quote doesn't repeat it."""
    if isinstance(error, InvalidTerm):
        return ["term_years"]
    if isinstance(error, InvalidUserCount):
        return ["user_count"]
    if isinstance(error, (RenewalBeforeLicenceStart, RenewalDateInPast, RenewalDateTooFarAhead)):
        return ["renewal_date"]
    return []


class ActionCheckLicenceExpiry(Action):
    def name(self) -> Text:
        return "action_check_licence_expiry"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        return await LicenceConversation(dispatcher, tracker).run(EXPIRY)


class ActionAskReseller(Action):
    """ "Who is our reseller?": from the licence on record."""

    def name(self) -> Text:
        return "action_ask_reseller"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        return await LicenceConversation(dispatcher, tracker).run(RESELLER)


async def continue_with_values(dispatcher, tracker: Tracker) -> Optional[List[Dict[Text, Any]]]:
    """Carries on the look-up or quote that a message with values answers, or None if it answers none.

    A code answers the pending question (or asks about that licence); a term, a user
    count or a date changes the last quote.
    """
    pending = tracker.get_slot("pending_task")
    text = tracker.latest_message.get("text") or ""
    has_code = bool(find_activation_code(text) or looks_like_code_attempt(text))
    if (
        has_code
        or pending in LICENCE_TASKS
        and tracker.latest_message.get("intent", {}).get("name") == "inform"
    ):
        return await LicenceConversation(dispatcher, tracker).run(pending or EXPIRY)
    said = {e.get("entity") for e in tracker.latest_message.get("entities", [])}
    if tracker.get_slot("quoted_code") and said & {"term_years", "user_count", "date"}:
        return await LicenceConversation(dispatcher, tracker).run(QUOTE)
    return None
