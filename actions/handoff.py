"""Asking for a person: open (or join) a hand-off case and pause the assistant.

From here until an agent resolves the case in the console, the bot stays quiet
in this conversation (Rasa's ConversationPaused): the customer's messages are
recorded in the tracker, where agents read them, and agents answer live.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import call
from actions.checklist_slots import gathered_checklist
from actions.topics import buttons
from renewals.checklist import offers_a_person
from renewals.support_hours import describe_next_open

log = logging.getLogger(__name__)

HOURS = "Monday to Friday, 8:30 am to 5:30 pm Sydney and Auckland time"

# When no case can be opened (the database is unavailable), say so plainly and give
# the routes that do reach a person; the assistant is not paused.
NO_LIVE_AGENT = (
    "Sorry, I can't bring a person into this chat right now. To reach someone:\n"
    "- For renewals, pricing or your licence records, contact your reseller.\n"
    "- If you don't know your reseller, or it's about anything else, submit a case to "
    "Trend Micro Technical Support.\n\n"
    "Meanwhile I can check your expiry date or work out a renewal quote."
)

REASON_ASKED = "asked for a person"
REASON_FALLBACKS = "offered a person after two messages in a row the assistant could not understand"
REASON_FORM = "offered a person after three failed answers in the renewal checklist"


def handoff_reason(tracker: Tracker) -> str:
    """Why the customer is being handed over, read from the conversation."""
    failures = tracker.get_slot("form_failures") or {}
    if isinstance(failures, dict) and any(offers_a_person(count) for count in failures.values()):
        return REASON_FORM
    fallbacks = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if intent == "nlu_fallback":
            fallbacks += 1
        elif fallbacks or intent not in ("affirm", "human_handoff"):
            break
    return REASON_FALLBACKS if fallbacks >= 2 else REASON_ASKED


def handoff_message(case, availability) -> str:
    """What the customer reads when their case joins the queue; a linked renewal case is named too."""
    reference = case.reference
    renewal = (
        f" Your renewal case {case.linked_to} stays open, and the person who joins can see it."
        if case.linked_to
        else ""
    )
    if availability.open_now:
        return (
            "I've asked a person from the support team to join this chat. Your case reference is "
            f"{reference}.{renewal} "
            "Someone will reply here shortly; until then I'll stay quiet, and anything you type is passed "
            "on to them."
        )
    return (
        f"The support team works {HOURS}, so nobody can join this chat right now. "
        f"I've opened case {reference} for you: it keeps your place in the queue, and a person will reply "
        "here "
        f"from {describe_next_open(availability)}.{renewal} Anything you type meanwhile is added to your "
        f"case. If you leave, quote {reference} when you get in touch with your reseller or Trend Micro."
    )


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    code = (
        tracker.get_slot("renewal_licence_code")
        or tracker.get_slot("quoted_code")
        or tracker.get_slot("activation_code")
    )
    reason = handoff_reason(tracker)
    checklist = gathered_checklist(tracker)
    channel = tracker.get_latest_input_channel() or "unknown"

    def open_case(service):
        licence = service.find_licence(code) if code else None
        case = service.open_handoff_case(tracker.sender_id, channel, reason, checklist, licence)
        region = licence.region if licence is not None else None
        return case, service.support_availability(region)

    try:
        case, availability = await call(open_case)
    except Exception:  # the database is down: no case, so no pause either
        log.exception("Could not open a hand-off case")
        dispatcher.utter_message(
            text=NO_LIVE_AGENT, buttons=buttons("check_license_expiry", "lapse_charge_quote")
        )
        return [SlotSet("offer", None), SlotSet("pending_task", None)]
    dispatcher.utter_message(text=handoff_message(case, availability))
    events: List[Dict[Text, Any]] = [
        SlotSet("offer", None),
        SlotSet("pending_task", None),
        SlotSet("case_reference", case.reference),
    ]
    if tracker.active_loop.get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events + [ConversationPaused()]


class ActionHumanHandoff(Action):
    def name(self) -> Text:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return await hand_over(dispatcher, tracker)
