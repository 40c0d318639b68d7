"""FAQ answers, read in context.

The response selector picks the FAQ topic from the message alone. Two follow-ups mean
something else in context, and one answer leads to an offer:
- after the certificate steps (or "SMB or Enterprise?"), "same steps for worry-free?" names
  another product: the steps for that product's brand;
- right after a case was opened, "what happens now?" asks about that case;
- after the rule on lapsing, a customer whose licence was looked up is offered its exact figure, so
  "ok give us the number then" gets the quote.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions import replies
from actions.certificate import certificate_steps
from actions.conversation import (
    BRAND,
    CERTIFICATE_STEPS,
    QUOTE,
    changes_the_quote_given,
    faq_selection,
    latest_text,
    open_question,
    set_last_turn,
    sign_off_response,
)
from actions.licences import EXPIRY, NOTICE, RESELLER, LicenceConversation
from actions.renewal_form import LODGES_A_RENEWAL, start_renewal
from actions.support_questions import ActionCaseStatus
from actions.topics import buttons
from renewals.codes import find_activation_code

# Topics that "what happens now?" can be mistaken for, just after a case is opened.
_NEXT_STEP_TOPICS = ("faq/after_renewal_delivery", "faq/after_certificate_steps", "faq/renewal_time")
# After the rule on lapsing, a customer whose licence is known is offered its exact figure.
_QUOTE_FOLLOWS = ("faq/lapsed_maintenance", "faq/no_renewal_consequences")
_ABOUT_CODES = ("faq/activation_code_after_renewal", "faq/lost_activation_code")
# FAQ answers that end with the offer of a quote themselves (domain.yml): asking again would say it twice.
_OFFERS_A_QUOTE = ("faq/lapsed_maintenance",)
_ASKS_WHAT_NEXT = re.compile(
    r"\b(what happens|what now|next|now what|then what|hear back|get back|how long (till|until|before))\b",
    re.IGNORECASE,
)
# "and then what happens", "what's next": asks for the next step whatever topic it resembles, unless it
# asks about a condition ("what happens next if we don't renew").
_ASKS_NEXT_STEP = re.compile(
    r"^(?!.*\bif\b).*\b(what happens (now|next|then|after (that|this))"
    r"|then what|now what|what'?s next|what next|(what are )?the next steps?)\b",
    re.IGNORECASE,
)


NOTICE_MISSING = "faq/renewal_notice_missing"
HOW_TO_RENEW = "faq/how_to_renew"
# "who do we go through", "so who handles it": asks who renews it, not how renewing works.
_ASKS_WHO = re.compile(r"^\W*((so|ok|and|right)\W+)*(who|whos|who's)\b", re.IGNORECASE)


async def notice_missing(dispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """ "I never got my renewal notice": from the record when the licence is known (typed now or earlier),
    else the general advice, and a code will be answered from the record."""
    if find_activation_code(latest_text(tracker)) or tracker.get_slot("activation_code"):
        return await LicenceConversation(dispatcher, tracker).run(NOTICE)
    dispatcher.utter_message(response=f"utter_{NOTICE_MISSING}")
    dispatcher.utter_message(text=replies.NOTICE_NEEDS_CODE)
    return [SlotSet("pending_task", NOTICE)]


def asks_what_next(tracker: Tracker, topic: str) -> bool:
    """ "what happens now?", "when do we get the certificate": a question about a case's next steps, which
    the response selector takes for one of the FAQ's next-step topics."""
    text = latest_text(tracker)
    return bool(_ASKS_NEXT_STEP.search(text)) or (
        topic in _NEXT_STEP_TOPICS and bool(_ASKS_WHAT_NEXT.search(text))
    )


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        topic = faq_selection(tracker).get("intent_response_key") or ""
        text = latest_text(tracker)
        sign_off = sign_off_response(text)
        if sign_off:
            # "no worries ta" is no question, whatever topic it resembles.
            dispatcher.utter_message(response=sign_off)
            return []
        if topic in _ABOUT_CODES and find_activation_code(text) and not text.rstrip().endswith("?"):
            # "the security thing stopped updating ages ago. code ds efa3 9awx5 …": the code is given to be
            # looked up, not asked about.
            return await LicenceConversation(dispatcher, tracker).run(EXPIRY)
        if not tracker.active_loop_name and LODGES_A_RENEWAL.search(latest_text(tracker)):
            # "need to lodge a renewal, no code handy" reads like the Activation Code question: it asks for
            # the renewal.
            return await start_renewal(dispatcher, tracker, domain)
        follows_steps = (
            open_question(tracker) == BRAND or (set_last_turn(tracker, "topic") or "") == CERTIFICATE_STEPS
        )
        if follows_steps or topic == "faq/after_certificate_steps":
            steps = await certificate_steps(dispatcher, tracker, domain)
            if steps is not None:
                return steps
        if tracker.get_slot("case_reference") and asks_what_next(tracker, topic):
            return await ActionCaseStatus().run(dispatcher, tracker, domain)
        if changes_the_quote_given(tracker):
            # "PO approval takes a few days, what if we renew on 1 December" after a quote: that quote, then.
            return await LicenceConversation(dispatcher, tracker).run(QUOTE)
        if topic == NOTICE_MISSING:
            return await notice_missing(dispatcher, tracker)
        if (
            topic == HOW_TO_RENEW
            and tracker.get_slot("activation_code")
            and _ASKS_WHO.search(latest_text(tracker))
        ):
            # "who do we go thru for this" once the licence is known: its reseller, from the record.
            return await LicenceConversation(dispatcher, tracker).run(RESELLER)
        dispatcher.utter_message(response=f"utter_{topic}" if topic else "utter_faq/more_questions_contact")
        if topic in _QUOTE_FOLLOWS and tracker.get_slot("activation_code"):
            if topic not in _OFFERS_A_QUOTE:
                dispatcher.utter_message(
                    text="Would you like the exact figure for your licence?",
                    buttons=buttons("lapse_charge_quote"),
                )
            return [SlotSet("offer", QUOTE)]  # "yup" takes it up
        return []
