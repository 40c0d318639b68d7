"""Resellers in Slack: their customers' licences, expiry lists and the cases routed to them.

Who is a reseller comes only from the sealed Slack identity the Slack channel
put on the message (renewals.slack_identity) and the reseller's Slack links;
the rules for what they may see are in renewals.reseller_access. Anyone else
(a Slack user who isn't linked, a web or REST user) gets the customer's version
of the request: their own licence by its Activation Code, or their own case.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import reseller_replies
from actions.backend import call
from actions.licences import EXPIRY, LicenceConversation
from actions.renewal_form import LODGES_A_RENEWAL, start_renewal
from actions.sender import acting_reseller
from actions.support_questions import ActionCaseStatus
from renewals.case_references import find_case_reference
from renewals.cases import CaseStatus, TransitionNotAllowed
from renewals.codes import find_activation_code, looks_like_code_attempt
from renewals.reseller_access import NotYourCase, parse_case_status, parse_expiry_request
from renewals.reseller_reports import expiry_report_reply

log = logging.getLogger(__name__)

Events = List[Dict[Text, Any]]


async def answer_as_customer(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain, about: str
) -> Events:
    """A customer asking what resellers ask in Slack gets the customer's version: their own licence
    (by its Activation Code), or their own case. Nothing about anyone else's customers."""
    if about == "cases":
        return await ActionCaseStatus().run(dispatcher, tracker, domain)
    return await LicenceConversation(dispatcher, tracker).run(EXPIRY)


class ActionResellerLookup(Action):
    """ "look up my customer Acacia Dental" / "details for WS-2ZDQ-…": a customer's licence, by name or
    code."""

    def name(self) -> Text:
        return "action_reseller_lookup"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        text = tracker.latest_message.get("text") or ""
        if find_activation_code(text) or looks_like_code_attempt(text):
            return await LicenceConversation(dispatcher, tracker).run(EXPIRY)
        _, reseller = await acting_reseller(tracker)
        if reseller is None and LODGES_A_RENEWAL.search(text):
            # A customer's "please lodge the renewal for St Andrew's Uniting Church": their renewal.
            return await start_renewal(dispatcher, tracker, domain)
        if reseller is None:
            return await answer_as_customer(dispatcher, tracker, domain, "licence")
        matches = await call(lambda service: service.find_customers(reseller.reseller_id, text))
        if not matches:
            dispatcher.utter_message(text=reseller_replies.NO_COMPANY_MATCH)
            return [SlotSet("offer", None)]
        if len(matches) > 1:
            dispatcher.utter_message(
                text=reseller_replies.which_company_reply(matches),
                buttons=[
                    {"title": match.company[:75], "payload": f"look up my customer {match.company}"}
                    for match in matches[:5]
                ],
            )
            return [SlotSet("offer", None)]
        [match] = matches
        if len(match.licences) == 1:
            code = match.licences[0].activation_code
            return await LicenceConversation(dispatcher, tracker).run(EXPIRY, code=code)
        statuses = await call(lambda service: [service.status(licence) for licence in match.licences])
        dispatcher.utter_message(text=reseller_replies.company_licences_reply(match, statuses))
        return [SlotSet("offer", None)]


class ActionResellerExpiring(Action):
    """ "which of my customers expire in the next 60 days" / "show lapsed": a table of their licences."""

    def name(self) -> Text:
        return "action_reseller_expiring"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        _, reseller = await acting_reseller(tracker)
        if reseller is None:
            return await answer_as_customer(dispatcher, tracker, domain, "licence")
        request = parse_expiry_request(tracker.latest_message.get("text") or "")
        report = await call(lambda service: service.expiry_report(reseller.reseller_id, request))
        dispatcher.utter_message(text=expiry_report_reply(reseller, report))
        return [SlotSet("offer", None)]


def _wants_resolved_too(text: str) -> bool:
    lowered = text.casefold()
    return any(word in lowered for word in ("all ", "every", "resolved", "closed", "history", "past"))


class ActionResellerCases(Action):
    """ "show my cases": the renewal cases routed to the reseller, as a table."""

    def name(self) -> Text:
        return "action_reseller_cases"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        _, reseller = await acting_reseller(tracker)
        if reseller is None:
            return await answer_as_customer(dispatcher, tracker, domain, "cases")
        include_resolved = _wants_resolved_too(tracker.latest_message.get("text") or "")
        cases = await call(lambda service: service.reseller_cases(reseller.reseller_id, include_resolved))
        dispatcher.utter_message(text=reseller_replies.cases_reply(reseller, cases, include_resolved))
        return [SlotSet("offer", None)]


class ActionResellerUpdateCase(Action):
    """ "mark RN-2026-000123 in progress" / "RN-2026-000123 resolved": only for cases routed to the
    reseller."""

    def name(self) -> Text:
        return "action_reseller_update_case"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        identity, reseller = await acting_reseller(tracker)
        if reseller is None:
            return await answer_as_customer(dispatcher, tracker, domain, "cases")
        text = tracker.latest_message.get("text") or ""
        reference = find_case_reference(text)
        if reference is None:
            dispatcher.utter_message(text=reseller_replies.ASK_CASE_REFERENCE)
            return [SlotSet("offer", None)]
        status = parse_case_status(text)
        if status is None:
            dispatcher.utter_message(
                text=reseller_replies.ask_case_status(reference),
                buttons=[
                    {"title": "In progress", "payload": f"mark {reference} in progress"},
                    {"title": "Resolved", "payload": f"mark {reference} resolved"},
                ],
            )
            return [SlotSet("offer", None)]
        assert identity is not None  # a reseller is only ever known from a sealed Slack identity
        actor = f"{reseller.reseller_id} in Slack ({identity.user_id})"
        try:
            update = await call(
                lambda service: service.mark_case(reseller.reseller_id, reference, status, actor)
            )
        except NotYourCase:
            dispatcher.utter_message(text=reseller_replies.not_your_case(reseller, reference))
            return [SlotSet("offer", None)]
        except TransitionNotAllowed:
            case = await call(lambda service: service.case(reference))
            current = case.status if case is not None else CaseStatus.RESOLVED
            dispatcher.utter_message(text=reseller_replies.case_transition_refused(reference, current))
            return [SlotSet("offer", None)]
        log.info("Reseller %s marked case %s %s", reseller.reseller_id, reference, status.value)
        dispatcher.utter_message(text=reseller_replies.case_marked_reply(update.case, update.changed))
        return [SlotSet("offer", None)]
