"""Resellers in Slack: their customers' licences, expiry lists and the cases routed to them.

Who is a reseller comes only from the sealed Slack identity the Slack channel
put on the message (renewals.slack_identity) and the reseller's Slack links;
the rules for what they may see are in renewals.reseller_access. Anyone else
(a Slack user who isn't linked, a web or REST user) gets a clear refusal for
the reseller-only requests and the customer behaviour for everything else.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import reseller_replies
from actions.backend import call
from actions.topics import buttons
from renewals import slack_identity
from renewals.cases import CaseStatus, TransitionNotAllowed, find_case_reference
from renewals.codes import find_activation_code, looks_like_code_attempt
from renewals.reseller_access import NotYourCase, parse_case_status, parse_expiry_request
from renewals.resellers import Reseller

log = logging.getLogger(__name__)

Events = List[Dict[Text, Any]]


def latest_user_event(tracker: Tracker) -> Optional[Dict[str, Any]]:
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event
    return None


def slack_sender(tracker: Tracker) -> Optional[slack_identity.SlackIdentity]:
    """The Slack user who sent the latest message, if the Slack channel sealed it; else None."""
    event = latest_user_event(tracker)
    if event is None:
        return None
    secret = os.environ.get(slack_identity.SECRET_VARIABLE, "").strip()
    return slack_identity.verify(secret, event.get("metadata"), event.get("text") or "")


async def acting_reseller(tracker: Tracker) -> Tuple[Optional[slack_identity.SlackIdentity], Optional[Reseller]]:
    """(Slack identity, reseller) of the latest message's sender; the reseller is None for everyone else."""
    identity = slack_sender(tracker)
    if identity is None:
        return None, None
    reseller = await call(lambda service: service.reseller_for_slack(identity.user_id, identity.team_id))
    return identity, reseller


def refuse_non_reseller(dispatcher: CollectingDispatcher) -> Events:
    dispatcher.utter_message(
        text=reseller_replies.RESELLERS_ONLY, buttons=buttons("check_license_expiry", "faq/how_to_renew")
    )
    return [SlotSet("offer", None)]


class ActionResellerLookup(Action):
    """"look up my customer Acacia Dental" / "details for WS-2ZDQ-…": a customer's licence, by name or code."""

    def name(self) -> Text:
        return "action_reseller_lookup"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        from actions.licences import EXPIRY, LicenceConversation

        text = tracker.latest_message.get("text") or ""
        if find_activation_code(text) or looks_like_code_attempt(text):
            return await LicenceConversation(dispatcher, tracker).run(EXPIRY)
        _, reseller = await acting_reseller(tracker)
        if reseller is None:
            return refuse_non_reseller(dispatcher)
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
        statuses = [await call(lambda service, licence=licence: service.status(licence)) for licence in match.licences]
        dispatcher.utter_message(text=reseller_replies.company_licences_reply(match, statuses))
        return [SlotSet("offer", None)]


class ActionResellerExpiring(Action):
    """"which of my customers expire in the next 60 days" / "show lapsed": a table of their licences."""

    def name(self) -> Text:
        return "action_reseller_expiring"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        _, reseller = await acting_reseller(tracker)
        if reseller is None:
            return refuse_non_reseller(dispatcher)
        request = parse_expiry_request(tracker.latest_message.get("text") or "")
        report = await call(lambda service: service.expiry_report(reseller.reseller_id, request))
        dispatcher.utter_message(text=reseller_replies.expiry_report_reply(reseller, report))
        return [SlotSet("offer", None)]


def _wants_resolved_too(text: str) -> bool:
    lowered = text.casefold()
    return any(word in lowered for word in ("all ", "every", "resolved", "closed", "history", "past"))


class ActionResellerCases(Action):
    """"show my cases": the renewal cases routed to the reseller, as a table."""

    def name(self) -> Text:
        return "action_reseller_cases"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        _, reseller = await acting_reseller(tracker)
        if reseller is None:
            return refuse_non_reseller(dispatcher)
        include_resolved = _wants_resolved_too(tracker.latest_message.get("text") or "")
        cases = await call(lambda service: service.reseller_cases(reseller.reseller_id, include_resolved))
        dispatcher.utter_message(text=reseller_replies.cases_reply(reseller, cases, include_resolved))
        return [SlotSet("offer", None)]


class ActionResellerUpdateCase(Action):
    """"mark RN-2026-000123 in progress" / "RN-2026-000123 resolved": only for cases routed to the reseller."""

    def name(self) -> Text:
        return "action_reseller_update_case"

    async def run(self, dispatcher, tracker: Tracker, domain) -> Events:
        identity, reseller = await acting_reseller(tracker)
        if reseller is None:
            return refuse_non_reseller(dispatcher)
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
