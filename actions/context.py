"""Short replies read in context: the conversation's open question decides what they mean.

Used when the NLU is unsure (`nlu_fallback`) and for bare values (`inform`): a yes or a no
answers the yes/no question just asked, a product answers "SMB or Enterprise?", and a
code, a term, a user count or a date carries on the look-up or quote they belong to.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker

from actions.backend import call
from actions.certificate import certificate_steps
from actions.conversation import (
    BRAND,
    CERTIFICATE_STEPS,
    PRICES,
    acted_last_turn,
    changes_the_quote_given,
    entity_values,
    faq_selection,
    guesses,
    latest_intent,
    latest_text,
    open_question,
    set_last_turn,
)
from actions.faq import ActionAnswerFaq, asks_what_next
from actions.handoff import hand_over
from actions.licences import EXPIRY, LICENCE_TASKS, QUOTE, RESELLER, LicenceConversation, continue_with_values
from actions.offers import ANSWERED_QUESTIONS, accept, answer_to_open_question, decline
from actions.renewal_form import LODGES_A_RENEWAL, ActionExplainField, start_renewal
from actions.resellers import ActionResellerLookup
from actions.sender import acting_reseller
from actions.support_questions import ActionCaseStatus, list_prices
from actions.topics import buttons
from renewals.answers import is_closing, is_thanks


async def answer_in_context(dispatcher, tracker: Tracker, domain) -> Optional[List[Dict[Text, Any]]]:
    """Events for a reply that answers the open question or carries on a task, else None."""
    if is_closing(latest_text(tracker)):
        # Before the open question: "sweet as, that's all" opens with a yes but says goodbye.
        dispatcher.utter_message(response="utter_goodbye")
        return []
    answered = await answer_to_open_question(dispatcher, tracker, domain)
    if answered is not None:
        return answered
    topic = (set_last_turn(tracker, "topic") or "").partition("/")[0]
    if open_question(tracker) == BRAND or topic == CERTIFICATE_STEPS:
        steps = await certificate_steps(dispatcher, tracker, domain)
        if steps is not None:
            return steps
    if topic == PRICES and entity_values(tracker, "product"):
        return await list_prices(dispatcher, tracker)
    if is_thanks(latest_text(tracker)):
        dispatcher.utter_message(response="utter_you_are_welcome")
        return []
    return await continue_with_values(dispatcher, tracker)


# "renew", "renewal", "lodge a renewal": the words of a renewal request the NLU was unsure about.
ASKS_TO_RENEW = re.compile(r"\b(renew\w*|re-new\w*)\b", re.IGNORECASE)
# The NLU's best guess is taken, when it is unsure, if the conversation makes that guess likely.
MIN_GUESS_CONFIDENCE = 0.25


# After an FAQ answer, a follow-up the NLU half-recognises as an FAQ question is answered by its topic.
MIN_FOLLOW_UP_TOPIC_CONFIDENCE = 0.5


def best_guess(tracker: Tracker) -> Tuple[Optional[str], float]:
    ranked = guesses(tracker)
    return ranked[0] if ranked else (None, 0.0)


def _faq_follow_up(tracker: Tracker) -> bool:
    """ "are u meant to send one?" just after an FAQ answer: FAQ among the two best guesses, and the
    response selector sure of its topic."""
    if not acted_last_turn(tracker, "action_answer_faq"):
        return False
    top_two = [name for name, confidence in guesses(tracker)[:2] if confidence >= MIN_GUESS_CONFIDENCE / 2]
    return (
        "faq" in top_two and faq_selection(tracker).get("confidence", 0.0) >= MIN_FOLLOW_UP_TOPIC_CONFIDENCE
    )


# Words that ask for a person, whatever else is in the message.
ASKS_FOR_A_PERSON = re.compile(
    r"\b(talk|speak|chat)\s+(to|with)\s+(someone|somebody|a (real )?(person|human)|an? (agent|operator))"
    r"|\b(real|actual) (person|human)\b|\bhuman please\b",
    re.IGNORECASE,
)
# The response selector's confidence above which an unsure message about a licence gets that FAQ topic.
SURE_TOPIC_CONFIDENCE = 0.9
_ABOUT_A_LICENCE = re.compile(
    r"\b(licen[cs]\w*|maint[ae]n\w*|certificate|renew\w*|activation)\b", re.IGNORECASE
)
_PRODUCT_ENTITIES = ("product", "product_brand", "activation_code")


def _sure_licensing_topic(tracker: Tracker) -> bool:
    about_a_licence = bool(_ABOUT_A_LICENCE.search(latest_text(tracker))) or any(
        entity_values(tracker, name) for name in _PRODUCT_ENTITIES
    )
    return about_a_licence and faq_selection(tracker).get("confidence", 0.0) >= SURE_TOPIC_CONFIDENCE


async def best_guess_in_context(dispatcher, tracker: Tracker, domain) -> Optional[List[Dict[Text, Any]]]:
    """For a message the NLU was unsure about: its best guess, when what the conversation is about makes it
    likely ("reseller for that one?" once a licence is known, "ok yeah give us a quote" after the offer of
    one).
    None when the guess is weak or out of context."""
    if _faq_follow_up(tracker):
        return await ActionAnswerFaq().run(dispatcher, tracker, domain)
    if changes_the_quote_given(tracker):
        return await LicenceConversation(dispatcher, tracker).run(QUOTE)
    intent, confidence = best_guess(tracker)
    if (
        intent == "human_handoff"
        and confidence >= MIN_GUESS_CONFIDENCE
        and ASKS_FOR_A_PERSON.search(latest_text(tracker))
    ):
        # "yeah nah this is getting too hard, can I talk to someone"
        return await hand_over(dispatcher, tracker)
    if intent != "out_of_scope" and _sure_licensing_topic(tracker):
        # "it's a PDF with the licence sir ticket on it. what am I meant to do with it now?": the topic
        # model is sure, and the message is about a licence.
        return await ActionAnswerFaq().run(dispatcher, tracker, domain)
    if LODGES_A_RENEWAL.search(latest_text(tracker)) and intent != "out_of_scope":
        return await start_renewal(dispatcher, tracker, domain)
    if intent is None or confidence < MIN_GUESS_CONFIDENCE:
        return None
    if intent == "bot_challenge":
        # "haha fair. are you a bot?": whoever asks is answered, whatever the conversation is about.
        dispatcher.utter_message(response="utter_iamabot")
        return []
    licence_known = bool(tracker.get_slot("activation_code") or tracker.get_slot("quoted_code"))
    question = open_question(tracker)
    if intent in ("affirm", "deny") and question in ANSWERED_QUESTIONS:
        return (
            await accept(dispatcher, tracker, domain) if intent == "affirm" else decline(dispatcher, tracker)
        )
    if intent in ("lapse_charge_quote", "adjust_quote") and (licence_known or question == QUOTE):
        return await LicenceConversation(dispatcher, tracker).run(QUOTE)
    if intent == "check_license_expiry" and licence_known:
        return await LicenceConversation(dispatcher, tracker).run(EXPIRY)
    if intent == "ask_reseller" and licence_known:
        return await LicenceConversation(dispatcher, tracker).run(RESELLER)
    topic = faq_selection(tracker).get("intent_response_key") or ""
    if tracker.get_slot("case_reference") and (
        intent == "ask_case_status" or (intent == "faq" and asks_what_next(tracker, topic))
    ):
        # "what happens now? when do we get the certificate" once a case is open: that case's next steps.
        return await ActionCaseStatus().run(dispatcher, tracker, domain)
    if intent == "renewal_request" and ASKS_TO_RENEW.search(latest_text(tracker)):
        # "Hi there, I need to submit a renewal for our TAFE campus please": start the checklist.
        return await start_renewal(dispatcher, tracker, domain)
    return None


class ActionContinueTask(Action):
    """A bare value ("WS-2ZDQ-…", "20 users", "2 years", "Apex One"): continue what it answers."""

    def name(self) -> Text:
        return "action_continue_task"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        pending = tracker.get_slot("pending_task")
        if pending in LICENCE_TASKS:
            return await LicenceConversation(dispatcher, tracker).run(pending)
        events = await answer_in_context(dispatcher, tracker, domain)
        if events is not None:
            return events
        _, reseller = await acting_reseller(tracker)
        if reseller is not None:
            # A reseller's bare company name ("Acacia Dental") asks about that customer.
            text = latest_text(tracker)
            if await call(lambda service: service.find_customers(reseller.reseller_id, text)):
                return await ActionResellerLookup().run(dispatcher, tracker, domain)
        case_reference = tracker.get_slot("case_reference")
        if case_reference and latest_intent(tracker) in ("correct_detail", "change_details"):
            dispatcher.utter_message(
                text=f"Your case {case_reference} has already been passed on. To change a detail on it, "
                "reply to the "
                "email you get about it, or tell a person from the support team here, quoting "
                f"{case_reference}.",
                buttons=buttons("human_handoff"),
            )
            return []
        dispatcher.utter_message(
            text="Thanks. What would you like me to do with that?",
            buttons=buttons("check_license_expiry", "lapse_charge_quote", "faq/how_to_renew"),
        )
        return []


class ActionExplainFieldInContext(Action):
    """ "ok give us the number then" after the offer of a quote reads to the NLU like "why do you need that?".
    Outside the form there is no item to explain, so an answer to the open question comes first."""

    def name(self) -> Text:
        return "action_explain_field_in_context"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        answered = await answer_to_open_question(dispatcher, tracker, domain)
        if answered is not None:
            return answered
        return await ActionExplainField().run(dispatcher, tracker, domain)
