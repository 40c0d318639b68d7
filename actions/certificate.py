"""The brand-specific steps after a new licence certificate arrives."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.backend import call
from actions.conversation import CERTIFICATE_STEPS, PRICES, entity_values, set_last_turn
from actions.support_questions import list_prices

STEPS_RESPONSE = "utter_faq/after_certificate_steps"


async def brand_named(tracker: Tracker) -> Optional[str]:
    """The brand the latest message gives: "SMB", "Enterprise", or a product that implies one ("Apex One")."""
    brands = entity_values(tracker, "product_brand")
    if brands:
        return brands[0]
    products = entity_values(tracker, "product")
    if not products:
        return None
    match = await call(lambda service: service.match_product(products[0]))
    if match is None:
        return None
    return (await call(lambda service: service.product(match.product_code))).brand


def _steps_for(brand: str, domain: Dict[Text, Any]) -> Optional[str]:
    """The variation of the FAQ answer for `brand` (chosen here: a response rendered by a custom
    action sees the slots as they were before the action's own SlotSet)."""
    for variation in (domain.get("responses") or {}).get(STEPS_RESPONSE, []):
        if any(
            c.get("name") == "product_brand" and c.get("value") == brand
            for c in variation.get("condition") or []
        ):
            return variation["text"]
    return None


async def certificate_steps(dispatcher, tracker: Tracker, domain) -> Optional[List[Dict[Text, Any]]]:
    """The steps for the brand the latest message names, or None when it names none."""
    brand = await brand_named(tracker)
    steps = _steps_for(brand, domain) if brand else None
    if steps is None:
        return None
    dispatcher.utter_message(text=steps)
    return [SlotSet("product_brand", brand), SlotSet("topic", CERTIFICATE_STEPS)]


class ActionCertificateSteps(Action):
    """Answers "SMB or Enterprise?" (intent choose_brand)."""

    def name(self) -> Text:
        return "action_certificate_steps"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if (set_last_turn(tracker, "topic") or "").startswith(PRICES):
            return await list_prices(
                dispatcher, tracker
            )  # "and Worry-Free Advanced please" after list prices
        events = await certificate_steps(dispatcher, tracker, domain)
        if events is None:
            dispatcher.utter_message(response=STEPS_RESPONSE)
            return []
        return events
