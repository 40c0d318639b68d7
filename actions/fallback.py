"""Messages the NLU was unsure of, or took for off-topic: "did you mean" topics, then the offer of a person;
the polite refusal, unless the quote just given makes the message a change to it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.context import answer_in_context, best_guess, best_guess_in_context
from actions.conversation import (
    MIN_QUOTE_RUNNER_UP,
    QUOTE_INTENTS,
    changes_the_quote_given,
    entity_values,
    guesses,
    latest_text,
    sign_off_response,
)
from actions.licences import QUOTE, LicenceConversation
from actions.renewal_form import LODGES_A_RENEWAL, start_renewal
from actions.topics import buttons, topic_key

FALLBACK_INTENT = "nlu_fallback"
MAX_SUGGESTIONS = 3


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row the NLU was unsure about."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
            break
        count += 1
    return count


def suggested_topics(parse_data: Dict[Text, Any]) -> List[str]:
    """Best guesses behind an unsure prediction: FAQ topics by the response
    selector's ranking, task intents by the intent ranking, best first."""
    scored: Dict[str, float] = {}
    faq_confidence = 0.0
    for ranked in parse_data.get("intent_ranking") or []:
        name = ranked.get("name")
        if name == "faq":
            faq_confidence = ranked.get("confidence", 0.0)
        key = topic_key(name, None)
        if key:
            scored[key] = ranked.get("confidence", 0.0)
    selection = (parse_data.get("response_selector") or {}).get("faq") or {}
    for ranked in selection.get("ranking") or []:
        key = topic_key("faq", ranked.get("intent_response_key"))
        if key:
            scored[key] = faq_confidence * ranked.get("confidence", 0.0)
    best = sorted(scored, key=lambda key: scored[key], reverse=True)
    return best[:MAX_SUGGESTIONS]


# An unsure message whose best guess is off-topic, at least this sure, gets the off-topic answer.
MIN_OFF_TOPIC_GUESS = 0.3


def _best_guess_is_off_topic(tracker: Tracker) -> bool:
    intent, confidence = best_guess(tracker)
    return intent == "out_of_scope" and confidence >= MIN_OFF_TOPIC_GUESS


class ActionHandleFallback(Action):
    def name(self) -> Text:
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # However it was worded, a short reply may answer what the assistant asked, and a
        # message with a code, a term, a user count or a date may change the last quote.
        events = await answer_in_context(dispatcher, tracker, domain)
        if events is None:
            events = await best_guess_in_context(dispatcher, tracker, domain)
        if events is not None:
            return events
        if _best_guess_is_off_topic(tracker):
            # "how much does it cost to fly syd to queenstown": licensing suggestions would mislead.
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if consecutive_fallbacks(tracker) >= 2:
            dispatcher.utter_message(
                text="Sorry, I still can't work out what you need. Would you like me to "
                "put you in touch with a person from the support team?",
                buttons=buttons("human_handoff", "faq/how_to_renew"),
            )
            return [SlotSet("offer", "handoff")]
        suggestions = suggested_topics(tracker.latest_message)
        dispatcher.utter_message(
            text="Sorry, I'm not sure I understood. Did you mean one of these? "
            "If not, try asking in other words.",
            buttons=buttons(*suggestions)
            if suggestions
            else buttons("faq/how_to_renew", "check_license_expiry", "human_handoff"),
        )
        return []


# Values a quote depends on: a message with one of them may change the quote just given.
QUOTE_VALUES = ("date", "term_years", "user_count")
# A renewal request the NLU took for off-topic, with the renewal as its next guess at least this sure.
MIN_RENEWAL_RUNNER_UP = 0.1


def changes_the_quote(tracker: Tracker) -> bool:
    """ "what if we renew on 1/12/2026 instead, need sign off from the directors first" just after a quote: a
    value the quote depends on, and a quote question behind the off-topic guess (or overruled for lack of
    licensing words). The quote is the conversation's evidence."""
    if not tracker.get_slot("quoted_code") or not any(entity_values(tracker, name) for name in QUOTE_VALUES):
        return False
    overruled = tracker.latest_message.get("overruled_by_evidence") or {}
    if overruled.get("name") in QUOTE_INTENTS:
        return True
    return any(
        name in QUOTE_INTENTS and confidence >= MIN_QUOTE_RUNNER_UP
        for name, confidence in guesses(tracker)[1:3]
    )


def asks_for_a_renewal(tracker: Tracker) -> bool:
    """ "Kia ora, I want to renew our Trend Micro for the Karori Rugby Football Club, can you do that here?":
    the words of a renewal request, with the renewal the NLU's next guess behind the off-topic one. Without
    that guess ("I want to renew my passport") it stays off-topic."""
    return bool(LODGES_A_RENEWAL.search(latest_text(tracker))) and any(
        name == "renewal_request" and confidence >= MIN_RENEWAL_RUNNER_UP
        for name, confidence in guesses(tracker)[1:3]
    )


class ActionAnswerOffTopic(Action):
    """An off-topic message gets the polite refusal, unless the quote just given makes it a change to that
    quote."""

    def name(self) -> Text:
        return "action_answer_off_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if changes_the_quote(tracker) or changes_the_quote_given(tracker):
            return await LicenceConversation(dispatcher, tracker).run(QUOTE)
        if asks_for_a_renewal(tracker):
            return await start_renewal(dispatcher, tracker, domain)
        text = latest_text(tracker)
        sign_off = sign_off_response(text)
        if sign_off:
            # "lol worth a shot. cheers", "nah that's all for now, thanks love": no question at all.
            dispatcher.utter_message(response=sign_off)
            return []
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ActionDefaultFallback(Action):
    """Core fallback: no rule fits the conversation, so say so instead of guessing."""

    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="Sorry, I lost track there. Could you say that again in other words?",
            buttons=buttons("faq/how_to_renew", "check_license_expiry", "human_handoff"),
        )
        return [UserUtteranceReverted()]
