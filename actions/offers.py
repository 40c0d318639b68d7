"""Yes/no answers to what the assistant last asked (actions.conversation.open_question)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import replies
from actions.backend import call
from actions.conversation import (
    ANYTHING_ELSE,
    CANCEL_RENEWAL,
    CONTACT_CHANGE,
    HANDOFF,
    QUOTE,
    RENEWAL,
    RESEND_NOTICE,
    latest_text,
    open_question,
)
from actions.handoff import hand_over
from actions.licences import NOTICE, LicenceConversation, reseller_of
from actions.renewal_form import ActionStartRenewal, discarded_checklist
from actions.topics import buttons
from renewals.answers import acknowledges_with_thanks, is_closing, opening_yes_or_no, yes_or_no
from renewals.parsing import find_email

ANSWERED_QUESTIONS = (QUOTE, HANDOFF, RENEWAL, ANYTHING_ELSE, CANCEL_RENEWAL, RESEND_NOTICE, CONTACT_CHANGE)
SHORT_REPLY_WORDS = 7


async def accept(dispatcher: CollectingDispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
    offer = open_question(tracker)
    events: List[Dict[Text, Any]] = [SlotSet("offer", None)]
    if offer == QUOTE:
        return events + await LicenceConversation(dispatcher, tracker).run(QUOTE)
    if offer == HANDOFF:
        return events + await hand_over(dispatcher, tracker)
    if offer == CANCEL_RENEWAL:
        # "Do you want to stop the renewal request?" Yes: discard the checklist and leave the form.
        dispatcher.utter_message(
            text="OK, I've stopped the renewal request and discarded the details. Anything else I can help "
            "with?"
        )
        return events + discarded_checklist() + [ActiveLoop(None), SlotSet("offer", ANYTHING_ELSE)]
    if offer == RENEWAL:
        started = await ActionStartRenewal().run(dispatcher, tracker, domain)
        return events + started + [FollowupAction("renewal_form")]
    if offer in (RESEND_NOTICE, CONTACT_CHANGE):
        return events + await _notice_offer(dispatcher, tracker, offer)
    dispatcher.utter_message(
        text="Sure. What would you like to do?"
        if offer == ANYTHING_ELSE
        else "Great. What would you like to do next?",
        buttons=buttons("check_license_expiry", "lapse_charge_quote", "faq/how_to_renew"),
    )
    return events


async def _notice_offer(
    dispatcher: CollectingDispatcher, tracker: Tracker, offer: str
) -> List[Dict[Text, Any]]:
    """Yes to sending the renewal notice again, or to a case that changes the registered contact."""
    code = tracker.get_slot("activation_code")
    licence = await call(lambda service: service.find_licence(code)) if code else None
    if licence is None:
        dispatcher.utter_message(text=replies.ASK_CODE)
        return [SlotSet("pending_task", NOTICE)]
    if offer == CONTACT_CHANGE:
        channel = tracker.get_latest_input_channel() or "unknown"
        case = await call(lambda service: service.request_contact_change(licence, tracker.sender_id, channel))
        dispatcher.utter_message(text=replies.contact_change_reply(case, await reseller_of(licence)))
        return [SlotSet("case_reference", case.reference), SlotSet("offer", ANYTHING_ELSE)]
    if find_email(latest_text(tracker)):
        # "yes, to bob@example.com": never to an address typed in the chat.
        dispatcher.utter_message(
            text=f"{replies.ONLY_REGISTERED_ADDRESS} {replies.offer_contact_change(licence)}"
        )
        return [SlotSet("offer", CONTACT_CHANGE)]
    resend = await call(lambda service: service.resend_notice(licence))
    dispatcher.utter_message(
        text=f"{replies.resent_reply(resend, licence)}\n\n{replies.offer_contact_change(licence)}"
    )
    return [SlotSet("offer", CONTACT_CHANGE)]


# "thanks, that's all for now", "nah that's it, bye": a no that closes the conversation.
CLOSING = re.compile(r"\b(that'?s (all|it|everything)|bye|see ya|see you|catch ya|ka kite)\b", re.IGNORECASE)


def decline(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    question = open_question(tracker)
    if question == CANCEL_RENEWAL:
        dispatcher.utter_message(text="No problem, let's carry on.")
        return [SlotSet("offer", None)]  # the form resumes and asks its question again
    if question == ANYTHING_ELSE or CLOSING.search(latest_text(tracker)):
        dispatcher.utter_message(response="utter_goodbye")
        return [SlotSet("offer", None), SlotSet("pending_task", None)]
    dispatcher.utter_message(text="No problem. Is there anything else I can help with?")
    return [SlotSet("offer", ANYTHING_ELSE), SlotSet("pending_task", None)]


async def answer_to_open_question(dispatcher, tracker: Tracker, domain) -> Optional[List[Dict[Text, Any]]]:
    """A yes or a no, however it is worded, to the yes/no question just asked; None otherwise."""
    if open_question(tracker) not in ANSWERED_QUESTIONS:
        return None
    text = latest_text(tracker)
    if acknowledges_with_thanks(text):
        return None  # "ok ta" after a quote thanks for it; the offer stays open
    # "yep thats fine" is a yes; a longer reply may add a question of its own, so it must be a yes alone.
    answer = opening_yes_or_no(text) if len(text.split()) <= SHORT_REPLY_WORDS else yes_or_no(text)
    if answer is None:
        return None
    return await accept(dispatcher, tracker, domain) if answer else decline(dispatcher, tracker)


class ActionAcceptOffer(Action):
    def name(self) -> Text:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if is_closing(latest_text(tracker)):
            # "sweet as, that's all" opens with a yes but says goodbye.
            dispatcher.utter_message(response="utter_goodbye")
            return [SlotSet("offer", None)]
        return await accept(dispatcher, tracker, domain)


class ActionDeclineOffer(Action):
    def name(self) -> Text:
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        return decline(dispatcher, tracker)
