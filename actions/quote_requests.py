"""A request for a quote, or for a change to one: the licence's quote, or the FAQ answer it was taken for."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker

from actions.conversation import faq_selection, latest_intent
from actions.faq import ActionAnswerFaq
from actions.licences import QUOTE, LicenceConversation

# The response selector's confidence above which its topic is taken as what the customer asked.
SURE_FAQ_TOPIC_CONFIDENCE = 0.9


class ActionQuoteRenewal(Action):
    def name(self) -> Text:
        return "action_quote_renewal"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        if _changes_a_quote_never_given(tracker):
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        return await LicenceConversation(dispatcher, tracker).run(QUOTE)


def _changes_a_quote_never_given(tracker: Tracker) -> bool:
    """ "tomorrow?! what happens if it runs out": taken for a change to a quote because of its date, with no
    quote given yet, while the NLU's next guess is an FAQ question whose topic it is sure of."""
    if latest_intent(tracker) != "adjust_quote" or tracker.get_slot("quoted_code"):
        return False
    ranking = [r.get("name") for r in tracker.latest_message.get("intent_ranking") or []]
    return (
        ranking[1:2] == ["faq"] and faq_selection(tracker).get("confidence", 0.0) >= SURE_FAQ_TOPIC_CONFIDENCE
    )
