"""What the assistant asked in its last turn, read from the tracker.

A short reply ("yup", "nah", "Apex One") means something only as the answer to that
question, so the actions that read short replies ask here first.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from rasa_sdk import Tracker

from renewals.answers import is_closing, is_thanks
from renewals.quotes import asks_to_renew_on

# Offers (the `offer` slot) and the questions asked by plain responses.
QUOTE, HANDOFF, RENEWAL, ANYTHING_ELSE = "quote", "handoff", "renewal", "anything_else"
CANCEL_RENEWAL = "cancel_renewal"
# "Would you like me to send it again?" and "... open a case to change the registered contact?"
RESEND_NOTICE, CONTACT_CHANGE = "resend_notice", "contact_change"
BRAND = "brand"
# Topics a bare product name carries on (`topic` slot, "prices/NZ"): "and for scanmail?" after list prices.
PRICES, CERTIFICATE_STEPS = "prices", "certificate_steps"
# Responses that end by asking a yes/no question or for the brand.
_QUESTIONS_OF_RESPONSES = {
    "utter_you_are_welcome": ANYTHING_ELSE,
    "utter_ask_cancel_renewal": CANCEL_RENEWAL,
}


def _last_turn_events(tracker: Tracker):
    """The events after the user message before the latest one, up to the latest."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest:
                return
            seen_latest = True
            continue
        if seen_latest:
            yield event


def acted_this_turn(tracker: Tracker, action: str) -> bool:
    """Whether `action` already ran since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == action:
            return True
    return False


def acted_last_turn(tracker: Tracker, action: str) -> bool:
    """Whether the assistant ran `action` in its last turn."""
    return any(e.get("event") == "action" and e.get("name") == action for e in _last_turn_events(tracker))


def set_last_turn(tracker: Tracker, slot: str) -> Optional[str]:
    """The value the assistant gave `slot` in its last turn, or None if it set none."""
    for event in _last_turn_events(tracker):
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value"):
            return event.get("value")
    return None


def open_question(tracker: Tracker) -> Optional[str]:
    """What the assistant asked just before the latest message: an offer (QUOTE, HANDOFF,
    RENEWAL, ANYTHING_ELSE), CANCEL_RENEWAL, BRAND, or None.

    An offer made earlier and not taken up has lapsed: a "yes" now answers whatever
    was said since, not the old offer.
    """
    for event in _last_turn_events(tracker):
        if event.get("event") == "slot" and event.get("name") == "offer" and event.get("value"):
            return event.get("value")
        if event.get("event") == "bot":
            utter_action = (event.get("metadata") or {}).get("utter_action") or ""
            if utter_action in _QUESTIONS_OF_RESPONSES:
                return _QUESTIONS_OF_RESPONSES[utter_action]
            # It asked "SMB or Enterprise?", or gave one brand's steps: a product named next gets its steps.
            if utter_action == "utter_faq/after_certificate_steps":
                return BRAND
    return None


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def latest_intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def faq_selection(tracker: Tracker) -> dict:
    """The response selector's FAQ choice for the latest message: `intent_response_key`, `confidence`."""
    return ((tracker.latest_message.get("response_selector") or {}).get("faq") or {}).get("response") or {}


def entity_values(tracker: Tracker, entity: str) -> list:
    return [e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == entity]


def value_before_latest_message(tracker: Tracker, slot: str):
    """What `slot` held before the latest user message (what the customer is changing), or None."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest = True
        elif seen_latest and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def guesses(tracker: Tracker) -> List[Tuple[str, float]]:
    """The NLU's intent ranking for the latest message, best first, without the fallback itself."""
    ranking = [
        r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"
    ]
    return [(r.get("name"), r.get("confidence", 0.0)) for r in ranking]


# The intents that ask for a quote, and how sure a runner-up guess of one must be to count.
QUOTE_INTENTS = ("adjust_quote", "lapse_charge_quote")
MIN_QUOTE_RUNNER_UP = 0.2
# A price asked for, in whatever words: "before I confirm, whats the total going to be?", "what does that
# come to".
PRICE_WORDS = re.compile(r"\b(total|cost\w*|price\w*|how much|quote|pay|come to)\b", re.IGNORECASE)


def changes_the_quote_given(tracker: Tracker) -> bool:
    """After a quote, a new value for it said with a price question or as the date to renew on, whatever
    the NLU took it for: "we only really need 60 now, what does that come to", "PO approval takes a few
    days, what if we renew on 1 December"."""
    if not tracker.get_slot("quoted_code"):
        return False
    text = latest_text(tracker)
    if entity_values(tracker, "date") and asks_to_renew_on(text):
        return True
    return bool(PRICE_WORDS.search(text)) and any(
        entity_values(tracker, name) for name in ("user_count", "term_years")
    )


def sign_off_response(text: str) -> Optional[str]:
    """The response to a message that only thanks or says goodbye ("no worries ta", "nah that's all for
    now, thanks love"), whatever the NLU took it for; None for anything else."""
    if is_closing(text):
        return "utter_goodbye"
    return "utter_you_are_welcome" if is_thanks(text) else None
