"""Questions a support team answers beyond the FAQ: a customer's own case, and list prices."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet

from actions import replies
from actions.backend import call
from actions.conversation import PRICES, entity_values, latest_text, set_last_turn
from actions.topics import buttons
from renewals.case_references import find_case_reference
from renewals.regions import region_named


class ActionCaseStatus(Action):
    """ "What happens now?", "when will I hear back?", "status of RN-2026-000123": about a case
    opened in this conversation only."""

    def name(self) -> Text:
        return "action_case_status"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        typed = find_case_reference(latest_text(tracker))
        reference = typed or tracker.get_slot("case_reference")
        if reference is None:
            dispatcher.utter_message(
                text=replies.NO_CASE_YET, buttons=buttons("renewal_request", "human_handoff")
            )
            return []
        case = await call(lambda service: service.conversation_case(reference, tracker.sender_id))
        if case is None:
            dispatcher.utter_message(text=replies.not_this_conversations_case(reference))
            return []
        reseller_id = case.reseller_id
        reseller = await call(lambda service: service.reseller_name(reseller_id)) if reseller_id else None
        dispatcher.utter_message(text=replies.case_status_reply(case, reseller))
        return []


async def list_prices(dispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The price list's rates per user band for the product the message names, or the products to pick
    from."""
    names = entity_values(tracker, "product")
    match = await call(lambda service: service.match_product(names[0])) if names else None
    if match is None:
        products = await call(lambda service: service.products())
        dispatcher.utter_message(
            text="Which product would you like the list prices for?",
            buttons=[{"title": p.name, "payload": f"list prices for {p.name}"} for p in products],
        )
        return []
    code = tracker.get_slot("activation_code")
    licence = await call(lambda service: service.find_licence(code)) if code else None
    # The region asked for, else the one of the prices just shown ("and scanmail?"), else the licence's.
    earlier = (set_last_turn(tracker, "topic") or "").partition("/")
    shown_region = earlier[2] if earlier[0] == PRICES else None
    region = region_named(latest_text(tracker)) or shown_region or (licence.region if licence else "AU")
    product = await call(lambda service: service.product(match.product_code))
    terms, rates = await call(lambda service: service.list_prices(product.code, region))
    dispatcher.utter_message(text=replies.list_prices_reply(product, region, terms, rates))
    return [SlotSet("product_brand", product.brand), SlotSet("topic", f"{PRICES}/{region}")]


class ActionListPrices(Action):
    """ "How much per user is Apex One?": the price list's rates per user band, no licence needed."""

    def name(self) -> Text:
        return "action_list_prices"

    async def run(self, dispatcher, tracker: Tracker, domain) -> List[Dict[Text, Any]]:
        return await list_prices(dispatcher, tracker)
